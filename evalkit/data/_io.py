"""Reading raw export files: decode them, choose a workbook's sheets, locate the header row.

The files themselves, and the folder's ``mapping.toml``, are found by
:mod:`evalkit.data._mapping`. The result of reading is a frame of raw cell values with
canonical column names and a ``_row`` column holding the row number as Excel (or a text
editor, for CSV) shows it, so that every later message can point at the cell.
Workbooks are read by :mod:`evalkit.data._xlsx` (calamine, after safety checks); the
header row is found by :mod:`evalkit.data._headers` and the frame built into a
:class:`RawTable` by :mod:`evalkit.data._raw_table` (both re-exported here).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.data._csv import MAX_CELL_CHARS, CsvError
from evalkit.data._csv import read_csv as _parse_csv
from evalkit.data._headers import (
    HEADER_SEARCH_ROWS,
    _header_row,
    column_label,
    header_keys,
    header_lookup,
)
from evalkit.data._headers import header_key as header_key
from evalkit.data._raw_table import RawTable, _file_issue, _unreadable, frame_to_raw
from evalkit.data._schema import COLUMNS
from evalkit.data._xlsx import (
    MAX_COMPRESSION_RATIO,
    MAX_SHEET_CELLS,
    MAX_UNCOMPRESSED_BYTES,
    Sheet,
    WorkbookError,
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
MAX_FILE_BYTES = 2 * 1024**3  # any data file, CSV or workbook


class DataError(ValueError):
    """A data folder cannot be read at all (no such folder, unreadable mapping file)."""


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
