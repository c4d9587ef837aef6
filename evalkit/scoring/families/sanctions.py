"""``[[sanction]]``: sanctions that depend on a count (取消评先资格、得分计零、一票否决).

| key | default | meaning |
|---|---|---|
| `faults` | `[]` | fault kinds counted (`"commission_missed"`, `"约稿未完成"` ...) |
| `late` | `[]` | categories whose late items are counted (late by `[deadlines]`, e.g. `"commissioned"`) |
| `at_least` | 1 | the sanction applies from this count on |
| `action` | required | `"veto"`: ranked after all others and no award (一票否决); `"ineligible"`: no award, ranked as scored (取消评先评优资格); `"zero"`: the score is 0 (得分计零) |
| `over` | `"year"` | count from 1 January of the window's year to the window's end (`"year"`), or within the window only (`"window"`) |

Faults count by `occurred_at`, late items by `submitted_at`; a joint late item
counts for each of its units. A unit under sanction gets a ledger row with
record `sanction[<i>]` and rule `sanction[<i>].action` (0 points; under
`"zero"` the row of the final family, rule `sanction[<i>].action`, takes the
score to 0). `eligible` in the scores is false for vetoed and ineligible
units, and award rules skip them. `faults.veto = ["false"]` is the same as a
sanction `{ faults = ["false"], at_least = 1, action = "veto", over = "window" }`.

Worked example (一年内迟报3次或约稿未完成2次的，取消评先资格；约稿未完成2次的，当年得分计零):

```toml
[[sanction]]
late = ["commissioned"]
at_least = 3
action = "ineligible"

[[sanction]]
faults = ["commission_missed"]
at_least = 2
action = "ineligible"

[[sanction]]
faults = ["commission_missed"]
at_least = 2
action = "zero"
```

A department with two 约稿未完成 faults in 2025 scores 0 for 2025 and is not
eligible for an award; one with three late commissioned items keeps its score
but gets no award.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from evalkit.scoring._spec import MISSING, REQUIRED, Choice, Num, Table
from evalkit.scoring._spec import List as ListOf
from evalkit.scoring._spec import Tables as TableArray
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Points

ACTIONS = ("veto", "ineligible", "zero")
WORDS = {
    "zh": {
        "count": "{}{}次（{}次及以上）：",
        "late": "迟报",
        "and": "、",
        "veto": "一票否决",
        "ineligible": "取消评先资格",
        "zero": "得分计零",
    },
    "en": {
        "count": "{} {} times (from {}): ",
        "late": "late ",
        "and": ", ",
        "veto": "veto",
        "ineligible": "not eligible for awards",
        "zero": "score set to 0",
    },
}


def _sanction_rule(s, path):
    if not s["faults"] and not s["late"]:
        return [(f"{path}.faults", MISSING, "fault kinds or late categories to count")]
    return []


class Sanctions(Family):
    name = "sanctions"
    tables = {
        "sanction": TableArray(
            item=Table(
                fields={
                    "faults": ListOf(
                        default=[], item=Choice(choices=kit.FAULT_KINDS, enum="fault_kind")
                    ),
                    "late": ListOf(
                        default=[], item=Choice(choices=kit.CATEGORIES, enum="category")
                    ),
                    "at_least": Num(default=1, low=1, integer=True),
                    "action": Choice(default=REQUIRED, choices=ACTIONS),
                    "over": Choice(default="year", choices=("year", "window")),
                },
                rule=_sanction_rule,
            )
        )
    }

    def prepare(self, basis):
        faults = basis.dataset.faults.reset_index(drop=True)
        unit = basis.unit_index.get_indexer(faults["unit"].astype(str))
        ok = (unit >= 0) if basis.by == "unit" else np.zeros(len(faults), dtype=bool)
        at = kit.times(faults["occurred_at"])[ok]
        year_start = np.datetime64(pd.Timestamp(f"{basis.span.start.year}-01-01"), "ns")
        end = np.datetime64(basis.span.end, "ns")
        item_at = basis.c_at
        return SimpleNamespace(
            basis=basis,
            unit=unit[ok],
            kind=kit.codes(faults["kind"], kit.FAULT_KINDS)[ok],
            within={"window": basis.in_window(at), "year": (at >= year_start) & (at < end)},
            item_within={"window": basis.c_in, "year": (item_at >= year_start) & (item_at < end)},
        )

    def apply(self, prepared, rules, done):
        b = prepared.basis
        n = len(b.people)
        late = done["timeliness"]["late"][b.c_sub]
        counts, applies = [], []
        for s in rules["sanction"]:
            kinds = np.isin(prepared.kind, [kit.FAULT_KINDS.index(k) for k in s["faults"]])
            count = np.bincount(  # float even when there are no faults (informants)
                prepared.unit, weights=kinds & prepared.within[s["over"]], minlength=n
            ).astype(np.float64)
            categories = [kit.CATEGORIES.index(c) for c in s["late"]]
            late_here = late & np.isin(b.c_cat, categories)
            count += np.bincount(
                b.c_ben, weights=late_here & prepared.item_within[s["over"]], minlength=n
            )
            counts.append(count.astype(np.int64))
            applies.append(count >= s["at_least"])
        actions = np.array([s["action"] for s in rules["sanction"]], dtype=object)

        def any_of(action):
            chosen = [a for a, act in zip(applies, actions, strict=True) if act == action]
            return np.logical_or.reduce(chosen) if chosen else np.zeros(n, dtype=bool)

        zero_rule = np.full(n, -1)
        for i in reversed(range(len(applies))):  # the first zero sanction that applies
            if actions[i] == "zero":
                zero_rule[applies[i]] = i
        flags = {"vetoed": any_of("veto"), "ineligible": any_of("veto") | any_of("ineligible")}
        values = {"counts": counts, "applies": applies, "zero_rule": zero_rule}
        return Points(flags=flags, values=values)

    def ledger(self, prepared, rules, done, lang):
        result, column = done[self.name], kit.component("faults")
        frames = []
        for i, s in enumerate(rules["sanction"]):
            who = np.flatnonzero(result["applies"][i])
            detail = kit.cat(reason(rules, i, done, lang)[who], WORDS[lang][s["action"]])
            key = f"sanction[{i}]"
            mask = np.ones(len(who), dtype=bool)
            frames.append(kit.rows(mask, who, key, f"{key}.action", 0.0, detail, column))
        return frames


def reason(rules, i: int, done, lang: str) -> np.ndarray:
    """Per person, what sanction ``i`` counted: "约稿未完成2次（2次及以上）："."""
    w, s = WORDS[lang], rules["sanction"][i]
    what = [kit.enum_words("fault_kind", lang)[kit.FAULT_KINDS.index(k)] for k in s["faults"]]
    categories = kit.enum_words("category", lang)
    what += [w["late"] + categories[kit.CATEGORIES.index(c)] for c in s["late"]]
    counts = done["sanctions"]["counts"][i]
    return kit.fmt(w["count"], w["and"].join(what), counts, s["at_least"])
