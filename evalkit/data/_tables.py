"""The four record tables read into frames: units, submissions, adoptions and faults.

Each function takes a table's raw cells, checks them column by column (see
:mod:`evalkit.data._columns`) and returns the loaded frames with the table's
:class:`~evalkit.data.validation.Checker`, which holds its issues and rejected rows.
:mod:`evalkit.data.loading` builds the Dataset from them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.data import _records  # instruction and forwarding records
from evalkit.data._columns import (
    check_dates,
    check_enum,
    exact_duplicates,
    first_rows,
    joined,
    reject_all_if_unreadable,
    repeated,
    require,
    submitted_at,
    texts,
)
from evalkit.data._distinct import duplicated_rows, is_in, positions_in
from evalkit.data._io import RawTable, header_keys
from evalkit.data._schema import LIST_SEPARATORS
from evalkit.data.validation import (
    MAX_WHOLE,
    Checker,
    UnitMatcher,
    as_int,
    column_or_empty,
    split_names,
)

NO_GROUP = "未分组"  # the group of a unit whose group cell is empty (an error on that cell)


def units_table(raw: RawTable, lookup: dict[str, str]):
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
        f"expected a whole number from 0 to {MAX_WHOLE:,}; the unit loads without a quota",
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


NO_NAME = "no name in the cell, only separators (、 , ; ， ；)"


def submissions_table(raw: RawTable, lookup: dict[str, str], matcher: UnitMatcher, overrides: dict):
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
    # A cell of separators only (、 or ,,,) names no one: an item of no unit would be credited
    # to no one (and had no count of units), a person's cell would be dropped without a word
    for column, names, severity in (
        ("units", long, "error"),
        ("informants", informants, "warning"),
    ):
        named = np.zeros(len(f), dtype=bool)
        named[f.index.get_indexer(names.index)] = True  # the rows of a RangeIndex: arithmetic
        check.flag(
            text[column].notna().to_numpy() & ~named,
            column,
            column_or_empty(f, column),
            NO_NAME + ("" if severity == "error" else "; read as empty"),
            severity,
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


def adoptions_table(raw: RawTable, lookup: dict[str, str], subs: pd.DataFrame, overrides: dict):
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


def faults_table(
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
