"""Malformed inputs: each case breaks one thing in a small valid data folder.

Every case asserts the exact issues reported (severity, file, row as Excel
numbers it, column, value, message), that the rows it does not touch still
load, and that every row read is either loaded or rejected.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pandas as pd
import pytest

import evalkit
from evalkit.cli import main

# ---------------------------------------------------------------- the valid folder

VALID = {
    "units": [
        ["单位名称", "组别", "类别", "曾用名", "年度任务数"],
        ["城关镇", "乡镇组", None, "城关乡", "100"],
        ["东山镇", "乡镇组", None, None, "80"],
        ["县教育局", "部门组", "一类", "县教委", "60"],
        ["县农业农村局", "部门组", "二类", "县农业局、县农委", "40"],
    ],
    "submissions": [
        ["编号", "报送单位", "信息员", "标题", "信息类别", "事发时间", "报送时间", "截止时间"],
        [
            "S1",
            "城关镇",
            "张三",
            "城关镇春耕备耕有序推进",
            "常规",
            None,
            datetime(2025, 3, 5, 9),
            None,
        ],
        [
            "S2",
            "城关镇、东山镇",
            "张三、李四",
            "两镇联合开展防汛演练",
            "紧急",
            datetime(2025, 3, 6, 8),
            datetime(2025, 3, 6, 9, 30),
            None,
        ],
        [
            "S3",
            "东山镇",
            "李四",
            "东山镇乡村振兴调研报告",
            "调研",
            None,
            datetime(2025, 3, 10, 10),
            None,
        ],
        [
            "S4",
            "县教育局",
            "王五",
            "县教育局落实课后服务情况",
            "约稿",
            None,
            datetime(2025, 3, 12, 15),
            datetime(2025, 3, 15),
        ],
        [
            "S5",
            "县教育局",
            "王五",
            "开学安全检查全覆盖",
            "常规",
            None,
            datetime(2025, 3, 20, 16),
            None,
        ],
    ],
    "adoptions": [
        ["编号", "采用级别", "采用刊物", "采用方式", "采用时间", "批示级别"],
        ["S1", "县级", "要情快报", "单篇", "2025-03-07", None],
        ["S2", "市级", "政务信息", "综合", "2025-03-08", None],
        ["S3", "省级", "专报", "单篇", "2025-03-15", "省级"],
        ["S4", "县级", "要情快报", "简讯", "2025-03-16", None],
    ],
    "faults": [
        ["单位", "类型", "日期", "编号", "说明"],
        ["东山镇", "迟报", datetime(2025, 3, 6), "S2", "续报晚于规定时限"],
        ["县教育局", "约稿未完成", datetime(2025, 3, 31), None, "三月约稿未报送"],
    ],
}
FORMATS = {"units": "csv", "submissions": "xlsx", "adoptions": "csv", "faults": "xlsx"}
FULL = {"units": 4, "submissions": 5, "adoptions": 4, "faults": 2}


def valid_tables() -> dict[str, list[list]]:
    """A fresh copy of the valid tables: a header row, then one list per record."""
    return copy.deepcopy(VALID)


def edit(tables: dict, table: str, row: int, header: str, value) -> None:
    """Set the cell of ``header`` in ``row`` (as Excel numbers it: the header is row 1)."""
    tables[table][row - 1][tables[table][0].index(header)] = value


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> None:
    """Write rows as CSV text, as Excel does (empty cells empty, datetimes as text)."""
    frame = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    path.write_bytes(frame.to_csv(index=False).encode(encoding))


def write_xlsx(path: Path, rows: list[list]) -> None:
    """Write rows to the first sheet; text stays text even when it starts with '='."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    book.save(path)


def write_folder(folder: Path, tables: dict | None = None, formats: dict | None = None) -> Path:
    """Write ``tables`` (default: the valid ones) as units.csv, submissions.xlsx, ..."""
    tables = valid_tables() if tables is None else tables
    formats = FORMATS | (formats or {})
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        writer = write_xlsx if formats[table] == "xlsx" else write_csv
        writer(folder / f"{table}.{formats[table]}", rows)
    return folder


def rewrite_zip(path: Path, change) -> None:
    """Rewrite the zip archive at ``path``, passing each member through ``change(name, data)``."""
    with zipfile.ZipFile(path) as archive:
        members = [(name, archive.read(name)) for name in archive.namelist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, change(name, data))


# lol9 expands to 10**9 "lol"s: each entity is ten of the one before.
ENTITIES = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{(f"&lol{i - 1};") * 10}">' for i in range(1, 10)
)
BILLION_LAUGHS = f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [{ENTITIES}]>'


def entity_xlsx(path: Path) -> None:
    """Put a billion-laughs DTD in the sheet XML and use the entity in a cell."""
    write_xlsx(path, VALID["faults"])

    def change(name, data):
        if name != "xl/worksheets/sheet1.xml":
            return data
        xml = data.decode("utf-8").replace("续报晚于规定时限", "&lol9;")
        return (BILLION_LAUGHS + xml[xml.index("<worksheet") :]).encode("utf-8")

    rewrite_zip(path, change)


# ---------------------------------------------------------------- the cases


class Issue(NamedTuple):
    severity: str
    file: str  # the file's name; for a folder-level issue the folder's name
    row: int | None  # as Excel numbers it; None for a file-level issue
    column: str
    value: str
    message: str  # a part of the message
    rejects_row: bool = True  # an error on a data row rejects that row


CASES = []


def case(*issues: Issue, loaded: dict | None = None, read: dict | None = None, check=None):
    """Register a malformation: the function writes the folder, the arguments say what to expect.

    ``loaded`` and ``read`` give the loaded rows and the data rows read per table when
    they differ from the valid folder's; ``check(dataset)`` makes further assertions.
    """

    def register(make):
        expected_read = FULL | (read or {})
        CASES.append(
            pytest.param(
                make, issues, FULL | (loaded or {}), expected_read, check, id=make.__name__
            )
        )
        return make

    return register


def E(file, row, column, value, message, rejects_row=True):
    return Issue("error", file, row, column, value, message, rejects_row)


def W(file, row, column, value, message):
    return Issue("warning", file, row, column, value, message, False)


@case(
    E("adoptions.csv", 1, "adopted_at (采用时间)", "", "required column adopted_at", False),
    loaded={"adoptions": 0},
)
def missing_required_column(folder):
    tables = valid_tables()
    tables["adoptions"] = [row[:4] + row[5:] for row in tables["adoptions"]]
    write_folder(folder, tables)


@case(
    E(
        "submissions.xlsx",
        6,
        "units (报送单位)",
        "县教体局",
        "unknown unit 县教体局; closest known: 县教育局",
    ),
    loaded={"submissions": 4},
)
def unknown_unit(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "报送单位", "县教体局")
    write_folder(folder, tables)


@case(
    E(
        "submissions.xlsx",
        6,
        "units (报送单位)",
        "县教育局；西山镇",
        "unknown unit 西山镇; closest known: 东山镇",
    ),
    loaded={"submissions": 4},
)
def unknown_unit_in_joint_item(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "报送单位", "县教育局；西山镇")
    write_folder(folder, tables)


@case(
    E("submissions.xlsx", 6, "submission_id (编号)", "S4", "duplicate id; first used in row 5"),
    loaded={"submissions": 4},
)
def duplicate_submission_id(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "编号", "S4")
    write_folder(folder, tables)


@case(
    E("adoptions.csv", 6, "submission_id (编号)", "S9", "no loaded submission has this id"),
    read={"adoptions": 5},
)
def adoption_of_unknown_submission(folder):
    tables = valid_tables()
    tables["adoptions"].append(["S9", "县级", "要情快报", "单篇", "2025-03-20", None])
    write_folder(folder, tables)


@case(
    E("adoptions.csv", 4, "submission_id (编号)", "S3", "its submission row was rejected"),
    E("submissions.xlsx", 4, "submitted_at (报送时间)", "2025-13-45", "not a date"),
    loaded={"submissions": 4, "adoptions": 3},
)
def adoption_of_rejected_submission(folder):
    tables = valid_tables()
    edit(tables, "submissions", 4, "报送时间", "2025-13-45")
    write_folder(folder, tables)


@case(
    E("submissions.xlsx", 6, "submitted_at (报送时间)", "2025-03-32 16:00", "not a date"),
    loaded={"submissions": 4},
)
def unparseable_date(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "报送时间", "2025-03-32 16:00")
    write_folder(folder, tables)


# A cell of separators only names no one: the item's units (an error: it would be credited
# to no unit, and `check` stopped with an internal error), its informants (read as empty)
@case(
    E("submissions.xlsx", 3, "units (报送单位)", ",,,", "no name in the cell, only separators"),
    W("submissions.xlsx", 4, "informants (信息员)", "、", "only separators (、 , ; ， ；); read as empty"),
    E("adoptions.csv", 3, "submission_id (编号)", "S2", "its submission row was rejected"),
    W("faults.xlsx", 2, "submission_id (编号)", "S2", "no loaded submission has this id"),
    loaded={"submissions": 4, "adoptions": 3},
    check=lambda ds: "S3" in set(ds.submissions["submission_id"])
    and "S3" not in set(ds.submission_informants["submission_id"]),
)  # fmt: skip
def separators_only(folder):
    tables = valid_tables()
    edit(tables, "submissions", 3, "报送单位", ",,,")
    edit(tables, "submissions", 4, "信息员", "、")
    write_folder(folder, tables)


# The totals row an export puts under its data (a subtotal under each group): not a record.
# A unit named 合计 loaded in no group, and the submissions' one was an error of empty cells.
TOTALS = "a totals row (合计, 总计, 小计 ...), not a record: not loaded"


@case(
    W("units.csv", 6, "unit (单位名称)", "合计", TOTALS),
    W("submissions.xlsx", 7, "submission_id (编号)", "小  计", TOTALS),
    W("adoptions.csv", 6, "submission_id (编号)", "Total:", TOTALS),
    read={"units": 5, "submissions": 6, "adoptions": 5},
    check=lambda ds: (
        (ds.rejected["reason"].str.count("totals row") == 1).all() and len(ds.rejected) == 3
    ),
)
def totals_rows(folder):
    tables = valid_tables()
    tables["units"].append(["合计", None, None, None, "200"])
    tables["submissions"].append(["小  计", None, None, "共5条", None, None, None, None])
    tables["adoptions"].append(["Total:", None, None, None, None, None])
    write_folder(folder, tables)
    book = openpyxl.load_workbook(folder / "submissions.xlsx")
    book.active.merge_cells("A7:C7")  # as offices merge 小计 across the first cells: no error
    book.save(folder / "submissions.xlsx")


# A date that is a date but cannot be kept (timestamps hold 1677-09-21 .. 2262-04-11): an
# error naming it, not a crash (the fuzzer's 9999-12-31 stopped `check` with exit 1)
FAR = "a date outside the years evalkit can hold (1678-2261)"


@case(
    E("submissions.xlsx", 6, "submitted_at (报送时间)", "9999-12-31", FAR),
    E("adoptions.csv", 3, "adopted_at (采用时间)", "1600年1月1日", FAR),
    loaded={"submissions": 4, "adoptions": 3},
)
def date_out_of_range(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "报送时间", "9999-12-31")
    edit(tables, "adoptions", 3, "采用时间", "1600年1月1日")
    write_folder(folder, tables)


@case(
    E("submissions.xlsx", 6, "submitted_at (报送时间)", "", "required value is empty"),
    loaded={"submissions": 4},
)
def empty_required_value(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "报送时间", None)
    write_folder(folder, tables)


@case(
    E("submissions.xlsx", 6, "event_at (事发时间)", "2025-03-21 08:00:00", "after the submission"),
    loaded={"submissions": 4},
)
def event_after_submission(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "事发时间", datetime(2025, 3, 21, 8))
    write_folder(folder, tables)


@case(
    E("adoptions.csv", 5, "level (采用级别)", "乡级", "expected one of 县级 (county), 市级 (city)"),
    loaded={"adoptions": 3},
)
def unknown_enumeration_value(folder):
    tables = valid_tables()
    edit(tables, "adoptions", 5, "采用级别", "乡级")
    write_folder(folder, tables)


@case(
    E("adoptions.csv", 3, "adoption_type (采用方式)", "转载", "综合 (combined)"),
    E("adoptions.csv", 4, "instruction_level (批示级别)", "部级", "省级 (province)"),
    loaded={"adoptions": 2},
)
def unknown_adoption_type_and_instruction_level(folder):
    tables = valid_tables()
    edit(tables, "adoptions", 3, "采用方式", "转载")
    edit(tables, "adoptions", 4, "批示级别", "部级")
    write_folder(folder, tables)


@case(
    E("faults.xlsx", 3, "kind (类型)", "通报批评", "迟报 (late)"),
    loaded={"faults": 1},
)
def unknown_fault_kind(folder):
    tables = valid_tables()
    edit(tables, "faults", 3, "类型", "通报批评")
    write_folder(folder, tables)


@case(
    E("faults.xlsx", 2, "unit (单位)", "东山乡", "unknown unit 东山乡; closest known: 东山镇"),
    loaded={"faults": 1},
)
def unknown_unit_in_faults(folder):
    tables = valid_tables()
    edit(tables, "faults", 2, "单位", "东山乡")
    write_folder(folder, tables)


@case(
    W("faults.xlsx", 3, "submission_id (编号)", "S9", "no loaded submission has this id"),
)
def fault_of_unknown_submission(folder):
    tables = valid_tables()
    edit(tables, "faults", 3, "编号", "S9")
    write_folder(folder, tables)


@case(
    E("units.csv", 6, "unit (单位名称)", "东山镇", "duplicate unit name; first listed in row 3"),
    read={"units": 5},
)
def duplicate_unit(folder):
    tables = valid_tables()
    tables["units"].append(["东山镇", "乡镇组", None, None, None])
    write_folder(folder, tables)


@case(
    E(
        "units.csv",
        5,
        "aliases (曾用名)",
        "县农业局、东山镇",
        "also a unit's name or another unit's alias: 东山镇 not used as an alias",
        rejects_row=False,
    ),
    check=lambda ds: (
        ds.aliases.set_index("alias")["unit"].get("县农业局") == "县农业农村局"
        and "东山镇" not in set(ds.aliases["alias"])
    ),
)
def alias_that_is_another_units_name(folder):
    tables = valid_tables()
    edit(tables, "units", 5, "曾用名", "县农业局、东山镇")
    write_folder(folder, tables)


@case(
    E("units.csv", 5, "quota (年度任务数)", "四十", "loads without a quota", rejects_row=False),
    check=lambda ds: pd.isna(ds.units.set_index("unit").loc["县农业农村局", "quota"]),
)
def quota_not_a_number(folder):
    tables = valid_tables()
    edit(tables, "units", 5, "年度任务数", "四十")
    write_folder(folder, tables)


@case(
    E("faults.csv", None, "", "", "the file is empty (0 bytes)"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def empty_file(folder):
    write_folder(folder, {k: v for k, v in valid_tables().items() if k != "faults"})
    (folder / "faults.csv").write_bytes(b"")


@case(
    W("adoptions.csv", None, "", "", "header but no data rows"),
    loaded={"adoptions": 0},
    read={"adoptions": 0},
)
def header_only_file(folder):
    tables = valid_tables()
    tables["adoptions"] = tables["adoptions"][:1]
    write_folder(folder, tables)


@case(
    E("adoptions.csv", None, "", "", "no header row found in the first 10 rows"),
    loaded={"adoptions": 0},
    read={"adoptions": 0},
)
def no_header_row(folder):
    write_folder(folder)
    (folder / "adoptions.csv").write_text("S1,县级,2025-03-07\nS2,市级,2025-03-08\n")


@case(
    E("units.csv", 6, "unit (单位名称)", "东山镇", "first listed in row 3"),
    read={"units": 5},
    check=lambda ds: ds.units["unit"].tolist() == ["城关镇", "东山镇", "县教育局", "县农业农村局"],
)
def gbk_csv(folder):
    tables = valid_tables()
    tables["units"].append(["东山镇", "乡镇组", None, None, None])
    write_folder(folder, tables)
    write_csv(folder / "units.csv", tables["units"], encoding="gbk")


@case(
    E("adoptions.csv", 3, "adopted_at (采用时间)", "2025年3月32日", "not a date"),
    loaded={"adoptions": 3},
)
def bom(folder):
    tables = valid_tables()
    edit(tables, "adoptions", 3, "采用时间", "2025年3月32日")
    write_folder(folder, tables)
    write_csv(folder / "adoptions.csv", tables["adoptions"], encoding="utf-8-sig")


@case(
    E("adoptions.csv", None, "", "", "not UTF-8 or GBK text"),
    loaded={"adoptions": 0},
    read={"adoptions": 0},
)
def undecodable_csv(folder):
    write_folder(folder)
    (folder / "adoptions.csv").write_bytes(b"\xef\xbb\xbf\xe7\xbc\x96\xe5\x8f\xb7,\xff\xfe\n")


@case(
    read={"adoptions": 9},
    check=lambda ds: ds.counts.set_index("table").loc["adoptions", "blank_rows"] == 5,
)
def trailing_blank_rows(folder):
    write_folder(folder)
    with open(folder / "adoptions.csv", "a", encoding="utf-8") as out:
        out.write(",,,,,\n,,,,,\n\n ,  ,,,,\n\n")


@case(
    E("submissions.xlsx", 8, "units (报送单位)", "西山镇", "unknown unit 西山镇"),
    loaded={"submissions": 4},
    read={"submissions": 7},
    check=lambda ds: ds.counts.set_index("table").loc["submissions", "blank_rows"] == 2,
)
def blank_row_inside_a_sheet(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "报送单位", "西山镇")
    tables["submissions"].insert(3, [None] * 8)
    tables["submissions"].insert(6, [" "] + [None] * 7)
    write_folder(folder, tables)


@case(
    E("submissions.xlsx", 8, "title (标题)", "", "required value is empty"),
    loaded={"submissions": 4},
)
def title_rows_above_the_header(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "标题", None)
    tables["submissions"][:0] = [["2025年第一季度信息报送登记表"], ["填报单位：县委办信息科"]]
    write_folder(folder, tables)


@case(
    E("units.csv", 7, "unit (单位名称)", "东山镇", "first listed in row 4"),
    read={"units": 5},
)
def title_row_above_the_header_in_csv(folder):
    tables = valid_tables()
    tables["units"].append(["东山镇", "乡镇组", None, None, None])
    write_folder(folder, tables)
    text = (folder / "units.csv").read_text(encoding="utf-8")
    (folder / "units.csv").write_text("2025年度考核单位名单\n" + text, encoding="utf-8")


def _serials_loaded(ds):
    adopted = ds.adoptions.set_index("submission_id")["adopted_at"]
    submitted = ds.submissions.set_index("submission_id")["submitted_at"]
    return (
        adopted["S1"] == pd.Timestamp("2025-03-07")
        and adopted["S2"] == pd.Timestamp("2025-03-08 12:00")
        and submitted["S5"] == pd.Timestamp("2025-03-20 16:00")
    )


@case(
    E("adoptions.csv", 5, "adopted_at (采用时间)", "2025", "not a date"),
    loaded={"adoptions": 3},
    check=_serials_loaded,
)
def excel_serial_dates(folder):
    # 45723 is 2025-03-07 (days since 1899-12-30); a bare year is not taken for a serial.
    tables = valid_tables()
    edit(tables, "adoptions", 2, "采用时间", "45723")
    edit(tables, "adoptions", 3, "采用时间", "45724.5")
    edit(tables, "adoptions", 5, "采用时间", "2025")
    edit(tables, "submissions", 6, "报送时间", 45736 + 16 / 24)
    write_folder(folder, tables)


def _text_dates_loaded(ds):
    submitted = ds.submissions.set_index("submission_id")["submitted_at"]
    return submitted[["S1", "S2", "S3", "S4"]].tolist() == [
        pd.Timestamp("2025-03-05 14:30"),
        pd.Timestamp("2025-03-06 09:30"),
        pd.Timestamp("2025-03-10"),
        pd.Timestamp("2025-03-12 15:00"),
    ]


@case(
    E("submissions.xlsx", 6, "submitted_at (报送时间)", "2025年3月", "not a date"),
    loaded={"submissions": 4},
    check=_text_dates_loaded,
)
def text_dates(folder):
    tables = valid_tables()
    edit(tables, "submissions", 2, "报送时间", "2025年3月5日 14:30")
    edit(tables, "submissions", 3, "报送时间", "2025年3月6日9时30分")
    edit(tables, "submissions", 4, "报送时间", "2025/3/10")
    edit(tables, "submissions", 5, "报送时间", "2025.3.12 15:00")
    edit(tables, "submissions", 6, "报送时间", "2025年3月")
    write_folder(folder, tables)


def _full_width_loaded(ds):
    units = ds.units.set_index("unit")["quota"]
    return (
        ds.adoptions["submission_id"].tolist() == ["S1", "S2", "S3", "S4"]
        and ds.adoptions["adopted_at"].iloc[0] == pd.Timestamp("2025-03-07")
        and ds.submissions.set_index("submission_id").loc["S3", "units"] == "东山镇"
        and units["城关镇"] == 100
    )


@case(
    E("units.csv", 5, "quota (年度任务数)", "４０．５", "whole number", rejects_row=False),
    W(
        "submissions.xlsx",
        4,
        "units (报送单位)",
        "<U+3000>东山<U+3000>镇 ",
        "invisible character or unusual space removed (U+3000): read as 东山 镇",
    ),
    check=_full_width_loaded,
)
def full_width_digits_and_spaces(folder):
    tables = valid_tables()
    edit(tables, "adoptions", 2, "编号", "Ｓ１")
    edit(tables, "adoptions", 2, "采用时间", "２０２５－０３－０７")
    edit(tables, "submissions", 4, "报送单位", "　东山　镇 ")  # ideographic spaces
    edit(tables, "units", 2, "年度任务数", "１００")
    edit(tables, "units", 5, "年度任务数", "４０．５")
    write_folder(folder, tables)


@case(check=lambda ds: ds.submissions.set_index("submission_id").loc["S5", "title"] == "=1+1")
def formula_title_in_xlsx(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "标题", "=1+1")
    write_folder(folder, tables)


@case(check=lambda ds: ds.submissions["title"].iloc[[3, 4]].tolist() == ['=HYPERLINK("x")', "=1+1"])
def formula_title_in_csv(folder):
    tables = valid_tables()
    edit(tables, "submissions", 5, "标题", '=HYPERLINK("x")')
    edit(tables, "submissions", 6, "标题", "=1+1")
    write_folder(folder, tables, formats={"submissions": "csv"})


@case(
    W("submissions.xlsx", 1, "审核人", "审核人", "unrecognised column ignored"),
    W("submissions.xlsx", 1, "采用情况", "采用情况", "unrecognised column ignored"),
)
def unknown_extra_columns(folder):
    tables = valid_tables()
    for i, row in enumerate(tables["submissions"]):
        row += ["审核人", "采用情况"] if i == 0 else ["刘主任", None]
    write_folder(folder, tables)


@case(W("submissions.xlsx", 3, "column J", "", "values in a column without a header"))
def values_under_no_header(folder):
    tables = valid_tables()
    for i, row in enumerate(tables["submissions"]):
        row += [None, "补充说明" if i == 2 else None]
    write_folder(folder, tables)


@case(
    W("submissions.xlsx", 1, "序号", "序号",
      "column submission_id appears twice; 编号 is read, as the accepted spelling that comes"
      " first, and this column is ignored"),
    check=lambda ds: ds.submissions["submission_id"].tolist() == ["S1", "S2", "S3", "S4", "S5"],
)  # fmt: skip
def row_numbers_left_of_the_ids(folder):
    # 序号 is an accepted spelling of the id, and exports number their rows with it to the
    # left of the real 编号: reading the first column named the id rejected every adoption
    tables = valid_tables()
    for i, row in enumerate(tables["submissions"]):
        row.insert(0, "序号" if i == 0 else i)
    write_folder(folder, tables)


@case(
    W("adoptions.csv", 1, "级别", "级别", "column level appears twice"),
    check=lambda ds: ds.adoptions["level"].tolist() == ["county", "city", "province", "county"],
)
def duplicate_header(folder):
    tables = valid_tables()
    for i, row in enumerate(tables["adoptions"]):
        row.append("级别" if i == 0 else "国家级")
    write_folder(folder, tables)


@case(
    E("faults.xlsx", None, "", "", "not an Excel workbook"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def text_file_renamed_to_xlsx(folder):
    write_folder(folder, formats={"faults": "csv"})
    (folder / "faults.csv").rename(folder / "faults.xlsx")


@case(
    E("faults.xlsx", None, "", "", "refused: the workbook's XML declares entities"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def entity_expanding_xlsx(folder):
    write_folder(folder)
    entity_xlsx(folder / "faults.xlsx")


@case(
    E("faults.xlsx", None, "", "", "refused: the workbook would expand to"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def oversized_xlsx(folder):
    write_folder(folder)
    with zipfile.ZipFile(folder / "faults.xlsx", "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 20_000_000)


@case(
    E("faults.xlsx", None, "", "", "not a readable Excel workbook"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def damaged_xlsx(folder):
    write_folder(folder)
    rewrite_zip(
        folder / "faults.xlsx",
        lambda name, data: data[: len(data) // 2] if name.endswith("sheet1.xml") else data,
    )


@case(E("data", None, "", "", "no adoptions file"), loaded={"adoptions": 0})
def missing_file(folder):
    write_folder(folder)
    (folder / "adoptions.csv").unlink()


@case(E("data", None, "", "", "several files for adoptions"), loaded={"adoptions": 0})
def two_files_for_one_table(folder):
    write_folder(folder)
    write_xlsx(folder / "采用.xlsx", VALID["adoptions"])


@case(E("adoptions.xls", None, "", "", "unsupported file type '.xls'"), loaded={"adoptions": 0})
def unsupported_file_type(folder):
    write_folder(folder)
    (folder / "adoptions.csv").rename(folder / "adoptions.xls")


@case(
    W("adoptions.csv", 5, "adopted_at (采用时间)", "2025-03-10", "before the item was submitted"),
)
def adoption_before_submission(folder):
    tables = valid_tables()
    edit(tables, "adoptions", 5, "采用时间", "2025-03-10")
    write_folder(folder, tables)


@case(
    W("submissions.xlsx", 6, "title (标题)", "县教育局落实课后服务情况", "same day as row 5"),
)
def same_title_same_unit_same_day(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "标题", "县教育局落实课后服务情况")
    edit(tables, "submissions", 6, "报送时间", datetime(2025, 3, 12, 17))
    write_folder(folder, tables)


@case(W("submissions.xlsx", 6, "event_at (事发时间)", "", "urgent item without an event time"))
def urgent_item_without_event_time(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "信息类别", "突发事件信息")
    write_folder(folder, tables)


@case(W("submissions.xlsx", 6, "due_at (截止时间)", "", "commissioned item without a due date"))
def commissioned_item_without_due_date(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "信息类别", "约稿")
    write_folder(folder, tables)


@case(
    E("submissions.xlsx", 6, "units (报送单位)", "县教体局", "unknown unit 县教体局"),
    E("submissions.xlsx", 6, "event_at (事发时间)", "2025-03-21 08:00:00", "after the submission"),
    E("submissions.xlsx", 6, "category (信息类别)", "专报", "expected one of 常规 (ordinary)"),
    E("adoptions.csv", 5, "level (采用级别)", "乡级", "expected one of"),
    E("units.csv", 5, "quota (年度任务数)", "-3", "whole number from 0 to", rejects_row=False),
    loaded={"submissions": 4, "adoptions": 3},
)
def every_problem_in_one_pass(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "报送单位", "县教体局")
    edit(tables, "submissions", 6, "事发时间", datetime(2025, 3, 21, 8))
    edit(tables, "submissions", 6, "信息类别", "专报")
    edit(tables, "adoptions", 5, "采用级别", "乡级")
    edit(tables, "units", 5, "年度任务数", "-3")
    write_folder(folder, tables)


# ---------------------------------------------------------------- the test


def _name(file: str) -> str:
    return Path(file).name


@pytest.mark.parametrize("make, expected, loaded, read, check", CASES)
def test_bad_input(tmp_path, make, expected, loaded, read, check):
    folder = tmp_path / "data"
    folder.mkdir()
    make(folder)
    dataset = evalkit.load(folder)

    issues = dataset.issues.assign(
        file=dataset.issues["file"].map(_name),
        row=dataset.issues["row"].astype(object).where(dataset.issues["row"].notna(), None),
    )
    found = {tuple(r) for r in issues[["severity", "file", "row", "column"]].to_numpy()}
    assert found == {(e.severity, e.file, e.row, e.column) for e in expected}, issues.to_string()
    for e in expected:
        match = issues[
            (issues["severity"] == e.severity)
            & (issues["file"] == e.file)
            & (issues["column"] == e.column)
            & ((issues["row"] == e.row) if e.row is not None else issues["row"].isna())
        ]
        assert (match["value"] == e.value).any(), match.to_string()
        assert match["message"].str.contains(e.message, regex=False).any(), match.to_string()
        if e.rejects_row and e.row is not None:
            rejected = dataset.rejected[dataset.rejected["file"].map(_name) == e.file]
            reasons = rejected.loc[rejected["row"] == e.row, "reason"]
            assert reasons.str.contains(e.column, regex=False).any(), dataset.rejected

    counts = dataset.counts.set_index("table")
    assert (counts["rows_read"] == counts[["loaded", "rejected", "blank_rows"]].sum(axis=1)).all()
    assert len(dataset.rejected) == counts["rejected"].sum()
    for table, n in loaded.items():
        assert len(getattr(dataset, table)) == n, table
        if table in counts.index:
            assert counts.loc[table, "loaded"] == n
            assert counts.loc[table, "rows_read"] == read[table]
    if check is not None:
        assert check(dataset)


def test_there_are_at_least_25_malformations():
    assert len(CASES) >= 25


def test_the_valid_folder_loads_without_any_issue(tmp_path):
    dataset = evalkit.load(write_folder(tmp_path / "data"))
    assert dataset.issues.empty, dataset.issues.to_string()
    assert dataset.counts[["table", "rows_read", "loaded", "rejected", "blank_rows"]].to_dict(
        "records"
    ) == [
        {"table": "units", "rows_read": 4, "loaded": 4, "rejected": 0, "blank_rows": 0},
        {"table": "submissions", "rows_read": 5, "loaded": 5, "rejected": 0, "blank_rows": 0},
        {"table": "adoptions", "rows_read": 4, "loaded": 4, "rejected": 0, "blank_rows": 0},
        {"table": "faults", "rows_read": 2, "loaded": 2, "rejected": 0, "blank_rows": 0},
    ]
    assert dataset.adoptions["level"].tolist() == ["county", "city", "province", "county"]
    assert dataset.faults["kind"].tolist() == ["late", "commission_missed"]


def test_a_billion_laughs_is_refused_before_it_is_parsed(tmp_path):
    # The entity declaration is found by a scan of the part before any XML parser
    # sees it, so nothing is expanded (speed is measured in `make bench`, not here).
    entity_xlsx(tmp_path / "faults.xlsx")
    with pytest.raises(evalkit.DataError, match="declares entities"):
        from evalkit.data._io import read_cells

        read_cells(tmp_path / "faults.xlsx")


# ---------------------------------------------------------------- evalkit check


def test_check_prints_counts_per_file_and_exits_0_when_clean(tmp_path, capsys):
    folder = write_folder(tmp_path / "data")
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    for name, rows in [("units.csv", 4), ("submissions.xlsx", 5), ("adoptions.csv", 4)]:
        line = next(line for line in out.splitlines() if name in line)
        assert line.split()[-4:] == [str(rows), str(rows), "0", "0"]
    assert "0 errors, 0 warnings; 0 rows rejected" in out


def test_check_reports_each_problem_and_exits_2(tmp_path, capsys):
    tables = valid_tables()
    edit(tables, "submissions", 6, "报送单位", "县教体局")
    edit(tables, "adoptions", 5, "采用级别", "乡级")
    edit(tables, "submissions", 2, "信息类别", "紧急")
    folder = write_folder(tmp_path / "data", tables)
    assert main(["check", str(folder)]) == 2
    out = capsys.readouterr().out
    unit_line = next(line for line in out.splitlines() if "县教体局" in line)
    assert "submissions.xlsx" in unit_line and " 6 " in unit_line and "县教育局" in unit_line
    level_line = next(line for line in out.splitlines() if "乡级" in line)
    assert "adoptions.csv" in level_line and " 5 " in level_line
    assert "2 errors, 1 warnings; 2 rows rejected" in out


def test_check_of_a_missing_folder_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nowhere")]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == f"evalkit: error: {tmp_path / 'nowhere'}: no such data folder"


def test_check_of_a_bad_mapping_file_is_one_line_and_exit_2(tmp_path, capsys):
    folder = write_folder(tmp_path / "data")
    (folder / "mapping.toml").write_text('[columns.submissions]\n"稿件名称" = "headline"\n')
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "[columns.submissions] '稿件名称' = 'headline'" in err and "title" in err


def test_the_command_shows_no_traceback_on_hostile_files(tmp_path):
    folder = write_folder(tmp_path / "data")
    entity_xlsx(folder / "faults.xlsx")
    (folder / "adoptions.csv").write_bytes(b"\x00\xff" * 50)
    result = subprocess.run(
        [sys.executable, "-m", "evalkit.cli", "check", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert "declares entities" in result.stdout
    assert "units.csv" in result.stdout
