"""Periods: a year, half year, quarter or month, and the span of time it covers.

:func:`parse_period` reads ``2025``, ``2025H1``, ``2025Q3`` or ``2025-06``;
:func:`resolve_period` turns a period, a range of periods or a year into a
:class:`Span` (start, end, a label for readers); :func:`period_tag` names a
period in file names. :mod:`evalkit.metrics` counts within these spans and
still gives these names.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = ["PERIOD_EXPECTED", "Span", "half_year", "parse_period", "period_tag", "resolve_period"]


class Span(NamedTuple):
    """A period: ``start`` (inclusive), ``end`` (exclusive) and a label for readers."""

    start: pd.Timestamp
    end: pd.Timestamp
    label: str


_PERIOD = re.compile(
    r"^(?P<year>\d{4})(?:\s*-?\s*(?:[Hh](?P<half>[12])|[Qq](?P<quarter>[1-4]))|-(?P<month>\d{1,2}))?$"
)
PERIOD_EXPECTED = (
    "expected a year (2025), a half year (2025H1), a quarter (2025Q3) or a month (2025-06)"
)


def half_year(year: int, half: int) -> pd.Period:
    """The half year ``half`` (1 or 2) of ``year`` as a six-month period (Jan-Jun or Jul-Dec)."""
    return pd.Period(year=int(year), month=6 * int(half) - 5, freq="6M")


def parse_period(text: Any) -> pd.Period:
    """Read a period as the command line takes it: ``2025``, ``2025H1``, ``2025Q3``, ``2025-06``.

    A half year is a six-month ``pandas.Period`` starting in January or July.

    Raises
    ------
    ValueError
        For anything else, with a one-line message naming the forms accepted.

    Examples
    --------
    >>> parse_period("2025H2"), parse_period("2025q3"), parse_period("2025-6")
    (Period('2025-07', '6M'), Period('2025Q3', 'Q-DEC'), Period('2025-06', 'M'))
    """
    shown = str(text).strip()
    found = _PERIOD.match(shown)
    year = int(found["year"]) if found else 0
    if found and found["half"]:
        return half_year(year, int(found["half"]))
    if found and found["quarter"]:
        return pd.Period(year=year, quarter=int(found["quarter"]), freq="Q")
    if found and found["month"] and 1 <= int(found["month"]) <= 12:
        return pd.Period(year=year, month=int(found["month"]), freq="M")
    if found and not found["month"]:
        return pd.Period(year=year, freq="Y")
    raise ValueError(f"period {shown!r}: {PERIOD_EXPECTED}")


def period_tag(period: pd.Period) -> str:
    """A period as :func:`parse_period` reads it back: ``2025``, ``2025H1``, ``2025Q3``, ``2025-06``.

    Examples
    --------
    >>> period_tag(half_year(2025, 2)), period_tag(parse_period("2025q3"))
    ('2025H2', '2025Q3')
    """
    if _is_half(period):
        return f"{period.year}H{1 if period.month == 1 else 2}"
    return f"{period} ({period.freqstr})" if period.freqstr == "6M" else str(period)


def _is_half(period: pd.Period) -> bool:
    return period.freqstr == "6M" and period.month in (1, 7)


def _as_period(value: Any) -> pd.Period:
    if isinstance(value, pd.Period):
        return value
    if isinstance(value, int | np.integer):
        return pd.Period(year=int(value), freq="Y")
    if isinstance(value, dt.date):  # also datetime and Timestamp
        return pd.Period(value, freq="D")
    text = str(value).strip()
    if re.fullmatch(r"\d{4}\s*-?\s*[Hh][12]", text):
        return parse_period(text)
    return pd.Period(text)


def _label(period: pd.Period, lang: str) -> str:
    kind = period.freqstr[0]
    zh = lang != "en"
    if _is_half(period):
        half = 1 if period.month == 1 else 2
        return f"{period.year}年{'上下'[half - 1]}半年" if zh else f"{period.year} H{half}"
    if kind in "YA":
        return f"{period.year}年" if zh else str(period.year)
    if kind == "Q":
        return (
            f"{period.year}年第{period.quarter}季度" if zh else f"{period.year} Q{period.quarter}"
        )
    if kind == "M":
        return f"{period.year}年{period.month}月" if zh else f"{period.year}-{period.month:02d}"
    if kind == "D":
        return f"{period.year}年{period.month}月{period.day}日" if zh else str(period)
    return str(period)


def resolve_period(period: Any = None, year: int | None = None, lang: str = "zh") -> Span:
    """Turn a period as people write it into a start, an exclusive end and a label.

    Parameters
    ----------
    period : str, int, pandas.Period, date, or tuple, optional
        ``"2025"`` or ``2025`` (a year), ``"2025H1"`` (a half year), ``"2025Q2"`` (a quarter), ``"2025-06"`` (a
        month), ``"2025-06-15"`` or a date (a day), a ``pandas.Period``;
        ``("ytd", "2025-06")`` for the year to date up to the end of June; or a
        ``(first, last)`` pair of any of these, both included.
    year : int, optional
        Used when ``period`` is None.
    lang : {"zh", "en"}
        Language of the label.

    Returns
    -------
    Span
        ``(start, end, label)``; ``end`` is exclusive, so a moment ``t`` is in the
        period when ``start <= t < end``.

    Examples
    --------
    >>> resolve_period("2025Q2")
    Span(start=Timestamp('2025-04-01 00:00:00'), end=Timestamp('2025-07-01 00:00:00'), label='2025年第2季度')
    >>> resolve_period(("ytd", "2025-06"), lang="en").label
    '2025-01 to 2025-06 (year to date)'
    >>> resolve_period(year=2025).end
    Timestamp('2026-01-01 00:00:00')
    """
    if period is None:
        if year is None:
            raise ValueError("give a period or a year")
        period = int(year)
    if isinstance(period, Span):  # already resolved (a NamedTuple, so before the pair check)
        return period
    if isinstance(period, tuple | list):
        if len(period) != 2:
            raise ValueError(f"a period pair has two ends, not {len(period)}: {period!r}")
        first, last = period
        if isinstance(first, str) and first.strip().lower() == "ytd":
            last_p = _as_period(last)
            start = pd.Timestamp(year=last_p.year, month=1, day=1)
            end = (last_p + 1).start_time
            final = (end - pd.Timedelta(days=1)).month
            if lang == "en":
                label = f"{last_p.year}-01 to {last_p.year}-{final:02d} (year to date)"
            else:
                label = f"{last_p.year}年1-{final}月" if final > 1 else f"{last_p.year}年1月"
            return Span(start, end, label)
        first_p, last_p = _as_period(first), _as_period(last)
        start, end = first_p.start_time, (last_p + 1).start_time
        if end <= start:
            raise ValueError(f"the period ends before it starts: {period!r}")
        labels = [_label(first_p, lang), _label(last_p, lang)]
        label = labels[0] if first_p == last_p else ("至" if lang != "en" else " to ").join(labels)
        return Span(start, end, label)
    single = _as_period(period)
    return Span(single.start_time, (single + 1).start_time, _label(single, lang))
