"""``[submission]``: points per item submitted (报送分), with a yearly cap.

| key | default | meaning |
|---|---|---|
| `points` | 0 | points per item submitted (times `share` for a joint item); or a table by category: `points = { commissioned = 2, other = 0 }` (约稿 2 分/篇) |
| `cap` | none | at most this many submission points per unit per calendar year |

Points land on `submitted_at`. The cap runs over the calendar year in order of
submission, so the months of a year add up to the year.
"""

from __future__ import annotations

import numpy as np

from evalkit.scoring._spec import CAP, ByCategory, Table
from evalkit.scoring.families import _base as kit
from evalkit.scoring.families._base import Family, Part, Points

WORDS = {
    "zh": {"submitted": "报送 {}分", "joint": " ×1/{}（合报）", "kit.capped": "，封顶后计{}分"},
    "en": {
        "submitted": "submitted, {} pts",
        "joint": " x1/{} (joint)",
        "kit.capped": ", {} after the cap",
    },
}


def joint_text(basis, share: np.ndarray, lang: str) -> np.ndarray:
    """Per credit row, the note on a split joint item (" ×1/3（合报）"), else ""."""
    return kit.when(share < 1, kit.fmt(WORDS[lang]["joint"], basis.c_n))


class Submissions(Family):
    name = "submissions"
    tables = {"submission": Table(fields={"points": ByCategory(), "cap": CAP})}

    def apply(self, basis, rules, done):
        share = basis.share(rules)
        raw = kit.per_category(rules["submission.points"])[basis.c_cat] * share
        points = kit.capped(raw, basis.c_capgroup, rules["submission.cap"])
        part = Part(basis.c_ben, points, basis.c_in, kit.component("submission"))
        return Points([part], values={"share": share, "raw": raw, "points": points})

    def ledger(self, basis, rules, done, lang):
        w, points = WORDS[lang], done[self.name]
        category = basis.c_cat
        rule = kit.category_rule("submission.points", rules["submission.points"], category)
        detail = kit.cat(
            kit.fmt(w["submitted"], kit.per_category(rules["submission.points"])[category]),
            joint_text(basis, points["share"], lang),
            kit.when(
                ~np.isclose(points["points"], points["raw"]),
                kit.fmt(w["kit.capped"], points["points"]),
            ),
        )
        mask = basis.c_in & (points["raw"] != 0)
        return [kit.rows(mask, basis.c_ben, basis.c_ids, rule, points["points"], detail, 0)]
