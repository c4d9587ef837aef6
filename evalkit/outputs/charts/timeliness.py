"""Timeliness: time from event to submission by category, and late or missed items per unit."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, NullFormatter

from evalkit.outputs._chartkit import (
    PENALTY_COLOUR,
    PREVIOUS_COLOUR,
    add_title,
    bar_panel,
    chunks,
    new_figure,
    panels,
    require_columns,
    row_fontsize,
    styled,
    top_legend,
    vetoed_flags,
    x_label,
)
from evalkit.outputs._labels import enum_label, label, veto_suffix

_DURATION_TICKS = (  # hours, label key, number
    (5 / 60, "minutes", 5),
    (0.25, "minutes", 15),
    (0.5, "minutes", 30),
    (1, "hours", 1),
    (2, "hours", 2),
    (6, "hours", 6),
    (12, "hours", 12),
    (24, "days", 1),
    (72, "days", 3),
    (168, "days", 7),
    (720, "days", 30),
)


TIMELINESS_ORDER = ("urgent", "commissioned", "research", "ordinary")


STATUS_COLOURS = {"on_time": "#2E5A87", "late": PENALTY_COLOUR, "no_deadline": PREVIOUS_COLOUR}


def _duration_ticks(low: float, high: float, lang: str, min_gap: float = 0.14):
    """Ticks in [low, high] hours at round durations, at least ``min_gap`` of the log span apart."""
    span = np.log10(high / low)
    kept = []
    for hours, key, number in _DURATION_TICKS:
        inside = low <= hours <= high
        if inside and (not kept or np.log10(hours / kept[-1][0]) >= min_gap * span):
            kept.append((hours, label(key, lang, n=number)))
    return [h for h, _ in kept], [t for _, t in kept]


def _stacked_histogram(ax, values: pd.Series, status: pd.Series, edges: np.ndarray) -> float:
    """Histogram of ``values`` stacked by timeliness status; return the tallest bar."""
    bottom = np.zeros(len(edges) - 1)
    for key, colour in STATUS_COLOURS.items():
        counts, _ = np.histogram(values[status == key].dropna(), bins=edges)
        ax.bar(
            edges[:-1],
            counts,
            width=np.diff(edges),
            bottom=bottom,
            align="edge",
            color=colour,
            edgecolor="white",
            linewidth=0.5,
        )
        bottom += counts
    return float(bottom.max())


def _mark(ax, x: float, text: str) -> None:
    ax.axvline(x, color="#222222", linestyle="--", linewidth=1.2)
    ax.annotate(
        text,
        xy=(x, 1),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        va="top",
        fontsize=12,
    )


def _lag_panel(ax, rows: pd.DataFrame, lang: str) -> float:
    """Event-to-submission time on a log axis, with the deadline."""
    hours = rows["hours"]
    low, high = hours.min(), hours.max()
    deadline = rows["deadline_hours"].median()
    if pd.notna(deadline) and deadline > 0:
        low, high = min(low, deadline), max(high, deadline)
    edges = np.geomspace(low / 1.1, max(high, low * 4) * 1.1, 25)
    tallest = _stacked_histogram(ax, hours, rows["status"], edges)
    if pd.notna(deadline) and deadline > 0:
        _mark(ax, deadline, label("deadline", lang))
    ax.set_xscale("log")
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xticks(*_duration_ticks(edges[0], edges[-1], lang))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(label("axis_lag", lang))
    return tallest


def _margin_panel(ax, rows: pd.DataFrame, lang: str) -> float:
    """Days from the due time to submission (negative: early), for items without an event time."""
    days = (rows["submitted_at"] - rows["deadline_at"]).dt.total_seconds() / 86400
    low, high = min(days.min(), -1.0), max(days.max(), 1.0)
    edges = np.linspace(np.floor(low), np.ceil(high), int(np.ceil(high) - np.floor(low)) * 2 + 1)
    tallest = _stacked_histogram(ax, days, rows["status"], edges)
    _mark(ax, 0.0, label("due_time", lang))
    ax.set_xlabel(label("axis_margin", lang))
    return tallest


def timeliness_panel(ax, rows: pd.DataFrame, category: str, lang: str) -> None:
    """One category: lags if any are known, else days against the due time, else counts only."""
    if rows["hours"].notna().any():
        tallest = _lag_panel(ax, rows, lang)
    elif {"submitted_at", "deadline_at"} <= set(rows.columns) and (
        rows["submitted_at"].notna() & rows["deadline_at"].notna()
    ).any():
        tallest = _margin_panel(ax, rows, lang)
    else:
        tallest = 0.0
        ax.text(
            0.5,
            0.5,
            label("no_times", lang),
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=PREVIOUS_COLOUR,
        )
        ax.set_xticks([])
    n_late = int((rows["status"] == "late").sum())
    ax.set_title(
        f"{enum_label('category', category, lang)}  "
        f"{label('n_and_late', lang, n=len(rows), late=n_late)}",
        fontsize=15,
    )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(tallest, 1) * 1.12)
    ax.grid(axis="y")
    ax.set_axisbelow(True)


@styled
def plot_timeliness(
    lags: pd.DataFrame, *, year: int | None = None, lang: str = "zh", title: str | None = None
) -> Figure:
    """Distribution of the time from event to submission, one panel per category.

    Bars stack items on time, late and without a deadline, on a log time axis
    ticked in minutes, hours and days; a dashed line marks the category's
    (median) deadline. A category without any known lag (commissioned items
    have a due time, often no event time) shows the days from the due time to
    submission instead, when ``submitted_at`` and ``deadline_at`` are given.

    Parameters
    ----------
    lags : DataFrame
        ``category``, ``lag_hours``, ``deadline_hours``, ``late`` (bool, missing
        when there is no deadline); optionally ``submitted_at`` and
        ``deadline_at`` (as :func:`evalkit.metrics.lags` returns). Items without
        a time are counted in the panel heading but not drawn; lags under a
        minute are drawn at one minute.
    year : int, optional
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    require_columns(lags, ["category", "lag_hours", "deadline_hours", "late"], "lags")
    present = set(lags["category"].dropna())
    if not present:
        raise ValueError("lags has no rows with a category")
    categories = [c for c in TIMELINESS_ORDER if c in present] + sorted(
        present - set(TIMELINESS_ORDER)
    )
    late = lags["late"].astype("boolean")
    status = np.select(
        [late.eq(True).fillna(False), late.eq(False).fillna(False)],
        ["late", "on_time"],
        "no_deadline",
    )
    data = lags.assign(status=status, hours=lags["lag_hours"].astype(float).clip(lower=1 / 60))
    fig = new_figure()
    shape = (2, 2) if len(categories) == 4 else (1, len(categories))
    axes = fig.subplots(*shape, squeeze=False).ravel()
    for ax, category in zip(axes, categories, strict=False):
        timeliness_panel(ax, data[data["category"] == category], category, lang)
    for ax in axes[len(categories) :]:
        ax.set_visible(False)
    shown = set(data["status"])
    top_legend(
        fig,
        [Patch(color=c, label=label(k, lang)) for k, c in STATUS_COLOURS.items() if k in shown],
    )
    fig.supylabel(label("axis_count", lang))
    add_title(fig, title, "title_timeliness", lang, year=year)
    return fig


LATE_PARTS = {  # what was late or missing -> colour
    "urgent_late": "#E15759",
    "commissioned_late": "#F28E2B",
    "commissioned_missed": "#B07AA1",
    "faults_omitted": "#4E79A7",
    "faults_concealed": "#59A14F",
}


@styled
def plot_late(
    metrics: pd.DataFrame, *, year: int | None = None, lang: str = "zh", title: str | None = None
) -> Figure:
    """Late or missed, per unit: urgent items late, commissions late or not delivered, omissions.

    One stacked bar per unit with any, most first; vetoed units named as such.

    Parameters
    ----------
    metrics : DataFrame
        ``unit``, ``group`` and any of ``urgent_late``, ``commissioned_late``,
        ``commissioned_missed``, ``faults_omitted``, ``faults_concealed`` (as
        :func:`evalkit.metrics.compute_metrics` returns); ``vetoed`` optional.
    year : int, optional
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    require_columns(metrics, ["unit", "group"], "metrics")
    parts = [c for c in LATE_PARTS if c in metrics and metrics[c].fillna(0).gt(0).any()]
    values = metrics[parts].fillna(0).astype(int)
    data = metrics.assign(
        total=values.sum(axis=1),
        vetoed=vetoed_flags(metrics),
    )
    data = data[data["total"] > 0].sort_values(["total", "unit"], ascending=[False, True],
                                               kind="stable")  # fmt: skip
    fig = new_figure()
    axes, rows = panels(fig, max(len(data), 1))
    size = row_fontsize(rows)
    for ax, part in zip(axes, chunks(data, rows), strict=True):
        y = np.arange(len(part))
        left = np.zeros(len(part))
        for col in parts:
            ax.barh(y, values.loc[part.index, col], left=left, color=LATE_PARTS[col], height=0.68)
            left += values.loc[part.index, col].to_numpy()
        for yy, total in zip(y, part["total"], strict=True):
            ax.annotate(f"{total}", xy=(total, yy), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=size)  # fmt: skip
        names = part["unit"].where(~part["vetoed"], part["unit"] + veto_suffix(lang))
        bar_panel(
            ax, names, rows, size, (0, max(int(data["total"].max()) if len(data) else 1, 1) * 1.15)
        )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    x_label(fig, label("axis_late", lang))
    top_legend(fig, [Patch(color=LATE_PARTS[c], label=label(c, lang)) for c in parts])
    add_title(fig, title, "title_late", lang, year=year)
    return fig
