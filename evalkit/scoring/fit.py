"""Do the rules mean what they say for this data? Every value a rules file names must exist.

A rules file names groups and classes (``[[quota]]``, ``[[awards.units]]``), outlets
(``[adoption.outlets.<level>]``) and categories. The schema checks their form; only the
data can tell whether they exist. A group spelled 乡镇 where the units file says 乡镇组
matches no unit, so its quota points and awards silently vanish: that is an error, with
the closest names in the data. An outlet or category with no row in the data changes
nothing today and is a warning, unless a very close spelling exists at that level in
the data (a typo that prices those adoptions at the level's points): then it is an error.

>>> import evalkit
>>> from evalkit.scoring.rules import load_rules
>>> ds = evalkit.load("data/sample")
>>> rules_data_issues(ds, load_rules("default")).empty
True
>>> rules = load_rules("default").with_changes({"quota[0].group": "乡镇"})
>>> print(rules_data_issues(ds, rules)["message"].iloc[0])
group "乡镇" names no unit in the data: its quota applies to no unit; closest: 乡镇组
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pandas as pd

from evalkit.data import Dataset
from evalkit.data._io import header_key
from evalkit.scoring.rules import CATEGORIES, Rules

__all__ = ["RULE_ISSUE_COLUMNS", "rules_data_issues"]

RULE_ISSUE_COLUMNS = ["severity", "key", "value", "message"]
CLOSE = 0.5  # difflib ratio from which a name in the data is shown as a suggestion
TYPO = 0.75  # ... and from which an outlet missing from the data is taken for a typo of it


def _closest(name: str, known: Iterable[str], cutoff: float = CLOSE) -> list[str]:
    return difflib.get_close_matches(name, sorted(set(known)), n=3, cutoff=cutoff)


def _names(values: pd.Series) -> list[str]:
    return sorted({str(v) for v in values.dropna().astype(str) if v.strip()})


def rules_data_issues(dataset: Dataset, rules: Rules) -> pd.DataFrame:
    """Values named in ``rules`` that the data does not have, one row each.

    Returns
    -------
    DataFrame
        ``severity`` (error or warning), ``key`` (the rules key path, e.g.
        ``quota[0].group``), ``value`` and ``message`` (what it means and the
        closest names in the data). Empty when everything named exists.
    """
    rows: list[dict] = []

    def add(severity: str, key: str, value: str, message: str) -> None:
        rows.append({"severity": severity, "key": key, "value": value, "message": message})

    groups = _names(dataset.units["group"])
    classes = _names(dataset.units["class"]) if "class" in dataset.units else []
    classes = [c for c in classes if c not in ("nan", "<NA>", "None")]

    def check_name(key: str, value, known: list[str], what: str, effect: str) -> None:
        if value is None or value in known:
            return
        close = _closest(value, known)
        hint = (
            f"closest: {'、'.join(close)}"
            if close
            else f"the data has: {'、'.join(known) or 'none'}"
        )
        add("error", key, value, f'{what} "{value}" names no unit in the data: {effect}; {hint}')

    for i, quota in enumerate(rules["quota"]):
        check_name(
            f"quota[{i}].group", quota["group"], groups, "group", "its quota applies to no unit"
        )
        check_name(
            f"quota[{i}].class", quota["class"], classes, "class", "its quota applies to no unit"
        )
    for kind in ("units", "informants"):
        for i, award in enumerate(rules[f"awards.{kind}"]):
            check_name(
                f"awards.{kind}[{i}].group",
                award["group"],
                groups,
                "group",
                f"its {len(award['tiers'])} award tiers go to nobody",
            )

    adoptions = dataset.adoptions
    levels_of = (
        adoptions.groupby("outlet", observed=True)["level"].unique() if len(adoptions) else {}
    )
    for level, outlets in rules["adoption.outlets"].items():
        in_data = _names(adoptions.loc[adoptions["level"] == level, "outlet"])
        for name in outlets:
            if name in in_data:
                continue
            key = f"adoption.outlets.{level}.{name}"
            same = [n for n in in_data if header_key(n) == header_key(name)]
            typo = same or _closest(name, in_data, TYPO)
            if typo:
                add(
                    "error",
                    key,
                    name,
                    f'outlet "{name}" has no {level} adoption in the data, '
                    f'but "{typo[0]}" has: a typo? Those adoptions earn the level\'s points, '
                    "not the outlet's; spell it as the data does",
                )
                continue
            elsewhere = [str(v) for v in levels_of.get(name, [])] if len(adoptions) else []
            where = f" (it appears at {'、'.join(elsewhere)} level)" if elsewhere else ""
            close = _closest(name, in_data)
            hint = f"; closest at {level} level: {'、'.join(close)}" if close else ""
            add(
                "warning",
                key,
                name,
                f'outlet "{name}" has no {level} adoption in the data'
                f"{where}: its points apply to none{hint}",
            )

    present = set(dataset.submissions["category"].dropna().astype(str))
    defaults = Rules.from_dict({"schema_version": 1, "name": "defaults"})
    for section in ("adoption.category_factor", "instruction.category_factor"):
        for category in CATEGORIES:
            key = f"{section}.{category}"
            if category not in present and rules[key] != defaults[key]:
                add(
                    "warning",
                    key,
                    category,
                    f"no {category} item in the data (the factor applies to none)",
                )
    return pd.DataFrame(rows, columns=RULE_ISSUE_COLUMNS)
