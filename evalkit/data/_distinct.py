"""Distinct values, keys and lookups of columns, computed once per column in Arrow or NumPy.

A column of a million cells that repeats a few thousand values (units, categories,
days) is hashed once: its codes and distinct values are kept while its Arrow array
lives, and every check works on the distinct values and spreads the result back by
code. Duplicates and earlier rows are found from one integer key per row, built from
the columns' codes; ids are looked up with one hash of the smaller side.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def on_distinct(values: pd.Series, func, *, costly: bool = False) -> pd.Series:
    """``func`` applied to the distinct values of ``values`` only, spread back to every row.

    Columns such as units, categories, levels or days repeat a few values many times,
    so the string work is done once per value. Missing cells stay missing. A column of
    mostly distinct values is not hashed unless ``func`` is ``costly`` per value (parsing
    dates: a million timestamps may hold a fifth as many distinct ones).
    """
    values = as_arrow_strings(values)
    # ids, titles, times: hashing them would cost more than it saves
    if not costly and not known(values) and mostly_distinct(values):
        present = values.notna().to_numpy()
        uniques = values[present].reset_index(drop=True)  # not unique: each present cell once
        codes = np.full(len(values), -1, dtype=np.intp)
        codes[present] = np.arange(len(uniques))
    else:
        codes, uniques = distinct(values)
    result = func(uniques)
    spread = pd.api.extensions.take(result.array, codes, allow_fill=True)
    return pd.Series(spread, index=values.index, name=values.name)


# The factorisation of each Arrow column, kept while the column lives: the cells of a column
# are hashed once, and every later check of it (dates, enumerations, units, names) reuses the
# codes. Keyed by the identity of the immutable Arrow array, so a changed column (a new array)
# is never served stale codes. A value is the pair, or a function that builds it when asked.
_DISTINCT: dict[int, tuple] = {}


def distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``pd.factorize(values)``: codes (-1 where missing) and the distinct values as a Series
    (Arrow strings for text, else objects), computed once per Arrow-backed column."""
    array = arrow_of(values)
    entry = _DISTINCT.get(id(array)) if array is not None else None
    if entry is not None and entry[0]() is array:
        found = entry[1]
        if callable(found):
            found = found()
            _remember(array, found)
        return found
    codes, uniques = pd.factorize(values)
    found = codes, pd.Series(uniques, dtype=uniques.dtype if is_text(uniques) else object)
    if array is not None:
        _remember(array, found)
    return found


def arrow_of(values: pd.Series):
    """The Arrow array behind an Arrow-backed Series (the same object while it lives), else None."""
    array = values.array
    return array.__arrow_array__() if isinstance(array, pd.arrays.ArrowStringArray) else None


def _remember(array, found) -> None:
    key = id(array)
    _DISTINCT[key] = (weakref.ref(array, lambda _: _DISTINCT.pop(key, None)), found)


def _derived(codes: np.ndarray, uniques: pd.Series):
    """The factorisation of ``uniques`` taken at ``codes``, built when first asked for:
    cleaning maps several raw spellings to one text, so its distinct values are found again."""

    def build():
        inner, found = pd.factorize(uniques)
        if len(found) == len(uniques):  # nothing merged or emptied: the codes are the same
            return codes, pd.Series(found, dtype=uniques.dtype)
        spread = np.where(codes >= 0, inner[np.maximum(codes, 0)], -1) if len(inner) else codes
        return spread.astype(np.intp), pd.Series(found, dtype=uniques.dtype)

    return build


DISTINCT_SAMPLE = 20_000  # cells looked at to tell a column of repeated values from one of ids


def mostly_distinct(values: pd.Series) -> bool:
    """Whether most cells of a long column differ (judged on its first cells).

    A wrong guess costs time only: either way ``func`` sees every distinct value.
    """
    if len(values) < 5 * DISTINCT_SAMPLE:
        return False
    sample = values.iloc[:DISTINCT_SAMPLE]
    return sample.nunique() > DISTINCT_SAMPLE // 2


def is_text(values) -> bool:
    return isinstance(getattr(values, "dtype", None), pd.StringDtype)


def arrow_array(values: pd.Series):
    """The Arrow array of an Arrow-backed string Series (one chunk)."""
    array = values.array.__arrow_array__()
    if isinstance(array, pa.ChunkedArray):  # one chunk (as read): taken as it is, no copy
        return array.chunk(0) if array.num_chunks == 1 else array.combine_chunks()
    return array


def is_in(values: pd.Series, among: pd.Series) -> pd.Series:
    """``values.isin(among)`` for text, in Arrow's hash kernel (missing cells: False).

    pandas' ``isin`` on Arrow strings builds a Python scalar per value of ``among``
    (about 17 s for a million submission ids); this takes a fraction of a second.
    """
    return pd.Series(positions_in(values, among) >= 0, index=values.index)


def positions_in(values: pd.Series, among: pd.Series) -> np.ndarray:
    """For each text cell of ``values``, the position of the equal cell of ``among`` (whose
    cells are distinct), else -1 (none, or a missing cell).

    Arrow's hash kernels hash the smaller side: a few rows looked up among a million
    ids first find which ids are asked for, and only those are hashed.
    """
    found = np.full(len(values), -1, dtype=np.int64)
    if values.empty or among.empty:
        return found
    left = arrow_array(values.astype("string[pyarrow]"))
    right = arrow_array(among.astype("string[pyarrow]"))
    if 4 * len(left) >= len(right):
        return np.asarray(pc.fill_null(pc.index_in(left, value_set=right), -1), dtype=np.int64)
    asked = np.flatnonzero(np.asarray(pc.fill_null(pc.is_in(right, value_set=left), False)))
    at = np.asarray(pc.fill_null(pc.index_in(left, value_set=right.take(asked)), -1))
    found[at >= 0] = asked[at[at >= 0]]
    return found


def column_codes(values: pd.Series) -> np.ndarray:
    """An integer per cell, equal exactly where the cells are (missing cells: -1)."""
    if arrow_of(values) is not None:
        return distinct(values)[0]  # hashed once per column (see :func:`distinct`)
    if (
        values.dtype == "int64"
        and len(values)
        and 0 <= values.min() <= values.max() < 4 * len(values)
    ):
        return values.to_numpy()  # row positions and the like: their own codes
    return pd.factorize(values)[0]


def repeated_keys(columns: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose key (the cells of ``columns``, missing equal to missing) repeats in
    another row: their positions, ascending, and a code per such row for its key, numbered
    in order of first appearance.

    Columns are taken in order, each among the rows whose earlier columns repeat: put the
    most selective first (an id), so that long text columns are compared on a few rows.
    """
    where = np.arange(len(columns[0]) if columns else 0)
    key = np.zeros(len(where), dtype=np.int64)
    for column in columns:
        if arrow_of(column) is not None and not known(column) and len(where) > 10_000:
            values = arrow_array(column)
            if mostly_distinct(column) and _short(values):
                # ids: first narrowed to the rows whose cell repeats, found by sorting (a third
                # of the time of hashing a million ids; long text such as titles, which share
                # their first characters, sorts slower than it hashes)
                rows = _repeating(values, where)
                where, key = where[rows], key[rows]
            else:
                # text not hashed yet: first narrowed by its length in bytes (a cheap kernel)
                length = pc.binary_length(values).to_numpy(zero_copy_only=False)
                where, key = _narrowed(where, key, pd.factorize(length[where])[0])
        if len(where) == len(column) or known(column):
            codes = column_codes(column)[where]
        else:
            codes = pd.factorize(column.iloc[where])[0]
        where, key = _narrowed(where, key, codes)
    return where, pd.factorize(key)[0]


SHORT_BYTES = 32  # ids and codes: sorted faster than hashed


def _short(values: pa.Array) -> bool:
    """Whether the cells of ``values`` are short on average (ids, not titles)."""
    present = len(values) - values.null_count
    return present > 0 and (pc.sum(pc.binary_length(values)).as_py() or 0) <= SHORT_BYTES * present


def _repeating(values: pa.Array, where: np.ndarray) -> np.ndarray:
    """The positions in ``where`` (ascending) of the cells of ``values`` at ``where`` whose
    value repeats among them, a missing cell repeating another missing one."""
    part = values if len(where) == len(values) else values.take(pa.array(where))
    order = np.asarray(pc.array_sort_indices(part, null_placement="at_end"))
    present = len(part) - part.null_count  # sorted first; the missing cells follow
    ordered = part.take(pa.array(order[:present]))
    same = pc.equal(ordered.slice(1), ordered.slice(0, max(present - 1, 0)))
    same = same.to_numpy(zero_copy_only=False).astype(bool)
    repeats = np.zeros(len(part), dtype=bool)
    repeats[: len(same)] |= same  # a cell equal to the next one, or to the one before
    repeats[1 : len(same) + 1] |= same
    repeats[present:] = part.null_count > 1
    return np.sort(order[repeats])


def _narrowed(where: np.ndarray, key: np.ndarray, codes: np.ndarray):
    """The rows of ``where`` whose key, extended by ``codes``, still repeats; and that key."""
    key = key * (int(codes.max(initial=-1)) + 2) + codes + 1
    if int(key.max(initial=0)) > 4 * len(key) + 1024:  # renumbered only when sparse
        key = pd.factorize(key)[0]
    repeats = np.bincount(key)[key] > 1 if len(key) else np.zeros(0, dtype=bool)
    return where[repeats], key[repeats]


def known(values: pd.Series) -> bool:
    """Whether the distinct values of ``values`` are already known (see :func:`distinct`)."""
    array = arrow_of(values)
    entry = _DISTINCT.get(id(array)) if array is not None else None
    return entry is not None and entry[0]() is array


def duplicated_rows(columns, keep="first") -> np.ndarray:
    """``DataFrame(columns).duplicated(keep=keep)`` as a boolean array (``columns``: a frame
    or a list of Series of one length); see :func:`repeated_keys`."""
    columns = (
        [columns[c] for c in columns.columns] if isinstance(columns, pd.DataFrame) else columns
    )
    where, key = repeated_keys(columns)
    found = np.zeros(len(columns[0]) if columns else 0, dtype=bool)
    found[where] = pd.Series(key).duplicated(keep=keep).to_numpy()
    return found


def first_of_key(key: np.ndarray) -> np.ndarray:
    """For each entry of ``key`` (codes numbered in order of first appearance), the position
    of the first entry with the same code."""
    return np.flatnonzero(~pd.Series(key).duplicated().to_numpy())[key]


def as_arrow_strings(values: pd.Series) -> pd.Series:
    """``values`` as Arrow-backed strings when every cell is text (CSV, generated frames),
    so that factorising and string work run in Arrow's C++ kernels; cells of other types
    (numbers and datetimes from Excel) keep their objects, whose type matters."""
    if values.dtype == "string[pyarrow]":
        return values
    if isinstance(values.dtype, pd.StringDtype) or (
        values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string"
    ):
        return values.astype("string[pyarrow]")
    return values


def all_ascii(text) -> bool:
    """Whether every cell of an Arrow string array is ASCII (missing cells count as ASCII)."""
    return bool(pc.all(pc.string_is_ascii(text)).as_py() is not False)


def register_derived(text: pd.Series, codes: np.ndarray, uniques: pd.Series) -> None:
    """Record that ``text`` is ``uniques`` taken at ``codes``: its own distinct values are
    then found from these when first asked for (see :func:`distinct`)."""
    array = arrow_of(text)
    if array is not None:
        _remember(array, _derived(codes, uniques))
