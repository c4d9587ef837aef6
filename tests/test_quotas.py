"""Quotas as real rules write them: golden cases computed by hand (docs/rules.md, [[quota]])."""

from __future__ import annotations

import pytest
from conftest import make_dataset, make_rules

from evalkit.scoring.rules import RulesError
from evalkit.scoring.scorer import ledger, score

FIRST_HALF = ("2025-01-01", "2025-06-30")


def by_unit(frame):
    return frame.set_index("unit")


def quota_rows(dataset, rules, period):
    rows = ledger(dataset, rules, period=period)
    return rows[rows["rule"].str.startswith("quota")].reset_index(drop=True)


# ---------------------------------------------------------------------- weekly quota


@pytest.fixture
def january():
    # 甲镇's items in January 2025 by ISO week (weeks run Monday to Sunday):
    #   W01 (Dec 30 - Jan 5): Jan 2          -> not wholly inside January: not judged
    #   W02 (Jan 6 - Jan 12): Jan 6, Jan 8   -> 2
    #   W03 (Jan 13 - 19):    Jan 14         -> 1
    #   W04 (Jan 20 - 26):    Jan 20, 21, 22 -> 3
    #   W05 (Jan 27 - Feb 2): Jan 28         -> not wholly inside January: not judged
    days = ["01-02", "01-06", "01-08", "01-14", "01-20", "01-21", "01-22", "01-28"]
    return make_dataset(
        units=[("甲镇", "乡镇组")],
        items=[(f"S{k}", "甲镇", f"2025-{d}") for k, d in enumerate(days)],
    )


def test_weekly_quota_with_points_per_item_short_and_over(january):
    # 每周不少于2篇，完成的计1分；每少1篇扣1分，每超1篇加0.5分
    rules = make_rules(
        quota=[
            {"period": "week", "min_items": 2, "unit_quota": False, "base_points": 1}
            | {"per_missing": 1, "per_extra": 0.5}
        ]
    )
    result = by_unit(score(january, rules, period="2025-01"))
    # W02: 2 items, met: +1
    # W03: 1 item, short by 1: -1
    # W04: 3 items, met: +1, one over: +0.5
    assert result.loc["甲镇", "points_quota"] == 1 - 1 + 1 + 0.5
    rows = quota_rows(january, rules, "2025-01")
    assert rows[["record", "rule", "points"]].values.tolist() == [
        ["2025-W02", "quota[0].base_points", 1.0],
        ["2025-W03", "quota[0].penalty", 0.0],
        ["2025-W03", "quota[0].per_missing", -1.0],
        ["2025-W04", "quota[0].base_points", 1.0],
        ["2025-W04", "quota[0].per_extra", 0.5],
    ]
    assert rows.loc[2, "detail"] == "2025-W03少1条"


def test_shortfall_counted_twice(january):
    # 差额2倍扣分: a weekly minimum of 3; W02 has 2 (short 1), W03 has 1 (short 2), W04 has 3
    rules = make_rules(
        quota=[{"period": "week", "min_items": 3, "unit_quota": False, "per_missing": 2}]
    )
    result = by_unit(score(january, rules, period="2025-01"))
    assert result.loc["甲镇", "points_quota"] == -(1 * 2) - (2 * 2)
    # 2 + 1 + 3 = 6 items over three judged weeks against 3 x 3 = 9 due
    assert not result.loc["甲镇", "quota_met"]


# ---------------------------------------------------------------------- per category, half year


@pytest.fixture
def research_year():
    # 甲镇: research items in February and August; ordinary items in March, April, May.
    # 乙镇: one research item in March only.
    return make_dataset(
        units=[("甲镇", "乡镇组"), ("乙镇", "乡镇组")],
        items=[
            ("R1", "甲镇", "2025-02-10", "research"),
            ("R2", "甲镇", "2025-08-10", "research"),
            ("O1", "甲镇", "2025-03-10"),
            ("O2", "甲镇", "2025-04-10"),
            ("O3", "甲镇", "2025-05-10"),
            ("R3", "乙镇", "2025-03-10", "调研"),
        ],
    )


def test_quarterly_research_quota(research_year):
    # 每季度调研信息不少于1篇，每少1篇扣1分 (category in Chinese works too)
    rules = make_rules(
        quota=[
            {"period": "quarter", "category": "调研", "min_items": 1, "unit_quota": False}
            | {"per_missing": 1}
        ]  # fmt: skip
    )
    result = by_unit(score(research_year, rules))
    # 甲镇: research in Q1 and Q3; Q2 and Q4 short by 1: -2 (its ordinary items do not count)
    assert result.loc["甲镇", "points_quota"] == -2
    # 乙镇: research in Q1 only: -3
    assert result.loc["乙镇", "points_quota"] == -3


def test_half_year_quota(research_year):
    # 每半年报送不少于3篇，完成的计5分，未完成扣2分
    rules = make_rules(
        quota=[
            {"period": "half", "min_items": 3, "unit_quota": False, "base_points": 5}
            | {"penalty": 2}
        ]  # fmt: skip
    )
    result = by_unit(score(research_year, rules))
    # 甲镇: H1 has R1, O1, O2, O3 = 4 (met +5); H2 has R2 = 1 (missed -2)
    assert result.loc["甲镇", "points_quota"] == 5 - 2
    rows = quota_rows(research_year, rules, None)
    assert rows.loc[rows["unit"] == "甲镇", "record"].tolist() == ["2025H1", "2025H2"]
    # a half year is judged only when it lies wholly inside the window
    assert by_unit(score(research_year, rules, period="2025Q1")).loc["甲镇", "points_quota"] == 0


def test_quotas_of_different_tracks_apply_side_by_side(research_year):
    # A yearly quota of 4 items and a quarterly research quota both apply to every unit.
    rules = make_rules(
        quota=[
            {"period": "year", "min_items": 4, "unit_quota": False, "base_points": 10},
            {"period": "quarter", "category": "research", "min_items": 1, "per_missing": 1}
            | {"unit_quota": False},
        ]
    )
    result = by_unit(score(research_year, rules))
    assert result.loc["甲镇", "points_quota"] == 10 - 2  # 5 items >= 4; research missing in Q2, Q4
    assert result.loc["乙镇", "points_quota"] == 0 - 3  # 1 item < 4; research missing in Q2-Q4
    # quota_met needs every item quota met over the year: 甲镇 has 5 >= 4 items, but
    # 2 research items against 4 x 1 due
    assert not result.loc["甲镇", "quota_met"]
    yearly_only = make_rules(quota=[rules["quota"][0]])
    assert by_unit(score(research_year, yearly_only)).loc["甲镇", "quota_met"]


# ---------------------------------------------------------------------- adoption rate


def test_quarterly_adoption_rate_threshold():
    # 季度录用率低于30%扣1分. 甲镇 sends 10 items in Q1; 2 are adopted in Q1 and 1 more
    # (item S3) in April. In Q2 it sends 4 items; with S3, 2 items are adopted in Q2.
    items = [(f"S{k}", "甲镇", "2025-02-01") for k in range(10)]
    items += [(f"T{k}", "甲镇", "2025-05-01") for k in range(4)]
    adoptions = [
        ("S0", "county", "2025-02-10"),
        ("S1", "county", "2025-03-10"),
        ("S1", "city", "2025-03-20"),  # the same item twice: counts once
        ("S3", "county", "2025-04-02"),
        ("T0", "county", "2025-05-05"),
    ]
    dataset = make_dataset(units=[("甲镇", "乡镇组")], items=items, adoptions=adoptions)
    rules = make_rules(quota=[{"period": "quarter", "measure": "rate", "min_rate": 0.3}
                              | {"penalty": 1}])  # fmt: skip
    result = by_unit(score(dataset, rules, period=FIRST_HALF))
    # Q1: 2 items adopted / 10 submitted = 20% < 30%: -1
    # Q2: 2 items adopted (S3, T0) / 4 submitted = 50%: met, 0
    assert result.loc["甲镇", "points_quota"] == -1
    rows = quota_rows(dataset, rules, FIRST_HALF)
    assert rows["detail"].tolist() == [
        "2025Q1录用率20%（采用2条/报送10条），要求30%，未完成",
        "2025Q2录用率50%（采用2条/报送4条），要求30%，完成",
    ]
    # a rate threshold is not an item quota: quota_met is not affected
    assert result.loc["甲镇", "quota_met"]


# ---------------------------------------------------------------------- by unit class


def test_monthly_quotas_by_unit_class():
    # 一类单位每月不少于6篇，二类5篇，三类3篇；完成计2分，未完成扣1分
    units = [
        ("公安局", "部门组", "一类"),
        ("教育局", "部门组", "二类"),
        ("档案馆", "部门组", "三类"),
    ]
    sent = {"公安局": 6, "教育局": 4, "档案馆": 3}
    items = [(f"{u}{k}", u, "2025-01-15") for u, n in sent.items() for k in range(n)]
    dataset = make_dataset(units=units, items=items)
    rules = make_rules(
        quota=[
            {"class": c, "period": "month", "min_items": n, "unit_quota": False}
            | {"base_points": 2, "penalty": 1}
            for c, n in (("一类", 6), ("二类", 5), ("三类", 3))
        ]
    )
    result = by_unit(score(dataset, rules, period="2025-01"))
    assert result.loc["公安局", "points_quota"] == 2  # 6 >= 6
    assert result.loc["教育局", "points_quota"] == -1  # 4 < 5
    assert result.loc["档案馆", "points_quota"] == 2  # 3 >= 3


# ---------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"period": "fortnight", "min_items": 1}, 'quota[0].period = "fortnight"'),
        ({"period": "month", "category": "news", "min_items": 1}, 'quota[0].category = "news"'),
        ({"period": "month", "measure": "rate"}, "quota[0].min_rate: missing"),
        ({"period": "month", "measure": "rate", "min_rate": 0.3, "per_missing": 1},
         "quota[0].per_missing = 1"),
        ({"period": "month", "min_items": 2, "min_rate": 0.3}, "quota[0].min_rate = 0.3"),
        ({"period": "month", "measure": "rate", "min_rate": 30}, "quota[0].min_rate = 30"),
    ],
)  # fmt: skip
def test_bad_quota_entries_are_named(entry, message):
    with pytest.raises(RulesError, match=message.replace("[", r"\[").replace("]", r"\]")):
        make_rules(quota=[entry])
