"""``[instruction]``: leader instructions (领导批示), one record per leader.

| key | default | meaning |
|---|---|---|
| `points.<leader level>` | 0 | bonus for the first instruction at that level on an item |
| `further.<leader level>` | as `points` | bonus for each further instruction at that level on the same item (another leader): `further.city = 5` is "the first 市领导 10, each further 5"; `0` is 同级多次批示不重复计分 |
| `factor.<leader level>` | 1 | the instructed adoption's points count this many times (原分 ×2: `factor.province = 2`); the bonus is `(factor - 1) x` the adoption's points |
| `outlets."<outlet>"` | none | bonus for the first instruction on an adoption in that outlet (刊物), instead of the level's `points` |
| `category_factor.<category>` | 1 | factor on `points`, `further` and `outlets` by the item's category (连云港: +10 on research where +5 otherwise is `research = 2`) |
| `kinds` | all | the kinds of instruction that count: `["affirmative"]` (肯定性批示 only) or both with `"directive"` (指示性) |

Leader levels are `county`, `city`, `province`, `national` and the tiers
around them: `county_main`, `city_main`, `province_main` (主要领导, above the
level's other leaders), `city_office` (市委市政府办公室领导) and
`city_secretary` (市委市政府秘书长、副秘书长) below 市领导, and likewise
`province_office`, `province_secretary`; Chinese spellings work as keys
(`"市委市政府秘书长" = 3`). Leader levels not priced earn 0.

Instructions are records (`Dataset.instructions`: the instructions file, and
the adoptions' `批示级别`/`批示领导` columns, one record per leader). Per item
and leader level, the earliest instruction is the first; the others are
further. Only the highest `factor` among the instructions on one adoption
counts, once. An instruction on an item never adopted earns `points` or
`further` only. The bonus is credited on the instruction's date (an
adoption's own instruction: the adoption's date), split for joint items as
adoptions are; under `lateness.fraction` a late item loses that share of the
bonus with its adoption's points. The ledger's rule is
`instruction.points.<level>`, `instruction.further.<level>`,
`instruction.outlets.<outlet>` or `instruction.factor.<level>`.

Worked example (`points.city = 10`, `further.city = 5`, `factor.province = 2`):
an item adopted by the city (15 points) gets instructions from 市长 and 常务副市长,
and its province adoption (40 points) one from 省长. 市长 earns 10 (the first
市领导), 常务副市长 5 (a further one), 省长 (2 - 1) x 40 = 40 and the
province's `points` (0): 55 in all, in three ledger rows.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from evalkit.data._schema import ENUMS
from evalkit.scoring._spec import FACTOR, POINTS, Choice, Keyed, List, Named, Num, Table
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Part, Points
from evalkit.scoring.families.submissions import joint_text

LEADER_LEVELS = ENUMS["leader_level"].values
KINDS = ENUMS["instruction_kind"].values
RULES = ("points", "further", "outlets")  # the rule that prices a record's bonus
WORDS = {
    "zh": {
        "points": "{}批示 +{}分",
        "further": "{}批示 +{}分（同级再有领导批示）",
        "outlets": "《{}》上{}批示 +{}分",
        "factor": "{}批示：该采用得分×{}，+{}分",
    },
    "en": {
        "points": "{} instruction +{}",
        "further": "{} instruction +{} (a further leader at this level)",
        "outlets": "{} instruction in {} +{}",
        "factor": "{} instruction: the adoption's points x{}, +{}",
    },
}


def _who(lang: str) -> np.ndarray:
    """Each leader level as the ledger names it: 市级领导, 市委市政府秘书长 ... ("" for none)."""
    e = ENUMS["leader_level"]
    base = set(ENUMS["level"].values)
    if lang == "zh":
        words = [e.zh[v] + ("领导" if v in base else "") for v in e.values]
    else:
        words = [v + (" leader's" if v in base else "") for v in e.values]
    return np.array([*words, ""])


class Instructions(Family):
    name = "instructions"
    tables = {
        "instruction": Table(
            fields={
                "points": Keyed(enum="leader_level", value=POINTS),
                "further": Keyed(enum="leader_level", value=Num(default=None), fill=False),
                "factor": Keyed(enum="leader_level", value=Num(default=1.0, low=1)),
                "outlets": Named(value=POINTS),
                "category_factor": Keyed(enum="category", value=FACTOR),
                "kinds": List(
                    default=list(KINDS), item=Choice(choices=KINDS, enum="instruction_kind")
                ),
            }
        )
    }

    def prepare(self, basis):
        """Records in the scored order, their items, levels, adoptions, outlets and credit rows."""
        ds = basis.dataset
        rec = ds.instructions.reset_index(drop=True)
        sub = basis.rows_of("instructions")
        level = kit.codes(rec["leader_level"], LEADER_LEVELS)
        ok = (sub >= 0) & (level >= 0)
        # the adoption instructed on, as a row of the basis's adoptions (-1: none)
        rows = pd.Index(ds.adoptions["adoption_id"].to_numpy()).get_indexer(
            rec["adoption_id"].to_numpy(dtype="int64", na_value=-1)
        )
        position = np.full(len(ds.adoptions) + 1, -1)
        position[basis.a_order] = np.arange(len(basis.a_order))
        adoption = position[rows]
        at = kit.times(rec["instructed_at"])
        # scored order: by adoption (as the adoption rows run), then date, then record
        key = np.where(adoption >= 0, adoption, len(basis.a_order))
        order = np.lexsort((rec["instruction_id"].to_numpy(), at, key))
        order = order[ok[order]]
        sub, level, adoption, at = sub[order], level[order], adoption[order], at[order]
        outlet = np.where(adoption >= 0, basis.a_outlet[np.maximum(adoption, 0)], None)
        names = pd.Index(pd.unique(outlet[outlet != None]), dtype=object)  # noqa: E711
        rj, ri = basis.credits_of(sub)
        return SimpleNamespace(
            basis=basis,
            sub=sub,
            level=level,
            adoption=adoption,
            kind=kit.codes(rec["kind"], KINDS)[order],
            by_item=np.lexsort((np.arange(len(sub)), at, level, sub)),
            names=names,
            outlet=names.get_indexer(outlet),
            outlet_text=np.where(outlet == None, "", outlet).astype(str),  # noqa: E711
            inside=basis.in_window(at),
            ids=basis.ids_of(sub),
            rj=rj,
            ri=ri,
        )

    def _counted(self, p, kinds, factors):
        """Which records count, which are the first per item and level, and which
        factor wins on each adoption: they depend on ``kinds`` and ``factor`` alone."""
        counted = np.isin(np.asarray(KINDS), kinds)[p.kind]
        # the first counted instruction per item and level; later ones are further
        group = np.cumsum(kit.group_starts(p.sub[p.by_item], p.level[p.by_item])) - 1
        nth = kit.within_group_cumsum(counted[p.by_item].astype(float), group)
        first = np.empty(len(p.sub), dtype=bool)
        first[p.by_item] = counted[p.by_item] & (nth == 1)
        # the highest factor among the counted instructions on an adoption, once
        factor = kit.by_enum(factors, "leader_level")[p.level]
        factor = np.where(counted & (p.adoption >= 0), factor, 1.0)
        best = np.lexsort((np.arange(len(factor)), -factor, p.adoption))
        wins = np.zeros(len(factor), dtype=bool)
        wins[best] = kit.group_starts(p.adoption[best]) & (p.adoption[best] >= 0)
        return counted, first, factor, wins

    def apply(self, prepared, rules, done):
        p, b = prepared, prepared.basis
        kinds, factors = rules["instruction.kinds"], rules["instruction.factor"]
        counted, first, factor, wins = kit.reuse(
            p, "counted", (kinds, factors), lambda: self._counted(p, kinds, factors)
        )
        points = kit.by_enum(rules["instruction.points"], "leader_level")
        given = rules["instruction.further"]
        further = np.array([given.get(v, points[i]) for i, v in enumerate(LEADER_LEVELS)])
        named = rules["instruction.outlets"]
        by_outlet = np.array([named.get(n, np.nan) for n in p.names] + [np.nan])[p.outlet]
        rule = np.where(first, np.where(np.isnan(by_outlet), 0, 2), 1)
        price = np.where(rule == 2, by_outlet, np.where(first, points[p.level], further[p.level]))
        category = kit.by_enum(rules["instruction.category_factor"], "category")[b.sub_cat[p.sub]]
        bonus = np.nan_to_num(price) * category * counted
        earned = done["adoptions"]["credited"]
        multiple = np.where(wins, (factor - 1) * earned[np.maximum(p.adoption, 0)], 0.0)
        share = done["submissions"]["share"]
        total = (bonus + multiple)[p.rj] * share[p.ri]
        part = Part(b.c_ben[p.ri], total, p.inside[p.rj], kit.component("instruction"))
        # the bonus on each adoption credit row, for the lateness fraction of its adoption
        on = p.adoption >= 0
        per_adoption = np.bincount(
            p.adoption[on], weights=(bonus + multiple)[on], minlength=len(b.a_sub)
        )
        values = {
            "bonus": bonus,
            "multiple": multiple,
            "factor": factor,
            "rule": rule,
            "counted": counted,
            "share": share,
            "on_adoptions": per_adoption[b.ac_j] * share[b.ac_i],
        }
        # What each adoption credit row earns, adoption and bonus together: the lateness
        # fraction and a false item's voiding both take it back.
        values["earned"] = done["adoptions"]["points"] + values["on_adoptions"]
        return Points([part], values=values)

    def ledger(self, prepared, rules, done, lang):
        p, b, v = prepared, prepared.basis, done[self.name]
        w, who = WORDS[lang], _who(lang)[p.level]  # per record
        joint = joint_text(b, v["share"], lang)[p.ri]
        share = v["share"][p.ri]
        rj, column = p.rj, kit.component("instruction")
        level = np.asarray(LEADER_LEVELS)[p.level]
        rule = v["rule"]
        key = np.where(
            rule == 2,
            kit.cat("instruction.outlets.", p.outlet_text),
            kit.cat("instruction.", np.asarray(RULES)[rule], ".", level),
        )
        bonus = v["bonus"]
        shown = bonus[rj] * share  # as credited, like every ledger figure
        in_outlet = (who[rj], p.outlet_text[rj]) if lang == "en" else (p.outlet_text[rj], who[rj])
        detail = np.where(
            rule[rj] == 2,
            kit.fmt(w["outlets"], *in_outlet, shown),
            np.where(
                rule[rj] == 1,
                kit.fmt(w["further"], who[rj], shown),
                kit.fmt(w["points"], who[rj], shown),
            ),
        )
        inside = p.inside[rj] & v["counted"][rj]
        multiple = v["multiple"][rj] * share
        factor_detail = kit.fmt(w["factor"], who[rj], v["factor"][rj], multiple)
        return [
            kit.rows(inside, b.c_ben[p.ri], p.ids[rj], key[rj], shown, kit.cat(detail, joint), column),
            kit.rows(inside & (multiple != 0), b.c_ben[p.ri], p.ids[rj],
                     kit.cat("instruction.factor.", level)[rj], multiple,
                     kit.cat(factor_detail, joint), column),
        ]  # fmt: skip
