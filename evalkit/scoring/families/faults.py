"""``[faults]``: penalties and vetoes (一票否决) for fault records.

| key | default | meaning |
|---|---|---|
| `points.<kind>` | 0 | deducted per fault record of kind `late`, `omitted`, `concealed`, `false`, `commission_missed` |
| `veto` | `[]` | kinds that veto the unit (一票否决): it is ranked after all others and gets no award |
| `void` | `[]` | kinds that void the item the fault names: it earns nothing itself (失实信息不计分) |

A fault counts in the window holding its `occurred_at`. The ledger's record is
`fault:<fault_id>` and its rule `faults.points.<kind>`. Sanctions that depend on
how many faults a unit has are `[[sanction]]` tables.

An item named (by `submission_id`) in a fault of a `void` kind that occurred
by the window's end earns nothing: each of its points in the window
(submission, adoption, instruction, lateness) is cancelled by a ledger row
with the item as record and rule `faults.void`, in the `points_faults`
component. So a bulletin issued before the fault was found keeps the points,
and the year's score, scored after it, loses them. For informants too.

Worked example (报送失实信息的，该条信息不得分，并扣5分):

```toml
[faults]
void = ["false"]

[faults.points]
false = 5
```

An item adopted by the city (15) and submitted (0.5), found false: the item
earns 15 + 0.5, the void rows take -15.5 and the fault -5: -5 in all.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from evalkit.scoring._spec import POINTS, Choice, Keyed, Table
from evalkit.scoring._spec import List as ListOf
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Part, Points

WORDS = {
    "zh": {"veto": "，一票否决", "void": "{}：该条信息不得分"},
    "en": {"veto": ", veto", "void": "{}: the item earns nothing"},
}


class Faults(Family):
    name = "faults"
    tables = {
        "faults": Table(
            fields={
                "points": Keyed(enum="fault_kind", value=POINTS),
                "veto": ListOf(default=[], item=Choice(choices=kit.FAULT_KINDS, enum="fault_kind")),
                "void": ListOf(default=[], item=Choice(choices=kit.FAULT_KINDS, enum="fault_kind")),
            }
        )
    }

    def prepare(self, basis):
        faults = basis.dataset.faults.reset_index(drop=True)
        unit = basis.unit_index.get_indexer(faults["unit"].astype(str))
        ok = (unit >= 0) if basis.by == "unit" else np.zeros(len(faults), dtype=bool)
        about = faults["submission_id"].astype("string")
        item = basis.rows_of("faults")
        known = kit.times(faults["occurred_at"]) < np.datetime64(basis.span.end, "ns")
        return SimpleNamespace(
            basis=basis,
            void_item=item[known & (item >= 0)],  # items named by faults known by the end
            void_kind=kit.codes(faults["kind"], kit.FAULT_KINDS)[known & (item >= 0)],
            n_people=len(basis.people),
            unit=unit[ok],
            kind=kit.codes(faults["kind"], kit.FAULT_KINDS)[ok],
            within=basis.in_window(kit.times(faults["occurred_at"]))[ok],
            ids=faults["fault_id"].astype(str).to_numpy()[ok],
            about=about.to_numpy(dtype=object, na_value=None)[ok],
        )

    def apply(self, prepared, rules, done):
        points = -kit.by_enum(rules["faults.points"], "fault_kind")[prepared.kind]
        veto = np.isin(np.asarray(kit.FAULT_KINDS), rules["faults.veto"])[prepared.kind]
        vetoed = np.bincount(
            prepared.unit, weights=veto & prepared.within, minlength=prepared.n_people
        )
        column = kit.component("faults")
        parts = [Part(prepared.unit, points, prepared.within, column)]
        values = {"points": points, "veto": veto}
        kinds = [kit.FAULT_KINDS.index(k) for k in rules["faults.void"]]
        if kinds:
            b = prepared.basis
            void = np.zeros(b.n_subs, dtype=bool)
            void[prepared.void_item[np.isin(prepared.void_kind, kinds)]] = True
            timeliness = done["timeliness"]
            earned = done["submissions"]["points"] + timeliness["submission"] + timeliness["fixed"]
            values["void_c"] = -earned * void[b.c_sub]
            earned = done["instructions"]["earned"]
            values["void_ac"] = -(earned + timeliness["adoption"]) * void[b.a_sub[b.ac_j]]
            parts += [
                Part(b.c_ben, values["void_c"], b.c_in, column),
                Part(b.ac_ben, values["void_ac"], b.ac_in, column),
            ]
        return Points(parts, flags={"vetoed": vetoed > 0}, values=values)

    def ledger(self, prepared, rules, done, lang):
        points = done[self.name]
        about = pd.Series(prepared.about, dtype="string")
        about = ("（" + about + "）") if lang == "zh" else (" (" + about + ")")
        detail = kit.cat(
            kit.enum_words("fault_kind", lang)[prepared.kind],
            kit.when(points["veto"], WORDS[lang]["veto"]),
            about.fillna("").to_numpy(dtype=str),
        )
        rule = kit.cat("faults.points.", np.asarray(kit.FAULT_KINDS)[prepared.kind])
        record = kit.cat("fault:", prepared.ids)
        column = kit.component("faults")
        frames = [
            kit.rows(prepared.within, prepared.unit, record, rule, points["points"], detail, column)
        ]
        if "void_c" in points.values:
            b = prepared.basis
            kinds = kit.enum_words("fault_kind", lang)
            named = [kinds[kit.FAULT_KINDS.index(k)] for k in rules["faults.void"]]
            text = kit.fmt(WORDS[lang]["void"], "/".join(named))
            for who, ids, void, within in (
                (b.c_ben, b.c_ids, points["void_c"], b.c_in),
                (b.ac_ben, b.ac_ids, points["void_ac"], b.ac_in),
            ):
                mask = within & (void != 0)
                frames.append(kit.rows(mask, who, ids, "faults.void", void, text, column))
        return frames
