"""Reading files that are malformed, hostile or not files at all (issue 10, classes 1, 2, 4, 5).

Each case breaks one thing in the small valid folder of ``test_bad_inputs`` and is
checked by the same test there: the exact issues (severity, file, row, column,
value, message), the rows loaded and read per table, and that every row read is
loaded or rejected. Cases here are about reading: sheets, cells Excel shows but
calamine reads as blank, archives, special files, files not read, CSV syntax.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import test_bad_inputs as bad
from hypothesis import given, settings
from hypothesis import strategies as st
from test_bad_inputs import VALID, E, W, edit, rewrite_zip, valid_tables, write_folder, write_xlsx

import evalkit
from evalkit.data._csv import read_csv
from evalkit.data._io import read_cells

CASES = []


def case(*issues, loaded=None, read=None, check=None):
    """Register a case as ``test_bad_inputs.case`` does, into this module's list."""

    def register(make):
        CASES.append(
            pytest.param(
                make,
                issues,
                bad.FULL | (loaded or {}),
                bad.FULL | (read or {}),
                check,
                id=make.__name__,
            )
        )
        return make

    return register


def edit_sheet(path: Path, change) -> None:
    """Open the workbook at ``path`` with openpyxl, let ``change(book)`` edit it, save it."""
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


# ---------------------------------------------------------------- cells that are not what they read as


def _error_cells(book):
    sheet = book.worksheets[0]
    sheet["D6"].value, sheet["D6"].data_type = "#N/A", "e"  # 标题 of S5
    sheet["B5"].value, sheet["B5"].data_type = "#REF!", "e"  # 报送单位 of S4


@case(
    E("submissions.xlsx", 6, "title (标题)", "#N/A", "an Excel error value #N/A in cell D6"),
    E("submissions.xlsx", 5, "units (报送单位)", "#REF!", "an Excel error value #REF! in cell B5"),
    E("adoptions.csv", 5, "submission_id (编号)", "S4", "its submission row was rejected"),
    loaded={"submissions": 3, "adoptions": 3},
)
def excel_error_cells(folder):
    write_folder(folder)
    edit_sheet(folder / "submissions.xlsx", _error_cells)


@case(
    E(
        "faults.xlsx",
        3,
        "submission_id (编号)",
        '="S"&2',
        "cell D3 holds a formula with no saved value",
    ),
    loaded={"faults": 1},
)
def formula_without_a_saved_value(folder):
    write_folder(folder)
    edit_sheet(folder / "faults.xlsx", _formula_in_d3)


def _formula_in_d3(book):
    sheet = book.worksheets[0]  # openpyxl saves a formula without a calculated value
    sheet["D3"].value, sheet["D3"].data_type = '="S"&2', "f"


def _merged_read_exactly(ds):
    reasons = ds.rejected.set_index(["table", "row"])["reason"]
    return (
        ds.submissions.set_index("submission_id").loc["S2", "category"] == "urgent"
        and "category (信息类别)" in reasons[("submissions", 4)]
    )


@case(
    E("submissions.xlsx", 4, "category (信息类别)", "紧急", "part of the merged cells E3:E4"),
    E("adoptions.csv", 4, "submission_id (编号)", "S3", "its submission row was rejected"),
    loaded={"submissions": 4, "adoptions": 3},
    check=_merged_read_exactly,
)
def merged_cells_in_the_data(folder):
    # S2 and S3 share one merged 紧急 cell: S3 would otherwise read as an ordinary item.
    tables = valid_tables()
    edit(tables, "submissions", 4, "信息类别", None)
    write_folder(folder, tables)
    edit_sheet(folder / "submissions.xlsx", lambda book: book.worksheets[0].merge_cells("E3:E4"))


@case(check=lambda ds: ds.submissions["submission_id"].tolist() == ["S1", "S2", "S3", "S4", "S5"])
def merged_title_above_the_header_is_harmless(folder):
    tables = valid_tables()
    tables["submissions"][:0] = [["2025年第一季度信息报送登记表"]]
    write_folder(folder, tables)
    edit_sheet(folder / "submissions.xlsx", lambda book: book.worksheets[0].merge_cells("A1:H1"))


# ---------------------------------------------------------------- sheets


def _sheets(path: Path, sheets: list[tuple[str, str, list[list]]]) -> None:
    """A workbook of (name, state, rows) sheets, text kept as text."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, state, rows in sheets:
        sheet = book.create_sheet(name)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    book.save(path)


@case(
    W("faults.xlsx", None, "", "旧版", "sheet '旧版' (hidden, 2 rows) is not read: it is hidden"),
    check=lambda ds: ds.faults["kind"].tolist() == ["late", "commission_missed"],
)
def hidden_out_of_date_first_sheet(folder):
    write_folder(folder)
    old = [VALID["faults"][0], ["东山镇", "瞒报", "2024-12-01", None, "旧记录"]]
    _sheets(folder / "faults.xlsx", [("旧版", "hidden", old), ("扣分", "visible", VALID["faults"])])


@case(
    W("faults.xlsx", None, "", "扣分", "read from hidden sheet '扣分'"),
    W(
        "faults.xlsx",
        None,
        "",
        "说明",
        "sheet '说明' (visible, 1 rows) is not read: it has no header",
    ),
)
def records_only_on_a_hidden_sheet(folder):
    write_folder(folder)
    _sheets(
        folder / "faults.xlsx",
        [("说明", "visible", [["本表记录扣分情况"]]), ("扣分", "hidden", VALID["faults"])],
    )


@case(
    W("submissions.xlsx", None, "", "三月上, 三月下", "2 sheets read as one table"),
    E("submissions.xlsx [三月下]", 3, "units (报送单位)", "县教体局", "unknown unit 县教体局"),
    loaded={"submissions": 4},
    check=lambda ds: ds.counts.set_index("table").loc["submissions", "rows_read"] == 5,
)
def records_on_two_sheets(folder):
    tables = valid_tables()
    edit(tables, "submissions", 6, "报送单位", "县教体局")
    write_folder(folder, tables)
    header, *rows = tables["submissions"]
    _sheets(
        folder / "submissions.xlsx",
        [("三月上", "visible", [header, *rows[:3]]), ("三月下", "visible", [header, *rows[3:]])],
    )


@case(
    W(
        "submissions.xlsx",
        None,
        "",
        "汇总",
        "sheet '汇总' (visible, 3 rows) is not read: its header row lacks",
    ),
)
def summary_sheet_beside_the_records(folder):
    write_folder(folder)
    summary = [["单位", "报送数", "采用数"], ["城关镇", 2, 1], ["东山镇", 2, 1]]
    _sheets(
        folder / "submissions.xlsx",
        [("汇总", "visible", summary), ("明细", "visible", VALID["submissions"])],
    )


@case(
    E("faults.xlsx", None, "", "", "the workbook has no worksheet to read (its sheets: ChartSheet"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def workbook_with_only_a_chart_sheet(folder):
    write_folder(folder)
    book = openpyxl.Workbook()
    book.create_chartsheet("图表")
    book.remove(book["Sheet"])
    book.save(folder / "faults.xlsx")


# ---------------------------------------------------------------- not a workbook, or a damaged one


@case(
    E("faults.xlsx", None, "", "", "a Strict Open XML workbook"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def strict_open_xml_workbook(folder):
    write_folder(folder)
    strict = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rewrite_zip(folder / "faults.xlsx", lambda name, data: data.replace(main, strict))


@case(
    E("faults.xlsx", None, "", "", "an OpenDocument spreadsheet (.ods"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def ods_renamed_xlsx(folder):
    write_folder(folder)
    with zipfile.ZipFile(folder / "faults.xlsx", "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")


@case(
    E("faults.xlsx", None, "", "", "an old Excel 97-2003 workbook (.xls) renamed .xlsx"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def xls_renamed_xlsx(folder):
    write_folder(folder)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    (folder / "faults.xlsx").write_bytes(ole * 8)


@case(
    E("faults.xlsx", None, "", "", "the zip archive is damaged or truncated"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def truncated_xlsx(folder):
    write_folder(folder)
    path = folder / "faults.xlsx"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@case(
    E("faults.xlsx", None, "", "", "the zip archive is damaged (Bad CRC-32"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def xlsx_part_lying_about_its_size(folder):
    # The sheet's part declares 200 bytes but inflates to far more: zipfile stops at the
    # declared size, the checksum fails, and calamine never inflates it.
    write_folder(folder)
    path = folder / "faults.xlsx"
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                struct.pack_into("<I", data, at + offset, 200)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


@case(
    E("faults.xlsx", None, "", "", "its part xl/media/zeros.bin"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def one_part_is_a_zip_bomb(folder):
    # Incompressible padding keeps the ratio of the whole archive low; one part is a bomb.
    write_folder(folder)
    noise = random.Random(7).randbytes(4_000_000)
    with zipfile.ZipFile(folder / "faults.xlsx", "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/noise.bin", noise)
        archive.writestr("xl/media/zeros.bin", bytes(3_000_000))


def sparse_sheet(path: Path, rows: int) -> None:
    """A header in A1, then one cell per row in column XFD (the last): about 300 KB."""
    write_xlsx(path, [["单位", "类型", "日期"]])
    cells = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, rows + 2))

    def change(name, data):
        if name != "xl/worksheets/sheet1.xml":
            return data
        xml = data.decode()
        start, end = xml.index("<sheetData>") + len("<sheetData>"), xml.index("</sheetData>")
        return (xml[:end] + cells + xml[end:]).encode() if start else data

    rewrite_zip(path, change)


@case(
    E("faults.xlsx", None, "", "", "refused: sheet 'Sheet' reaches cell XFD60001"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def sparse_sheet_far_to_the_right(folder):
    write_folder(folder)
    sparse_sheet(folder / "faults.xlsx", 60_000)


def test_the_sparse_sheet_is_small_and_refused_without_reading_it(tmp_path):
    path = tmp_path / "faults.xlsx"
    sparse_sheet(path, 60_000)
    assert path.stat().st_size < 400_000
    # The extent is computed from the sheet's XML before calamine reads it: calamine
    # would allocate 31 GB for this grid first.
    with pytest.raises(evalkit.DataError, match="983,056,384 cells"):
        read_cells(path)


def test_error_and_formula_cells_are_found_with_namespace_prefixes(tmp_path):
    from evalkit.data._xlsx import _error_marks, _formula_marks

    xml = (
        b'<x:sheetData><x:row r="2"><x:c r="B2" t="e"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c>'
        b'<x:c r="C2"><x:f t="shared" si="0"/></x:c><x:c r="D2"><x:f>A1</x:f><x:v>3</x:v></x:c>'
        b"</x:row></x:sheetData>"
    )
    errors, formulas = _error_marks(xml), _formula_marks(xml)
    assert [(m.row, m.col, m.value) for m in errors] == [(1, 1, "#DIV/0!")]
    assert [(m.row, m.col, m.value) for m in formulas] == [(1, 2, "=")]


# ---------------------------------------------------------------- CSV syntax


def _faults_csv(folder: Path, text: str, encoding: str = "utf-8") -> None:
    write_folder(folder, formats={"faults": "csv"})
    (folder / "faults.csv").write_bytes(text.encode(encoding))


FAULTS_HEADER = "单位,类型,日期,编号,说明\n"


@case(
    E(
        "faults.csv",
        2,
        "note (说明)",
        "续报晚于规定时限⏎县教育局,约稿未完成,2025-03-31,,三月约稿未报送⏎…",
        "runs over 2 more lines, 2 of which look like records",
    ),
    loaded={"faults": 1},
    read={"faults": 2},
)
def unclosed_quote_swallows_the_following_rows(folder):
    # The quote opened in row 2 closes only in row 4: rows 3 and 4 become part of one cell.
    _faults_csv(
        folder,
        FAULTS_HEADER + '东山镇,迟报,2025-03-06,S2,"续报晚于规定时限\n'
        "县教育局,约稿未完成,2025-03-31,,三月约稿未报送\n"
        '城关镇,失实,2025-03-20,S1,"核实有误"\n'
        "县教育局,迟报,2025-03-12,S4,约稿迟交\n",
    )


@case(
    E(
        "faults.csv",
        3,
        "note (说明)",
        "三月约稿未报送⏎城关镇,失实,2025-03-20,S1,核实有误⏎",
        'a quote (") is not closed where the cell ends',
    ),
    loaded={"faults": 1},
)
def quote_never_closed(folder):
    _faults_csv(
        folder,
        FAULTS_HEADER + "东山镇,迟报,2025-03-06,S2,续报晚于规定时限\n"
        '县教育局,约稿未完成,2025-03-31,,"三月约稿未报送\n'
        "城关镇,失实,2025-03-20,S1,核实有误\n",
    )


@case(
    E("faults.csv", 3, "note (说明)", "三" * 40 + "…", "a cell of 1,048,576 characters"),
    loaded={"faults": 1},
)
def one_megabyte_cell(folder):
    _faults_csv(
        folder,
        FAULTS_HEADER + "东山镇,迟报,2025-03-06,S2,续报晚于规定时限\n"
        f"县教育局,约稿未完成,2025-03-31,,{'三' * 1024 * 1024}\n",
    )


@case(
    E("faults.csv", 6, "unit (单位)", "西山镇", "unknown unit 西山镇"),
    loaded={"faults": 2},
    read={"faults": 4},
    check=lambda ds: ds.faults["note"].tolist() == ["第一行\r\n第二行", "三月约稿未报送"],
)
def gb18030_with_a_title_blank_lines_and_a_cell_with_a_line_break(folder):
    text = (
        "2025年扣分记录,,\r\n"
        + FAULTS_HEADER.replace("\n", "\r\n")
        + '东山镇,迟报,2025-03-06,S2,"第一行\r\n第二行"\r\n'
        + "\r\n"
        + "县教育局,约稿未完成,2025-03-31,,三月约稿未报送\r\n"
        + "西山镇,迟报,2025-03-07,,𠀀\r\n"  # a character outside GBK: GB18030 only
    )
    _faults_csv(folder, text, "gb18030")


@case(
    E("faults.csv", None, "", "", "not a text file: a NUL byte at offset"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def utf16_csv(folder):
    _faults_csv(folder, FAULTS_HEADER + "东山镇,迟报,2025-03-06,S2,\n", "utf-16")


_CELL = st.text(alphabet=st.sampled_from('ab,"\n\r 甲、'), max_size=6)


@settings(max_examples=150, deadline=None)
@given(records=st.lists(st.lists(_CELL, min_size=0, max_size=5), min_size=1, max_size=12))
def test_csv_records_are_read_as_the_csv_module_reads_them(records):
    """Any mix of widths, quotes, blank records and line breaks: same cells, same row numbers."""
    out = io.StringIO(newline="")
    csv.writer(out).writerows(records)
    data = out.getvalue().encode()
    expected = list(csv.reader(io.StringIO(data.decode(), newline="")))
    cells, _ = read_csv(data)
    width = max([len(r) for r in expected] + [0])
    want = [[c or None for c in r] + [None] * (width - len(r)) for r in expected]
    got = cells.astype(object).where(cells.notna(), None).to_numpy().tolist()
    assert got == want


# ---------------------------------------------------------------- not files, and files not read


@case(
    E("faults.csv", None, "", "", "not a regular file but a named pipe (FIFO)"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def fifo_under_a_tables_name(folder):
    write_folder(folder, formats={"faults": "csv"})
    (folder / "faults.csv").unlink()
    os.mkfifo(folder / "faults.csv")  # opening it would block until a writer comes


@case(
    E("faults.xlsx", None, "", "", "a link to /nonexistent/faults.xlsx, which does not exist"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def dangling_link_under_a_tables_name(folder):
    write_folder(folder)
    (folder / "faults.xlsx").unlink()
    (folder / "faults.xlsx").symlink_to("/nonexistent/faults.xlsx")


@case(
    E("faults.csv", None, "", "", "not a regular file but a character device"),
    loaded={"faults": 0},
    read={"faults": 0},
)
def dev_zero_under_a_tables_name(folder):
    write_folder(folder, formats={"faults": "csv"})
    (folder / "faults.csv").unlink()
    (folder / "faults.csv").symlink_to("/dev/zero")


@case(
    E("adoptions.csv", None, "", "", "not a regular file but a folder"),
    loaded={"adoptions": 0},
    read={"adoptions": 0},
)
def folder_under_a_tables_name(folder):
    write_folder(folder)
    (folder / "adoptions.csv").unlink()
    (folder / "adoptions.csv").mkdir()


def _error_file(name):
    return E(name, None, "", name, "not read, but its name suggests faults")


@case(
    _error_file("faults_2025.xlsx"),
    loaded={"faults": 0},
    check=lambda ds: "faults" not in set(ds.counts["table"]),
)
def faults_file_with_a_year_in_its_name(folder):
    write_folder(folder)
    (folder / "faults.xlsx").rename(folder / "faults_2025.xlsx")


@case(_error_file("2025年扣分记录.xlsx"), loaded={"faults": 0})
def faults_file_with_a_chinese_name(folder):
    write_folder(folder)
    (folder / "faults.xlsx").rename(folder / "2025年扣分记录.xlsx")


@case(
    W("说明.docx", None, "", "说明.docx", "not read: not the file of any table"),
    W("~$submissions.xlsx", None, "", "~$submissions.xlsx", "an Excel lock file"),
    W("旧数据", None, "", "旧数据", "not read: a folder"),
    E("adoptions_old.csv", None, "", "adoptions_old.csv", "its name suggests adoptions"),
)
def every_file_not_read_is_listed(folder):
    write_folder(folder)
    (folder / "说明.docx").write_bytes(b"PK")
    (folder / "~$submissions.xlsx").write_bytes(b"lock")
    (folder / "旧数据").mkdir()
    bad.write_csv(folder / "adoptions_old.csv", VALID["adoptions"])


# ---------------------------------------------------------------- mapping.toml


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda f: (f / "mapping.toml").mkdir(), "mapping.toml: not a regular file but a folder"),
        (
            lambda f: (f / "mapping.toml").write_text("a = " + "[" * 100_000 + "]" * 100_000),
            "mapping.toml: refused: nested too deeply to be a mapping",
        ),
        (
            lambda f: (f / "mapping.toml").write_text(
                '[files]\nadoptions = "../outside/secret.csv"'
            ),
            "refused: [files] adoptions = '../outside/secret.csv' is outside the data folder",
        ),
        (
            lambda f: (f / "mapping.toml").write_text('[files]\nunits = "/etc/passwd"'),
            "refused: [files] units = '/etc/passwd' is outside the data folder",
        ),
        (
            lambda f: (f / "mapping.toml").write_text("[files]\nunits = 3"),
            "[files] units must be a file name in quotes",
        ),
    ],
    ids=["folder", "nested_100000_deep", "parent_path", "absolute_path", "not_a_name"],
)
def test_a_bad_mapping_is_refused_in_one_line(tmp_path, make, message):

    folder = write_folder(tmp_path / "data")
    (tmp_path / "outside").mkdir()
    bad.write_csv(tmp_path / "outside" / "secret.csv", VALID["adoptions"])
    make(folder)
    with pytest.raises(evalkit.DataError, match=re.escape(message)):
        evalkit.load(folder)
    result = subprocess.run(
        [sys.executable, "-m", "evalkit.cli", "check", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("make, expected, loaded, read, check", CASES)
def test_reading_case(tmp_path, make, expected, loaded, read, check):
    bad.test_bad_input(tmp_path, make, expected, loaded, read, check)


def test_xlsx_reading_gives_what_openpyxl_gave(tmp_path):
    """Calamine reads the sample's cells as openpyxl did: same texts, numbers and dates."""
    from evalkit._paths import SAMPLE_DIR

    path = SAMPLE_DIR / "submissions.xlsx"
    fast = read_cells(path)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    slow = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    assert fast.shape == (len(slow), len(slow[0]))
    for row in (0, 1, 2, len(slow) // 2, len(slow) - 1):
        assert fast.iloc[row].tolist() == list(slow[row]), row
