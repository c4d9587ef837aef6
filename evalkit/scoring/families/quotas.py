"""``[[quota]]``: quotas (报送任务) and adoption-rate thresholds, one table per rule.

| key | default | meaning |
|---|---|---|
| `group` | any | the group this rule applies to (`"乡镇组"`) |
| `class` | any | the class of unit this rule applies to (`"一类"`) |
| `period` | required | `"week"`, `"month"`, `"quarter"`, `"half"` (half year) or `"year"`: the period the minimum is counted over |
| `category` | any | count only items of this category (`"research"`, `"调研"`) |
| `measure` | `"items"` | `"items"`: items submitted; `"rate"`: adoption rate (录用率) |
| `min_items` | none | items to submit per period (`measure = "items"`) |
| `unit_quota` | `true` | when the unit list gives the unit a yearly `quota`, use it instead of `min_items`: per period `ceil(quota / periods a year)` (52 weeks a year) |
| `min_rate` | none | the lowest adoption rate that passes, 0-1 (`measure = "rate"`) |
| `base_points` | 0 | points for each period the minimum is met (基础分) |
| `penalty` | 0 | points deducted for each period it is missed |
| `per_missing` | 0 | points deducted per item short of the minimum (每少1篇扣1分; 差额2倍扣分 is 2) |
| `per_extra` | 0 | points per item over the minimum (每超1篇加1分) |
| `cap` | none | at most this many points (base and per-extra) per unit per calendar year |

A unit takes, among the `[[quota]]` tables with the same `period`, `category`
and `measure`, the **first** whose `group` and `class` match it: so
`[[quota]]` tables by class and one for the rest of the group make a table of
quotas by class, and a weekly quota, a quarterly research quota and a
quarterly rate threshold all apply side by side. A unit that matches none has
no quota. Items count for every unit of a joint item, by `submitted_at`.

The **adoption rate** of a period is the number of the unit's items with an
adoption made in the period over the items it submitted in it (as the
bulletins count it, see `evalkit.metrics`); a period without items has rate 0.

Periods are calendar periods: months, quarters, half years (1-6, 7-12) and
years from January; weeks run Monday to Sunday and are named by their ISO
week (`2025-W07`). A period is judged only when it lies wholly inside the
scored window: scoring a whole year judges all 12 months, and the weeks that
start and end within it; scoring a running year to date should pass that
window (`period=(start, today)`), else the periods still to come count as
missed. A unit "met its quota" (the `quota_met` column, which award rules can
require) when, for each of its item quotas, its items over the judged periods
reach the sum of their minimums: the yearly task (全年任务) for a year, so a
township with 8 a month that sent 5 in February and 11 in March has met its
96 a year though it lost February's base points. A unit with no item quota
has met it. The ledger's record is the period (`2025-03`, `2025Q1`, `2025H1`,
`2025-W07`, `2025`) and its rule `quota[<i>].base_points`, `.penalty`,
`.per_missing` or `.per_extra`.

Worked example (每季度调研信息不少于1篇，每少1篇扣1分；季度录用率低于30%扣1分):

```toml
[[quota]]
period = "quarter"
category = "research"
min_items = 1
unit_quota = false
per_missing = 1

[[quota]]
period = "quarter"
measure = "rate"
min_rate = 0.3
penalty = 1
```

A township that in Q1 sent 10 items, none of them research, 2 adopted in Q1:
research short by 1 (-1), rate 2/10 = 20% < 30% (-1): -2 for Q1.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from evalkit.scoring._spec import CAP, MISSING, POINTS, REQUIRED, Bool, Choice, Num, Str, Table
from evalkit.scoring._spec import Tables as TableArray
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Part, Points

# months per period (weeks are counted on their own); pandas frequency of the labels
PERIODS = {
    "week": (0, "W"),
    "month": (1, "M"),
    "quarter": (3, "Q"),
    "half": (6, "H"),
    "year": (12, "Y"),
}
TRACK = ("period", "category", "measure")
_KEYS = (
    "unit",
    "period",
    "rule",
    "met",
    "points",
    "per_item",
    "value",
    "min",
    "items",
    "adopted",
    "rate",
)

WORDS = {
    "zh": {
        "quota": "{}报送{}条，任务{}条，",
        "rate": "{}录用率{}%（采用{}条/报送{}条），要求{}%，",
        "met": "完成",
        "missed": "未完成",
        "short": "{}少{}条",
        "over": "{}多{}条",
    },
    "en": {
        "quota": "{}: {} items submitted, {} due, ",
        "rate": "{}: adoption rate {}% ({} adopted of {}), {}% required, ",
        "met": "met",
        "missed": "missed",
        "short": "{}: {} items short",
        "over": "{}: {} items over",
    },
}


def _quota_rule(q, path):
    if q["measure"] == "rate":
        if q["min_rate"] is None:
            return [(f"{path}.min_rate", MISSING, 'a rate between 0 and 1 (measure = "rate")')]
        wrong = [k for k in ("min_items", "per_missing", "per_extra") if q[k]]
        return [(f"{path}.{k}", q[k], "nothing: it counts items, not a rate") for k in wrong]
    if q["min_items"] is None and not q["unit_quota"]:
        return [(f"{path}.min_items", MISSING, "a count (or unit_quota = true)")]
    if q["min_rate"] is not None:
        return [(f"{path}.min_rate", q["min_rate"], 'nothing unless measure = "rate"')]
    return []


def _edges(first_year: int, last_year: int, period: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Start of each period (and the end of the last) covering the years, and their labels."""
    months, freq = PERIODS[period]
    if period == "week":
        jan1 = pd.Timestamp(f"{first_year}-01-01")
        first = jan1 - pd.Timedelta(days=jan1.day_of_week)  # the Monday on or before 1 January
        edges = pd.date_range(first, pd.Timestamp(f"{last_year + 1}-01-01"), freq="7D")
        if edges[-1] < pd.Timestamp(f"{last_year + 1}-01-01"):
            edges = edges.append(pd.DatetimeIndex([edges[-1] + pd.Timedelta(days=7)]))
        iso = edges[:-1].isocalendar()
        labels = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
        return edges, np.array(labels)
    n = 12 * (last_year - first_year + 1) // months
    edges = pd.date_range(f"{first_year}-01-01", periods=n + 1, freq=f"{months}MS")
    if period == "half":
        labels = [f"{d.year}H{1 + (d.month > 6)}" for d in edges[:-1]]
    else:
        labels = pd.period_range(f"{first_year}-01", periods=n, freq=freq).astype(str)
    return edges, np.asarray(labels)


class _Calendar:
    """Items per person, category and period, and items adopted per person and period."""

    def __init__(self, basis):
        self.basis = basis
        self.first_year = basis.span.start.year
        self.last_year = (basis.span.end - pd.Timedelta(1)).year
        self._cache: dict[str, SimpleNamespace] = {}

    def __getitem__(self, period: str) -> SimpleNamespace:
        if period not in self._cache:
            self._cache[period] = self._count(period)
        return self._cache[period]

    def _bin(self, at: np.ndarray, edges: pd.DatetimeIndex) -> np.ndarray:
        """Period of each time (-1 outside the periods or at or after the window's end)."""
        edge = edges.to_numpy(dtype="datetime64[ns]")
        k = kit.edges_passed(edge, at) - 1
        ok = (k >= 0) & (k < len(edge) - 1) & (at < np.datetime64(self.basis.span.end, "ns"))
        return np.where(ok, k, -1)

    def adopted(self, period: str) -> np.ndarray:
        """Distinct items adopted per person and period (only rate quotas need it)."""
        c = self[period]
        if "adopted" not in c.__dict__:
            b, n = self.basis, len(c.labels)
            people = len(b.people)
            k = self._bin(b.a_at[b.ac_j], c.edges)
            pair = np.unique(b.ac_i[k >= 0] * n + k[k >= 0])  # one per (credit row, period)
            cell = b.c_ben[pair // n] * n + pair % n
            c.adopted = np.bincount(cell, minlength=people * n).reshape(people, n)
        return c.adopted

    def _count(self, period: str) -> SimpleNamespace:
        b = self.basis
        edges, labels = _edges(self.first_year, self.last_year, period)
        n, people, cats = len(labels), len(b.people), len(kit.CATEGORIES)
        k = self._bin(b.c_at, edges)
        size = people * cats * n  # credit rows outside the periods counted in one bin past the end
        cell = np.where(k >= 0, (b.c_ben * cats + b.c_cat) * n + k, size)
        items = np.bincount(cell, minlength=size + 1)[:size].reshape(people, cats, n)
        starts, ends = edges[:-1], edges[1:]
        return SimpleNamespace(
            items=items,
            edges=edges,
            labels=labels,
            judged=(starts >= b.span.start) & (ends <= b.span.end),
            year=np.asarray(starts.year),
        )


class Quotas(Family):
    name = "quotas"
    tables = {
        "quota": TableArray(
            item=Table(
                fields={
                    "group": Str(default=None),
                    "class": Str(default=None),
                    "period": Choice(default=REQUIRED, choices=tuple(PERIODS)),
                    "category": Choice(default=None, choices=kit.CATEGORIES, enum="category"),
                    "measure": Choice(default="items", choices=("items", "rate")),
                    "min_items": Num(default=None, integer=True),
                    "unit_quota": Bool(default=True),
                    "min_rate": Num(default=None, low=0, high=1),
                    "base_points": POINTS,
                    "penalty": POINTS,
                    "per_missing": POINTS,
                    "per_extra": POINTS,
                    "cap": CAP,
                },
                rule=_quota_rule,
            )
        )
    }

    def prepare(self, basis):
        return _Calendar(basis)

    def apply(self, calendar, rules, done):
        """Quota rows (unit x judged period, per rule) and each unit's quota_met flag."""
        quota = rules["quota"] if calendar.basis.by == "unit" else ()
        # they depend on the [[quota]] tables alone: a re-score that leaves them (Monte Carlo
        # draws of adoption points, what-if sliders) reuses them
        return kit.reuse(calendar, "points", (quota,), lambda: self._points(calendar, quota))

    def _points(self, calendar, quota) -> Points:
        b = calendar.basis
        n = len(b.people)
        met_all = np.ones(n, dtype=bool)
        found = []
        for i, q, units in _assign(quota, b):
            c = calendar[q["period"]]
            rate = q["measure"] == "rate"
            adopted = calendar.adopted(q["period"])[units] if rate else 0 * c.items[units, 0]
            row = _judge(q, units, c, b, adopted)
            units, adopted = units[row.valid], adopted[row.valid]
            if q["measure"] == "items":
                due = np.broadcast_to(row.minimum[:, None], row.value.shape)
                judged = c.judged
                met_all[units] &= (row.value * judged).sum(axis=1) >= (due * judged).sum(axis=1)
            r, col = np.nonzero(np.broadcast_to(c.judged, row.value.shape))
            found.append(
                {
                    "unit": units[r],
                    "period": c.labels[col],
                    "rule": np.full(len(r), i),
                    "met": row.met[r, col],
                    "points": row.points[r, col],
                    "per_item": row.per_item[r, col],
                    "value": row.value[r, col],
                    "min": row.minimum[r],
                    "items": c.items[units].sum(axis=1)[r, col],
                    "adopted": adopted[r, col],
                    "rate": np.full(len(r), q["measure"] == "rate"),
                }
            )
        out = {k: np.concatenate([f[k] for f in found]) if found else np.array([]) for k in _KEYS}
        for key, dtype in (("unit", np.int64), ("rule", np.int64), ("met", bool), ("rate", bool)):
            out[key] = out[key].astype(dtype)
        everyone = np.ones(len(out["unit"]), bool)
        parts = [
            Part(out["unit"], out["points"], everyone, kit.component("quota")),
            Part(out["unit"], out["per_item"], everyone, kit.component("quota")),
        ]
        return Points(parts, flags={"quota_met": met_all}, values=out)

    def ledger(self, calendar, rules, done, lang):
        w, q = WORDS[lang], done[self.name]
        column = kit.component("quota")
        rule = kit.cat("quota[", q["rule"].astype(str), "].")
        percent = lambda x: np.round(np.asarray(x, dtype=float) * 100, 1)  # noqa: E731
        detail = np.where(
            q["rate"],
            kit.fmt(
                w["rate"],
                q["period"],
                percent(q["value"]),
                q["adopted"],
                q["items"],
                percent(q["min"]),
            ),
            kit.fmt(w["quota"], q["period"], q["value"], q["min"]),
        )
        detail = kit.cat(detail, np.where(q["met"], w["met"], w["missed"]))
        main = kit.cat(rule, np.where(q["met"], "base_points", "penalty"))
        gap = np.abs(q["value"] - q["min"])
        extra = kit.cat(rule, np.where(q["per_item"] > 0, "per_extra", "per_missing"))
        extra_detail = np.where(
            q["per_item"] > 0,
            kit.fmt(w["over"], q["period"], gap),
            kit.fmt(w["short"], q["period"], gap),
        )
        everyone = np.ones(len(q["unit"]), bool)
        return [
            kit.rows(everyone, q["unit"], q["period"], main, q["points"], detail, column),
            kit.rows(
                q["per_item"] != 0,
                q["unit"],
                q["period"],
                extra,
                q["per_item"],
                extra_detail,
                column,
            ),
        ]


def _assign(quota, b):
    """(index, rule, units) for each rule: the units whose first matching rule of its track it is."""
    taken: dict[tuple, np.ndarray] = {}
    for i, q in enumerate(quota):
        track = tuple(q[k] for k in TRACK)
        free = taken.setdefault(track, np.ones(len(b.people), dtype=bool))
        match = free.copy()
        if q["group"] is not None:
            match &= b.unit_group == q["group"]
        if q["class"] is not None:
            match &= b.unit_class == q["class"]
        free &= ~match
        yield i, q, np.flatnonzero(match)


def _judge(q, units, c, b, adopted) -> SimpleNamespace:
    """Per unit and period: the value measured, the minimum, met, and the points."""
    items = c.items[units]
    counts = items[:, kit.CATEGORIES.index(q["category"])] if q["category"] else items.sum(axis=1)
    if q["measure"] == "rate":
        value = np.divide(adopted, counts, out=np.zeros(counts.shape), where=counts > 0)
        minimum = np.full(len(units), q["min_rate"])
    else:
        value = counts
        per_year = 52 if q["period"] == "week" else 12 // PERIODS[q["period"]][0]
        minimum = np.full(len(units), np.nan if q["min_items"] is None else float(q["min_items"]))
        if q["unit_quota"]:
            yearly = b.unit_quota[units]
            minimum = np.where(np.isnan(yearly), minimum, np.ceil(yearly / per_year))
    met = value >= minimum[:, None]
    base = np.where(met, q["base_points"], 0.0)
    gap = value - minimum[:, None]
    bonus = q["per_extra"] * np.clip(gap, 0, None) if q["measure"] == "items" else 0 * base
    if q["cap"] is not None:
        credited = _capped_by_year(base + bonus, c.year, q["cap"])
        base = np.minimum(base, credited)
        bonus = credited - base
    short = q["per_missing"] * np.clip(-gap, 0, None) if q["measure"] == "items" else 0 * base
    valid = ~np.isnan(minimum)
    points = np.where(met, base, -q["penalty"])
    return SimpleNamespace(
        valid=valid,
        value=value[valid],
        minimum=minimum[valid],
        met=met[valid],
        points=points[valid],
        per_item=(bonus - short)[valid],
    )


def _capped_by_year(points: np.ndarray, year: np.ndarray, cap: float) -> np.ndarray:
    """What each period's points add to a running total per calendar year capped at ``cap``."""
    out = np.empty_like(points)
    for y in np.unique(year):
        cols = year == y
        out[:, cols] = kit.under_cap(points[:, cols], points[:, cols].cumsum(axis=1), cap)
    return out
