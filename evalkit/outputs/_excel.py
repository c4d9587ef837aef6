"""Write frames as a printable, auditable Excel workbook (one general writer for every pack).

Each sheet has a title row (and a subtitle), a frozen header row, bordered
cells, column widths that fit Chinese text and the title, one number format
per column, and A4 print set-up (upright for narrow tables, landscape for wide ones) with the header repeated on every
page and page numbers of its own. Detail sheets print their title only. Text from the records is always
stored as text: a title such as ``=1+1`` never becomes a formula. The file is
written next to its destination and moved into place, so a failed run never
leaves a half-written workbook over a good one, and the same content always
gives the same bytes.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.outputs._files import FIXED_TIME, replace_atomically, stable_zip

MAX_WIDTH = 60
HEADER_FILL = "DCE6F1"


@dataclass
class Sheet:
    """One sheet: a frame (headers already in the reader's language), a title and formats.

    ``print_table=False`` marks a detail sheet (a ledger, a long list): it stays
    in the workbook, but its print area is its title rows only, so printing
    the workbook as it is prints the tables that are meant to be read on paper.
    ``tables`` are further tables written below the first, each under a heading.
    """

    name: str
    frame: pd.DataFrame
    title: str
    formats: dict[str, str] = field(default_factory=dict)  # column -> Excel number format
    note: str | None = None  # a line under the table, e.g. the tie rule
    subtitle: str | None = None  # a smaller line under the title, e.g. the rule set's name
    print_table: bool = True
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)


# Page footers: the sheet's name on the left, its own page number in the middle ("of N"
# is left out: LibreOffice counts N over the whole workbook, not the sheet).
FOOTERS = {"zh": "第 &P 页", "en": "Page &P"}
PORTRAIT_WIDTH = 100  # tables at most this many characters wide print upright


# Control characters other than tab, line feed and carriage return: removed from every text
# cell, because they hide what a cell starts with (a control character then "=" is a formula
# to a spreadsheet once the control character is dropped).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_text(series: pd.Series) -> bool:
    """A column of text: string or categorical dtype, or objects that are all str (or missing)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return pd.api.types.infer_dtype(series.cat.categories) in ("string", "empty")
    if pd.api.types.is_object_dtype(series):
        return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")
    return pd.api.types.is_string_dtype(series)


def clean_text(series: pd.Series) -> pd.Series:
    """Text with control characters removed (tab and line breaks kept), missing kept missing."""
    text = series.astype("string")
    return text.str.replace(CONTROL_CHARACTERS, "", regex=True)


def formula_like(series: pd.Series) -> pd.Series:
    """True where cleaned text starts as a formula would (``=``, ``+``, ``-``, ``@``, tab, CR)."""
    return clean_text(series).str.startswith(FORMULA_START).fillna(False).astype(bool)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for CSV: control characters removed, formula-like text prefixed with ``'`` (OWASP).

    Carriage returns become line feeds, the CSV's own line break, so that every
    reader keeps a row with a line break in a title whole. Numbers, dates and
    missing values are left as they are; only text cells change.

    Examples
    --------
    >>> neutralise(pd.DataFrame({"标题": ["=1+1", "城关镇", "@SUM(A1)"]}))["标题"].tolist()
    ["'=1+1", '城关镇', "'@SUM(A1)"]
    """
    out = frame.copy()
    for col in out.columns:
        if not _is_text(out[col]):
            continue
        original = out[col].astype("string")
        text = clean_text(original).str.replace("\r\n", "\n").str.replace("\r", "\n")
        risky = text.str.startswith(FORMULA_START).fillna(False).astype(bool)
        if risky.any() or (text.fillna("") != original.fillna("")).any():
            out[col] = text.mask(risky, "'" + text).astype(object).where(text.notna(), None)
    return out


# Characters Excel forbids in sheet names, and the full-width forms a Chinese reader expects.
SHEET_NAME_FORBIDDEN = str.maketrans("/\\?*[]:", "／＼？＊［］：")


def sheet_title(name: str) -> str:
    """A legal sheet name: forbidden characters as their full-width forms, at most 31 long.

    >>> sheet_title("乡镇/街道：组排名")
    '乡镇／街道：组排名'
    """
    title = CONTROL_CHARACTERS.sub("", str(name)).translate(SHEET_NAME_FORBIDDEN).strip("'")
    return title[:31] or "Sheet"


def display_width(text: str) -> int:
    """Columns a string takes on screen: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@functools.cache
def _wide_bmp() -> np.ndarray:
    """Whether each character of the Basic Multilingual Plane is wide (W or F), as a table."""
    return np.array([unicodedata.east_asian_width(chr(i)) in "WF" for i in range(0x10000)])


def display_widths(texts) -> np.ndarray:
    """:func:`display_width` of each of ``texts`` (strings) at once: one pass over all
    their characters with a table instead of a Python call per character."""
    texts = list(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    wide = np.zeros(len(points), dtype=np.int64)
    bmp = points < 0x10000
    wide[bmp] = _wide_bmp()[points[bmp]]
    for point in np.unique(points[~bmp]):  # beyond the BMP (rare): ask unicodedata
        wide[points == point] = unicodedata.east_asian_width(chr(point)) in "WF"
    before = np.concatenate([[0], np.cumsum(wide)])
    ends = np.cumsum(lengths)
    return lengths + before[ends] - before[ends - lengths]


def decimals(series: pd.Series, most: int = 2) -> int:
    """The fewest decimals (up to ``most``) that show every value of ``series`` as it is."""
    values = pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype=float)
    for d in range(most):
        if np.allclose(values, np.round(values, d), rtol=0, atol=1e-9):
            return d
    return most


def column_format(series: pd.Series) -> str | None:
    """One Excel number format for the whole column: dates with or without the time,
    integers, and floats with as many decimals as the column needs (30.00 / 27.92 / -3.25)."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return (
            "yyyy-mm-dd hh:mm"
            if (series.dropna().dt.normalize() != series.dropna()).any()
            else "yyyy-mm-dd"
        )
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return "0"
    if pd.api.types.is_float_dtype(series):
        d = decimals(series)
        return "0" if d == 0 else "0." + "0" * d
    return None


def _cell_values(frame: pd.DataFrame) -> list[list]:
    """Rows of plain Python values: NaN/NA to None, timestamps to datetime, categories to text.

    Text loses its control characters (:func:`clean_text`), which include every character
    openpyxl refuses in a cell (``ILLEGAL_CHARACTERS_RE``, checked by a test).
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if _is_text(s):
            s = clean_text(s)
        out[col] = s.astype(object).where(s.notna(), None)
    return out.to_numpy(dtype=object).tolist()


def _shown_width(series: pd.Series, fmt: str | None) -> int:
    """The display width of the widest value of ``series`` (first 2,000 rows) as Excel shows it."""
    head = series.head(2000)
    if pd.api.types.is_datetime64_any_dtype(series):
        return 16 if fmt and "hh" in fmt else 10
    if fmt and fmt.endswith("%"):
        return 7
    if pd.api.types.is_float_dtype(series):
        head = head.round(decimals(series))
    values = head.astype("string").dropna().unique()  # each distinct text measured once
    return int(display_widths(values).max(initial=0))


def _write_table(ws, frame: pd.DataFrame, first_row: int, formats: dict[str, str], styles) -> None:
    """The header row at ``first_row`` and the rows under it, with borders and column formats."""
    from openpyxl.cell.cell import Cell
    from openpyxl.utils import get_column_letter

    ws.append([str(c) for c in frame.columns])
    for cell in ws[first_row]:
        cell.font, cell.fill, cell.alignment, cell.border = styles["header"]
    # A header wider than its column wraps: give the row the lines it needs.
    lines = max(
        (
            -(
                -display_width(str(c))
                // max(int(ws.column_dimensions[get_column_letter(j)].width) - 2, 1)
            )
            for j, c in enumerate(frame.columns, start=1)
        ),
        default=1,
    )
    if lines > 1:
        ws.row_dimensions[first_row].height = 15 * min(lines, 3)
    # The rows as Worksheet.append makes them, with each column's cells kept at hand for styling.
    columns: list[list] = [[] for _ in frame.columns]
    for i, row in enumerate(_cell_values(frame), start=first_row + 1):
        for j, value in enumerate(row, start=1):
            cell = ws._cells[(i, j)] = Cell(ws, row=i, column=j, value=value)
            columns[j - 1].append(cell)
    ws._current_row = first_row + len(frame)
    for j, col in enumerate(frame.columns, start=1):
        s = frame[col]
        # Text that starts like a formula (after its control characters are removed, as they
        # are when written) is stored as text with Excel's quote prefix: never a formula, not
        # even after the user edits the cell.
        risky = formula_like(s).to_numpy() if _is_text(s) else np.zeros(len(s), dtype=bool)
        fmt = formats.get(col) or column_format(s)
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        cells = columns[j - 1]
        if not cells:
            continue
        # Style the first cell, then give the others a copy of its style indices: setting
        # border, alignment and format cell by cell costs a style lookup each (seconds).
        first = cells[0]
        first.border = styles["border"]
        first.alignment = styles["number" if numeric else "text"]
        if fmt:
            first.number_format = fmt
        for cell in cells[1:]:
            cell._style = copy(first._style)
        for i in np.flatnonzero(risky):
            cells[i].data_type = "s"
            cells[i].quotePrefix = True
    _fit_row_heights(ws, frame, first_row)


LINE_HEIGHT = 15  # points: one line of 11 pt text


def _fit_row_heights(ws, frame: pd.DataFrame, first_row: int) -> None:
    """Give rows whose text wraps in a narrow column the lines it needs.

    LibreOffice keeps the stored height of a row when it opens a workbook, so
    wrapped text would overlap the next row unless the height is written.
    """
    from openpyxl.utils import get_column_letter

    lines = np.ones(len(frame), dtype=int)
    for j, col in enumerate(frame.columns, start=1):
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
            continue
        room = max(int(ws.column_dimensions[get_column_letter(j)].width) - 3, 1)
        widths = display_widths(s.astype("string").fillna(""))
        lines = np.maximum(lines, -(-widths // room))
    for i in np.flatnonzero(lines > 1):
        ws.row_dimensions[first_row + 1 + int(i)].height = LINE_HEIGHT * int(lines[i]) + 2


def _widths(frames: list[pd.DataFrame], formats: dict[str, str]) -> list[int]:
    """Column widths (in characters) that fit the headers and the values of every table."""
    widths: list[int] = []
    for frame in frames:
        for j, col in enumerate(frame.columns):
            s = frame[col]
            fmt = formats.get(col) or column_format(s)
            # Headers wrap onto two lines when long; values never do.
            header = display_width(str(col))
            header = header if header <= 12 else max(12, (header + 1) // 2)
            want = min(MAX_WIDTH, max(header, _shown_width(s, fmt), 4) + 4)
            if j < len(widths):
                widths[j] = max(widths[j], want)
            else:
                widths.append(want)
    return widths or [10]


def _write_sheet(book, sheet: Sheet, lang: str) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(sheet_title(sheet.name))
    frame = sheet.frame
    thin = Side(style="thin", color="808080")
    border = Border(top=thin, bottom=thin, left=thin, right=thin)
    styles = {
        "header": (
            Font(bold=True),
            PatternFill("solid", fgColor=HEADER_FILL),
            Alignment(horizontal="center", vertical="center", wrap_text=True),
            border,
        ),
        "border": border,
        # Borders and an indent keep neighbouring values apart ("351.3 | 先进单位").
        "number": Alignment(horizontal="right", vertical="center"),
        "text": Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1),
    }
    frames = [frame] + [t for _, t in sheet.tables]
    widths = _widths(frames, sheet.formats)
    n_cols = len(widths)
    # The title must fit the columns it spans, or it is clipped on both sides when printed.
    need = max(display_width(sheet.title) * 1.35, display_width(sheet.subtitle or "")) + 4
    if sum(widths) < need:
        extra = (need - sum(widths)) / n_cols
        widths = [w + extra for w in widths]
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = round(width, 1)

    ws.append([sheet.title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_cols)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    header_row = 2
    if sheet.subtitle:
        ws.append([sheet.subtitle])
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n_cols)
        ws["A2"].alignment = Alignment(horizontal="center", vertical="center")
        ws["A2"].font = Font(size=10, color="595959")
        header_row = 3
    _write_table(ws, frame, header_row, sheet.formats, styles)
    last_row = header_row + len(frame)
    if sheet.note:
        ws.append([])
        ws.append([sheet.note])
        last_row += 2
    for heading, table in sheet.tables:
        ws.append([])
        ws.append([heading])
        ws.cell(row=last_row + 2, column=1).font = Font(bold=True)
        _write_table(ws, table, last_row + 3, sheet.formats, styles)
        last_row += 3 + len(table)
    ws.freeze_panes = f"A{header_row + 1}"
    if len(frame):
        ws.auto_filter.ref = (
            f"A{header_row}:{get_column_letter(len(frame.columns))}{header_row + len(frame)}"
        )
    ws.page_setup.orientation = "portrait" if sum(widths) <= PORTRAIT_WIDTH else "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_setup.firstPageNumber = 1  # every sheet numbers its own pages
    ws.page_setup.useFirstPageNumber = True
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_row}"
    if not sheet.print_table:
        ws.print_area = f"A1:{get_column_letter(n_cols)}{header_row - 1}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.center.text = FOOTERS[lang]


def write_workbook(
    path: str | Path, sheets: list[Sheet], *, title: str = "", lang: str = "zh"
) -> Path:
    """Write ``sheets`` to ``path`` atomically and return the path.

    ``lang`` is the language of the page footers ("第 1 页，共 3 页" or "Page 1 of 3").

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> sheet = Sheet("排名", pd.DataFrame({"单位": ["城关镇"], "标题": ["=1+1"]}), "2025年度排名")
    >>> write_workbook(folder / "x.xlsx", [sheet]).name
    'x.xlsx'
    """
    from openpyxl import Workbook

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        _write_sheet(book, sheet, lang)
    book.properties.title = title
    book.properties.creator = "evalkit"
    book.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return replace_atomically(path, stable_zip(buffer.getvalue()))


def write_csv(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as UTF-8 CSV with a BOM (so Excel shows Chinese), atomically and byte-stable.

    Text that a spreadsheet would run as a formula is neutralised (:func:`neutralise`).
    """
    text = neutralise(frame).to_csv(index=False, lineterminator="\n")
    return replace_atomically(Path(path), text.encode("utf-8-sig"))
