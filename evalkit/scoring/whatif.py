"""What-if: compare the rankings of two rule sets.

Re-scoring under changed weights is :class:`evalkit.scoring.scorer.Scorer`'s job: it
prepares once what does not depend on the numbers of the rules, so a slider
can re-rank in milliseconds (``Scorer(ds, rules, year).score({"adoption.points.city": 20})``).
:func:`compare` then says what the change does: per unit both scores and
ranks, who moves, how well the two orders agree, and who enters or leaves the
award lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.scoring.scorer import Scorer

__all__ = ["Comparison", "Scorer", "compare"]


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`.

    Attributes
    ----------
    table : DataFrame
        Per unit: ``unit``, ``group``, ``score_a``, ``score_b``, ``score_change``,
        ``rank_a``, ``rank_b``, ``rank_change`` (positive: moved up), and
        ``award_a``, ``award_b`` when awards were given, ``vetoed_a``, ``vetoed_b``
        when a unit was vetoed under either rule set; sorted by group, rank under B, unit.
    spearman, kendall : float
        Rank correlations of the within-group ranks under A and B, computed per
        group and averaged with the group sizes as weights (1.0: same order).
    by_group : DataFrame
        ``group``, ``units``, ``spearman``, ``kendall``, ``moved_3``.
    entered, left : DataFrame
        Units that win an award under B but not A, and the reverse
        (``unit``, ``group``, ``award``).
    """

    table: pd.DataFrame
    spearman: float
    kendall: float
    by_group: pd.DataFrame
    entered: pd.DataFrame
    left: pd.DataFrame

    def moved(self, k: int = 1) -> int:
        """How many units move ``k`` or more places."""
        return int((self.table["rank_change"].abs() >= k).sum())

    @property
    def movers(self) -> pd.DataFrame:
        """Units whose rank changes, largest moves first."""
        moving = self.table[self.table["rank_change"] != 0]
        order = moving["rank_change"].abs().sort_values(ascending=False, kind="stable").index
        return moving.loc[order].reset_index(drop=True)


def _correlation(a: np.ndarray, b: np.ndarray, test) -> float:
    if len(a) < 2:
        return 1.0
    if np.array_equal(a, b):
        return 1.0
    value = test(a, b)[0]
    return float(value) if np.isfinite(value) else 0.0


def _winners(awards: pd.DataFrame | None) -> pd.DataFrame:
    if awards is None or awards.empty:
        return pd.DataFrame(columns=["unit", "group", "award"])
    units = awards[awards["kind"] == "unit"] if "kind" in awards else awards
    return units[["unit", "group", "award"]].drop_duplicates("unit").reset_index(drop=True)


def compare(
    a: pd.DataFrame,
    b: pd.DataFrame,
    awards_a: pd.DataFrame | None = None,
    awards_b: pd.DataFrame | None = None,
) -> Comparison:
    """Compare two unit score tables (from :func:`evalkit.scoring.scorer.score`) unit by unit.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"unit": ["甲", "乙", "丙"], "group": "乡镇组", "score": [9.0, 8, 7], "rank": [1, 2, 3]})
    >>> b = a.assign(score=[8.0, 9, 7], rank=[2, 1, 3])
    >>> result = compare(a, b)
    >>> result.table["rank_change"].tolist(), result.moved(1)
    ([1, -1, 0], 2)
    """
    keep = ["unit", "group", "score", "rank"]
    table = a[keep].merge(b[["unit", "score", "rank"]], on="unit", how="outer", suffixes=("_a", "_b"),
                          validate="one_to_one")  # fmt: skip
    missing = table[table[["rank_a", "rank_b"]].isna().any(axis=1)]["unit"].tolist()
    if missing:
        raise ValueError(f"units scored under only one rule set: {'、'.join(missing)}")
    table["group"] = table["group"].astype(a["group"].dtype)
    table["score_change"] = table["score_b"] - table["score_a"]
    table["rank_change"] = (table["rank_a"] - table["rank_b"]).astype("int64")
    win_a, win_b = _winners(awards_a), _winners(awards_b)
    if awards_a is not None or awards_b is not None:
        table["award_a"] = table["unit"].map(win_a.set_index("unit")["award"])
        table["award_b"] = table["unit"].map(win_b.set_index("unit")["award"])
    # A vetoed unit is ranked last whatever its points; when either side vetoed anyone,
    # the table says so per side, so a fall to last place is never read as a points change.
    flags = {side: frame.set_index("unit")["vetoed"] for side, frame in (("a", a), ("b", b))
             if "vetoed" in frame}  # fmt: skip
    if any(f.fillna(False).astype(bool).any() for f in flags.values()):
        for side, f in flags.items():
            table[f"vetoed_{side}"] = table["unit"].map(f).fillna(False).astype(bool)
    table = table.sort_values(["group", "rank_b", "unit"], kind="stable").reset_index(drop=True)
    rows = []
    for group, part in table.groupby("group", observed=True, sort=False):
        ra, rb = part["rank_a"].to_numpy(float), part["rank_b"].to_numpy(float)
        rows.append({"group": group, "units": len(part),
                     "spearman": _correlation(ra, rb, stats.spearmanr),
                     "kendall": _correlation(ra, rb, stats.kendalltau),
                     "moved_3": int((part["rank_change"].abs() >= 3).sum())})  # fmt: skip
    by_group = pd.DataFrame(rows, columns=["group", "units", "spearman", "kendall", "moved_3"])
    weights = by_group["units"].to_numpy(float)
    mean = (lambda col: float(np.average(by_group[col], weights=weights))) if len(by_group) else (
        lambda col: 1.0)  # fmt: skip
    entered = win_b[~win_b["unit"].isin(win_a["unit"])].reset_index(drop=True)
    left = win_a[~win_a["unit"].isin(win_b["unit"])].reset_index(drop=True)
    return Comparison(table, mean("spearman"), mean("kendall"), by_group, entered, left)
