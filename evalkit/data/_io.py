"""Reading raw export files: find them, decode them, locate the header row.

The result of reading is a frame of raw cell values with canonical column
names and a ``_row`` column holding the row number as Excel (or a text
editor, for CSV) shows it, so that every later message can point at the cell.
"""

from __future__ import annotations

import csv
import difflib
import itertools
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evalkit.data._schema import COLUMNS, ENUMS, FILE_STEMS, OPTIONAL_TABLES, TABLES

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


def header_key(name: object) -> str:
    """The form in which headers, names and spellings are compared: NFKC, no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", str(name)).split()).lower()


def header_keys(values: pd.Series) -> pd.Series:
    """:func:`header_key` of every cell of ``values`` at once (NA stays NA)."""
    text = values.astype("string").str.normalize("NFKC")
    return text.str.replace(r"\s+", "", regex=True).str.lower()


EMPTY_MAPPING = {"files": {}, "columns": {}, "values": {}}


def read_mapping(folder: Path) -> dict:
    """Read and check ``mapping.toml`` of a data folder (see :func:`check_mapping`)."""
    path = folder / MAPPING_FILE
    if not path.exists():
        return check_mapping({})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a valid TOML file: {exc}") from exc
    return check_mapping(data, str(path))


def check_mapping(data: dict, source: str = "mapping") -> dict:
    """Check a mapping and resolve its targets to canonical names.

    A mapping has up to three sections: ``files`` (table -> file name),
    ``columns`` (table -> {header: column}) and ``values`` (enumeration ->
    {spelling: value}). A target may be a canonical name or any spelling the
    schema already accepts (``"标题"`` as well as ``"title"``).

    Raises
    ------
    DataError
        Naming the first unknown section, table, column, enumeration or value.
    """

    def fail(message: str) -> DataError:
        return DataError(f"{source}: {message}")

    unknown = set(data) - set(EMPTY_MAPPING)
    if unknown:
        raise fail(f"unknown section [{sorted(unknown)[0]}]; expected files, columns or values")
    files, columns, values = (data.get(key, {}) for key in ("files", "columns", "values"))
    for section, allowed in (("files", TABLES), ("columns", TABLES), ("values", tuple(ENUMS))):
        if not isinstance(data.get(section, {}), dict):
            raise fail(f"[{section}] must be a table of names")
        for name in set(data.get(section, {})) - set(allowed):
            raise fail(f"[{section}] {name!r} is not one of {', '.join(allowed)}")
    resolved: dict = {"files": {t: str(f) for t, f in files.items()}, "columns": {}, "values": {}}
    for table, headers in columns.items():
        lookup = {header_key(h): c.name for c in COLUMNS[table] for h in c.headers}
        names = ", ".join(c.name for c in COLUMNS[table])
        resolved["columns"][table] = {}
        if not isinstance(headers, dict):
            raise fail(f"[columns.{table}] must be a table of header = column lines")
        for header, target in headers.items():
            if header_key(target) not in lookup:
                raise fail(f"[columns.{table}] {header!r} = {target!r}: expected one of {names}")
            resolved["columns"][table][str(header)] = lookup[header_key(target)]
    for enum_name, spellings in values.items():
        lookup = {header_key(k): v for k, v in ENUMS[enum_name].spellings.items()}
        names = ", ".join(ENUMS[enum_name].values)
        resolved["values"][enum_name] = {}
        if not isinstance(spellings, dict):
            raise fail(f"[values.{enum_name}] must be a table of spelling = value lines")
        for spelling, target in spellings.items():
            if header_key(target) not in lookup:
                raise fail(
                    f"[values.{enum_name}] {spelling!r} = {target!r}: expected one of {names}"
                )
            resolved["values"][enum_name][str(spelling)] = lookup[header_key(target)]
    return resolved


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
            if not path.is_file():
                issues.append(_file_issue(table, str(path), "file named in mapping.toml not found"))
            elif path.suffix.lower() not in SUFFIXES:
                issues.append(_file_issue(table, str(path), _unsupported(path)))
            else:
                found[table] = path
            continue
        stems = {header_key(s) for s in FILE_STEMS[table]}
        matches = [p for p in files if header_key(p.stem) in stems]
        wrong = [p for p in matches if p.suffix.lower() not in SUFFIXES]
        matches = [p for p in matches if p.suffix.lower() in SUFFIXES]
        issues += [_file_issue(table, str(path), _unsupported(path)) for path in wrong]
        if len(matches) > 1:
            names = ", ".join(p.name for p in matches)
            issues.append(
                _file_issue(table, str(folder), f"several files for {table}: {names}; keep one")
            )
        elif matches:
            found[table] = matches[0]
        elif table not in OPTIONAL_TABLES and not wrong:
            expected = " or ".join(f"{s}.csv/.xlsx" for s in FILE_STEMS[table][:2])
            present = ", ".join(p.name for p in files) or "none"
            issues.append(
                _file_issue(
                    table,
                    str(folder),
                    f"no {table} file: expected {expected}, or name the file in mapping.toml"
                    f" [files] (files in the folder: {present})",
                )
            )
    return found, issues


def _unsupported(path: Path) -> str:
    return f"unsupported file type {path.suffix!r}: save it as .xlsx (Excel 工作簿) or .csv"


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
    try:
        if path.stat().st_size == 0:
            raise DataError("the file is empty (0 bytes)")
        if path.suffix.lower() == ".xlsx":
            return _read_xlsx(path)
        return _read_csv(path)
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror or exc}") from exc


def _read_csv(path: Path) -> pd.DataFrame:
    from io import StringIO

    raw = path.read_bytes()
    # UTF-8 (a BOM is dropped), else GBK as Excel on Chinese Windows saves CSV (GB18030 is
    # its superset). A file with a UTF-8 BOM must be UTF-8 throughout.
    encodings = ("utf-8-sig",) if raw.startswith(b"\xef\xbb\xbf") else ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            error = exc
    else:
        raise DataError(
            f"not UTF-8 or GBK text (undecodable byte at offset {error.start}):"
            " save it as CSV UTF-8 or as .xlsx"
        )
    # csv.reader, not read_csv: a title row above the header has fewer fields than the data,
    # and each record is one row as Excel shows it even when a cell holds a line break.
    try:
        rows = list(csv.reader(StringIO(text, newline="")))
    except csv.Error as exc:
        raise DataError(f"not a readable CSV file: {exc}") from exc
    cells = _cells(rows)
    return cells.where(cells.ne(""), None)


def _read_xlsx(path: Path) -> pd.DataFrame:
    if not zipfile.is_zipfile(path):
        raise DataError("not an Excel workbook (.xlsx files are zip archives; is it text renamed?)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DataError(f"not a readable Excel workbook (damaged zip archive: {exc})") from exc
    # Declared sizes bound what zipfile will inflate, so checking them refuses zip bombs.
    total = sum(i.file_size for i in infos)
    ratio = total / max(sum(i.compress_size for i in infos), 1)
    if total > MAX_UNCOMPRESSED_BYTES or ratio > MAX_COMPRESSION_RATIO:
        raise DataError(
            f"refused: the workbook would expand to {total:,} bytes, {ratio:.0f} times its"
            f" compressed size (limits: {MAX_UNCOMPRESSED_BYTES:,} bytes and"
            f" {MAX_COMPRESSION_RATIO} times); save it again from Excel"
        )
    import openpyxl  # imported here: it is slow to import and CSV users do not need it

    book = None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # do not trust the stored size: read every row there is
        rows = list(sheet.iter_rows(min_row=1, values_only=True))
    except Exception as exc:  # openpyxl, zip and XML errors come in many types
        raise _workbook_error(exc) from exc
    finally:
        if book is not None:
            book.close()
    return _cells(rows)


def _cells(rows: list) -> pd.DataFrame:
    """Rows of unequal length as one frame of objects, short rows padded with None."""
    columns = itertools.zip_longest(*rows)  # a transpose in C; no loop over records here
    return pd.DataFrame(dict(enumerate(columns)), index=range(len(rows)), dtype=object)


def _workbook_error(exc: BaseException) -> DataError:
    """A readable reason for a workbook openpyxl could not read; entity tricks are named."""
    from defusedxml import DefusedXmlException

    cause: BaseException | None = exc
    while cause is not None:  # openpyxl wraps the parser's error in its own
        if isinstance(cause, DefusedXmlException):
            return DataError(
                "refused: the workbook's XML declares entities or a DTD (a known attack;"
                " Excel never writes them): open it in Excel and save it again"
            )
        cause = cause.__cause__ or cause.__context__
    return DataError(f"not a readable Excel workbook ({type(exc).__name__}: {exc})")


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
        return _unreadable(table, name, str(exc))
    return frame_to_raw(table, name, cells, mapping)


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


def frame_to_raw(
    table: str, name: str, cells: pd.DataFrame, mapping: dict, header_row: int | None = None
) -> RawTable:
    """Find the header in raw ``cells`` (or take ``header_row``), rename columns, drop blank rows.

    Rows above the header (titles) are skipped; a row is blank, and counted in
    ``blank_rows`` rather than read, when every one of its cells is empty.
    """
    lookup = header_lookup(table, mapping)
    if cells.empty:
        return _unreadable(table, name, "the file has no rows")
    cells = cells.astype(object).where(cells.notna(), None)
    cells.columns = range(cells.shape[1])
    if header_row is None:
        head = cells.head(HEADER_SEARCH_ROWS)
        score = head.apply(lambda col: header_keys(col).isin(list(lookup))).sum(axis=1)
        if score.max() == 0:
            expected = ", ".join(c.zh for c in COLUMNS[table] if c.required)
            return _unreadable(
                table,
                name,
                f"no header row found in the first {HEADER_SEARCH_ROWS} rows: expected"
                f" a row with the column names, such as {expected}",
            )
        header_row = int(score.idxmax())
    originals = cells.iloc[header_row]
    canonical = header_keys(originals).map(lookup)
    body = cells.iloc[header_row + 1 :]
    filled = body.notna() & body.apply(lambda col: col.astype("string").str.strip().ne(""))
    is_blank = ~filled.any(axis=1)
    body, filled = body[~is_blank], filled[~is_blank]
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
            row = int(body.index[filled[pos].to_numpy()][0]) + 1
            issues.append(
                header_issue(pos, "values in a column without a header are ignored", row=row)
            )
    frame = body[list(first.index)].rename(columns=first.to_dict())
    frame["_row"] = body.index.to_numpy() + 1  # cells row i is row i + 1 in Excel
    raw = RawTable(table, name, frame.reset_index(drop=True), issues, int(is_blank.sum()))
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
