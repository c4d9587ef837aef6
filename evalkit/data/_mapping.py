"""A data folder's ``mapping.toml`` (the office's own file names, headers and spellings)
and the file of each table in the folder, with every other entry reported."""

from __future__ import annotations

import tomllib
from pathlib import Path, PurePath

from evalkit.data._io import SUFFIXES, DataError, _file_issue, _read_bytes, _suffix, header_key
from evalkit.data._schema import COLUMNS, ENUMS, FILE_STEMS, OPTIONAL_TABLES, TABLES

MAPPING_FILE = "mapping.toml"
MAX_MAPPING_BYTES = 1024 * 1024
EMPTY_MAPPING = {"files": {}, "columns": {}, "values": {}}


def read_mapping(folder: Path) -> dict:
    """Read and check ``mapping.toml`` of a data folder (see :func:`check_mapping`)."""
    path = folder / MAPPING_FILE
    if not path.exists() and not path.is_symlink():
        return check_mapping({})
    try:
        text = _read_bytes(path, MAX_MAPPING_BYTES).decode("utf-8-sig")
        data = tomllib.loads(text)
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a valid TOML file: {exc}") from exc
    except RecursionError as exc:
        raise DataError(f"{path}: refused: nested too deeply to be a mapping") from exc
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
    for table, name in files.items():
        if not isinstance(name, str):
            raise fail(f"[files] {table} must be a file name in quotes")
        parts = PurePath(name.replace("\\", "/")).parts
        if (
            not parts
            or PurePath(name).is_absolute()
            or name.startswith(("/", "\\"))
            or ".." in parts
        ):
            raise fail(
                f"refused: [files] {table} = {name!r} is outside the data folder;"
                " put the file in the folder and name it without a path"
            )
    resolved: dict = {"files": dict(files), "columns": {}, "values": {}}
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
    """Locate the file of each table in ``folder``; report missing and ambiguous ones.

    Every other entry of the folder is reported as not read: an error when its
    name suggests a table (``faults_2025.xlsx``, ``2025年扣分记录.xlsx``), else a
    warning. A FIFO, a device, a folder or a broken link under a table's name is
    taken as that table's file, so that reading it reports what it is.
    """
    found: dict[str, Path] = {}
    issues: list[dict] = []
    entries = sorted(folder.iterdir())
    files = [p for p in entries if not p.name.startswith((".", "~$"))]
    named: set[str] = {MAPPING_FILE}  # entries already read or reported
    for table in TABLES:
        if table in mapping["files"]:
            path = folder / mapping["files"][table]
            named.add(path.name if path.parent == folder else "")
            if not path.exists() and not path.is_symlink():
                issues.append(_file_issue(table, str(path), "file named in mapping.toml not found"))
            elif _suffix(path) not in SUFFIXES:
                issues.append(_file_issue(table, str(path), _unsupported(path)))
            else:
                found[table] = path
            continue
        stems = {header_key(s) for s in FILE_STEMS[table]}
        matches = [p for p in files if header_key(p.stem) in stems]
        named.update(p.name for p in matches)
        wrong = [p for p in matches if _suffix(p) not in SUFFIXES]
        matches = [p for p in matches if _suffix(p) in SUFFIXES]
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
    issues += [_not_read(path) for path in entries if path.name not in named]
    return found, issues


# Suffixes of files that hold records: such a file whose name suggests a table is an error.
DATA_SUFFIXES = (*SUFFIXES, ".xls", ".xlsm", ".xlsb", ".et", ".ods", ".tsv", ".txt")


def _not_read(path: Path) -> dict:
    """The issue for an entry of the data folder that is not read."""
    key = header_key(path.name)
    table = next(
        (
            t
            for t in TABLES
            for stem in FILE_STEMS[t]
            if header_key(stem).removesuffix("s") in key and len(header_key(stem)) > 1
        ),
        None,
    )
    if path.name.startswith("~$"):
        what = "an Excel lock file: a workbook is open in Excel; save and close it"
    elif path.name.startswith("."):
        what = "a hidden file"
    elif path.is_dir():
        what = "a folder (files in folders are read only when mapping.toml names them)"
    elif table and _suffix(path) in DATA_SUFFIXES:
        stem = FILE_STEMS[table][0]
        return {
            **_file_issue(
                table,
                str(path),
                f"not read, but its name suggests {table}: rename it {stem}{_suffix(path)}"
                f" (or name it in mapping.toml [files] {table} = {path.name!r}), or move it"
                " out of the data folder",
            ),
            "value": path.name,
        }
    else:
        what = "not the file of any table"
    return {**_file_issue("", str(path), f"not read: {what}", "warning"), "value": path.name}


def _unsupported(path: Path) -> str:
    return f"unsupported file type {path.suffix!r}: save it as .xlsx (Excel 工作簿) or .csv"
