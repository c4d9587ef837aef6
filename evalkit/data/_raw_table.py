"""The RawTable: the cells of one file (or sheet) under canonical column names.

:func:`frame_to_raw` takes a file's raw cells, finds the header row (see
:mod:`evalkit.data._headers`), renames the columns it recognises, drops blank rows and
records the file-level issues, and the marked and merged cells of a worksheet. The files
are read, and a workbook's sheets chosen, by :mod:`evalkit.data._io`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.data._headers import (
    HEADER_SEARCH_ROWS,
    _header_row,
    _unrecognised,
    column_label,
    excel_column,
    header_keys,
    header_lookup,
    header_rank,
)
from evalkit.data._schema import COLUMNS
from evalkit.data._xlsx import Sheet, cell_name

CELL_ISSUE_COLUMNS = ["index", "column", "value", "message"]
# Empty frames are copied from these, made once: building a frame, even an empty one, takes
# about a millisecond, and every file has a table of cell issues, most of them empty.
_NO_CELL_ISSUES = pd.DataFrame(columns=CELL_ISSUE_COLUMNS)  # objects (as made by hand)


@dataclass
class RawTable:
    """The cells of one file, renamed to canonical columns where recognised."""

    table: str
    file: str
    # Canonical columns + "_row". Workbook cells are objects (text, numbers, dates); CSV
    # cells are Arrow-backed strings (pd.StringDtype("pyarrow")); empty cells are missing.
    frame: pd.DataFrame
    issues: list[dict] = field(default_factory=list)
    blank_rows: int = 0
    fatal: bool = False  # the file could not be read; every row is rejected
    # Cells that read as blank or as a value but mean something else (an Excel error value,
    # a formula never calculated, the hidden part of a merged range): each is an error on
    # its record. Columns: "index" (position in ``frame``), "column" (canonical), "value"
    # (what the cell shows), "message".
    cell_issues: pd.DataFrame = field(default_factory=lambda: _NO_CELL_ISSUES.copy())
    # The file name of each record when the records come from several sheets
    # ("file [sheet]"); None when every record comes from ``file``.
    row_files: np.ndarray | None = None

    def files(self, mask=None):
        """The file name of the records selected by ``mask`` (a name, or one per record)."""
        if self.row_files is None:
            return self.file
        return self.row_files if mask is None else self.row_files[np.asarray(mask, dtype=bool)]


def _file_issue(table: str, file: str, message: str, severity: str = "error") -> dict:
    return {
        "severity": severity,
        "table": table,
        "file": file,
        "row": pd.NA,
        "column": "",
        "value": "",
        "message": message,
    }


def frame_to_raw(
    table: str,
    name: str,
    cells: pd.DataFrame,
    mapping: dict,
    header_row: int | None = None,
    *,
    sheet: Sheet | None = None,
) -> RawTable:
    """Find the header in raw ``cells`` (or take ``header_row``), rename columns, drop blank rows.

    Rows above the header (titles) are skipped; a row is blank, and counted in
    ``blank_rows`` rather than read, when every one of its cells is empty. The
    marked and merged cells of ``sheet`` in the columns read become ``cell_issues``.
    """
    lookup = header_lookup(table, mapping)
    if cells.empty:
        return _unreadable(table, name, "the file has no rows")
    if not all(isinstance(dtype, pd.StringDtype) for dtype in cells.dtypes):
        cells = cells.astype(object).where(cells.notna(), None)  # CSV cells stay Arrow strings
    cells = cells.set_axis(range(cells.shape[1]), axis=1)
    if header_row is None:
        header_row = _header_row(cells, lookup)
        if header_row is None:
            expected = ", ".join(c.zh for c in COLUMNS[table] if c.required)
            return _unreadable(
                table,
                name,
                f"no header row found in the first {HEADER_SEARCH_ROWS} rows: expected"
                f" a row with the column names, such as {expected}",
            )
    originals = cells.iloc[header_row].astype(object)
    originals = originals.where(originals.notna(), None)
    # the canonical name of each header cell, None when unknown (as a list: Series.map
    # builds a Series of the whole lookup each call)
    keys = header_keys(originals)
    canonical = pd.Series([lookup.get(k) for k in keys], index=originals.index)
    body = cells.iloc[header_row + 1 :]
    filled = {pos: _filled(body[pos]) for pos in body.columns}
    is_blank = ~np.logical_or.reduce(list(filled.values()), initial=False)
    if is_blank.any():
        body = body[~is_blank]
        filled = {pos: found[~is_blank] for pos, found in filled.items()}
    issues: list[dict] = []

    def header_issue(pos, message, severity="warning", row=header_row + 1):
        header = originals[pos]
        label = str(header) if header is not None else f"column {excel_column(pos)}"
        return {
            **_file_issue(table, name, message, severity),
            "row": row,
            "column": label,
            "value": "" if header is None else str(header),
        }

    # A column named twice (序号 and 编号 both name the id): the header whose spelling comes
    # first among the column's accepted ones is read, wherever it stands (an export's 序号
    # numbers the rows left of the real 编号), and the other is named in a warning.
    rank = header_rank(table, mapping)
    by_spelling = sorted(canonical.dropna().index, key=lambda pos: (rank.get(keys[pos], 0), pos))
    first = canonical[by_spelling].drop_duplicates().sort_index()
    present = set(first)
    for pos in canonical.index:
        if pos in first.index:
            continue
        if pd.notna(canonical[pos]):
            read = first.index[first == canonical[pos]][0]
            why = (
                "only the first is read"
                if keys[read] == keys[pos]
                else f"{originals[read]} is read, as the accepted spelling that comes first,"
                " and this column is ignored"
            )
            issues.append(header_issue(pos, f"column {canonical[pos]} appears twice; {why}"))
        elif originals[pos] is not None and str(originals[pos]).strip():
            message = _unrecognised(table, str(originals[pos]), lookup, present)
            issues.append(header_issue(pos, message))
        elif filled[pos].any():
            row = int(body.index[filled[pos]][0]) + 1
            issues.append(
                header_issue(pos, "values in a column without a header are ignored", row=row)
            )
    frame = body[list(first.index)].rename(columns=first.to_dict())
    frame["_row"] = body.index.to_numpy() + 1  # cells row i is row i + 1 in Excel
    raw = RawTable(table, name, frame.reset_index(drop=True), issues, int(is_blank.sum()))
    if sheet is not None:
        raw.cell_issues = _cell_issues(sheet, body.index, first)
    missing = [c for c in COLUMNS[table] if c.required and c.name not in present]
    for col in missing:
        raw.issues.append(
            {
                **_file_issue(
                    table,
                    name,
                    f"required column {col.name} ({col.zh}) is missing;"
                    f" accepted headers: {', '.join(col.headers)}",
                ),
                "row": header_row + 1,
                "column": column_label(table, col.name),
            }
        )
    raw.fatal = bool(missing)
    if raw.frame.empty and not raw.fatal:
        raw.issues.append(
            _file_issue(table, name, "the file has a header but no data rows", "warning")
        )
    return raw


def _filled(cells: pd.Series) -> np.ndarray:
    """Whether each cell holds more than whitespace (Arrow's kernels for CSV's string cells)."""
    if cells.dtype == "string[pyarrow]":
        values = pa.array(cells)  # no copy: the column is Arrow-backed
        # not empty and not only whitespace (what trimming would leave empty)
        filled = pc.and_(
            pc.greater(pc.binary_length(values), 0), pc.invert(pc.utf8_is_space(values))
        )
        return np.asarray(pc.fill_null(filled, False), dtype=bool)
    values = cells.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        # a workbook's text column: the kernels of .astype("string").str.strip().ne("") on its
        # Arrow array, without pandas' overhead (every column of every sheet is looked at)
        text = pa.array(values, type=pa.large_string(), from_pandas=True)
        filled = pc.not_equal(pc.utf8_trim_whitespace(text), "")
        return np.asarray(pc.fill_null(filled, False), dtype=bool)
    return cells.astype("string").str.strip().ne("").fillna(False).to_numpy(dtype=bool)


def _cell_issues(sheet: Sheet, rows: pd.Index, columns: pd.Series) -> pd.DataFrame:
    """Marked cells and hidden cells of merged ranges that fall in the rows and columns read.

    ``rows`` are the 0-based sheet rows kept as records, ``columns`` maps the sheet's
    column positions read to canonical names. Each issue is an error on its record.
    """
    if not sheet.marks and not sheet.merged:  # most sheets: none, and no frames to build
        return _NO_SHEET_CELL_ISSUES.copy()
    position = pd.Series(np.arange(len(rows)), index=rows)
    found = [(m.row, m.col, m.value, m.message) for m in sheet.marks]
    for r0, c0, r1, c1 in sheet.merged:
        anchor = sheet.cells.iat[r0, c0] if r0 < len(sheet.cells) else None
        shown = "" if anchor is None else str(anchor)
        ref = f"{cell_name(r0, c0)}:{cell_name(r1, c1)}"
        for col in columns.index[(columns.index >= c0) & (columns.index <= c1)]:
            for row in rows[(rows >= r0) & (rows <= r1)]:
                if (row, col) != (r0, c0):
                    found.append(
                        (
                            row,
                            col,
                            shown,
                            f"cell {cell_name(row, col)} is part of the merged cells {ref}, whose"
                            f" value is in {cell_name(r0, c0)} only: unmerge the cells and"
                            " fill in every row",
                        )
                    )
    found = [f for f in found if f[0] in position.index and f[1] in columns.index]
    frame = pd.DataFrame(found, columns=["sheet_row", "sheet_col", "value", "message"])
    frame = frame.drop_duplicates(["sheet_row", "sheet_col"])
    return _cell_frame(
        position.reindex(frame["sheet_row"]).to_numpy(dtype="int64"),
        columns.reindex(frame["sheet_col"]).to_numpy(dtype=object),
        frame["value"].to_numpy(dtype=object),
        frame["message"].to_numpy(dtype=object),
    )


def _cell_frame(index, column, value, message) -> pd.DataFrame:
    return pd.DataFrame(
        {"index": index, "column": column, "value": value, "message": message},
        columns=CELL_ISSUE_COLUMNS,
    )


_NO_SHEET_CELL_ISSUES = _cell_frame(np.empty(0, "int64"), *(np.empty(0, object) for _ in range(3)))


def _unreadable(table: str, name: str, message: str) -> RawTable:
    return RawTable(
        table, name, pd.DataFrame({"_row": []}), [_file_issue(table, name, message)], fatal=True
    )
