"""Reading CSV files: the encoding found, records parsed by pyarrow, row numbers exact.

The records are parsed by pyarrow's CSV reader (about fifteen times less CPU than
the csv module and a frame of objects; on every core when the file is regular) into
Arrow-backed string columns. Rows whose number of fields differs from the file's
usual width (a title row above the header, a ragged row) are handed back by pyarrow
with their record number, parsed by the csv module and put back in place, so each
record keeps its number: the row Excel shows when it opens the file.

Two things the parser accepts are reported on their cell instead, since either
would change a score without a word: a cell longer than Excel's own limit of
32,767 characters, and a cell whose quote (``"``) is not closed where it should
be, so that it swallows the following records.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from evalkit.data._xlsx import Mark, cell_name

MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
HEAD_BYTES = 256 * 1024  # the part of a file whose records set its usual width
MAX_ODD_ROWS = 10_000  # more rows of another width: the csv module reads the whole file
STRING = pd.StringDtype("pyarrow")


class CsvError(ValueError):
    """A CSV file that cannot be read, with the reason in plain words."""


def decode(raw: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes, and the encoding it was written in.

    UTF-8 (a BOM is dropped), else GBK as Excel on Chinese Windows saves CSV
    (GB18030 is its superset). A file with a UTF-8 BOM must be UTF-8 throughout.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8",)
        raw = raw[3:]
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            error = exc
            continue
        return (raw if encoding == "utf-8" else text.encode("utf-8")), encoding
    raise CsvError(
        f"not UTF-8 or GBK text (undecodable byte at offset {error.start}):"
        " save it as CSV UTF-8 or as .xlsx"
    )


def read_csv(raw: bytes) -> tuple[pd.DataFrame, list[Mark]]:
    """The records of a CSV file as string columns 0, 1, ... (NA for empty), and marks.

    Row ``i`` of the frame is record ``i + 1``; short records are padded with NA.
    """
    data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise CsvError(
            f"not a text file: a NUL byte at offset {at} (a binary file, or UTF-16 text?):"
            " save it as CSV UTF-8 or as .xlsx"
        )
    width = _usual_width(data)
    # pyarrow checks that the text is UTF-8; only when it is not is the file decoded here,
    # to name the offending byte or to read it as GBK.
    cells = _read_arrow(data, width) if width else None
    if cells is None:
        data, _ = decode(raw)
        cells = _read_arrow(data, width) if width else None
    if cells is None:
        cells = _read_python(data)
    return cells, _long_cells(cells) + _swallowed_records(cells, data)


def _usual_width(data: bytes) -> int:
    """The most common number of fields among the records of the file's first part."""
    head = data[:HEAD_BYTES]
    if len(data) > HEAD_BYTES:
        head = head[: head.rfind(b"\n") + 1] or head
    try:
        records = list(csv.reader(io.StringIO(head.decode("utf-8", "ignore"), newline="")))
    except csv.Error:
        return 0
    counts = pd.Series([len(r) for r in records if r], dtype="int64")
    if counts.empty:
        return 0
    frequency = counts.value_counts()
    return int(frequency[frequency == frequency.max()].index.max())


def _read_arrow(data: bytes, width: int) -> pd.DataFrame | None:
    """Parse with pyarrow; None when the file is too irregular for it (the csv module reads it).

    A file whose records all have the usual width is parsed on every core. Rows of another
    width (a title row, a ragged row) need their record numbers, which pyarrow gives only
    when it parses on one thread: such a file is parsed again so.
    """
    import pyarrow as pa

    # Without a quote in the file no cell holds a line break: pyarrow then splits the file
    # into blocks at any line end, which takes half the time of scanning for quotes.
    quoted = b'"' in data
    try:  # no handler: a row of another width fails this parse without becoming a Python row
        table = _parse_arrow(data, width, None, threads=True, quoted=quoted)
    except (pa.ArrowInvalid, pa.ArrowException):
        table = None
    odd: list[tuple[int, str]] = []

    def other_width(row) -> str:
        odd.append((row.number, row.text))
        return "skip" if len(odd) <= MAX_ODD_ROWS and row.number is not None else "error"

    if table is None:
        if not _is_utf8(data):
            return None  # read_csv decodes it (GBK) first: pyarrow cannot show such a row
        try:
            table = _parse_arrow(data, width, other_width, threads=False, quoted=quoted)
        except (pa.ArrowInvalid, pa.ArrowException):
            return None  # a record over 16 MB, too many odd rows: the slow path says what is wrong
    # one chunk per column: every later kernel reads it without concatenating blocks again
    frame = table.combine_chunks().to_pandas(types_mapper=lambda _: STRING)
    frame.columns = range(width)
    if not odd:
        return frame
    return _put_back(frame, odd)


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 text (checked before pyarrow hands rows of another width
    to Python, which it cannot do for GBK bytes: it would print an ignored error)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parse_arrow(data: bytes, width: int, other_width, *, threads: bool, quoted: bool):
    """The records of ``data`` as a table of ``width`` string columns (pyarrow's CSV reader)."""
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    names = [str(i) for i in range(width)]
    return arrow_csv.read_csv(
        pa.BufferReader(data),
        read_options=arrow_csv.ReadOptions(
            column_names=names, use_threads=threads, block_size=16 * 1024 * 1024
        ),
        parse_options=arrow_csv.ParseOptions(
            newlines_in_values=quoted,
            ignore_empty_lines=False,
            invalid_row_handler=other_width,
        ),
        convert_options=arrow_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def _put_back(frame: pd.DataFrame, odd: list[tuple[int, str]]) -> pd.DataFrame | None:
    """Insert the records pyarrow skipped (title rows, ragged rows) at their place.

    pyarrow numbers a skipped record by its place among all records (blank lines
    included), so the records it read fill the other places in order.
    """
    total = len(frame) + len(odd)
    places = np.array([number - 1 for number, _ in odd], dtype="int64")
    if len(np.unique(places)) != len(places) or places.min() < 0 or places.max() >= total:
        return None  # not numbered as expected: the csv module reads the file
    records = [next(csv.reader(io.StringIO(text, newline="")), []) for _, text in odd]
    others = np.ones(total, dtype=bool)
    others[places] = False
    combined = pd.concat([frame.set_axis(np.flatnonzero(others)), _frame(records).set_axis(places)])
    return combined.sort_index().reset_index(drop=True).astype(STRING)


def _read_python(data: bytes) -> pd.DataFrame:
    text = data.decode("utf-8")
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(data) + 1))  # long cells are reported per row below
    try:
        return _frame(list(csv.reader(io.StringIO(text, newline=""))))
    except csv.Error as exc:
        raise CsvError(f"not a readable CSV file: {exc}") from exc
    finally:
        csv.field_size_limit(limit)


def _frame(records: list[list[str]]) -> pd.DataFrame:
    """Records of unequal length as string columns, short ones padded with NA."""
    width = max((len(r) for r in records), default=0)
    frame = pd.DataFrame([r + [None] * (width - len(r)) for r in records], dtype=object)
    frame = frame.where(frame.ne("") & frame.notna(), None)
    return frame.astype(STRING)


def _arrow(column: pd.Series):
    import pyarrow as pa

    return pa.array(column)  # no copy: the column is Arrow-backed


def _long_cells(cells: pd.DataFrame) -> list[Mark]:
    import pyarrow.compute as pc

    marks = []
    for col in cells.columns:
        values = _arrow(cells[col])
        if (pc.max(pc.binary_length(values)).as_py() or 0) <= MAX_CELL_CHARS:
            continue  # bytes bound characters: no cell of this column is too long
        length = pc.fill_null(pc.utf8_length(values), 0).to_numpy()
        for row in np.flatnonzero(length > MAX_CELL_CHARS):
            value = cells[col].iat[row]
            marks.append(
                Mark(
                    int(row),
                    int(col),
                    _preview(value),
                    f"a cell of {len(value):,} characters (limit {MAX_CELL_CHARS:,}, as in"
                    " Excel): the row is not read",
                )
            )
    return marks


def _no_line_breaks(cells: pd.DataFrame, data: bytes) -> bool:
    """Whether no cell can hold a line break, judged on the bytes in two quick scans.

    A line break inside a cell needs a quote around the cell; without any quote in the
    file there is none. Else, when every line ends in \\n (no lone \\r), each record but
    perhaps the last ends in one, so a file with no more \\n than that has none in a cell.
    """
    if b'"' not in data:
        return True
    if data.count(b"\r") != data.count(b"\r\n"):
        return False
    ends = len(cells) - (0 if data.endswith(b"\n") else 1)
    return data.count(b"\n") <= ends


def _swallowed_records(cells: pd.DataFrame, data: bytes) -> list[Mark]:
    """Cells with line breaks whose further lines look like records of the file.

    A quote opened in a cell and not closed where the cell ends makes every
    following line part of that cell, up to the next quote character.
    """
    if _no_line_breaks(cells, data):
        return []
    commas = max(cells.shape[1] - 2, 2)
    marks = []
    import pyarrow.compute as pc

    for col in cells.columns:
        multiline = pc.fill_null(pc.match_substring(_arrow(cells[col]), "\n"), False)
        if not pc.any(multiline).as_py():
            continue
        for row in np.flatnonzero(multiline.to_numpy(zero_copy_only=False)):
            lines = cells[col].iat[row].split("\n")[1:]
            looks = [line for line in lines if line.count(",") >= commas]
            if looks:
                marks.append(
                    Mark(
                        int(row),
                        int(col),
                        _preview(cells[col].iat[row]),
                        f"cell {cell_name(int(row), int(col))} runs over {len(lines)} more"
                        f' lines, {len(looks)} of which look like records: a quote (") is'
                        " not closed where the cell ends; close it, and the rows inside are"
                        " read",
                    )
                )
    return marks


def _preview(value: str, length: int = 40) -> str:
    """The start of a long cell, line breaks shown as ⏎."""
    shown = value[:length].replace("\n", "⏎")
    return shown + "…" if len(value) > length else shown
