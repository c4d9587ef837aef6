"""Typing and checking raw tables: every problem is collected in one pass.

Each check works on whole columns and yields a frame of issues (file, row,
column, value, message). A row with an error is rejected with its reasons; a
warning leaves the row loaded. Nothing is dropped without a reason.
"""

from __future__ import annotations

import difflib
import functools
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.data._dataset import ISSUE_COLUMNS
from evalkit.data._dates import as_datetime
from evalkit.data._distinct import (
    all_ascii,
    arrow_array,
    as_arrow_strings,
    distinct,
    is_text,
    known,
    mostly_distinct,
    on_distinct,
    register_derived,
)
from evalkit.data._io import RawTable, column_label, header_keys
from evalkit.data._schema import ENUMS, LIST_SEPARATORS

__all__ = ["Checker", "UnitMatcher", "as_datetime", "as_enum", "as_int", "as_text", "split_names"]


class Checker:
    """Collects issues and rejected rows for one table.

    ``skip`` marks rows that are not records at all (a repeated header row): they are
    rejected once with their own reason and no other check reports on them.
    """

    def __init__(self, raw: RawTable):
        self.raw = raw
        self.frame = raw.frame
        self.rows = raw.frame["_row"].to_numpy()
        self.issues: list[pd.DataFrame] = []
        self.reasons = pd.Series("", index=raw.frame.index, dtype=object)
        self.skip = np.zeros(len(raw.frame), dtype=bool)
        self.dates: dict[str, pd.Series] = {}  # parsed date columns, for the year window
        self._ok: pd.Series | None = None  # reasons == "", kept until a row is rejected
        # Cells found while reading (error values, merged cells ...), per column: each is one
        # error (see flag_cells), and no other check reports the same cell as empty.
        self.marked: dict[str, np.ndarray] = {}

    def flag_cells(self) -> None:
        """Flag the cells found while reading (error values, merged cells ...), one error
        each; called once the rows that are not records (repeated headers, totals) are
        known, so that a totals row merged across its first cells is not an error."""
        cells = self.raw.cell_issues
        # (grouped only when there are some: most files have none)
        for column, found in cells.groupby("column", sort=False) if len(cells) else ():
            where = pd.Series(False, index=self.frame.index)
            where.iloc[found["index"].to_numpy()] = True
            self.marked[column] = where.to_numpy()
            by_row = found.drop_duplicates("index").set_index("index")
            positions = pd.Series(np.arange(len(self.frame)), index=self.frame.index)
            values = by_row["value"].reindex(positions.to_numpy()).to_numpy()
            messages = by_row["message"].reindex(positions.to_numpy()).to_numpy()
            self.flag(where, column, values, pd.Series(messages, index=self.frame.index))

    def flag(
        self, mask, column: str, values, message, severity: str = "error", reject=None
    ) -> None:
        """Record an issue for every row where ``mask`` holds.

        ``message`` is a string, one per row, or a function that returns them (called only
        when some row is flagged). An error rejects the row unless ``reject=False`` (a bad optional field: the row
        loads with that field empty, and the error still stops ranking); a warning
        leaves the row loaded unless ``reject=True`` (a row that is not a record).
        """
        mask = np.asarray(mask, dtype=bool) & ~self.skip
        if not mask.any():
            return
        if callable(message):  # a message costly to build (naming earlier rows) is built here
            message = message()
        values = (
            values.reindex(self.frame.index)
            if isinstance(values, pd.Series)
            else pd.Series(values, index=self.frame.index)
        )[mask]
        messages = (
            message
            if isinstance(message, str)
            else message.reindex(self.frame.index)[mask]
            if isinstance(message, pd.Series)
            else pd.Series(message, index=self.frame.index)[mask]
        )
        header = column_label(self.raw.table, column)
        found = pd.DataFrame(
            {
                "severity": severity,
                "table": self.raw.table,
                "file": self.raw.files(mask),
                "row": self.rows[mask],
                "column": header,
                "value": values.astype("string").fillna("").to_numpy(),
                "message": messages,
            }
        )
        self.issues.append(found[ISSUE_COLUMNS])
        if severity == "error" if reject is None else reject:
            text = f"{header}: " + (messages if isinstance(messages, str) else messages.astype(str))
            current = self.reasons[mask]
            self.reasons[mask] = np.where(current == "", text, current + "; " + text)
            self._ok = None

    def not_records(self, mask, column: str, values, message: str) -> None:
        """Reject rows that are not records (a warning each), and keep every other check off them."""
        self.flag(mask, column, values, message, "warning", reject=True)
        self.skip |= np.asarray(mask, dtype=bool)

    def reject_all(self, reason: str) -> None:
        """Reject every row with ``reason`` (a file that could not be used)."""
        self.reasons[:] = reason
        self._ok = None

    @property
    def ok(self) -> pd.Series:
        if self._ok is None:
            self._ok = self.reasons == ""
        return self._ok.copy()

    def rejected(self) -> pd.DataFrame:
        bad = ~self.ok
        return pd.DataFrame(
            {
                "table": self.raw.table,
                "file": self.raw.files(bad.to_numpy()),
                "row": pd.array(self.rows[bad.to_numpy()], dtype="Int64"),
                "reason": self.reasons[bad].to_numpy(),
            }
        )


def column_or_empty(frame: pd.DataFrame, name: str) -> pd.Series:
    """The raw column ``name``, or all-missing when the file does not have it."""
    if name in frame:
        return frame[name]
    return pd.Series(None, index=frame.index, dtype=object)


_SEPARATORS = re.compile(LIST_SEPARATORS)

# Characters that do not show, and spaces other than the ASCII one: a name holding one looks
# the same as the name without it but would not match it. Removed from every text except
# free text (titles, notes), with a warning naming the character.
INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
)
ODD_SPACES = "\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVISIBLE = f"[{INVISIBLE}]"
_HIDDEN = f"[{INVISIBLE}{ODD_SPACES}]"
# A number in scientific notation (1E+16): how Excel shows, and saves to CSV, a long number.
_SCIENTIFIC = r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$"
# Excel keeps 15 significant digits: a number cell of 16 or more digits has lost its last ones.
EXACT_DIGITS = 1e15


def as_text(raw: pd.Series, *, keep_width: bool = False) -> pd.Series:
    """Cells as trimmed strings (NA when empty); integral numbers lose their ``.0``.

    A number cell keeps its digits: 12.0 reads as 12 and 1e16 as 10000000000000000
    (never "1e+16"). Outside free text (``keep_width``), the text is NFKC-normalised
    and invisible characters (U+200B, U+FEFF ...) are removed; :func:`hidden_characters`
    tells which cells had them.
    """

    def clean(distinct: pd.Series) -> pd.Series:
        text = arrow_array(distinct.astype("string[pyarrow]"))
        if not keep_width and not all_ascii(text):  # ASCII has nothing to normalise or remove
            # Arrow's kernels: pandas' .str.normalize is a Python loop
            text = pc.utf8_normalize(pc.replace_substring_regex(text, _INVISIBLE, ""), "NFKC")
        values = pc.utf8_trim_whitespace(text)
        # A number cell 12.0 or 1e+16 (a float column, or Excel) reads as its digits; the
        # text "12.0" stays. Only the few cells that look so have their type looked at.
        # Text cells only (CSV, or a workbook's text column): no number among them.
        if not is_text(distinct):
            text = pd.Series(pd.arrays.ArrowStringArray(values), index=distinct.index)
            maybe = text.str.contains(r"\.0$|e\+", regex=True).fillna(False).astype(bool)
            if maybe.any():
                integral = distinct[maybe].map(_integral_float)
                text = text.mask(integral.notna().reindex(text.index, fill_value=False), integral)
            values = arrow_array(text.astype("string[pyarrow]"))
        empty = pc.equal(pc.binary_length(values), 0)  # an empty cell is missing
        values = pc.if_else(empty, pa.scalar(None, values.type), values)
        return pd.Series(pd.arrays.ArrowStringArray(values), index=distinct.index)

    if _kind(raw) in ("datetime", "datetime64", "date"):  # Excel or generated datetimes
        return pd.to_datetime(raw).astype("string[pyarrow]").rename(raw.name)
    values = as_arrow_strings(raw)
    if is_text(values) and mostly_distinct(values):  # cleaned cell by cell, in place
        return clean(values.reset_index(drop=True)).set_axis(raw.index).rename(raw.name)
    if mostly_distinct(values):
        return on_distinct(values, clean).astype("string[pyarrow]")
    codes, uniques = distinct(values)
    cleaned = clean(uniques)  # Arrow strings already, as is their take
    spread = pd.api.extensions.take(cleaned.array, codes, allow_fill=True)
    text = pd.Series(spread, index=raw.index, name=raw.name)
    register_derived(text, codes, cleaned)  # its distinct values, for the checks that follow
    return text


def _kind(raw: pd.Series) -> str:
    """pandas' inferred type of the cells (one C pass): "string", "datetime", "mixed" ..."""
    if isinstance(raw.dtype, pd.StringDtype):
        return "string"
    return pd.api.types.infer_dtype(raw, skipna=True)


def _integral_float(value) -> str | None:
    """The digits of a whole float (12.0 -> "12", 1e16 -> "10000000000000000"), else None."""
    if isinstance(value, float) and np.isfinite(value) and value.is_integer():
        return str(int(value))
    return None


def hidden_characters(raw: pd.Series) -> pd.Series:
    """The invisible characters (anywhere) and unusual spaces (inside the text: around it
    they are trimmed like any space) of the cells holding any, as ``U+200B`` names joined
    by spaces, indexed like ``raw``; cells without any are left out. One Arrow pass (over
    the distinct cells, when they are known) finds the rare cells concerned."""
    text = as_arrow_strings(raw)
    if not is_text(text) and "mixed" not in _kind(raw):  # numbers, datetimes: nothing hidden
        return _no_cells(raw)
    if not is_text(text):
        text = on_distinct(raw, lambda d: d.map(lambda v: v if isinstance(v, str) else None))
        text = text.astype("string[pyarrow]")
    if not known(text):
        return _hidden_in(text)
    codes, uniques = distinct(text)  # looked for in each distinct value once
    names = _hidden_in(uniques)
    if names.empty:
        return _no_cells(raw)
    rows = np.flatnonzero(np.isin(codes, names.index.to_numpy()))
    return pd.Series(names.reindex(codes[rows]).array, index=raw.index[rows])


def _no_cells(raw: pd.Series) -> pd.Series:
    """The result when no cell of ``raw`` has hidden characters (most columns)."""
    return pd.Series(_NO_NAMES, index=raw.index[:0])


_NO_NAMES = pd.array([], dtype="string[pyarrow]")  # made once: dozens of columns a load


def _hidden_in(text: pd.Series) -> pd.Series:
    if all_ascii(arrow_array(text)):  # every hidden character and odd space is beyond ASCII
        return _no_cells(text)
    found = np.asarray(pc.fill_null(pc.match_substring_regex(arrow_array(text), _HIDDEN), False))
    if not found.any():  # the usual case: nothing to name
        return _no_cells(text)
    names = text[found].map(_hidden_names).astype("string[pyarrow]")
    return names[names.ne("")]  # odd spaces only around the text: trimmed, nothing to say


def _hidden_names(text: str) -> str:
    found = re.findall(_INVISIBLE, text) + re.findall(f"[{ODD_SPACES}]", text.strip())
    return " ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in found))


def show_hidden(raw: pd.Series) -> pd.Series:
    """Cells with invisible characters and unusual spaces spelled out, e.g. 城关镇<U+200B>."""
    return raw.astype("string").str.replace(
        _HIDDEN, lambda m: f"<U+{ord(m.group()):04X}>", regex=True
    )


def scientific(text: pd.Series) -> pd.Series:
    """Cells (as :func:`as_text` returns them) written in scientific notation, e.g. 1E+16."""
    return on_distinct(text, _scientific_in).fillna(False)


def _scientific_in(distinct: pd.Series) -> pd.Series:
    # only a cell with an e can be in scientific notation: one substring pass finds them
    maybe = pc.match_substring(
        arrow_array(distinct.astype("string[pyarrow]")), "e", ignore_case=True
    )
    found = np.zeros(len(distinct), dtype=bool)
    maybe = np.asarray(pc.fill_null(maybe, False))
    if maybe.any():
        found[maybe] = distinct[maybe].astype("string").str.match(_SCIENTIFIC).fillna(False)
    return pd.Series(found, index=distinct.index)


def lost_digits(raw: pd.Series) -> pd.Series:
    """Number cells too long for Excel's 15 significant digits (their last digits are gone)."""
    if is_text(raw):  # text cells only (CSV): nothing to lose
        return pd.Series(False, index=raw.index)

    def long(distinct: pd.Series) -> pd.Series:
        if pd.api.types.infer_dtype(distinct, skipna=True) in ("string", "empty"):
            return pd.Series(False, index=distinct.index)  # text only (CSV): nothing to lose
        return distinct.map(
            lambda v: isinstance(v, float) and np.isfinite(v) and abs(v) >= EXACT_DIGITS
        )

    return on_distinct(raw, long).fillna(False).astype(bool)


# The largest whole number read (a year's quota of items): beyond it a cell is a typo, and
# 1e308 or 2**63 would wrap round to a negative int64 without a word.
MAX_WHOLE = 1_000_000_000


def as_int(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers 0 .. :data:`MAX_WHOLE` from :func:`as_text` cells; returns values and a
    mask of bad cells (present, but not such a number: -1, 1.5, 十二, inf, 1e308)."""
    # as NumPy floats: inf % 1 is NaN, which a nullable mask would hold as missing
    number = pd.to_numeric(text, errors="coerce").astype("Float64")
    value = number.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):  # inf % 1: NaN, and not whole
        whole = np.isfinite(value) & (value >= 0) & (value <= MAX_WHOLE) & (value % 1 == 0)
    bad = pd.Series(text.notna().to_numpy() & ~whole, index=text.index)
    values = pd.array(np.where(whole, value, np.nan), dtype="Float64").astype("Int64")
    return pd.Series(values, index=text.index), bad


def as_enum(text: pd.Series, enum_name: str, overrides: dict) -> tuple[pd.Series, pd.Series]:
    """Map spellings (:func:`as_text` cells) to canonical values.

    ``overrides`` maps enumeration names to extra {spelling: value}. Returns a
    categorical and a mask of values that are present but unknown.
    """
    enum = ENUMS[enum_name]
    extra = overrides.get(enum_name, {})
    try:
        lookup = _spelling_lookup(enum_name, tuple(extra.items()))
    except TypeError:  # a value that cannot be hashed: looked up as it is, uncached
        lookup = _spelling_lookup.__wrapped__(enum_name, tuple(extra.items()))
    dtype = pd.CategoricalDtype(list(enum.values), ordered=enum.ordered)
    # each distinct spelling looked up once; rows get their category's code by position
    codes, uniques = distinct(as_arrow_strings(text))
    canonical = [lookup.get(key) for key in header_keys(uniques)]  # None: not a spelling
    position = {value: i for i, value in enumerate(enum.values)}
    # [-1]: an empty cell; a value not of the enumeration (or none) has no category
    category = np.array([position.get(value, -1) for value in canonical] + [-1], dtype=np.int64)
    unknown = np.array([value is None for value in canonical] + [False], dtype=bool)
    if enum.default is not None:
        category[-1] = enum.values.index(enum.default)
    bad = pd.Series(unknown[codes], index=text.index)
    return pd.Series(pd.Categorical.from_codes(category[codes], dtype=dtype), index=text.index), bad


@functools.lru_cache(maxsize=64)
def _spelling_lookup(enum_name: str, extra: tuple) -> dict:
    """Every spelling of an enumeration (and the mapping's ``extra`` ones), as
    :func:`header_keys`, to its canonical value: the same for every column and file."""
    spellings = ENUMS[enum_name].spellings | dict(extra)
    keys = header_keys(pd.Series(list(spellings), dtype="string"))
    return dict(zip(keys, spellings.values(), strict=True))


def enum_expectation(enum_name: str) -> str:
    enum = ENUMS[enum_name]
    return "expected one of " + ", ".join(f"{enum.zh[v]} ({v})" for v in enum.values)


def split_names(text: pd.Series) -> pd.Series:
    """Split cells holding several names (、 , ; ， ； or a line break) into one name per row.

    The result keeps the index of ``text`` (repeated for a cell with several names), in
    the order written; empty pieces and empty cells are dropped. Each distinct cell is
    split once (units and people repeat), and the pieces are gathered back by position.
    """
    codes, uniques = distinct(as_arrow_strings(text))
    if len(uniques) == 0:
        return pd.Series([], index=text.index[:0], dtype="string[pyarrow]")
    # each piece, and the position of its distinct cell, ascending: plain Python over the
    # distinct cells (a few hundred to a few ten thousand) is quicker than pandas' .str calls
    pieces, owner = [], []
    for position, cell in enumerate(uniques.tolist()):
        if isinstance(cell, str):  # a number cell names no one, as .str.split gave
            for piece in _SEPARATORS.split(cell):
                if piece := piece.strip():
                    pieces.append(piece)
                    owner.append(position)
    owner = np.array(owner, dtype=np.int64)
    count = np.bincount(owner, minlength=len(uniques)).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    per_row = np.where(codes >= 0, count[np.maximum(codes, 0)], 0)
    total = int(per_row.sum())
    first = np.repeat(start[np.maximum(codes, 0)], per_row)
    within = np.arange(total) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    values = pa.array(pieces, type=pa.string()).take(first + within)
    return pd.Series(pd.arrays.ArrowStringArray(values), index=text.index.repeat(per_row))


class UnitMatcher:
    """Match unit names exactly, then by registered former names and aliases, after normalising."""

    def __init__(self, units: pd.DataFrame, aliases: pd.DataFrame):
        self.names = units["unit"].tolist()
        # Aliases first, so that a current name wins over another unit's former name.
        self.lookup = dict(zip(header_keys(aliases["alias"]), aliases["unit"], strict=True))
        self.lookup |= dict(zip(header_keys(units["unit"]), units["unit"], strict=True))

    def match(self, names: pd.Series) -> pd.Series:
        """The canonical unit of each name, NA where the name is unknown."""
        return on_distinct(names, lambda distinct: header_keys(distinct).map(self.lookup))

    def suggest(self, name: str) -> str:
        close = difflib.get_close_matches(name, self.names, n=3, cutoff=0.3)
        known = f"; closest known: {'、'.join(close)}" if close else "; no known unit is close"
        return f"unknown unit {name}" + known

    def suggestions(self, unknown: pd.Series) -> pd.Series:
        """A message per unknown name, computed once per distinct name."""
        distinct = {name: self.suggest(name) for name in unknown.dropna().unique()}
        return unknown.map(distinct)
