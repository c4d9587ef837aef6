"""Reading raw export files: decode them, locate the header row.

The files themselves, and the folder's ``mapping.toml``, are found by
:mod:`evalkit.data._mapping`. The result of reading is a frame of raw cell values with
canonical column names and a ``_row`` column holding the row number as Excel (or a text
editor, for CSV) shows it, so that every later message can point at the cell.
Workbooks are read by :mod:`evalkit.data._xlsx` (calamine, after safety checks).
"""

from __future__ import annotations

import difflib
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.data._csv import MAX_CELL_CHARS, CsvError
from evalkit.data._csv import read_csv as _parse_csv
from evalkit.data._schema import COLUMNS
from evalkit.data._xlsx import (
    MAX_COMPRESSION_RATIO,
    MAX_SHEET_CELLS,
    MAX_UNCOMPRESSED_BYTES,
    Sheet,
    WorkbookError,
    cell_name,
    read_workbook,
)

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_COMPRESSION_RATIO",
    "MAX_FILE_BYTES",
    "MAX_SHEET_CELLS",
    "MAX_UNCOMPRESSED_BYTES",
    "DataError",
    "RawTable",
]

SUFFIXES = (".csv", ".xlsx")
HEADER_SEARCH_ROWS = 10
MAX_FILE_BYTES = 2 * 1024**3  # any data file, CSV or workbook
CELL_ISSUE_COLUMNS = ["index", "column", "value", "message"]


class DataError(ValueError):
    """A data folder cannot be read at all (no such folder, unreadable mapping file)."""


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
    cell_issues: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=CELL_ISSUE_COLUMNS)
    )
    # The file name of each record when the records come from several sheets
    # ("file [sheet]"); None when every record comes from ``file``.
    row_files: np.ndarray | None = None

    def files(self, mask=None):
        """The file name of the records selected by ``mask`` (a name, or one per record)."""
        if self.row_files is None:
            return self.file
        return self.row_files if mask is None else self.row_files[np.asarray(mask, dtype=bool)]


def header_key(name: object) -> str:
    """The form in which headers, names and spellings are compared: NFKC, no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", str(name)).split()).lower()


def header_keys(values: pd.Series) -> pd.Series:
    """:func:`header_key` of every cell of ``values`` at once (NA stays NA)."""
    text = values.astype("string").str.normalize("NFKC")
    return text.str.replace(r"\s+", "", regex=True).str.lower()


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


def read_cells(path: Path) -> pd.DataFrame:
    """Every cell of a CSV file, or of the first worksheet of a workbook, as raw values.

    Row 1 first; empty cells are ``None``. Raises ``DataError`` with a readable
    reason when the file cannot be read.
    """
    if _suffix(path) == ".xlsx":
        return _read_sheets(path)[0].cells
    return _read_csv(path).cells


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def _read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file; anything else (a FIFO, a device, a folder) is refused."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"not a regular file but {_kind(info.st_mode)}: put the data file here")
        if info.st_size == 0:
            raise DataError("the file is empty (0 bytes)")
        if info.st_size > limit:
            raise DataError(f"refused: the file has {info.st_size:,} bytes (limit {limit:,})")
        return path.read_bytes()
    except FileNotFoundError as exc:
        if path.is_symlink():
            raise DataError(
                f"a link to {os.readlink(path)}, which does not exist: link or copy the file itself"
            ) from exc
        raise DataError("the file does not exist (it was removed while reading?)") from exc
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror or exc}") from exc


def _kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((what for test, what in kinds if test(mode)), "a special file")


def _read_csv(path: Path) -> Sheet:
    """A CSV file as one sheet: string cells, and its long and swallowing cells marked."""
    try:
        cells, marks = _parse_csv(_read_bytes(path))
    except CsvError as exc:
        raise DataError(str(exc)) from exc
    return Sheet("", "visible", cells, marks)


def _read_sheets(path: Path) -> list[Sheet]:
    _read_bytes(path)  # the same checks as for CSV: a regular, non-empty file within the limit
    try:
        return read_workbook(path)
    except WorkbookError as exc:
        raise DataError(str(exc)) from exc
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror or exc}") from exc


def header_lookup(table: str, mapping: dict) -> dict[str, str]:
    """Map every accepted header spelling (as ``header_key``) to its canonical column."""
    lookup = {header_key(h): c.name for c in COLUMNS[table] for h in c.headers}
    for header, canonical in mapping["columns"].get(table, {}).items():
        lookup[header_key(header)] = canonical
    return lookup


def read_table(table: str, path: Path, mapping: dict) -> RawTable:
    """Read one file into a :class:`RawTable`, recording file-level issues.

    Of a workbook, every visible worksheet whose header row holds the table's
    required columns is read (rows of several sheets are named ``file [sheet]``);
    a hidden sheet is read only when no visible one qualifies. Every sheet with
    content that is not read is named in a warning.
    """
    name = str(path)
    try:
        if _suffix(path) != ".xlsx":
            sheet = _read_csv(path)
            return frame_to_raw(table, name, sheet.cells, mapping, sheet=sheet)
        sheets = _read_sheets(path)
    except DataError as exc:
        return _unreadable(table, name, str(exc))
    return _raw_from_sheets(table, name, sheets, mapping)


def _raw_from_sheets(table: str, name: str, sheets: list[Sheet], mapping: dict) -> RawTable:
    lookup = header_lookup(table, mapping)
    required = {c.name for c in COLUMNS[table] if c.required}
    found = {}  # sheet name -> (header row, canonical columns in it)
    for sheet in sheets:
        row = _header_row(sheet.cells, lookup)
        present = set() if row is None else set(header_keys(sheet.cells.iloc[row]).map(lookup))
        found[sheet.name] = (row, present)
    complete = [s for s in sheets if required <= found[s.name][1]]
    chosen = [s for s in complete if s.visible] or complete
    if not chosen:  # no sheet has every required column: the best one says what it lacks
        best = max(sheets, key=lambda s: (s.visible, len(found[s.name][1])))
        chosen = [best]
    several = len(chosen) > 1
    raws = [
        frame_to_raw(
            table,
            f"{name} [{sheet.name}]" if several else name,
            sheet.cells,
            mapping,
            found[sheet.name][0],
            sheet=sheet,
        )
        for sheet in chosen
    ]
    raw = raws[0] if not several else _concat(table, name, raws)
    for sheet in sheets:
        if sheet in chosen or not sheet.cells.notna().any(axis=None):
            continue
        row, present = found[sheet.name]
        if sheet in complete:
            why = f"it is {_state(sheet)} and visible sheets hold the {table} records"
        elif row is None:
            why = f"it has no header row of {table} in its first {HEADER_SEARCH_ROWS} rows"
        else:
            lacking = ", ".join(column_label(table, c) for c in sorted(required - present))
            why = f"its header row lacks {lacking}"
        raw.issues.append(
            {
                **_file_issue(
                    table,
                    name,
                    f"sheet {sheet.name!r} ({_state(sheet)}, {len(sheet.cells)} rows) is not"
                    f" read: {why}",
                    "warning",
                ),
                "value": sheet.name,
            }
        )
    hidden = [s.name for s in chosen if not s.visible]
    if hidden:
        raw.issues.append(
            {
                **_file_issue(
                    table,
                    name,
                    f"read from hidden sheet {', '.join(map(repr, hidden))}: no visible sheet"
                    f" has the {table} columns",
                    "warning",
                ),
                "value": ", ".join(hidden),
            }
        )
    if several:
        names = ", ".join(repr(s.name) for s in chosen)
        raw.issues.append(
            {
                **_file_issue(
                    table, name, f"{len(chosen)} sheets read as one table: {names}", "warning"
                ),
                "value": ", ".join(s.name for s in chosen),
            }
        )
    return raw


def _state(sheet: Sheet) -> str:
    return {"hidden": "hidden", "veryHidden": "very hidden"}.get(sheet.state, "visible")


def _concat(table: str, name: str, raws: list[RawTable]) -> RawTable:
    """The rows of several sheets as one table; each row keeps its sheet's name."""
    frame = pd.concat([r.frame for r in raws], ignore_index=True)
    offsets = np.cumsum([0] + [len(r.frame) for r in raws[:-1]])
    cells = [
        r.cell_issues.assign(index=r.cell_issues["index"] + offset)
        for r, offset in zip(raws, offsets, strict=True)
    ]
    return RawTable(
        table,
        name,
        frame,
        [issue for r in raws for issue in r.issues],
        sum(r.blank_rows for r in raws),
        any(r.fatal for r in raws),
        cell_issues=pd.concat(cells, ignore_index=True),
        row_files=np.concatenate([np.full(len(r.frame), r.file, dtype=object) for r in raws]),
    )


def column_label(table: str, column: str) -> str:
    """How issues name a column: ``title (标题)``; other names are returned as they are."""
    match = [c for c in COLUMNS[table] if c.name == column]
    return f"{column} ({match[0].zh})" if match else column


def excel_column(position: int) -> str:
    """Excel's letter for a 0-based column position: 0 -> A, 26 -> AA."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _header_row(cells: pd.DataFrame, lookup: dict[str, str]) -> int | None:
    """The row among the first ``HEADER_SEARCH_ROWS`` with the most recognised names."""
    head = cells.head(HEADER_SEARCH_ROWS)
    if head.empty:
        return None
    # a few dozen cells: header_key on each is cheaper than a column of pandas string calls
    score = pd.Series(
        [
            sum(header_key(v) in lookup for v in row if not _missing(v))
            for row in head.to_numpy(dtype=object)
        ],
        index=head.index,
    )
    return None if score.max() == 0 else int(score.idxmax())


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


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
    canonical = header_keys(originals).map(lookup)
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

    first = canonical.dropna().drop_duplicates()
    present = set(first)
    for pos in canonical.index:
        if pos in first.index:
            continue
        if pd.notna(canonical[pos]):
            issues.append(
                header_issue(pos, f"column {canonical[pos]} appears twice; only the first is read")
            )
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
    return cells.astype("string").str.strip().ne("").fillna(False).to_numpy(dtype=bool)


def _cell_issues(sheet: Sheet, rows: pd.Index, columns: pd.Series) -> pd.DataFrame:
    """Marked cells and hidden cells of merged ranges that fall in the rows and columns read.

    ``rows`` are the 0-based sheet rows kept as records, ``columns`` maps the sheet's
    column positions read to canonical names. Each issue is an error on its record.
    """
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
    return pd.DataFrame(
        {
            "index": position.reindex(frame["sheet_row"]).to_numpy(dtype="int64"),
            "column": columns.reindex(frame["sheet_col"]).to_numpy(dtype=object),
            "value": frame["value"].to_numpy(dtype=object),
            "message": frame["message"].to_numpy(dtype=object),
        },
        columns=CELL_ISSUE_COLUMNS,
    )


def _unreadable(table: str, name: str, message: str) -> RawTable:
    return RawTable(
        table, name, pd.DataFrame({"_row": []}), [_file_issue(table, name, message)], fatal=True
    )


def _unrecognised(table: str, header: str, lookup: dict[str, str], present: set[str]) -> str:
    """The warning for an unrecognised header: the columns it could be (close spellings first,
    else the columns the file lacks)."""
    close = difflib.get_close_matches(header_key(header), list(lookup), n=5, cutoff=0.4)
    options = list(dict.fromkeys(lookup[c] for c in close))
    options = options or [c.name for c in COLUMNS[table] if c.name not in present]
    if not options:
        return f"unrecognised column ignored (every column of {table} is already present)"
    labels = " or ".join(column_label(table, c) for c in options)
    return f"unrecognised column ignored; it could be {labels} (map it in mapping.toml [columns])"
