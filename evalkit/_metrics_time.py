"""Working days, deadlines and lateness: the timeliness of items for :mod:`evalkit.metrics`.

Lags run from ``event_at`` to ``submitted_at`` in calendar hours and in working days on
the Chinese calendar; an item is late when submitted after its deadline (see the
conventions in :mod:`evalkit.metrics`, which re-exports the public names).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import chinese_calendar
import numpy as np
import pandas as pd

DEFAULT_DEADLINES = {"urgent": {"hours": 2.0}, "commissioned": {"due_at": True}}
_HOUR = pd.Timedelta(hours=1)


# --------------------------------------------------------------------------- calendar
def workday_table(first, last) -> pd.Series:
    """Whether each day from ``first`` to ``last`` (both included) is a Chinese working day.

    Uses ``chinese_calendar.get_workdays`` once per year, so official holidays and
    the swapped working weekend days count; years the package does not cover
    fall back to Monday-Friday with a warning.

    Examples
    --------
    >>> table = workday_table("2025-09-27", "2025-10-01")
    >>> table.astype(int).tolist()  # Sat off, Sun 28 worked, Mon, Tue, National Day
    [0, 1, 1, 1, 0]
    """
    days = pd.date_range(pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize(), freq="D")
    working = np.asarray(days.day_of_week < 5)
    for year in np.unique(days.year):
        in_year = np.asarray(days.year == year)
        try:
            official = chinese_calendar.get_workdays(
                days[in_year][0].date(), days[in_year][-1].date(), include_weekends=True
            )
        except NotImplementedError:
            warnings.warn(
                f"chinese_calendar has no holidays for {year}: counting Monday-Friday as working days",
                stacklevel=2,
            )
            continue
        working[in_year] = days[in_year].isin(pd.DatetimeIndex(official))
    return pd.Series(working, index=days, name="workday")


def workday_lag(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days from the day of ``start`` to the day of ``end``.

    Counts the working days after the start day up to and including the end
    day, so a same-day submission has lag 0 and one on the next working day 1.
    One workday table is built over the whole date range and read through
    cumulative sums. Missing times give a missing lag.

    Examples
    --------
    >>> event = pd.Series(pd.to_datetime(["2025-09-30 17:00", "2025-09-26 09:00"]))
    >>> sent = pd.Series(pd.to_datetime(["2025-10-09 08:00", "2025-09-29 09:00"]))
    >>> workday_lag(event, sent).tolist()  # Oct 1-8 off; Sun Sep 28 worked
    [1, 2]
    """
    start_day, end_day = start.dt.normalize(), end.dt.normalize()
    known = start_day.notna() & end_day.notna()
    lag = pd.Series(pd.NA, index=start.index, dtype="Int64")
    if not known.any():
        return lag
    first = min(start_day[known].min(), end_day[known].min())
    last = max(start_day[known].max(), end_day[known].max())
    cumulative = np.cumsum(workday_table(first, last).to_numpy())
    start_pos = ((start_day[known] - first) // pd.Timedelta(days=1)).to_numpy()
    end_pos = ((end_day[known] - first) // pd.Timedelta(days=1)).to_numpy()
    lag[known] = cumulative[end_pos] - cumulative[start_pos]
    return lag


# --------------------------------------------------------------------------- deadlines
def _deadline_settings(deadlines) -> dict[str, tuple[float | None, bool]]:
    """``category -> (hours after event_at or None, whether due_at applies)``.

    ``deadlines`` is None (the defaults), an object with a ``.deadlines``
    attribute (``evalkit.scoring.rules.Rules``: its deadlines replace the defaults), or a
    mapping ``category -> {"hours": h, "due_at": bool}`` (or a ``Deadline``)
    whose categories replace the defaults one by one.
    """
    settings = dict(DEFAULT_DEADLINES)
    if deadlines is not None and not isinstance(deadlines, Mapping):
        settings = {}
        deadlines = deadlines.deadlines
    settings.update(deadlines or {})

    def pair(spec) -> tuple[float | None, bool]:
        if isinstance(spec, Mapping):
            hours, due = spec.get("hours"), spec.get("due_at", False)
        else:
            hours, due = getattr(spec, "hours", None), getattr(spec, "due_at", False)
        return (None if hours is None else float(hours)), bool(due)

    return {category: pair(spec) for category, spec in settings.items()}


def _deadline_at(submissions: pd.DataFrame, settings: dict) -> pd.Series:
    """The moment each item becomes late: the earlier of ``event_at + hours`` and
    ``due_at`` where they apply (NaT when none applies or its time is missing)."""
    no_time = pd.Series(pd.NaT, index=submissions.index, dtype=submissions["submitted_at"].dtype)
    deadline = no_time
    for category, (hours, due) in settings.items():
        after_event = (
            no_time if hours is None else submissions["event_at"] + pd.Timedelta(hours=hours)
        )
        by_due = submissions["due_at"] if due else no_time
        earliest = pd.concat([after_event, by_due], axis=1).min(axis=1)
        deadline = deadline.mask(submissions["category"] == category, earliest)
    return deadline


def _timeliness(submissions: pd.DataFrame, deadlines) -> pd.DataFrame:
    """Per item: deadline, calendar and working-day lags, and whether it was late."""
    deadline_at = _deadline_at(submissions, _deadline_settings(deadlines))
    return pd.DataFrame(
        {
            "deadline_at": deadline_at,
            "lag_hours": (submissions["submitted_at"] - submissions["event_at"]) / _HOUR,
            "lag_workdays": workday_lag(submissions["event_at"], submissions["submitted_at"]),
            "late": (submissions["submitted_at"] > deadline_at)
            .astype("boolean")
            .mask(deadline_at.isna() | submissions["submitted_at"].isna()),
        },
        index=submissions.index,
    )
