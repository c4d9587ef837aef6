"""Score shaping and ranking by class: golden cases computed by hand (docs/rules.md, [final])."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_dataset, make_rules

from evalkit.scoring.awards import select_awards
from evalkit.scoring.rules import RulesError, RulesWarning
from evalkit.scoring.scorer import POINT_COLUMNS, Scorer, ledger, score


def by_unit(frame):
    return frame.set_index("unit")


@pytest.fixture
def towns():
    # 甲镇: 10 items, 4 adopted by the county; 2 urgent items late; 1 omitted fault.
    # 乙镇: 4 items, 2 adopted by the county; 1 late urgent item.
    # 丙镇: 2 items, none adopted.
    items = [(f"A{k}", "甲镇", "2025-03-01 10:00") for k in range(8)]
    items += [
        (f"AU{k}", "甲镇", "2025-03-01 20:00", "urgent", "2025-03-01 08:00") for k in range(2)
    ]
    items += [(f"B{k}", "乙镇", "2025-03-01 10:00") for k in range(3)]
    items += [("BU", "乙镇", "2025-03-01 20:00", "urgent", "2025-03-01 08:00")]
    items += [(f"C{k}", "丙镇", "2025-03-01 10:00") for k in range(2)]
    adoptions = [(f"A{k}", "county", "2025-03-10") for k in range(4)]
    adoptions += [(f"B{k}", "county", "2025-03-10") for k in range(2)]
    return make_dataset(
        units=[("甲镇", "乡镇组"), ("乙镇", "乡镇组"), ("丙镇", "乡镇组")],
        items=items,
        adoptions=adoptions,
        faults=[("甲镇", "omitted", "2025-03-20")],
    )


BASE = {
    "submission": {"points": 1},
    "adoption": {"points": {"county": 10}},
    "deadlines": {"urgent": {"hours": 2}},
    "lateness": {"points": 2},
    "faults": {"points": {"omitted": 5}},
}
# Without shaping (points per unit):
#   甲镇: submission 10, county 40, lateness -4, faults -5 -> 41
#   乙镇: submission 4,  county 20, lateness -2           -> 22
#   丙镇: submission 2                                     -> 2


def test_without_shaping(towns):
    result = by_unit(score(towns, make_rules(**BASE)))
    assert result["score"].to_dict() == {"甲镇": 41, "乙镇": 22, "丙镇": 2}
    assert (result["points_adjustment"] == 0).all()


# 时效分: 基础分6分，迟报、漏报扣分，扣完为止
TIMELINESS = {"name": "时效", "components": ["lateness", "faults"], "base": 6, "floor": 0}


def test_base_points_that_deductions_cannot_take_below_zero(towns):
    rules = make_rules(**BASE, final={"part": [TIMELINESS]})
    result = by_unit(score(towns, rules))
    # 甲镇: 6 - 4 - 5 = -3, held at 0: 10 + 40 + 0 = 50 (adjustment +6 base, +3 floor)
    # 乙镇: 6 - 2 = 4: 4 + 20 + 4 = 28 (adjustment +6)
    # 丙镇: 6 - 0 = 6: 2 + 6 = 8 (adjustment +6)
    assert result["score"].to_dict() == {"甲镇": 50, "乙镇": 28, "丙镇": 8}
    assert result["points_adjustment"].to_dict() == {"甲镇": 9, "乙镇": 6, "丙镇": 6}
    rows = ledger(towns, rules)
    shaping = rows[rows["record"] == "score"]
    assert shaping[["unit", "rule", "points", "detail"]].values.tolist() == [
        ["丙镇", "final.part[0].base", 6.0, "时效基础分6分"],
        ["乙镇", "final.part[0].base", 6.0, "时效基础分6分"],
        ["甲镇", "final.part[0].base", 6.0, "时效基础分6分"],
        ["甲镇", "final.part[0].floor", 3.0, "时效扣完为止（不低于0分）"],
    ]


def test_a_cap_per_component_and_weighted_parts(towns):
    # 报送分封顶5分; total = 报送 x 0.4 + 采用 x 0.6 (penalties count as they are)
    parts = [
        {"name": "报送", "components": ["submission"], "cap": 5, "weight": 0.4},
        {"name": "采用", "components": ["county", "city", "province", "national"]}
        | {"weight": 0.6},
    ]
    result = by_unit(score(towns, make_rules(**BASE, final={"part": parts})))
    # 甲镇: min(10, 5) x 0.4 + 40 x 0.6 - 4 - 5 = 2 + 24 - 9 = 17
    # 乙镇: min(4, 5) x 0.4 + 20 x 0.6 - 2 = 1.6 + 12 - 2 = 11.6
    # 丙镇: 2 x 0.4 = 0.8
    assert result["score"].to_dict() == {"甲镇": 17, "乙镇": 11.6, "丙镇": 0.8}


def test_conversion_so_that_the_top_unit_has_100(towns):
    rules = make_rules(**BASE, final={"scale": {"method": "top"}, "decimals": 2})
    result = by_unit(score(towns, rules))
    # 41 -> 100; 22 -> 22 x 100 / 41 = 53.658... -> 53.66; 2 -> 4.878... -> 4.88
    assert result["score"].to_dict() == {"甲镇": 100, "乙镇": 53.66, "丙镇": 4.88}
    assert result.loc["乙镇", "points_adjustment"] == pytest.approx(2200 / 41 - 22)


def test_conversion_takes_the_best_unit_not_vetoed_as_the_top(towns):
    # 甲镇's omitted fault vetoes it: ranked last, so the first place is 乙镇, whose 22
    # becomes 100 (not 22 x 100 / 41, which would leave the first place short of 100).
    # Every unit is converted by the same factor 100 / 22:
    #   甲镇 41 -> 186.36 (vetoed, last); 乙镇 22 -> 100; 丙镇 2 -> 9.09
    faults = {"points": {"omitted": 5}, "veto": ["omitted"]}
    rules = make_rules(
        **{**BASE, "faults": faults}, final={"scale": {"method": "top"}, "decimals": 2}
    )
    result = by_unit(score(towns, rules))
    assert result["score"].to_dict() == {"甲镇": 186.36, "乙镇": 100, "丙镇": 9.09}
    assert result.sort_values("rank").index.tolist() == ["乙镇", "丙镇", "甲镇"]
    # a pool where every unit is vetoed takes its best of all as the top:
    # 甲镇 alone, 2 items + 1 adopted by the county - 5 for the fault = 2 + 10 - 5 = 7 -> 100
    alone = make_dataset(
        units=[("甲镇", "乡镇组")],
        items=[("A0", "甲镇", "2025-03-01 10:00"), ("A1", "甲镇", "2025-03-01 10:00")],
        adoptions=[("A0", "county", "2025-03-10")],
        faults=[("甲镇", "omitted", "2025-03-20")],
    )
    assert by_unit(score(alone, rules))["score"].to_dict() == {"甲镇": 100}


def test_conversion_by_full_marks_into_the_composite_assessment(towns):
    # 信息工作占综合目标考核3分: 满分50分 -> score x 3 / 50
    rules = make_rules(**BASE, final={"scale": {"method": "full", "full": 50, "points": 3}})
    result = by_unit(score(towns, rules.with_changes({"final.decimals": 3})))
    # 41 x 3 / 50 = 2.46; 22 x 3 / 50 = 1.32; 2 x 3 / 50 = 0.12
    assert result["score"].to_dict() == {"甲镇": 2.46, "乙镇": 1.32, "丙镇": 0.12}
    with pytest.raises(RulesError, match=r"final\.scale\.full: missing"):
        make_rules(final={"scale": {"method": "full"}})


def test_shaping_in_average_mode(towns):
    # score = points / items; the part's base is points too, so it is divided as well
    rules = make_rules(**BASE, final={"mode": "average", "part": [TIMELINESS], "decimals": 2})
    result = by_unit(score(towns, rules))
    # 甲镇: 50 / 10 = 5; 乙镇: 28 / 4 = 7; 丙镇: 8 / 2 = 4
    assert result["score"].to_dict() == {"甲镇": 5, "乙镇": 7, "丙镇": 4}
    # adjustment in score units: 甲镇 (41 + 9) / 10 - 41 / 10 = 0.9
    assert result.loc["甲镇", "points_adjustment"] == pytest.approx(0.9)


def test_totals_ledger_and_columns_agree_under_shaping(towns):
    rules = make_rules(
        **BASE, final={"part": [TIMELINESS], "scale": {"method": "top", "points": 3}}
    )
    scorer = Scorer(towns, rules)
    result = scorer.score().set_index("unit").loc[scorer.people["unit"]]
    assert np.allclose(scorer.totals(), result["score"], atol=0.05)
    assert np.allclose(result[POINT_COLUMNS].sum(axis=1), result["score"], atol=0.05)
    sums = scorer.ledger().groupby("unit")["points"].sum().reindex(result.index)
    assert np.allclose(sums, result[POINT_COLUMNS].sum(axis=1))


def test_bad_parts_are_named():
    with pytest.raises(RulesError, match=r'final\.part\[0\]\.components\[0\] = "adoption"'):
        make_rules(final={"part": [{"components": ["adoption"]}]})
    with pytest.raises(RulesError, match=r"final\.part\[0\]\.components: missing"):
        make_rules(final={"part": [{"base": 6}]})


# ---------------------------------------------------------------------- by class


@pytest.fixture
def classes():
    # points = items adopted by the county x 10
    units = [("公安局", "一类"), ("财政局", "一类"), ("教育局", "二类"), ("档案馆", "二类")]
    adopted = {"公安局": 5, "财政局": 3, "教育局": 4, "档案馆": 1}
    items = [(f"{u}{k}", u, "2025-03-01") for u, n in adopted.items() for k in range(n)]
    return make_dataset(
        units=[(u, "部门组", c) for u, c in units],
        items=items,
        adoptions=[(i[0], "county", "2025-03-05") for i in items],
    )


def test_ranking_and_awards_by_class(classes):
    rules = make_rules(
        adoption={"points": {"county": 10}},
        final={"rank_by": "class"},
        awards={
            "units": [
                {"class": "一类", "tiers": [{"award": "一类先进", "count": 1}]},
                {"class": "二类", "tiers": [{"award": "二类先进", "count": 1}]},
            ]
        },
    )
    result = score(classes, rules)
    # ranked within 部门组/一类 and 部门组/二类
    assert result[["unit", "class", "score", "rank"]].values.tolist() == [
        ["公安局", "一类", 50.0, 1],
        ["财政局", "一类", 30.0, 2],
        ["教育局", "二类", 40.0, 1],
        ["档案馆", "二类", 10.0, 2],
    ]
    awards = select_awards(result, rules)
    assert awards[["award", "unit"]].values.tolist() == [
        ["一类先进", "公安局"],
        ["二类先进", "教育局"],
    ]
    # one award rule with tiers in each class: per_class
    per_class = rules.with_changes(
        {"awards.units": [{"per_class": True, "tiers": [{"award": "先进单位", "count": 1}]}]}
    )
    assert select_awards(result, per_class)["unit"].tolist() == ["公安局", "教育局"]
    # the top unit of each class is converted to 100
    scaled = score(classes, rules.with_changes({"final.scale.method": "top"})).set_index("unit")
    assert scaled["score"].to_dict() == {"公安局": 100, "财政局": 60, "教育局": 100, "档案馆": 25}


def test_a_class_no_unit_has_is_reported(classes):
    rules = make_rules(quota=[{"class": "四类", "period": "year", "min_items": 1}])
    with pytest.warns(RulesWarning, match=r'quota\[0\]\.class = "四类": no unit has this class'):
        Scorer(classes, rules)
