"""Counts, rates and lags per unit, group or informant for any period.

Conventions (one rule everywhere, so a bulletin's figures add up):

* An **item** counts in the period in which it was **submitted** (``submitted_at``);
  an **adoption** counts in the period in which it was **made** (``adopted_at``),
  whenever its item was submitted; an **instruction** (批示) record in the period
  of its ``instructed_at`` (an adoption's own instruction: the adoption's date),
  one per leader; a **fault** counts in the period in which it **occurred**
  (``occurred_at``).
  Conventional bulletins count this way. For a short period an adoption rate may
  therefore exceed 1 (adoptions of items sent the month before); the Wilson
  interval of such a rate is NaN.
* "Items adopted" are **distinct items**, never adoption records: an item
  adopted by the county and the city counts once in ``adopted``, once in
  ``adopted_county`` and once in ``adopted_city``. ``adoptions_*`` count records.
* A **joint** item (合报) counts **in full for each of its units** (and each of its
  informants); a group counts it once even when several of its units sent it.
* Lags run from ``event_at`` to ``submitted_at``: calendar hours, and working
  days on the Chinese calendar (``chinese_calendar``, with its swapped working
  weekend days). Items without ``event_at`` have no lag.
* Deadlines: an urgent item is late when submitted more than 2 calendar hours
  after ``event_at``, a commissioned item when submitted after ``due_at``. An
  item without the timestamp its deadline needs cannot be judged: it counts in
  ``urgent`` or ``commissioned`` but neither on time nor late. Deadlines are
  settings (see :func:`compute_metrics`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from evalkit._metrics_facts import (
    ADOPTION_TYPES,
    LEVELS,
    _adoption_facts,
    _fault_keys,
    _instruction_facts,
    _item_facts,
    _members,
    _skeleton,
    _within,
)
from evalkit._metrics_time import (  # noqa: F401  (the public ones are imported from here)
    _HOUR,
    DEFAULT_DEADLINES,
    _timeliness,
    workday_lag,
    workday_table,
)
from evalkit.data._dataset import Dataset
from evalkit.data._schema import ENUMS
from evalkit.periods import (  # noqa: F401  (the periods are still imported from here too)
    PERIOD_EXPECTED,
    Span,
    half_year,
    parse_period,
    period_tag,
    resolve_period,
)

FAULT_KINDS = ENUMS["fault_kind"].values
BY_KEYS = {"unit": ["unit"], "group": ["group"], "informant": ["informant", "unit"]}


def _span_for(dataset: Dataset, year: int | None, period: Any) -> Span:
    if period is None and year is None:
        if not dataset.years:
            raise ValueError("the dataset has no submissions: give a period or a year")
        year = dataset.default_year
    return resolve_period(period, year=year)


# --------------------------------------------------------------------------- statistics
def wilson_interval(successes, trials, confidence: float = 0.95):
    """Wilson score interval of a proportion, vectorised.

    Parameters
    ----------
    successes, trials : array_like
        Counts, broadcast together.
    confidence : float
        Two-sided coverage, 0.95 by default (z from ``scipy.stats.norm``).

    Returns
    -------
    low, high : ndarray or float
        The bounds, in [0, 1]; NaN where ``trials`` is 0 or ``successes`` is not
        between 0 and ``trials``. Floats when both inputs are scalars.

    Examples
    --------
    >>> low, high = wilson_interval(3, 5)
    >>> round(low, 4), round(high, 4)
    (0.2307, 0.8824)
    >>> wilson_interval([0, 40], [0, 100])[0].round(4)
    array([   nan, 0.3094])
    """
    # scipy.stats.norm.ppf is ndtri (scipy.stats costs ~1 s to import); imported here, as
    # scipy.special alone takes 0.2 s and scoring a year never needs it
    from scipy.special import ndtri

    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z2 = ndtri(0.5 + confidence / 2) ** 2
    valid = (n > 0) & (k >= 0) & (k <= n)
    n_safe = np.where(valid, n, 1.0)
    p = np.where(valid, k, 0.0) / n_safe
    denominator = 1 + z2 / n_safe
    centre = (p + z2 / (2 * n_safe)) / denominator
    half = np.sqrt(z2 * (p * (1 - p) / n_safe + z2 / (4 * n_safe**2))) / denominator
    low = np.where(valid, np.clip(centre - half, 0, 1), np.nan)
    high = np.where(valid, np.clip(centre + half, 0, 1), np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


COUNT_COLUMNS = [
    "submitted",
    "adopted",
    *(f"adopted_{level}" for level in LEVELS),
    "adopted_city_up",
    "adopted_province_up",
    *(f"adoptions_{kind}" for kind in ADOPTION_TYPES),
    *(f"instructions_{level}" for level in LEVELS),
    "urgent",
    "urgent_late",
    "commissioned",
    "commissioned_on_time",
    "commissioned_late",
    "commissioned_missed",
    *(f"faults_{kind}" for kind in FAULT_KINDS),
]


def compute_metrics(
    dataset: Dataset, year: int | None = None, period: Any = None, by: str = "unit", deadlines=None
) -> pd.DataFrame:
    """Counts, adoption rates with Wilson intervals, timeliness and faults for a period.

    See the module docstring for what counts in a period, how joint items and
    distinct items count, and the default deadlines.

    Parameters
    ----------
    dataset : Dataset
    year : int, optional
        A calendar year; ignored when ``period`` is given. With neither, the
        latest year that has submissions.
    period : optional
        Anything :func:`resolve_period` accepts: ``"2025Q2"``, ``"2025-06"``,
        ``("ytd", "2025-06")``, a ``(first, last)`` pair, a ``pandas.Period``.
    by : {"unit", "group", "informant"}
        One row per unit of ``dataset.units`` (in its order, zeros where none),
        per group, or per informant and unit active in the period (an informant
        gets the faults tied to their items only).
    deadlines : mapping or object with ``.deadlines``, optional
        ``evalkit.scoring.rules.Rules`` (its ``.deadlines`` are used as they are) or a
        mapping, per category, ``{"hours": h, "due_at": bool}``: late when
        submitted more than ``h`` calendar hours after ``event_at`` or, with
        ``due_at``, after the item's ``due_at`` (the earlier applies). A mapping's
        categories replace the defaults ``{"urgent": {"hours": 2},
        "commissioned": {"due_at": True}}``.

    Returns
    -------
    DataFrame
        Key columns (``unit, group, class``; ``group``; or ``informant, unit,
        group, class``), then ``submitted``, ``adopted`` (items adopted at any
        level), ``adopted_county`` .. ``adopted_national`` (items adopted at that
        level), ``adopted_city_up``, ``adopted_province_up`` (at or above),
        ``adoptions_single|combined|brief`` (records), ``instructions_county`` ..
        ``instructions_national`` (instruction records, one per leader; 主要领导,
        办公室领导 and 秘书长 tiers count at their level), ``urgent``, ``urgent_late``, ``commissioned``,
        ``commissioned_on_time``, ``commissioned_late``, ``commissioned_missed``
        (faults of kind commission_missed), ``faults_<kind>`` for each fault kind,
        ``rate`` (adopted / submitted), ``rate_low``, ``rate_high`` (Wilson 95%),
        ``rate_city_up`` with ``rate_city_up_low`` and ``rate_city_up_high``,
        ``lag_hours_median``, ``lag_hours_p90`` (calendar hours, linear
        interpolation) and ``lag_workdays_median``. ``attrs["period"]`` holds the Span.

    Examples
    --------
    >>> import evalkit
    >>> data = evalkit.load_frames(
    ...     units=pd.DataFrame({"unit": ["城关镇", "河口镇"], "group": ["乡镇组", "乡镇组"]}),
    ...     submissions=pd.DataFrame({"submission_id": ["A1", "A2"], "units": ["城关镇", "城关镇、河口镇"],
    ...                               "title": ["春耕", "防汛"],
    ...                               "submitted_at": ["2025-03-05 14:30", "2025-06-02 09:00"]}),
    ...     adoptions=pd.DataFrame({"submission_id": ["A2"], "level": ["city"], "adopted_at": ["2025-06-09"]}))
    >>> compute_metrics(data, year=2025)[["unit", "submitted", "adopted", "adopted_city_up", "rate"]]
      unit  submitted  adopted  adopted_city_up  rate
    0  城关镇          2        1                1   0.5
    1  河口镇          1        1                1   1.0
    >>> monthly(data).query("submitted > 0 or adopted > 0")
       year  month  submitted  adopted  adopted_city_up
    2  2025      3          1        0                0
    5  2025      6          1        1                1
    """
    if by not in BY_KEYS:
        raise ValueError(f"by must be one of {sorted(BY_KEYS)}, not {by!r}")
    span = _span_for(dataset, year, period)
    keys = BY_KEYS[by]
    members = _members(dataset, by)
    items = _item_facts(dataset, span, deadlines)
    adopted = _adoption_facts(dataset, span)
    instructed = _instruction_facts(dataset, span)
    faults = _fault_keys(dataset, span, by)
    active = pd.concat([items["item"], adopted["item"]]) if by == "informant" else None
    table = _skeleton(dataset, by, members, active)

    item_rows = items.merge(members, on="item")
    adopted_rows = adopted.merge(members, on="item")
    fault_counts = faults.groupby([*keys, "kind"]).size().unstack(fill_value=0)
    fault_counts = fault_counts.reindex(columns=list(FAULT_KINDS), fill_value=0).add_prefix(
        "faults_"
    )
    sums = [
        item_rows.groupby(keys)[items.columns.drop(["item", "lag_hours", "lag_workdays"])].sum(),
        adopted_rows.groupby(keys)[adopted.columns.drop("item")].sum(),
        instructed.merge(members, on="item").groupby(keys)[instructed.columns.drop("item")].sum(),
        fault_counts,
        fault_counts["faults_commission_missed"].rename("commissioned_missed"),
    ]
    counts = table[keys].join(pd.concat(sums, axis=1), on=keys)
    result = table.copy()
    result[COUNT_COLUMNS] = (
        counts.reindex(columns=COUNT_COLUMNS).fillna(0).astype("int64").to_numpy()
    )

    with np.errstate(divide="ignore", invalid="ignore"):
        for name, numerator in (("rate", "adopted"), ("rate_city_up", "adopted_city_up")):
            result[name] = np.where(
                result["submitted"] > 0, result[numerator] / result["submitted"], np.nan
            )
            result[f"{name}_low"], result[f"{name}_high"] = wilson_interval(
                result[numerator], result["submitted"]
            )
    lag_groups = item_rows.groupby(keys)
    lags = pd.concat(
        [
            lag_groups["lag_hours"].median().rename("lag_hours_median"),
            lag_groups["lag_hours"].quantile(0.9).rename("lag_hours_p90"),
            lag_groups["lag_workdays"].median().rename("lag_workdays_median"),
        ],
        axis=1,
    )
    result = result.join(lags, on=keys)
    result.attrs["period"] = span
    return result


# --------------------------------------------------------------------------- charts
def monthly(dataset: Dataset, years=None) -> pd.DataFrame:
    """Items submitted and adopted in each month, for a "this year against last year" chart.

    Parameters
    ----------
    dataset : Dataset
    years : int or list of int, optional
        Years to include (all months, zeros where none); all years with
        submissions by default.

    Returns
    -------
    DataFrame
        ``year``, ``month``, ``submitted`` (items by month submitted), ``adopted``
        and ``adopted_city_up`` (distinct items with an adoption in that month, at
        any level / at city level or above), one row per month. Each month agrees
        with :func:`compute_metrics` for that month; an item adopted in two months
        counts in both.
    """
    if years is None:
        years = dataset.years
    years = [int(y) for y in np.atleast_1d(years)]
    grid = pd.MultiIndex.from_product([years, range(1, 13)], names=["year", "month"])

    def per_month(times: pd.Series, ids: pd.Series) -> pd.Series:
        pairs = pd.DataFrame({"year": times.dt.year, "month": times.dt.month, "id": ids})
        return pairs.dropna().drop_duplicates().groupby(["year", "month"]).size()

    adoptions = dataset.adoptions
    city_up = adoptions[adoptions["level"].astype(object).isin(LEVELS[1:])]
    result = pd.DataFrame(
        {
            "submitted": per_month(
                dataset.submissions["submitted_at"], dataset.submissions["submission_id"]
            ),
            "adopted": per_month(adoptions["adopted_at"], adoptions["submission_id"]),
            "adopted_city_up": per_month(city_up["adopted_at"], city_up["submission_id"]),
        }
    )
    return result.reindex(grid).fillna(0).astype("int64").reset_index()


def adopted_items(
    dataset: Dataset, year: int | None = None, period: Any = None, min_level: str = "county"
) -> pd.DataFrame:
    """The adoptions made in a period at ``min_level`` or above, with their items, highest first.

    One row per adoption: ``adoption_id``, ``submission_id``, ``units``, ``title``,
    ``category``, ``level``, ``outlet``, ``adoption_type``, ``adopted_at``,
    ``instruction_level``, ``instructed_by``; sorted by level (national first),
    then adoption time, item id and input order. The year-end workbook lists
    all levels; a bulletin lists ``min_level="city"``.
    """
    span = _span_for(dataset, year, period)
    made = dataset.adoptions
    made = made[_within(made["adopted_at"], span) & (made["level"] >= min_level)]
    items = dataset.submissions[["submission_id", "units", "title", "category"]]
    table = made.merge(items, on="submission_id", how="left")
    table = table.sort_values(
        ["level", "adopted_at", "submission_id", "adoption_id"],
        ascending=[False, True, True, True],
        kind="stable",
    )
    columns = ["adoption_id", "submission_id", "units", "title", "category", "level", "outlet",
               "adoption_type", "adopted_at", "instruction_level", "instructed_by"]  # fmt: skip
    return table[columns].reset_index(drop=True)


def lags(
    dataset: Dataset,
    year: int | None = None,
    period: Any = None,
    deadlines=None,
    categories=("urgent", "commissioned"),
) -> pd.DataFrame:
    """Timeliness of each item submitted in the period, for a lag distribution chart.

    Parameters
    ----------
    dataset, year, period, deadlines
        As for :func:`compute_metrics`.
    categories : sequence of str or None
        Categories to include; urgent and commissioned items by default, all if None.

    Returns
    -------
    DataFrame
        ``submission_id``, ``unit`` (the lead unit), ``category``, ``submitted_at``,
        ``deadline_at``, ``lag_hours`` (event to submission, calendar hours; NaN
        without ``event_at``), ``deadline_hours`` (deadline minus ``event_at``, NaN
        when either is missing), ``late`` (nullable boolean, missing when the item
        has no deadline or the deadline's timestamp is missing); sorted by
        ``submitted_at`` then ``submission_id``.
    """
    span = _span_for(dataset, year, period)
    items = dataset.submissions
    chosen = _within(items["submitted_at"], span)
    if categories is not None:
        chosen &= items["category"].isin(list(categories))
    items = items[chosen]
    timing = _timeliness(items, deadlines)
    result = pd.DataFrame(
        {
            "submission_id": items["submission_id"],
            "unit": items["lead_unit"],
            "category": items["category"],
            "submitted_at": items["submitted_at"],
            "deadline_at": timing["deadline_at"],
            "lag_hours": timing["lag_hours"].astype(float),
            "deadline_hours": (timing["deadline_at"] - items["event_at"]) / _HOUR,
            "late": timing["late"],
        }
    )
    return result.sort_values(["submitted_at", "submission_id"], kind="stable", ignore_index=True)
