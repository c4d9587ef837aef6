"""Sanctions on counts and false items: golden cases computed by hand (docs/rules.md)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_dataset, make_rules

from evalkit.scoring.awards import select_awards
from evalkit.scoring.rules import RulesError
from evalkit.scoring.scorer import POINT_COLUMNS, Scorer, ledger, score

DEPARTMENTS = [("甲局", "部门组", "一类"), ("乙局", "部门组", "一类"), ("丙局", "部门组", "一类")]


def by_unit(frame):
    return frame.set_index("unit")


@pytest.fixture
def commissions():
    # 甲局: three commissioned items (约稿) submitted after their due date, each adopted by the city.
    # 乙局: one item adopted by the city, and two 约稿未完成 faults (March, November).
    # 丙局: one item adopted by the city, one 约稿未完成 fault.
    late = [(f"A{k}", "甲局", "2025-03-05", "commissioned", None, "2025-03-01") for k in range(3)]
    return make_dataset(
        units=DEPARTMENTS,
        items=[*late, ("B1", "乙局", "2025-03-05"), ("C1", "丙局", "2025-03-05")],
        adoptions=[(i, "city", "2025-03-20") for i in ("A0", "A1", "A2", "B1", "C1")],
        faults=[
            ("乙局", "commission_missed", "2025-03-15"),
            ("乙局", "约稿未完成", "2025-11-15"),
            ("丙局", "commission_missed", "2025-06-15"),
        ],
    )


# 一年内迟报约稿3次或约稿未完成2次的，取消评先资格；约稿未完成2次的，当年得分计零
SANCTIONS = make_rules(
    adoption={"points": {"city": 10}},
    deadlines={"commissioned": {"due_at": True}},
    sanction=[
        {"late": ["commissioned"], "at_least": 3, "action": "ineligible"},
        {"faults": ["commission_missed"], "at_least": 2, "action": "ineligible"},
        {"faults": ["约稿未完成"], "at_least": 2, "action": "zero"},
    ],
    awards={"units": [{"tiers": [{"award": "先进单位", "count": 3}]}]},
)


def test_sanctions_on_counts(commissions):
    result = by_unit(score(commissions, SANCTIONS))
    # 甲局: 3 late 约稿 -> ineligible, score kept: 3 x 10 = 30
    assert (result.loc["甲局", "score"], result.loc["甲局", "eligible"]) == (30, False)
    assert not result.loc["甲局", "vetoed"]
    # 乙局: 2 missed -> ineligible and the year's score is 0 (10 earned, -10 adjustment)
    assert (result.loc["乙局", "score"], result.loc["乙局", "eligible"]) == (0, False)
    assert result.loc["乙局", "points_city"] == 10
    assert result.loc["乙局", "points_adjustment"] == -10
    # 丙局: 1 missed: nothing happens
    assert (result.loc["丙局", "score"], result.loc["丙局", "eligible"]) == (10, True)
    # ranked as scored (an ineligible unit is not vetoed)
    assert result["rank"].to_dict() == {"甲局": 1, "丙局": 2, "乙局": 3}
    # only 丙局 can be commended
    assert select_awards(score(commissions, SANCTIONS), SANCTIONS)["unit"].tolist() == ["丙局"]


def test_sanctions_are_in_the_ledger(commissions):
    rows = ledger(commissions, SANCTIONS)
    rows = rows[rows["rule"].str.startswith("sanction")]
    assert rows[["unit", "record", "rule", "points", "detail"]].values.tolist() == [
        [
            "乙局",
            "sanction[1]",
            "sanction[1].action",
            0.0,
            "约稿未完成2次（2次及以上）：取消评先资格",
        ],
        ["乙局", "sanction[2]", "sanction[2].action", 0.0, "约稿未完成2次（2次及以上）：得分计零"],
        ["乙局", "score", "sanction[2].action", -10.0, "约稿未完成2次（2次及以上）：得分计零"],
        [
            "甲局",
            "sanction[0]",
            "sanction[0].action",
            0.0,
            "迟报约稿3次（3次及以上）：取消评先资格",
        ],
    ]


def test_counts_run_over_the_year_to_the_windows_end(commissions):
    # Scored for March alone, 乙局 has one missed commission so far (the second is in November)
    assert by_unit(score(commissions, SANCTIONS, period="2025-03")).loc["乙局", "score"] == 10
    # Scored for November, the count from January reaches 2: November's score (0) is 0,
    # and the unit is ineligible
    november = by_unit(score(commissions, SANCTIONS, period="2025-11"))
    assert not november.loc["乙局", "eligible"]
    # counted within the window only, November alone has one
    within = SANCTIONS.with_changes({"sanction[1].over": "window"})
    assert by_unit(score(commissions, within, period="2025-11")).loc["乙局", "eligible"]


def test_a_veto_on_the_first_fault_is_a_sanction_counting_1(commissions):
    veto = make_rules(adoption={"points": {"city": 10}}, faults={"veto": ["commission_missed"]})
    counted = make_rules(
        adoption={"points": {"city": 10}},
        sanction=[{"faults": ["commission_missed"], "action": "veto", "over": "window"}],
    )
    for period in (None, "2025-03", "2025Q2"):
        a, b = score(commissions, veto, period=period), score(commissions, counted, period=period)
        assert a.equals(b), period
        assert a.set_index("unit")["vetoed"].to_dict() == {
            "甲局": False,
            "乙局": period != "2025Q2",
            "丙局": period != "2025-03",
        }


def test_a_sanction_must_count_something():
    with pytest.raises(RulesError, match=r"sanction\[0\]\.faults: missing"):
        make_rules(sanction=[{"action": "zero"}])
    with pytest.raises(RulesError, match=r'sanction\[0\]\.faults\[0\] = "typo"'):
        make_rules(sanction=[{"faults": ["typo"], "action": "zero"}])


# ---------------------------------------------------------------------- false items


@pytest.fixture
def false_item():
    # 甲镇 submits S1 (adopted by the city, with a city leader's instruction) and S2 (adopted
    # by the county); S1 is found false in June.
    return make_dataset(
        units=[("甲镇", "乡镇组"), ("乙镇", "乡镇组")],
        items=[("S1", "甲镇", "2025-03-01"), ("S2", "甲镇", "2025-03-02")],
        adoptions=[
            ("S1", "city", "2025-03-10", "single", None, "city"),
            ("S2", "county", "2025-03-10"),
        ],
        faults=[("甲镇", "false", "2025-06-01", "S1")],
    )


# 报送失实信息的，该条信息不得分，并扣5分
FALSE_ITEMS = make_rules(
    submission={"points": 0.5},
    adoption={"points": {"county": 4, "city": 15}},
    instruction={"points": {"city": 10}},
    faults={"points": {"false": 5}, "void": ["false"]},
)


def test_a_false_item_earns_nothing_and_costs_5(false_item):
    result = by_unit(score(false_item, FALSE_ITEMS))
    # S1: 0.5 + 15 + 10 = 25.5, all voided; -5 for the fault. S2: 0.5 + 4 = 4.5.
    assert result.loc["甲镇", "points_city"] == 15  # the components keep what was earned
    assert result.loc["甲镇", "points_faults"] == -25.5 - 5
    assert result.loc["甲镇", "score"] == 4.5 - 5
    rows = ledger(false_item, FALSE_ITEMS)
    assert rows.loc[rows["rule"] == "faults.void", ["record", "points"]].values.tolist() == [
        ["S1", -0.5],
        ["S1", -25.0],  # the adoption and its instruction, on the adoption's row
    ]
    assert rows["detail"][rows["rule"] == "faults.void"].iloc[0] == "失实：该条信息不得分"


def test_a_false_item_keeps_its_points_in_bulletins_before_it_was_found(false_item):
    march = by_unit(score(false_item, FALSE_ITEMS, period="2025-03"))
    assert march.loc["甲镇", "score"] == 0.5 + 15 + 10 + 0.5 + 4


def test_a_false_item_earns_its_informant_nothing():
    dataset = make_dataset(
        units=[("甲镇", "乡镇组")],
        items=[
            ("S1", "甲镇", "2025-03-01", "ordinary", None, None, "张三"),
            ("S2", "甲镇", "2025-03-02", "ordinary", None, None, "张三"),
        ],
        adoptions=[("S1", "city", "2025-03-10"), ("S2", "county", "2025-03-10")],
        faults=[("甲镇", "false", "2025-06-01", "S1")],
    )
    # 张三: S1 voided; S2 earns 0.5 + 4. The fault's -5 is the unit's, not the informant's.
    assert Scorer(dataset, FALSE_ITEMS, by="informant").totals().tolist() == [4.5]


def test_ledger_adds_up_with_voids_and_sanctions(commissions, false_item):
    for dataset, rules in ((commissions, SANCTIONS), (false_item, FALSE_ITEMS)):
        result = by_unit(score(dataset, rules))
        sums = ledger(dataset, rules).groupby("unit")["points"].sum()
        sums = sums.reindex(result.index, fill_value=0.0)
        assert np.allclose(sums, result[POINT_COLUMNS].sum(axis=1))
        assert np.allclose(sums, result["score"])
