"""The periodic bulletin (月度/季度通报): a month's or a quarter's figures and the year to date.

:func:`bulletin_tables` computes every table of a bulletin from the engine
(:func:`evalkit.scoring.scorer.score` and :func:`evalkit.metrics.compute_metrics`), so
its counts and points follow the same conventions as the year-end pack: an
item counts in the period it was submitted, an adoption in the period it was
made, a fault in the period it occurred; a joint item counts in full for each
of its units. :func:`write_bulletin` writes them as one workbook.

The **rank change** compares a unit's year-to-date rank with its rank in the
previous bulletin of the same kind, i.e. the year to date up to the end of the
previous month (or quarter). The first bulletin of a year has no previous one:
its rank change is empty.

Examples
--------
>>> import evalkit                                              # doctest: +SKIP
>>> data = evalkit.load("data/sample")                          # doctest: +SKIP
>>> tables = bulletin_tables(data, "default", "2025-06")        # doctest: +SKIP
>>> write_bulletin(data, "default", "2025Q2", "reports/2025")   # doctest: +SKIP
PosixPath('reports/2025/bulletin_2025Q2.xlsx')
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from evalkit.data._dataset import Dataset
from evalkit.data._io import DataError
from evalkit.metrics import (
    adopted_items,
    compute_metrics,
    parse_period,
    period_tag,
    resolve_period,
)
from evalkit.outputs._bulletin_words import HEADERS, NOTES, SHEETS, THIS_PERIOD
from evalkit.outputs._excel import Sheet, write_workbook
from evalkit.outputs.pack import localise
from evalkit.scoring.rules import FAULT_KINDS, LEVELS, Rules, load_rules
from evalkit.scoring.scorer import score

__all__ = [
    "BulletinPeriodError",
    "bulletin_period",
    "bulletin_tables",
    "bulletin_title",
    "localise_bulletin",
    "write_bulletin",
]

ADOPTED = ["adopted", *(f"adopted_{level}" for level in LEVELS)]
RANKING_COLUMNS = [
    "group",
    "ytd_rank",
    "unit",
    "class",
    "period_submitted",
    *(f"period_{c}" for c in ADOPTED),
    "period_score",
    "period_rank",
    "ytd_submitted",
    "ytd_adopted",
    "ytd_score",
    "previous_rank",
    "rank_change",
    "vetoed",
]
GROUP_COLUMNS = [
    "group",
    "n_units",
    "period_submitted",
    *(f"period_{c}" for c in ADOPTED),
    "period_score",
    "ytd_submitted",
    "ytd_adopted",
    "ytd_score",
]
ADOPTED_COLUMNS = [
    "level",
    "submission_id",
    "units",
    "title",
    "category",
    "outlet",
    "adoption_type",
    "adopted_at",
    "instruction_level",
]
COMMISSION_COLUMNS = [
    "unit",
    "group",
    "commissioned",
    "commissioned_on_time",
    "commissioned_late",
    "commissioned_missed",
]
FAULT_COLUMNS = [
    "unit",
    "group",
    "kind",
    "occurred_at",
    "submission_id",
    "note",
    "penalty",
    "vetoed",
]
ALL_UNITS = {"zh": "全县合计", "en": "All units"}


class BulletinPeriodError(DataError):
    """A bulletin period that is not a month, a quarter, a half year or a year, or that the data does not cover."""


# --------------------------------------------------------------------------- periods
def bulletin_period(period: Any) -> pd.Period:
    """Read a bulletin period: a month, a quarter, a half year or a year.

    Parameters
    ----------
    period : str or pandas.Period
        ``"2025-06"``, ``"2025-6"``, ``"2025Q2"``, ``"2025-Q2"``, ``"2025H1"``,
        ``"2025"``, or a ``pandas.Period`` of one of these kinds.

    Returns
    -------
    pandas.Period
        Of frequency month, quarter, six months (a half year) or year.

    Raises
    ------
    BulletinPeriodError
        For anything else, with a one-line message.

    Examples
    --------
    >>> bulletin_period("2025-6"), bulletin_period("2025q2"), bulletin_period("2025H2")
    (Period('2025-06', 'M'), Period('2025Q2', 'Q-DEC'), Period('2025-07', '6M'))
    """
    if isinstance(period, pd.Period):
        period = period_tag(period)  # a month, quarter, half year or year reads back the same
    try:
        return parse_period(period)
    except ValueError as error:
        raise BulletinPeriodError(str(error)) from None


def _previous(period: pd.Period) -> pd.Period | None:
    """The previous period of the same kind in the same year (None for the first one)."""
    before = period - 1
    return before if before.year == period.year else None


_KINDS = {"M": "month", "Q": "quarter", "6": "half", "Y": "year"}


def _kind(period: pd.Period) -> str:
    return _KINDS[period.freqstr[0]]


def bulletin_title(period: Any, lang: str = "zh") -> str:
    """The bulletin's title, e.g. ``2025年6月全县政务信息工作通报``.

    Examples
    --------
    >>> bulletin_title("2025Q2")
    '2025年第2季度全县政务信息工作通报'
    >>> bulletin_title("2025-06", lang="en")
    'Information work bulletin, 2025-06'
    """
    label = resolve_period(bulletin_period(period), lang=lang).label
    return f"{label}全县政务信息工作通报" if lang == "zh" else f"Information work bulletin, {label}"


# --------------------------------------------------------------------------- tables
def _counts(metrics: pd.DataFrame, prefix: str, by: str = "unit") -> pd.DataFrame:
    """Items submitted and distinct items adopted (any level and each level), by ``by``."""
    return metrics.set_index(by)[["submitted", *ADOPTED]].add_prefix(prefix)


def _group_counts(dataset: Dataset, rules: Rules, period: pd.Period) -> pd.DataFrame:
    this = compute_metrics(dataset, period=period, by="group", deadlines=rules)
    ytd = compute_metrics(dataset, period=("ytd", period), by="group", deadlines=rules)
    return _counts(this, "period_", "group").join(_counts(ytd, "ytd_", "group"))


def _ranking(
    dataset: Dataset, rules: Rules, period: pd.Period, this_metrics: pd.DataFrame
) -> pd.DataFrame:
    ytd = score(dataset, rules, period=("ytd", period))
    this = score(dataset, rules, period=period).set_index("unit")
    previous = _previous(period)
    table = ytd[["unit", "group", "class", "vetoed"]].assign(
        ytd_score=ytd["score"], ytd_rank=ytd["rank"]
    )
    ytd_metrics = compute_metrics(dataset, period=("ytd", period), deadlines=rules)
    table = table.join(_counts(this_metrics, "period_"), on="unit")
    table = table.join(_counts(ytd_metrics, "ytd_"), on="unit")
    table["period_score"] = table["unit"].map(this["score"])
    table["period_rank"] = table["unit"].map(this["rank"])
    if previous is None:
        table["previous_rank"] = pd.array([pd.NA] * len(table), dtype="Int64")
    else:
        before = score(dataset, rules, period=("ytd", previous)).set_index("unit")["rank"]
        table["previous_rank"] = table["unit"].map(before).astype("Int64")
    table["rank_change"] = table["previous_rank"] - table["ytd_rank"]
    return table[RANKING_COLUMNS].reset_index(drop=True)


def _group_totals(
    dataset: Dataset, rules: Rules, period: pd.Period, ranking: pd.DataFrame, lang: str
) -> pd.DataFrame:
    """Per group, then for all units: distinct items (a joint item once) and summed points."""
    one_group = dataclasses.replace(dataset, units=dataset.units.assign(group=ALL_UNITS[lang]))
    frames = []
    for data in (dataset, one_group):
        counts = _group_counts(data, rules, period)
        groups = data.units.set_index("unit")["group"].astype(str)
        by_group = ranking.assign(group=ranking["unit"].map(groups)).groupby("group", sort=False)
        points = by_group.agg(
            n_units=("unit", "size"),
            period_score=("period_score", "sum"),
            ytd_score=("ytd_score", "sum"),
        )
        frames.append(counts.join(points).reset_index())
    totals = pd.concat(frames, ignore_index=True)
    totals["group"] = totals["group"].astype(str)
    return totals[GROUP_COLUMNS]


def _commissions(this_metrics: pd.DataFrame) -> pd.DataFrame:
    table = this_metrics[COMMISSION_COLUMNS]
    counted = table.columns[2:]
    return table[table[counted].sum(axis=1) > 0].reset_index(drop=True)


def _faults(dataset: Dataset, rules: Rules, span) -> pd.DataFrame:
    faults = dataset.faults
    faults = faults[(faults["occurred_at"] >= span.start) & (faults["occurred_at"] < span.end)]
    faults = faults.merge(dataset.units[["unit", "group"]], on="unit", how="left")
    kinds = faults["kind"].astype(str)
    points = {kind: rules[f"faults.points.{kind}"] for kind in FAULT_KINDS}
    faults = faults.assign(
        penalty=-kinds.map(points).astype(float),
        vetoed=kinds.isin(list(rules["faults.veto"])),
    )
    faults = faults.sort_values(["occurred_at", "unit", "fault_id"], kind="stable")
    return faults[FAULT_COLUMNS].reset_index(drop=True)


def bulletin_tables(
    dataset: Dataset, rules: Rules | str | Path, period: Any, lang: str = "zh"
) -> dict[str, pd.DataFrame]:
    """Compute every table of the bulletin of a month, a quarter, a half year or a year (canonical column names).

    Parameters
    ----------
    dataset : Dataset
    rules : Rules, str or Path
        The rule set or the name of a shipped one.
    period : str or pandas.Period
        A month (``"2025-06"``) or a quarter (``"2025Q2"``); see :func:`bulletin_period`.
    lang : {"zh", "en"}
        Only names the all-units row of ``groups`` (全县合计 / All units).

    Returns
    -------
    dict of DataFrame
        ``ranking``: one row per unit, sorted by group, year-to-date rank and
        unit: ``group, ytd_rank, unit, class``; the period's ``period_submitted``,
        ``period_adopted`` (distinct items adopted at any level) and
        ``period_adopted_county`` .. ``period_adopted_national``,
        ``period_score`` and ``period_rank`` (within the group);
        ``ytd_submitted``, ``ytd_adopted``, ``ytd_score``; ``previous_rank``
        (year-to-date rank in the previous bulletin) and ``rank_change``
        (``previous_rank - ytd_rank``: positive means up; both missing in the
        first bulletin of a year); ``vetoed`` (year to date).

        ``groups``: per group, then one row for all units: ``n_units`` and the
        same counts as distinct items (a joint item of two units counts once),
        with ``period_score`` and ``ytd_score`` summed over the units.

        ``adopted``: adoptions made in the period at city level or above:
        ``level, submission_id, units, title, category, outlet, adoption_type,
        adopted_at, instruction_level``, highest level first.

        ``commissions``: units with commissioned items (约稿) in the period:
        ``unit, group, commissioned`` (submitted), ``commissioned_on_time``,
        ``commissioned_late``, ``commissioned_missed`` (faults of kind
        commission_missed).

        ``faults``: faults that occurred in the period: ``unit, group, kind,
        occurred_at, submission_id, note, penalty`` (the rules' points, negative),
        ``vetoed`` (the kind vetoes an award).

    Raises
    ------
    BulletinPeriodError
        When ``period`` is not a month, quarter, half year or year, or its year has no submissions.
    """
    if lang not in ALL_UNITS:
        raise ValueError(f'lang must be "zh" or "en", not {lang!r}')
    rules = load_rules(rules)
    period = bulletin_period(period)
    if period.year not in dataset.years:
        raise BulletinPeriodError(
            f"period {period}: the data has submissions in {dataset.years} only"
        )
    span = resolve_period(period)
    this_metrics = compute_metrics(dataset, period=period, deadlines=rules)
    ranking = _ranking(dataset, rules, period, this_metrics)
    return {
        "ranking": ranking,
        "groups": _group_totals(dataset, rules, period, ranking, lang),
        "adopted": adopted_items(dataset, period=span, min_level="city")[ADOPTED_COLUMNS],
        "commissions": _commissions(this_metrics),
        "faults": _faults(dataset, rules, span),
    }


# --------------------------------------------------------------------------- the workbook


def localise_bulletin(frame: pd.DataFrame, period: Any, lang: str = "zh") -> pd.DataFrame:
    """A table of :func:`bulletin_tables` with headers in ``lang`` (本月报送数, 累计得分 ...).

    Values are translated as :func:`evalkit.outputs.pack.localise` does (levels,
    kinds, and for English the group names).

    Examples
    --------
    >>> frame = pd.DataFrame({"unit": ["城关镇"], "period_submitted": [3], "ytd_score": [12.5]})
    >>> localise_bulletin(frame, "2025Q2").columns.tolist()
    ['单位', '本季度报送数', '累计得分']
    """
    if lang not in HEADERS:
        raise ValueError(f'lang must be "zh" or "en", not {lang!r}')
    this = THIS_PERIOD[lang][_kind(bulletin_period(period))]
    headers = {col: text.format(this=this) for col, text in HEADERS[lang].items()}
    return localise(frame.rename(columns=headers), lang)


def write_bulletin(
    dataset: Dataset,
    rules: Rules | str | Path,
    period: Any,
    out_folder: str | Path,
    *,
    lang: str = "zh",
) -> Path:
    """Write the bulletin workbook of a month, a quarter, a half year or a year and return its path.

    The workbook ``bulletin_<period>.xlsx`` (``bulletin_2025-06.xlsx``,
    ``bulletin_2025Q2.xlsx``) in ``out_folder`` has the sheets 通报 (the
    ranking), 分组合计, 上级采用信息, 约稿完成情况 and 通报批评 (Bulletin, Group
    totals, Adopted upward, Commissions, Faults with ``lang="en"``), holding the
    tables of :func:`bulletin_tables`.

    Parameters
    ----------
    dataset : Dataset
    rules : Rules, str or Path
    period : str or pandas.Period
        ``"2025-06"`` or ``"2025Q2"``.
    out_folder : str or Path
        Created when missing.
    lang : {"zh", "en"}
        Language of the sheet names, headers, titles and values.

    Returns
    -------
    Path

    Raises
    ------
    BulletinPeriodError
        When ``period`` is not a month, quarter, half year or year, or its year has no submissions.
    """
    rules = load_rules(rules)
    period = bulletin_period(period)
    tables = bulletin_tables(dataset, rules, period, lang=lang)
    title = bulletin_title(period, lang)
    this = THIS_PERIOD[lang][_kind(period)]
    previous = _previous(period)
    notes = NOTES[lang]
    ranking_note = notes["ranking"].format(
        this=this,
        period=resolve_period(period, lang=lang).label,
        ytd=resolve_period(("ytd", period), lang=lang).label,
        previous=notes["first"]
        if previous is None
        else resolve_period(("ytd", previous), lang=lang).label,
        rules=rules.name,
    )
    sheets = []
    for key, frame in tables.items():
        name = SHEETS[lang][key]
        sheet_title = title if key == "ranking" else f"{title} · {name}"
        note = notes.get(key) if key == "groups" or frame.empty else None
        sheets.append(Sheet(name, localise_bulletin(frame, period, lang), sheet_title, note=note))
    sheets[0].note = ranking_note
    return write_workbook(
        Path(out_folder) / f"bulletin_{period_tag(period)}.xlsx", sheets, title=title, lang=lang
    )
