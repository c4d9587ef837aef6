"""Score and rank units and informants under a rule set, with a ledger of every point.

One engine, :class:`Scorer`, does the work. It prepares, once per dataset and
window, everything that does not depend on the rules' numbers (which unit gets
which item, the level, outlet, type and category of each adoption, the monthly
item counts, the lags) as numpy arrays; scoring under a rule set is then a few
vectorised passes over those arrays, fast enough for a slider (well under
50 ms at 100,000 items). :func:`score`, :func:`ledger` and
:func:`score_informants` are thin wrappers; :func:`score` is the per-unit sum of
the same per-record points that :func:`ledger` lists, so the two always agree.

The conventions (windows, highest-only, caps, quotas, lateness, ranks) are
documented in ``docs/rules.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from evalkit.data._dataset import Dataset
from evalkit.data._schema import ENUMS
from evalkit.metrics import resolve_period
from evalkit.scoring.rules import (
    ADOPTION_TYPES,
    CATEGORIES,
    FAULT_KINDS,
    LEVELS,
    Rules,
    _late_mask,
    load_rules,
)

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

COMPONENTS = ("submission", *LEVELS, "instruction", "quota", "lateness", "faults")
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
_PERIODS = {"month": (12, "M"), "quarter": (4, "Q"), "year": (1, "Y")}


def _codes(values, categories) -> np.ndarray:
    return pd.Categorical(values, categories=categories).codes.astype(np.int64)


def _times(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="datetime64[ns]")


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """Boolean: row starts a new run of equal keys (rows already sorted by the keys)."""
    n = len(keys[0])
    first = np.zeros(n, dtype=bool)
    if n:
        first[0] = True
        for key in keys:
            first[1:] |= key[1:] != key[:-1]
    return first


def _positions(index: pd.Index, ids) -> np.ndarray:
    """Row of each id in ``index`` (-1 when absent); no hashing when ids run in index order."""
    ids = np.asarray(ids, dtype=object)
    starts = _group_starts(ids)
    if starts.sum() == len(index) and np.array_equal(ids[starts], index.to_numpy()):
        return np.cumsum(starts) - 1
    return index.get_indexer(ids)


def _within_group_cumsum(values: np.ndarray, group_id: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    before = (total - values)[np.flatnonzero(_group_starts(group_id))]
    return total - before[group_id - group_id[0]] if len(values) else total


def _capped(values: np.ndarray, group_id: np.ndarray, cap: float | None) -> np.ndarray:
    """Credit each row what it adds under a running cap per group (rows in time order)."""
    if cap is None or not len(values):
        return values
    running = _within_group_cumsum(values, group_id)
    return _under_cap(values, running, cap)


def _under_cap(values: np.ndarray, running: np.ndarray, cap: float) -> np.ndarray:
    """What each value adds to a running total capped at ``cap`` (exactly ``values`` below it)."""
    before = running - values
    return np.where(running <= cap, values, np.clip(cap - before, 0.0, None))


def _round(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round half away from zero (四舍五入), tolerant of binary noise such as 2.675."""
    factor = 10.0**decimals
    return np.sign(x) * np.floor(np.abs(x) * factor + 0.5 + 1e-9) / factor


def _rank(score: pd.Series, vetoed: pd.Series, by: pd.Series | None) -> pd.Series:
    """Competition ranks (1, 2, 2, 4), best first; vetoed after everyone not vetoed."""
    spread = float(score.max() - score.min()) + 1.0 if len(score) else 1.0
    key = score - vetoed.astype(float) * spread * 2
    ranked = key.groupby(by, observed=True) if by is not None else key
    return ranked.rank(method="min", ascending=False).astype(np.int64)


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
        self._prepare_people(dataset)
        self._prepare_items(dataset)
        self._prepare_adoptions(dataset)
        self._prepare_quota_counts(dataset)
        self._prepare_faults(dataset)

    # ------------------------------------------------------------------ preparation
    def _in_window(self, times: np.ndarray) -> np.ndarray:
        start, end = np.datetime64(self.span.start, "ns"), np.datetime64(self.span.end, "ns")
        return (times >= start) & (times < end)

    def _prepare_people(self, ds: Dataset) -> None:
        units = ds.units.reset_index(drop=True)
        if self.by == "unit":
            people = units[["unit", "group", "class"]].copy()
            credits = ds.submission_units.rename(columns={"n_units": "n"})
            keys = ["unit"]
        else:
            credits = ds.submission_informants.rename(columns={"n_informants": "n"})
            keys = ["informant", "unit"]
            people = credits[keys].drop_duplicates().sort_values(keys, ignore_index=True)
            people = people.merge(units[["unit", "group"]], on="unit", how="left")
        self.people = people.reset_index(drop=True)
        index = pd.MultiIndex.from_frame(self.people[keys].astype(str))
        self._ben = index.get_indexer(pd.MultiIndex.from_frame(credits[keys].astype(str)))
        self._credits = credits
        self._unit_quota = units["quota"].to_numpy(dtype=float, na_value=np.nan)
        self._unit_group = units["group"].astype(str).to_numpy()
        self._unit_class = units["class"].astype(str).where(units["class"].notna(), "").to_numpy()
        self._unit_index = pd.Index(units["unit"].astype(str))

    def _prepare_items(self, ds: Dataset) -> None:
        subs = ds.submissions.reset_index(drop=True)
        self._sub_ids = subs["submission_id"].to_numpy(dtype=object)
        self._sub_index = pd.Index(self._sub_ids, dtype=object)  # one hash table, kept
        self._sub_cat = np.maximum(_codes(subs["category"], CATEGORIES), 0)
        at = _times(subs["submitted_at"])
        self._sub_at, self._sub_in = at, self._in_window(at)
        lag = (subs["submitted_at"] - subs["event_at"]) / pd.Timedelta(hours=1)
        self._lag = lag.to_numpy(dtype=float, na_value=np.nan)
        self._past_due = (subs["submitted_at"] > subs["due_at"]).to_numpy(dtype=bool)
        # credit rows: one per (item, person); sorted by person, year, time, id for running caps
        sub = _positions(self._sub_index, self._credits["submission_id"])
        ok = (sub >= 0) & (self._ben >= 0)
        sub, ben, n = sub[ok], self._ben[ok], self._credits["n"].to_numpy(dtype=float)[ok]
        by_id = np.argsort(self._sub_ids, kind="stable")
        by_time = by_id[np.argsort(at[by_id], kind="stable")]
        time_rank = np.empty(len(at), dtype=np.int64)
        time_rank[by_time] = np.arange(len(at))
        order = np.argsort(ben * max(len(at), 1) + time_rank[sub], kind="stable")
        year = at.astype("datetime64[Y]").astype(np.int64)[sub]
        self._c_sub, self._c_ben, self._c_n = sub[order], ben[order], n[order]
        # credit rows grouped by item (stable), for joining adoptions to their credits
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        self._c_by_item = position[np.argsort(sub, kind="stable")]
        self._c_capgroup = np.cumsum(_group_starts(self._c_ben, year[order])) - 1
        self._c_in = self._sub_in[self._c_sub]

    def _prepare_adoptions(self, ds: Dataset) -> None:
        ad = ds.adoptions.reset_index(drop=True)
        sub = self._sub_index.get_indexer(ad["submission_id"].to_numpy(dtype=object))
        outlet = ad["outlet"].astype("string").str.strip()
        level = _codes(ad["level"], LEVELS)
        ok = (sub >= 0) & (level >= 0)
        pairs = pd.DataFrame({"level": np.asarray(LEVELS)[np.maximum(level, 0)], "outlet": outlet})
        pairs = pairs[outlet.notna().to_numpy() & ok]
        self._outlets = pairs.drop_duplicates().sort_values(["level", "outlet"], ignore_index=True)
        names = pd.Index(self._outlets["outlet"].unique(), dtype=object)
        width = len(names) + 1  # outlet 0 is "none"
        pair_key = (
            _codes(self._outlets["level"], LEVELS) * width
            + 1
            + names.get_indexer(self._outlets["outlet"])
        )
        row_key = (
            np.maximum(level, 0) * width
            + 1
            + names.get_indexer(outlet.to_numpy(dtype=object, na_value=None))
        )
        okey = pd.Index(pair_key).get_indexer(row_key)
        adopt_type = np.maximum(_codes(ad["adoption_type"], ADOPTION_TYPES), 0)
        at = _times(ad["adopted_at"])
        outlet_rank = _codes(outlet, sorted(outlet.dropna().unique()))
        order = np.lexsort((ad["adoption_id"].to_numpy(), outlet_rank, adopt_type, level, at, sub))
        order = order[ok[order]]
        self._a_sub, self._a_level, self._a_okey = sub[order], level[order], okey[order]
        self._a_type, self._a_at = adopt_type[order], at[order]
        self._a_instr = _codes(ad["instruction_level"], ENUMS["instruction_level"].values)[order]
        self._a_cat = self._sub_cat[self._a_sub]
        self._a_outlet = outlet.to_numpy(dtype=object, na_value=None)[order]
        self._a_first = _group_starts(self._a_sub)
        self._a_in = self._in_window(self._a_at)
        # adoption credit rows: one per (adoption, person of its item)
        by_item = self._c_by_item
        first = np.searchsorted(self._c_sub[by_item], self._a_sub, "left")
        count = np.searchsorted(self._c_sub[by_item], self._a_sub, "right") - first
        j = np.repeat(np.arange(len(self._a_sub)), count)
        offset = np.arange(len(j)) - np.repeat(np.cumsum(count) - count, count)
        i = by_item[np.repeat(first, count) + offset]
        pair = np.argsort(i * max(len(self._a_sub), 1) + j)
        self._ac_j, self._ac_i = j[pair], i[pair]
        self._ac_ben = self._c_ben[self._ac_i]
        self._ac_in = self._a_in[self._ac_j]
        n_people = len(self.people)
        adopted = np.zeros(
            len(self._c_sub), dtype=bool
        )  # credit rows with an adoption in the window
        adopted[self._ac_i[self._ac_in]] = True
        self._n_adopted = np.bincount(self._c_ben[adopted], minlength=n_people)
        self._n_items = np.bincount(self._c_ben[self._c_in], minlength=n_people)

    def _prepare_quota_counts(self, ds: Dataset) -> None:
        """Items per unit per calendar month, from January of the window's first year."""
        self._first_year = self.span.start.year
        last_year = (self.span.end - pd.Timedelta(1)).year
        n_months = 12 * (last_year - self._first_year + 1)
        self._month_starts = pd.date_range(
            f"{self._first_year}-01-01", periods=n_months + 1, freq="MS"
        )
        at = self._sub_at[self._c_sub].astype("datetime64[M]").astype(np.int64)
        month = at - (self._first_year - 1970) * 12
        ok = (
            (month >= 0)
            & (month < n_months)
            & (self._sub_at[self._c_sub] < np.datetime64(self.span.end, "ns"))
        )
        cell = self._c_ben[ok] * n_months + month[ok]
        self._counts = np.bincount(cell, minlength=len(self.people) * n_months).reshape(
            -1, n_months
        )

    def _prepare_faults(self, ds: Dataset) -> None:
        faults = ds.faults.reset_index(drop=True)
        unit = self._unit_index.get_indexer(faults["unit"].astype(str))
        ok = (unit >= 0) if self.by == "unit" else np.zeros(len(faults), dtype=bool)
        self._f_unit, self._f_kind = unit[ok], _codes(faults["kind"], FAULT_KINDS)[ok]
        self._f_in = self._in_window(_times(faults["occurred_at"]))[ok]
        self._f_id = faults["fault_id"].astype(str).to_numpy()[ok]
        self._f_sub = (
            faults["submission_id"].astype("string").to_numpy(dtype=object, na_value=None)[ok]
        )

    # ------------------------------------------------------------------ evaluation
    def _rules(self, rules_or_changes) -> Rules:
        if rules_or_changes is None:
            return self.rules
        if isinstance(rules_or_changes, Mapping):
            return self.rules.with_changes(rules_or_changes)
        return load_rules(rules_or_changes)

    def _evaluate(self, rules: Rules) -> dict[str, np.ndarray]:
        """Points of every record under ``rules`` (all time; window masks applied later)."""
        joint = rules["informants.joint"] if self.by == "informant" else rules["adoption.joint"]
        share = np.ones_like(self._c_n) if joint == "full" else 1.0 / self._c_n
        raw = rules["submission.points"] * share
        submission = _capped(raw, self._c_capgroup, rules["submission.cap"])

        level_points = np.array([rules[f"adoption.points.{lv}"] for lv in LEVELS])
        outlets = rules["adoption.outlets"]
        outlet_points = np.array(
            [
                outlets.get(lv, {}).get(name, level_points[LEVELS.index(lv)])
                for lv, name in zip(self._outlets["level"], self._outlets["outlet"], strict=True)
            ]
            + [0.0]
        )
        base = np.where(self._a_okey >= 0, outlet_points[self._a_okey], level_points[self._a_level])
        type_factor = np.array(list(rules["adoption.type_factor"].values()))
        category_factor = np.array(list(rules["adoption.category_factor"].values()))
        item_points = base * type_factor[self._a_type] * category_factor[self._a_cat]
        credited = item_points
        if rules["adoption.mode"] == "highest" and len(item_points):
            group = np.cumsum(self._a_first) - 1
            best = pd.Series(item_points).groupby(group).cummax().to_numpy()
            before = np.where(self._a_first, 0.0, np.r_[0.0, best[:-1]])
            credited = best - before
        instr_points = np.r_[[rules[f"instruction.points.{lv}"] for lv in LEVELS], 0.0]
        instr_factor = np.array(list(rules["instruction.category_factor"].values()))
        instruction = instr_points[self._a_instr] * instr_factor[self._a_cat]

        ac_share = share[self._ac_i]
        adoption_c = credited[self._ac_j] * ac_share
        instruction_c = instruction[self._ac_j] * ac_share

        late = _late_mask(self._sub_cat, self._lag, self._past_due, rules)
        c_late, ac_late = late[self._c_sub], late[self._a_sub[self._ac_j]]
        fraction, fixed = rules["lateness.fraction"], rules["lateness.points"]
        fault_points = np.array([rules[f"faults.points.{k}"] for k in FAULT_KINDS])
        veto = np.isin(np.asarray(FAULT_KINDS), rules["faults.veto"])
        return {
            "share": share,
            "submission": submission,
            "submission_raw": raw,
            "adoption_base": base,
            "adoption_item": item_points,
            "adoption_credited": credited,
            "adoption": adoption_c,
            "instruction": instruction_c,
            "late_submission": -fraction * submission * c_late,
            "late_fixed": -fixed * share * c_late,
            "late_adoption": -fraction * (adoption_c + instruction_c) * ac_late,
            "fault": -fault_points[self._f_kind],
            "veto": veto[self._f_kind],
            **self._quota(rules),
        }

    def _quota(self, rules: Rules) -> dict[str, np.ndarray]:
        """Quota rows (unit x judged period) and each unit's quota_met flag."""
        n = len(self.people)
        met_all = np.ones(n, dtype=bool)
        columns = {
            k: [] for k in ("q_unit", "q_period", "q_points", "q_count", "q_min", "q_met", "q_rule")
        }
        rule_of = np.full(n, -1)
        quota = rules["quota"] if self.by == "unit" else ()
        for i, q in enumerate(quota):
            match = rule_of == -1
            if q["group"] is not None:
                match &= self._unit_group == q["group"]
            if q["class"] is not None:
                match &= self._unit_class == q["class"]
            rule_of[match] = i
        start, end = self.span.start, self.span.end
        for i, q in enumerate(quota):
            per_year, freq = _PERIODS[q["period"]]
            width = 12 // per_year
            minimum = np.full(n, np.nan if q["min_items"] is None else float(q["min_items"]))
            if q["unit_quota"]:
                has = ~np.isnan(self._unit_quota)
                minimum[has] = np.ceil(self._unit_quota[has] / per_year)
            units = np.flatnonzero((rule_of == i) & ~np.isnan(minimum))
            if not len(units):
                continue
            counts = self._counts[units].reshape(len(units), -1, width).sum(axis=2)
            starts = self._month_starts[::width]
            judged = (starts[:-1] >= start) & (starts[1:] <= end)
            met = counts >= minimum[units, None]
            base = np.where(met, q["base_points"], 0.0)
            if q["cap"] is not None:
                yearly = base.reshape(len(units), -1, per_year)
                running = yearly.cumsum(axis=2)
                capped = _under_cap(yearly, running, q["cap"])
                base = capped.reshape(base.shape)
            points = base - np.where(met, 0.0, q["penalty"])
            rows, cols = np.nonzero(np.broadcast_to(judged, counts.shape))
            labels = pd.period_range(f"{self._first_year}-01", periods=counts.shape[1], freq=freq)
            due = np.broadcast_to(minimum[units, None], counts.shape)
            met_all[units] = (counts * judged).sum(axis=1) >= (due * judged).sum(axis=1)
            columns["q_unit"].append(units[rows])
            columns["q_period"].append(labels.astype(str).to_numpy()[cols])
            columns["q_points"].append(points[rows, cols])
            columns["q_count"].append(counts[rows, cols])
            columns["q_min"].append(minimum[units][rows])
            columns["q_met"].append(met[rows, cols])
            columns["q_rule"].append(np.full(len(rows), i))
        out = {k: (np.concatenate(v) if v else np.array([])) for k, v in columns.items()}
        for key, dtype in (("q_unit", np.int64), ("q_rule", np.int64), ("q_met", bool)):
            out[key] = out[key].astype(dtype)
        return out | {"quota_met": met_all}

    # ------------------------------------------------------------------ results
    def _components(self, p: dict[str, np.ndarray]) -> np.ndarray:
        """Per person x component sums over the window, shape (people, len(COMPONENTS))."""
        n = len(self.people)
        c_in, ac_in = self._c_in, self._ac_in
        by_level = np.bincount(
            self._ac_ben * len(LEVELS) + self._a_level[self._ac_j],
            weights=p["adoption"] * ac_in,
            minlength=n * len(LEVELS),
        ).reshape(n, len(LEVELS))
        lateness = np.bincount(
            self._c_ben, weights=(p["late_submission"] + p["late_fixed"]) * c_in, minlength=n
        ) + np.bincount(self._ac_ben, weights=p["late_adoption"] * ac_in, minlength=n)
        return np.column_stack(
            [
                np.bincount(self._c_ben, weights=p["submission"] * c_in, minlength=n),
                by_level,
                np.bincount(self._ac_ben, weights=p["instruction"] * ac_in, minlength=n),
                np.bincount(p["q_unit"], weights=p["q_points"], minlength=n),
                lateness,
                np.bincount(self._f_unit, weights=p["fault"] * self._f_in, minlength=n),
            ]
        )

    def _final(self, points: np.ndarray, rules: Rules) -> np.ndarray:
        total = points.sum(axis=1)
        if rules["final.mode"] == "average":
            total = np.divide(
                total, self._n_items, out=np.zeros_like(total), where=self._n_items > 0
            )
        return total

    def totals(self, rules_or_changes=None) -> np.ndarray:
        """Unrounded final figures in the order of :attr:`people`, without building a frame.

        The fast path for Monte Carlo over weights (``evalkit.scoring.uncertainty``):
        the same numbers as :meth:`score` gives before rounding.
        """
        rules = self._rules(rules_or_changes)
        return self._final(self._components(self._evaluate(rules)), rules)

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
        p = self._evaluate(rules)
        points = np.round(self._components(p), 9) + 0.0  # no -0.0
        total = self._final(points, rules)
        frame = self.people.copy()
        frame["score"] = _round(total, rules["final.decimals"])
        frame["n_items"] = self._n_items
        frame["n_adopted"] = self._n_adopted
        frame[POINT_COLUMNS] = points
        if self.by == "unit":
            vetoed = (
                np.bincount(self._f_unit, weights=p["veto"] & self._f_in, minlength=len(frame)) > 0
            )
            frame["vetoed"] = vetoed
            frame["quota_met"] = p["quota_met"]
            frame["rank"] = _rank(frame["score"], frame["vetoed"], frame["group"])
            frame = frame.sort_values(["group", "rank", "unit"], ignore_index=True)
            return frame[SCORE_COLUMNS]
        frame["rank"] = _rank(frame["score"], pd.Series(False, index=frame.index), None)
        frame = frame.sort_values(["rank", "informant", "unit"], ignore_index=True)
        return frame[INFORMANT_COLUMNS]

    def ledger(self, rules_or_changes=None, lang: str = "zh") -> pd.DataFrame:
        """Every point of every unit in the window, with the record and rule that gave it.

        See :func:`ledger`.
        """
        if self.by != "unit":
            raise ValueError("the ledger lists units' points; use by='unit'")
        rules = self._rules(rules_or_changes)
        return _ledger_rows(self, rules, self._evaluate(rules), lang)


# ---------------------------------------------------------------------- ledger text
_WORDS = {
    "zh": {
        "submitted": "报送 {}分",
        "joint": " ×1/{}（合报）",
        "capped": "，封顶后计{}分",
        "adopted": "{}采用",
        "outlet": "《{}》",
        "base": " {}分",
        "factor": " ×{}{}",
        "highest": "，只计最高（此前已计{}分）",
        "instruction": "{}领导批示 +{}分",
        "late_fraction": "迟报：扣该项得分的{}%",
        "late_fixed": "迟报：扣{}分",
        "quota": "{}报送{}条，任务{}条，",
        "met": "完成",
        "missed": "未完成",
        "veto": "，一票否决",
    },
    "en": {
        "submitted": "submitted, {} pts",
        "joint": " x1/{} (joint)",
        "capped": ", {} after the cap",
        "adopted": "adopted, {}",
        "outlet": " in {}",
        "base": " {} pts",
        "factor": " × {} {}",
        "highest": ", highest only ({} credited before)",
        "instruction": "{} leader's instruction +{}",
        "late_fraction": "late: minus {}% of these points",
        "late_fixed": "late: minus {} pts",
        "quota": "{}: {} items submitted, {} due, ",
        "met": "met",
        "missed": "missed",
        "veto": ", veto",
    },
}


def _enum_words(enum: str, lang: str) -> np.ndarray:
    e = ENUMS[enum]
    return np.array([e.zh[v] if lang == "zh" else v for v in e.values] + [""])


def _fmt(template: str, *values) -> np.ndarray:
    """Fill a one- or two-slot template elementwise (numbers as %g)."""
    text = np.asarray(template)
    pieces = template.split("{}")
    out = np.asarray(pieces[0])
    for value, piece in zip(values, pieces[1:], strict=True):
        value = np.asarray(value)
        value = (
            np.strings.mod("%g", value.astype(float))
            if value.dtype.kind in "fiub"
            else value.astype(str)
        )
        out = np.strings.add(np.strings.add(out, value), piece)
    return out if values else text


def _when(condition, text) -> np.ndarray:
    return np.where(condition, text, "")


def _cat(*parts) -> np.ndarray:
    out = np.asarray(parts[0]).astype(str)
    for part in parts[1:]:
        out = np.strings.add(out, np.asarray(part).astype(str))
    return out


def _ledger_rows(sc: Scorer, rules: Rules, p: dict[str, np.ndarray], lang: str) -> pd.DataFrame:
    if lang not in _WORDS:
        raise ValueError(f'lang must be "zh" or "en", not {lang!r}')
    w = _WORDS[lang]
    units = sc.people["unit"].astype(str).to_numpy()
    levels = _enum_words("level", lang)
    frames = []

    def add(mask, unit, record, rule, points, detail, component):
        mask = np.asarray(mask, dtype=bool)
        frames.append(
            pd.DataFrame(
                {
                    "unit": units[np.asarray(unit)[mask]],
                    "record": np.broadcast_to(record, mask.shape)[mask],
                    "rule": np.broadcast_to(rule, mask.shape)[mask],
                    "points": np.broadcast_to(points, mask.shape)[mask],
                    "detail": np.broadcast_to(detail, mask.shape)[mask],
                    "component": component,
                }
            )
        )

    c_ids, c_split = sc._sub_ids[sc._c_sub], p["share"] < 1
    joint = _when(c_split, _fmt(w["joint"], sc._c_n))
    detail = _cat(
        _fmt(w["submitted"], rules["submission.points"] * np.ones(len(c_ids))),
        joint,
        _when(
            ~np.isclose(p["submission"], p["submission_raw"]), _fmt(w["capped"], p["submission"])
        ),
    )
    add(
        sc._c_in & (p["submission_raw"] != 0),
        sc._c_ben,
        c_ids,
        "submission.points",
        p["submission"],
        detail,
        0,
    )

    j, i = sc._ac_j, sc._ac_i
    ac_ids, level = sc._sub_ids[sc._a_sub[j]], sc._a_level[j]
    outlet = pd.Series(sc._a_outlet, dtype="string").fillna("").to_numpy(dtype=str)[j]
    named = rules["adoption.outlets"]
    has_rule = np.r_[
        [name in named.get(lv, {}) for lv, name in sc._outlets.itertuples(index=False)], False
    ].astype(bool)[sc._a_okey[j]]
    rule = np.where(
        has_rule,
        _cat("adoption.outlets.", np.asarray(LEVELS)[level], ".", outlet),
        _cat("adoption.points.", np.asarray(LEVELS)[level]),
    )
    type_factor = np.array(list(rules["adoption.type_factor"].values()))[sc._a_type[j]]
    category_factor = np.array(list(rules["adoption.category_factor"].values()))[sc._a_cat[j]]
    types, cats = _enum_words("adoption_type", lang), _enum_words("category", lang)
    item, credited = p["adoption_item"][j], p["adoption_credited"][j]
    detail = _cat(
        _fmt(w["adopted"], levels[level]),
        _when(outlet != "", _fmt(w["outlet"], outlet)),
        _fmt(w["base"], p["adoption_base"][j]),
        _when(type_factor != 1, _fmt(w["factor"], types[sc._a_type[j]], type_factor)),
        _when(category_factor != 1, _fmt(w["factor"], cats[sc._a_cat[j]], category_factor)),
        joint[i],
        _when(~np.isclose(credited, item), _fmt(w["highest"], item - credited)),
    )
    for component, lv in enumerate(LEVELS, start=1):
        add(
            sc._ac_in & (level == LEVELS.index(lv)),
            sc._ac_ben,
            ac_ids,
            rule,
            p["adoption"],
            detail,
            component,
        )
    instr = sc._a_instr[j]
    detail = _cat(_fmt(w["instruction"], levels[instr], p["instruction"]), joint[i])
    rule = _cat("instruction.points.", np.append(np.asarray(LEVELS), "")[instr])
    add(sc._ac_in & (instr >= 0), sc._ac_ben, ac_ids, rule, p["instruction"], detail, 5)

    percent = _fmt(w["late_fraction"], rules["lateness.fraction"] * 100 * np.ones(1))
    add(
        sc._c_in & (p["late_submission"] != 0),
        sc._c_ben,
        c_ids,
        "lateness.fraction",
        p["late_submission"],
        percent,
        7,
    )
    add(
        sc._ac_in & (p["late_adoption"] != 0),
        sc._ac_ben,
        ac_ids,
        "lateness.fraction",
        p["late_adoption"],
        percent,
        7,
    )
    fixed = _cat(_fmt(w["late_fixed"], rules["lateness.points"] * np.ones(1)), "")
    add(
        sc._c_in & (p["late_fixed"] != 0),
        sc._c_ben,
        c_ids,
        "lateness.points",
        p["late_fixed"],
        _cat(fixed, joint),
        7,
    )

    q_rule = _cat(
        "quota[", p["q_rule"].astype(str), "].", np.where(p["q_met"], "base_points", "penalty")
    )
    detail = _cat(
        _fmt(w["quota"], p["q_period"], p["q_count"], p["q_min"]),
        np.where(p["q_met"], w["met"], w["missed"]),
    )
    add(
        np.ones(len(p["q_unit"]), bool),
        p["q_unit"],
        p["q_period"],
        q_rule,
        p["q_points"],
        detail,
        6,
    )

    kinds = _enum_words("fault_kind", lang)
    about = pd.Series(sc._f_sub, dtype="string")
    about = ("（" + about + "）") if lang == "zh" else (" (" + about + ")")
    sub = about.fillna("").to_numpy(dtype=str)
    detail = _cat(kinds[sc._f_kind], _when(p["veto"], w["veto"]), sub)
    rule = _cat("faults.points.", np.asarray(FAULT_KINDS)[sc._f_kind])
    add(sc._f_in, sc._f_unit, _cat("fault:", sc._f_id), rule, p["fault"], detail, 8)

    out = pd.concat(frames, ignore_index=True)
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
        points_lateness, points_faults`` (penalties negative), and
        ``quota_met``. Under ``final.mode = "sum"`` the components add up to
        ``score`` before rounding; under ``"average"`` ``score`` is their sum
        divided by ``n_items``. ``rank`` is within ``group`` (1 best; ties
        share the better place; vetoed units after the others). Sorted by
        group, rank, unit.
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
        a quota period (``"2025-03"``) or a fault (``"fault:12"``); ``rule`` the
        key of the rules that gave the points (``"adoption.points.city"``,
        ``"adoption.outlets.city.专报"``, ``"quota[0].base_points"``,
        ``"faults.points.false"`` ...); ``detail`` explains it (Chinese, or
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
