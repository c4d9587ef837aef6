"""rules/county-class-composite.toml, the ORIGINAL example set (not a published document) that
writes the clauses of issue 8 no document read for this project states with its figures: one
hand-computed case per clause, the arithmetic in the comments (docs/rule-sources.md names them).

The file's score is shaped: 报送 (submission + quota) capped at 60 and x 0.3, 采用 (adoptions and
instructions) x 0.7, 时效 (lateness and faults) from a base of 10 held at 0, then the top unit of
each pool (乡镇组; 部门组 by class) converted to 100. The clause cases below read the ledger's
rows, or the points_* columns (before shaping); the last cases check the shaped score itself.
"""

from __future__ import annotations

import pytest
from conftest import make_dataset

from evalkit.data.loading import load
from evalkit.scoring.awards import select_awards
from evalkit.scoring.rules import load_rules
from evalkit.scoring.scorer import ledger, score

NAME = "county-class-composite"

# Each small case has one group only, so the file's rules for the other group warn (by design:
# RulesWarning names a group or class no unit has); the sample case has both groups.
pytestmark = pytest.mark.filterwarnings("ignore::evalkit.scoring.rules.RulesWarning")


@pytest.fixture(scope="module")
def rules():
    return load_rules(NAME)


def by_unit(frame):
    return frame.set_index("unit")


def rows(dataset, rules, prefix, **window):
    """(unit, record, rule, points) of the ledger rows whose rule starts with ``prefix``."""
    book = ledger(dataset, rules, **window)
    book = book[book["rule"].str.startswith(prefix)]
    return sorted(
        zip(book["unit"], book["record"], book["rule"], book["points"].round(6), strict=True)
    )


def test_the_file_says_it_is_an_original_example_and_scores_the_sample(rules):
    from evalkit._paths import RULES_DIR

    head = (RULES_DIR / f"{NAME}.toml").read_text(encoding="utf-8").split("schema_version")[0]
    assert head.startswith("# ORIGINAL EXAMPLE, not a published document")
    assert rules["description"].startswith("原创示例（非公开文件）")
    sample = load("data/sample")
    result = score(sample, rules, year=2025)
    assert len(result) == len(sample.units)
    # every pool's first place has 100 (乡镇组, and 部门组's three classes); the vetoed
    # 清溪镇 is converted by its pool's factor too (above 100) but ranked last
    first = result[result["rank"] == 1]
    assert first.groupby(["group", "class"], dropna=False)["score"].max().tolist() == [100] * 4
    vetoed = result.set_index("unit").loc["清溪镇"]
    assert vetoed["vetoed"] and vetoed["score"] > 100
    assert vetoed["rank"] == (result["group"] == vetoed["group"]).sum()


# ---------------------------------------------------------------------- 紧急信息按时报送 +2


def test_urgent_items_reported_on_time_earn_2_each(rules):
    # deadlines.urgent = { hours = 2, on_time = 2 }; lateness.points.urgent = 2
    # 甲镇: U1 event 08:00, submitted 09:30 (1.5 h): on time, +2
    #       U2 event 08:00, submitted 11:00 (3 h): late, no on-time points and -2
    #       O1 an ordinary item: no deadline, nothing
    data = make_dataset(
        units=[("甲镇", "乡镇组")],
        items=[
            ("U1", "甲镇", "2025-03-03 09:30", "urgent", "2025-03-03 08:00"),
            ("U2", "甲镇", "2025-03-04 11:00", "urgent", "2025-03-04 08:00"),
            ("O1", "甲镇", "2025-03-05 10:00"),
        ],
    )
    result = by_unit(score(data, rules, period="2025-03"))
    assert result.loc["甲镇", "points_submission"] == 2
    assert result.loc["甲镇", "points_lateness"] == -2
    assert rows(data, rules, "deadlines.", period="2025-03") == [
        ("甲镇", "U1", "deadlines.urgent.on_time", 2.0)
    ]


# ---------------------------------------------------------------------- 批示: 原分 x2 / x3


def test_instructions_multiply_the_adoptions_points(rules):
    # instruction.points.county = 5; instruction.factor city = 2, province = 2, national = 3
    # S1 adopted by the city (15), a 市领导 instruction: the bonus is (2 - 1) x 15 = 15
    # S2 adopted by the province (40), a 省领导 instruction: (2 - 1) x 40 = 40
    # S3 adopted nationally (80), a 国务院领导 instruction: (3 - 1) x 80 = 160
    # S4 adopted by the county (5), a 县领导 instruction: +5 (a bonus, no factor)
    # 15 + 40 + 160 + 5 = 220 instruction points; adoptions 15 + 40 + 80 + 5 = 140
    data = make_dataset(
        units=[("甲镇", "乡镇组")],
        items=[(f"S{k}", "甲镇", "2025-03-01") for k in (1, 2, 3, 4)],
        adoptions=[
            ("S1", "city", "2025-03-05", "single", None, "city"),
            ("S2", "province", "2025-03-10", "single", None, "province"),
            ("S3", "national", "2025-03-20", "single", None, "national"),
            ("S4", "county", "2025-03-03", "single", None, "county"),
        ],
    )
    result = by_unit(score(data, rules, year=2025))
    assert result.loc["甲镇", "points_instruction"] == 220
    assert result.loc["甲镇", ["points_county", "points_city", "points_province"]].sum() == 60
    assert result.loc["甲镇", "points_national"] == 80
    assert [row[1:] for row in rows(data, rules, "instruction.", year=2025) if row[3]] == [
        ("S1", "instruction.factor.city", 15.0),
        ("S2", "instruction.factor.province", 40.0),
        ("S3", "instruction.factor.national", 160.0),
        ("S4", "instruction.points.county", 5.0),
    ]


# ---------------------------------------------------------------------- 转报省 x2, 转报国办 x5


def test_items_forwarded_by_the_office_count_2_and_5_times(rules):
    # forwarding.factor province = 2, national = 5 (no points for forwarding itself)
    # S1 forwarded to the province and adopted there (40): +(2 - 1) x 40 = 40 -> 80 in all
    # S2 forwarded to the national offices and adopted there (80): +(5 - 1) x 80 = 320 -> 400
    # S3 adopted by the province without going through the office: 40, no factor
    # S4 forwarded to the province, not adopted: nothing
    # 乙镇's province points 80 + 40 = 120, national 400
    data = make_dataset(
        units=[("乙镇", "乡镇组")],
        items=[(f"S{k}", "乙镇", "2025-03-01") for k in (1, 2, 3, 4)],
        adoptions=[
            ("S1", "province", "2025-03-10"),
            ("S2", "national", "2025-04-10"),
            ("S3", "province", "2025-03-12"),
        ],
        forwardings=[
            ("S1", "province", "2025-03-02"),
            ("S2", "national", "2025-03-02"),
            ("S4", "province", "2025-03-02"),
        ],
    )
    result = by_unit(score(data, rules, year=2025))
    assert result.loc["乙镇", "points_province"] == 120
    assert result.loc["乙镇", "points_national"] == 400
    assert [row[1:] for row in rows(data, rules, "forwarding.", year=2025)] == [
        ("S1", "forwarding.factor.province", 40.0),
        ("S2", "forwarding.factor.national", 320.0),
    ]


# ---------------------------------------------------------------------- weekly quota, per item over


def test_townships_weekly_quota_and_a_point_per_item_over(rules):
    # 乡镇组: 每周不少于2篇, 完成的计1分, 每超1篇加1分 (quota[0]). Scored for January 2025:
    #   W01 (Dec 30 - Jan 5) and W05 (Jan 27 - Feb 2) are not wholly in January: not judged
    #   W02 (Jan 6 - 12): 2 items -> +1
    #   W03 (Jan 13 - 19): 1 item -> 0 (no base point; no deduction is set)
    #   W04 (Jan 20 - 26): 4 items -> +1, 2 over -> +2
    # 1 + 0 + 1 + 2 = 4
    days = ["01-02", "01-06", "01-08", "01-14", "01-20", "01-21", "01-22", "01-23", "01-28"]
    data = make_dataset(
        units=[("甲镇", "乡镇组")],
        items=[(f"S{k}", "甲镇", f"2025-{d}") for k, d in enumerate(days)],
    )
    result = by_unit(score(data, rules, period="2025-01"))
    assert result.loc["甲镇", "points_quota"] == 4
    assert [row[1:] for row in rows(data, rules, "quota", period="2025-01")] == [
        ("2025-W02", "quota[0].base_points", 1.0),
        ("2025-W03", "quota[0].penalty", 0.0),
        ("2025-W04", "quota[0].base_points", 1.0),
        ("2025-W04", "quota[0].per_extra", 2.0),
    ]


# ---------------------------------------------------------------------- quotas by class, 差额 2 倍


def test_departments_monthly_quotas_by_class_and_the_shortfall_counted_twice(rules):
    # 部门组 一类 6 a month, 二类 4, 三类 2; met: +2; short: 2 points per item short (差额 x2)
    # January 2025: 公安局 (一类) 6 items -> +2; 林业局 (二类) 3 items, short 1 -> -2;
    # 档案馆 (三类) none, short 2 -> -4; 妇联 (三类) 3 items -> +2 (no points over the quota)
    sent = {"公安局": 6, "林业局": 3, "档案馆": 0, "妇联": 3}
    data = make_dataset(
        units=[
            ("公安局", "部门组", "一类"),
            ("林业局", "部门组", "二类"),
            ("档案馆", "部门组", "三类"),
            ("妇联", "部门组", "三类"),
        ],
        items=[(f"{u}{k}", u, "2025-01-15") for u, n in sent.items() for k in range(n)],
    )
    result = by_unit(score(data, rules, period="2025-01"))
    assert result["points_quota"].to_dict() == {"公安局": 2, "林业局": -2, "档案馆": -4, "妇联": 2}
    assert [row[::2] for row in rows(data, rules, "quota", period="2025-01") if row[3]] == [
        ("公安局", "quota[1].base_points"),  # the 一类 table
        ("妇联", "quota[3].base_points"),  # the 三类 table
        ("林业局", "quota[2].per_missing"),  # the 二类 table
        ("档案馆", "quota[3].per_missing"),
    ]


# ---------------------------------------------------------------------- 约稿 missed twice: 0


def test_two_missed_commissions_in_a_year_zero_the_score(rules):
    # [[sanction]] faults = ["commission_missed"], at_least = 2, action = "zero", counted from
    # 1 January to the window's end. September 2025: each 一类 department sends 6 items (its
    # quota, +2), 3 adopted by the county (15).
    # 公安局: 约稿 missed in April and in September: 2 this year -> its score is 0
    # 财政局: one missed in September: 报送 2 x 0.3 = 0.6, 采用 15 x 0.7 = 10.5,
    #         时效 10 - 5 = 5: 16.1, the best of 一类 -> 100
    data = make_dataset(
        units=[("公安局", "部门组", "一类"), ("财政局", "部门组", "一类")],
        items=[(f"{u}{k}", u, "2025-09-02") for u in ("公安局", "财政局") for k in range(6)],
        adoptions=[
            (f"{u}{k}", "county", "2025-09-05") for u in ("公安局", "财政局") for k in range(3)
        ],
        faults=[
            ("公安局", "commission_missed", "2025-04-01"),
            ("公安局", "commission_missed", "2025-09-10"),
            ("财政局", "commission_missed", "2025-09-10"),
        ],
    )
    result = by_unit(score(data, rules, period="2025-09"))
    assert result["score"].to_dict() == {"财政局": 100, "公安局": 0}
    assert ("公安局", "sanction[0]", "sanction[0].action") in {
        row[:3] for row in rows(data, rules, "sanction", period="2025-09")
    }
    # August: one missed so far, no sanction. Neither sent anything in August: 6 short,
    # -12 x 0.3 = -3.6; 时效 10 (April's fault is outside the window): 6.4 each, both 100
    august = by_unit(score(data, rules, period="2025-08"))
    assert august["score"].to_dict() == {"公安局": 100, "财政局": 100}
    assert rows(data, rules, "sanction", period="2025-08") == []


# ---------------------------------------------------------------------- parts, cap, weights, 折算


def test_capped_and_weighted_parts_converted_to_100(rules):
    # January 2025, two townships (one pool):
    # 甲镇: 31 urgent items on Tue 7 Jan (W02), each 1 h after its event: on time, 31 x 2 = 62;
    #       W02 quota: 31 items -> 1 + 29 over = 30; W03, W04: none -> 0.
    #       报送 62 + 30 = 92, capped at 60, x 0.3 = 18
    #       two of them adopted by the county: 2 x 5 = 10, 采用 x 0.7 = 7
    #       时效: base 10, nothing deducted = 10
    #       total 18 + 7 + 10 = 35
    # 乙镇: 2 ordinary items in W02 -> quota +1: 报送 1 x 0.3 = 0.3
    #       one adopted by the city: 15, 采用 x 0.7 = 10.5
    #       three 漏报 faults: 10 - 15 = -5, held at 0 (扣完为止)
    #       total 0.3 + 10.5 + 0 = 10.8
    # 折算: the top of the pool (甲镇, 35) becomes 100; 乙镇 10.8 x 100 / 35 = 30.857... -> 30.9
    items = [(f"U{k}", "甲镇", "2025-01-07 10:00", "urgent", "2025-01-07 09:00") for k in range(31)]
    items += [("B1", "乙镇", "2025-01-08 10:00"), ("B2", "乙镇", "2025-01-09 10:00")]
    data = make_dataset(
        units=[("甲镇", "乡镇组"), ("乙镇", "乡镇组")],
        items=items,
        adoptions=[
            ("U0", "county", "2025-01-10"),
            ("U1", "county", "2025-01-10"),
            ("B1", "city", "2025-01-15"),
        ],
        faults=[(("乙镇", "omitted", f"2025-01-{d}")) for d in (10, 11, 12)],
    )
    result = by_unit(score(data, rules, period="2025-01"))
    assert result["score"].to_dict() == {"甲镇": 100, "乙镇": 30.9}
    assert result.loc["甲镇", ["points_submission", "points_quota"]].sum() == 92
    shaping = {
        (unit, rule): points
        for unit, record, rule, points in rows(data, rules, "final.", period="2025-01")
    }
    assert shaping[("甲镇", "final.part[0].cap")] == 60 - 92  # 报送 held at 60
    assert shaping[("甲镇", "final.part[0].weight")] == pytest.approx(60 * 0.3 - 60)
    assert shaping[("甲镇", "final.part[1].weight")] == pytest.approx(10 * 0.7 - 10)
    assert shaping[("乙镇", "final.part[2].floor")] == 5  # 时效 -5 held at 0
    assert shaping[("甲镇", "final.scale")] == pytest.approx(100 - 35)
    assert shaping[("乙镇", "final.scale")] == pytest.approx(10.8 * 100 / 35 - 10.8)


# ---------------------------------------------------------------------- ranks and awards by class


def test_ranks_conversion_and_awards_by_class(rules):
    # January 2025; each department's 报送 is its quota (+2 met, -2 per item short), x 0.3;
    # 采用 county 5 / city 15, x 0.7; 时效 10. Then each class's best becomes 100.
    # 一类 (6 a month): 公安局 6 items, 3 adopted by the county: 0.6 + 10.5 + 10 = 21.1 -> 100
    #                   财政局 6 items, 1 adopted: 0.6 + 3.5 + 10 = 14.1 -> 14.1 / 21.1 = 66.82.. -> 66.8
    #                   发改局 6 items, none adopted: 0.6 + 10 = 10.6 -> 50.23.. -> 50.2
    #                   住建局 5 items (short 1: -2): -0.6 + 10 = 9.4 -> 44.54.. -> 44.5; quota missed
    # 二类 (4 a month): 林业局 4 items, 2 adopted: 0.6 + 7 + 10 = 17.6 -> 100
    #                   统计局 4 items, 1 adopted: 0.6 + 3.5 + 10 = 14.1 -> 80.11.. -> 80.1
    # 三类 (2 a month): 档案馆 2 items, 1 adopted by the city: 0.6 + 10.5 + 10 = 21.1 -> 100
    #                   妇联 2 items: 0.6 + 10 = 10.6 -> 50.2
    # Awards: 一类 一等奖 1, 二等奖 2; 二类 一等奖 1, 二等奖 2 (only 1 candidate left); 三类 1 and 1.
    plan = {  # unit: (class, items, adopted by the county, adopted by the city)
        "公安局": ("一类", 6, 3, 0),
        "财政局": ("一类", 6, 1, 0),
        "发改局": ("一类", 6, 0, 0),
        "住建局": ("一类", 5, 0, 0),
        "林业局": ("二类", 4, 2, 0),
        "统计局": ("二类", 4, 1, 0),
        "档案馆": ("三类", 2, 0, 1),
        "妇联": ("三类", 2, 0, 0),
    }
    items, adoptions = [], []
    for unit, (_, n, county, city) in plan.items():
        items += [(f"{unit}{k}", unit, "2025-01-15") for k in range(n)]
        adoptions += [(f"{unit}{k}", "county", "2025-01-20") for k in range(county)]
        adoptions += [(f"{unit}{k}", "city", "2025-01-20") for k in range(city)]
    data = make_dataset(
        units=[(u, "部门组", c) for u, (c, *_) in plan.items()], items=items, adoptions=adoptions
    )
    result = score(data, rules, period="2025-01")
    assert result[["class", "unit", "score", "rank"]].values.tolist() == [
        ["一类", "公安局", 100.0, 1],
        ["一类", "财政局", 66.8, 2],
        ["一类", "发改局", 50.2, 3],
        ["一类", "住建局", 44.5, 4],
        ["三类", "档案馆", 100.0, 1],
        ["三类", "妇联", 50.2, 2],
        ["二类", "林业局", 100.0, 1],
        ["二类", "统计局", 80.1, 2],
    ]
    assert not result.set_index("unit").loc["住建局", "quota_met"]
    awards = select_awards(result, rules)
    units = awards[awards["kind"] == "unit"]
    assert sorted(zip(units["unit"], units["award"], strict=True)) == sorted(
        [
            ("公安局", "一等奖"),
            ("财政局", "二等奖"),
            ("发改局", "二等奖"),
            ("林业局", "一等奖"),
            ("统计局", "二等奖"),
            ("档案馆", "一等奖"),
            ("妇联", "二等奖"),
        ]
    )


def test_rank_bands_rank_within_each_class(rules):
    # Monte Carlo rank bands rank in the pools the score ranks in (final.rank_by = "class"):
    # 妇联 is second of 三类's two units under every draw, not sixth of 部门组's eight.
    from evalkit.scoring.uncertainty import rank_bands

    plan = {
        "公安局": ("一类", 3),
        "财政局": ("一类", 1),
        "档案馆": ("三类", 1),
        "妇联": ("三类", 0),
    }
    need = {"一类": 6, "三类": 2}  # each meets its January quota
    items = [(f"{u}{k}", u, "2025-01-15") for u, (c, _) in plan.items() for k in range(need[c])]
    data = make_dataset(
        units=[(u, "部门组", c) for u, (c, _) in plan.items()],
        items=items,
        adoptions=[
            (f"{u}{k}", "county", "2025-01-20") for u, (_, n) in plan.items() for k in range(n)
        ],
    )
    bands = rank_bands(data, rules, period="2025-01", n_draws=50).set_index("unit")
    assert bands.loc[["公安局", "档案馆"], "rank_p95"].tolist() == [1, 1]
    assert bands.loc[["财政局", "妇联"], ["rank_p05", "rank_p95"]].values.tolist() == [
        [2, 2],
        [2, 2],
    ]
