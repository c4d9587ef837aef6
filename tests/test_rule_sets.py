"""Real rule sets (rules/<place-year>.toml): each loads, scores the sample, and scores a
tiny hand-computed case the way its document says. docs/rule-sources.md quotes the clauses."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_dataset

from evalkit.data.loading import load
from evalkit.scoring.rules import available_rules, load_rules
from evalkit.scoring.scorer import ledger, score, score_informants

REAL = [
    "changshan-2014",
    "county-bureau-party",
    "guangyuan-2008",
    "henan-gongxin-2011",
    "huzhou-2018",
    "liangyi-zhuanbao",
    "lianyungang",
    "liuan-2013",
    "renshe-xuanchuan",
    "shifu-weekly",
    "wuhai-zhiyuan-2023",
    "zhonglou-shenpi",
]


def by_unit(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("unit")


@pytest.fixture(scope="module")
def sample():
    return load("data/sample")


def test_at_least_eight_real_rule_sets_are_shipped():
    assert set(REAL) <= set(available_rules())
    assert len(REAL) >= 8


@pytest.mark.parametrize("name", REAL)
def test_each_real_rule_set_scores_the_sample(sample, name):
    rules = load_rules(name)
    result = score(sample, rules, year=2025)
    assert len(score_informants(sample, rules, year=2025))  # count sanctions with no faults
    assert len(result) == len(sample.units)
    assert result["score"].notna().all()
    assert (result["score"] != 0).any()  # the sample's adoptions earn points under every set
    header = (load_rules(name).source, rules.name)
    assert all(header)


@pytest.mark.parametrize("name", REAL)
def test_each_file_names_its_source_and_year(name):
    from evalkit._paths import RULES_DIR

    head = (RULES_DIR / f"{name}.toml").read_text(encoding="utf-8").split("schema_version")[0]
    assert "Source:" in head
    assert "http" in head or "001doc.com" in head
    assert "\n# Year: " in head  # a year, or "not stated"


# --------------------------------------------------------------------- 连云港 (city)

TOWNS = [("甲县", "县区组"), ("乙县", "县区组")]


def test_lianyungang_points_add_up_across_outlets_and_levels():
    # S1: 《昨日情况》 3 + city leader +5; province 《专报信息》 20 + province leader +50;
    #     national 50: 3 + 5 + 20 + 50 + 50 = 128 (四、同一条信息……累加计分).
    # S2: a brief in 《昨日情况》: 3 x 1/3 = 1 (其中简讯1条得1分).
    # S3: research in 《政务建议》 20, city leader bonus doubled for 调研类: 5 x 2 = 10 -> 30.
    data = make_dataset(
        units=TOWNS,
        items=[
            ("S1", "甲县", "2025-03-01"),
            ("S2", "甲县", "2025-03-02"),
            ("S3", "乙县", "2025-03-03", "research"),
        ],
        adoptions=[
            ("S1", "city", "2025-03-05", "single", "昨日情况", "city"),
            ("S1", "province", "2025-04-01", "single", "专报信息", "province"),
            ("S1", "national", "2025-05-01", "single", "国办信息"),
            ("S2", "city", "2025-03-06", "brief", "昨日情况"),
            ("S3", "city", "2025-03-10", "single", "政务建议", "city"),
        ],
    )
    result = by_unit(score(data, load_rules("lianyungang"), year=2025))
    assert result.loc["甲县", "score"] == 128 + 1
    assert result.loc["乙县", "score"] == 30


# --------------------------------------------------------------------- 广元 2008 (city)


def test_guangyuan_outlets_instructions_and_commission_penalties():
    # S1: 《政务晨讯》 2 + 《政务参阅》 5 + 《川政晨讯（重要）》 5 + province leader 10 = 22.
    # S2: 约稿 submitted after its due date, adopted in 《要情专报》 2: late -10 -> 2 - 10 = -8.
    # One 约稿 not delivered: -10 (不报……每次倒扣10分). 甲县: 22 - 8 - 10 = 4.
    # 乙县: an adoption in an outlet the document does not name scores 0.
    data = make_dataset(
        units=TOWNS,
        items=[
            ("S1", "甲县", "2025-03-01"),
            ("S2", "甲县", "2025-03-05 12:00", "commissioned", None, "2025-03-04 18:00"),
            ("S3", "乙县", "2025-03-01"),
        ],
        adoptions=[
            ("S1", "city", "2025-03-02", "single", "政务晨讯"),
            ("S1", "city", "2025-03-03", "single", "政务参阅"),
            ("S1", "province", "2025-03-20", "single", "川政晨讯（重要）", "province"),
            ("S2", "city", "2025-03-06", "single", "要情专报"),
            ("S3", "city", "2025-03-02", "single", "其他刊物"),
        ],
        faults=[("甲县", "commission_missed", "2025-06-01")],
    )
    result = by_unit(score(data, load_rules("guangyuan-2008"), year=2025))
    assert result.loc["甲县", "score"] == 4
    assert result.loc["乙县", "score"] == 0


# --------------------------------------------------------------------- 河南工信厅 2011 (province bureau)


def test_henan_gongxin_ministry_and_provincial_outlets():
    # 郑州局: 中办/国办 20 + 《工业和信息化部简报》 10 + 《政府工作快报》 10
    #         + 《工业和信息化工作简报》 6 + 省政府信息专网 0.5 = 46.5
    data = make_dataset(
        units=[("郑州局", "省辖市局"), ("开封局", "省辖市局")],
        items=[("S1", "郑州局", "2025-03-01"), ("S2", "郑州局", "2025-03-02")],
        adoptions=[
            ("S1", "national", "2025-03-10", "single", "国办信息"),
            ("S1", "national", "2025-03-11", "single", "工业和信息化部简报"),
            ("S1", "province", "2025-03-05", "single", "政府工作快报"),
            ("S2", "province", "2025-03-03", "single", "工业和信息化工作简报"),
            ("S2", "province", "2025-03-04", "single", "省政府信息专网"),
        ],
    )
    result = by_unit(score(data, load_rules("henan-gongxin-2011"), year=2025))
    assert result.loc["郑州局", "score"] == 46.5
    assert result.loc["开封局", "score"] == 0


# --------------------------------------------------------------------- 六安 2013 (city)


def test_liuan_city_outlets_and_upper_adoptions():
    # 《政务要情》 10 + 《政务快讯》 5 + 《政务快讯（专报）》 10 + 省政府办公厅 40 + 国务院办公厅 80 = 145
    data = make_dataset(
        units=TOWNS,
        items=[("S1", "甲县", "2025-03-01"), ("S2", "甲县", "2025-03-02")],
        adoptions=[
            ("S1", "city", "2025-03-05", "single", "政务要情"),
            ("S1", "province", "2025-03-20", "single", "安徽信息"),
            ("S1", "national", "2025-04-20", "single", "国办信息"),
            ("S2", "city", "2025-03-05", "single", "政务快讯"),
            ("S2", "city", "2025-03-06", "single", "政务快讯（专报）"),
        ],
    )
    result = by_unit(score(data, load_rules("liuan-2013"), year=2025))
    assert result.loc["甲县", "score"] == 145


# --------------------------------------------------------------------- 常山 2014 (county)


def test_changshan_outlets_and_monthly_base_points():
    # 甲镇 sends 8 items in each of January and February, 7 in March:
    #   base points 10 (Jan) + 10 (Feb) + 0 (Mar) = 20 (完成每月最低指标可获得月度基础分10分).
    # Adoptions: 《要情快报》 5 + 《常山政务增刊》 30 + 《衢州政务信息动态》 20
    #   + 《衢州政务信息动态（单篇）》 50 = 105. Total 125.
    items = [(f"A{i}", "甲镇", f"2025-01-{i + 1:02d}") for i in range(8)]
    items += [(f"B{i}", "甲镇", f"2025-02-{i + 1:02d}") for i in range(8)]
    items += [(f"C{i}", "甲镇", f"2025-03-{i + 1:02d}") for i in range(7)]
    data = make_dataset(
        units=[("甲镇", "乡镇组"), ("乙镇", "乡镇组")],
        items=items,
        adoptions=[
            ("A0", "county", "2025-01-05", "single", "要情快报"),
            ("A1", "county", "2025-01-06", "single", "常山政务增刊"),
            ("A2", "city", "2025-01-20", "combined", "衢州政务信息动态"),
            ("A3", "city", "2025-01-21", "single", "衢州政务信息动态（单篇）"),
        ],
    )
    result = by_unit(score(data, load_rules("changshan-2014"), period=("2025-01-01", "2025-03-31")))
    assert result.loc["甲镇", "points_quota"] == 20
    assert result.loc["甲镇", "score"] == 125


def test_changshan_a_full_year_of_base_points_is_120():
    # 8 items in each of the 12 months: 12 x 10 = 120, the 全年基础分满分 (cap = 120)
    items = [
        (f"{m}-{i}", "甲镇", f"2025-{m:02d}-{i + 1:02d}") for m in range(1, 13) for i in range(8)
    ]
    data = make_dataset(units=[("甲镇", "乡镇组")], items=items)
    assert by_unit(score(data, load_rules("changshan-2014"), year=2025)).loc["甲镇", "score"] == 120


# --------------------------------------------------------------------- 乌海职院 2023 (党政办公室)


def test_wuhai_highest_only_and_points_per_item():
    # S1: 学院采用 3 and 市委采用 5: 就高不就低 -> 5; 市领导批阅 +5; submitted +1 -> 11.
    # S2: submitted +1, not adopted -> 1. 教务处 12, plus the 基础分 100 -> 112; 学生处 100.
    data = make_dataset(
        units=[("教务处", "处室"), ("学生处", "处室")],
        items=[("S1", "教务处", "2025-03-01"), ("S2", "教务处", "2025-03-02")],
        adoptions=[
            ("S1", "county", "2025-03-03", "single", "学院信息"),
            ("S1", "city", "2025-03-10", "single", "乌海信息", "city"),
        ],
    )
    result = by_unit(score(data, load_rules("wuhai-zhiyuan-2023"), year=2025))
    assert result.loc["教务处", "score"] == 112
    assert result.loc["学生处", "score"] == 100


# --------------------------------------------------------------------- 某县局股室 (party and government)


def test_county_bureau_yearly_threshold_combined_and_research():
    # 办公室 sends 15 items (>= 15: 50 points); 政策股 sends 14 (< 15: 0).
    # 办公室: S0 single county 5; S1 combined county 5 x 0.6 = 3; S2 in 《要情》 10;
    #   S3 research at the province 20 x 2 = 40 (以省、市采用得分乘以2计分); S4 中央办公厅 50
    #   with a national leader's instruction +50.  50 + 5 + 3 + 10 + 40 + 50 + 50 = 208.
    office = [(f"O{i}", "办公室", "2025-03-01") for i in range(15)]
    office[3] = ("O3", "办公室", "2025-03-01", "research")
    policy = [(f"P{i}", "政策股", "2025-03-01") for i in range(14)]
    data = make_dataset(
        units=[("办公室", "股室"), ("政策股", "股室")],
        items=office + policy,
        adoptions=[
            ("O0", "county", "2025-03-02", "single", "重要信息"),
            ("O1", "county", "2025-03-02", "combined", "重要信息"),
            ("O2", "county", "2025-03-02", "single", "要情"),
            ("O3", "province", "2025-03-20", "single", "省委信息"),
            ("O4", "national", "2025-04-20", "single", "中央办公厅", "national"),
        ],
    )
    result = by_unit(score(data, load_rules("county-bureau-party"), year=2025))
    assert result.loc["办公室", "score"] == 208
    assert result.loc["政策股", "score"] == 0


# --------------------------------------------------------------------- 两翼专报 (city programme office)


def test_liangyi_special_reports_combined_brief_and_false_veto():
    # 甲区: 专项报道 10 + 动态 3 + 综合采用 3 x 1/3 = 1 + 简讯 1 + 市领导批示 10 = 25;
    #       one late report -10 -> 15.
    # 乙区: 动态 3, a false report -10 -> -7, and vetoed (取消先进集体资格).
    data = make_dataset(
        units=[("甲区", "区县组"), ("乙区", "区县组")],
        items=[(f"S{i}", "甲区", "2025-03-01") for i in range(4)] + [("T0", "乙区", "2025-03-01")],
        adoptions=[
            ("S0", "city", "2025-03-02", "single", "两翼农户万元增收专报（专项报道）", "city"),
            ("S1", "city", "2025-03-02", "single", "两翼农户万元增收专报"),
            ("S2", "city", "2025-03-02", "combined", "两翼农户万元增收专报"),
            ("S3", "city", "2025-03-02", "brief", "两翼农户万元增收专报"),
            ("T0", "city", "2025-03-02", "single", "两翼农户万元增收专报"),
        ],
        faults=[("甲区", "late", "2025-05-01"), ("乙区", "false", "2025-05-01")],
    )
    result = by_unit(score(data, load_rules("liangyi-zhuanbao"), year=2025))
    assert result.loc["甲区", "score"] == 15
    assert result.loc["乙区", "score"] == -7
    assert bool(result.loc["乙区", "vetoed"]) and not bool(result.loc["甲区", "vetoed"])


# --------------------------------------------------------------------- 钟楼区行政审批局 (district bureau)


def test_zhonglou_levels_instructions_and_deductions():
    # Over the year. 综合科: 区级录用 10 + 区级批示 10; 市级录用 15 + 市级批示 20; 省级录用 30 = 85.
    # Deductions: 报送不及时 -1, a notice for a serious error -2, and the three quarters
    #   without items have a 录用率 of 0 < 30%: -1 each, -3. 基础得分 6 - 6 = 0 (扣完为止).
    #   85 + 0 = 85. (No task in the unit list: no per-item quota.)
    data = make_dataset(
        units=[("综合科", "科室"), ("审批科", "科室")],
        items=[("S1", "综合科", "2025-03-01"), ("S2", "综合科", "2025-03-02")],
        adoptions=[
            ("S1", "county", "2025-03-02", "single", "钟楼信息", "county"),
            ("S1", "city", "2025-03-10", "single", "常州信息", "city"),
            ("S2", "province", "2025-03-20", "single", "江苏信息"),
        ],
        faults=[("综合科", "late", "2025-03-05"), ("综合科", "false", "2025-03-06")],
    )
    result = by_unit(score(data, load_rules("zhonglou-shenpi"), year=2025))
    assert result.loc["综合科", "score"] == 85
    rows = ledger(data, load_rules("zhonglou-shenpi"), year=2025)
    assert set(rows.loc[rows["unit"] == "综合科", "rule"]) >= {
        "adoption.points.county.ordinary", "instruction.points.city", "faults.points.late"
    }  # fmt: skip


# --------------------------------------------------------------------- features of the scoring families


def test_zhonglou_quarterly_short_items_rate_threshold_and_base_six():
    # First quarter (the 细则 is judged by quarter). Tasks from the unit list, per quarter ceil(task / 4):
    # 综合科 8 a year -> 2 a quarter: sends 2, both adopted by the district (10 + 10) and one
    #   with a district leader's instruction (+10) = 30; rate 2/2 = 100%; one late report -1:
    #   基础得分 6 - 1 = 5 -> 35.
    # 审批科 8 a year -> 2: sends 1, not adopted: 1 short -1, rate 0% < 30% -1: 6 - 2 = 4 -> 4.
    # 服务中心 40 a year -> 10: sends nothing: 10 short -10, rate 0 -1: 6 - 11 -> 扣完为止 0.
    data = make_dataset(
        units=[
            ("综合科", "科室", None, 8),
            ("审批科", "科室", None, 8),
            ("服务中心", "科室", None, 40),
        ],
        items=[
            ("S1", "综合科", "2025-01-10"),
            ("S2", "综合科", "2025-02-10"),
            ("T1", "审批科", "2025-02-10"),
        ],
        adoptions=[
            ("S1", "county", "2025-01-12", "single", "钟楼信息", "county"),
            ("S2", "county", "2025-02-12", "single", "钟楼信息"),
        ],
        faults=[("综合科", "late", "2025-03-01")],
    )
    quarter = ("2025-01-01", "2025-03-31")
    result = by_unit(score(data, load_rules("zhonglou-shenpi"), period=quarter))
    assert result.loc["综合科", "score"] == 35
    assert result.loc["审批科", "score"] == 4
    assert result.loc["服务中心", "score"] == 0


def test_liangyi_three_late_reports_withdraw_eligibility():
    # 甲区: 3 late reports in the year (-10 each, and 取消先进集体资格); 乙区: 2 late, eligible.
    data = make_dataset(
        units=[("甲区", "区县组"), ("乙区", "区县组")],
        items=[("S0", "甲区", "2025-03-01"), ("T0", "乙区", "2025-03-01")],
        faults=[("甲区", "late", f"2025-0{m}-01") for m in (3, 5, 7)]
        + [("乙区", "late", f"2025-0{m}-01") for m in (3, 5)],
    )
    result = by_unit(score(data, load_rules("liangyi-zhuanbao"), year=2025))
    assert result.loc["甲区", "score"] == -30 and result.loc["乙区", "score"] == -20
    assert not result.loc["甲区", "eligible"] and result.loc["乙区", "eligible"]
    assert not result.loc["甲区", "vetoed"]  # ranked as scored, only not commended


# --------------------------------------------------------------------- clauses written after the engine grew
# (forwarding, points by level/outlet and category, per-category submission points, instructions
# per leader and by tier): each as its document says, on a small case worked out by hand.


def test_lianyungang_forwarding_and_research_in_the_provincial_special_report():
    # 甲县: S1 选用报省 +2 and adopted in the province's 《专报信息》 20 -> 22;
    #       S2 (调研) adopted in 《专报信息》 30 (调研类每篇30分), and 选报国办 +10, not adopted there -> 40.
    #       22 + 40 = 62.
    # 乙县: S3 选用报省 +2, not adopted -> 2.
    data = make_dataset(
        units=TOWNS,
        items=[
            ("S1", "甲县", "2025-03-01"),
            ("S2", "甲县", "2025-03-02", "research"),
            ("S3", "乙县", "2025-03-03"),
        ],
        adoptions=[
            ("S1", "province", "2025-03-20", "single", "专报信息"),
            ("S2", "province", "2025-03-21", "single", "专报信息"),
        ],
        forwardings=[
            ("S1", "选用报省", "2025-03-05"),
            ("S2", "选报国办", "2025-03-25"),
            ("S3", "选用报省", "2025-03-06"),
        ],
    )
    rules = load_rules("lianyungang")
    result = by_unit(score(data, rules, year=2025))
    assert result.loc["甲县", "score"] == 62
    assert result.loc["乙县", "score"] == 2
    book = ledger(data, rules, year=2025)
    assert set(book.loc[book["record"] == "S2", "rule"]) == {
        "adoption.outlets.province.专报信息.research",
        "forwarding.points.national",
    }


def test_liuan_forwarding_and_the_main_city_leader():
    # 甲县: S1 《政务要情》 10 + 市主要领导批示 30 + 报省 5 + 省政府办公厅采用 40 = 85;
    #       S2 报国办 30 (not adopted there) -> 30. 85 + 30 = 115.
    # 乙县: S3 《政务快讯》 5 and an instruction by another city leader: that figure is cut off in
    #       the copy and not set, so 0 -> 5.
    data = make_dataset(
        units=TOWNS,
        items=[
            ("S1", "甲县", "2025-03-01"),
            ("S2", "甲县", "2025-03-02"),
            ("S3", "乙县", "2025-03-03"),
        ],
        adoptions=[
            ("S1", "city", "2025-03-05", "single", "政务要情"),
            ("S1", "province", "2025-03-20", "single", "安徽信息"),
            ("S3", "city", "2025-03-06", "single", "政务快讯"),
        ],
        instructions=[
            ("S1", "市级", "市主要领导", "市长", "2025-03-08"),
            ("S3", "市级", "市级", "副市长", "2025-03-09"),
        ],
        forwardings=[("S1", "报省", "2025-03-06"), ("S2", "报国办", "2025-03-07")],
    )
    result = by_unit(score(data, load_rules("liuan-2013"), year=2025))
    assert result.loc["甲县", "score"] == 115
    assert result.loc["乙县", "score"] == 5


def test_zhonglou_research_by_level_and_commissioned_items():
    # First quarter. 综合科: R1 (理论调研类) 区级 20 + 市级 30 + 省级 50 = 100;
    #   C1 (约稿) submitted +2 (按要求完成专题约稿任务的，每篇计2分) and 区级录用 as 政务类 10 -> 12;
    #   录用率 2/2 = 100%, no deductions: 基础得分 6. 100 + 12 + 6 = 118.
    # 审批科: O1 (ordinary) 市级录用 15; rate 1/1; 15 + 6 = 21.
    data = make_dataset(
        units=[("综合科", "科室"), ("审批科", "科室")],
        items=[
            ("R1", "综合科", "2025-01-10", "research"),
            ("C1", "综合科", "2025-02-10", "commissioned"),
            ("O1", "审批科", "2025-02-11"),
        ],
        adoptions=[
            ("R1", "county", "2025-01-12", "single", "钟楼信息"),
            ("R1", "city", "2025-01-20", "single", "常州信息"),
            ("R1", "province", "2025-02-20", "single", "江苏信息"),
            ("C1", "county", "2025-02-12", "single", "钟楼信息"),
            ("O1", "city", "2025-02-15", "single", "常州信息"),
        ],
    )
    quarter = ("2025-01-01", "2025-03-31")
    result = by_unit(score(data, load_rules("zhonglou-shenpi"), period=quarter))
    assert result.loc["综合科", "score"] == 118
    assert result.loc["综合科", "points_submission"] == 2
    assert result.loc["审批科", "score"] == 21


def test_guangyuan_commissioned_items_adopted_by_the_city():
    # 甲县: C1 (约稿) adopted by the city in an outlet the document does not price: 5
    #   (约稿信息采用1条计5分); C2 (约稿) in 《政务晨讯》, which has its own points: 2;
    #   O1 (ordinary) in an unpriced city outlet: 0. 5 + 2 = 7 (both delivered before their due date).
    data = make_dataset(
        units=TOWNS,
        items=[
            ("C1", "甲县", "2025-03-01", "commissioned", None, "2025-03-02"),
            ("C2", "甲县", "2025-03-01", "commissioned", None, "2025-03-02"),
            ("O1", "甲县", "2025-03-01"),
        ],
        adoptions=[
            ("C1", "city", "2025-03-05", "single", "约稿专报"),
            ("C2", "city", "2025-03-05", "single", "政务晨讯"),
            ("O1", "city", "2025-03-05", "single", "约稿专报"),
        ],
    )
    result = by_unit(score(data, load_rules("guangyuan-2008"), year=2025))
    assert result.loc["甲县", "score"] == 7


def test_liangyi_further_city_leaders_and_secretary_general_tiers():
    # S1 动态 3; 市领导: the first 10, the two others 5 each -> 20;
    # 秘书长、副秘书长: the first 5, the two others 3 each -> 11. 3 + 20 + 11 = 34.
    data = make_dataset(
        units=[("甲区", "区县组"), ("乙区", "区县组")],
        items=[("S1", "甲区", "2025-03-01")],
        adoptions=[("S1", "city", "2025-03-02", "single", "两翼农户万元增收专报")],
        instructions=[
            ("S1", "市级", "市级", "市长", "2025-03-03"),
            ("S1", "市级", "市级", "副市长甲、副市长乙", "2025-03-04"),
            ("S1", "市级", "市委市政府秘书长", "秘书长", "2025-03-03"),
            ("S1", "市级", "市委市政府秘书长", "副秘书长甲、副秘书长乙", "2025-03-05"),
        ],
    )
    rules = load_rules("liangyi-zhuanbao")
    assert by_unit(score(data, rules, year=2025)).loc["甲区", "score"] == 34
    book = ledger(data, rules, year=2025)
    assert sorted(book.loc[book["rule"].str.startswith("instruction."), "points"]) == [
        3, 3, 5, 5, 5, 10
    ]  # fmt: skip


def test_county_bureau_instruction_by_the_city_general_office():
    # 办公室: 15 items (50); O0 重要信息单条采用 5, instructed by a 市委办公室 leader +20 and a 县级
    #   leader +10: 50 + 5 + 20 + 10 = 85.
    data = make_dataset(
        units=[("办公室", "股室"), ("政策股", "股室")],
        items=[(f"O{i}", "办公室", "2025-03-01") for i in range(15)],
        adoptions=[("O0", "county", "2025-03-02", "single", "重要信息")],
        instructions=[
            ("O0", "县级", "市委市政府办公室领导", "市委办主任", "2025-03-05"),
            ("O0", "县级", "县级", "县长", "2025-03-06"),
        ],
    )
    result = by_unit(score(data, load_rules("county-bureau-party"), year=2025))
    assert result.loc["办公室", "score"] == 85


# --------------------------------------------------------------------- 湖州 2018 (city)


def test_huzhou_instruction_by_outlet_once_per_level_and_forwarding_by_category():
    # 甲县: S1 《湖州政务（每日要情）》 3; two city leaders: the first +10 (the outlet's bonus),
    #   the second 0 (同级多次批示不重复加分); 上报省办 (要情类) 3; 省办《专报信息》 30 and a
    #   provincial leader +50: 3 + 10 + 0 + 3 + 30 + 50 = 96.
    #   S2 (约稿): 《专报信息》 10, a city leader +20, 上报省办 (专报（约稿）类) 10: 40. 96 + 40 = 136.
    # 乙县: S3 in an outlet the document does not name 0; 上报省办 3 -> 3.
    data = make_dataset(
        units=TOWNS,
        items=[
            ("S1", "甲县", "2025-03-01"),
            ("S2", "甲县", "2025-03-02", "commissioned"),
            ("S3", "乙县", "2025-03-03"),
        ],
        adoptions=[
            ("S1", "city", "2025-03-05", "single", "湖州政务（每日要情）"),
            ("S1", "province", "2025-03-20", "single", "专报信息"),
            ("S2", "city", "2025-03-06", "single", "专报信息"),
            ("S3", "city", "2025-03-07", "single", "其他刊物"),
        ],
        instructions=[
            ("S1", "市级", "市级", "市长、副市长", "2025-03-08"),
            ("S1", "省级", "省级", "省长", "2025-03-25"),
            ("S2", "市级", "市级", "市长", "2025-03-09"),
        ],
        forwardings=[
            ("S1", "报省", "2025-03-06"),
            ("S2", "报省", "2025-03-07"),
            ("S3", "报省", "2025-03-08"),
        ],
    )
    rules = load_rules("huzhou-2018")
    result = by_unit(score(data, rules, year=2025))
    assert result.loc["甲县", "score"] == 136
    assert result.loc["乙县", "score"] == 3
    book = ledger(data, rules, year=2025)
    assert {"instruction.outlets.湖州政务(每日要情)", "instruction.further.city",
            "forwarding.points.province.commissioned", "forwarding.points.province.ordinary"} <= set(
        book["rule"]
    )  # fmt: skip


def test_the_clause_table_names_shipped_files_and_tests_that_exist():
    # docs/rule-sources.md: "clause -> rules file and key -> test"; every file and test it names exists
    import re
    from pathlib import Path

    text = Path("docs/rule-sources.md").read_text(encoding="utf-8")
    table = text.split("## Issue 8's clauses")[1].split("\n## ")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) >= 25
    files = {"rule_sets": "tests/test_rule_sets.py", "record": "tests/test_record_families.py"}
    for row in rows:
        clause, shipped, tested = (cell.strip() for cell in row.strip().strip("|").split(" | "))
        for name in re.findall(r"`([a-z0-9-]+)`: ", shipped):
            assert name in available_rules(), (clause, name)
        cases = re.findall(r"`(?:(rule_sets|record)|(tests/\w+\.py))?::(test_\w+)`", tested)
        assert cases, row
        last = None
        for short, path, test in cases:
            last = files.get(short) or path or last
            assert f"def {test}(" in Path(last).read_text(encoding="utf-8"), (clause, test)


# --------------------------------------------------------------------- 某市人社局 (page 2 of its 办法)


def test_renshe_false_item_scores_nothing_and_costs_5_and_awards_in_one_pool():
    # 甲科: S1 市级主流媒体 4 + 省级 6 = 10; S2 头版头条 (city) 8; S3 国家级 20, found 不实:
    #   本条稿件得分为0 (-20 in the void row) and -5; one 约稿 not delivered -5.
    #   10 + 8 + 20 - 20 - 5 - 5 = 8.
    # 乙科: S4 市级 4. Both are among the 15 先进单位 (one pool, no quota read).
    data = make_dataset(
        units=[("甲科", "局机关"), ("乙科", "局属单位")],
        items=[(f"S{i}", "甲科", "2025-03-01") for i in (1, 2, 3)] + [("S4", "乙科", "2025-03-01")],
        adoptions=[
            ("S1", "city", "2025-03-05", "single", "某市日报"),
            ("S1", "province", "2025-03-10", "single", "某省日报"),
            ("S2", "city", "2025-03-06", "single", "头版头条"),
            ("S3", "national", "2025-03-20", "single", "人民日报"),
            ("S4", "city", "2025-03-07", "single", "某市日报"),
        ],
        faults=[("甲科", "false", "2025-04-01", "S3"), ("甲科", "commission_missed", "2025-05-01")],
    )
    rules = load_rules("renshe-xuanchuan")
    result = by_unit(score(data, rules, year=2025))
    assert result.loc["甲科", "score"] == 8
    assert result.loc["乙科", "score"] == 4
    book = ledger(data, rules, year=2025)
    void = book[(book["rule"] == "faults.void") & (book["record"] == "S3")]
    assert void["points"].sum() == -20
    from evalkit.scoring.awards import select_awards

    awards = select_awards(score(data, rules, year=2025), rules)
    assert set(awards.loc[awards["kind"] == "unit", "unit"]) == {"甲科", "乙科"}


# --------------------------------------------------------------------- 市政务信息工作考评办法 (第七条)


def test_shifu_weekly_quota_base_point_and_a_point_per_item_over():
    # "每周報送政務信息2篇以上。按時完成報送任務的,計基礎分1分;每超報1篇計1分;每漏報一次,扣除當期基礎分。"
    # 甲县, January 2025 by ISO week (weeks wholly inside January are judged):
    #   W02 (Jan 6 - 12): 2 items -> 1; W03 (Jan 13 - 19): 1 item -> 0 (no base point that week);
    #   W04 (Jan 20 - 26): 5 items -> 1 + 3 over = 4. 1 + 0 + 4 = 5.
    # 乙县: W02 3 items -> 1 + 1 = 2; W03, W04 none -> 0. 2.
    days = {"甲县": ["01-06", "01-09", "01-15", "01-20", "01-21", "01-22", "01-24", "01-26"],
            "乙县": ["01-07", "01-08", "01-12"]}  # fmt: skip
    data = make_dataset(
        units=TOWNS,
        items=[(f"{u}{k}", u, f"2025-{d}") for u, ds in days.items() for k, d in enumerate(ds)],
    )
    rules = load_rules("shifu-weekly")
    result = by_unit(score(data, rules, period="2025-01"))
    assert result["score"].to_dict() == {"甲县": 5, "乙县": 2}
    book = ledger(data, rules, period="2025-01")
    mine = book[book["unit"] == "甲县"]
    assert mine[["record", "rule", "points"]].values.tolist() == [
        ["2025-W02", "quota[0].base_points", 1.0],
        ["2025-W03", "quota[0].penalty", 0.0],
        ["2025-W04", "quota[0].base_points", 1.0],
        ["2025-W04", "quota[0].per_extra", 3.0],
    ]


def test_shifu_weekly_rank_bands_vary_the_quota_points(sample):
    # no adoption is priced: the default Monte Carlo ranges are the quota's base and per-item
    # points (+-20%), so the bands can be drawn for a quota-only rule set
    from evalkit.scoring.uncertainty import rank_bands

    bands = rank_bands(sample, "shifu-weekly", 2025, n_draws=50)
    assert len(bands) == len(sample.units)
    size = bands.groupby("group")["unit"].transform("size")
    assert (1 <= bands["rank_p05"]).all() and (bands["rank_p05"] <= bands["rank_median"]).all()
    assert (bands["rank_median"] <= bands["rank_p95"]).all() and (bands["rank_p95"] <= size).all()
