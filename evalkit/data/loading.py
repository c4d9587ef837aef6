"""Load a data folder (or in-memory frames) into a validated :class:`Dataset`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.data import _records  # instruction and forwarding records; uses helpers of this module
from evalkit.data._dataset import COUNT_COLUMNS, ISSUE_COLUMNS, Dataset, main_years
from evalkit.data._io import (
    DataError,
    RawTable,
    check_mapping,
    find_files,
    frame_to_raw,
    header_keys,
    header_lookup,
    read_mapping,
    read_table,
)
from evalkit.data._schema import COLUMNS, LIST_SEPARATORS, TABLES
from evalkit.data.validation import (
    Checker,
    UnitMatcher,
    all_ascii,
    arrow_array,
    as_datetime,
    as_enum,
    as_int,
    as_text,
    column_or_empty,
    duplicated_rows,
    enum_expectation,
    first_of_key,
    hidden_characters,
    is_in,
    lost_digits,
    on_distinct,
    positions_in,
    repeated_keys,
    scientific,
    show_hidden,
    split_names,
)

__all__ = ["DataError", "load", "load_frames"]

DATE_EXPECTED = "not a date: expected e.g. 2025-03-05 14:30, 2025/3/5 or 2025年3月5日"


def load(folder: str | Path) -> Dataset:
    """Load and validate the units, submissions, adoptions and faults files of ``folder``.

    Every input row ends up either in the Dataset or in ``dataset.rejected`` with
    its reason; ``dataset.issues`` lists every error and warning with file, row
    (as Excel numbers it), column and value.

    Parameters
    ----------
    folder : str or Path
        A folder holding ``units``, ``submissions``, ``adoptions`` and optionally
        ``faults`` as ``.csv`` or ``.xlsx`` (see ``docs/data-format.md``), and
        optionally a ``mapping.toml`` for the office's own header spellings.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        When the folder does not exist or its ``mapping.toml`` is unreadable.

    Examples
    --------
    >>> import evalkit
    >>> ds = evalkit.load("data/sample")
    >>> ds.errors.empty
    True
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DataError(
            f"{folder}: is a file, not a folder; give the data folder that holds the units,"
            " submissions and adoptions files"
        )
    if not folder.is_dir():
        raise DataError(f"{folder}: no such data folder")
    mapping = read_mapping(folder)
    paths, file_issues = find_files(folder, mapping)
    raws = {table: read_table(table, path, mapping) for table, path in paths.items()}
    dataset = _build(raws, mapping, file_issues)
    dataset.folder = folder
    return dataset


def load_frames(
    units: pd.DataFrame,
    submissions: pd.DataFrame,
    adoptions: pd.DataFrame,
    faults: pd.DataFrame | None = None,
    mapping: dict | None = None,
    instructions: pd.DataFrame | None = None,
    forwardings: pd.DataFrame | None = None,
) -> Dataset:
    """Validate in-memory frames exactly as :func:`load` validates files.

    Headers may be canonical (``unit``, ``submitted_at`` ...) or any accepted
    Chinese spelling; rows are numbered as if the frame were a sheet whose
    header is row 1.

    Examples
    --------
    >>> import pandas as pd, evalkit
    >>> ds = evalkit.load_frames(
    ...     units=pd.DataFrame({"单位名称": ["城关镇"], "组别": ["乡镇组"]}),
    ...     submissions=pd.DataFrame({"编号": ["A1"], "报送单位": ["城关镇"], "标题": ["春耕"],
    ...                               "报送时间": ["2025年3月5日 14:30"]}),
    ...     adoptions=pd.DataFrame({"编号": ["A1"], "采用级别": ["市级"], "采用时间": ["2025/3/9"]}),
    ... )
    >>> ds.adoptions["level"].tolist()
    ['city']
    """
    mapping = check_mapping(mapping or {})
    frames = {"units": units, "submissions": submissions, "adoptions": adoptions, "faults": faults,
              "instructions": instructions, "forwardings": forwardings}  # fmt: skip
    raws = {}
    for table, frame in frames.items():
        if frame is None:
            continue
        header = frame.columns.to_numpy(dtype=object)
        cells = pd.DataFrame(np.vstack([header, frame.to_numpy(dtype=object)]))
        raws[table] = frame_to_raw(table, f"<{table}>", cells, mapping, header_row=0)
    return _build(raws, mapping, [])


def _build(raws: dict[str, RawTable], mapping: dict, file_issues: list[dict]) -> Dataset:
    overrides = mapping["values"]
    for table in TABLES:  # an unreadable or missing file still gets an (empty) table
        raws.setdefault(table, RawTable(table, "", pd.DataFrame({"_row": []}), fatal=True))
    lookups = {table: header_lookup(table, mapping) for table in TABLES}
    units, aliases, c_units = _units(raws["units"], lookups["units"])
    matcher = UnitMatcher(units, aliases)
    subs, sub_units, sub_informants, c_subs = _submissions(
        raws["submissions"], lookups["submissions"], matcher, overrides
    )
    adoptions, c_adopt, derived = _adoptions(
        raws["adoptions"], lookups["adoptions"], subs, overrides
    )
    faults, c_faults = _faults(raws["faults"], lookups["faults"], matcher, subs, overrides)
    filed, c_instr = _records.load_instructions(
        raws["instructions"], subs, adoptions, overrides, lookups["instructions"]
    )
    instructions = _records.instruction_records(derived[0], filed)
    _records.warn_repeats(c_instr, instructions, ["submission_id", "leader_level", "leader"],
                          "leader", "the same leader's instruction on this item is")  # fmt: skip
    sent, c_fwd = _records.load_forwardings(
        raws["forwardings"], subs, overrides, lookups["forwardings"]
    )
    forwardings = _records.forwarding_records(derived[1], sent)
    _records.warn_repeats(c_fwd, forwardings, ["submission_id", "to_level"], "to_level",
                          "counted once per item and level; the item's forwarding there is")  # fmt: skip
    checkers = [c_units, c_subs, c_adopt, c_faults, c_instr, c_fwd]
    _check_years(checkers, subs["submitted_at"])
    issue_frames = [pd.DataFrame(file_issues, columns=ISSUE_COLUMNS)]
    for raw in raws.values():
        issue_frames.append(pd.DataFrame(raw.issues, columns=ISSUE_COLUMNS))
    issue_frames += [f for c in checkers for f in c.issues]
    issues = pd.concat(
        [f for f in issue_frames if not f.empty] or [pd.DataFrame(columns=ISSUE_COLUMNS)],
        ignore_index=True,
    )
    issues["row"] = issues["row"].astype("Int64")
    issues = issues.sort_values(["table", "severity", "row"], key=_table_order, kind="stable")
    rejected = pd.concat([c.rejected() for c in checkers], ignore_index=True)
    counts = pd.DataFrame(
        [
            {
                "table": c.raw.table,
                "file": c.raw.file,
                "rows_read": len(c.frame) + c.raw.blank_rows,  # every row below the header
                "loaded": int(c.ok.sum()),
                "rejected": int((~c.ok).sum()),
                "blank_rows": c.raw.blank_rows,
            }
            for c in checkers
            if c.raw.file
        ],
        columns=COUNT_COLUMNS,
    )
    return Dataset(
        units=units,
        submissions=subs,
        submission_units=sub_units,
        submission_informants=sub_informants,
        adoptions=adoptions,
        faults=faults,
        instructions=instructions,
        forwardings=forwardings,
        issues=issues.reset_index(drop=True),
        rejected=rejected,
        counts=counts,
        aliases=aliases,
    )


def _check_years(checkers: list[Checker], submitted_at: pd.Series) -> None:
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


def _exact_duplicates(check: Checker, text: dict[str, pd.Series], column: str, why: str):
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


def _table_order(col: pd.Series) -> pd.Series:
    if col.name == "table":
        return col.map({t: i for i, t in enumerate(TABLES)})
    if col.name == "severity":
        return col.map({"error": 0, "warning": 1})
    return col


KEEP_WIDTH = frozenset({"title", "note"})  # free text shown as typed; others NFKC-normalised
ID_COLUMNS = frozenset({"submission_id"})
NO_GROUP = "未分组"  # the group of a unit whose group cell is empty (an error on that cell)  # matched across files by their exact digits


def _texts(check: Checker, lookup: dict[str, str]) -> dict[str, pd.Series]:
    """Every column of the table as :func:`as_text` cells, computed once.

    Rows that repeat the header are set apart first (:func:`_header_rows`); cells whose
    text changed because invisible characters were removed, and ids that lost or may
    have lost digits, are reported as warnings.
    """
    text = {
        c.name: as_text(column_or_empty(check.frame, c.name), keep_width=c.name in KEEP_WIDTH)
        for c in COLUMNS[check.raw.table]
    }
    _header_rows(check, text, lookup)
    for name in check.frame.columns.intersection(list(text)):
        raw = check.frame[name]
        if name not in KEEP_WIDTH:
            hidden = hidden_characters(raw)
            found = hidden.ne("").to_numpy() & text[name].notna().to_numpy()
            if found.any():  # the messages are built for those rows only
                check.flag(
                    found,
                    name,
                    show_hidden(raw[found]),
                    "invisible character or unusual space removed ("
                    + hidden[found]
                    + "): read as "
                    + text[name][found],
                    "warning",
                )
        if name in ID_COLUMNS:
            check.flag(
                lost_digits(raw),
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

    def spelled_as(name: str, cells: pd.Series) -> pd.Series:
        values = arrow_array(cells)
        own = [k for k, c in lookup.items() if c == name and k]
        if all_ascii(values):
            # ASCII text (ids, times): NFKC leaves it as it is and the cell is trimmed, so
            # its key starts with its first character in lower case: a cell can be a
            # spelling only when that character begins one (no id or time begins so)
            first = pc.utf8_lower(pc.utf8_slice_codeunits(values, 0, 1))
            starts = pa.array(sorted({k[0] for k in own}), type=pa.string())
            candidate = pc.is_in(first, value_set=starts)
        else:
            # Only a cell as short as a spelling of this column can be one, unless it holds
            # characters that the header key removes or composes (spaces, combining marks,
            # Hangul jamo): the others keep at least one character each.
            longest = max((len(k) for k in own), default=0)
            short = pc.less_equal(pc.utf8_length(values), longest)
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

    for name in present:
        # each distinct cell once (units, categories and times repeat)
        spelled = on_distinct(text[name], lambda cells, name=name: spelled_as(name, cells))
        spelled = spelled.fillna(False).to_numpy(dtype=bool)
        matches += spelled
        filled += text[name].notna().to_numpy()
    enough = 2 if len(present) > 1 else 1
    mask = (matches >= enough) & (2 * matches >= filled)
    first = present[int(np.argmax([c == "unit" or c == "submission_id" for c in present]))]
    check.not_records(
        mask,
        first,
        text[first],
        "a repeated header row inside the data (two exports pasted together?): not a record,"
        " not loaded",
    )


def _require(check: Checker, text: dict[str, pd.Series], keep: dict | None = None) -> None:
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


def _check_enum(check: Checker, text, column: str, enum: str, overrides: dict) -> pd.Series:
    """The canonical values of an enumeration column; unknown spellings are errors."""
    values, bad = as_enum(text[column], enum, overrides)
    check.flag(bad, column, column_or_empty(check.frame, column), enum_expectation(enum))
    return values


def _check_dates(check: Checker, text, column: str) -> pd.Series:
    """The timestamps of a date column; unparseable cells are errors."""
    values, bad = as_datetime(text[column])
    check.flag(bad, column, column_or_empty(check.frame, column), DATE_EXPECTED)
    if column in check.frame:
        check.dates[column] = values
    return values


def _reject_all_if_unreadable(check: Checker) -> None:
    """When a file could not be used (unreadable, a required column missing), reject every row."""
    if check.raw.fatal:
        errors = [i["message"] for i in check.raw.issues if i["severity"] == "error"]
        check.reject_all("; ".join(errors) or f"the {check.raw.table} file could not be read")


def _first_rows(check: Checker, key) -> pd.Series:
    """For each row, the row number of the first row with the same ``key`` (a Series or list)."""
    return _repeated(check, key if isinstance(key, list) else [key])[1]()


def _repeated(check: Checker, keys: list[pd.Series]):
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


def _joined(names: pd.Series, index: pd.Index) -> pd.Series:
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


def _units(raw: RawTable, lookup: dict[str, str]):
    """The units file. Only a row without a usable name is rejected: a bad optional field
    (quota, an alias) or a missing group is an error on that field, and the unit loads
    without it, so that its submissions and adoptions still load and are counted."""
    check = Checker(raw)
    f = raw.frame
    text = _texts(check, lookup)
    unit = text["unit"]
    aliases = split_names(text["aliases"])
    quota, bad_quota = as_int(text["quota"])
    _require(
        check,
        text,
        keep={
            "group": f": the unit loads in group {NO_GROUP} and is ranked alone there; give it one"
        },
    )
    check.flag(
        bad_quota,
        "quota",
        column_or_empty(f, "quota"),
        "expected a whole number >= 0; the unit loads without a quota",
        reject=False,
    )
    check.flag(
        unit.str.contains(LIST_SEPARATORS, regex=True).fillna(False),
        "unit",
        unit,
        "a unit name cannot contain 、 , ; ， ； or a line break: they separate the units of a"
        " joint item, so this name could never be matched; rename it",
    )
    key = header_keys(unit)
    check.flag(
        key.notna() & key.duplicated(),
        "unit",
        unit,
        lambda: "duplicate unit name; first listed in row " + _first_rows(check, key),
    )
    long = pd.DataFrame({"alias": aliases, "key": header_keys(aliases)})
    long = long[~long.reset_index().duplicated(["index", "key"]).to_numpy()]  # 甲、甲 is one
    long["unit"] = unit.reindex(long.index)
    clash = long["key"].isin(set(key.dropna())) | long["key"].duplicated(keep=False)
    check.flag(
        f.index.isin(long.index[clash.to_numpy()]),
        "aliases",
        column_or_empty(f, "aliases"),
        "an alias is also a unit's name or another unit's alias: "
        + _joined(long.loc[clash.to_numpy(), "alias"], f.index).fillna("")
        + " not used as an alias (the unit loads without it)",
        reject=False,
    )
    long = long[~clash.to_numpy()]
    _reject_all_if_unreadable(check)
    ok = check.ok
    group = text["group"][ok].fillna(NO_GROUP)  # reported as an error above
    units = pd.DataFrame(
        {
            "unit": unit[ok].astype("str"),
            "group": pd.Categorical(group, categories=group.drop_duplicates().dropna()),
            "class": text["class"][ok].astype("str"),
            "aliases": _joined(long["alias"], f.index)[ok],
            "quota": quota[ok],
        }
    ).reset_index(drop=True)
    alias_table = long[ok.reindex(long.index).to_numpy()][["alias", "unit"]]
    return units, alias_table.reset_index(drop=True).astype("str"), check


def _submissions(raw: RawTable, lookup: dict[str, str], matcher: UnitMatcher, overrides: dict):
    check = Checker(raw)
    f = raw.frame
    text = _texts(check, lookup)
    sid, title = text["submission_id"], text["title"]
    informants = split_names(text["informants"])
    times = {col: _check_dates(check, text, col) for col in ("event_at", "submitted_at", "due_at")}
    _require(check, text)
    category = _check_enum(check, text, "category", "category", overrides)
    # Units: one per row of a long table, so joint items are matched like single ones.
    long = split_names(text["units"]).rename("name").to_frame()
    long["unit"] = matcher.match(long["name"])
    unknown = long.loc[long["unit"].isna(), "name"]
    messages = matcher.suggestions(unknown).groupby(level=0).agg("; ".join)
    check.flag(
        f.index.isin(messages.index),
        "units",
        column_or_empty(f, "units"),
        messages.reindex(f.index).fillna(""),
    )
    exact = _exact_duplicates(
        check,
        text,
        "submission_id",
        " (every cell the same): one item would count twice; delete one",
    )
    check.flag(
        sid.notna() & duplicated_rows([sid]) & ~exact,
        "submission_id",
        sid,
        lambda: "duplicate id; first used in row " + _first_rows(check, sid),
    )
    check.flag(
        times["event_at"] > times["submitted_at"],
        "event_at",
        column_or_empty(f, "event_at"),
        "event time is after the submission time",
    )
    _reject_all_if_unreadable(check)
    long = long[check.ok.reindex(long.index).to_numpy()].dropna(subset=["unit"])
    long = long[~duplicated_rows(long.reset_index()[["index", "unit"]])]  # 甲、甲 is one
    long["position"] = long.groupby(level=0).cumcount()
    lead = long.loc[long["position"] == 0, "unit"].reindex(f.index)
    # Warnings: loaded but worth a look.
    check.flag(
        check.ok & category.eq("urgent") & times["event_at"].isna(),
        "event_at",
        "",
        "urgent item without an event time: its timeliness cannot be judged",
        "warning",
    )
    check.flag(
        check.ok & category.eq("commissioned") & times["due_at"].isna(),
        "due_at",
        "",
        "commissioned item without a due date",
        "warning",
    )
    same = pd.DataFrame({"unit": lead, "title": title, "day": times["submitted_at"].dt.normalize()})
    same = same[check.ok & same.notna().all(axis=1)]
    later, first_rows = _repeated(check, [same[c] for c in ("unit", "day", "title")])
    check.flag(
        f.index.isin(same.index[later]),
        "title",
        title,
        lambda: (
            "the same title from the same unit on the same day as row "
            + first_rows().reindex(f.index)
        ),
        "warning",
    )
    ok = check.ok
    subs = pd.DataFrame(
        {
            "submission_id": sid.astype("str"),
            "title": title.astype("str"),
            "category": category,
            **times,
            "units": _joined(long["unit"], f.index),
            "n_units": long.groupby(level=0).size().reindex(f.index),
            "lead_unit": lead.astype("str"),
            "informants": _joined(informants, f.index),
        }
    )[ok]
    subs = subs.astype({"n_units": "int64"}).reset_index(drop=True)
    sub_units = pd.DataFrame(
        {
            "submission_id": sid.reindex(long.index).astype("str"),
            "unit": long["unit"].astype("str"),
            "n_units": long.groupby(level=0)["unit"].transform("size").astype("int64"),
            "position": long["position"].astype("int64"),
        }
    ).reset_index(drop=True)
    people = informants[ok.reindex(informants.index).to_numpy()].rename("informant").to_frame()
    people = people[~duplicated_rows(people.reset_index())]
    people["submission_id"] = sid.reindex(people.index)
    people["unit"] = lead.reindex(people.index)
    people["n_informants"] = people.groupby(level=0)["informant"].transform("size")
    sub_informants = people[["submission_id", "informant", "unit", "n_informants"]].astype(
        {"submission_id": "str", "informant": "str", "unit": "str", "n_informants": "int64"}
    )
    return subs, sub_units, sub_informants.reset_index(drop=True), check


def _adoptions(raw: RawTable, lookup: dict[str, str], subs: pd.DataFrame, overrides: dict):
    check = Checker(raw)
    f = raw.frame
    text = _texts(check, lookup)
    _exact_duplicates(
        check,
        text,
        "submission_id",
        " (every cell the same): the same adoption twice would"
        " double its points; delete one, or make the rows differ if both are real",
    )
    sid = text["submission_id"]
    adopted_at = _check_dates(check, text, "adopted_at")
    _require(check, text)
    values = {
        col: _check_enum(check, text, col, enum, overrides)
        for col, enum in [
            ("level", "level"),
            ("adoption_type", "adoption_type"),
            ("forwarded_to", "forward_level"),
        ]
    }
    long = _records.leaders(check, text, "instruction_level", "instructed_by", overrides, "warning")
    item = positions_in(sid, subs["submission_id"])
    check.flag(
        sid.notna() & (item < 0),
        "submission_id",
        sid,
        "no loaded submission has this id (unknown, or its submission row was rejected)",
    )
    _reject_all_if_unreadable(check)
    submitted = submitted_at(item, subs, sid.index)
    check.flag(
        check.ok & (adopted_at < submitted.dt.normalize()),
        "adopted_at",
        column_or_empty(f, "adopted_at"),
        "adopted on a day before the item was submitted",
        "warning",
    )
    frame = pd.DataFrame(
        {
            "submission_id": sid.astype("str"),
            "level": values["level"],
            "outlet": text["outlet"].astype("str"),
            "adoption_type": values["adoption_type"],
            "adopted_at": adopted_at,
            "instruction_level": _records.admin_levels(long, f.index),
            "instructed_by": text["instructed_by"].astype("str"),
            "forwarded_to": values["forwarded_to"],
        }
    )[check.ok].reset_index(drop=True)
    frame.insert(0, "adoption_id", np.arange(len(frame), dtype="int64"))
    derived = _records.records_from_adoptions(check, text, long, frame)
    return frame.drop(columns="forwarded_to"), check, derived


def _faults(
    raw: RawTable, lookup: dict[str, str], matcher: UnitMatcher, subs: pd.DataFrame, overrides
):
    check = Checker(raw)
    f = raw.frame
    text = _texts(check, lookup)
    _exact_duplicates(
        check,
        text,
        "unit",
        " (every cell the same): the same fault twice would double its"
        " penalty; delete one, or make the rows differ (a note) if both are real",
    )
    name, sid = text["unit"], text["submission_id"]
    unit = matcher.match(name)
    occurred_at = _check_dates(check, text, "occurred_at")
    _require(check, text)
    kind = _check_enum(check, text, "kind", "fault_kind", overrides)
    check.flag(
        name.notna() & unit.isna(),
        "unit",
        column_or_empty(f, "unit"),
        matcher.suggestions(name.where(unit.isna())),
    )
    _reject_all_if_unreadable(check)
    check.flag(
        check.ok & sid.notna() & ~is_in(sid, subs["submission_id"]),
        "submission_id",
        sid,
        "no loaded submission has this id; the fault still counts against the unit",
        "warning",
    )
    frame = pd.DataFrame(
        {
            "unit": unit.astype("str"),
            "kind": kind,
            "occurred_at": occurred_at,
            "submission_id": sid.astype("str"),
            "note": text["note"].astype("str"),
        }
    )[check.ok].reset_index(drop=True)
    frame.insert(0, "fault_id", np.arange(len(frame), dtype="int64"))
    return frame, check
