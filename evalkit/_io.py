"""Reading raw export files: find them, decode them, locate the header row.

The result of reading is a frame of raw cell values with canonical column
names and a ``_row`` column holding the row number as Excel (or a text
editor, for CSV) shows it, so that every later message can point at the cell.
"""

from __future__ import annotations

import csv
import difflib
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit._schema import COLUMNS, FILE_STEMS, TABLES

SUFFIXES = (".csv", ".xlsx")
MAPPING_FILE = "mapping.toml"
# An export of a county for a year is a few MB; these limits refuse zip bombs.
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
HEADER_SEARCH_ROWS = 10


class DataError(ValueError):
    """A data folder cannot be read at all (no such folder, unreadable mapping file)."""


@dataclass
class RawTable:
    """The cells of one file, renamed to canonical columns where recognised."""

    table: str
    file: str
    frame: pd.DataFrame  # canonical columns (object dtype) + "_row"
    issues: list[dict] = field(default_factory=list)
    blank_rows: int = 0
    fatal: bool = False  # the file could not be read; every row is rejected


def normalize_text(values: pd.Series) -> pd.Series:
    """NFKC-normalise (full-width digits, letters and spaces become ASCII) and trim."""
    text = values.astype("string")
    return text.map(lambda s: unicodedata.normalize("NFKC", s), na_action="ignore").str.strip()


def header_key(name: object) -> str:
    """The form in which headers are compared: NFKC, no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", str(name)).split()).lower()


def read_mapping(folder: Path) -> dict:
    """Read ``mapping.toml`` from a data folder: ``files``, ``columns`` and ``values`` overrides."""
    path = folder / MAPPING_FILE
    if not path.exists():
        return {"files": {}, "columns": {}, "values": {}}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a valid TOML file: {exc}") from exc
    unknown = set(data) - {"files", "columns", "values"}
    if unknown:
        raise DataError(
            f"{path}: unknown section {sorted(unknown)[0]!r}; expected files, columns or values"
        )
    for table in set(data.get("columns", {})) - set(TABLES):
        raise DataError(f"{path}: [columns.{table}] is not a table; expected one of {TABLES}")
    return {key: data.get(key, {}) for key in ("files", "columns", "values")}


def find_files(folder: Path, mapping: dict) -> tuple[dict[str, Path], list[dict]]:
    """Locate the file of each table in ``folder``; report missing and ambiguous ones."""
    found: dict[str, Path] = {}
    issues: list[dict] = []
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
    )
    for table in TABLES:
        if table in mapping["files"]:
            path = folder / mapping["files"][table]
            if path.exists():
                found[table] = path
            else:
                issues.append(_file_issue(table, str(path), "file named in mapping.toml not found"))
            continue
        stems = {header_key(s) for s in FILE_STEMS[table]}
        matches = [p for p in files if header_key(p.stem) in stems]
        wrong = [p for p in matches if p.suffix.lower() not in SUFFIXES]
        matches = [p for p in matches if p.suffix.lower() in SUFFIXES]
        for path in wrong:
            issues.append(
                _file_issue(
                    table,
                    str(path),
                    f"unsupported file type {path.suffix!r}: save as .xlsx or .csv",
                )
            )
        if len(matches) > 1:
            names = ", ".join(p.name for p in matches)
            issues.append(
                _file_issue(table, str(folder), f"several files for {table}: {names}; keep one")
            )
        elif matches:
            found[table] = matches[0]
        elif table != "faults" and not wrong:
            expected = " or ".join(f"{s}.csv/.xlsx" for s in FILE_STEMS[table][:2])
            issues.append(_file_issue(table, str(folder), f"no {table} file: expected {expected}"))
    return found, issues


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
    """Read every cell of the first sheet (XLSX) or of a CSV as raw values, row 1 first.

    Raises ``DataError`` with a readable reason when the file cannot be read.
    """
    if path.stat().st_size == 0:
        raise DataError("the file is empty (0 bytes)")
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    return _read_csv(path)


def _read_csv(path: Path) -> pd.DataFrame:
    from io import StringIO

    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        text = raw[3:].decode("utf-8", errors="strict")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:  # Excel on Chinese Windows saves CSV as GBK; GB18030 is its superset.
                text = raw.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise DataError(f"not UTF-8 or GBK text (byte {exc.start})") from exc
    # csv.reader, not read_csv: a title row above the header has fewer fields than the data,
    # and each record is one row as Excel shows it even when a cell holds a line break.
    try:
        rows = list(csv.reader(StringIO(text, newline="")))
    except csv.Error as exc:
        raise DataError(f"not a readable CSV file: {exc}") from exc
    cells = pd.DataFrame(rows, dtype=object)
    return cells.where(cells.notna() & cells.ne(""), None)


def _read_xlsx(path: Path) -> pd.DataFrame:
    if not zipfile.is_zipfile(path):
        raise DataError("not an Excel workbook (.xlsx files are zip archives; is it text renamed?)")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        packed = max(sum(i.compress_size for i in infos), 1)
        if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
            raise DataError(
                f"refused: the workbook expands to {total:,} bytes ({total / packed:.0f}x its size);"
                " limits are 256 MB and 200x"
            )
    import openpyxl  # imported here: it is slow to import and CSV users do not need it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # defusedxml and zip errors come in many types
        reason = type(exc).__name__
        if "Entit" in reason or "DTD" in reason or "Forbidden" in reason:
            raise DataError("refused: the workbook contains XML entity declarations") from exc
        raise DataError(f"not a readable Excel workbook ({reason}: {exc})") from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # do not trust the stored size: read every row there is
        rows = list(sheet.iter_rows(min_row=1, values_only=True))
    except Exception as exc:
        reason = type(exc).__name__
        if "Entit" in reason or "DTD" in reason or "Forbidden" in reason:
            raise DataError("refused: the workbook contains XML entity declarations") from exc
        raise DataError(f"not a readable Excel workbook ({reason}: {exc})") from exc
    finally:
        book.close()
    return pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()


def header_lookup(table: str, mapping: dict) -> dict[str, str]:
    """Map every accepted header spelling (as ``header_key``) to its canonical column."""
    lookup = {header_key(h): c.name for c in COLUMNS[table] for h in c.headers}
    for header, canonical in mapping["columns"].get(table, {}).items():
        lookup[header_key(header)] = canonical
    return lookup


def read_table(table: str, path: Path, mapping: dict) -> RawTable:
    """Read one file into a :class:`RawTable`, recording file-level issues."""
    name = str(path)
    try:
        cells = read_cells(path)
    except DataError as exc:
        return RawTable(
            table,
            name,
            pd.DataFrame({"_row": []}),
            [_file_issue(table, name, str(exc))],
            fatal=True,
        )
    return frame_to_raw(table, name, cells, mapping)


def frame_to_raw(
    table: str, name: str, cells: pd.DataFrame, mapping: dict, header_row: int | None = None
) -> RawTable:
    """Find the header in raw ``cells`` (or take ``header_row``), rename columns, drop blank rows."""
    lookup = header_lookup(table, mapping)
    known = set(mapping["columns"].get(table, {}).values()) | {c.name for c in COLUMNS[table]}
    bad = sorted(known - {c.name for c in COLUMNS[table]})
    if bad:
        raise DataError(f"mapping.toml: [columns.{table}] maps to unknown column {bad[0]!r}")
    issues: list[dict] = []
    if cells.empty:
        return RawTable(
            table,
            name,
            pd.DataFrame({"_row": []}),
            [_file_issue(table, name, "the file has no rows")],
            fatal=True,
        )
    if header_row is None:
        head = cells.head(HEADER_SEARCH_ROWS)
        hits = head.apply(
            lambda col: col.map(lambda v: header_key(v) in lookup if v is not None else False)
        )
        score = hits.sum(axis=1)
        if score.max() == 0:
            issues.append(
                _file_issue(
                    table,
                    name,
                    "no header row found in the first 10 rows: expected"
                    f" columns such as {', '.join(c.zh for c in COLUMNS[table][:4])}",
                )
            )
            return RawTable(table, name, pd.DataFrame({"_row": []}), issues, fatal=True)
        header_row = int(score.idxmax())
    headers = [header_key(v) if v is not None else "" for v in cells.iloc[header_row]]
    body = cells.iloc[header_row + 1 :].copy()
    body.columns = range(body.shape[1])
    body["_row"] = np.arange(header_row + 2, header_row + 2 + len(body))
    columns: dict[int, str] = {}
    seen: dict[str, int] = {}
    for pos, (head_key, original) in enumerate(zip(headers, cells.iloc[header_row], strict=True)):
        if not head_key:
            continue
        canonical = lookup.get(head_key)
        if canonical is None:
            close = difflib.get_close_matches(head_key, list(lookup), n=3, cutoff=0.4)
            options = sorted({lookup[c] for c in close}) or [c.name for c in COLUMNS[table]]
            issues.append(
                {
                    **_file_issue(
                        table,
                        name,
                        "unrecognised column ignored; it could map to "
                        + ", ".join(options)
                        + " (add it to mapping.toml)",
                        "warning",
                    ),
                    "row": header_row + 1,
                    "column": str(original),
                    "value": str(original),
                }
            )
        elif canonical in seen:
            issues.append(
                {
                    **_file_issue(
                        table,
                        name,
                        f"column {canonical} appears twice; the first is used",
                        "warning",
                    ),
                    "row": header_row + 1,
                    "column": str(original),
                }
            )
        else:
            seen[canonical] = pos
            columns[pos] = canonical
    frame = body[list(columns) + ["_row"]].rename(columns=columns)
    values = frame.drop(columns="_row")
    blank = values.isna() | values.apply(lambda c: c.astype("string").str.strip().eq("")).fillna(
        True
    )
    is_blank = blank.all(axis=1) if len(values.columns) else pd.Series(True, index=frame.index)
    raw = RawTable(
        table, name, frame[~is_blank].reset_index(drop=True), issues, blank_rows=int(is_blank.sum())
    )
    missing = [c for c in COLUMNS[table] if c.required and c.name not in frame.columns]
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
                "column": col.zh,
            }
        )
    raw.fatal = bool(missing)
    if raw.frame.empty and not raw.fatal:
        raw.issues.append(
            _file_issue(table, name, "the file has a header but no data rows", "warning")
        )
    return raw
