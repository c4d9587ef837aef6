"""Funnel plots: how much an adoption rate means, given how many items it rests on.

:func:`funnel_data` gives each unit's adoption rate against its items
submitted, with exact binomial control limits around the overall rate
(Spiegelhalter 2005), so that a small unit's 3 of 5 is not read as better than
a large unit's 40 of 100. Rank bands, the other half of "how certain is this
rank", are in :mod:`evalkit.scoring.uncertainty`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

try:  # the kernels of scipy.stats.binom, without importing scipy.stats (about 1 s)
    from scipy.special._ufuncs import _binom_cdf, _binom_ppf
except ImportError:  # pragma: no cover - a SciPy that moved them
    _binom_cdf = _binom_ppf = None

__all__ = ["FUNNEL_LEVELS", "binomial_limits", "funnel_data"]

FUNNEL_LEVELS = {
    "any": "adopted",
    "county": "adopted_county",
    "city": "adopted_city",
    "province": "adopted_province",
    "national": "adopted_national",
    "city_up": "adopted_city_up",
    "province_up": "adopted_province_up",
}


def _binomial(n: np.ndarray, p: float):
    """``ppf(q)`` and ``cdf(k)`` of binomial(n, p), equal to ``scipy.stats.binom``'s.

    The report imports this module; ``scipy.stats`` alone takes about a second to
    import, so the same Boost kernels are called through ``scipy.special`` with
    ``binom``'s own handling of the ends (``ppf`` of q in (0, 1) only: the
    limits' quantiles; ``cdf`` 0 below 0 and 1 from ``n`` on). A test checks
    both against ``scipy.stats.binom``.
    """
    usual = 0 <= p <= 1 and bool(np.all((n >= 0) & (n == np.floor(n))))
    if _binom_cdf is None or not usual:  # NaN limits and the like: as scipy.stats gives them
        from scipy.stats import binom

        return (lambda q: binom.ppf(q, n, p)), (lambda k: binom.cdf(k, n, p))

    def ppf(q: float) -> np.ndarray:
        if not 0 < q < 1:  # the ends have conventions of their own: scipy.stats keeps them
            from scipy.stats import binom

            return binom.ppf(q, n, p)
        return np.asarray(_binom_ppf(q, n, p), dtype=float)

    def cdf(k: np.ndarray) -> np.ndarray:
        k = np.asarray(k, dtype=float)
        inside = (k >= 0) & (k < n)
        out = np.where(k >= n, 1.0, 0.0)
        out[inside] = np.clip(_binom_cdf(np.floor(k[inside]), n[inside], p), 0, 1)
        return out

    return ppf, cdf


def binomial_limits(n, p: float, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial control limits of a proportion, interpolated (Spiegelhalter 2005).

    For the quantile ``q`` of a binomial(n, p), ``r`` is the smallest count with
    ``F(r) >= q`` (``scipy.stats.binom.ppf``); the limit is ``(r - a) / n`` with
    ``a = (F(r) - q) / (F(r) - F(r - 1))``, which makes the limits smooth in ``n``
    (appendix A.1.1 of Spiegelhalter, *Funnel plots for comparing institutional
    performance*, Statistics in Medicine 2005).

    Parameters
    ----------
    n : array_like
        Numbers of items, >= 1.
    p : float
        The target proportion, usually the overall rate.
    coverage : float
        0.95 for 95% limits, 0.998 for 99.8% limits.

    Returns
    -------
    low, high : ndarray
        Limits as proportions, clipped to [0, 1].

    Examples
    --------
    >>> low, high = binomial_limits([10], 0.5, 0.95)
    >>> round(float(high[0]), 4)  # r = 8, a = (1013/1024 - 0.975) / (45/1024)
    0.7676
    """
    n = np.asarray(n, dtype=float)
    ppf, cdf = _binomial(n, p)

    def limit(q: float) -> np.ndarray:
        r = ppf(q)
        at_r, below_r = cdf(r), cdf(r - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(at_r > below_r, (at_r - q) / (at_r - below_r), 0.0)
        return np.clip((r - a) / n, 0, 1)

    tail = (1 - coverage) / 2
    return limit(tail), limit(1 - tail)


def funnel_data(
    metrics_frame: pd.DataFrame, level: str = "any"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Points and exact binomial control limits for a funnel plot of adoption rates.

    Parameters
    ----------
    metrics_frame : DataFrame
        The output of :func:`evalkit.metrics.compute_metrics` (``by="unit"``), or
        any frame with ``unit``, ``group``, ``submitted`` and the adopted column
        of ``level``. Filter it first (e.g. one group) to compare within a group.
    level : {"any", "county", "city", "province", "national", "city_up", "province_up"}
        Which items count as adopted: at any level (``adopted``), at one level
        (``adopted_<level>``), or at that level or above.

    Returns
    -------
    points : DataFrame
        ``unit``, ``group``, ``submitted``, ``adopted``, ``rate``, and ``flag``
        (95% limits) and ``flag_998`` (99.8% limits), each ``"above"``,
        ``"below"`` or ``"within"`` (missing for a unit without items). A unit is
        above when its rate is strictly above the upper limit at its ``n``.
    limits : DataFrame
        ``n`` from 1 to the largest ``submitted``, ``p`` (the overall rate, total
        adopted / total submitted), ``lo95``, ``hi95``, ``lo998``, ``hi998``, from
        :func:`binomial_limits`.

    Examples
    --------
    >>> frame = pd.DataFrame({"unit": ["a", "b"], "group": ["g", "g"],
    ...                       "submitted": [10, 30], "adopted": [9, 11]})
    >>> points, limits = funnel_data(frame)
    >>> points["flag"].tolist(), float(limits["p"].iloc[0])
    (['above', 'within'], 0.5)
    """
    if level not in FUNNEL_LEVELS:
        raise ValueError(f"level must be one of {sorted(FUNNEL_LEVELS)}, not {level!r}")
    column = FUNNEL_LEVELS[level]
    submitted = metrics_frame["submitted"].to_numpy(dtype=float)
    adopted = metrics_frame[column].to_numpy(dtype=float)
    if submitted.sum() <= 0:
        raise ValueError("no items submitted: a funnel plot needs items")
    p = adopted.sum() / submitted.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(submitted > 0, adopted / submitted, np.nan)
    points = pd.DataFrame(
        {
            "unit": metrics_frame["unit"].to_numpy(),
            "group": metrics_frame["group"].to_numpy(),
            "submitted": submitted.astype("int64"),
            "adopted": adopted.astype("int64"),
            "rate": rate,
        }
    )
    n = np.arange(1, int(submitted.max()) + 1)
    limits = pd.DataFrame({"n": n, "p": p})
    has_items = submitted > 0
    for coverage, suffix, flag in ((0.95, "95", "flag"), (0.998, "998", "flag_998")):
        low, high = binomial_limits(n, p, coverage)
        limits[f"lo{suffix}"], limits[f"hi{suffix}"] = low, high
        at = np.maximum(submitted.astype(int), 1) - 1
        verdict = np.select([rate > high[at], rate < low[at]], ["above", "below"], "within")
        points[flag] = pd.Series(verdict, dtype="str").where(has_items)
    return points, limits
