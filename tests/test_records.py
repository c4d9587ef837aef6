"""Instruction (批示) and forwarding (转报) records: from their files and from adoption columns."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.data.loading import load_frames

UNITS = pd.DataFrame({"单位名称": ["城关镇", "青石镇"], "组别": ["乡镇组", "乡镇组"]})
ITEMS = pd.DataFrame(
    {
        "编号": ["S1", "S2", "S3"],
        "报送单位": ["城关镇", "青石镇", "城关镇"],
        "标题": ["春耕", "防汛", "招商"],
        "报送时间": ["2025-03-01 09:00", "2025-03-02 09:00", "2025-03-03 09:00"],
    }
)
# S1: county (要情快报) then city; S2: county twice (two outlets); S3: never adopted
ADOPTIONS = {
    "编号": ["S1", "S1", "S2", "S2"],
    "采用级别": ["县级", "市级", "县级", "县级"],
    "采用刊物": ["要情快报", "市委信息", "要情快报", "专报"],
    "采用时间": ["2025-03-05", "2025-03-20", "2025-03-06", "2025-03-08"],
}


def _load(adoptions=None, instructions=None, forwardings=None, mapping=None):
    return load_frames(
        UNITS,
        ITEMS,
        pd.DataFrame(adoptions or ADOPTIONS),
        instructions=None if instructions is None else pd.DataFrame(instructions),
        forwardings=None if forwardings is None else pd.DataFrame(forwardings),
        mapping=mapping,
    )


def _issues(ds, table):
    found = ds.issues[ds.issues["table"] == table]
    return list(zip(found["severity"], found["row"], found["message"], strict=True))


def _reconciled(ds):
    counts = ds.counts.set_index("table")
    assert (counts["rows_read"] == counts[["loaded", "rejected", "blank_rows"]].sum(axis=1)).all()
    return counts


# ---------------------------------------------------------------- adoption columns


def test_an_adoption_cell_naming_two_leaders_gives_two_records_and_loads_the_row():
    ds = _load(
        ADOPTIONS | {"批示级别": ["", "市级", "", ""], "批示领导": ["", "市长、常务副市长", "", ""]}
    )
    assert len(ds.adoptions) == 4 and ds.errors.empty and ds.warnings.empty
    records = ds.instructions
    assert records["leader"].tolist() == ["市长", "常务副市长"]
    assert records["leader_level"].astype(str).tolist() == ["city", "city"]
    assert records["adoption_id"].tolist() == [1, 1]  # the S1 city adoption
    assert records["instructed_at"].tolist() == [pd.Timestamp("2025-03-20")] * 2
    assert records[["source", "row"]].values.tolist() == [["adoptions", 3], ["adoptions", 3]]
    assert ds.adoptions["instruction_level"].astype(str).tolist()[1] == "city"


def test_one_level_per_leader_pairs_them_in_order_and_tiers_are_accepted():
    ds = _load(
        ADOPTIONS
        | {
            "批示级别": ["", "市级、市委市政府秘书长", "", ""],
            "批示领导": ["", "市长、市政府副秘书长", "", ""],
        }
    )
    records = ds.instructions
    assert records[["leader_level", "leader"]].astype(str).values.tolist() == [
        ["city", "市长"],
        ["city_secretary", "市政府副秘书长"],
    ]
    # the adoption's own column keeps the administrative level: a secretary-general is city
    assert str(ds.adoptions.loc[1, "instruction_level"]) == "city"


def test_levels_and_leaders_that_do_not_pair_are_reported_not_guessed_and_the_row_loads():
    ds = _load(
        ADOPTIONS | {"批示级别": ["", "市级、省级", "", ""], "批示领导": ["", "甲、乙、丙", "", ""]}
    )
    assert len(ds.adoptions) == 4 and ds.errors.empty
    assert ds.instructions.empty
    ((severity, row, message),) = _issues(ds, "adoptions")
    assert (severity, row) == ("warning", 3)
    assert message.startswith("2 levels and 3 leaders") and "no instruction counted" in message


def test_an_unknown_instruction_level_in_adoptions_is_still_an_error_naming_the_expected():
    ds = _load(ADOPTIONS | {"批示级别": ["", "部级", "", ""]})
    ((severity, row, message),) = _issues(ds, "adoptions")
    assert (severity, row) == ("error", 3)
    assert "省级 (province)" in message and "市委市政府秘书长 (city_secretary)" in message


def test_a_mapping_for_instruction_level_still_applies_to_the_records():
    mapping = {"values": {"instruction_level": {"地委领导": "市级"}}}
    ds = _load(ADOPTIONS | {"批示级别": ["地委领导", "", "", ""]}, mapping=mapping)
    assert ds.instructions["leader_level"].astype(str).tolist() == ["city"]


def test_the_forwarded_to_column_of_adoptions_makes_forwarding_records():
    ds = _load(ADOPTIONS | {"转报": ["选用报省", "", "", "选报国办"]})
    assert ds.errors.empty
    records = ds.forwardings
    assert records[["submission_id", "to_level"]].astype(str).values.tolist() == [
        ["S1", "province"],
        ["S2", "national"],
    ]
    assert records["forwarded_at"].tolist() == [
        pd.Timestamp("2025-03-05"),
        pd.Timestamp("2025-03-08"),
    ]
    assert records["row"].tolist() == [2, 5]


# ---------------------------------------------------------------- the instructions file

INSTRUCTIONS = {
    "编号": ["S1", "S1", "S2", "S3", "S9", "S1", "S2"],
    "采用级别": ["", "县级", "县级", "", "", "省级", "县级"],
    "采用刊物": ["", "", "", "", "", "", "专报"],
    "批示级别": ["市领导", "县级", "县级", "市委市政府办公室领导", "市级", "省级", "县级"],
    "批示领导": ["市长、副市长", "县长", "县长", "市委办公室主任", "市长", "省长", "县委书记"],
    "批示时间": ["2025-03-25", "", "2025-03-10", "", "2025-03-10", "2025-04-01", "2025-03-12"],
}


@pytest.fixture(scope="module")
def filed():
    return _load(instructions=INSTRUCTIONS)


def test_every_instructions_row_is_loaded_or_rejected_with_its_reason(filed):
    counts = _reconciled(filed).loc["instructions"]
    assert (counts["rows_read"], counts["loaded"], counts["rejected"]) == (7, 5, 2)
    rejected = filed.rejected[filed.rejected["table"] == "instructions"]
    assert rejected["row"].tolist() == [6, 7]  # S9 unknown; S1 has no province adoption
    assert "no loaded submission has this id" in rejected["reason"].iloc[0]
    assert "no adoption at this level and outlet" in rejected["reason"].iloc[1]


def test_instructions_link_to_the_adoption_they_concern(filed):
    records = filed.instructions.set_index("row")
    # row 2: no level given: S1's highest adoption, the city one (adoption 1)
    assert records.loc[2, "adoption_id"].tolist() == [1, 1]
    assert records.loc[2, "leader"].tolist() == ["市长", "副市长"]  # one record per leader
    # row 3: the county adoption, dated as the adoption when the date is empty
    assert (records.loc[3, "adoption_id"], records.loc[3, "instructed_at"]) == (
        0,
        pd.Timestamp("2025-03-05"),
    )
    # row 4: S2 has two county adoptions: the first is taken; row 8 names the outlet 专报
    assert (records.loc[4, "adoption_id"], records.loc[8, "adoption_id"]) == (2, 3)
    # row 5: S3 was never adopted: no adoption, dated by its submission; a tier level
    assert pd.isna(records.loc[5, "adoption_id"])
    assert records.loc[5, "instructed_at"] == pd.Timestamp("2025-03-03 09:00")
    assert records.loc[5, "leader_level"] == "city_office"


def test_instruction_guesses_are_reported_as_warnings(filed):
    warnings = {row: message for severity, row, message in _issues(filed, "instructions")
                if severity == "warning"}  # fmt: skip
    # row 2 (S1, no level) is not a guess: S1 has one adoption at its highest level
    assert sorted(warnings) == [4, 5]
    assert warnings[4] == (
        "2 adoptions of the item at its highest level fit; taken as the first: "
        "县级《要情快报》 of 2025-03-06; give 采用刊物 to choose"
    )
    assert warnings[5] == "the item has no adoption: the instruction counts by its leader only"


def test_a_leader_listed_in_the_file_and_in_adoptions_is_reported_as_a_possible_double():
    ds = _load(
        ADOPTIONS | {"批示级别": ["", "市级", "", ""], "批示领导": ["", "市长", "", ""]},
        instructions={"编号": ["S1"], "批示级别": ["市级"], "批示领导": ["市长"]},
    )
    assert len(ds.instructions) == 2  # loaded: only the office knows if it is one or two
    ((severity, row, message),) = _issues(ds, "instructions")
    assert (severity, row) == ("warning", 2)
    assert message.startswith(
        "the same leader's instruction on this item is also in adoptions row 3"
    )


def test_a_missing_leader_level_rejects_the_instruction_row():
    ds = _load(instructions={"编号": ["S1"], "批示级别": [""], "批示领导": ["市长"]})
    assert ds.instructions.empty
    assert _reconciled(ds).loc["instructions", "rejected"] == 1


# ---------------------------------------------------------------- the forwardings file


def test_forwardings_are_validated_and_reconciled():
    ds = _load(
        forwardings={
            "编号": ["S1", "S1", "S2", "S9", "S3", "S1"],
            "转报级别": ["选用报省", "选报国办", "转报市", "报省", "报省长", "省级"],
            "转报时间": ["2025-03-06", "2025-03-21", "2025年3月7日", "2025-03-07", "2025-03-08", "2025-03-09"],
        }
    )  # fmt: skip
    counts = _reconciled(ds).loc["forwardings"]
    assert (counts["loaded"], counts["rejected"]) == (4, 2)
    assert ds.forwardings[["submission_id", "to_level"]].astype(str).values.tolist() == [
        ["S1", "province"],
        ["S1", "national"],
        ["S2", "city"],
        ["S1", "province"],
    ]
    issues = _issues(ds, "forwardings")
    errors = [(row, message) for severity, row, message in issues if severity == "error"]
    assert [row for row, _ in errors] == [5, 6]
    assert "expected one of 转报市 (city), 转报省 (province), 转报国家 (national)" in errors[1][1]
    (warning,) = [(row, message) for severity, row, message in issues if severity == "warning"]
    assert warning[0] == 7 and "counted once per item and level" in warning[1]
    assert "also in forwardings row 2" in warning[1]


def test_a_forwarding_before_the_item_was_submitted_is_a_warning():
    ds = _load(forwardings={"编号": ["S1"], "转报级别": ["报省"], "转报时间": ["2025-02-01"]})
    assert len(ds.forwardings) == 1
    ((severity, row, message),) = _issues(ds, "forwardings")
    assert (severity, row, message) == (
        "warning",
        2,
        "forwarded on a day before the item was submitted",
    )
