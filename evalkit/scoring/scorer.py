"""Score and rank units and informants under a rule set, with a ledger of every point.

One engine, :class:`Scorer`, composes the rule families of
:mod:`evalkit.scoring.families` (submissions, adoptions, instructions,
timeliness, quotas, faults, final). Once per dataset and window it builds the
shared records (:class:`~evalkit.scoring.families._basis.Basis`: who gets which
item and adoption) and lets each family prepare its own arrays; scoring under a
rule set is then one vectorised pass per family, fast enough for a slider (well
under 50 ms at 100,000 items). :func:`score`, :func:`ledger` and
:func:`score_informants` are thin wrappers; :func:`score` is the per-unit sum of
the same per-record points that :func:`ledger` lists, so the two always agree.

The conventions (windows, highest-only, caps, quotas, lateness, ranks) are
documented in ``docs/rules.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from evalkit.data._dataset import Dataset
from evalkit.metrics import resolve_period
from evalkit.scoring.families import FAMILIES
from evalkit.scoring.families._base import COMPONENTS, combined_flag, component_sums
from evalkit.scoring.families._basis import Basis
from evalkit.scoring.families.final import pools, round_half_away
from evalkit.scoring.rules import Rules, RulesWarning, load_rules

__all__ = [
    "COMPONENTS",
    "INFORMANT_COLUMNS",
    "LEDGER_COLUMNS",
    "POINT_COLUMNS",
    "SCORE_COLUMNS",
    "Scorer",
    "ledger",
    "score",
    "score_informants",
]

POINT_COLUMNS = [f"points_{c}" for c in COMPONENTS]
SCORE_COLUMNS = [
    "unit",
    "group",
    "class",
    "score",
    "rank",
    "vetoed",
    "n_items",
    "n_adopted",
    *POINT_COLUMNS,
    "quota_met",
    "eligible",
]
INFORMANT_COLUMNS = [
    "informant",
    "unit",
    "group",
    "score",
    "rank",
    "n_items",
    "n_adopted",
    *POINT_COLUMNS,
]
LEDGER_COLUMNS = ["unit", "record", "rule", "points", "detail"]


def _rank(score: pd.Series, vetoed: pd.Series, by: pd.Series | None) -> pd.Series:
    """Competition ranks (1, 2, 2, 4), best first; vetoed after everyone not vetoed."""
    spread = float(score.max() - score.min()) + 1.0 if len(score) else 1.0
    key = score - vetoed.astype(float) * spread * 2
    ranked = key.groupby(by, observed=True) if by is not None else key
    return ranked.rank(method="min", ascending=False).astype(np.int64)


def unknown_names(rules: Rules, basis: Basis) -> list[str]:
    """Groups and classes the rules name that no unit of the dataset has, one line each.

    Categories, levels and fault kinds are checked when the rules load; groups
    and classes are the unit list's own words, so they are checked against it:
    a rule naming a class nobody has silently applies to nobody.
    """
    known = {"group": sorted(set(basis.unit_group)), "class": sorted(set(basis.unit_class) - {""})}
    problems = []
    for table in ("quota", "awards.units", "awards.informants"):
        for i, entry in enumerate(rules[table] or ()):
            for key, names in known.items():
                value = entry.get(key)
                if value is not None and value not in names:
                    problems.append(
                        f'{rules.source}: {table}[{i}].{key} = "{value}": no unit has this '
                        f"{key} (the unit list has: {', '.join(names) or 'none'})"
                    )
    return problems


class Scorer:
    """Scores one dataset in one window, fast, under any rule set.

    Parameters
    ----------
    dataset : Dataset
    rules : Rules, str or Path
        The base rules (``"default"``); :meth:`score` may change them.
    year : int
        The calendar year scored when ``period`` is None.
    period : optional
        Anything :func:`evalkit.metrics.resolve_period` takes: ``"2025-03"``,
        ``"2025Q1"``, a ``pandas.Period``, ``("ytd", "2025-06")`` or a
        ``(first, last)`` pair of dates, both days included.
    by : {"unit", "informant"}
        Who is scored.

    Attributes
    ----------
    rules : Rules
        The base rules.
    span : evalkit.metrics.Span
        The window scored: ``start``, exclusive ``end``, ``label``.
    people : DataFrame
        Who is scored, in the order :meth:`totals` uses: ``unit, group, class``
        (the unit list's order), or ``informant, unit, group``.

    Examples
    --------
    >>> import evalkit
    >>> from evalkit._paths import SAMPLE_DIR
    >>> scorer = Scorer(evalkit.load(SAMPLE_DIR), "default", year=2025)
    >>> bolder = scorer.score({"adoption.points.province": 80})  # re-scored in milliseconds
    >>> list(bolder.columns[:8])
    ['unit', 'group', 'class', 'score', 'rank', 'vetoed', 'n_items', 'n_adopted']
    """

    def __init__(
        self,
        dataset: Dataset,
        rules="default",
        year: int = 2025,
        period: Any = None,
        by: str = "unit",
    ):
        if by not in ("unit", "informant"):
            raise ValueError(f'by must be "unit" or "informant", not {by!r}')
        self.rules = load_rules(rules)
        self.by = by
        self.span = resolve_period(period, year=year)
        self._basis = Basis(dataset, self.span, by)
        self.people = self._basis.people
        self._families = FAMILIES
        self._prepared = {f.name: f.prepare(self._basis) for f in self._families}
        for problem in unknown_names(self.rules, self._basis):
            warnings.warn(problem, RulesWarning, stacklevel=2)

    def _rules(self, rules_or_changes) -> Rules:
        if rules_or_changes is None:
            return self.rules
        if isinstance(rules_or_changes, Mapping):
            return self.rules.with_changes(rules_or_changes)
        return load_rules(rules_or_changes)

    def _evaluate(self, rules: Rules) -> dict:
        """Every family's points under ``rules``, in order (each may read those before it)."""
        done: dict = {}
        for family in self._families:
            done[family.name] = family.apply(self._prepared[family.name], rules, done)
        return done

    def _shape(self, rules: Rules, components: np.ndarray, done):
        """The unrounded score and the shaping steps (the last family, ``final``)."""
        final = self._families[-1]
        return final.shape(self._prepared[final.name], rules, components, done)

    def totals(self, rules_or_changes=None) -> np.ndarray:
        """Unrounded final figures in the order of :attr:`people`, without building a frame.

        The fast path for Monte Carlo over weights (``evalkit.scoring.uncertainty``):
        the same numbers as :meth:`score` gives before rounding.
        """
        rules = self._rules(rules_or_changes)
        done = self._evaluate(rules)
        return self._shape(rules, component_sums(done, len(self.people)), done)[0]

    def score(self, rules_or_changes=None) -> pd.DataFrame:
        """Score under the base rules, other rules, or the base rules with changes.

        Parameters
        ----------
        rules_or_changes : Rules, str, Path or mapping, optional
            A rule set, or ``{"adoption.points.province": 80, ...}`` applied to
            the base rules with :meth:`Rules.with_changes`.

        Returns
        -------
        DataFrame
            For units: :data:`SCORE_COLUMNS`; for informants: :data:`INFORMANT_COLUMNS`
            (see :func:`score` and :func:`score_informants`).
        """
        rules = self._rules(rules_or_changes)
        done = self._evaluate(rules)
        points = np.round(component_sums(done, len(self.people)), 9) + 0.0  # no -0.0
        total, steps = self._shape(rules, points, done)
        if steps:  # what shaping added: the adjustment component
            points[:, -1] = np.round(np.sum([change for _, change in steps], axis=0), 9) + 0.0
        frame = self.people.copy()
        frame["score"] = round_half_away(total, rules["final.decimals"])
        frame["n_items"] = self._basis.n_items
        frame["n_adopted"] = self._basis.n_adopted
        frame[POINT_COLUMNS] = points
        if self.by == "unit":
            frame["vetoed"] = self._flag(done, "vetoed", any_of=True)
            frame["quota_met"] = self._flag(done, "quota_met", any_of=False)
            frame["eligible"] = ~frame["vetoed"] & ~self._flag(done, "ineligible", any_of=True)
            rank_by = rules["final.rank_by"]
            frame["rank"] = _rank(frame["score"], frame["vetoed"], pools(frame, rank_by))
            order = {"group": ["group"], "class": ["group", "class"], "all": []}[rank_by]
            frame = frame.sort_values([*order, "rank", "unit"], ignore_index=True)
            return frame[SCORE_COLUMNS]
        frame["rank"] = _rank(frame["score"], pd.Series(False, index=frame.index), None)
        frame = frame.sort_values(["rank", "informant", "unit"], ignore_index=True)
        return frame[INFORMANT_COLUMNS]

    def _flag(self, done, name: str, any_of: bool) -> np.ndarray:
        return combined_flag(done, name, len(self.people), any_of)

    def ledger(self, rules_or_changes=None, lang: str = "zh") -> pd.DataFrame:
        """Every point of every unit in the window, with the record and rule that gave it.

        See :func:`ledger`.
        """
        if self.by != "unit":
            raise ValueError("the ledger lists units' points; use by='unit'")
        if lang not in ("zh", "en"):
            raise ValueError(f'lang must be "zh" or "en", not {lang!r}')
        rules = self._rules(rules_or_changes)
        done = self._evaluate(rules)
        frames = [
            frame
            for family in self._families
            for frame in family.ledger(self._prepared[family.name], rules, done, lang)
        ]
        out = pd.concat(frames, ignore_index=True)
        out["unit"] = self.people["unit"].astype(str).to_numpy()[out["who"].to_numpy(dtype=int)]
        out["points"] = np.round(out["points"].astype(float), 9) + 0.0  # no -0.0
        out = out.sort_values(["unit", "component", "record"], kind="stable", ignore_index=True)
        return out[LEDGER_COLUMNS]


def score(dataset: Dataset, rules="default", year: int = 2025, period: Any = None) -> pd.DataFrame:
    """Score and rank every unit.

    Parameters
    ----------
    dataset : Dataset
    rules : Rules, str or Path
        A rule set or the name of a shipped one (``"default"``).
    year : int
        Calendar year scored when ``period`` is None.
    period : optional
        A month, quarter, year to date ... (see :class:`Scorer`).

    Returns
    -------
    DataFrame
        One row per unit of ``dataset.units`` (units without items score 0):
        ``unit, group, class, score, rank, vetoed, n_items, n_adopted``, the
        components ``points_submission, points_county, points_city,
        points_province, points_national, points_instruction, points_quota,
        points_lateness, points_faults, points_adjustment`` (penalties
        negative; the adjustment is what score shaping adds), ``quota_met`` and
        ``eligible`` (false when vetoed or under a sanction that withdraws
        eligibility). Under ``final.mode = "sum"`` the components add up to
        ``score`` before rounding; under ``"average"`` ``score`` is the sum of
        the others divided by ``n_items``, plus the adjustment. ``rank`` is
        within ``group`` (or as ``final.rank_by`` says; 1 best; ties share the
        better place; vetoed units after the others). Sorted by group (and
        class), rank, unit.
    """
    return Scorer(dataset, rules, year, period).score()


def ledger(
    dataset: Dataset, rules="default", year: int = 2025, period: Any = None, lang: str = "zh"
) -> pd.DataFrame:
    """List every point behind :func:`score`, one row per record and rule.

    Returns
    -------
    DataFrame
        ``unit, record, rule, points, detail``: ``record`` is a submission id,
        a quota period (``"2025-03"``), a fault (``"fault:12"``), a sanction
        (``"sanction[0]"``) or ``"score"`` for a shaping step; ``rule`` the key
        of the rules that gave the points (``"adoption.points.city"``,
        ``"adoption.outlets.city.专报"``, ``"quota[0].base_points"``,
        ``"faults.points.false"``, ``"faults.void"``, ``"sanction[1].action"``,
        ``"final.part[0].floor"``, ``"final.scale"`` ...); ``detail`` explains it (Chinese, or
        English with ``lang="en"``). Per unit, ``points`` sum to the score's
        components (to the score itself under ``final.mode = "sum"``). Sorted
        by unit, component, record.
    """
    return Scorer(dataset, rules, year, period).ledger(lang=lang)


def score_informants(
    dataset: Dataset, rules="default", year: int = 2025, period: Any = None
) -> pd.DataFrame:
    """Score and rank every informant (信息员) on the items they wrote.

    An informant earns their items' submission, adoption, instruction and
    lateness points as if the item were their unit's alone, shared among
    co-authors as ``informants.joint`` says (``"split"``: 1/n each). Quotas and
    faults are units' matters: those columns are 0.

    Returns
    -------
    DataFrame
        ``informant, unit, group, score, rank, n_items, n_adopted`` and the
        ``points_*`` components; one row per (informant, unit); ``rank`` over
        all informants (1 best, ties share the better place); sorted by rank,
        informant, unit.
    """
    return Scorer(dataset, rules, year, period, by="informant").score()
