"""What every rule family shares: the Family contract, its results, array and ledger-text helpers.

A rule family (submissions, adoptions, quotas ...) is one module with one
:class:`Family` subclass. It owns:

* ``tables``: the top-level TOML tables it reads, as specs from
  :mod:`evalkit.scoring._spec` (the rules schema is the union of the families'
  tables);
* ``prepare(basis)``: arrays built once per dataset and window (the
  :class:`~evalkit.scoring.families._basis.Basis` holds the dataset, the window
  and the records shared by every family);
* ``apply(prepared, rules, done)``: one vectorised pass giving points per record
  as a :class:`Points`; ``done`` holds the results of the families before it;
* ``ledger(prepared, rules, done, lang)``: the ledger rows of its points
  (``done[family.name]``), with the other families' results at hand.

Families are applied in the order of :data:`evalkit.scoring.families.FAMILIES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evalkit.data._schema import ENUMS

LEVELS = ENUMS["level"].values
CATEGORIES = ENUMS["category"].values
ADOPTION_TYPES = ENUMS["adoption_type"].values
FAULT_KINDS = ENUMS["fault_kind"].values

# The score's components, in the order of the ``points_*`` columns; the last,
# ``adjustment``, is what score shaping (the final family) adds.
COMPONENTS = ("submission", *LEVELS, "instruction", "quota", "lateness", "faults", "adjustment")


def component(name: str) -> int:
    """Column of ``name`` in :data:`COMPONENTS` (``"city"`` -> 2)."""
    return COMPONENTS.index(name)


@dataclass
class Part:
    """Points per record of one kind, summed into one component of the score.

    ``points[k]`` goes to person ``who[k]``, component ``column`` (an int, or one
    per record), and counts only where ``where[k]`` (the record is in the window).
    """

    who: np.ndarray
    points: np.ndarray
    where: np.ndarray
    column: int | np.ndarray


@dataclass
class Points:
    """What a family's ``apply`` gives: parts of the score, flags per person, and its arrays.

    ``values`` holds whatever the family's ``ledger`` (or a later family) needs.
    ``flags`` are per-person booleans the scorer reports (``vetoed``, ``quota_met``).
    """

    parts: list[Part] = field(default_factory=list)
    flags: dict[str, np.ndarray] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str):
        return self.values[key]


class Family:
    """A rule family: see the module docstring. Subclasses set ``name`` and ``tables``."""

    name: ClassVar[str] = ""
    tables: ClassVar[Mapping[str, Any]] = {}

    def prepare(self, basis) -> Any:
        """Arrays that do not depend on the rules' numbers (default: the basis itself)."""
        return basis

    def apply(self, prepared, rules, done: Mapping[str, Points]) -> Points:
        raise NotImplementedError

    def ledger(self, prepared, rules, done: Mapping[str, Points], lang: str) -> list[pd.DataFrame]:
        """Ledger rows (:func:`rows`) explaining ``done[self.name]``; none by default."""
        return []


def combined_flag(
    results: Mapping[str, Points], name: str, n_people: int, any_of: bool
) -> np.ndarray:
    """A per-person flag over the families that set it: any of them, or all of them."""
    flags = [r.flags[name] for r in results.values() if name in r.flags]
    if not flags:
        return np.full(n_people, not any_of)
    return np.logical_or.reduce(flags) if any_of else np.logical_and.reduce(flags)


def component_sums(results: Mapping[str, Points], n_people: int) -> np.ndarray:
    """Per person x component sums over the window, shape ``(n_people, len(COMPONENTS))``."""
    width = len(COMPONENTS)
    total = np.zeros(n_people * width)
    for result in results.values():
        for part in result.parts:
            total += np.bincount(
                part.who * width + part.column,
                weights=part.points * part.where,
                minlength=n_people * width,
            )
    return total.reshape(n_people, width)


def reuse(prepared, name: str, keys: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or what it gave last time when ``keys`` are the very same objects.

    Rules are immutable, and a re-score with a few values changed (the what-if
    sliders, Monte Carlo draws) can share the tables it leaves alone, so arrays
    that depend only on those tables (``keys``: the tables as ``rules[...]`` gives
    them) are kept on ``prepared`` instead of being built again. The cache holds
    the keys themselves, so an identical object is never a different table.
    """
    cache = prepared.__dict__.setdefault("_reused", {})
    last = cache.get(name)
    if last is not None and len(last[0]) == len(keys):
        if all(a is b for a, b in zip(last[0], keys, strict=True)):
            return last[1]
    value = compute()
    cache[name] = (keys, value)
    return value


# --------------------------------------------------------------------- array helpers


def codes(values, categories) -> np.ndarray:
    """Position of each value in ``categories`` (-1 when absent or missing)."""
    return pd.Categorical(values, categories=categories).codes.astype(np.int64)


def times(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="datetime64[ns]")


def _as_rank(values) -> tuple[np.ndarray, int] | None:
    """``values`` as int64 from 0 in the same order (equal stay equal), and one past the largest.

    Times become their nanoseconds; the common step of the values is divided
    out (times on whole minutes span a year in 525,600 steps, not 3e16), so
    several keys fit in one integer. None for what this cannot do exactly
    (floats, texts, missing times).
    """
    v = np.asarray(values)
    if v.dtype.kind == "M":
        if np.isnat(v).any():
            return None
        v = v.view(np.int64)
    elif v.dtype.kind == "b":
        v = v.astype(np.int64)
    if v.dtype.kind not in "iu":
        return None
    if not len(v):
        return np.zeros(0, np.int64), 1
    low, high = v.min(), v.max()
    if int(high) - int(low) >= _ROOM:
        return None
    v = (v - low).astype(np.int64)
    step = int(np.gcd.reduce(v)) or 1
    return (v // step if step > 1 else v), (int(high) - int(low)) // step + 1


_ROOM = 2**62  # combined keys stay below this


def dense_rank(key: np.ndarray) -> tuple[np.ndarray, int]:
    """Rank of each value among the distinct values (0 first), and how many there are."""
    order = np.argsort(key)
    new = group_starts(key[order])
    rank = np.empty(len(key), np.int64)
    rank[order] = np.cumsum(new) - 1
    return rank, int(new.sum())


def stable_argsort(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")``, by the faster unstable sort when no two keys are equal."""
    order = np.argsort(key)
    ordered = key[order]
    if len(key) > 1 and (ordered[1:] == ordered[:-1]).any():
        return np.argsort(key, kind="stable")
    return order


def lexsort(keys) -> np.ndarray:
    """Exactly ``np.lexsort(keys)`` (last key first, stable), faster.

    NumPy sorts once per key by a merge sort; here the integer and time keys
    are folded into one int64 (ranking what is folded so far when the next key
    would not fit) and sorted once. Other keys go to ``np.lexsort``.
    """
    n = len(keys[0])
    last = np.asarray(keys[0])
    # A last key rising with the rows (ids in input order) is the stable sort's own tie-break.
    if len(keys) > 1 and last.dtype.kind in "iu" and (last[1:] > last[:-1]).all():
        keys = keys[1:]
    combined, span = np.zeros(n, np.int64), 1
    for key in reversed(keys):
        ranked = _as_rank(key)
        if ranked is None:
            return np.lexsort(keys)
        values, size = ranked
        if span * size >= _ROOM:
            combined, span = dense_rank(combined)
            if span * size >= _ROOM:
                return np.lexsort(keys)
        combined, span = combined * size + values, span * size
    return stable_argsort(combined)


def edges_passed(edges: np.ndarray, at: np.ndarray) -> np.ndarray:
    """How many of the sorted times ``edges`` are at or before each time of ``at`` (a missing
    time: none). ``np.searchsorted(edges, at, "right")``; for the few edges of a calendar
    (months, quarters, years) one comparison per edge is several times faster."""
    edges, at = edges.astype("M8[ns]").view(np.int64), at.astype("M8[ns]").view(np.int64)
    if len(edges) > 64:
        return np.searchsorted(edges, at, side="right")
    passed = np.zeros(len(at), dtype=np.int64)
    for edge in edges:
        passed += at >= edge
    return passed


def group_starts(*keys: np.ndarray) -> np.ndarray:
    """Boolean: row starts a new run of equal keys (rows already sorted by the keys)."""
    n = len(keys[0])
    first = np.zeros(n, dtype=bool)
    if n:
        first[0] = True
        for key in keys:
            first[1:] |= key[1:] != key[:-1]
    return first


def within_group_cumsum(values: np.ndarray, group_id: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    before = (total - values)[np.flatnonzero(group_starts(group_id))]
    return total - before[group_id - group_id[0]] if len(values) else total


def capped(values: np.ndarray, group_id: np.ndarray, cap: float | None) -> np.ndarray:
    """Credit each row what it adds under a running cap per group (rows in time order)."""
    if cap is None or not len(values):
        return values
    running = within_group_cumsum(values, group_id)
    return under_cap(values, running, cap)


def under_cap(values: np.ndarray, running: np.ndarray, cap: float) -> np.ndarray:
    """What each value adds to a running total capped at ``cap`` (exactly ``values`` below it)."""
    before = running - values
    return np.where(running <= cap, values, np.clip(cap - before, 0.0, None))


def by_enum(table: Mapping[str, float], enum: str, missing: float | None = None) -> np.ndarray:
    """A rules table keyed by an enumeration as an array in the enumeration's order.

    With ``missing``, one more entry is appended for code -1 (no value).
    """
    values = [table[v] for v in ENUMS[enum].values]
    return np.array(values if missing is None else [*values, missing], dtype=float)


def per_category(value) -> np.ndarray:
    """Points as one number or a table by category (``ByCategory``), one entry per category."""
    if isinstance(value, Mapping):
        return np.array([value[c] for c in CATEGORIES], dtype=float)
    return np.full(len(CATEGORIES), float(value))


def category_rule(key: str, value, category: np.ndarray) -> np.ndarray:
    """The ledger's rule key of points that may be a table by category: ``key`` or ``key.<cat>``."""
    if isinstance(value, Mapping):
        return cat(key, ".", np.asarray(CATEGORIES)[category])
    return np.full(len(category), key)


# --------------------------------------------------------------------- ledger text


def enum_words(enum: str, lang: str) -> np.ndarray:
    """The values' words (Chinese labels or English values), with "" for code -1."""
    e = ENUMS[enum]
    return np.array([e.zh[v] if lang == "zh" else v for v in e.values] + [""])


def fmt(template: str, *values) -> np.ndarray:
    """Fill a template's ``{}`` slots elementwise (numbers as %g)."""
    pieces = template.split("{}")
    out = np.asarray(pieces[0])
    for value, piece in zip(values, pieces[1:], strict=True):
        value = np.asarray(value)
        value = (
            np.strings.mod("%g", value.astype(float))
            if value.dtype.kind in "fiub"
            else value.astype(str)
        )
        out = np.strings.add(np.strings.add(out, value), piece)
    return out if values else np.asarray(template)


def when(condition, text) -> np.ndarray:
    return np.where(condition, text, "")


def cat(*parts) -> np.ndarray:
    out = np.asarray(parts[0]).astype(str)
    for part in parts[1:]:
        out = np.strings.add(out, np.asarray(part).astype(str))
    return out


def rows(mask, who, record, rule, points, detail, column) -> pd.DataFrame:
    """Ledger rows where ``mask``: person row, record, rule key, points, detail, component."""
    mask = np.asarray(mask, dtype=bool)
    return pd.DataFrame(
        {
            "who": np.asarray(who)[mask],
            "record": np.broadcast_to(record, mask.shape)[mask],
            "rule": np.broadcast_to(rule, mask.shape)[mask],
            "points": np.broadcast_to(points, mask.shape)[mask],
            "detail": np.broadcast_to(detail, mask.shape)[mask],
            "component": np.broadcast_to(column, mask.shape)[mask],
        }
    )
