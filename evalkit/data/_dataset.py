"""The Dataset: the typed, validated tables that every later stage reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ISSUE_COLUMNS = ["severity", "table", "file", "row", "column", "value", "message"]
COUNT_COLUMNS = ["table", "file", "rows_read", "loaded", "rejected", "blank_rows"]


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
    issues : DataFrame
        Every problem found: ``severity`` (error or warning), ``table``, ``file``,
        ``row`` (as Excel or a text editor numbers it), ``column``, ``value``, ``message``.
    rejected : DataFrame
        The input rows that were not loaded, one per row, with the reason:
        ``table``, ``file``, ``row``, ``reason``.
    counts : DataFrame
        Reconciliation per file: ``rows_read`` = ``loaded`` + ``rejected``;
        ``blank_rows`` (not records) are counted apart.
    aliases : DataFrame
        ``alias`` -> ``unit`` for former names and aliases.
    """

    units: pd.DataFrame
    submissions: pd.DataFrame
    submission_units: pd.DataFrame
    submission_informants: pd.DataFrame
    adoptions: pd.DataFrame
    faults: pd.DataFrame
    issues: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ISSUE_COLUMNS))
    rejected: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["table", "file", "row", "reason"])
    )
    counts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COUNT_COLUMNS))
    aliases: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["alias", "unit"]))
    folder: Path | None = None

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

    def __repr__(self) -> str:
        return (
            f"Dataset({len(self.units)} units, {len(self.submissions)} submissions, "
            f"{len(self.adoptions)} adoptions, {len(self.faults)} faults, "
            f"{len(self.errors)} errors, {len(self.warnings)} warnings, "
            f"{len(self.rejected)} rows rejected)"
        )
