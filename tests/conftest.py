"""Shared fixtures and the ``make_dataset`` helper for small hand-computed cases."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.loading import load_frames
from evalkit.rules import Rules

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


def _rows(rows, keys) -> pd.DataFrame:
    """Tuples (in the order of ``keys``, trailing ones optional) or dicts -> a frame."""
    records = [row if isinstance(row, dict) else dict(zip(keys, row, strict=False)) for row in rows]
    return pd.DataFrame(records, columns=list(keys)).astype(object)


def make_dataset(units=(), items=(), adoptions=(), faults=()):
    """Build a validated Dataset from a few readable rows.

    Parameters
    ----------
    units : tuples ``(unit, group, class=None, quota=None)``
    items : tuples ``(submission_id, units, submitted_at, category="ordinary",
        event_at=None, due_at=None, informants=None)``; ``units`` like ``"甲镇、乙镇"``
    adoptions : tuples ``(submission_id, level, adopted_at, adoption_type="single",
        outlet=None, instruction_level=None)``
    faults : tuples ``(unit, kind, occurred_at, submission_id=None)``

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
    )
    assert dataset.errors.empty, dataset.errors.to_string()
    assert dataset.rejected.empty, dataset.rejected.to_string()
    return dataset


def make_rules(**sections) -> Rules:
    """Rules with only the given sections set (everything else at its default: 0 points).

    >>> make_rules(adoption={"points": {"city": 20}})
    """
    return Rules.from_dict({"schema_version": 1, "name": "测试办法", **sections})


@pytest.fixture
def two_townships():
    """Two townships and a department; used by several tests."""
    return [("甲镇", "乡镇组"), ("乙镇", "乡镇组"), ("丙局", "部门组", "一类")]
