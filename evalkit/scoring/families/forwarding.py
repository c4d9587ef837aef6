"""``[forwarding]``: items the office forwarded upward (转报), adopted there or not.

| key | default | meaning |
|---|---|---|
| `points.<level>` | 0 | points per item forwarded to `city`, `province` or `national` (选用报省 2, 选报国办 10), whether adopted there or not; or a table by category: `province = { commissioned = 10, other = 3 }` (上报省办：要情类3分，专报（约稿）类10分) |
| `factor.<level>` | 1 | an item the office forwarded to that level earns its adoption points there this many times (转报省 ×2: `factor.province = 2`); the bonus is `(factor - 1) x` the adoption's points |

Forwardings are records (`Dataset.forwardings`: the forwardings file, or a
`转报` column of the adoptions file); an item counts once per level, from its
earliest forwarding there. Points land on the forwarding's date, the factor's
bonus on the adoption's; both are split for joint items as adoptions are and
go to the component of their level (`points_province` ...). The ledger's rule
is `forwarding.points.<level>` (`.<category>` for a table by category) or
`forwarding.factor.<level>`.

Worked example (`points.province = 2`, `points.national = 10`,
`factor.province = 2`): item A is forwarded to the province and adopted there
(40 points); item B is forwarded to the national offices and not adopted. A
earns 2 + (2 - 1) x 40 = 42 on top of its 40, B earns 10.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from evalkit.data._schema import ENUMS
from evalkit.scoring._spec import ByCategory, Keyed, Num, Table
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Part, Points
from evalkit.scoring.families.submissions import joint_text

TO_LEVELS = ENUMS["forward_level"].values  # city, province, national: levels 1-3
WORDS = {
    "zh": {"points": "{} +{}分", "factor": "经转报{}采用，得分×{}，+{}分"},
    "en": {"points": "forwarded {} +{}", "factor": "adopted {} after forwarding, points x{}, +{}"},
}


class Forwarding(Family):
    name = "forwarding"
    tables = {
        "forwarding": Table(
            fields={
                "points": Keyed(enum="forward_level", value=ByCategory()),
                "factor": Keyed(enum="forward_level", value=Num(default=1.0, low=1)),
            }
        )
    }

    def prepare(self, basis):
        """The earliest forwarding of each item to each level, its credit rows, and which
        adoptions went up through the office."""
        rec = basis.dataset.forwardings
        sub = basis.rows_of("forwardings")
        to = kit.codes(rec["to_level"], TO_LEVELS)
        at = kit.times(rec["forwarded_at"])
        order = np.lexsort((rec["forwarding_id"].to_numpy(), at, to, sub))
        order = order[((sub >= 0) & (to >= 0))[order]]
        first = kit.group_starts(sub[order], to[order])
        order = order[first]
        sub, to, at = sub[order], to[order], at[order]
        fj, fi = basis.credits_of(sub)
        width = len(TO_LEVELS)
        key = sub * width + to
        up = (basis.a_level >= 1) & np.isin(basis.a_sub * width + basis.a_level - 1, key)
        return SimpleNamespace(basis=basis, sub=sub, to=to, inside=basis.in_window(at),
                               ids=basis.ids_of(sub), fj=fj, fi=fi, up=up)  # fmt: skip

    def apply(self, prepared, rules, done):
        p, b = prepared, prepared.basis
        share = done["submissions"]["share"]
        table = rules["forwarding.points"]  # by level, each a number or a table by category
        by_level = np.array([kit.per_category(table[lv]) for lv in TO_LEVELS])
        points = by_level[p.to, b.sub_cat[p.sub]]
        credited = points[p.fj] * share[p.fi]
        factor = kit.by_enum(rules["forwarding.factor"], "forward_level", missing=1.0)
        factor = np.where(p.up, factor[np.maximum(b.a_level - 1, 0)], 1.0)
        bonus = (factor - 1) * done["adoptions"]["credited"]
        on_adoption = bonus[b.ac_j] * share[b.ac_i]
        parts = [
            Part(b.c_ben[p.fi], credited, p.inside[p.fj], 2 + p.to[p.fj]),
            Part(b.ac_ben, on_adoption, b.ac_in, 1 + b.a_level[b.ac_j]),
        ]
        values = {"points": credited, "factor": factor, "bonus": on_adoption, "share": share}
        return Points(parts, values=values)

    def ledger(self, prepared, rules, done, lang):
        p, b, v, w = prepared, prepared.basis, done[self.name], WORDS[lang]
        to = np.asarray(TO_LEVELS)[p.to][p.fj]
        table, category = rules["forwarding.points"], b.sub_cat[p.sub][p.fj]
        by_level = [kit.category_rule(f"forwarding.points.{lv}", table[lv], category)
                    for lv in TO_LEVELS]  # fmt: skip
        rule = np.choose(p.to[p.fj], by_level) if len(to) else np.array([], dtype=str)
        words = kit.enum_words("forward_level", lang)[p.to][p.fj]
        joint = joint_text(b, v["share"], lang)
        level = b.a_level[b.ac_j]
        factor = v["factor"][b.ac_j]
        return [
            kit.rows(p.inside[p.fj] & (v["points"] != 0), b.c_ben[p.fi], p.ids[p.fj],
                     rule, v["points"],
                     kit.cat(kit.fmt(w["points"], words, v["points"]), joint[p.fi]), 2 + p.to[p.fj]),
            kit.rows(b.ac_in & (v["bonus"] != 0), b.ac_ben, b.ac_ids,
                     kit.cat("forwarding.factor.", np.asarray(kit.LEVELS)[level]), v["bonus"],
                     kit.cat(kit.fmt(w["factor"], kit.enum_words("level", lang)[level], factor,
                                     v["bonus"]), joint[b.ac_i]), 1 + level),
        ]  # fmt: skip
