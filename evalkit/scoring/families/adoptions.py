"""``[adoption]``: points for items adopted (采用), by level, outlet, type and category.

| key | default | meaning |
|---|---|---|
| `mode` | `"sum"` | `"sum"`: points add up across every adoption of an item; `"highest"`: only the item's highest-scoring adoption counts |
| `joint` | `"full"` | a joint item (合报, several units): `"full"` credits each unit in full; `"split"` gives each of the n units 1/n |
| `points.<level>` | 0 | points per adoption at `county`, `city`, `province`, `national`; or a table by category: `city = { research = 15, other = 5 }` (市办采用 信息5/调研15) |
| `outlets.<level>."<outlet>"` | none | points for an adoption in that outlet (刊物) at that level, instead of the level's points; other outlets get the level's points. A table by category works here too: `"专报信息" = { research = 30, other = 20 }` (《专报信息》采用每条20分，调研类每篇30分) |
| `type_factor.<type>` | 1 | factor for `single`, `combined` (综合采用, typically 0.3-0.6), `brief` (简讯) |
| `category_factor.<category>` | 1 | factor for `ordinary`, `urgent`, `research` (调研, typically 2-7), `commissioned` |

An adoption earns `points (by outlet, else by level) x type_factor x
category_factor x share`, where `share` is 1, or 1/n for a joint item under
`joint = "split"`. Points land on `adopted_at`; the ledger's rule is
`adoption.outlets.<level>.<outlet>` when the outlet has its own points (with
`.<category>` when they are a table by category), else
`adoption.points.<level>` (`adoption.points.<level>.<category>` when the level
has a table by category).

**Points by level and category together.** A level's points may be a table by
category; it must price every category, by name (Chinese spellings work) or
through `other`. 市办采用 信息 5 / 调研 15; 省办 15 / 20; 国办 30 / 50 is
`points = { city = { research = 15, other = 5 }, province = { research = 20,
other = 15 }, national = { research = 50, other = 30 } }`: a research item
adopted by the city earns 15, an urgent one 5. `category_factor` still
multiplies on top, so leave it at 1 for a level priced by category.

A **combined** adoption (综合采用) is one adoption row per merged item in the
data, so each unit whose item was merged is credited through its own row: the
`type_factor.combined` sets what that is worth ("combined 3 per unit" with a
single adoption worth 5 is `combined = 0.6`).

**Highest only.** Under `mode = "highest"` each adoption is credited the
amount by which it raises the item's best adoption so far (in order of
`adopted_at`): an item adopted by the county (10) in March and the province
(30) in May earns 10 in March and 20 in May, 30 in all. So monthly bulletins
add up to the year's figure, and the year's figure is the highest adoption.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace

import numpy as np
import pandas as pd

from evalkit.scoring._spec import FACTOR, ByCategory, Choice, Keyed, Outlets, Table
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Part, Points
from evalkit.scoring.families.submissions import joint_text

WORDS = {
    "zh": {
        "adopted": "{}采用",
        "outlet": "《{}》",
        "base": " {}分",
        "factor": " ×{}{}",
        "highest": "，只计最高（此前已计{}分）",
    },
    "en": {
        "adopted": "adopted, {}",
        "outlet": " in {}",
        "base": " {} pts",
        "factor": " × {} {}",
        "highest": ", highest only ({} credited before)",
    },
}


class Adoptions(Family):
    name = "adoptions"
    tables = {
        "adoption": Table(
            fields={
                "mode": Choice(default="sum", choices=("sum", "highest")),
                "joint": Choice(default="full", choices=("full", "split")),
                "points": Keyed(enum="level", value=ByCategory()),
                "outlets": Outlets(),
                "type_factor": Keyed(enum="adoption_type", value=FACTOR),
                "category_factor": Keyed(enum="category", value=FACTOR),
            }
        )
    }

    def prepare(self, basis):
        """The (level, outlet) pairs that occur, and each adoption's pair (-1: no outlet)."""
        # the (level, outlet) pairs that occur, sorted by the level's name, then the outlet's,
        # from integer codes (the basis's outlet codes follow the sorted names)
        code, known = basis.a_outlet_code, np.asarray(basis.outlet_names, dtype=object)
        level_names = np.asarray(kit.LEVELS)
        by_name = np.argsort(level_names)  # levels in the order of their names
        rank = np.empty(len(by_name), dtype=np.int64)
        rank[by_name] = np.arange(len(by_name))
        span = max(len(known), 1)
        seen = np.unique((rank[basis.a_level] * span + code)[code >= 0])
        outlets = pd.DataFrame(
            {"level": level_names[by_name[seen // span]], "outlet": known[seen % span]}
        )
        names = pd.Index(outlets["outlet"].unique(), dtype=object)
        width = len(names) + 1  # outlet 0 is "none"
        pair_key = (
            kit.codes(outlets["level"], kit.LEVELS) * width
            + 1
            + names.get_indexer(outlets["outlet"])
        )
        name_of_code = np.append(names.get_indexer(known), -1)  # code -1: no outlet
        row_key = basis.a_level * width + 1 + name_of_code[code]
        okey = pd.Index(pair_key).get_indexer(row_key)
        pairs = list(outlets.itertuples(index=False, name=None))
        # highest only: rows by their place within the item's adoptions (1 = second ...)
        place = np.arange(len(basis.a_sub)) - np.maximum.accumulate(
            np.where(basis.a_first, np.arange(len(basis.a_sub)), 0)
        )
        steps = [np.flatnonzero(place == k) for k in range(1, int(place.max(initial=0)) + 1)]
        return SimpleNamespace(
            basis=basis,
            outlets=outlets,
            okey=okey,
            pair_of={pair: k for k, pair in enumerate(pairs)},
            pair_level=np.append(kit.codes(outlets["level"], kit.LEVELS), 0),
            steps=steps,
        )

    def apply(self, prepared, rules, done):
        b = prepared.basis
        table = rules["adoption.points"]  # by level, each a number or a table by category
        level_points = np.array([kit.per_category(table[lv]) for lv in kit.LEVELS])
        # Outlets with their own points; NaN (and the sentinel of "no outlet") fall back
        # to the level's points for the item's category.
        # An outlet's points may be a table by category too (《专报信息》 20, 调研类 30).
        outlet_points = np.full((len(prepared.pair_level), len(kit.CATEGORIES)), np.nan)
        for level, outlets in rules["adoption.outlets"].items():
            for name, points in outlets.items():
                k = prepared.pair_of.get((level, name))
                if k is not None:
                    outlet_points[k] = kit.per_category(points)
        named = outlet_points[prepared.okey, b.a_cat]
        base = np.where(np.isnan(named), level_points[b.a_level, b.a_cat], named)
        type_factor = kit.by_enum(rules["adoption.type_factor"], "adoption_type")
        category_factor = kit.by_enum(rules["adoption.category_factor"], "category")
        item = base * type_factor[b.a_type] * category_factor[b.a_cat]
        credited = item
        if rules["adoption.mode"] == "highest" and len(item):
            best = item.copy()  # the item's best adoption so far, exact (no offsets)
            for rows in prepared.steps:
                best[rows] = np.maximum(best[rows - 1], item[rows])
            before = np.where(b.a_first, 0.0, np.r_[0.0, best[:-1]])
            credited = best - before
        share = done["submissions"]["share"][b.ac_i]
        points = credited[b.ac_j] * share
        part = Part(b.ac_ben, points, b.ac_in, 1 + b.a_level[b.ac_j])
        values = {"base": base, "item": item, "credited": credited, "points": points}
        return Points([part], values=values)

    def ledger(self, prepared, rules, done, lang):
        b, w, points = prepared.basis, WORDS[lang], done[self.name]
        j, i = b.ac_j, b.ac_i
        level = b.a_level[j]
        outlet = pd.Series(b.a_outlet, dtype="string").fillna("").to_numpy(dtype=str)[j]
        named = rules["adoption.outlets"]
        has_rule = np.r_[
            [name in named.get(lv, {}) for lv, name in prepared.outlets.itertuples(index=False)],
            False,
        ].astype(bool)[prepared.okey[j]]
        table = rules["adoption.points"]
        by_level = [kit.category_rule(f"adoption.points.{lv}", table[lv], b.a_cat[j])
                    for lv in kit.LEVELS]  # fmt: skip
        by_outlet = kit.cat("adoption.outlets.", np.asarray(kit.LEVELS)[level], ".", outlet)
        # an outlet priced by category: the rule names the category too
        tabled = np.r_[
            [isinstance(named.get(lv, {}).get(name), Mapping)
             for lv, name in prepared.outlets.itertuples(index=False)],
            False,
        ].astype(bool)[prepared.okey[j]]  # fmt: skip
        rule = np.where(
            has_rule,
            np.where(
                tabled, kit.cat(by_outlet, ".", np.asarray(kit.CATEGORIES)[b.a_cat[j]]), by_outlet
            ),
            np.choose(level, by_level) if len(level) else np.array([], dtype=str),
        )
        type_factor = kit.by_enum(rules["adoption.type_factor"], "adoption_type")[b.a_type[j]]
        category_factor = kit.by_enum(rules["adoption.category_factor"], "category")[b.a_cat[j]]
        types, cats = kit.enum_words("adoption_type", lang), kit.enum_words("category", lang)
        item, credited = points["item"][j], points["credited"][j]
        detail = kit.cat(
            kit.fmt(w["adopted"], kit.enum_words("level", lang)[level]),
            kit.when(outlet != "", kit.fmt(w["outlet"], outlet)),
            kit.fmt(w["base"], points["base"][j]),
            kit.when(type_factor != 1, kit.fmt(w["factor"], types[b.a_type[j]], type_factor)),
            kit.when(category_factor != 1, kit.fmt(w["factor"], cats[b.a_cat[j]], category_factor)),
            joint_text(b, done["submissions"]["share"], lang)[i],
            kit.when(~np.isclose(credited, item), kit.fmt(w["highest"], item - credited)),
        )
        return [kit.rows(b.ac_in, b.ac_ben, b.ac_ids, rule, points["points"], detail, 1 + level)]
