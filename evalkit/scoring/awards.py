"""Awards as rules: advanced units (先进单位, 一/二/三等奖) and excellent informants (优秀信息员).

The award rules live in the rules file (``[[awards.units]]`` and
``[[awards.informants]]``, see ``docs/rules.md``): who is eligible (not
vetoed, not under a sanction that withdraws eligibility, quota met, enough
items, of a group or class), whether candidates compete within their group,
their class, or in one pool, and tiers that each take the next ``count`` candidates
by score, or those at or above ``min_score``. A tie at a tier's boundary is
included whole, so equal scores never get different awards.
"""

from __future__ import annotations

import pandas as pd

from evalkit.scoring.rules import Rules, load_rules

__all__ = ["AWARD_COLUMNS", "select_awards"]

AWARD_COLUMNS = ["kind", "group", "award", "unit", "informant", "score", "rank"]


def _eligible(frame: pd.DataFrame, rule: dict) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if rule.get("group") is not None:
        keep &= frame["group"].astype(str) == rule["group"]
    if rule.get("class") is not None:
        keep &= frame["class"].astype("string").fillna("").astype(str) == rule["class"]
    if rule.get("exclude_vetoed", True):
        keep &= ~frame["vetoed"].astype(bool)
    if "eligible" in frame:  # a sanction that withdraws eligibility (vetoed units: as above)
        keep &= frame["eligible"].astype(bool) | frame["vetoed"].astype(bool)
    if rule.get("require_quota", True) and "quota_met" in frame:
        keep &= frame["quota_met"].astype(bool)
    keep &= frame["n_items"] >= (rule.get("min_items") or 0)
    return frame[keep]


def _take_tiers(pool: pd.DataFrame, tiers: list[dict]) -> pd.Series:
    """The award of each candidate of one pool (NaN for none), tier by tier, ties kept together."""
    ordered = pool.sort_values("score", ascending=False, kind="stable")
    scores = ordered["score"].to_numpy()
    award = pd.Series(pd.NA, index=ordered.index, dtype="string")
    start = 0
    for tier in tiers:
        end = len(ordered)
        if tier.get("min_score") is not None:
            end = start + int((scores[start:] >= tier["min_score"]).sum())
        if tier.get("count") is not None:
            end = min(end, start + int(tier["count"]))
        if end <= start:
            continue
        # Everyone tied with the last winner wins too.
        end = start + int((scores[start:] >= scores[end - 1]).sum())
        award.iloc[start:end] = tier["award"]
        start = end
    return award


def _select(frame: pd.DataFrame, rules_list, kind: str) -> pd.DataFrame:
    found = []
    for rule in rules_list:
        candidates = _eligible(frame, rule)
        keys = [k for k, on in (("group", rule.get("per_group", True)),
                                ("class", rule.get("per_class", False))) if on]  # fmt: skip
        pools = (
            candidates.groupby(keys, observed=True, sort=False, dropna=False)
            if keys
            else [(None, candidates)]
        )
        for _, pool in pools:
            award = _take_tiers(pool, list(rule["tiers"]))
            won = pool.loc[award.dropna().index].assign(award=award.dropna(), kind=kind)
            found.append(won)
    if not found:
        return pd.DataFrame(columns=AWARD_COLUMNS)
    out = pd.concat(found, ignore_index=True)
    return out.drop_duplicates(subset=[c for c in ("unit", "informant") if c in out], keep="first")


def _unit_flag(own_unit: pd.Series, status: pd.DataFrame, column: str, default: bool) -> pd.Series:
    """The unit's flag ``column`` for each informant (``default`` where the unit has none).

    Through the nullable boolean type: a flag missing from ``status`` maps to float NaN,
    which pandas will no longer fill with a bool.
    """
    if column not in status:
        return pd.Series(default, index=own_unit.index, dtype=bool)
    return own_unit.map(status[column]).astype("boolean").fillna(default).astype(bool)


def select_awards(
    unit_scores: pd.DataFrame,
    rules: Rules | str = "default",
    informant_scores: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Choose the commended units and informants under the rules' award tiers.

    Parameters
    ----------
    unit_scores : DataFrame
        The output of :func:`evalkit.scoring.scorer.score`.
    rules : Rules or str
        The rule set whose ``awards`` section applies.
    informant_scores : DataFrame, optional
        The output of :func:`evalkit.scoring.scorer.score_informants`; an informant
        is eligible only when their unit is (not vetoed, not under a sanction that
        withdraws eligibility, quota met) and has their unit's class.

    Returns
    -------
    DataFrame
        ``kind`` ("unit" or "informant"), ``group``, ``award``, ``unit``,
        ``informant``, ``score``, ``rank``; units first, then informants, each
        in award-rule order and by score.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"unit": ["甲", "乙", "丙"], "group": "乡镇组", "score": [9.0, 7.0, 7.0],
    ...                        "rank": [1, 2, 2], "vetoed": False, "n_items": 10, "quota_met": True})
    >>> rules = load_rules("default").with_changes(
    ...     {"awards.units": [{"group": "乡镇组", "tiers": [{"award": "先进单位", "count": 2}]}]})
    >>> select_awards(scores, rules)["unit"].tolist()
    ['甲', '乙', '丙']
    """
    rules = load_rules(rules)
    units = _select(unit_scores.assign(informant=pd.NA), rules["awards.units"] or (), "unit")
    parts = [units]
    if informant_scores is not None and len(informant_scores):
        status = unit_scores.set_index("unit")
        own_unit = informant_scores["unit"]
        people = informant_scores.assign(
            vetoed=_unit_flag(own_unit, status, "vetoed", False),
            eligible=_unit_flag(own_unit, status, "eligible", True),
            **{"class": own_unit.map(status["class"]) if "class" in status else pd.NA},
            quota_met=_unit_flag(own_unit, status, "quota_met", True),
        )
        parts.append(_select(people, rules["awards.informants"] or (), "informant"))
    out = pd.concat(
        [p for p in parts if len(p)] or [pd.DataFrame(columns=AWARD_COLUMNS)], ignore_index=True
    )
    return out[AWARD_COLUMNS].reset_index(drop=True)
