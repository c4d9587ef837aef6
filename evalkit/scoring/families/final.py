"""``[final]``: from the components to the score (sum or average, rounding).

| key | default | meaning |
|---|---|---|
| `mode` | `"sum"` | `"sum"`: score = sum of all points; `"average"`: score = sum / items submitted in the window (0 when none) |
| `decimals` | 1 | the score is rounded half away from zero (四舍五入) to this many decimals, 0-6 |
"""

from __future__ import annotations

import numpy as np

from evalkit.scoring._spec import Choice, Num, Table
from evalkit.scoring.families._base import Family, Points


def round_half_away(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round half away from zero (四舍五入), tolerant of binary noise such as 2.675."""
    factor = 10.0**decimals
    return np.sign(x) * np.floor(np.abs(x) * factor + 0.5 + 1e-9) / factor


class Final(Family):
    """The last family: it turns the per-person component sums into the score."""

    name = "final"
    tables = {
        "final": Table(
            fields={
                "mode": Choice(default="sum", choices=("sum", "average")),
                "decimals": Num(default=1, low=0, high=6, integer=True),
            }
        )
    }

    def apply(self, basis, rules, done):
        return Points()

    def total(self, basis, rules, components: np.ndarray, done) -> np.ndarray:
        """The unrounded score of each person from their components (people x COMPONENTS)."""
        total = components.sum(axis=1)
        if rules["final.mode"] == "average":
            n = basis.n_items
            total = np.divide(total, n, out=np.zeros_like(total), where=n > 0)
        return total
