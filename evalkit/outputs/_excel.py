"""Write frames as a printable, auditable Excel workbook (one general writer for every pack).

Each sheet has a title row, a frozen header row, column widths that fit
Chinese text, number formats by column type, and A4 landscape print set-up
with the header repeated on every page. Text from the records is always
stored as text: a title such as ``=1+1`` never becomes a formula. The file is
written next to its destination and moved into place, so a failed run never
leaves a half-written workbook over a good one, and the same content always
gives the same bytes.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

MAX_WIDTH = 60
HEADER_FILL = "DCE6F1"
FIXED_TIME = datetime(2000, 1, 1)  # workbook timestamps, so two runs give the same properties


@dataclass
class Sheet:
    """One sheet: a frame (headers already in the reader's language), a title and formats."""

    name: str
    frame: pd.DataFrame
    title: str
    formats: dict[str, str] = field(default_factory=dict)  # column -> Excel number format
    note: str | None = None  # a line under the table, e.g. the tie rule


def display_width(text: str) -> int:
    """Columns a string takes on screen: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _default_format(series: pd.Series) -> str | None:
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
        return "0.0#"
    return None


def _cell_values(frame: pd.DataFrame) -> list[list]:
    """Rows of plain Python values: NaN/NA to None, timestamps to datetime, categories to text."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s):
            s = s.astype("string").str.replace(ILLEGAL_CHARACTERS_RE, "", regex=True)
        out[col] = s.astype(object).where(s.notna(), None)
    return out.to_numpy(dtype=object).tolist()


def _write_sheet(book, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(sheet.name[:31])
    frame = sheet.frame
    n_cols = max(len(frame.columns), 1)
    ws.append([sheet.title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_cols)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    ws.append([str(c) for c in frame.columns])
    thin = Side(style="thin", color="A6A6A6")
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for row in _cell_values(frame):
        ws.append(row)
    # Text that starts with "=" was parsed as a formula by openpyxl: store it as text.
    for j, col in enumerate(frame.columns, start=1):
        s = frame[col]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            formula_like = np.flatnonzero(
                s.astype("string").str.startswith("=").fillna(False).to_numpy()
            )
            for i in formula_like:
                ws.cell(row=i + 3, column=j).data_type = "s"
        fmt = sheet.formats.get(col) or _default_format(s)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=3, min_col=j, max_col=j, max_row=len(frame) + 2):
                cell.number_format = fmt
        shown = s.round(2) if pd.api.types.is_float_dtype(s) else s
        values = shown.astype("string").fillna("")
        width = max([display_width(str(col))] + values.head(2000).map(display_width).tolist())
        if pd.api.types.is_datetime64_any_dtype(s):
            width = 16
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, width + 2)
    if sheet.note:
        ws.append([])
        ws.append([sheet.note])
    ws.freeze_panes = "A3"
    if len(frame):
        ws.auto_filter.ref = f"A2:{get_column_letter(n_cols)}{len(frame) + 2}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:2"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"


def write_workbook(path: str | Path, sheets: list[Sheet], *, title: str = "") -> Path:
    """Write ``sheets`` to ``path`` atomically and return the path.

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
        _write_sheet(book, sheet)
    book.properties.title = title
    book.properties.creator = "evalkit"
    book.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return replace_atomically(path, _stable_zip(buffer.getvalue()))


def _stable_zip(data: bytes) -> bytes:
    """Fix the zip entry times and the modified date, so the same content gives the same bytes."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME.timetuple()[:6])
            dst.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def replace_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then move it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are ordinary shared files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_csv(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as UTF-8 CSV with a BOM (so Excel shows Chinese), atomically and byte-stable."""
    text = frame.to_csv(index=False, lineterminator="\n")
    return replace_atomically(Path(path), text.encode("utf-8-sig"))
