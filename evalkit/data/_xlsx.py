"""Reading .xlsx workbooks: checks that make a workbook safe to open, then calamine.

The cells are read by calamine (a Rust reader, about ten times faster than
openpyxl). Before calamine sees a byte, the archive is checked here with the
standard library: what the file really is (a zip, an old .xls, an OpenDocument
file, text), the size every part declares and the size it really inflates to,
DTDs and entities in the XML, and the extent of every worksheet, since calamine
allocates a cell for every position between A1 and the farthest cell.

Calamine reads an Excel error value (``#N/A``), a formula with no saved value
and the hidden cells of a merged range all as blanks; a blank that is not blank
would change a score without a word, so each of them is found in the sheet's XML
(or calamine's merged ranges) and returned as a :class:`Mark` on its cell.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

# An export of a county for a year is a few MB; these limits refuse zip bombs.
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # of the whole archive, and of each part over 1 MB
RATIO_CHECKED_FROM = 1024 * 1024
# Calamine allocates every position from A1 to a sheet's farthest cell (32 bytes each):
# 30 million is 1,048,576 rows of 28 columns, about 1 GB.
MAX_SHEET_CELLS = 30_000_000
EXCEL_ROWS = 1_048_576

_STRICT = b"purl.oclc.org/ooxml/spreadsheetml"
# A cell reference in a column of two or three letters, or in a row of six digits or more:
# the only cells that can make a sheet's extent large. Found with one fast scan.
# (The pattern starts with a literal, which re looks for at memchr speed.)
_FAR_CELL = re.compile(rb'r="(?:[A-Z]{2,3}\d|[A-Z]{1,3}\d{6})')
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_ERROR_CELL = re.compile(
    rb'<(?P<p>(?:\w+:)?)c\b(?P<a>[^>]*?\bt="e"[^>]*?)(?<!/)>(?P<body>.*?)</(?P=p)c>', re.S
)
_FORMULA_TAGS = (b"<f>", b"<f ", b":f>", b":f ")
_F_THEN_END = re.compile(rb"f[ >]")
_FORMULA_CELL = re.compile(
    rb"<(?P<p>(?:\w+:)?)c\b(?P<a>[^>]*?)(?<!/)>\s*<(?P=p)f\b[^>]*?(?:/>|>(?P<f>[^<]*)</(?P=p)f>)"
    rb"\s*(?:<(?P=p)v\s*/>|<(?P=p)v>(?P<v>[^<]*)</(?P=p)v>)?"
)
_REF = re.compile(rb'\br="([A-Z]{1,3}\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


class WorkbookError(ValueError):
    """A workbook that cannot or must not be read, with the reason in plain words."""


@dataclass
class Mark:
    """A cell that reads as blank but is not: its position (0-based), what Excel shows, why."""

    row: int
    col: int
    value: str
    message: str


@dataclass
class Sheet:
    """One worksheet's cells (row 1 first, ``None`` for empty) and its marked cells."""

    name: str
    state: str  # "visible", "hidden" or "veryHidden"
    cells: pd.DataFrame
    marks: list[Mark] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1

    @property
    def visible(self) -> bool:
        return self.state == "visible"


def column_number(letters: str) -> int:
    """Excel's column letters as a 1-based number: A -> 1, XFD -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def cell_name(row: int, col: int) -> str:
    """A 0-based position as Excel names the cell: (0, 0) -> A1."""
    letters, position = "", col + 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row + 1}"


def what_it_is(head: bytes) -> str | None:
    """What a file that is not an .xlsx zip archive is, from its first bytes (None: unknown)."""
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return (
            "an old Excel 97-2003 workbook (.xls) renamed .xlsx, or a password-protected"
            " workbook: open it in Excel, remove any password and save it as .xlsx (Excel 工作簿)"
        )
    if head.lstrip().startswith(b"<"):
        return (
            "an XML or HTML file renamed .xlsx (a web export?): open it in Excel and save as .xlsx"
        )
    return None


def read_workbook(path: Path) -> list[Sheet]:
    """Every worksheet of the workbook at ``path``, after the safety checks.

    Raises
    ------
    WorkbookError
        When the file is not an .xlsx workbook, is damaged, or is refused
        (size, compression ratio, entities, a sheet's extent).
    """
    raw = path.read_bytes()
    if not raw.startswith(b"PK"):
        raise WorkbookError(
            what_it_is(raw[:512])
            or "not an Excel workbook (.xlsx files are zip archives; is it text renamed?)"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise WorkbookError(
            f"not a readable Excel workbook: the zip archive is damaged or truncated ({exc})"
        ) from exc
    parts = _checked_parts(archive, infos)
    sheets = _sheet_parts(parts)
    import python_calamine  # imported here: CSV users do not need it

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as exc:  # calamine raises its own types and pyo3 panics
        raise WorkbookError(f"not a readable Excel workbook ({_reason(exc)})") from exc
    result = []
    with book:
        metadata = book.sheets_metadata
        for index, meta in enumerate(metadata):
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            part, state = sheets.get(meta.name, (None, "visible"))
            xml = parts.get(part, b"") if part else b""
            _check_extent(meta.name, xml)
            try:
                sheet = book.get_sheet_by_index(index)
                rows = sheet.to_python(skip_empty_area=False)
                merged = sheet.merged_cell_ranges or []
            except Exception as exc:
                raise WorkbookError(
                    f"not a readable Excel workbook: sheet {meta.name!r} is damaged"
                    f" ({_reason(exc)})"
                ) from exc
            cells = _frame(rows)
            found = Sheet(meta.name, state, cells)
            found.merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in merged]
            found.marks = _error_marks(xml) + _formula_marks(xml)
            result.append(found)
    if not result:
        kinds = ", ".join(sorted({str(m.typ).split(".")[-1] for m in metadata})) or "none"
        raise WorkbookError(
            f"the workbook has no worksheet to read (its sheets: {kinds}; a chart sheet holds"
            " no cells): put the records on a worksheet"
        )
    return result


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300]


def _checked_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    """Every part of the archive, inflated by zipfile, after checking its declared sizes.

    zipfile inflates a part no further than its declared size and checks its CRC, so
    a part that lies about its size fails here and never reaches calamine.
    """
    total = sum(i.file_size for i in infos)
    ratio = total / max(sum(i.compress_size for i in infos), 1)
    worst = max(
        (i for i in infos if i.file_size > RATIO_CHECKED_FROM),
        key=lambda i: i.file_size / max(i.compress_size, 1),
        default=None,
    )
    part_ratio = worst.file_size / max(worst.compress_size, 1) if worst else 0
    if total > MAX_UNCOMPRESSED_BYTES or max(ratio, part_ratio) > MAX_COMPRESSION_RATIO:
        what = f", its part {worst.filename} {part_ratio:.0f} times" if worst else ""
        raise WorkbookError(
            f"refused: the workbook would expand to {total:,} bytes, {ratio:.0f} times its"
            f" compressed size{what} (limits: {MAX_UNCOMPRESSED_BYTES:,} bytes and"
            f" {MAX_COMPRESSION_RATIO} times); save it again from Excel"
        )
    names = {i.filename for i in infos}
    if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
        raise WorkbookError(
            "an OpenDocument spreadsheet (.ods, from WPS or LibreOffice) renamed .xlsx:"
            " save it as .xlsx (Excel 工作簿)"
        )
    if not any(n.endswith("workbook.xml") for n in names):
        raise WorkbookError(
            "not an Excel workbook: the zip archive has no workbook part (a Word or other"
            " Office file renamed .xlsx?)"
        )
    parts = {}
    try:
        for info in infos:
            if info.is_dir():
                continue
            data = archive.read(info)
            if info.filename.endswith((".xml", ".rels")):
                _check_xml(info.filename, data)
            parts[info.filename] = data
    except (zipfile.BadZipFile, EOFError, NotImplementedError, ValueError) as exc:
        raise WorkbookError(
            f"not a readable Excel workbook: the zip archive is damaged ({exc})"
        ) from exc
    return parts


def _check_xml(name: str, data: bytes) -> None:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise WorkbookError(
            "refused: the workbook's XML declares entities or a DTD (a known attack;"
            " Excel never writes them): open it in Excel and save it again"
        )
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:64]:
        raise WorkbookError(
            f"refused: the workbook's part {name} is not UTF-8 XML (Excel never writes"
            " other encodings): open it in Excel and save it again"
        )
    if _STRICT in data[:4096] and name.endswith("workbook.xml"):
        raise WorkbookError(
            "a Strict Open XML workbook, which cannot be read: in Excel, save it as"
            " 'Excel 工作簿 (*.xlsx)', not 'Strict Open XML 电子表格'"
        )


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, tuple[str, str]]:
    """Each sheet's name -> (its part's name in the archive, its state), from workbook.xml."""
    from defusedxml import ElementTree

    workbook = next(
        (n for n in ("xl/workbook.xml", *sorted(parts)) if n.endswith("workbook.xml")), None
    )
    folder = PurePosixPath(workbook).parent
    rels_name = str(folder / "_rels" / (PurePosixPath(workbook).name + ".rels"))
    try:
        book = ElementTree.fromstring(parts[workbook])
        rels = ElementTree.fromstring(parts[rels_name]) if rels_name in parts else None
    except Exception as exc:  # ParseError, defusedxml's refusals
        raise WorkbookError(
            f"not a readable Excel workbook: {workbook} is damaged ({exc})"
        ) from exc
    targets = {}
    for rel in rels if rels is not None else []:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else str(folder / target)
        targets[rel.get("Id")] = target
    found = {}
    for element in book.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        found[element.get("name", "")] = (targets.get(rid), element.get("state", "visible"))
    return found


def _check_extent(name: str, xml: bytes) -> None:
    """Refuse a sheet whose extent (A1 to its farthest cell) exceeds ``MAX_SHEET_CELLS``.

    Only a cell beyond column Z or row 99,999 can make the extent large, and most
    sheets have none: then one scan suffices. Otherwise every cell is looked at.
    """
    if 26 * 99_999 <= MAX_SHEET_CELLS and not _FAR_CELL.search(xml):
        return
    refs = _CELL_REF.findall(xml)
    if not refs:
        return
    columns = np.array([column_number(c.decode()) for c in {c for c, _ in refs}])
    rows = np.array([int(r) for r in {r for _, r in refs}])
    width, height = int(columns.max()), int(rows.max())
    if width * height <= MAX_SHEET_CELLS:
        return
    raise WorkbookError(
        f"refused: sheet {name!r} reaches cell {cell_name(height - 1, width - 1)} although it"
        f" holds {len(refs):,} cells, so reading it would take {width * height:,} cells"
        f" (limit {MAX_SHEET_CELLS:,}): delete the stray cells far right or below the data,"
        " or copy the data to a new sheet"
    )


def _frame(rows: list[list]) -> pd.DataFrame:
    """Calamine's rows (empty cells are '') as a frame of objects with None for empty."""
    if not rows:
        return pd.DataFrame(dtype=object)
    frame = pd.DataFrame(rows, dtype=object)
    return frame.where(frame.ne(""), None)


def _position(attributes: bytes) -> tuple[int, int] | None:
    match = _REF.search(attributes)
    if not match:
        return None
    ref = match.group(1).decode()
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters) :]) - 1, column_number(letters) - 1


def _error_marks(xml: bytes) -> list[Mark]:
    """Cells holding an Excel error value (#N/A, #REF!, #DIV/0! ...)."""
    if b't="e"' not in xml:
        return []
    marks = []
    for match in _ERROR_CELL.finditer(xml):
        position = _position(match["a"])
        value = _VALUE.search(match["body"])
        shown = html.unescape(value.group(1).decode("utf-8", "replace")) if value else "#VALUE!"
        if position:
            marks.append(
                Mark(
                    *position,
                    shown,
                    f"an Excel error value {shown} in cell {cell_name(*position)}: correct the"
                    " formula or type the value",
                )
            )
    return marks


def _formula_marks(xml: bytes) -> list[Mark]:
    """Formula cells with no saved value (written by a program that does not calculate)."""
    # Every formula tag ends "f>" or "f ": one fast scan for that (the literal "f" leads re to
    # it; sheets have few) spares the four scans for the tags themselves on most sheets.
    if not _F_THEN_END.search(xml) or not any(tag in xml for tag in _FORMULA_TAGS):
        return []
    marks = []
    for match in _FORMULA_CELL.finditer(xml):
        if match["v"] is not None and match["v"].strip():
            continue
        position = _position(match["a"])
        if position:
            formula = "=" + html.unescape((match["f"] or b"").decode("utf-8", "replace"))
            marks.append(
                Mark(
                    *position,
                    formula,
                    f"cell {cell_name(*position)} holds a formula with no saved value (the"
                    " program that wrote the file did not calculate it): open the file in"
                    " Excel and save it again, or type the value",
                )
            )
    return marks
