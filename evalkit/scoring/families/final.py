"""``[final]``: from the components to the score: parts, sum or average, sanctions, scale, rounding, ranks.

| key | default | meaning |
|---|---|---|
| `mode` | `"sum"` | `"sum"`: score = sum of all points; `"average"`: score = sum / items submitted in the window (0 when none) |
| `decimals` | 1 | the score is rounded half away from zero (四舍五入) to this many decimals, 0-6 |
| `rank_by` | `"group"` | units are ranked within their `"group"`, within their group and `"class"` (一类/二类/三类), or over `"all"` |
| `part[i].components` | required | the components one part of the score adds up: `submission`, `county`, `city`, `province`, `national`, `instruction`, `quota`, `lateness`, `faults` |
| `part[i].name` | `""` | its name, for the ledger (`"时效"`) |
| `part[i].base` | 0 | points the part starts from (基础分) |
| `part[i].floor` | none | the part never goes below this (`0`: 扣完为止) |
| `part[i].cap` | none | nor above this (封顶) |
| `part[i].weight` | 1 | factor on the part (a total built from weighted parts) |
| `scale.method` | none | `"top"`: the best score of each ranking pool (`rank_by`) among units not vetoed becomes `scale.points`, the others in proportion (a vetoed unit too, so it may pass it); `"full"`: score x `scale.points` / `scale.full` |
| `scale.points` | 100 | the converted score of the top unit, or of a score equal to `full` |
| `scale.full` | none | the full marks of the rule set (`method = "full"`) |

The score is built in this order: each part is its components' sum, plus
`base`, held between `floor` and `cap`, times `weight` (components in no part
count as they are); the parts and the rest add up (`mode = "sum"`) or are
divided by the items submitted (`"average"`); a `"zero"` sanction sets it to
0; the scale converts it; then it is rounded. What the shaping steps add
shows in the `points_adjustment` column and in the ledger, one row per step
and unit with record `score` and rule `final.part[<i>].base`, `.floor`,
`.cap`, `.weight`, `sanction[<i>].action` or `final.scale`: so the score is
still the sum of the `points_*` columns (under `"average"`, the sum of the
others divided by the items, plus `points_adjustment`).

Worked example (基础分6分，扣完为止; 折算成综合目标考核得分, 信息工作占3分):

```toml
[[final.part]]
name = "时效"
components = ["lateness", "faults"]
base = 6
floor = 0

[final.scale]
method = "top"
points = 3
```

A unit with 40 adoption points and 8 points of lateness and fault penalties:
时效 6 - 8 = -2, held at 0 (+2 on the floor); total 40 + 0 = 40 where the
components add to 32 (adjustment +6 base, +2 floor). If the best unit of its
group has 80, its converted score is 40 x 3 / 80 = 1.5 (adjustment -38.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.scoring._spec import MISSING, REQUIRED, Choice, Num, Str, Table
from evalkit.scoring._spec import List as ListOf
from evalkit.scoring._spec import Tables as TableArray
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Points
from evalkit.scoring.families.sanctions import reason as sanction_reason

WORDS = {
    "zh": {
        "base": "{}基础分{}分",
        "floor": "{}扣完为止（不低于{}分）",
        "cap": "{}封顶{}分",
        "weight": "{}按权重×{}",
        "zero": "{}得分计零",
        "top": "折算：本组未被否决单位的最高分计{}分",
        "full": "折算：满分{}计{}分",
    },
    "en": {
        "base": "{}base points {}",
        "floor": "{}not below {}",
        "cap": "{}capped at {}",
        "weight": "{}weight x{}",
        "zero": "{}score set to 0",
        "top": "converted: the pool's best unit not vetoed becomes {}",
        "full": "converted: full marks {} become {}",
    },
}


def _scale_rule(scale, path):
    if scale["method"] == "full" and scale["full"] is None:
        return [(f"{path}.full", MISSING, 'the full marks (method = "full")')]
    return []


def round_half_away(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round half away from zero (四舍五入), tolerant of binary noise such as 2.675."""
    factor = 10.0**decimals
    return np.sign(x) * np.floor(np.abs(x) * factor + 0.5 + 1e-9) / factor


def pools(people, rank_by: str):
    """The ranking pool of each person: group, group and class, or one pool."""
    if rank_by == "all" or "group" not in people:
        return None
    if rank_by == "class" and "class" in people:
        classes = people["class"].astype("string").fillna("").astype(str)
        return people["group"].astype(str) + "/" + classes
    return people["group"]


class Final(Family):
    """The last family: it turns the per-person component sums into the score."""

    name = "final"
    tables = {
        "final": Table(
            fields={
                "mode": Choice(default="sum", choices=("sum", "average")),
                "decimals": Num(default=1, low=0, high=6, integer=True),
                "rank_by": Choice(default="group", choices=("group", "class", "all")),
                "part": TableArray(
                    item=Table(
                        fields={
                            "name": Str(default=""),
                            "components": ListOf(
                                default=REQUIRED,
                                item=Choice(choices=kit.COMPONENTS[:-1]),
                            ),
                            "base": Num(default=0.0, low=None),
                            "floor": Num(default=None, low=None),
                            "cap": Num(default=None, low=None),
                            "weight": Num(default=1.0),
                        }
                    )
                ),
                "scale": Table(
                    fields={
                        "method": Choice(default=None, choices=("top", "full")),
                        "points": Num(default=100.0, low=0, low_open=True),
                        "full": Num(default=None, low=0, low_open=True),
                    },
                    rule=_scale_rule,
                ),
            }
        )
    }

    def apply(self, basis, rules, done):
        return Points()

    def total(self, basis, rules, components: np.ndarray, done) -> np.ndarray:
        """The unrounded score of each person from their components (people x COMPONENTS)."""
        return self.shape(basis, rules, components, done)[0]

    def shape(self, basis, rules, components: np.ndarray, done):
        """The unrounded score and its shaping steps ``[(rule key, change per person)]``."""
        raw = components[:, :-1]  # the last column is the adjustment itself
        average = rules["final.mode"] == "average"
        n = basis.n_items

        def per_item(x):  # a change of the points, as a change of the score
            return np.divide(x, n, out=np.zeros_like(x), where=n > 0) if average else x

        total = per_item(raw.sum(axis=1))
        steps = []
        for i, part in enumerate(rules["final.part"]):
            value = raw[:, [kit.COMPONENTS.index(c) for c in part["components"]]].sum(axis=1)
            for step, shape in _PART_STEPS.items():
                shaped = shape(value, part)
                if shaped is not value:
                    steps.append((f"final.part[{i}].{step}", per_item(shaped - value)))
                    value = shaped
        for _, change in steps:
            total = total + change
        zero = done["sanctions"]["zero_rule"] if "sanctions" in done else ()
        for i in np.unique(zero):
            if i >= 0:
                steps.append((f"sanction[{i}].action", np.where(zero == i, -total, 0.0)))
                total = np.where(zero == i, 0.0, total)
        if rules["final.scale.method"] is not None:
            vetoed = kit.combined_flag(done, "vetoed", len(total), any_of=True)
            converted = _scale(basis, rules, total, vetoed)
            steps.append(("final.scale", converted - total))
            total = converted
        return total, steps

    def ledger(self, basis, rules, done, lang):
        w = WORDS[lang]
        components = kit.component_sums(done, len(basis.people))
        frames = []
        for key, change in self.shape(basis, rules, np.round(components, 9) + 0.0, done)[1]:
            who = np.flatnonzero(np.round(change, 9) != 0)
            detail = _describe(key, rules, w, lang, done, who)
            mask = np.ones(len(who), dtype=bool)
            column = len(kit.COMPONENTS) - 1
            frames.append(kit.rows(mask, who, "score", key, change[who], detail, column))
        return frames


_PART_STEPS = {
    "base": lambda v, p: v + p["base"] if p["base"] else v,
    "floor": lambda v, p: v if p["floor"] is None else np.maximum(v, p["floor"]),
    "cap": lambda v, p: v if p["cap"] is None else np.minimum(v, p["cap"]),
    "weight": lambda v, p: v * p["weight"] if p["weight"] != 1 else v,
}


def _scale(basis, rules, total: np.ndarray, vetoed: np.ndarray) -> np.ndarray:
    scale = rules["final.scale"]
    if scale["method"] == "full":
        return total * scale["points"] / scale["full"]
    rank_by = rules["final.rank_by"] if basis.by == "unit" else "all"
    pool = kit.reuse(basis, "final.pools", (rank_by,), lambda: _pool_codes(basis, rank_by))
    if pool is None:
        pool = np.zeros(len(total), dtype=np.intp)
    # The pool's best is its best unit not vetoed: a vetoed unit is ranked last, so its
    # points must not set the 100 that the first-placed unit falls short of. A pool with
    # every unit vetoed takes its best of all. Pool codes are built once per window.
    size = pool.max(initial=-1) + 1
    top, top_all = np.full(size, -np.inf), np.full(size, -np.inf)
    np.maximum.at(top, pool, np.where(vetoed, -np.inf, total))
    np.maximum.at(top_all, pool, total)
    best = np.where(np.isneginf(top), top_all, top)[pool]
    return np.divide(total * scale["points"], best, out=np.zeros_like(total), where=best > 0)


def _pool_codes(basis, rank_by: str) -> np.ndarray | None:
    """The ranking pool of each person as an integer code (None: one pool)."""
    pool = pools(basis.people, rank_by)
    return None if pool is None else pd.factorize(pool.to_numpy())[0]


def _describe(key: str, rules, w, lang: str, done, who) -> np.ndarray:
    """The ledger text of one shaping step for the persons ``who``."""
    if key.startswith("sanction"):
        from_rule = int(key[key.index("[") + 1 : key.index("]")])
        return kit.fmt(w["zero"], sanction_reason(rules, from_rule, done, lang)[who])
    if key == "final.scale":
        scale = rules["final.scale"]
        if scale["method"] == "full":
            return kit.fmt(w["full"], scale["full"], scale["points"])
        return kit.fmt(w["top"], scale["points"])
    part = rules[key.rsplit(".", 1)[0]]
    step = key.rsplit(".", 1)[1]
    return kit.fmt(w[step], part["name"], part[step])
