"""Values never changed silently: duplicates, repeated headers, invisible characters, long
numbers, year typos and bad optional fields (issue 10, class 2).

Each case breaks one thing in the small valid folder of ``test_bad_inputs`` and is
checked by the same assertion: the exact issues (severity, file, row, column, value,
message), the rows loaded and read per table, and that every row read is loaded or
rejected.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from test_bad_inputs import FULL, E, W, edit, valid_tables, write_folder
from test_bad_inputs import test_bad_input as assert_bad_input

import evalkit
from evalkit.cli import main
from evalkit.data._dataset import main_years

CASES = []


def case(*issues, loaded=None, read=None, check=None):
    def register(make):
        CASES.append(
            pytest.param(
                make, issues, FULL | (loaded or {}), FULL | (read or {}), check, id=make.__name__
            )
        )
        return make

    return register


# ---------------------------------------------------------------- exact duplicates


@case(
    E("adoptions.csv", 6, "submission_id (编号)", "S1", "an exact duplicate of row 2"),
    read={"adoptions": 5},
    check=lambda ds: ds.adoptions["submission_id"].tolist() == ["S1", "S2", "S3", "S4"],
)
def duplicate_adoption_row(folder):
    tables = valid_tables()
    tables["adoptions"].append(list(tables["adoptions"][1]))
    write_folder(folder, tables)


@case(
    E("adoptions.csv", 6, "submission_id (编号)", "S2", "an exact duplicate of row 3"),
    read={"adoptions": 5},
)
def duplicate_adoption_row_differing_only_in_spaces(folder):
    tables = valid_tables()
    copy = list(tables["adoptions"][2])
    copy[2] = " 政务信息　"  # trailing ideographic space: the same outlet once trimmed
    tables["adoptions"].append(copy)
    write_folder(folder, tables)


@case(read={"adoptions": 5}, loaded={"adoptions": 5})
def two_adoptions_of_one_item_that_differ_load_both(folder):
    tables = valid_tables()
    copy = list(tables["adoptions"][1])
    copy[3] = "简讯"  # same item, same day, another type: two records, not a copy
    tables["adoptions"].append(copy)
    write_folder(folder, tables)


@case(
    E("submissions.xlsx", 7, "submission_id (编号)", "S5", "an exact duplicate of row 6"),
    read={"submissions": 6},
)
def duplicate_submission_row(folder):
    tables = valid_tables()
    tables["submissions"].append(list(tables["submissions"][5]))
    write_folder(folder, tables)


@case(
    E("faults.xlsx", 4, "unit (单位)", "东山镇", "an exact duplicate of row 2"),
    read={"faults": 3},
    check=lambda ds: ds.faults["unit"].tolist() == ["东山镇", "县教育局"],
)
def duplicate_fault_row(folder):
    tables = valid_tables()
    tables["faults"].append(list(tables["faults"][1]))
    write_folder(folder, tables)


# ---------------------------------------------------------------- repeated header rows


@case(
    W("submissions.xlsx", 4, "submission_id (编号)", "编号", "a repeated header row"),
    read={"submissions": 6},
    check=lambda ds: ds.submissions["submission_id"].tolist() == ["S1", "S2", "S3", "S4", "S5"],
)
def repeated_header_row_in_submissions(folder):
    tables = valid_tables()
    tables["submissions"].insert(3, list(tables["submissions"][0]))
    write_folder(folder, tables)


@case(
    W("units.csv", 6, "unit (单位名称)", "单位名称", "not a record, not loaded"),
    read={"units": 5},
    check=lambda ds: "单位名称" not in set(ds.units["unit"]),
)
def repeated_header_row_in_units(folder):
    tables = valid_tables()
    tables["units"].append(list(tables["units"][0]))
    write_folder(folder, tables)


@case(
    W("adoptions.csv", 3, "submission_id (编号)", "信息编号", "a repeated header row"),
    read={"adoptions": 5},
)
def repeated_header_row_in_other_spellings(folder):
    tables = valid_tables()
    tables["adoptions"].insert(2, ["信息编号", "级别", "刊物", "采用类型", "采用日期", "批示层级"])
    write_folder(folder, tables)


# ---------------------------------------------------------------- invisible characters


@case(
    W("units.csv", 2, "unit (单位名称)", "城关镇<U+200B>", "(U+200B): read as 城关镇"),
    check=lambda ds: (
        sorted(ds.units["unit"]) == sorted(["城关镇", "东山镇", "县教育局", "县农业农村局"])
    ),
)
def zero_width_space_in_a_unit_name(folder):
    tables = valid_tables()
    edit(tables, "units", 2, "单位名称", "城关镇\u200b")
    write_folder(folder, tables)


@case(
    W(
        "submissions.xlsx",
        3,
        "units (报送单位)",
        "城关<U+200B>镇、东山镇",
        "read as 城关镇、东山镇",
    ),
    check=lambda ds: (
        ds.submissions.set_index("submission_id").loc["S2", "units"] == "城关镇、东山镇"
    ),
)
def zero_width_space_inside_a_joint_item(folder):
    tables = valid_tables()
    edit(tables, "submissions", 3, "报送单位", "城关\u200b镇、东山镇")
    write_folder(folder, tables)


@case(
    W("submissions.xlsx", 2, "informants (信息员)", "张<U+FEFF>三", "(U+FEFF): read as 张三"),
    check=lambda ds: set(ds.submission_informants["informant"]) == {"张三", "李四", "王五"},
)
def byte_order_mark_inside_an_informant(folder):
    tables = valid_tables()
    edit(tables, "submissions", 2, "信息员", "张\ufeff三")
    write_folder(folder, tables)


@case(
    W("faults.xlsx", 2, "unit (单位)", "东山<U+00A0>镇<U+00A0>", "(U+00A0): read as 东山 镇"),
    check=lambda ds: ds.faults["unit"].tolist() == ["东山镇", "县教育局"],
)
def no_break_space_inside_a_unit_in_faults(folder):
    tables = valid_tables()
    edit(tables, "faults", 2, "单位", "东山\u00a0镇\u00a0")
    write_folder(folder, tables)


@case(
    E("units.csv", 6, "unit (单位名称)", "城关 镇", "duplicate unit name; first listed in row 2"),
    W("units.csv", 6, "unit (单位名称)", "城关<U+3000>镇", "(U+3000): read as 城关 镇"),
    read={"units": 5},
)
def full_width_space_makes_no_second_unit(folder):
    tables = valid_tables()
    tables["units"].append(["城关\u3000镇", "乡镇组", None, None, None])
    write_folder(folder, tables)


# ---------------------------------------------------------------- names and numbers


@case(
    E("units.csv", 6, "unit (单位名称)", "河口镇、西山镇", "cannot contain 、"),
    read={"units": 5},
)
def unit_name_with_a_list_separator(folder):
    tables = valid_tables()
    tables["units"].append(["河口镇、西山镇", "乡镇组", None, None, None])
    write_folder(folder, tables)


@case(
    W("submissions.xlsx", 2, "submission_id (编号)", "10000000000000000", "16 or more digits"),
    check=lambda ds: (
        ds.adoptions["submission_id"].iloc[0] == "10000000000000000"
        and "10000000000000000" in set(ds.submissions["submission_id"])
    ),
)
def numeric_id_of_17_digits_keeps_its_digits(folder):
    tables = valid_tables()
    edit(tables, "submissions", 2, "编号", 1e16)
    edit(tables, "adoptions", 2, "编号", "10000000000000000")
    write_folder(folder, tables)


@case(
    check=lambda ds: (
        ds.submissions["submission_id"].iloc[0] == "2025031"
        and ds.adoptions["submission_id"].iloc[0] == "2025031"
    ),
)
def numeric_id_as_a_number_cell_matches_its_text(folder):
    tables = valid_tables()
    edit(tables, "submissions", 2, "编号", 2025031)
    edit(tables, "adoptions", 2, "编号", "2025031")
    write_folder(folder, tables)


@case(
    W("adoptions.csv", 2, "submission_id (编号)", "1E+16", "scientific notation"),
    E("adoptions.csv", 2, "submission_id (编号)", "1E+16", "no loaded submission has this id"),
    loaded={"adoptions": 3},
)
def id_in_scientific_notation_in_a_csv(folder):
    tables = valid_tables()
    edit(tables, "adoptions", 2, "编号", "1E+16")
    write_folder(folder, tables)


# ---------------------------------------------------------------- years


@case(
    E(
        "submissions.xlsx",
        6,
        "submitted_at (报送时间)",
        "2052-03-20 16:00:00",
        "year 2052 is outside the years of the data (2025; 2024-2026 accepted)",
        rejects_row=False,
    ),
    check=lambda ds: ds.default_year == 2025 and ds.years == [2025, 2052],
)
def year_typo_2052_in_a_submission(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "报送时间", datetime(2052, 3, 20, 16))
    write_folder(folder, tables)


@case(
    E("adoptions.csv", 4, "adopted_at (采用时间)", "1900-03-15", "year 1900", rejects_row=False),
    W("adoptions.csv", 4, "adopted_at (采用时间)", "1900-03-15", "a day before the item"),
)
def year_typo_1900_in_an_adoption(folder):
    tables = valid_tables()
    edit(tables, "adoptions", 4, "采用时间", "1900-03-15")
    write_folder(folder, tables)


@case(
    E(
        "faults.xlsx",
        3,
        "occurred_at (日期)",
        "2099-03-31",
        "year 2099",
        rejects_row=False,
    ),
)
def year_typo_2099_in_a_fault(folder):
    tables = valid_tables()
    edit(tables, "faults", 3, "日期", datetime(2099, 3, 31))
    write_folder(folder, tables)


@case(
    E("submissions.xlsx", 5, "due_at (截止时间)", "2205-03-15", "year 2205", rejects_row=False),
)
def year_typo_in_a_due_date(folder):
    tables = valid_tables()
    edit(tables, "submissions", 5, "截止时间", "2205-03-15")
    write_folder(folder, tables)


@case()
def december_items_of_the_year_before_are_plausible(folder):
    tables = valid_tables()
    edit(tables, "submissions", 2, "报送时间", datetime(2024, 12, 30, 9))
    edit(tables, "adoptions", 2, "采用时间", "2025-01-03")
    write_folder(folder, tables)


# ---------------------------------------------------------------- bad optional fields


def _education_bureau_items_loaded(ds):
    return ds.submission_units["unit"].value_counts().get("县教育局") == 2


@case(
    E("units.csv", 4, "quota (年度任务数)", "-5", "whole number from 0 to", rejects_row=False),
    check=lambda ds: (
        _education_bureau_items_loaded(ds)
        and pd.isna(ds.units.set_index("unit").loc["县教育局", "quota"])
    ),
)
def negative_quota_keeps_the_units_items(folder):
    tables = valid_tables()
    edit(tables, "units", 4, "年度任务数", "-5")
    write_folder(folder, tables)


@case(
    E("units.csv", 4, "group (组别)", "", "the unit loads in group 未分组", rejects_row=False),
    check=lambda ds: (
        _education_bureau_items_loaded(ds)
        and ds.units.set_index("unit").loc["县教育局", "group"] == "未分组"
        and ds.adoptions["submission_id"].tolist() == ["S1", "S2", "S3", "S4"]
    ),
)
def missing_group_keeps_the_units_items(folder):
    tables = valid_tables()
    edit(tables, "units", 4, "组别", None)
    write_folder(folder, tables)


def test_a_unit_without_a_group_is_ranked_alone_with_allow_errors(tmp_path, capsys):
    tables = valid_tables()
    edit(tables, "units", 4, "组别", None)
    folder = write_folder(tmp_path / "data", tables)
    assert main(["score", str(folder), "--out", str(tmp_path / "o")]) == 2
    assert main(["score", str(folder), "--out", str(tmp_path / "o"), "--allow-errors"]) == 0
    scores = pd.read_csv(tmp_path / "o" / "units_2025.csv")
    row = scores[scores["unit"] == "县教育局"].iloc[0]
    assert row["group"] == "未分组" and row["rank"] == 1


@pytest.mark.parametrize("make, expected, loaded, read, check", CASES)
def test_bad_value(tmp_path, make, expected, loaded, read, check):
    assert_bad_input(tmp_path, make, expected, loaded, read, check)


# ---------------------------------------------------------------- the default year


def test_main_years_leave_out_typos_and_stray_rows():
    assert main_years(pd.Series([2025] * 50 + [2026])) == [2025]
    assert main_years(pd.Series([2025] * 4 + [2052])) == [2025]
    assert main_years(pd.Series([2023] * 30 + [2024] * 40 + [2025] * 35 + [1900])) == [
        2023,
        2024,
        2025,
    ]
    assert main_years(pd.Series([2025] * 10 + [2026] * 3)) == [2025, 2026]
    assert main_years(pd.Series([], dtype=float)) == []


def _items_in(tables, year: int, n: int, start: int = 10) -> None:
    for i in range(n):
        tables["submissions"].append(
            [
                f"T{start + i}",
                "城关镇",
                "张三",
                f"第{i}条动态",
                "常规",
                None,
                datetime(year, 1 + i % 12, 5, 9),
                None,
            ]  # fmt: skip
        )


def test_score_ranks_the_year_with_a_real_share_not_one_stray_row(tmp_path, capsys):
    tables = valid_tables()
    _items_in(tables, 2025, 20)
    _items_in(tables, 2026, 1, start=100)  # one item of the new year, typed early
    folder = write_folder(tmp_path / "data", tables)
    out = tmp_path / "out"
    assert main(["score", str(folder), "--out", str(out)]) == 0
    assert (out / "units_2025.csv").exists() and not (out / "units_2026.csv").exists()
    assert evalkit.load(folder).years == [2025, 2026]
