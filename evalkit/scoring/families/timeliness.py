"""``[deadlines]`` and ``[lateness]``: timeliness (时效).

```toml
[deadlines]
urgent = { hours = 2 }             # late if submitted more than 2 h after event_at
commissioned = { due_at = true }   # late if submitted after its due_at
```

| key | default | meaning |
|---|---|---|
| `deadlines.<category>.hours` | none | hours after `event_at` (> 0) |
| `deadlines.<category>.due_at` | `false` | late after the item's own `due_at` |
| `lateness.fraction` | 0 | a late item loses this fraction (0-1) of the points it earns (submission, adoption and instruction points, as credited) |
| `deadlines.<category>.on_time` | 0 | points per item of that category submitted within its deadline (紧急信息按时报送 +2: `urgent = { hours = 2, on_time = 2 }`); items that cannot be judged earn none; counted with the submission points |
| `lateness.points` | 0 | and this many points per late item (times `share` for a joint item); or a table by category: `points = { urgent = 2, commissioned = 3, other = 0 }` (紧急信息迟报 -2, 约稿逾期 -3) |

Items lacking the time needed (no `event_at`, no `due_at`) are not late. The
fraction is charged when and as the item's points are credited, so it lands
in the same bulletin period as those points; the fixed penalty lands on
`submitted_at`. The metrics module reads the same `rules.deadlines`
(`evalkit.scoring.rules.late_items(submissions, rules)` gives the flags). If your
fault records also list late items (kind `late`), set `faults.points.late = 0`
or the lateness penalties to 0, so lateness is not charged twice.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from evalkit.scoring._spec import POINTS, Bool, ByCategory, Keyed, Num, Table
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Part, Points
from evalkit.scoring.families.submissions import joint_text

WORDS = {
    "zh": {
        "late_fraction": "迟报：扣该项得分的{}%",
        "late_fixed": "迟报：扣{}分",
        "on_time": "按时报送 +{}分",
    },
    "en": {
        "late_fraction": "late: minus {}% of these points",
        "late_fixed": "late: minus {} pts",
        "on_time": "on time +{}",
    },
}


def late_mask(category, lag_hours, past_due, rules) -> np.ndarray:
    """Late flags from category codes (index into kit.CATEGORIES), lags and past-due flags."""
    deadlines = rules.deadlines
    hours = np.array([np.inf if d.hours is None else d.hours for d in deadlines.values()])
    by_due = np.array([d.due_at for d in deadlines.values()])
    code = np.asarray(category)
    known = code >= 0
    safe = np.where(known, code, 0)
    with np.errstate(invalid="ignore"):
        late_hours = np.asarray(lag_hours) > hours[safe]
    return known & (late_hours | (by_due[safe] & np.asarray(past_due)))


def _lags(submissions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    lag = (submissions["submitted_at"] - submissions["event_at"]) / pd.Timedelta(hours=1)
    past_due = (submissions["submitted_at"] > submissions["due_at"]).to_numpy(dtype=bool)
    return lag.to_numpy(dtype=float, na_value=np.nan), past_due


def late_items(submissions: pd.DataFrame, rules) -> pd.Series:
    """Whether each submission was late under ``rules.deadlines``.

    An item is late when its category has ``hours`` and it was submitted more
    than that many hours after ``event_at``, or its category has ``due_at = true``
    and it was submitted after its ``due_at``. Items missing the time needed
    are not late.

    Parameters
    ----------
    submissions : DataFrame
        ``Dataset.submissions`` (``category``, ``event_at``, ``submitted_at``, ``due_at``).
    rules : Rules

    Returns
    -------
    Series of bool
        Aligned with ``submissions.index``, named ``late``.
    """
    category = pd.Categorical(submissions["category"], categories=kit.CATEGORIES).codes
    mask = late_mask(category, *_lags(submissions), rules)
    return pd.Series(mask, index=submissions.index, name="late")


class Timeliness(Family):
    name = "timeliness"
    tables = {
        "deadlines": Keyed(
            enum="category",
            fill=True,
            value=Table(
                fields={
                    "hours": Num(default=None, low=0, low_open=True),
                    "due_at": Bool(default=False),
                    "on_time": POINTS,
                }
            ),
        ),
        "lateness": Table(
            fields={"fraction": Num(default=0.0, low=0, high=1), "points": ByCategory()}
        ),
    }

    def prepare(self, basis):
        subs = basis.dataset.submissions.reset_index(drop=True)
        lag, past_due = _lags(subs)
        has_due = subs["due_at"].notna().to_numpy()
        return SimpleNamespace(basis=basis, lag=lag, past_due=past_due, has_due=has_due)

    def _judged(self, prepared, rules):
        """Late flags (per submission, per credit row, per adoption credit row) and the
        on-time points per credit row: they depend on the deadlines alone."""
        b = prepared.basis
        late = late_mask(b.sub_cat, prepared.lag, prepared.past_due, rules)
        # on time: judged against a deadline (the time it needs is there) and not late
        deadlines = rules.deadlines.values()
        by_hours = np.array([d.hours is not None for d in deadlines])[b.sub_cat]
        by_due = np.array([d.due_at for d in deadlines])[b.sub_cat]
        judged = (by_hours & ~np.isnan(prepared.lag)) | (by_due & prepared.has_due)
        bonus = np.array([d.on_time for d in deadlines])[b.sub_cat] * (judged & ~late)
        return late, late[b.c_sub], late[b.a_sub[b.ac_j]], bonus[b.c_sub]

    def apply(self, prepared, rules, done):
        b = prepared.basis
        late, c_late, ac_late, bonus = kit.reuse(
            prepared, "judged", (rules["deadlines"],), lambda: self._judged(prepared, rules)
        )
        fraction = rules["lateness.fraction"]
        fixed = kit.per_category(rules["lateness.points"])[b.c_cat]
        share = done["submissions"]["share"]
        earned = done["instructions"]["earned"]
        values = {
            "late": late,  # per submission, for the families after this one
            "submission": -fraction * done["submissions"]["points"] * c_late,
            "fixed": -fixed * share * c_late,
            "adoption": -fraction * earned * ac_late,
            "on_time": bonus * share,
        }
        column = kit.component("lateness")
        parts = [
            Part(b.c_ben, values["on_time"], b.c_in, kit.component("submission")),
            Part(b.c_ben, values["submission"] + values["fixed"], b.c_in, column),
            Part(b.ac_ben, values["adoption"], b.ac_in, column),
        ]
        return Points(parts, values=values)

    def ledger(self, prepared, rules, done, lang):
        b, w, points = prepared.basis, WORDS[lang], done[self.name]
        column = kit.component("lateness")
        percent = kit.fmt(w["late_fraction"], rules["lateness.fraction"] * 100 * np.ones(1))
        category = b.c_cat
        fixed = kit.cat(
            kit.fmt(w["late_fixed"], kit.per_category(rules["lateness.points"])[category]),
            joint_text(b, done["submissions"]["share"], lang),
        )
        fixed_rule = kit.category_rule("lateness.points", rules["lateness.points"], category)
        on_time = kit.cat(
            kit.fmt(w["on_time"], points["on_time"]),
            joint_text(b, done["submissions"]["share"], lang),
        )
        return [
            kit.rows(
                b.c_in & (points["submission"] != 0),
                b.c_ben,
                b.c_ids,
                "lateness.fraction",
                points["submission"],
                percent,
                column,
            ),
            kit.rows(
                b.ac_in & (points["adoption"] != 0),
                b.ac_ben,
                b.ac_ids,
                "lateness.fraction",
                points["adoption"],
                percent,
                column,
            ),
            kit.rows(
                b.c_in & (points["fixed"] != 0),
                b.c_ben,
                b.c_ids,
                fixed_rule,
                points["fixed"],
                fixed,
                column,
            ),
            kit.rows(
                b.c_in & (points["on_time"] != 0),
                b.c_ben,
                b.c_ids,
                kit.cat("deadlines.", np.asarray(kit.CATEGORIES)[category], ".on_time"),
                points["on_time"],
                on_time,
                kit.component("submission"),
            ),
        ]
