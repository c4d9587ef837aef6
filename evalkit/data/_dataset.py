"""The Dataset: the typed, validated tables that every later stage reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.data._schema import ENUMS

# A year holds a real share of the data when it has at least this fraction of the
# submissions of the busiest year (a few stray rows dated 2052 or 1900 do not).
REAL_SHARE = 0.1
# Years further apart than this from the busiest one are not part of its run of years.
YEAR_GAP = 2

ISSUE_COLUMNS = ["severity", "table", "file", "row", "column", "value", "message"]
COUNT_COLUMNS = ["table", "file", "rows_read", "loaded", "rejected", "blank_rows"]


def main_years(years: pd.Series) -> list[int]:
    """The years that hold a real share of the data, ascending.

    Starting from the busiest year, the run of years each holding at least
    :data:`REAL_SHARE` of the busiest year's rows, none more than :data:`YEAR_GAP`
    years from the next: a year typo (2052, 1900) is left out even when the data is
    small, and a year holding a single stray row never counts.

    >>> main_years(pd.Series([2025] * 9 + [2024] * 4 + [2052, 1900]))
    [2024, 2025]
    """
    counts = pd.Series(years).dropna().astype(int).value_counts()
    if counts.empty:
        return []
    real = counts[counts >= REAL_SHARE * counts.max()]
    busiest = int(real[real == real.max()].index.min())
    run = [busiest]
    for step in (-1, 1):
        year = busiest
        while True:
            near = [y for y in real.index if 0 < (y - year) * step <= YEAR_GAP]
            if not near:
                break
            year = min(near, key=lambda y: abs(y - year))
            run.append(int(year))
    return sorted(run)


def instructions_of_adoptions(adoptions: pd.DataFrame) -> pd.DataFrame:
    """One instruction record per adoption with an ``instruction_level`` (a Dataset built by hand)."""
    if "instruction_level" not in adoptions:  # a frame made by hand without instructions
        adoptions = pd.DataFrame(columns=["submission_id", "adoption_id", "instruction_level",
                                          "instructed_by", "adopted_at"])  # fmt: skip
    has = adoptions[adoptions["instruction_level"].notna()]
    leader_level = ENUMS["leader_level"]
    return pd.DataFrame(
        {
            "instruction_id": np.arange(len(has), dtype="int64"),
            "submission_id": has["submission_id"].astype("str").to_numpy(),
            "adoption_id": pd.array(has["adoption_id"].to_numpy(), dtype="Int64"),
            "leader_level": pd.Categorical(
                has["instruction_level"].astype("object"),
                categories=leader_level.values,
                ordered=leader_level.ordered,
            ),
            "leader": has.get("instructed_by", pd.Series(pd.NA, index=has.index))
            .astype("string")
            .to_numpy(),
            "instructed_at": has["adopted_at"].to_numpy(dtype="datetime64[ns]"),
            "kind": pd.Categorical(
                ["affirmative"] * len(has), categories=ENUMS["instruction_kind"].values
            ),
            "source": "adoptions",
            "row": pd.array([pd.NA] * len(has), dtype="Int64"),
        }
    )


@dataclass
class Dataset:
    """Validated records of one data folder.

    Attributes
    ----------
    units : DataFrame
        ``unit``, ``group``, ``class``, ``aliases``, ``quota``; one row per unit.
    submissions : DataFrame
        ``submission_id``, ``title``, ``category``, ``event_at``, ``submitted_at``,
        ``due_at``, ``units`` (canonical names joined by 、), ``n_units``,
        ``informants`` (joined by 、), ``lead_unit``.
    submission_units : DataFrame
        Long form of the units of each item: ``submission_id``, ``unit``,
        ``n_units``, ``position`` (0 for the lead unit). A joint item has several rows.
    submission_informants : DataFrame
        ``submission_id``, ``informant``, ``unit`` (the item's lead unit), ``n_informants``.
    adoptions : DataFrame
        ``adoption_id`` (0..n-1 in input order), ``submission_id``, ``level``
        (ordered categorical county < city < province < national), ``outlet``,
        ``adoption_type``, ``adopted_at``, ``instruction_level``, ``instructed_by``.
    faults : DataFrame
        ``fault_id``, ``unit``, ``kind``, ``occurred_at``, ``submission_id``, ``note``.
    instructions : DataFrame
        Leader instructions (批示), one row per leader: ``instruction_id``,
        ``submission_id``, ``adoption_id`` (the adoption instructed on; <NA> when
        the item has none), ``leader_level`` (county, city_office, city_secretary,
        city, province_office, province_secretary, province, national),
        ``leader``, ``instructed_at``, ``kind`` (affirmative or directive),
        ``source`` (the table it came from: ``instructions`` or ``adoptions``) and
        ``row`` there. When not given, made from the adoptions' ``instruction_level``.
    forwardings : DataFrame
        Items the office forwarded upward (转报): ``forwarding_id``,
        ``submission_id``, ``to_level`` (city, province, national),
        ``forwarded_at``, ``source``, ``row``.
    issues : DataFrame
        Every problem found: ``severity`` (error or warning), ``table``, ``file``,
        ``row`` (as Excel or a text editor numbers it), ``column``, ``value``, ``message``.
    rejected : DataFrame
        The input rows that were not loaded, one per row, with the reason:
        ``table``, ``file``, ``row``, ``reason``.
    counts : DataFrame
        Reconciliation per file: ``rows_read`` (every row below the header) =
        ``loaded`` + ``rejected`` + ``blank_rows`` (blank rows are not records).
    aliases : DataFrame
        ``alias`` -> ``unit`` for former names and aliases.
    """

    units: pd.DataFrame
    submissions: pd.DataFrame
    submission_units: pd.DataFrame
    submission_informants: pd.DataFrame
    adoptions: pd.DataFrame
    faults: pd.DataFrame
    instructions: pd.DataFrame | None = None
    forwardings: pd.DataFrame | None = None
    issues: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ISSUE_COLUMNS))
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["table", "file", "row", "reason"])
    )
    counts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COUNT_COLUMNS))
    aliases: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["alias", "unit"]))
    folder: Path | None = None

    def __post_init__(self) -> None:
        if self.instructions is None:
            self.instructions = instructions_of_adoptions(self.adoptions)
        if self.forwardings is None:
            self.forwardings = pd.DataFrame(
                {
                    "forwarding_id": pd.Series(dtype="int64"),
                    "submission_id": pd.Series(dtype="str"),
                    "to_level": pd.Categorical([], categories=ENUMS["forward_level"].values),
                    "forwarded_at": pd.Series(dtype="datetime64[ns]"),
                    "source": pd.Series(dtype="str"),
                    "row": pd.Series(dtype="Int64"),
                }
            )

    @property
    def errors(self) -> pd.DataFrame:
        """The issues of severity ``error``."""
        return self.issues[self.issues["severity"] == "error"].reset_index(drop=True)

    @property
    def warnings(self) -> pd.DataFrame:
        """The issues of severity ``warning``."""
        return self.issues[self.issues["severity"] == "warning"].reset_index(drop=True)

    @property
    def years(self) -> list[int]:
        """Calendar years that have submissions, ascending."""
        return sorted(
            self.submissions["submitted_at"].dt.year.dropna().unique().astype(int).tolist()
        )

    @property
    def default_year(self) -> int | None:
        """The year to rank when none is given: the latest year holding a real share of the
        submissions (see :func:`main_years`), not a year of a few stray rows; None when empty.
        """
        years = main_years(self.submissions["submitted_at"].dt.year)
        return years[-1] if years else None

    def __repr__(self) -> str:
        return (
            f"Dataset({len(self.units)} units, {len(self.submissions)} submissions, "
            f"{len(self.adoptions)} adoptions, {len(self.faults)} faults, "
            f"{len(self.errors)} errors, {len(self.warnings)} warnings, "
            f"{len(self.rejected)} rows rejected)"
        )
