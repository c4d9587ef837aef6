"""How much a rank means: rank bands under varied weights or resampled items.

* :func:`rank_bands` gives each unit's median rank and its 5-95% rank band when
  the rule weights vary within stated ranges, or when the items are
  resampled (Marshall & Spiegelhalter 1998).
* :func:`funnel_data` and :func:`binomial_limits` (funnel-plot limits of
  adoption rates) live in :mod:`evalkit.scoring.funnel` and are re-exported
  here, where they have always been imported from.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from evalkit.data._dataset import Dataset
from evalkit.scoring.families.final import pools
from evalkit.scoring.funnel import FUNNEL_LEVELS, binomial_limits, funnel_data
from evalkit.scoring.rules import LEVELS, Rules, RulesError, _split_path
from evalkit.scoring.scorer import POINT_COLUMNS, Scorer

__all__ = ["FUNNEL_LEVELS", "binomial_limits", "funnel_data", "rank_bands"]


# --------------------------------------------------------------------------- rank bands
def _raw_totals(frame: pd.DataFrame, order: pd.Index, average: bool) -> np.ndarray:
    """Unrounded scores of a :meth:`Scorer.score` frame, in the units' ``order``."""
    frame = frame.set_index("unit").reindex(order)
    total = frame[POINT_COLUMNS].sum(axis=1).to_numpy(dtype=float)
    if average:
        n_items = frame["n_items"].to_numpy(dtype=float)
        total = np.divide(total, n_items, out=np.zeros_like(total), where=n_items > 0)
    return total


def _round_half_away(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round as the scores are rounded (四舍五入), so that ties match the official ranks."""
    factor = 10.0**decimals
    return np.sign(x) * np.floor(np.abs(x) * factor + 0.5 + 1e-9) / factor


def _integer_keys(rules: Rules, names: list[str], low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Which weights the rules accept only as integers.

    Both ends of every range must be valid (a RulesError names the key
    otherwise); a key is integer-only when a fractional value inside its range
    is refused.
    """
    flags = []
    for name, first, last in zip(names, low, high, strict=True):
        for end in (first, last):
            rules.with_changes({name: end.item()})
        try:
            rules.with_changes({name: float(first + 0.37 * (last - first))})
            flags.append(False)
        except RulesError:
            flags.append(last > first)
    return np.array(flags, dtype=bool)


def _adoption_points(rules: Rules) -> dict[str, float]:
    """The adoption points of every level by key; a level priced by category gives one per category.

    Rules that price adoptions by outlet alone (every level's points 0, as
    changshan-2014) give their outlets' points instead; rules that price no
    adoption at all (a weekly task alone, as shifu-weekly) give each quota's
    base and per-item points.
    """
    out = {}
    for lv in LEVELS:
        value = rules[f"adoption.points.{lv}"]
        if isinstance(value, Mapping):
            out |= {f"adoption.points.{lv}.{c}": float(v) for c, v in value.items()}
        else:
            out[f"adoption.points.{lv}"] = float(value)
    if not any(out.values()):
        out = {
            f"adoption.outlets.{lv}.{name}": float(points)
            for lv, named in rules["adoption.outlets"].items()
            for name, points in named.items()
            if "." not in name and "[" not in name  # a name a key path can spell
        }
    if not any(out.values()):
        out = {
            f"quota[{i}].{key}": float(q[key])
            for i, q in enumerate(rules["quota"])
            for key in ("base_points", "per_extra")
        }
    return out


def _draw_weights(rules: Rules, weight_ranges, n_draws: int, rng) -> tuple[list[str], np.ndarray]:
    """Names and a (weights, draws) matrix drawn uniformly within each range."""
    names = list(weight_ranges)
    bounds = np.array([sorted(map(float, weight_ranges[name])) for name in names], dtype=float)
    low, high = bounds[:, 0], bounds[:, 1]
    draws = low[:, None] + (high - low)[:, None] * rng.random((len(names), n_draws))
    integer = _integer_keys(rules, names, low, high)
    whole = rng.integers(
        low[:, None].astype(int), high[:, None].astype(int) + 1, (len(names), n_draws)
    )
    return names, np.where(integer[:, None], whole, draws)


def _replaced(node, path: list, value):
    """A copy of the frozen rules tree ``node`` with ``value`` at ``path``; the rest is shared."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, tuple):
        return (*node[:head], _replaced(node[head], rest, value), *node[head + 1 :])
    return MappingProxyType({**node, head: _replaced(node[head], rest, value)})


def _rules_at(rules: Rules, names: list[str], first: np.ndarray) -> Callable[[np.ndarray], Rules]:
    """A function ``weights -> rules`` with ``names`` set to ``weights``, fast.

    :meth:`Rules.with_changes` re-validates the whole rule set, which cost as much
    as scoring a draw at 80 units. Each varied weight is one number checked on its
    own against an interval (and whole numbers for integer-only keys), and both
    ends of its range were validated by :func:`_integer_keys`, so every draw is
    valid: only the tables on the changed paths are copied, and the value takes
    the type validation gives it. The fast rules are checked equal to
    ``with_changes`` at ``first``; where they differ, or a key is not in the
    rules yet, every draw goes through ``with_changes``.
    """

    def slow(weights: np.ndarray) -> Rules:
        return rules.with_changes({n: v.item() for n, v in zip(names, weights, strict=True)})

    checked = slow(first)
    try:
        kinds = [type(checked[name]) for name in names]
        paths = [_split_path(name) for name in names]
        for name in names:
            rules[name]  # a key the base rules lack is created by with_changes
    except KeyError:
        return slow
    source = rules.source if rules.source.endswith(" + changes") else f"{rules.source} + changes"

    def fast(weights: np.ndarray) -> Rules:
        data = rules._data  # the frozen tree; Rules has no public constructor without checks
        for path, kind, value in zip(paths, kinds, weights, strict=True):
            data = _replaced(data, path, kind(value.item()))
        return Rules(data, source)

    return fast if fast(first) == checked else slow


def _exact_totals(scorer: Scorer, order: pd.Index, average: bool):
    """A function ``changes -> unrounded totals in order``, through the scorer's fastest path."""
    fast = getattr(scorer, "totals", None)  # no DataFrame: ~5x faster than score()
    if fast is not None:
        return fast
    return lambda changes: _raw_totals(scorer.score(changes), order, average)


def _weight_totals(scorer: Scorer, order: pd.Index, average: bool, names, weights) -> np.ndarray:
    """Unrounded totals (units x draws), through a linear model checked against exact scores.

    Most rules are linear in their point values: the total is then ``t(m) + X (w - m)``
    with ``X`` from one re-score per weight, for any number of draws at the cost
    of a matrix product. The model is checked against exact re-scores at both
    corners of the ranges and at the first draws; if it misses (caps, "highest"
    mode, two factors that multiply), every draw is re-scored exactly.
    """

    totals = _exact_totals(scorer, order, average)

    rules_at = _rules_at(scorer.rules, names, weights[:, 0])

    def exact(w: np.ndarray) -> np.ndarray:
        return totals(rules_at(w))

    low, high = weights.min(axis=1), weights.max(axis=1)
    middle = (low + high) / 2
    step = np.where(high > low, (high - low) / 2, 1.0)
    at_middle = exact(middle)
    slopes = np.column_stack(
        [
            (exact(middle + step[k] * np.eye(len(names))[k]) - at_middle) / step[k]
            for k in range(len(names))
        ]
    )
    predicted = at_middle[:, None] + slopes @ (weights - middle[:, None])
    checks = [(low, None), (high, None)] + [
        (weights[:, d], d) for d in range(min(4, weights.shape[1]))
    ]
    scale = 1.0 + np.abs(at_middle).max()
    for w, d in checks:
        guess = at_middle + slopes @ (w - middle) if d is None else predicted[:, d]
        if np.abs(exact(w) - guess).max() > 1e-6 * scale:
            warnings.warn(
                "the score is not linear in the varied weights: re-scoring every draw (slower)",
                stacklevel=3,
            )
            return np.column_stack([exact(weights[:, d]) for d in range(weights.shape[1])])
    return predicted


def _bootstrap_totals(
    scorer: Scorer, dataset: Dataset, order: pd.Index, base: pd.DataFrame, n_draws: int, rng
) -> np.ndarray:
    """Unrounded totals (units x draws) with each unit's items resampled with replacement.

    A unit's items are those credited to it that were submitted in the window or
    earned points in it; each keeps the points the ledger gives it. Points not
    tied to an item (quotas, faults) stay as they are.
    """
    entries = scorer.ledger()
    is_item = entries["record"].isin(dataset.submissions["submission_id"])
    fixed = entries[~is_item].groupby("unit")["points"].sum().reindex(order, fill_value=0.0)
    earned = entries[is_item].groupby(["unit", "record"])["points"].sum()
    submitted = dataset.submissions.loc[
        (dataset.submissions["submitted_at"] >= scorer.span.start)
        & (dataset.submissions["submitted_at"] < scorer.span.end),
        "submission_id",
    ]
    credited = dataset.submission_units[dataset.submission_units["submission_id"].isin(submitted)]
    population = pd.concat(
        [
            credited[["unit", "submission_id"]].rename(columns={"submission_id": "record"}),
            earned.index.to_frame(index=False),
        ]
    ).drop_duplicates()
    population = population[population["unit"].isin(order)]
    population = population.assign(
        _pos=order.get_indexer(population["unit"]),
        points=earned.reindex(
            pd.MultiIndex.from_frame(population[["unit", "record"]]), fill_value=0.0
        ).to_numpy(),
    ).sort_values(["_pos", "record"], kind="stable")
    points = population["points"].to_numpy(dtype=float)
    sizes = np.bincount(population["_pos"], minlength=len(order))
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    occupied = sizes > 0
    totals = np.repeat(fixed.to_numpy(dtype=float)[:, None], n_draws, axis=1)
    slot_start, slot_size = np.repeat(starts, sizes), np.repeat(sizes, sizes)
    chunk = max(1, 5_000_000 // max(len(points), 1))
    for first in range(
        0, n_draws, chunk
    ):  # chunks of draws bound the memory, not a loop over records
        width = min(chunk, n_draws - first)
        picks = slot_start + (rng.random((width, len(points))) * slot_size).astype(np.int64)
        sums = np.add.reduceat(points[picks], starts[occupied], axis=1) if len(points) else 0.0
        totals[occupied, first : first + width] += np.asarray(sums).T
    if scorer.rules["final.mode"] == "average":
        n_items = base.set_index("unit").reindex(order)["n_items"].to_numpy(dtype=float)
        totals = np.divide(
            totals, n_items[:, None], out=np.zeros_like(totals), where=n_items[:, None] > 0
        )
    return totals


def _group_ranks(scores: np.ndarray, vetoed: np.ndarray, group_codes: np.ndarray) -> np.ndarray:
    """Competition ranks (1 best, ties share the better place) within each group, per column."""
    spread = np.ptp(scores) + 1.0 if scores.size else 1.0
    key = scores - vetoed[:, None] * 2 * spread
    ranks = np.empty(scores.shape, dtype=np.int64)
    for code in np.unique(group_codes):  # a handful of groups
        rows = group_codes == code
        ranks[rows] = rankdata(-key[rows], method="min", axis=0)
    return ranks


def rank_bands(
    dataset: Dataset,
    rules="default",
    year: int | None = None,
    weight_ranges: dict[str, tuple[float, float]] | None = None,
    n_draws: int = 1000,
    seed: int = 0,
    method: str = "weights",
    period=None,
) -> pd.DataFrame:
    """Each unit's median rank and 5-95% rank band under weight changes or resampled items.

    Parameters
    ----------
    dataset : Dataset
    rules : Rules, str or Path
        The rule set (a shipped name such as ``"default"``, a file, or Rules).
    year : int, optional
        The year scored; with neither ``year`` nor ``period``, the latest year.
    weight_ranges : dict, optional
        ``{"adoption.points.city": (16, 24), ...}``: rule keys (as for
        :meth:`Rules.with_changes`) and the range each may take. Each draw takes
        every weight uniformly and independently within its range (whole numbers
        for keys that accept only integers). By default each adoption level's
        points vary by +-20% (each outlet's points, under rules that price
        adoptions by outlet alone; each quota's base and per-item points, under
        rules that price no adoption). Used when ``method="weights"``.
    n_draws : int
        Monte Carlo draws or bootstrap replicates.
    seed : int
        Seed of the random generator; the same seed gives the same bands.
    method : {"weights", "bootstrap"}
        ``"weights"``: vary the weights. ``"bootstrap"``: keep the rules and
        resample each unit's items with replacement (each item keeping the points
        the ledger gives it; quota and fault points held fixed).
    period : optional
        A period instead of ``year`` (see :func:`evalkit.metrics.resolve_period`).

    Returns
    -------
    DataFrame
        ``unit``, ``group``, ``score`` and ``rank`` under ``rules`` as given (from
        :class:`evalkit.scoring.scorer.Scorer`), ``vetoed``, ``rank_median``, ``rank_p05``,
        ``rank_p95`` (empirical quantiles of the draws' ranks, each an observed
        rank). Ranks are within the group, ties share the better place, vetoed
        units come last. Sorted by group, rank, unit.

    Notes
    -----
    Under ``method="weights"`` the scores are computed through a linear model
    that is verified against exact re-scores (see the module source); 1,000
    draws at 80 units take a fraction of a second. Marshall & Spiegelhalter,
    *Reliability of league tables of in vitro fertilisation clinics*, BMJ 1998.

    Examples
    --------
    >>> import evalkit
    >>> from evalkit.scoring.rules import Rules
    >>> data = evalkit.load_frames(
    ...     units=pd.DataFrame({"unit": ["城关镇", "河口镇"], "group": ["乡镇组", "乡镇组"]}),
    ...     submissions=pd.DataFrame({"submission_id": ["A1", "A2"], "units": ["城关镇", "河口镇"],
    ...                               "title": ["春耕", "防汛"], "submitted_at": "2025-06-02 09:00"}),
    ...     adoptions=pd.DataFrame({"submission_id": ["A1", "A1", "A2"], "level": ["county", "city", "city"],
    ...                             "adopted_at": "2025-06-09"}))
    >>> rules = Rules.from_dict({"schema_version": 1, "name": "示例",
    ...                          "adoption": {"points": {"county": 5, "city": 20}}})
    >>> rank_bands(data, rules, 2025, {"adoption.points.county": (0, 10)}, n_draws=100)
      unit group  score  rank  rank_median  rank_p05  rank_p95
    0  城关镇   乡镇组   25.0     1            1         1         1
    1  河口镇   乡镇组   20.0     2            2         2         2
    """
    if method not in ("weights", "bootstrap"):
        raise ValueError(f'method must be "weights" or "bootstrap", not {method!r}')
    if year is None and period is None:
        year = dataset.default_year
    scorer = Scorer(dataset, rules, year=year, period=period)
    order = pd.Index(scorer.people["unit"])  # the scorer's own order of units
    base = scorer.score().set_index("unit").reindex(order).reset_index()
    average = scorer.rules["final.mode"] == "average"
    rng = np.random.default_rng(seed)
    if method == "weights":
        if weight_ranges is None:
            weight_ranges = {
                key: (0.8 * v, 1.2 * v)
                for key, v in _adoption_points(scorer.rules).items()
                if v > 0
            }
        if not weight_ranges:
            raise ValueError("weight_ranges is empty: name at least one rule key and its range")
        names, weights = _draw_weights(scorer.rules, weight_ranges, n_draws, rng)
        totals = _weight_totals(scorer, order, average, names, weights)
    else:
        totals = _bootstrap_totals(scorer, dataset, order, base, n_draws, rng)
    scores = _round_half_away(totals, scorer.rules["final.decimals"])
    # ranked in the pools the score ranks in: groups, or groups and classes (final.rank_by)
    pool = pools(scorer.people, scorer.rules["final.rank_by"] if scorer.by == "unit" else "all")
    group_codes = np.zeros(len(order), np.int64) if pool is None else pd.factorize(pool)[0]
    ranks = _group_ranks(scores, base["vetoed"].to_numpy(dtype=bool), group_codes)
    p05, median, p95 = np.quantile(ranks, [0.05, 0.5, 0.95], axis=1, method="inverted_cdf")
    result = base[["unit", "group", "score", "rank", "vetoed"]].copy()
    result["rank_median"], result["rank_p05"], result["rank_p95"] = median, p05, p95
    result = result.astype({"rank_median": "int64", "rank_p05": "int64", "rank_p95": "int64"})
    return result.sort_values(["group", "rank", "unit"], kind="stable", ignore_index=True)
