"""Awards: tiers by count and by score, ties at a boundary, eligibility, informants."""

import pandas as pd
import pytest

import evalkit
from evalkit._paths import SAMPLE_DIR
from evalkit.awards import select_awards
from evalkit.rules import load_rules
from evalkit.scoring import score, score_informants


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
