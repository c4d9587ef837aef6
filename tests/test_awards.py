"""Awards: tiers by count and by score, ties at a boundary, eligibility, informants."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import evalkit
from evalkit._paths import SAMPLE_DIR
from evalkit.scoring.awards import select_awards
from evalkit.scoring.rules import load_rules
from evalkit.scoring.scorer import score, score_informants


@pytest.fixture(scope="module")
def sample_scores():
    dataset = evalkit.load(SAMPLE_DIR)

    def scored(name):
        rules = load_rules(name)
        return score(dataset, rules, year=2025), score_informants(dataset, rules, year=2025), rules

    return scored


def _scores(rows):
    """rows: (unit, group, score, vetoed, quota_met, n_items); ranks computed by hand in each test."""
    frame = pd.DataFrame(rows, columns=["unit", "group", "score", "vetoed", "quota_met", "n_items"])
    frame["rank"] = frame.groupby("group")["score"].rank(method="min", ascending=False).astype(int)
    return frame


def _rules(units=None, informants=None):
    return load_rules("default").with_changes(
        {"awards.units": units or [], "awards.informants": informants or []}
    )


def test_tiers_by_count_take_the_next_candidates_in_score_order():
    scores = _scores([("甲", "部门组", 90, False, True, 9), ("乙", "部门组", 80, False, True, 9),
                      ("丙", "部门组", 70, False, True, 9), ("丁", "部门组", 60, False, True, 9)])  # fmt: skip
    rules = _rules([{"group": "部门组", "tiers": [{"award": "一等奖", "count": 1},
                                                 {"award": "二等奖", "count": 2}]}])  # fmt: skip
    awards = select_awards(scores, rules)
    assert dict(zip(awards["unit"], awards["award"], strict=True)) == {
        "甲": "一等奖",
        "乙": "二等奖",
        "丙": "二等奖",
    }


def test_a_tie_at_the_boundary_is_included_whole():
    # 2 places, but 乙 and 丙 tie for second: both win; 丁 does not.
    scores = _scores([("甲", "乡镇组", 90, False, True, 9), ("乙", "乡镇组", 80, False, True, 9),
                      ("丙", "乡镇组", 80, False, True, 9), ("丁", "乡镇组", 70, False, True, 9)])  # fmt: skip
    awards = select_awards(scores, _rules([{"tiers": [{"award": "先进单位", "count": 2}]}]))
    assert sorted(awards["unit"]) == ["丙", "乙", "甲"]


def test_vetoed_units_missed_quotas_and_too_few_items_are_not_eligible():
    scores = _scores([("甲", "乡镇组", 99, True, True, 9), ("乙", "乡镇组", 90, False, False, 9),
                      ("丙", "乡镇组", 80, False, True, 2), ("丁", "乡镇组", 70, False, True, 9)])  # fmt: skip
    rules = _rules([{"min_items": 5, "tiers": [{"award": "先进单位", "count": 1}]}])
    assert select_awards(scores, rules)["unit"].tolist() == ["丁"]


def test_min_score_tier_and_per_group_pools():
    scores = _scores([("甲", "乡镇组", 320, False, True, 9), ("乙", "乡镇组", 290, False, True, 9),
                      ("丙", "部门组", 310, False, True, 9), ("丁", "部门组", 100, False, True, 9)])  # fmt: skip
    rules = _rules(
        [{"tiers": [{"award": "一等奖", "min_score": 300}, {"award": "二等奖", "count": 1}]}]
    )
    awards = select_awards(scores, rules).set_index("unit")["award"].to_dict()
    # each group: first those at 300 or more, then the next one
    assert awards == {"甲": "一等奖", "乙": "二等奖", "丙": "一等奖", "丁": "二等奖"}


def test_informants_of_a_vetoed_unit_are_not_eligible():
    units = _scores([("甲", "乡镇组", 99, True, True, 9), ("乙", "乡镇组", 50, False, True, 9)])
    people = pd.DataFrame({"informant": ["张三", "李四"], "unit": ["甲", "乙"], "group": "乡镇组",
                           "score": [80.0, 20.0], "rank": [1, 2], "n_items": [12, 12]})  # fmt: skip
    rules = _rules(
        informants=[{"per_group": False, "tiers": [{"award": "优秀信息员", "count": 1}]}]
    )
    awards = select_awards(units, rules, people)
    assert awards[awards["kind"] == "informant"]["informant"].tolist() == ["李四"]


@pytest.mark.parametrize(
    "name", ["default", "provincial-highest", "township-quota", "urgent-average"]
)
def test_every_shipped_rule_set_commends_someone_on_the_sample(name, sample_scores):
    scores, informants, rules = sample_scores(name)
    awards = select_awards(scores, rules, informants)
    assert (awards["kind"] == "unit").sum() >= 3
    assert (
        not scores.set_index("unit")
        .loc[awards.loc[awards["kind"] == "unit", "unit"], "vetoed"]
        .any()
    )


# ---------------------------------------------------------------------- end to end and properties


def test_awards_from_real_scores_respect_vetoes_and_quotas():
    # 甲镇 40 (2 city adoptions) but a false report: vetoed. 乙镇 25, 丙乡 20, 丁乡 20 (tie).
    # Quota 2 items a year: 丙乡 sent 1 item, so it is not eligible; 丁乡 sent 2.
    from conftest import make_dataset, make_rules

    ds = make_dataset(
        units=[("甲镇", "乡镇组"), ("乙镇", "乡镇组"), ("丙乡", "乡镇组"), ("丁乡", "乡镇组")],
        items=[("A1", "甲镇", "2025-03-01"), ("A2", "甲镇", "2025-03-02"), ("B1", "乙镇", "2025-03-01"),
               ("B2", "乙镇", "2025-03-02"), ("C1", "丙乡", "2025-03-01"), ("D1", "丁乡", "2025-03-01"),
               ("D2", "丁乡", "2025-03-02")],
        adoptions=[("A1", "city", "2025-03-05"), ("A2", "city", "2025-03-05"), ("B1", "city", "2025-03-05"),
                   ("B2", "county", "2025-03-05"), ("C1", "city", "2025-03-05"), ("D1", "city", "2025-03-05")],
        faults=[("甲镇", "false", "2025-06-01")],
    )  # fmt: skip
    rules = make_rules(
        adoption={"points": {"county": 5, "city": 20}},
        quota=[{"period": "year", "min_items": 2}],
        faults={"veto": ["false"]},
        awards={
            "units": [{"tiers": [{"award": "一等奖", "count": 1}, {"award": "二等奖", "count": 1}]}]
        },
    )
    scores = score(ds, rules)
    awards = select_awards(scores, rules)
    assert awards[["unit", "award", "score", "rank"]].values.tolist() == [
        ["乙镇", "一等奖", 25.0, 1],
        ["丁乡", "二等奖", 20.0, 2],
    ]


@st.composite
def score_tables(draw):
    n = draw(st.integers(1, 12))
    rows = [
        (f"U{i:02d}", draw(st.sampled_from(["乡镇组", "部门组"])), float(draw(st.integers(0, 5))),
         draw(st.booleans()), draw(st.booleans()), draw(st.integers(0, 9)))
        for i in range(n)
    ]  # fmt: skip
    tier = st.one_of(
        st.builds(dict, award=st.just("奖"), count=st.integers(1, 3)),
        st.builds(dict, award=st.just("奖"), min_score=st.integers(0, 5)),
    )
    tiers = [
        {**t, "award": f"{k + 1}等奖"}
        for k, t in enumerate(draw(st.lists(tier, min_size=1, max_size=3)))
    ]
    rule = {"tiers": tiers, "per_group": draw(st.booleans()), "min_items": draw(st.integers(0, 3))}
    return _scores(rows), rule


@settings(max_examples=60, deadline=None)
@given(case=score_tables())
def test_winners_are_eligible_and_ties_are_never_split(case):
    scores, rule = case
    awards = select_awards(scores, _rules([rule])).set_index("unit")["award"]
    table = scores.set_index("unit")
    eligible = ~table["vetoed"] & table["quota_met"] & (table["n_items"] >= rule["min_items"])
    assert eligible.loc[awards.index].all()
    pools = table["group"] if rule["per_group"] else pd.Series("all", index=table.index)
    candidates = table[eligible].assign(pool=pools, award=awards)
    for _, pool in candidates.groupby("pool"):
        # the same score gets the same award (or none), and no winner scores below a non-winner
        assert (pool.groupby("score")["award"].nunique(dropna=False) == 1).all()
        won = pool["award"].notna()
        if won.any() and (~won).any():
            assert pool.loc[won, "score"].min() > pool.loc[~won, "score"].max()
