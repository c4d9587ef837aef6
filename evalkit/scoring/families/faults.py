"""``[faults]``: penalties and vetoes (一票否决) for fault records.

| key | default | meaning |
|---|---|---|
| `points.<kind>` | 0 | deducted per fault record of kind `late`, `omitted`, `concealed`, `false`, `commission_missed` |
| `veto` | `[]` | kinds that veto the unit (一票否决): it is ranked after all others and gets no award |

A fault counts in the window holding its `occurred_at`. The ledger's record is
`fault:<fault_id>` and its rule `faults.points.<kind>`.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from evalkit.scoring._spec import POINTS, Choice, Keyed, Table
from evalkit.scoring._spec import List as ListOf
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Part, Points

WORDS = {"zh": {"veto": "，一票否决"}, "en": {"veto": ", veto"}}


class Faults(Family):
    name = "faults"
    tables = {
        "faults": Table(
            fields={
                "points": Keyed(enum="fault_kind", value=POINTS),
                "veto": ListOf(default=[], item=Choice(choices=kit.FAULT_KINDS, enum="fault_kind")),
            }
        )
    }

    def prepare(self, basis):
        faults = basis.dataset.faults.reset_index(drop=True)
        unit = basis.unit_index.get_indexer(faults["unit"].astype(str))
        ok = (unit >= 0) if basis.by == "unit" else np.zeros(len(faults), dtype=bool)
        about = faults["submission_id"].astype("string")
        return SimpleNamespace(
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
        part = Part(prepared.unit, points, prepared.within, kit.component("faults"))
        return Points([part], flags={"vetoed": vetoed > 0}, values={"points": points, "veto": veto})

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
        return [
            kit.rows(prepared.within, prepared.unit, record, rule, points["points"], detail, column)
        ]
