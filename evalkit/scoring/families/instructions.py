"""``[instruction]``: leader instruction bonus (领导批示), on the adoption that carries it.

| key | default | meaning |
|---|---|---|
| `points.<level>` | 0 | bonus per adoption carrying an instruction at that level |
| `category_factor.<category>` | 1 | factor by the item's category (连云港: +10 on research where +5 otherwise is `research = 2`) |

The bonus is credited on the adoption's date, split for joint items as adoptions
are. Each instruction counts, also under `adoption.mode = "highest"`. The
ledger's rule is `instruction.points.<level>`.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from evalkit.data._schema import ENUMS
from evalkit.scoring._spec import FACTOR, POINTS, Keyed, Table
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Part, Points
from evalkit.scoring.families.submissions import joint_text

WORDS = {
    "zh": {"instruction": "{}领导批示 +{}分"},
    "en": {"instruction": "{} leader's instruction +{}"},
}


class Instructions(Family):
    name = "instructions"
    tables = {
        "instruction": Table(
            fields={
                "points": Keyed(enum="instruction_level", value=POINTS),
                "category_factor": Keyed(enum="category", value=FACTOR),
            }
        )
    }

    def prepare(self, basis):
        column = basis.dataset.adoptions["instruction_level"].to_numpy(dtype=object)
        level = kit.codes(column, ENUMS["instruction_level"].values)[basis.a_order]
        return SimpleNamespace(basis=basis, level=level)

    def apply(self, prepared, rules, done):
        b = prepared.basis
        bonus = kit.by_enum(rules["instruction.points"], "instruction_level", missing=0.0)
        factor = kit.by_enum(rules["instruction.category_factor"], "category")
        per_adoption = bonus[prepared.level] * factor[b.a_cat]
        points = per_adoption[b.ac_j] * done["submissions"]["share"][b.ac_i]
        part = Part(b.ac_ben, points, b.ac_in, kit.component("instruction"))
        return Points([part], values={"points": points})

    def ledger(self, prepared, rules, done, lang):
        b, points = prepared.basis, done[self.name]["points"]
        level = prepared.level[b.ac_j]
        detail = kit.cat(
            kit.fmt(WORDS[lang]["instruction"], kit.enum_words("level", lang)[level], points),
            joint_text(b, done["submissions"]["share"], lang)[b.ac_i],
        )
        rule = kit.cat("instruction.points.", np.append(np.asarray(kit.LEVELS), "")[level])
        mask = b.ac_in & (level >= 0)
        return [
            kit.rows(mask, b.ac_ben, b.ac_ids, rule, points, detail, kit.component("instruction"))
        ]
