"""Shared fixtures and the ``make_dataset`` helper for small hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.data._dataset import Dataset
from evalkit.data._schema import ENUMS
from evalkit.data.loading import load_frames
from evalkit.scoring.rules import Rules

UNIT_KEYS = ("unit", "group", "class", "quota")
ITEM_KEYS = (
    "submission_id",
    "units",
    "submitted_at",
    "category",
    "event_at",
    "due_at",
    "informants",
)
ADOPTION_KEYS = (
    "submission_id",
    "level",
    "adopted_at",
    "adoption_type",
    "outlet",
    "instruction_level",
)
FAULT_KEYS = ("unit", "kind", "occurred_at", "submission_id")
INSTRUCTION_KEYS = ("submission_id", "adoption_level", "leader_level", "leader", "instructed_at")
FORWARDING_KEYS = ("submission_id", "to_level", "forwarded_at")


def _rows(rows, keys) -> pd.DataFrame:
    """Tuples (in the order of ``keys``, trailing ones optional) or dicts -> a frame."""
    records = [row if isinstance(row, dict) else dict(zip(keys, row, strict=False)) for row in rows]
    return pd.DataFrame(records, columns=list(keys)).astype(object)


def make_dataset(units=(), items=(), adoptions=(), faults=(), instructions=(), forwardings=()):
    """Build a validated Dataset from a few readable rows.

    Parameters
    ----------
    units : tuples ``(unit, group, class=None, quota=None)``
    items : tuples ``(submission_id, units, submitted_at, category="ordinary",
        event_at=None, due_at=None, informants=None)``; ``units`` like ``"甲镇、乙镇"``
    adoptions : tuples ``(submission_id, level, adopted_at, adoption_type="single",
        outlet=None, instruction_level=None)``
    faults : tuples ``(unit, kind, occurred_at, submission_id=None)``
    instructions : tuples ``(submission_id, adoption_level, leader_level, leader,
        instructed_at=None)``, one per leader (an instructions file)
    forwardings : tuples ``(submission_id, to_level, forwarded_at)`` (a forwardings file)

    Examples
    --------
    >>> ds = make_dataset(units=[("甲镇", "乡镇组")], items=[("S1", "甲镇", "2025-03-01")],
    ...                   adoptions=[("S1", "city", "2025-03-05")])
    """
    subs = _rows(items, ITEM_KEYS)
    subs["title"] = "标题" + subs["submission_id"].astype(str)
    dataset = load_frames(
        units=_rows(units, UNIT_KEYS),
        submissions=subs,
        adoptions=_rows(adoptions, ADOPTION_KEYS),
        faults=_rows(faults, FAULT_KEYS),
        instructions=_rows(instructions, INSTRUCTION_KEYS) if instructions else None,
        forwardings=_rows(forwardings, FORWARDING_KEYS) if forwardings else None,
    )
    assert dataset.errors.empty, dataset.errors.to_string()
    assert dataset.rejected.empty, dataset.rejected.to_string()
    return dataset


def quick_dataset(units=(), items=(), adoptions=(), faults=()) -> Dataset:
    """The Dataset :func:`make_dataset` builds, made directly (~100x faster) for property tests.

    Rows must already be valid and canonical (levels, kinds and categories in
    English, timestamps as Timestamps); ``test_quick_dataset_matches_the_loader``
    checks it against the loader.
    """
    u = _rows(units, UNIT_KEYS)
    s = _rows(items, ITEM_KEYS)
    a = _rows(adoptions, ADOPTION_KEYS)
    f = _rows(faults, FAULT_KEYS)
    text = lambda col: col.astype("str")  # noqa: E731
    when = lambda col: pd.to_datetime(col).astype("datetime64[ns]")  # noqa: E731
    enum = lambda col, e: pd.Categorical(col, categories=ENUMS[e].values, ordered=ENUMS[e].ordered)  # noqa: E731
    long = s.assign(unit=s["units"].str.split("、")).explode("unit")
    long["position"] = long.groupby(level=0).cumcount()
    long["n_units"] = long.groupby(level=0)["unit"].transform("size")
    people = (
        s.assign(informant=s["informants"].str.split("、"))
        .explode("informant")
        .dropna(subset="informant")
    )
    people["n_informants"] = people.groupby(level=0)["informant"].transform("size")
    people["unit"] = people["units"].str.split("、").str[0]
    return Dataset(
        units=pd.DataFrame(
            {
                "unit": text(u["unit"]),
                "group": pd.Categorical(u["group"], categories=list(dict.fromkeys(u["group"]))),
                "class": text(u["class"]),
                "aliases": text(pd.Series(pd.NA, index=u.index)),
                "quota": u["quota"].astype("Int64"),
            }
        ),
        submissions=pd.DataFrame(
            {
                "submission_id": text(s["submission_id"]),
                "title": text("标题" + s["submission_id"]),
                "category": pd.Categorical(
                    s["category"].fillna("ordinary"), categories=ENUMS["category"].values
                ),
                "event_at": when(s["event_at"]),
                "submitted_at": when(s["submitted_at"]),
                "due_at": when(s["due_at"]),
                "units": text(s["units"]),
                "n_units": long.groupby(level=0).size().reindex(s.index).astype("int64"),
                "lead_unit": text(s["units"].str.split("、").str[0]),
                "informants": text(s["informants"]),
            }
        ),
        submission_units=pd.DataFrame(
            {
                "submission_id": text(long["submission_id"]),
                "unit": text(long["unit"]),
                "n_units": long["n_units"].astype("int64"),
                "position": long["position"].astype("int64"),
            }
        ).reset_index(drop=True),
        submission_informants=pd.DataFrame(
            {
                "submission_id": text(people["submission_id"]),
                "informant": text(people["informant"]),
                "unit": text(people["unit"]),
                "n_informants": people["n_informants"].astype("int64"),
            }
        ).reset_index(drop=True),
        adoptions=pd.DataFrame(
            {
                "adoption_id": np.arange(len(a), dtype="int64"),
                "submission_id": text(a["submission_id"]),
                "level": enum(a["level"], "level"),
                "outlet": text(a["outlet"]),
                "adoption_type": pd.Categorical(
                    a["adoption_type"].fillna("single"), categories=ENUMS["adoption_type"].values
                ),
                "adopted_at": when(a["adopted_at"]),
                "instruction_level": enum(a["instruction_level"], "instruction_level"),
                "instructed_by": text(pd.Series(None, index=a.index, dtype=object)),
            }
        ),
        faults=pd.DataFrame(
            {
                "fault_id": np.arange(len(f), dtype="int64"),
                "unit": text(f["unit"]),
                "kind": pd.Categorical(f["kind"], categories=ENUMS["fault_kind"].values),
                "occurred_at": when(f["occurred_at"]),
                "submission_id": text(f["submission_id"]),
                "note": text(pd.Series(pd.NA, index=f.index)),
            }
        ),
    )


def make_rules(**sections) -> Rules:
    """Rules with only the given sections set (everything else at its default: 0 points).

    >>> make_rules(adoption={"points": {"city": 20}})
    """
    return Rules.from_dict({"schema_version": 1, "name": "测试办法", **sections})


@pytest.fixture
def two_townships():
    """Two townships and a department; used by several tests."""
    return [("甲镇", "乡镇组"), ("乙镇", "乡镇组"), ("丙局", "部门组", "一类")]


# ---------------------------------------------------------------------- random small datasets
UNITS = [("甲镇", "乡镇组"), ("乙镇", "乡镇组"), ("丙乡", "乡镇组"), ("丁局", "部门组", "一类")]
_LEVELS = ["county", "county", "county", "city", "province", "national"]


def random_tables(draw, n_items=(1, 12), n_adoptions=(0, 15)):
    """Draw the rows of a small 2025 dataset (for hypothesis ``@st.composite`` strategies)."""
    from hypothesis import strategies as st

    names = [u[0] for u in UNITS]
    day = st.integers(0, 364).map(lambda d: pd.Timestamp("2025-01-01") + pd.Timedelta(days=d))
    item = st.tuples(
        st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True),
        day,
        st.sampled_from(["ordinary", "urgent", "research", "commissioned"]),
        st.integers(0, 6),  # hours from event to submission
        st.sampled_from([None, "张三", "张三、李四", "王五"]),
    )
    items = draw(st.lists(item, min_size=n_items[0], max_size=n_items[1]))
    rows = [
        (f"S{k:02d}", "、".join(us), at + pd.Timedelta(hours=9), cat, at + pd.Timedelta(hours=9 - h),
         at - pd.Timedelta(days=1) if cat == "commissioned" and h > 3 else at + pd.Timedelta(days=1),
         people)
        for k, (us, at, cat, h, people) in enumerate(items)
    ]  # fmt: skip
    adoption = st.tuples(
        st.integers(0, len(rows) - 1),
        st.sampled_from(_LEVELS),
        st.integers(1, 20),
        st.sampled_from(["single", "combined", "brief"]),
        st.sampled_from([None, "专报", "要情快报"]),
        st.sampled_from([None, None, None, "county", "city"]),
    )
    adoptions = [
        (rows[i][0], level, rows[i][2] + pd.Timedelta(days=d), kind, outlet, instr)
        for i, level, d, kind, outlet, instr in draw(
            st.lists(adoption, min_size=n_adoptions[0], max_size=n_adoptions[1])
        )
    ]
    adoptions = [a for a in adoptions if a[2] < pd.Timestamp("2026-01-01")]
    fault = st.tuples(st.sampled_from(names), st.sampled_from(["omitted", "false", "late"]), day)
    faults = draw(st.lists(fault, max_size=3))
    return {"units": UNITS, "items": rows, "adoptions": adoptions, "faults": faults}
