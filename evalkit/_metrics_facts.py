"""Per-item facts of a period and the keys they are summed by, for
:func:`evalkit.metrics.compute_metrics`: one row per item submitted, adopted or
instructed in the period, and the units, groups or informants of each item.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit._metrics_time import _timeliness
from evalkit.data._dataset import Dataset
from evalkit.data._schema import ENUMS
from evalkit.periods import Span

LEVELS = ENUMS["level"].values
ADOPTION_TYPES = ENUMS["adoption_type"].values


def _within(times: pd.Series, span: Span) -> pd.Series:
    return (times >= span.start) & (times < span.end)


# --------------------------------------------------------------------------- per-item facts
def _item_facts(dataset: Dataset, span: Span, deadlines) -> pd.DataFrame:
    """One row per item submitted in the span (``item``: its row in submissions), 0/1 flags, lags."""
    items = dataset.submissions[_within(dataset.submissions["submitted_at"], span)]
    timing = _timeliness(items, deadlines)
    urgent = items["category"] == "urgent"
    commissioned = items["category"] == "commissioned"
    late, on_time = timing["late"].eq(True).fillna(False), timing["late"].eq(False).fillna(False)
    return pd.DataFrame(
        {
            "item": np.flatnonzero(_within(dataset.submissions["submitted_at"], span)),
            "submitted": 1,
            "urgent": urgent.astype(int),
            "urgent_late": (urgent & late).astype(int),
            "commissioned": commissioned.astype(int),
            "commissioned_on_time": (commissioned & on_time).astype(int),
            "commissioned_late": (commissioned & late).astype(int),
            "lag_hours": timing["lag_hours"].astype(float),
            "lag_workdays": timing["lag_workdays"].astype(float),
        }
    )


def _tally(
    row: np.ndarray, n_rows: int, values: pd.Series, categories, prefix: str
) -> pd.DataFrame:
    """Records per row (``row``: 0..n_rows-1) and value, one column per category (0 if none)."""
    code = pd.Categorical(values, categories=list(categories)).codes
    known = code >= 0
    width = len(categories)
    flat = np.bincount(row[known] * width + code[known], minlength=n_rows * width)
    return pd.DataFrame(flat.reshape(n_rows, width), columns=[f"{prefix}{c}" for c in categories])


def _item_codes(dataset: Dataset, ids: pd.Series) -> np.ndarray:
    """Row of each submission id in ``dataset.submissions`` (-1 when unknown)."""
    return pd.Index(dataset.submissions["submission_id"]).get_indexer(ids)


def _adoption_facts(dataset: Dataset, span: Span) -> pd.DataFrame:
    """One row per item adopted in the span: distinct-item flags per level, record counts."""
    made = dataset.adoptions[_within(dataset.adoptions["adopted_at"], span)]
    items, row = np.unique(_item_codes(dataset, made["submission_id"]), return_inverse=True)
    n = len(items)
    per_level = _tally(row, n, made["level"], LEVELS, "adopted_")
    at_or_above = per_level.iloc[:, ::-1].cumsum(axis=1).iloc[:, ::-1] > 0
    facts = pd.concat(
        [
            pd.DataFrame({"item": items, "adopted": (per_level.sum(axis=1) > 0).astype(int)}),
            (per_level > 0).astype(int),
            at_or_above.iloc[:, 1:3]
            .astype(int)
            .set_axis(["adopted_city_up", "adopted_province_up"], axis=1),
            _tally(row, n, made["adoption_type"], ADOPTION_TYPES, "adoptions_"),
        ],
        axis=1,
    )
    return facts[facts["item"] >= 0]


def _leader_base_level(levels: pd.Series) -> pd.Series:
    """A leader level's administrative level: 市主要领导, 市委市政府秘书长 ... count as 市级."""
    text = levels.astype("string")
    return text.str.replace(r"_(main|office|secretary)$", "", regex=True)


def _instruction_facts(dataset: Dataset, span: Span) -> pd.DataFrame:
    """One row per item with an instruction in the span: instruction records per level.

    Instructions are records (``Dataset.instructions``: the instructions file and the
    adoptions' 批示 columns, one record per leader), so two leaders on one adoption
    count two. A record counts in the period of its ``instructed_at`` (an adoption's
    own instruction carries the adoption's date); tiers count at their level.
    """
    records = dataset.instructions
    records = records[_within(records["instructed_at"], span)]
    items, row = np.unique(_item_codes(dataset, records["submission_id"]), return_inverse=True)
    counts = _tally(
        row, len(items), _leader_base_level(records["leader_level"]), LEVELS, "instructions_"
    )
    facts = pd.concat([pd.DataFrame({"item": items}), counts], axis=1)
    return facts[facts["item"] >= 0]


# --------------------------------------------------------------------------- grouping
def _members(dataset: Dataset, by: str) -> pd.DataFrame:
    """``item`` (row in submissions) and the key columns of ``by``, one row per item and key."""
    if by == "informant":
        pairs = dataset.submission_informants[["submission_id", "informant", "unit"]]
    else:
        pairs = dataset.submission_units[["submission_id", "unit"]]
        if by == "group":
            pairs = pairs.merge(dataset.units[["unit", "group"]], on="unit")[
                ["submission_id", "group"]
            ]
    pairs = pairs.drop_duplicates(ignore_index=True)
    item = _item_codes(dataset, pairs.pop("submission_id"))
    return pairs.assign(item=item)[item >= 0]


def _fault_keys(dataset: Dataset, span: Span, by: str) -> pd.DataFrame:
    """Faults in the span with the key columns of ``by`` and their ``kind``."""
    faults = dataset.faults[_within(dataset.faults["occurred_at"], span)]
    if by == "informant":  # only faults tied to an item reach its informants
        informants = dataset.submission_informants[["submission_id", "informant", "unit"]]
        return faults[["submission_id", "kind"]].merge(informants, on="submission_id")
    if by == "group":
        return faults[["unit", "kind"]].merge(dataset.units[["unit", "group"]], on="unit")
    return faults[["unit", "kind"]]


def _skeleton(dataset: Dataset, by: str, members: pd.DataFrame, active) -> pd.DataFrame:
    """The rows of the result: every unit or group, or every informant active in the period."""
    units = dataset.units.reindex(columns=["unit", "group", "class"])
    if by == "unit":
        return units.reset_index(drop=True)
    if by == "group":
        return units[["group"]].drop_duplicates(ignore_index=True)
    people = members[members["item"].isin(active)][["informant", "unit"]].drop_duplicates()
    order = pd.Series(range(len(units)), index=units["unit"])
    people = people.assign(_order=people["unit"].map(order)).sort_values(
        ["_order", "unit", "informant"], kind="stable"
    )
    return people.drop(columns="_order").merge(units, on="unit", how="left").reset_index(drop=True)
