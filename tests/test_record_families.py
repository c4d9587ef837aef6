"""Hand-computed golden cases: points by level and category, per-category submission and
lateness points, leader instructions as records, and forwarding (转报).

Every expected figure is worked out in the comment beside it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.data.loading import load_frames
from evalkit.scoring.rules import Rules, RulesError
from evalkit.scoring.scorer import ledger, score

UNITS = pd.DataFrame({"单位名称": ["甲镇", "乙镇"], "组别": ["乡镇组", "乡镇组"]})
ITEMS = pd.DataFrame(
    {
        "编号": ["S1", "S2", "S3", "S4"],
        "报送单位": ["甲镇", "甲镇", "乙镇", "甲镇、乙镇"],
        "标题": ["春耕", "调研", "防汛", "合报"],
        "信息类别": ["常规", "调研", "常规", "常规"],
        "报送时间": [
            "2025-03-01 09:00",
            "2025-03-02 09:00",
            "2025-03-03 09:00",
            "2025-03-04 09:00",
        ],
    }
)
ADOPTIONS = pd.DataFrame(
    {
        "编号": ["S1", "S1", "S2", "S3", "S4"],
        "采用级别": ["市级", "省级", "市级", "县级", "省级"],
        "采用刊物": ["市政府专报", "决策参考", "市委信息", "要情快报", "决策参考"],
        "采用时间": ["2025-03-10", "2025-04-10", "2025-03-12", "2025-03-05", "2025-04-20"],
    }
)
# 市办采用 信息5/调研15; 省办15/20; 国办30/50; 县 5 for every category
POINTS = {"county": 5, "city": {"research": 15, "other": 5},
          "province": {"调研": 20, "其他": 15}, "national": {"research": 50, "other": 30}}  # fmt: skip


def _rules(**tables) -> Rules:
    return Rules.from_dict({"schema_version": 1, "name": "测试", "adoption": {"points": POINTS},
                            **tables})  # fmt: skip


def _data(instructions=None, forwardings=None, items=ITEMS):
    frame = None if instructions is None else pd.DataFrame(instructions)
    sent = None if forwardings is None else pd.DataFrame(forwardings)
    return load_frames(UNITS, items, ADOPTIONS, instructions=frame, forwardings=sent)


def _by_unit(scores: pd.DataFrame, column: str) -> dict:
    return dict(zip(scores["unit"], scores[column], strict=True))


def _rows(book: pd.DataFrame, prefix: str) -> list[tuple]:
    hit = book[book["rule"].str.startswith(prefix)]
    return list(hit[["unit", "record", "rule", "points"]].itertuples(index=False, name=None))


# ---------------------------------------------------------------- level x category


def test_adoption_points_by_level_and_category_together():
    ds, rules = _data(), _rules()
    scores = score(ds, rules)
    # 甲镇: S1 市级 常规 5 + S2 市级 调研 15 = 20 at the city; S1 省级 15 + S4 省级 15 = 30
    # 乙镇: S3 县级 5; S4 省级 15 (a joint item counts in full: adoption.joint = "full")
    assert _by_unit(scores, "points_city") == {"甲镇": 20, "乙镇": 0}
    assert _by_unit(scores, "points_province") == {"甲镇": 30, "乙镇": 15}
    assert _by_unit(scores, "points_county") == {"甲镇": 0, "乙镇": 5}
    rules_of = {(u, r, rule) for u, r, rule, _ in _rows(ledger(ds, rules), "adoption.")}
    assert ("甲镇", "S2", "adoption.points.city.research") in rules_of
    assert ("甲镇", "S1", "adoption.points.city.ordinary") in rules_of
    assert ("乙镇", "S3", "adoption.points.county") in rules_of  # a plain number keeps its key


def test_a_category_table_must_price_every_category():
    with pytest.raises(RulesError) as error:
        Rules.from_dict(
            {"schema_version": 1, "name": "x", "adoption": {"points": {"city": {"调研": 15}}}}
        )
    assert (
        "<dict>: adoption.points.city.ordinary: missing; expected points for this category, or other = points"
        in error.value.problems
    )
    with pytest.raises(
        RulesError, match=r"adoption.points.city.专报: unknown key; known keys: ordinary"
    ):
        Rules.from_dict(
            {"schema_version": 1, "name": "x", "adoption": {"points": {"city": {"专报": 1}}}}
        )


# ---------------------------------------------------------------- per-category submission and lateness

TIMED = pd.DataFrame(
    {
        "编号": ["U1", "U2", "C1", "C2", "O1"],
        "报送单位": ["甲镇", "甲镇", "乙镇", "乙镇", "乙镇"],
        "标题": ["火情", "车祸", "约稿一", "约稿二", "动态"],
        "信息类别": ["紧急", "紧急", "约稿", "约稿", "常规"],
        "事发时间": ["2025-03-01 09:00", "2025-03-02 09:00", "", "", ""],
        "报送时间": ["2025-03-01 10:00", "2025-03-02 12:00", "2025-03-09 09:00", "2025-03-12 09:00",
                 "2025-03-12 09:00"],
        "截止时间": ["", "", "2025-03-10 17:30", "2025-03-10 17:30", ""],
    }
)  # fmt: skip


def test_submission_points_and_lateness_penalties_by_category():
    # 约稿 2 per item; 紧急信息按时报送 +2; 紧急信息迟报 -2; 约稿逾期 -3
    rules = Rules.from_dict({
        "schema_version": 1, "name": "x",
        "submission": {"points": {"commissioned": 2, "other": 0}},
        "deadlines": {"urgent": {"hours": 2, "on_time": 2}, "commissioned": {"due_at": True}},
        "lateness": {"points": {"urgent": 2, "commissioned": 3, "other": 0}},
    })  # fmt: skip
    ds = load_frames(UNITS, TIMED, ADOPTIONS.iloc[:0])
    scores = score(ds, rules)
    # 甲镇: U1 on time (1 h) +2; U2 late (3 h) -2
    # 乙镇: C1 +2, C2 +2 and late -3; O1 (ordinary) 0
    assert _by_unit(scores, "points_submission") == {"甲镇": 2, "乙镇": 4}
    assert _by_unit(scores, "points_lateness") == {"甲镇": -2, "乙镇": -3}
    book = ledger(ds, rules)
    assert _rows(book, "deadlines.") == [("甲镇", "U1", "deadlines.urgent.on_time", 2.0)]
    assert _rows(book, "lateness.") == [("乙镇", "C2", "lateness.points.commissioned", -3.0),
                                        ("甲镇", "U2", "lateness.points.urgent", -2.0)]  # fmt: skip
    assert sorted(_rows(book, "submission.")) == [("乙镇", "C1", "submission.points.commissioned", 2.0),
                                                  ("乙镇", "C2", "submission.points.commissioned", 2.0)]  # fmt: skip


# ---------------------------------------------------------------- instructions

INSTRUCTIONS = {
    "编号": ["S1", "S1", "S2", "S2", "S3"],
    "采用级别": ["市级", "省级", "", "", ""],
    "批示级别": ["市级", "省级", "市委市政府秘书长", "市委市政府秘书长", "县级"],
    "批示领导": ["市长、常务副市长", "省长", "市委秘书长", "市政府副秘书长", "县长"],
    "批示时间": ["2025-03-15", "2025-04-15", "2025-03-20", "2025-03-21", "2025-03-08"],
    "批示类型": ["肯定性", "肯定性", "肯定性", "肯定性", "指示性"],
}
PER_LEADER = {
    "points": {"city": 10, "市委市政府秘书长": 5, "county": 8},
    "further": {"city": 5, "city_secretary": 3},
    "factor": {"province": 2},
    "kinds": ["肯定性"],
}


def test_instructions_per_leader_tier_and_multiple_of_the_items_points():
    ds, rules = _data(INSTRUCTIONS), _rules(instruction=PER_LEADER)
    scores = score(ds, rules)
    # 甲镇: S1 市长 (first 市领导) 10 + 常务副市长 (further) 5 + 省长 原分x2: (2 - 1) x 15 = 15;
    #       S2 市委秘书长 (first secretary) 5 + 市政府副秘书长 (further) 3; 10 + 5 + 15 + 5 + 3 = 38
    # 乙镇: S3 县长 is 指示性 and only 肯定性 counts: 0
    assert _by_unit(scores, "points_instruction") == {"甲镇": 38, "乙镇": 0}
    assert _rows(ledger(ds, rules), "instruction.") == [
        ("甲镇", "S1", "instruction.points.city", 10.0),
        ("甲镇", "S1", "instruction.further.city", 5.0),
        ("甲镇", "S1", "instruction.points.province", 0.0),
        ("甲镇", "S1", "instruction.factor.province", 15.0),
        ("甲镇", "S2", "instruction.points.city_secretary", 5.0),
        ("甲镇", "S2", "instruction.further.city_secretary", 3.0),
    ]


def test_once_per_level_by_outlet_and_the_highest_factor_only():
    # 同级多次批示不重复计分 (further 0); 《市政府专报》上的批示 20; 省 x2 and 国 x3: only x3 counts
    rules = _rules(instruction={"points": {"city": 10}, "further": {"city": 0},
                                "outlets": {"市政府专报": 20}, "factor": {"province": 2, "national": 3}})  # fmt: skip
    ds = _data({"编号": ["S1", "S1", "S1"], "采用级别": ["市级", "省级", "省级"],
                "批示级别": ["市级", "省级", "国家级"], "批示领导": ["市长、副市长", "省长", "国务院领导"]})  # fmt: skip
    book = ledger(ds, rules)
    # 市长: first at the city, in 《市政府专报》: 20; 副市长: further 0
    # on the province adoption (15): 省长 x2 and 国务院领导 x3, the highest: (3 - 1) x 15 = 30
    assert _rows(book, "instruction.") == [
        ("甲镇", "S1", "instruction.outlets.市政府专报", 20.0),
        ("甲镇", "S1", "instruction.further.city", 0.0),
        ("甲镇", "S1", "instruction.points.province", 0.0),
        ("甲镇", "S1", "instruction.points.national", 0.0),
        ("甲镇", "S1", "instruction.factor.national", 30.0),
    ]
    assert _by_unit(score(ds, rules), "points_instruction") == {"甲镇": 50, "乙镇": 0}


def test_an_adoption_columns_instruction_naming_two_leaders_scores_two():
    adoptions = ADOPTIONS.assign(
        批示级别=["市级", "", "", "", ""], 批示领导=["市长、常务副市长", "", "", "", ""]
    )
    ds = load_frames(UNITS, ITEMS, adoptions)
    rules = _rules(instruction={"points": {"city": 10}, "further": {"city": 5}})
    # 市长 10 (first), 常务副市长 5 (further), both on the city adoption of 10 March
    assert _by_unit(score(ds, rules), "points_instruction") == {"甲镇": 15, "乙镇": 0}
    assert _by_unit(score(ds, rules, period="2025-02"), "points_instruction") == {
        "甲镇": 0,
        "乙镇": 0,
    }


def test_instruction_rules_are_validated_naming_the_key():
    with pytest.raises(RulesError) as error:
        _rules(instruction={"factor": {"province": 0.5}, "kinds": ["表扬性", "口头"],
                            "further": {"部级": 1}, "outlets": {"专报": "二十"}})  # fmt: skip
    problems = "\n".join(error.value.problems)
    assert "instruction.factor.province = 0.5: expected a number >= 1" in problems
    assert 'instruction.kinds[1] = "口头": expected one of "affirmative", "directive"' in problems
    assert "instruction.further.部级: unknown key" in problems
    assert 'instruction.outlets.专报 = "二十": expected a number >= 0' in problems


# ---------------------------------------------------------------- forwarding

FORWARDINGS = {
    "编号": ["S1", "S3", "S3", "S4"],
    "转报级别": ["选用报省", "选报国办", "报国办", "选用报省"],
    "转报时间": ["2025-03-11", "2025-03-06", "2025-03-07", "2025-03-05"],
}


def test_forwarding_points_without_adoption_and_a_multiplier_on_items_that_went_up():
    # 选用报省 2, 选报国办 10; 转报省 x2
    rules = _rules(forwarding={"points": {"province": 2, "national": 10}, "factor": {"转报省": 2}},
                   adoption={"points": POINTS, "joint": "split"})  # fmt: skip
    ds = _data(forwardings=FORWARDINGS)
    scores = score(ds, rules)
    # 甲镇 at the province: S1 adopted 15 + forwarded 2 + (2 - 1) x 15 = 32;
    #                      S4 (joint, split 1/2): adopted 7.5 + forwarded 1 + 7.5 = 16; 48 in all
    # 乙镇: S4 the other half, 16; S3 forwarded to 国办 twice, counted once: 10, not adopted
    assert _by_unit(scores, "points_province") == {"甲镇": 48, "乙镇": 16}
    assert _by_unit(scores, "points_national") == {"甲镇": 0, "乙镇": 10}
    assert _rows(ledger(ds, rules), "forwarding.") == [
        ("乙镇", "S4", "forwarding.points.province", 1.0),
        ("乙镇", "S4", "forwarding.factor.province", 7.5),
        ("乙镇", "S3", "forwarding.points.national", 10.0),  # the national component comes after
        ("甲镇", "S1", "forwarding.points.province", 2.0),
        ("甲镇", "S1", "forwarding.factor.province", 15.0),
        ("甲镇", "S4", "forwarding.points.province", 1.0),
        ("甲镇", "S4", "forwarding.factor.province", 7.5),
    ]
    # the forwarding lands on its date, the multiplier on the adoption's
    march = score(ds, rules, period="2025-03")
    assert _by_unit(march, "points_province") == {"甲镇": 3, "乙镇": 1}
