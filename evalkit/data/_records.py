"""Instruction (批示) and forwarding (转报) records, one row per leader and per forwarding.

Both come from an optional file of their own (``instructions``, ``forwardings``)
and from columns of the adoptions file (``instruction_level`` with
``instructed_by``; ``forwarded_to``), so offices that keep one sheet keep
working. A cell naming several leaders (``张三、李四``) makes one record per
leader; where the loader cannot tell whose instruction is whose (two levels,
three leaders) it says so instead of guessing.

The functions here are called by :mod:`evalkit.data.loading` and use the column
checks of :mod:`evalkit.data._columns`; they are kept apart so that the loader's core
stays small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.data._columns import (
    check_dates,
    check_enum,
    reject_all_if_unreadable,
    require,
    submitted_at,
    texts,
)
from evalkit.data._distinct import positions_in
from evalkit.data._io import RawTable
from evalkit.data._schema import ENUMS
from evalkit.data.validation import (
    Checker,
    as_enum,
    column_or_empty,
    enum_expectation,
    split_names,
)

INSTRUCTION_COLUMNS = [
    "instruction_id",
    "submission_id",
    "adoption_id",
    "leader_level",
    "leader",
    "instructed_at",
    "kind",
    "source",
    "row",
]
FORWARDING_COLUMNS = ["forwarding_id", "submission_id", "to_level", "forwarded_at", "source", "row"]
# The administrative level (adoptions.instruction_level) of each leader level or tier.
ADMIN_LEVEL = {
    "county": "county",
    "county_main": "county",
    "city_office": "city",
    "city_secretary": "city",
    "city": "city",
    "city_main": "city",
    "province_office": "province",
    "province_secretary": "province",
    "province": "province",
    "province_main": "province",
    "national": "national",
}
UNKNOWN_ID = "no loaded submission has this id (unknown, or its submission row was rejected)"


def _leader_overrides(overrides: dict) -> dict:
    """``[values.instruction_level]`` of a mapping.toml still applies to leader levels."""
    merged = overrides.get("instruction_level", {}) | overrides.get("leader_level", {})
    return overrides | {"leader_level": merged}


def leaders(
    check: Checker, text: dict, level_col: str, leader_col: str, overrides: dict, severity: str
) -> pd.DataFrame:
    """One row per leader named in each input row: ``leader_level``, ``leader`` (index = row).

    A level cell may hold one level (given to every leader named) or one level per
    leader in the same order. Unknown level spellings are errors; a count of
    levels that fits neither is reported with ``severity`` and gives no record.
    """
    f = check.frame
    # only a row naming a level or a leader gives one (a few of the adoptions): the cells
    # are split and checked there, and an empty cell gives nothing in split_names either
    named = (text[level_col].notna() | text[leader_col].notna()).to_numpy()
    levels = split_names(text[level_col][named])
    values, bad = as_enum(levels, "leader_level", _leader_overrides(overrides))
    wrong = levels.index[bad.to_numpy()]
    check.flag(
        f.index.isin(wrong),
        level_col,
        column_or_empty(f, level_col),
        enum_expectation("leader_level"),
    )
    levels = pd.DataFrame({"leader_level": values.astype("str")})[~bad.to_numpy()]
    names = split_names(text[leader_col][named]).rename("leader").to_frame()
    levels["pos"], names["pos"] = (x.groupby(level=0).cumcount() for x in (levels, names))
    m = levels.groupby(level=0).size().reindex(f.index, fill_value=0)
    n = names.groupby(level=0).size().reindex(f.index, fill_value=0)
    misfit = (m > 1) & (n > 0) & (m != n)
    check.flag(
        misfit,
        leader_col,
        column_or_empty(f, leader_col),
        lambda: (  # built only when a row is flagged: a string per row costs 0.25 s at 400k
            m.astype(str) + " levels and " + n.astype(str) + " leaders: cannot tell whose "
            "instruction is which level; write one level, or one per leader in the same order"
            + ("; no instruction counted" if severity == "warning" else "")
        ),
        severity,
    )
    check.flag(
        (m == 0) & (n > 0) & ~f.index.isin(wrong),
        level_col,
        "",
        "a leader is named without the level of the instruction; no instruction counted",
        "warning" if severity == "warning" else "error",
    )
    one = levels[(m == 1).reindex(levels.index).to_numpy()].drop(columns="pos")
    each = one.join(names.drop(columns="pos"), how="left")
    paired = levels[((m > 1) & (n == m)).reindex(levels.index).to_numpy()]
    paired = paired.reset_index().merge(names.reset_index(), on=["index", "pos"]).set_index("index")
    unnamed = levels[((m > 1) & (n == 0)).reindex(levels.index).to_numpy()]
    out = pd.concat([each, paired.drop(columns="pos"), unnamed.drop(columns="pos")])
    out["pos"] = out.groupby(level=0).cumcount()
    out = out.rename_axis("index").sort_values(["index", "pos"], kind="stable")
    return out.drop(columns="pos")


def _frame(records: pd.DataFrame, columns: list[str], id_column: str) -> pd.DataFrame:
    out = records.reset_index(drop=True)
    out.insert(0, id_column, np.arange(len(out), dtype="int64"))
    return out[columns]


def _levels(values, enum: str) -> pd.Categorical:
    e = ENUMS[enum]
    return pd.Categorical(values, categories=e.values, ordered=e.ordered)


def records_from_adoptions(
    check: Checker, text: dict, long: pd.DataFrame, frame: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Instruction and forwarding records from the loaded rows of the adoptions file.

    ``long`` is :func:`leaders` of the adoption rows; ``frame`` the loaded adoptions
    (``adoption_id`` in the order of the loaded rows) with a ``forwarded_to`` column.
    """
    ok = check.ok
    loaded = pd.Series(frame["adoption_id"].to_numpy(), index=check.frame.index[ok.to_numpy()])
    long = long[long.index.isin(loaded.index)]
    ad = frame.set_index("adoption_id").loc[loaded.reindex(long.index).to_numpy()]
    rows = pd.Series(check.rows, index=check.frame.index)
    instructions = pd.DataFrame(
        {
            "submission_id": ad["submission_id"].to_numpy(),
            "adoption_id": pd.array(ad.index.to_numpy(), dtype="Int64"),
            "leader_level": long["leader_level"].to_numpy(),
            "leader": long["leader"].astype("string").to_numpy(),
            "instructed_at": ad["adopted_at"].to_numpy(),
            "kind": "affirmative",
            "source": check.raw.table,
            "row": pd.array(rows.reindex(long.index).to_numpy(), dtype="Int64"),
        }
    )
    sent = frame[frame["forwarded_to"].notna()]
    forwardings = pd.DataFrame(
        {
            "submission_id": sent["submission_id"].to_numpy(),
            "to_level": sent["forwarded_to"].astype("str").to_numpy(),
            "forwarded_at": sent["adopted_at"].to_numpy(),
            "source": check.raw.table,
            "row": pd.array(
                rows.reindex(loaded.index[sent.index.to_numpy()]).to_numpy(), dtype="Int64"
            ),
        }
    )
    return instructions, forwardings


def admin_levels(long: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The highest administrative level of each row's instructions (adoptions.instruction_level)."""
    admin = _levels(long["leader_level"].map(ADMIN_LEVEL), "instruction_level")
    highest = pd.Series(admin, index=long.index).groupby(level=0).max()
    return pd.Series(
        _levels(highest.reindex(index).astype("object"), "instruction_level"), index=index
    )


def load_instructions(
    raw: RawTable,
    subs: pd.DataFrame,
    adoptions: pd.DataFrame,
    overrides: dict,
    lookup: dict[str, str],
) -> tuple[pd.DataFrame, Checker]:
    """The rows of an instructions file (批示记录), each linked to the adoption it concerns.

    The adoption is the item's adoption at ``adoption_level`` in ``outlet`` when
    they are given, else its highest adoption (the earliest of equals); when
    several fit, the first is taken and a warning names it.
    """
    check = Checker(raw)
    f = raw.frame
    text = texts(check, lookup)
    sid = text["submission_id"]
    instructed_at = check_dates(check, text, "instructed_at")
    require(check, text)
    kind = check_enum(check, text, "kind", "instruction_kind", overrides)
    wanted = check_enum(check, text, "adoption_level", "level", overrides)
    long = leaders(check, text, "leader_level", "leader", overrides, "error")
    item = positions_in(sid, subs["submission_id"])
    check.flag(sid.notna() & (item < 0), "submission_id", sid, UNKNOWN_ID)
    reject_all_if_unreadable(check)
    # the adoptions that fit each row, best first: highest level, earliest, first listed
    rows = pd.DataFrame({"submission_id": sid, "want": wanted, "outlet": text["outlet"]})
    rows = rows[check.ok].reset_index()
    fits = rows.merge(adoptions, on="submission_id", suffixes=("", "_a"))
    fits = fits[
        (fits["want"].isna() | (fits["want"].astype("object") == fits["level"].astype("object")))
        & (fits["outlet"].isna() | (fits["outlet"] == fits["outlet_a"]))
    ]
    fits = fits.assign(lv=fits["level"].cat.codes).sort_values(
        ["index", "lv", "adopted_at", "adoption_id"], ascending=[True, False, True, True]
    )
    n_fit = fits.groupby("index").size().reindex(f.index, fill_value=0)
    best = fits.drop_duplicates("index").set_index("index")
    # several adoptions at the level taken (two county outlets): which one is a guess
    top = fits["lv"].to_numpy() == best["lv"].reindex(fits["index"]).to_numpy()
    n_top = fits[top].groupby("index").size().reindex(f.index, fill_value=0)
    asked = wanted.notna() | text["outlet"].notna()
    check.flag(
        check.ok & (n_fit == 0) & asked,
        "adoption_level" if column_or_empty(f, "adoption_level").notna().any() else "outlet",
        column_or_empty(f, "adoption_level").fillna("")
        + " "
        + column_or_empty(f, "outlet").fillna(""),
        "the item has no adoption at this level and outlet",
    )
    ok = check.ok
    check.flag(
        ok & (n_fit == 0),
        "submission_id",
        sid,
        "the item has no adoption: the instruction counts by its leader only",
        "warning",
    )
    chosen = (
        best["level"].astype("str").map(ENUMS["level"].zh)
        + best["outlet_a"].map(lambda o: f"《{o}》", na_action="ignore").astype(object).fillna("")
        + " of "
        + best["adopted_at"].dt.strftime("%Y-%m-%d")
    )
    check.flag(
        ok & (n_top > 1),
        "outlet",
        column_or_empty(f, "outlet"),
        (
            n_top.astype(str)
            + " adoptions of the item at its highest level fit; taken as the first: "
        )
        + chosen.reindex(f.index).fillna("")
        + "; give 采用刊物 to choose",
        "warning",
    )
    when = instructed_at.fillna(best["adopted_at"].reindex(f.index))
    when = when.fillna(submitted_at(item, subs, f.index))
    long = long[ok.reindex(long.index).to_numpy()]
    at = long.index
    records = pd.DataFrame(
        {
            "submission_id": sid.reindex(at).astype("str").to_numpy(),
            "adoption_id": pd.array(best["adoption_id"].reindex(at).to_numpy(), dtype="Int64"),
            "leader_level": long["leader_level"].to_numpy(),
            "leader": long["leader"].astype("string").to_numpy(),
            "instructed_at": when.reindex(at).to_numpy(),
            "kind": kind.reindex(at).astype("str").to_numpy(),
            "source": raw.table,
            "row": pd.array(pd.Series(check.rows, index=f.index).reindex(at), dtype="Int64"),
        }
    )
    return records, check


def instruction_records(from_adoptions: pd.DataFrame, from_file: pd.DataFrame) -> pd.DataFrame:
    """Every instruction record: those of the adoptions file first, then the file's."""
    records = pd.concat([from_adoptions, from_file], ignore_index=True)
    records["leader_level"] = _levels(records["leader_level"], "leader_level")
    records["kind"] = pd.Categorical(records["kind"], categories=ENUMS["instruction_kind"].values)
    records["instructed_at"] = records["instructed_at"].astype("datetime64[ns]")
    records["leader"] = records["leader"].astype("string")
    records = records.astype({"submission_id": "str", "source": "str"})
    return _frame(records, INSTRUCTION_COLUMNS, "instruction_id")


def warn_repeats(check: Checker, records: pd.DataFrame, key: list[str], column: str, what: str):
    """Warn at each row of ``check``'s file whose record repeats an earlier one (any source).

    Whether a repeat is one record written twice or two records, only the office
    knows: the row is loaded and the warning names the earlier row.
    """
    again = records.duplicated(key) & records["source"].eq(check.raw.table)
    if not again.any():  # the usual case: nothing to say, and no groups to build
        return
    first = records.groupby(key, observed=True, dropna=False)[["source", "row"]].transform("first")
    index_of = pd.Series(check.frame.index, index=check.rows)
    message = pd.Series(
        (
            f"{what} also in "
            + first.loc[again, "source"]
            + " row "
            + first.loc[again, "row"].astype(str)
        ).to_numpy(),
        index=index_of.reindex(records.loc[again, "row"].astype("int64")).to_numpy(),
    )
    message = message[~message.index.duplicated()].reindex(check.frame.index)
    check.flag(
        message.notna(), column, column_or_empty(check.frame, column), message.fillna(""), "warning"
    )


def load_forwardings(
    raw: RawTable, subs: pd.DataFrame, overrides: dict, lookup: dict[str, str]
) -> tuple[pd.DataFrame, Checker]:
    """The rows of a forwardings file (转报记录): the item, the level it went to, the date."""
    check = Checker(raw)
    f = raw.frame
    text = texts(check, lookup)
    sid = text["submission_id"]
    forwarded_at = check_dates(check, text, "forwarded_at")
    require(check, text)
    to_level = check_enum(check, text, "to_level", "forward_level", overrides)
    item = positions_in(sid, subs["submission_id"])
    check.flag(sid.notna() & (item < 0), "submission_id", sid, UNKNOWN_ID)
    reject_all_if_unreadable(check)
    before = submitted_at(item, subs, f.index)
    check.flag(
        check.ok & (forwarded_at < before.dt.normalize()),
        "forwarded_at",
        column_or_empty(f, "forwarded_at"),
        "forwarded on a day before the item was submitted",
        "warning",
    )
    ok = check.ok
    records = pd.DataFrame(
        {
            "submission_id": sid.astype("str"),
            "to_level": to_level.astype("str"),
            "forwarded_at": forwarded_at,
            "source": raw.table,
            "row": pd.array(check.rows, dtype="Int64"),
        }
    )[ok]
    return records, check


def forwarding_records(from_adoptions: pd.DataFrame, from_file: pd.DataFrame) -> pd.DataFrame:
    """Every forwarding record: those of the adoptions file first, then the file's."""
    records = pd.concat([from_adoptions, from_file], ignore_index=True)
    records["to_level"] = _levels(records["to_level"], "forward_level")
    records["forwarded_at"] = records["forwarded_at"].astype("datetime64[ns]")
    records = records.astype({"submission_id": "str", "source": "str"})
    return _frame(records, FORWARDING_COLUMNS, "forwarding_id")
