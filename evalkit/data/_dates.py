"""Parsing date cells: Excel datetimes and serial numbers, ISO text, 2025/3/5, 2025年3月5日 14:30."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evalkit.data._distinct import arrow_array, on_distinct

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Excel serial numbers read as dates: 1950-01-01 .. 2099-12-31. Smaller numbers (a bare
# year such as 2025 would be 1905-07-17) and larger ones are not taken for dates.
SERIAL_RANGE = (18264, 73050.99999)
_DATE = (
    r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[ T]*(?P<hour>\d{1,2}):(?P<minute>\d{1,2})?(?::(?P<second>\d{1,2})(?:,\d+)?)?)?\s*$"
)


def as_datetime(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse dates: Excel datetimes and serial numbers, ISO text, 2025/3/5, 2025年3月5日 14:30.

    Text is year-month-day (separated by - / . or 年月日), optionally followed by
    hours:minutes[:seconds] (or 14时30分); anything else in the cell makes it unparseable.
    ``text`` holds the cells as :func:`as_text` returns them. Returns the parsed
    timestamps and a mask of cells that were present but unparseable.
    """
    parsed = _all_iso(text)
    if parsed is None:
        parsed = on_distinct(text, _parse_dates, costly=True).astype("datetime64[ns]")
    return parsed, text.notna() & parsed.isna()


def _all_iso(text: pd.Series) -> pd.Series | None:
    """The cells parsed at once when every present one is ISO 8601 (:data:`_ISO`) text and
    Arrow's cast reads it, to the whole second as :func:`_parse_iso` reads it; else None.

    A column of a million submission times (ISO, as exports write them) is parsed in a
    tenth of the time of finding its distinct values. Arrow's cast refuses what the ISO
    parser refuses (2025-02-29, hour 24, second 60), so that such a column goes the
    general way, cell by cell.
    """
    array = text.array
    if not isinstance(array, pd.arrays.ArrowStringArray) or text.isna().all():
        return None
    values = arrow_array(text)
    if not pc.all(pc.match_substring_regex(values, _ISO)).as_py():  # missing cells skipped
        return None
    try:
        stamps = pc.cast(values, pa.timestamp("ns"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    parsed = pd.Series(stamps.to_numpy(zero_copy_only=False), index=text.index)
    return parsed.dt.floor("s")


# What Excel datetimes and ISO exports look like: parsed in one vectorised call, and only
# the other cells go through the general (regex) parser below.
# A fraction of a second is dropped, as the general parser drops it.
_ISO = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?$"


def _parse_dates(text: pd.Series) -> pd.Series:
    text = text.astype("string")
    iso = text.str.match(_ISO).fillna(False).astype(bool)
    if iso.all():
        return _parse_iso(text)
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if iso.any():
        result[iso] = _parse_iso(text[iso])
    result[~iso] = _parse_other_dates(text[~iso])
    return result


def _parse_iso(text: pd.Series) -> pd.Series:
    """ISO 8601 cells (:data:`_ISO`) in one vectorised call, to the whole second.

    A cell with a ``T`` or a fraction of a second that ISO 8601 refuses (hour 24, second
    60) is read by the general parser, as it was before such cells took this path.
    """
    dotted = text.str.replace(",", ".", regex=False)
    parsed = _in_range(pd.to_datetime(dotted, format="ISO8601", errors="coerce")).dt.floor("s")
    again = parsed.isna().to_numpy().copy()
    if again.any():  # of the cells not parsed, those the general parser may read
        again[again] = text[again].str.contains(r"[T.,]", regex=True).fillna(False).to_numpy(bool)
    if again.any():
        parsed[again] = _parse_other_dates(text[again])
    return parsed


def _parse_other_dates(text: pd.Series) -> pd.Series:
    serial = pd.to_numeric(text, errors="coerce").astype("float64")
    is_serial = serial.between(*SERIAL_RANGE).fillna(False).astype(bool)
    from_serial = EXCEL_EPOCH + pd.to_timedelta(serial.where(is_serial), unit="D").dt.round("s")
    text = text.astype("string")
    cleaned = (
        text.str.replace(r"(:\d{1,2})\.(\d+)$", r"\1,\2", regex=True)  # fraction of a second
        .str.replace(r"[年/.]", "-", regex=True)
        .str.replace(r"月", "-", regex=False)
        .str.replace(r"[日号]", " ", regex=True)
        .str.replace(r"[时点]", ":", regex=True)
        .str.replace(r"分", "", regex=False)
    )
    parts = cleaned.str.extract(_DATE).astype("float")
    parts[["hour", "minute", "second"]] = parts[["hour", "minute", "second"]].fillna(0)
    from_text = _in_range(pd.to_datetime(parts, errors="coerce"))
    return from_text.where(~is_serial, from_serial).astype("datetime64[ns]")


# The times a nanosecond timestamp holds (1677-09-21 .. 2262-04-11). pandas parses a date
# outside them (9999-12-31, 1600-01-01) at a coarser unit, which nanoseconds cannot hold.
FIRST_DATE, LAST_DATE = pd.Timestamp.min.ceil("s"), pd.Timestamp.max.floor("s")
# The whole years within them (1678-2261), as messages name them.
YEARS_HELD = (FIRST_DATE.year + 1, LAST_DATE.year - 1)


def _in_range(parsed: pd.Series) -> pd.Series:
    """``parsed`` in nanoseconds; a date outside :data:`FIRST_DATE` .. :data:`LAST_DATE` is
    missing, and so reported as not read (see :func:`out_of_range`) instead of failing."""
    if parsed.dtype != "datetime64[ns]":
        parsed = parsed.where((parsed >= FIRST_DATE) & (parsed <= LAST_DATE))
    return parsed.astype("datetime64[ns]")


_YEAR = r"^\s*(\d{4})\s*[-/.年]"


def out_of_range(text: pd.Series) -> pd.Series:
    """Whether each cell (not read as a date) begins with a year outside the range that
    evalkit's timestamps hold: 9999-12-31 is a date, but one that cannot be kept."""
    year = pd.to_numeric(text.astype("string").str.extract(_YEAR, expand=False), errors="coerce")
    return ((year < YEARS_HELD[0]) | (year > YEARS_HELD[1])).fillna(False).astype(bool)
