"""Checks of one column or key shared by every table: text, header rows, required cells,
enumerations, dates, duplicates, and names joined by 、.

Each works on whole columns (see :mod:`evalkit.data._distinct`) and reports through the
table's :class:`~evalkit.data.validation.Checker`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.data._dataset import main_years
from evalkit.data._dates import YEARS_HELD, out_of_range
from evalkit.data._distinct import (
    all_ascii,
    arrow_array,
    as_arrow_strings,
    first_of_key,
    known,
    on_distinct,
    repeated_keys,
)
from evalkit.data._schema import COLUMNS
from evalkit.data.validation import (
    Checker,
    as_datetime,
    as_enum,
    as_text,
    column_or_empty,
    enum_expectation,
    hidden_characters,
    lost_digits,
    scientific,
    show_hidden,
)

DATE_EXPECTED = "not a date: expected e.g. 2025-03-05 14:30, 2025/3/5 or 2025年3月5日"


def exact_duplicates(check: Checker, text: dict[str, pd.Series], column: str, why: str):
    """Rows whose every cell equals an earlier row's (after trimming and normalising):
    an error naming the earlier row, rejecting the later copy. Returns the mask."""
    names = [name for name in check.frame.columns if name in text]
    names = sorted(names, key=lambda name: name != column)  # the key first: copies share it
    where, key = repeated_keys([text[name] for name in names])
    later = np.zeros(len(check.frame), dtype=bool)
    later[where] = pd.Series(key).duplicated().to_numpy()
    involved = np.zeros(len(check.frame), dtype=bool)
    involved[where] = True
    involved &= ~check.skip
    later &= involved
    if not later.any():
        return later
    kept = ~check.skip[where]  # the first copy named is the first row that is a record
    where, key = where[kept], pd.factorize(key[kept])[0]
    first = np.full(len(check.frame), "", dtype=object)
    first[where] = check.rows[where[first_of_key(key)]].astype(str)
    message = "an exact duplicate of row " + pd.Series(first, index=check.frame.index) + why
    check.flag(later, column, text[column], message)
    return later


def submitted_at(item: np.ndarray, subs: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The submission time of the item at each position of ``subs`` (NaT where -1)."""
    times = subs["submitted_at"].to_numpy(dtype="datetime64[ns]")
    if len(times) == 0:
        return pd.Series(np.full(len(item), np.datetime64("NaT"), "datetime64[ns]"), index=index)
    return pd.Series(
        np.where(item >= 0, times[np.maximum(item, 0)], np.datetime64("NaT")), index=index
    )


KEEP_WIDTH = frozenset({"title", "note"})  # free text shown as typed; others NFKC-normalised
ID_COLUMNS = frozenset({"submission_id"})  # matched across files by their exact digits


def texts(check: Checker, lookup: dict[str, str]) -> dict[str, pd.Series]:
    """Every column of the table as :func:`as_text` cells, computed once.

    Rows that repeat the header are set apart first (:func:`_header_rows`); cells whose
    text changed because invisible characters were removed, and ids that lost or may
    have lost digits, are reported as warnings.
    """
    # A workbook's text column as Arrow strings once, for every check below: each would
    # otherwise convert (and hash) its objects again
    cells = {
        c.name: as_arrow_strings(column_or_empty(check.frame, c.name))
        for c in COLUMNS[check.raw.table]
    }
    text = {name: as_text(raw, keep_width=name in KEEP_WIDTH) for name, raw in cells.items()}
    _header_rows(check, text, lookup)
    _totals_rows(check, text)
    check.flag_cells()
    for name in check.frame.columns.intersection(list(text)):
        raw = check.frame[name]
        if name not in KEEP_WIDTH:
            hidden = hidden_characters(cells[name])  # the cells holding any, few
            found = raw.index.isin(hidden.index) & text[name].notna().to_numpy()
            if found.any():  # the messages are built for those rows only
                check.flag(
                    found,
                    name,
                    show_hidden(raw[found]),
                    "invisible character or unusual space removed ("
                    + hidden.reindex(raw.index[found])
                    + "): read as "
                    + text[name][found],
                    "warning",
                )
        if name in ID_COLUMNS:
            check.flag(
                lost_digits(cells[name]),
                name,
                text[name],
                "a number of 16 or more digits: Excel keeps 15, so its last digits may be"
                " lost; format the id column as text in Excel",
                "warning",
            )
            check.flag(
                scientific(text[name]),
                name,
                text[name],
                "an id in scientific notation (as Excel shows a long number): its digits are"
                " lost; format the id column as text in Excel and export again",
                "warning",
            )
    return text


# Characters that make a header key shorter than its cell: whitespace (removed, also where
# NFKC makes it of a wider space), combining marks and Hangul jamo (NFKC composes them),
# half-width kana voicing marks (composed with the kana before them).
_KEY_SHRINKS = (
    r"[\s\x{0085}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"
    r"\p{M}\x{1100}-\x{11FF}\x{3131}-\x{318E}\x{A960}-\x{A97F}\x{D7B0}-\x{D7FF}"
    r"\x{FFA0}-\x{FFDC}\x{FF9E}\x{FF9F}]"
)


def _header_rows(check: Checker, text: dict[str, pd.Series], lookup: dict[str, str]) -> None:
    """Rows that repeat the header (two exports pasted together) are not records: reject them
    with a warning, before any other check can read 单位名称 as a unit."""
    present = [name for name in check.frame.columns if name in text]
    if not present or check.frame.empty:
        return
    matches = np.zeros(len(check.frame), dtype=int)
    filled = np.zeros(len(check.frame), dtype=int)
    spellings = pa.array(list(lookup))
    own = {name: [k for k, c in lookup.items() if c == name and k] for name in present}

    def spelled_as(name: str, cells: pd.Series) -> pd.Series:
        values = arrow_array(cells)
        if all_ascii(values):
            # ASCII text (ids, times): NFKC leaves it as it is and the cell is trimmed, so
            # its key starts with its first character in lower case: a cell can be a
            # spelling only when that character begins one (no id or time begins so)
            first = pc.utf8_lower(pc.utf8_slice_codeunits(values, 0, 1))
            starts = pa.array(sorted({k[0] for k in own[name]}), type=pa.string())
            candidate = pc.is_in(first, value_set=starts)
        else:
            # Only a cell as short as a spelling of this column can be one, unless it holds
            # characters that the header key removes or composes (spaces, combining marks,
            # Hangul jamo): the others keep at least one character each.
            longest = max((len(k) for k in own[name]), default=0)
            short = pc.less_equal(pc.utf8_length(values), longest)
            candidate = short
            if pc.any(pc.invert(short)).as_py():  # the pattern (Unicode classes) takes 0.3 ms
                # to compile: only for a column with a cell too long to be a spelling
                candidate = pc.or_(short, pc.match_substring_regex(values, _KEY_SHRINKS))
        candidate = np.asarray(pc.fill_null(candidate, False))
        spelled = np.zeros(len(values), dtype=bool)
        if not candidate.any():
            return pd.Series(pd.array(spelled, dtype="boolean"), index=cells.index)
        keys = values.filter(pa.array(candidate))
        # header_key in Arrow's kernels (NFKC, no spaces, lower case), then only the few
        # cells that are a header spelling at all are looked up
        if not all_ascii(keys):  # NFKC leaves ASCII as it is
            keys = pc.utf8_normalize(keys, "NFKC")
        keys = pc.utf8_lower(pc.replace_substring_regex(keys, r"\s+", ""))
        found = np.asarray(pc.fill_null(pc.is_in(keys, value_set=spellings), False))
        if found.any():
            named = pd.Series(np.asarray(keys.filter(pa.array(found))), dtype=object)
            found[found] = named.map(lookup).eq(name).to_numpy()
        spelled[candidate] = found
        return pd.Series(pd.array(spelled, dtype="boolean"), index=cells.index)

    def spelled(name: str, rows) -> np.ndarray:
        cells = text[name] if rows is None else text[name][rows]
        if rows is None and not known(cells) and all_ascii(arrow_array(cells)):
            # ids and times: a cell can be a spelling only if its first character begins
            # one (see spelled_as), looked at in the column's bytes without a copy
            if not _may_start_with(arrow_array(cells), {k[0] for k in own[name]}):
                return np.zeros(len(cells), dtype=bool)
        # each distinct cell once (units, categories and times repeat)
        found = on_distinct(cells, lambda distinct, name=name: spelled_as(name, distinct))
        return found.fillna(False).to_numpy(dtype=bool)

    enough = 2 if len(present) > 1 else 1
    cells = {name: text[name].notna().to_numpy() for name in present}
    for name in present:
        filled += cells[name]
    # Columns of long, mostly distinct text (titles) last, and only on the rows that could
    # still be a header: a row needs `enough` matches and half its filled cells to match,
    # and its cells not yet looked at can add at most one match each.
    cheap = [n for n in present if known(text[n]) or all_ascii(arrow_array(text[n]))]
    costly = [n for n in present if n not in cheap]
    for name in cheap:
        matches += spelled(name, None)
    for i, name in enumerate(costly):
        most = matches + sum(cells[n] for n in costly[i:])
        rows = cells[name] & (most >= enough) & (2 * most >= filled)
        if rows.any():
            matches[rows] += spelled(name, rows)
    mask = (matches >= enough) & (2 * matches >= filled)
    first = present[int(np.argmax([c == "unit" or c == "submission_id" for c in present]))]
    check.not_records(
        mask,
        first,
        text[first],
        "a repeated header row inside the data (two exports pasted together?): not a record,"
        " not loaded",
    )


# What a totals row under an export's data says in its first column: 合计, 总计, 小计 (a
# subtotal under each group), 共计, 累计, Total; spaces inside are taken out (合  计).
_TOTALS = r"^(?:合计|总计|小计|共计|累计|总合计|(?:sub|grand)?total)[:：]?$"
TOTALS_ROW = "a totals row (合计, 总计, 小计 ...), not a record: not loaded"


def _totals_rows(check: Checker, text: dict[str, pd.Series]) -> None:
    """Rows whose first column read (in the file's order) says 合计, 总计, 小计 ...: the totals
    an export puts under its data. Not records: each is rejected with a warning, and no
    other check looks at it (a unit named 合计 would otherwise load in no group)."""
    first = next((c for c in check.frame.columns if c in text), None)
    if first is None or text[first].isna().all():
        return
    values = arrow_array(as_arrow_strings(text[first]))
    if all_ascii(values) and not _may_start_with(values, {"t", "s", "g"}):
        return  # ids and codes, as most first columns hold: no totals word begins so
    key = pc.replace_substring_regex(values, r"\s+", "")
    found = np.asarray(
        pc.fill_null(pc.match_substring_regex(key, _TOTALS, ignore_case=True), False)
    )
    check.not_records(found, first, column_or_empty(check.frame, first), TOTALS_ROW)


def _may_start_with(values: pa.Array, starts: set[str]) -> bool:
    """Whether a cell of the ASCII array ``values`` may begin with one of ``starts`` in
    either case (a missing or empty cell may count: the full check then decides)."""
    wanted = np.zeros(256, dtype=bool)
    for start in starts:
        if start.isascii():
            wanted[[ord(start.lower()), ord(start.upper())]] = True
    _, offsets, data = values.buffers()
    if not wanted.any() or data is None or len(values) == 0:
        return False
    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    offsets = np.frombuffer(offsets, dtype=width)[values.offset : values.offset + len(values) + 1]
    first = offsets[:-1][np.diff(offsets) > 0]  # where each non-empty cell begins
    return bool(wanted[np.frombuffer(data, dtype=np.uint8)[first]].any())


def require(check: Checker, text: dict[str, pd.Series], keep: dict | None = None) -> None:
    """Flag empty cells of required columns (a column missing entirely is a file-level error).

    ``keep`` maps columns whose empty cell does not reject the row to the message saying
    how the row loads instead.
    """
    keep = keep or {}
    for col in COLUMNS[check.raw.table]:
        if col.required and col.name in check.frame:
            message = "required value is empty" + keep.get(col.name, "")
            reject = None if col.name not in keep else False
            empty = text[col.name].isna().to_numpy().copy()
            if col.name in check.marked:  # an error cell read as blank: reported as itself
                empty &= ~check.marked[col.name]
            check.flag(empty, col.name, "", message, reject=reject)


def check_enum(check: Checker, text, column: str, enum: str, overrides: dict) -> pd.Series:
    """The canonical values of an enumeration column; unknown spellings are errors."""
    values, bad = as_enum(text[column], enum, overrides)
    check.flag(bad, column, column_or_empty(check.frame, column), enum_expectation(enum))
    return values


def check_dates(check: Checker, text, column: str) -> pd.Series:
    """The timestamps of a date column; unparseable cells are errors."""
    values, bad = as_datetime(text[column])
    check.flag(
        bad, column, column_or_empty(check.frame, column), lambda: _not_a_date(text[column], bad)
    )
    if column in check.frame:
        check.dates[column] = values
    return values


def _not_a_date(text: pd.Series, bad: pd.Series) -> pd.Series:
    """The message for each cell not read as a date: a year too far off is named as such."""
    far = out_of_range(text[bad]).reindex(text.index, fill_value=False)
    message = pd.Series(DATE_EXPECTED, index=text.index)
    return message.mask(
        far,
        f"a date outside the years evalkit can hold ({YEARS_HELD[0]}-{YEARS_HELD[1]}):"
        " a typo? Fix the date",
    )


def reject_all_if_unreadable(check: Checker) -> None:
    """When a file could not be used (unreadable, a required column missing), reject every row."""
    if check.raw.fatal:
        errors = [i["message"] for i in check.raw.issues if i["severity"] == "error"]
        check.reject_all("; ".join(errors) or f"the {check.raw.table} file could not be read")


def first_rows(check: Checker, key) -> pd.Series:
    """For each row, the row number of the first row with the same ``key`` (a Series or list)."""
    return repeated(check, key if isinstance(key, list) else [key])[1]()


def repeated(check: Checker, keys: list[pd.Series]):
    """The rows whose key (``keys``, Series on one index) repeats an earlier row's, as a mask,
    and a function that gives each row the number of the first row with its key."""
    where, codes = repeated_keys(keys)
    later = np.zeros(len(keys[0]), dtype=bool)
    later[where] = pd.Series(codes).duplicated().to_numpy()

    def first_rows() -> pd.Series:
        rows = pd.Series(check.rows, index=check.frame.index).reindex(keys[0].index).to_numpy()
        first = rows.copy()  # only rows whose key repeats have an earlier row to name
        first[where] = rows[where[first_of_key(codes)]]
        return pd.Series(first, index=keys[0].index).astype("int64").astype(str)

    return later, first_rows


def joined(names: pd.Series, index: pd.Index) -> pd.Series:
    """Names in long form (repeated index) joined by 、 per row of ``index``; NaN where none.

    The names are spread into one column per position, and the columns (a few: the
    most names in one cell) are concatenated, so no Python code runs per row.
    """
    names = names.astype("string[pyarrow]")
    if names.index.is_unique:  # one name a row at most (most items): nothing to join
        return names.reindex(index).astype("str")
    owner = index.get_indexer(names.index)
    if (owner >= 0).all():  # each row's names as one list, joined in Arrow's kernel
        values = pc.cast(arrow_array(names), pa.large_string())
        if (np.diff(owner) < 0).any():  # split_names keeps rows in order: seldom needed
            order = np.argsort(owner, kind="stable")
            owner, values = owner[order], values.take(pa.array(order))
        count = np.bincount(owner, minlength=len(index))
        offsets = pa.array(np.concatenate([[0], np.cumsum(count)]), type=pa.int64())
        joined = pc.binary_join(
            pa.LargeListArray.from_arrays(offsets, values), pa.scalar("、", pa.large_string())
        )
        joined = pc.if_else(pa.array(count > 0), joined, pa.scalar(None, pa.large_string()))
        return pd.Series(pd.arrays.ArrowStringArray(joined), index=index).astype("str")
    position = names.groupby(level=0).cumcount()
    wide = pd.Series(names.to_numpy(), index=[names.index, position.to_numpy()]).unstack()
    joined = pd.Series("", index=wide.index, dtype="str")
    for column in wide.columns:
        joined = joined + "、" + wide[column].fillna("").astype("str")
    joined = joined.str.replace(r"^、+|、+$", "", regex=True)
    return joined.reindex(index).astype("str")


def check_years(checkers: list[Checker], submitted_at: pd.Series) -> None:
    """Flag dates outside the years the data covers (a typo such as 2052 or 1900).

    The window is the run of years holding a real share of the submissions
    (:func:`main_years`), widened by a year on each side. Such a row still loads as
    dated (an error that does not reject it): ranking stops until the date is fixed
    or ``--allow-errors`` is given.
    """
    years = main_years(submitted_at.dt.year)
    if not years:
        return
    low, high = years[0] - 1, years[-1] + 1
    covered = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
    for check in checkers:
        for column, dates in check.dates.items():
            if not _any_outside(dates, low, high):  # the usual case, told by NumPy
                continue
            year = dates.dt.year
            outside = dates.notna() & ((year < low) | (year > high))
            if not outside.any():
                continue
            check.flag(
                outside,
                column,
                column_or_empty(check.frame, column),
                lambda year=year: (
                    "year "
                    + year.astype("Int64").astype("string").fillna("")
                    + f" is outside the years of the data ({covered}; {low}-{high} accepted):"
                    " a typo? The row loads as dated; fix the date"
                ),
                reject=False,
            )


def _any_outside(dates: pd.Series, low: int, high: int) -> bool:
    """Whether a date lies outside the years ``low`` to ``high`` (True when unsure: pandas
    then looks), in NumPy: a few calls instead of a dozen pandas ones per date column."""
    values = dates.to_numpy()
    if values.dtype.kind != "M":  # not plain datetimes (time zones?): not decided here
        return True
    years = values.astype("datetime64[Y]").astype(np.int64) + 1970
    return bool(((years < low) | (years > high))[~np.isnat(values)].any())
