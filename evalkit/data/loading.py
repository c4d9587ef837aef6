"""Load a data folder (or in-memory frames) into a validated :class:`Dataset`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.data import _records  # instruction and forwarding records
from evalkit.data._columns import (
    check_dates,
    check_enum,
    check_years,
    exact_duplicates,
    first_rows,
    joined,
    reject_all_if_unreadable,
    repeated,
    require,
    submitted_at,
    texts,
)
from evalkit.data._dataset import COUNT_COLUMNS, ISSUE_COLUMNS, Dataset
from evalkit.data._distinct import duplicated_rows, is_in, positions_in
from evalkit.data._io import (
    DataError,
    RawTable,
    frame_to_raw,
    header_keys,
    header_lookup,
    read_table,
)
from evalkit.data._mapping import check_mapping, find_files, read_mapping
from evalkit.data._schema import LIST_SEPARATORS, TABLES
from evalkit.data.validation import (
    Checker,
    UnitMatcher,
    as_int,
    column_or_empty,
    split_names,
)

__all__ = ["DataError", "load", "load_frames"]


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
        if table not in raws:  # (made only then: a frame costs a millisecond)
            raws[table] = RawTable(table, "", pd.DataFrame({"_row": []}), fatal=True)
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
    check_years(checkers, subs["submitted_at"])
    found = [file_issues, *(raw.issues for raw in raws.values())]
    issue_frames = [pd.DataFrame(f, columns=ISSUE_COLUMNS) for f in found if f]  # empty: left out
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


def _table_order(col: pd.Series) -> pd.Series:
    if col.name == "table":
        return col.map({t: i for i, t in enumerate(TABLES)})
    if col.name == "severity":
        return col.map({"error": 0, "warning": 1})
    return col


NO_GROUP = "未分组"  # the group of a unit whose group cell is empty (an error on that cell)


def _units(raw: RawTable, lookup: dict[str, str]):
    """The units file. Only a row without a usable name is rejected: a bad optional field
    (quota, an alias) or a missing group is an error on that field, and the unit loads
    without it, so that its submissions and adoptions still load and are counted."""
    check = Checker(raw)
    f = raw.frame
    text = texts(check, lookup)
    unit = text["unit"]
    aliases = split_names(text["aliases"])
    quota, bad_quota = as_int(text["quota"])
    require(
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
        lambda: "duplicate unit name; first listed in row " + first_rows(check, key),
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
        + joined(long.loc[clash.to_numpy(), "alias"], f.index).fillna("")
        + " not used as an alias (the unit loads without it)",
        reject=False,
    )
    long = long[~clash.to_numpy()]
    reject_all_if_unreadable(check)
    ok = check.ok
    group = text["group"][ok].fillna(NO_GROUP)  # reported as an error above
    units = pd.DataFrame(
        {
            "unit": unit[ok].astype("str"),
            "group": pd.Categorical(group, categories=group.drop_duplicates().dropna()),
            "class": text["class"][ok].astype("str"),
            "aliases": joined(long["alias"], f.index)[ok],
            "quota": quota[ok],
        }
    ).reset_index(drop=True)
    alias_table = long[ok.reindex(long.index).to_numpy()][["alias", "unit"]]
    return units, alias_table.reset_index(drop=True).astype("str"), check


def _submissions(raw: RawTable, lookup: dict[str, str], matcher: UnitMatcher, overrides: dict):
    check = Checker(raw)
    f = raw.frame
    text = texts(check, lookup)
    sid, title = text["submission_id"], text["title"]
    informants = split_names(text["informants"])
    times = {col: check_dates(check, text, col) for col in ("event_at", "submitted_at", "due_at")}
    require(check, text)
    category = check_enum(check, text, "category", "category", overrides)
    # Units: one per row of a long table, so joint items are matched like single ones.
    long = split_names(text["units"]).rename("name").to_frame()
    long["unit"] = matcher.match(long["name"])
    unknown = long.loc[long["unit"].isna(), "name"]
    messages = matcher.suggestions(unknown).groupby(level=0).agg("; ".join)
    check.flag(
        f.index.isin(messages.index),
        "units",
        column_or_empty(f, "units"),
        lambda: messages.reindex(f.index).fillna(""),  # built only when a name is unknown
    )
    exact = exact_duplicates(
        check,
        text,
        "submission_id",
        " (every cell the same): one item would count twice; delete one",
    )
    check.flag(
        sid.notna() & duplicated_rows([sid]) & ~exact,
        "submission_id",
        sid,
        lambda: "duplicate id; first used in row " + first_rows(check, sid),
    )
    check.flag(
        times["event_at"] > times["submitted_at"],
        "event_at",
        column_or_empty(f, "event_at"),
        "event time is after the submission time",
    )
    reject_all_if_unreadable(check)
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
    later, earlier = repeated(check, [same[c] for c in ("unit", "day", "title")])
    check.flag(
        f.index.isin(same.index[later]),
        "title",
        title,
        lambda: (
            "the same title from the same unit on the same day as row " + earlier().reindex(f.index)
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
            "units": joined(long["unit"], f.index),
            "n_units": long.groupby(level=0).size().reindex(f.index),
            "lead_unit": lead.astype("str"),
            "informants": joined(informants, f.index),
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
    text = texts(check, lookup)
    exact_duplicates(
        check,
        text,
        "submission_id",
        " (every cell the same): the same adoption twice would"
        " double its points; delete one, or make the rows differ if both are real",
    )
    sid = text["submission_id"]
    adopted_at = check_dates(check, text, "adopted_at")
    require(check, text)
    values = {
        col: check_enum(check, text, col, enum, overrides)
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
    reject_all_if_unreadable(check)
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
    text = texts(check, lookup)
    exact_duplicates(
        check,
        text,
        "unit",
        " (every cell the same): the same fault twice would double its"
        " penalty; delete one, or make the rows differ (a note) if both are real",
    )
    name, sid = text["unit"], text["submission_id"]
    unit = matcher.match(name)
    occurred_at = check_dates(check, text, "occurred_at")
    require(check, text)
    kind = check_enum(check, text, "kind", "fault_kind", overrides)
    check.flag(
        name.notna() & unit.isna(),
        "unit",
        column_or_empty(f, "unit"),
        matcher.suggestions(name.where(unit.isna())),
    )
    reject_all_if_unreadable(check)
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
