"""``[[quota]]``: quotas (报送任务), one table per rule.

| key | default | meaning |
|---|---|---|
| `group` | any | the group this rule applies to (`"乡镇组"`) |
| `class` | any | the class within the group (`"一类"`) |
| `period` | required | `"month"`, `"quarter"` or `"year"`: the period the minimum is counted over |
| `min_items` | none | items to submit per period |
| `unit_quota` | `true` | when the unit list gives the unit a yearly `quota`, use it instead of `min_items`: per period `ceil(quota / periods a year)` |
| `base_points` | 0 | points for each period the minimum is met (基础分) |
| `penalty` | 0 | points deducted for each period it is missed |
| `cap` | none | at most this many base points per unit per calendar year |

A unit takes the **first** `[[quota]]` whose `group` and `class` match it; a
unit that matches none has no quota. Items count for every unit of a joint
item, by `submitted_at`. A period is judged only when it lies wholly inside the
scored window: scoring a whole year judges all 12 months; scoring a running
year to date should pass that window (`period=(start, today)`), else the months
still to come count as missed. A unit "met its quota" (the `quota_met` column,
which award rules can require) when its items over the judged periods reach
the sum of their minimums: the yearly task (全年任务) for a year, so a township
with 8 a month that sent 5 in February and 11 in March has met its 96 a year
though it lost February's base points. A unit with no quota rule has met it.
The ledger's record is the period (`2025-03`, `2025Q1`, `2025`) and its rule
`quota[<i>].base_points` or `quota[<i>].penalty`.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from evalkit.scoring._spec import CAP, MISSING, POINTS, REQUIRED, Bool, Choice, Num, Str, Table
from evalkit.scoring._spec import Tables as TableArray
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Part, Points

PERIODS = {"month": (12, "M"), "quarter": (4, "Q"), "year": (1, "Y")}

WORDS = {
    "zh": {"quota": "{}报送{}条，任务{}条，", "met": "完成", "missed": "未完成"},
    "en": {"quota": "{}: {} items submitted, {} due, ", "met": "met", "missed": "missed"},
}


def _quota_rule(q, path):
    if q["min_items"] is None and not q["unit_quota"]:
        return [(f"{path}.min_items", MISSING, "a count (or unit_quota = true)")]
    return []


class Quotas(Family):
    name = "quotas"
    tables = {
        "quota": TableArray(
            item=Table(
                fields={
                    "group": Str(default=None),
                    "class": Str(default=None),
                    "period": Choice(default=REQUIRED, choices=tuple(PERIODS)),
                    "min_items": Num(default=None, integer=True),
                    "unit_quota": Bool(default=True),
                    "base_points": POINTS,
                    "penalty": POINTS,
                    "cap": CAP,
                },
                rule=_quota_rule,
            )
        )
    }

    def prepare(self, basis):
        """Items per person per calendar month, from January of the window's first year."""
        first_year = basis.span.start.year
        last_year = (basis.span.end - pd.Timedelta(1)).year
        n_months = 12 * (last_year - first_year + 1)
        month_starts = pd.date_range(f"{first_year}-01-01", periods=n_months + 1, freq="MS")
        at = basis.sub_at[basis.c_sub]
        month = at.astype("datetime64[M]").astype(np.int64) - (first_year - 1970) * 12
        ok = (month >= 0) & (month < n_months) & (at < np.datetime64(basis.span.end, "ns"))
        cell = basis.c_ben[ok] * n_months + month[ok]
        counts = np.bincount(cell, minlength=len(basis.people) * n_months)
        return SimpleNamespace(
            basis=basis,
            first_year=first_year,
            month_starts=month_starts,
            counts=counts.reshape(-1, n_months),
        )

    def apply(self, prepared, rules, done):
        """Quota kit.rows (unit x judged period) and each unit's quota_met flag."""
        b = prepared.basis
        n = len(b.people)
        met_all = np.ones(n, dtype=bool)
        keys = ("unit", "period", "points", "count", "min", "met", "rule")
        columns = {k: [] for k in keys}
        rule_of = np.full(n, -1)
        quota = rules["quota"] if b.by == "unit" else ()
        for i, q in enumerate(quota):
            match = rule_of == -1
            if q["group"] is not None:
                match &= b.unit_group == q["group"]
            if q["class"] is not None:
                match &= b.unit_class == q["class"]
            rule_of[match] = i
        start, end = b.span.start, b.span.end
        for i, q in enumerate(quota):
            per_year, freq = PERIODS[q["period"]]
            width = 12 // per_year
            minimum = np.full(n, np.nan if q["min_items"] is None else float(q["min_items"]))
            if q["unit_quota"]:
                has = ~np.isnan(b.unit_quota)
                minimum[has] = np.ceil(b.unit_quota[has] / per_year)
            units = np.flatnonzero((rule_of == i) & ~np.isnan(minimum))
            if not len(units):
                continue
            counts = prepared.counts[units].reshape(len(units), -1, width).sum(axis=2)
            starts = prepared.month_starts[::width]
            judged = (starts[:-1] >= start) & (starts[1:] <= end)
            met = counts >= minimum[units, None]
            base = np.where(met, q["base_points"], 0.0)
            if q["cap"] is not None:
                yearly = base.reshape(len(units), -1, per_year)
                base = kit.under_cap(yearly, yearly.cumsum(axis=2), q["cap"]).reshape(base.shape)
            points = base - np.where(met, 0.0, q["penalty"])
            r, c = np.nonzero(np.broadcast_to(judged, counts.shape))
            labels = pd.period_range(
                f"{prepared.first_year}-01", periods=counts.shape[1], freq=freq
            )
            due = np.broadcast_to(minimum[units, None], counts.shape)
            met_all[units] = (counts * judged).sum(axis=1) >= (due * judged).sum(axis=1)
            columns["unit"].append(units[r])
            columns["period"].append(labels.astype(str).to_numpy()[c])
            columns["points"].append(points[r, c])
            columns["count"].append(counts[r, c])
            columns["min"].append(minimum[units][r])
            columns["met"].append(met[r, c])
            columns["rule"].append(np.full(len(r), i))
        out = {k: (np.concatenate(v) if v else np.array([])) for k, v in columns.items()}
        for key, dtype in (("unit", np.int64), ("rule", np.int64), ("met", bool)):
            out[key] = out[key].astype(dtype)
        part = Part(
            out["unit"], out["points"], np.ones(len(out["unit"]), bool), kit.component("quota")
        )
        return Points([part], flags={"quota_met": met_all}, values=out)

    def ledger(self, prepared, rules, done, lang):
        w, q = WORDS[lang], done[self.name]
        rule = kit.cat(
            "quota[", q["rule"].astype(str), "].", np.where(q["met"], "base_points", "penalty")
        )
        detail = kit.cat(
            kit.fmt(w["quota"], q["period"], q["count"], q["min"]),
            np.where(q["met"], w["met"], w["missed"]),
        )
        mask = np.ones(len(q["unit"]), bool)
        return [
            kit.rows(
                mask, q["unit"], q["period"], rule, q["points"], detail, kit.component("quota")
            )
        ]
