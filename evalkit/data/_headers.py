"""Headers: how header cells are compared, where the header row is, how issues name columns.

Header cells, file names and spellings are compared as :func:`header_key` (NFKC, no spaces,
lower case). The header row of a file is the row among its first :data:`HEADER_SEARCH_ROWS`
that names the most columns of the table (:data:`evalkit.data._schema.COLUMNS`, plus the
folder's ``mapping.toml``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.data._schema import COLUMNS

HEADER_SEARCH_ROWS = 10
_SPACES = re.compile(r"\s+")


def header_key(name: object) -> str:
    """The form in which headers, names and spellings are compared: NFKC, no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", str(name)).split()).lower()


def header_keys(values: pd.Series) -> pd.Series:
    r""":func:`header_key` of every cell of ``values`` at once (NA stays NA).

    What ``.str.normalize("NFKC").str.replace(r"\s+", "", regex=True).str.lower()`` gives,
    without pandas' overhead of about 1 ms a call (it parses the pattern each time to find
    that ``\s`` needs Python's re; the loader calls this dozens of times on a few cells):
    NFKC and the spaces cell by cell in Python, as pandas does, and Arrow's lower case.
    """
    text = values.astype("string").array.__arrow_array__()
    keys = [
        None if cell is None else _SPACES.sub("", unicodedata.normalize("NFKC", cell))
        for cell in text.to_pylist()
    ]
    lowered = pc.utf8_lower(pa.array(keys, type=text.type))
    return pd.Series(pd.arrays.ArrowStringArray(lowered), index=values.index, name=values.name)


def header_lookup(table: str, mapping: dict) -> dict[str, str]:
    """Map every accepted header spelling (as ``header_key``) to its canonical column."""
    lookup = {header_key(h): c.name for c in COLUMNS[table] for h in c.headers}
    for header, canonical in mapping["columns"].get(table, {}).items():
        lookup[header_key(header)] = canonical
    return lookup


def header_rank(table: str, mapping: dict) -> dict[str, int]:
    """The place of each accepted header spelling (as ``header_key``) among its column's:
    the office's own (``mapping.toml``) first, then the schema's in order (编号 before 序号)."""
    own = [header_key(h) for h in mapping["columns"].get(table, {})]
    schema = [header_key(h) for c in COLUMNS[table] for h in c.headers]
    rank: dict[str, int] = {}
    for place, key in enumerate([*own, *schema]):
        rank.setdefault(key, place)
    return rank


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
    score = [
        sum(header_key(v) in lookup for v in row if not _missing(v))
        for row in head.to_numpy(dtype=object)
    ]
    best = max(score)  # the first row of the highest score, as idxmax gave
    return None if best == 0 else int(head.index[score.index(best)])


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


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
