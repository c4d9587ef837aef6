"""Charts of the year-end pack: rankings, score composition, adoption, timeliness, rank changes.

Every ``plot_*`` function takes plain DataFrames with the columns its docstring
lists, returns a new :class:`matplotlib.figure.Figure` (16:9, 13.33 x 7.5 in)
and leaves global state alone: figures are not registered with pyplot, nothing
is shown, and the style applies through :func:`matplotlib.rc_context` only
while the chart is built. Text is Chinese by default (``lang="en"`` for
English); unit and informant names are shown as they are in the data. Write a
chart with :func:`save_figure` (PNG at 200 dpi and SVG).

Long lists (40 units in a group) are split into side-by-side panels of at most
:data:`MAX_ROWS` bars, sorted by rank, with a value label on every bar.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter, PercentFormatter

from evalkit._fonts import chart_rc
from evalkit._labels import enum_label, label, translate

FIGSIZE = (13.333, 7.5)
MAX_ROWS = 25  # bars per panel before a list splits into side-by-side panels
HEATMAP_MAX_ROWS = 30

GROUP_COLOURS = ("#2E5A87", "#D08A3C", "#4F8A6B", "#8A5A83", "#6B6B6B", "#A23B3B")
PREVIOUS_COLOUR = "#9A9A9A"
PENALTY_COLOUR = "#C0504D"
RISE_COLOUR, FALL_COLOUR, STEADY_COLOUR = "#2E5A87", "#D08A3C", "#BBBBBB"
VETO_COLOUR = "#BBBBBB"
AWARD_COLOURS = {
    "一等奖": "#B8860B",
    "二等奖": "#6E7F80",
    "三等奖": "#A0522D",
    "先进单位": "#B22222",
    "优秀信息员": "#B22222",
}
DEFAULT_AWARD_COLOUR = "#B22222"
COMPONENTS = {  # score component -> colour; penalties (negative) stack to the left
    "points_submission": "#A9C0D6",
    "points_county": "#6F94BC",
    "points_city": "#2E5A87",
    "points_province": "#1B3A5C",
    "points_national": "#0B1F33",
    "points_instruction": "#D08A3C",
    "points_quota": "#4F8A6B",
    "points_lateness": "#E6A19E",
    "points_faults": PENALTY_COLOUR,
}
STAGES = ("submitted", "adopted_county", "adopted_city", "adopted_province", "adopted_national")
LEVELS = ("county", "city", "province", "national")


# --- shared machinery ---------------------------------------------------------------------


def _styled(plot):
    """Build the chart inside the evalkit rc settings, so no setting leaks out."""

    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(chart_rc()):
            return plot(*args, **kwargs)

    return wrapper


def save_figure(fig: Figure, path: str | Path) -> list[Path]:
    """Write ``fig`` as ``<path>.png`` (200 dpi) and ``<path>.svg``; return the two paths.

    Parameters
    ----------
    fig : Figure
        A chart from one of the ``plot_*`` functions.
    path : str or Path
        Target without suffix; missing folders are created.

    Returns
    -------
    list of Path
        The PNG and the SVG, in that order.
    """
    base = Path(path)
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with mpl.rc_context(chart_rc()):
        for fmt, metadata in (("png", {"Software": None}), ("svg", {"Date": None})):
            target = base.with_name(f"{base.name}.{fmt}")
            fig.savefig(target, format=fmt, dpi=200, metadata=metadata)
            written.append(target)
    return written


def _new_figure() -> Figure:
    return Figure(figsize=FIGSIZE, layout="constrained")


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks the columns {missing}; it has {list(frame.columns)}")


def _prefix(year, lang: str) -> str:
    return "" if year is None else label("year_prefix", lang, year=year)


def _title(fig: Figure, text: str) -> None:
    fig.suptitle(text, x=0.01, ha="left")


def _group_colours(groups) -> dict[str, str]:
    """A fixed colour per group: groups in sorted order take the palette in turn."""
    names = sorted(pd.unique(pd.Series(list(groups), dtype="str").dropna()))
    return {g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(names)}


def _tint(colour: str, amount: float = 0.55) -> tuple[float, float, float]:
    """Mix ``colour`` with white (amount 0 = colour, 1 = white)."""
    return tuple(c + (1 - c) * amount for c in to_rgb(colour))


def _one_group(frame: pd.DataFrame, group, what: str) -> tuple[pd.DataFrame, str]:
    """Rows of ``group``; with group None the frame must hold a single group."""
    groups = sorted(frame["group"].dropna().unique())
    if group is None:
        if len(groups) != 1:
            raise ValueError(f"{what} holds the groups {groups}: pass group=")
        group = groups[0]
    rows = frame[frame["group"] == group]
    if rows.empty:
        raise ValueError(f"{what} has no rows for group {group!r}; groups: {groups}")
    return rows, group


def _percent(share: float) -> str:
    """A share as a percentage with enough decimals to show it is not zero (0.03%)."""
    return f"{share:.1%}" if share == 0 or share >= 0.001 else f"{share:.2%}"


def _number_format(values) -> str:
    """'{:,.0f}' when all values are whole numbers, else one decimal."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return "{:,.0f}" if np.allclose(v, np.round(v)) else "{:,.1f}"


def _row_fontsize(rows: int, axes_height_in: float = 5.9) -> float:
    """A font size that fits ``rows`` text rows in an axes of the given height."""
    return float(np.clip(0.62 * axes_height_in * 72 / max(rows, 1), 9, 14))


def _panels(fig: Figure, n: int, max_rows: int = MAX_ROWS, sharex: bool = True):
    """Side-by-side axes for ``n`` rows; return the axes and the rows per panel."""
    n_panels = max(1, math.ceil(n / max_rows))
    rows = math.ceil(n / n_panels)
    axes = fig.subplots(1, n_panels, sharex=sharex, squeeze=False)[0]
    return list(axes), rows


def _chunks(frame: pd.DataFrame, rows: int):
    return [frame.iloc[i : i + rows] for i in range(0, len(frame), rows)]


def _shade(colour: str, amount: float = 0.3) -> tuple[float, float, float]:
    """Mix ``colour`` with black, for text in a group's colour that reads on white."""
    return tuple(c * (1 - amount) for c in to_rgb(colour))


def _colour_ticklabels(ax, groups, colours) -> None:
    """Write each y label in its group's (darkened) colour when several groups are shown."""
    if len(colours) < 2:
        return
    for text, group in zip(ax.get_yticklabels(), groups, strict=True):
        text.set_color(_shade(colours.get(group, "#222222")))


def _award_map(awards, kind: str, key: str, group=None) -> pd.Series:
    """``key`` (unit or informant) -> award name, from an awards frame (or empty)."""
    if awards is None or awards.empty:
        return pd.Series(dtype="str")
    _require(awards, ["kind", "award", key], "awards")
    rows = awards[awards["kind"] == kind]
    if group is not None and "group" in rows.columns:
        rows = rows[rows["group"] == group]
    return rows.drop_duplicates(key).set_index(key)["award"]


def _award_handles(awarded, lang: str) -> list[Patch]:
    """Legend entries of the awards in ``awarded``: known tiers in order, then others sorted."""
    names = set(pd.Series(awarded).dropna())
    ordered = [a for a in AWARD_COLOURS if a in names] + sorted(names - set(AWARD_COLOURS))
    return [
        Patch(color=AWARD_COLOURS.get(a, DEFAULT_AWARD_COLOUR), label=translate(a, lang))
        for a in ordered
    ]


def _top_legend(fig: Figure, handles) -> None:
    if handles:
        fig.legend(handles=handles, loc="outside upper right", ncols=len(handles))


def _ranked_bars(
    fig: Figure, data: pd.DataFrame, names: pd.Series, colours, award, lang: str
) -> list:
    """Horizontal bars of ``data.value`` in row order, split into panels, with value labels.

    ``data`` has ``value``, ``group``, ``vetoed`` (bool); ``names`` the y labels;
    ``colours`` the colour per group; ``award`` the award per row (or missing).
    """
    axes, rows = _panels(fig, len(data))
    fmt = _number_format(data["value"])
    size = _row_fontsize(rows)
    low, high = min(0.0, data["value"].min()), max(0.0, data["value"].max())
    span = (high - low) or 1.0
    has_awards = award.notna().any()
    pad = 0.34 if has_awards or data["vetoed"].any() else 0.14  # room for the marks
    for ax, part, part_names, part_award in zip(
        axes, _chunks(data, rows), _chunks(names, rows), _chunks(award, rows), strict=True
    ):
        y = np.arange(len(part))
        base = part["group"].map(colours)
        face = [
            VETO_COLOUR
            if vetoed
            else (c if (a is not None and pd.notna(a)) or not has_awards else _tint(c))
            for c, a, vetoed in zip(base, part_award, part["vetoed"], strict=True)
        ]
        bars = ax.barh(y, part["value"], color=face, height=0.72)
        for bar in np.asarray(bars.patches, dtype=object)[part["vetoed"].to_numpy()]:
            bar.set_hatch("///")
            bar.set_edgecolor("#888888")
        texts = ax.bar_label(
            bars, labels=[fmt.format(v) for v in part["value"]], padding=4, fontsize=size
        )
        for text, a, vetoed in zip(texts, part_award, part["vetoed"], strict=True):
            mark = (
                label("vetoed", lang) if vetoed else (translate(a, lang) if pd.notna(a) else None)
            )
            if mark:
                colour = PENALTY_COLOUR if vetoed else AWARD_COLOURS.get(a, DEFAULT_AWARD_COLOUR)
                ax.annotate(
                    mark,
                    xy=(1, 0.5),
                    xycoords=text,
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=size,
                    color=colour,
                    fontweight="bold",
                )
        ax.set_yticks(y, labels=part_names, fontsize=size)
        _colour_ticklabels(ax, part["group"], colours)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xlim(low - (0.08 * span if low < 0 else 0), high + pad * span)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        if low < 0:
            ax.axvline(0, color="#666666", linewidth=0.8)
    return axes


# --- charts -----------------------------------------------------------------------------


@_styled
def plot_ranking(
    scores: pd.DataFrame,
    awards: pd.DataFrame | None = None,
    group: str | None = None,
    *,
    year: int | None = None,
    lang: str = "zh",
    title: str | None = None,
) -> Figure:
    """Scores of one group as horizontal bars sorted by rank, with award and veto marks.

    Parameters
    ----------
    scores : DataFrame
        ``unit``, ``group``, ``score``, ``rank``; ``vetoed`` (bool) if any unit was vetoed.
    awards : DataFrame, optional
        ``kind`` ("unit"), ``award``, ``unit`` and ``group``: awarded bars are drawn
        in full colour with the award's name, the others lighter.
    group : str, optional
        The group to show; may be left out when ``scores`` holds one group.
    year : int, optional
        For the title ("2025年度乡镇组信息工作得分排名").
    lang : {"zh", "en"}
    title : str, optional
        Replaces the default title.

    Returns
    -------
    Figure
    """
    _require(scores, ["unit", "group", "score", "rank"], "scores")
    rows, group = _one_group(scores, group, "scores")
    data = rows.assign(
        value=rows["score"].astype(float),
        vetoed=rows["vetoed"].fillna(False).astype(bool) if "vetoed" in rows else False,
    ).sort_values(["rank", "score", "unit"], ascending=[True, False, True], kind="stable")
    award = data["unit"].map(_award_map(awards, "unit", "unit", group))
    names = data["rank"].map("{:.0f}".format) + "  " + data["unit"]
    fig = _new_figure()
    _ranked_bars(fig, data, names, _group_colours([group]), award, lang)
    fig.supxlabel(label("axis_score", lang))
    _top_legend(fig, _award_handles(award, lang))
    _title(
        fig,
        title
        or label("title_ranking", lang, prefix=_prefix(year, lang), group=translate(group, lang)),
    )
    return fig


@_styled
def plot_composition(
    scores: pd.DataFrame,
    group: str | None = None,
    top: int | None = None,
    *,
    year: int | None = None,
    lang: str = "zh",
    title: str | None = None,
) -> Figure:
    """Score composition of one group: stacked bars of points by source, penalties to the left.

    Parameters
    ----------
    scores : DataFrame
        ``unit``, ``group``, ``score``, ``rank`` and the ``points_*`` columns
        (``points_submission``, ``points_county``, ``points_city``, ``points_province``,
        ``points_national``, ``points_instruction``, ``points_quota``,
        ``points_lateness``, ``points_faults``; penalties negative). Missing or
        all-zero components are left out.
    group : str, optional
        The group to show; may be left out when ``scores`` holds one group.
    top : int, optional
        Show the best ``top`` units only.
    year : int, optional
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    _require(scores, ["unit", "group", "score", "rank"], "scores")
    rows, group = _one_group(scores, group, "scores")
    data = rows.sort_values(["rank", "score", "unit"], ascending=[True, False, True], kind="stable")
    if top is not None:
        data = data.head(top)
    parts = [c for c in COMPONENTS if c in data.columns and data[c].fillna(0).ne(0).any()]
    values = data.reindex(columns=parts).fillna(0).astype(float)
    fig = _new_figure()
    axes, rows_per_panel = _panels(fig, len(data))
    size = _row_fontsize(rows_per_panel)
    fmt = _number_format(data["score"])
    positive = values.clip(lower=0)
    negative = values.clip(upper=0)
    right, left = positive.sum(axis=1).max(), negative.sum(axis=1).min()
    span = (right - left) or 1.0
    for ax, idx in zip(axes, _chunks(data.index.to_series(), rows_per_panel), strict=True):
        y = np.arange(len(idx))
        for signed in (positive, negative):
            cumulative = signed.loc[idx].cumsum(axis=1)
            start = cumulative - signed.loc[idx]
            for part in parts:
                if signed.loc[idx, part].ne(0).any():
                    ax.barh(
                        y,
                        signed.loc[idx, part],
                        left=start[part],
                        height=0.72,
                        color=COMPONENTS[part],
                        label=label(part, lang),
                    )
        ends = positive.loc[idx].sum(axis=1)
        for yy, end, score in zip(y, ends, data.loc[idx, "score"], strict=True):
            ax.annotate(
                fmt.format(score),
                xy=(end, yy),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=size,
            )
        names = data.loc[idx, "rank"].map("{:.0f}".format) + "  " + data.loc[idx, "unit"]
        ax.set_yticks(y, labels=names, fontsize=size)
        ax.set_ylim(rows_per_panel - 0.5, -0.5)
        ax.set_xlim(left - (0.04 * span if left < 0 else 0), right + 0.14 * span)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        if left < 0:
            ax.axvline(0, color="#666666", linewidth=0.8)
    handles = [Patch(color=COMPONENTS[p], label=label(p, lang)) for p in parts]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5))
    _title(
        fig,
        title
        or label(
            "title_composition", lang, prefix=_prefix(year, lang), group=translate(group, lang)
        ),
    )
    return fig


def _funnel_counts(source, year) -> pd.Series:
    """Items per stage: from a Dataset (distinct items) or a frame of counts (rows summed)."""
    if isinstance(source, pd.DataFrame):
        _require(source, STAGES, "metrics")
        return source[list(STAGES)].sum().astype(int)
    items = source.submissions
    if year is not None:
        items = items[items["submitted_at"].dt.year == year]
    adopted = source.adoptions[source.adoptions["submission_id"].isin(items["submission_id"])]
    by_level = (
        adopted.assign(level=adopted["level"].astype("str"))
        .groupby("level")["submission_id"]
        .nunique()
    )
    counts = [items["submission_id"].nunique(), *by_level.reindex(LEVELS, fill_value=0)]
    return pd.Series(counts, index=list(STAGES), dtype="int64")


@_styled
def plot_adoption_funnel(
    metrics, *, year: int | None = None, lang: str = "zh", title: str | None = None
) -> Figure:
    """Items submitted, then adopted at county, city, province and national level (log scale).

    Parameters
    ----------
    metrics : DataFrame or Dataset
        A frame with ``submitted``, ``adopted_county``, ``adopted_city``,
        ``adopted_province``, ``adopted_national`` (its rows are summed: pass one
        row of totals for distinct items, since per-unit rows count a joint item
        once per unit); or a Dataset, whose distinct items submitted in ``year``
        are counted with their adoptions at each level.
    year : int, optional
        Filters a Dataset; names the year in the title.
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    counts = _funnel_counts(metrics, year)
    fig = _new_figure()
    ax = fig.subplots()
    x = np.arange(len(STAGES))
    colours = ["#A9C0D6", "#6F94BC", "#2E5A87", "#1B3A5C", "#0B1F33"]
    shown = counts.where(counts > 0)  # nothing to draw for 0 on a log axis
    bars = ax.bar(x, shown.fillna(0), color=colours, width=0.62)
    total = counts.iloc[0]
    texts = [f"{counts.iloc[0]:,}"] + [
        f"{count:,}\n{label('share_of_submitted', lang, share=_percent(count / max(total, 1)))}"
        for count in counts.iloc[1:]
    ]
    ax.bar_label(bars, labels=texts, padding=4, fontsize=15)
    ax.set_yscale("log")
    ax.set_ylim(0.5, max(total, 1) * 8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(
        x, labels=[label(f"stage_{s.removeprefix('adopted_')}", lang) for s in STAGES], fontsize=16
    )
    ax.set_ylabel(label("axis_items", lang))
    ax.grid(axis="y")
    ax.set_axisbelow(True)
    _title(fig, title or label("title_adoption_funnel", lang, prefix=_prefix(year, lang)))
    return fig


def _months_of(monthly: pd.DataFrame, year: int, column: str, trailing_gaps: bool) -> np.ndarray:
    """Values for months 1..12; with ``trailing_gaps`` months after the last non-zero are NaN."""
    rows = monthly[monthly["year"] == year].groupby("month")[column].sum()
    values = rows.reindex(range(1, 13)).fillna(0).to_numpy(dtype=float, copy=True)
    if trailing_gaps and values.any():
        values[np.flatnonzero(values)[-1] + 1 :] = np.nan
    return values


def _month_labels(ax, bars, values: np.ndarray) -> None:
    """Counts at the foot of tall bars (clear of the previous year's line), above short ones."""
    text = np.array(["" if np.isnan(v) else f"{v:,.0f}" for v in values], dtype=object)
    inside = np.nan_to_num(values) >= 0.15 * max(np.nanmax(np.append(values, 0)), 1)
    for bar, words, at_foot in zip(bars, text, inside, strict=True):
        x = bar.get_x() + bar.get_width() / 2
        ax.annotate(
            words,
            xy=(x, 0 if at_foot else bar.get_height()),
            xytext=(0, 6 if at_foot else 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=11,
            color="white" if at_foot else "#222222",
        )


@_styled
def plot_monthly(
    monthly: pd.DataFrame, year: int, *, lang: str = "zh", title: str | None = None
) -> Figure:
    """Items submitted and adopted per month in ``year`` (bars) against the year before (line).

    Parameters
    ----------
    monthly : DataFrame
        ``year``, ``month`` (1-12), ``submitted``, ``adopted``. The previous
        year is drawn when present. Zero months after the last month with data
        of ``year`` are treated as not yet reported.
    year : int
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    _require(monthly, ["year", "month", "submitted", "adopted"], "monthly")
    previous = year - 1
    has_previous = monthly["year"].eq(previous).any()
    fig = _new_figure()
    axes = fig.subplots(1, 2)
    months = np.arange(1, 13)
    for ax, column, colour in zip(
        axes, ("submitted", "adopted"), ("#2E5A87", "#D08A3C"), strict=True
    ):
        this = _months_of(monthly, year, column, trailing_gaps=True)
        bars = ax.bar(
            months,
            np.nan_to_num(this),
            color=colour,
            width=0.66,
            label=label("year_label", lang, year=year),
        )
        heading = (
            f"{label(column, lang)}  {label('n_items_short', lang, n=f'{np.nansum(this):,.0f}')}"
        )
        if has_previous:
            before = _months_of(monthly, previous, column, trailing_gaps=False)
            ax.plot(
                months,
                before,
                color=PREVIOUS_COLOUR,
                linestyle="--",
                marker="o",
                linewidth=2,
                label=label("year_label", lang, year=previous),
            )
            if before.sum() > 0:
                change = np.nansum(this) / before.sum() - 1
                heading += label(
                    "against_previous",
                    lang,
                    previous=previous,
                    total=f"{before.sum():,.0f}",
                    change=f"{change:+.1%}",
                )
        _month_labels(ax, bars, this)
        ax.set_title(heading, fontsize=15)
        ax.set_xticks(months, labels=[label(f"month.{m}", lang) for m in months])
        ax.set_ylim(0, ax.get_ylim()[1] * 1.08)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(axis="y")
        ax.set_axisbelow(True)
        handles, names = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], names[::-1], loc="upper left")  # this year first
    if has_previous:
        text = label("title_monthly", lang, year=year, previous=previous)
    else:
        text = label("title_monthly_single", lang, year=year)
    _title(fig, title or text)
    return fig


@_styled
def plot_funnel(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    year: int | None = None,
    label_max: int = 12,
    lang: str = "zh",
    title: str | None = None,
) -> Figure:
    """Funnel plot: each unit's adoption rate against its items submitted, with control limits.

    Units outside the 95% limits are ringed and named (the ``label_max`` farthest
    out, by their distance past the limit relative to the funnel's width).

    Parameters
    ----------
    points : DataFrame
        ``unit``, ``group``, ``submitted``, ``rate`` (0-1); ``adopted`` is not needed.
    limits : DataFrame
        ``n``, ``p`` (the overall rate), ``lo95``, ``hi95``, ``lo998``, ``hi998``, by ``n``.
    year : int, optional
    label_max : int
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    _require(points, ["unit", "group", "submitted", "rate"], "points")
    _require(limits, ["n", "p", "lo95", "hi95", "lo998", "hi998"], "limits")
    limits = limits.sort_values("n", kind="stable")
    data = points.dropna(subset=["rate"]).sort_values(["submitted", "unit"], kind="stable")
    n = data["submitted"].astype(float)
    lo95, hi95 = (np.interp(n, limits["n"], limits[c]) for c in ("lo95", "hi95"))
    width = np.maximum(hi95 - lo95, 1e-9)
    beyond = np.maximum(lo95 - data["rate"], data["rate"] - hi95) / width
    outside = data.assign(beyond=beyond)
    outside = outside[outside["beyond"] > 0].nlargest(label_max, "beyond", keep="first")

    fig = _new_figure()
    ax = fig.subplots()
    colours = _group_colours(data["group"])
    ax.fill_between(
        limits["n"],
        limits["lo998"].clip(0, 1),
        limits["hi998"].clip(0, 1),
        color="#EEF2F6",
        label=label("limits_998", lang),
    )
    ax.fill_between(
        limits["n"],
        limits["lo95"].clip(0, 1),
        limits["hi95"].clip(0, 1),
        color="#D9E2EC",
        label=label("limits_95", lang),
    )
    ax.plot(limits["n"], limits["p"], color="#555555", linewidth=1.5, label=label("average", lang))
    for group, colour in colours.items():
        rows = data[data["group"] == group]
        ax.scatter(
            rows["submitted"],
            rows["rate"],
            s=60,
            color=colour,
            zorder=3,
            label=translate(group, lang),
            edgecolor="white",
            linewidth=0.8,
        )
    ax.scatter(
        outside["submitted"],
        outside["rate"],
        s=150,
        facecolor="none",
        edgecolor="#222222",
        linewidth=1.4,
        zorder=4,
    )
    ax.set_xlim(0, max(limits["n"].max(), n.max()) * 1.03)
    ax.set_ylim(0, min(1.0, max(data["rate"].max(), limits["hi95"].max()) * 1.1))
    _label_points(ax, outside, np.interp(outside["submitted"], limits["n"], limits["p"]), colours)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(label("axis_submitted", lang))
    ax.set_ylabel(label("axis_rate", lang))
    handles, _ = ax.get_legend_handles_labels()
    _top_legend(fig, handles)
    _title(fig, title or label("title_funnel", lang, prefix=_prefix(year, lang)))
    return fig


_LABEL_SIZE = 12  # points


def _label_offsets(x, y, widths, up, height: float = _LABEL_SIZE * 1.3) -> np.ndarray:
    """Vertical offsets (points) that keep labels at (x, y) (points) from overlapping.

    Labels go above their point when ``up`` and below otherwise; taken from the
    centre outwards, each moves away from the centre until it clears the ones placed.
    """
    x, y, widths, up = (np.asarray(v, dtype=float) for v in (x, y, widths, up))
    up = up.astype(bool)
    start = np.where(up, 8.0, -8.0 - height)  # bottom edge of each label, relative to its point
    placed: list[tuple[float, float, float]] = []  # left, bottom, width
    offsets = np.empty(len(x))
    for i in np.lexsort((np.where(up, y, -y),)):
        left, bottom = x[i] + 8, y[i] + start[i]
        step = height if up[i] else -height
        while any(
            abs(left - pl) < max(widths[i], pw) and abs(bottom - pb) < height
            for pl, pb, pw in placed
        ):
            bottom += step
        placed.append((left, bottom, widths[i]))
        offsets[i] = bottom - y[i]
    return offsets


def _label_points(ax, points: pd.DataFrame, centre, colours) -> None:
    """Name the ``points`` (``submitted``, ``rate``, ``unit``, ``group``) without overlaps."""
    if points.empty:
        return
    # Approximate the axes in points (constrained layout settles it at draw time).
    width_pt, height_pt = FIGSIZE[0] * 72 * 0.88, FIGSIZE[1] * 72 * 0.8
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    x = (points["submitted"].to_numpy(dtype=float) - x0) / (x1 - x0) * width_pt
    y = (points["rate"].to_numpy(dtype=float) - y0) / (y1 - y0) * height_pt
    widths = points["unit"].str.len().to_numpy() * _LABEL_SIZE
    up = points["rate"].to_numpy() > np.asarray(centre)
    offsets = _label_offsets(x, y, widths, up)
    for unit, group, xx, yy, dy in zip(
        points["unit"], points["group"], points["submitted"], points["rate"], offsets, strict=True
    ):
        moved = abs(dy) > 8 + _LABEL_SIZE * 1.3 + 1
        ax.annotate(
            unit,
            xy=(xx, yy),
            xytext=(8, dy),
            textcoords="offset points",
            va="bottom",
            fontsize=_LABEL_SIZE,
            color=_shade(colours[group], 0.15),
            arrowprops={"arrowstyle": "-", "color": "#888888", "lw": 0.6} if moved else None,
        )


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
_TIMELINESS_ORDER = ("urgent", "commissioned", "research", "ordinary")
_STATUS_COLOURS = {"on_time": "#2E5A87", "late": PENALTY_COLOUR, "no_deadline": PREVIOUS_COLOUR}


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
    for key, colour in _STATUS_COLOURS.items():
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


def _timeliness_panel(ax, rows: pd.DataFrame, category: str, lang: str) -> None:
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


@_styled
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
    _require(lags, ["category", "lag_hours", "deadline_hours", "late"], "lags")
    present = set(lags["category"].dropna())
    if not present:
        raise ValueError("lags has no rows with a category")
    categories = [c for c in _TIMELINESS_ORDER if c in present] + sorted(
        present - set(_TIMELINESS_ORDER)
    )
    late = lags["late"].astype("boolean")
    status = np.select(
        [late.eq(True).fillna(False), late.eq(False).fillna(False)],
        ["late", "on_time"],
        "no_deadline",
    )
    data = lags.assign(status=status, hours=lags["lag_hours"].astype(float).clip(lower=1 / 60))
    fig = _new_figure()
    shape = (2, 2) if len(categories) == 4 else (1, len(categories))
    axes = fig.subplots(*shape, squeeze=False).ravel()
    for ax, category in zip(axes, categories, strict=False):
        _timeliness_panel(ax, data[data["category"] == category], category, lang)
    for ax in axes[len(categories) :]:
        ax.set_visible(False)
    shown = set(data["status"])
    _top_legend(
        fig,
        [Patch(color=c, label=label(k, lang)) for k, c in _STATUS_COLOURS.items() if k in shown],
    )
    fig.supylabel(label("axis_count", lang))
    _title(fig, title or label("title_timeliness", lang, prefix=_prefix(year, lang)))
    return fig


def unit_month_counts(dataset, year: int) -> pd.DataFrame:
    """Items submitted per unit and month of ``year``; a joint item counts for each of its units.

    Parameters
    ----------
    dataset : Dataset
    year : int

    Returns
    -------
    DataFrame
        ``unit``, ``group``, ``month`` (1-12), ``value``: one row per unit of
        ``dataset.units`` and month, zeros included, in unit order then month.
    """
    items = dataset.submissions[["submission_id", "submitted_at"]]
    items = items[items["submitted_at"].dt.year == year]
    pairs = dataset.submission_units[["submission_id", "unit"]].merge(items, on="submission_id")
    counts = pairs.groupby(["unit", pairs["submitted_at"].dt.month.rename("month")]).size()
    units = dataset.units[["unit", "group"]]
    grid = pd.MultiIndex.from_product([units["unit"], range(1, 13)], names=["unit", "month"])
    table = counts.reindex(grid, fill_value=0).rename("value").reset_index()
    return table.merge(units, on="unit", how="left")[["unit", "group", "month", "value"]]


@_styled
def plot_heatmap(data, year: int, *, lang: str = "zh", title: str | None = None) -> Figure:
    """Items submitted per unit (rows) and month (columns), with the count in each cell.

    Units are sorted by group, then by their year total (largest first); long
    lists split into side-by-side panels. Unit names take their group's colour.

    Parameters
    ----------
    data : Dataset or DataFrame
        A Dataset (counted with :func:`unit_month_counts`), or a frame with
        ``unit``, ``month`` (1-12), ``value`` and optionally ``group``.
    year : int
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    frame = data if isinstance(data, pd.DataFrame) else unit_month_counts(data, year)
    _require(frame, ["unit", "month", "value"], "heatmap data")
    if "group" not in frame.columns:
        frame = frame.assign(group="")
    grid = frame.pivot_table(
        index=["group", "unit"], columns="month", values="value", aggfunc="sum", fill_value=0
    ).reindex(columns=range(1, 13), fill_value=0)
    order = grid.assign(_total=grid.sum(axis=1)).reset_index()
    order = order.sort_values(
        ["group", "_total", "unit"], ascending=[True, False, True], kind="stable"
    )
    grid = grid.loc[list(zip(order["group"], order["unit"], strict=True))]
    fig = _new_figure()
    axes, rows = _panels(fig, len(grid), max_rows=HEATMAP_MAX_ROWS, sharex=False)
    size = _row_fontsize(rows)
    fmt = _number_format(grid.to_numpy())
    vmax = max(float(grid.to_numpy().max()), 1.0)
    colours = _group_colours(grid.index.get_level_values("group"))
    cmap = mpl.colormaps["Blues"]
    for ax, part in zip(axes, _chunks(grid, rows), strict=True):
        values = part.to_numpy(dtype=float)
        image = ax.imshow(
            values,
            cmap=cmap,
            vmin=0,
            vmax=vmax,
            aspect="auto",
            extent=(0.5, 12.5, len(part) - 0.5, -0.5),
        )
        ys, xs = np.indices(values.shape)
        for y, x, v in zip(ys.ravel(), xs.ravel(), values.ravel(), strict=True):
            ax.text(
                x + 1,
                y,
                fmt.format(v),
                ha="center",
                va="center",
                fontsize=size * 0.85,
                color="white" if v > 0.6 * vmax else "#222222",
                in_layout=False,  # inside the axes: constrained layout need not measure them
            )
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_yticks(
            np.arange(len(part)), labels=part.index.get_level_values("unit"), fontsize=size
        )
        _colour_ticklabels(ax, part.index.get_level_values("group"), colours)
        ax.set_xticks(
            np.arange(1, 13),
            labels=[str(m) for m in range(1, 13)],
            fontsize=size,
        )
        ax.set_xlabel(label("axis_month", lang), fontsize=size)
        ax.xaxis.tick_top()
        ax.xaxis.set_label_position("top")
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
    groups = [g for g in colours if g]
    if len(groups) > 1:
        _top_legend(fig, [Patch(color=colours[g], label=translate(g, lang)) for g in groups])
    fig.colorbar(image, ax=axes, shrink=0.6, pad=0.01, label=label("axis_count", lang))
    _title(fig, title or label("title_heatmap", lang, year=year))
    return fig


@_styled
def plot_top_informants(
    informant_scores: pd.DataFrame,
    n: int = 20,
    awards: pd.DataFrame | None = None,
    *,
    group: str | None = None,
    year: int | None = None,
    lang: str = "zh",
    title: str | None = None,
) -> Figure:
    """The ``n`` best informants as horizontal bars, named with their unit, coloured by group.

    Parameters
    ----------
    informant_scores : DataFrame
        ``informant``, ``unit``, ``group``, ``score``, ``rank``.
    n : int
    awards : DataFrame, optional
        ``kind`` ("informant"), ``award``, ``informant``: awarded people are marked.
    group : str, optional
        Only this group's informants (all by default).
    year : int, optional
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    _require(informant_scores, ["informant", "unit", "group", "score", "rank"], "informant_scores")
    rows = informant_scores
    if group is not None:
        rows, group = _one_group(rows, group, "informant_scores")
    data = rows.sort_values(
        ["rank", "score", "informant"], ascending=[True, False, True], kind="stable"
    ).head(n)
    data = data.assign(value=data["score"].astype(float), vetoed=False)
    award = data["informant"].map(_award_map(awards, "informant", "informant"))
    names = (
        data["rank"].map("{:.0f}".format)
        + "  "
        + [
            label("unit_of_informant", lang, informant=i, unit=u)
            for i, u in zip(data["informant"], data["unit"], strict=True)
        ]
    )
    fig = _new_figure()
    colours = _group_colours(informant_scores["group"])
    _ranked_bars(fig, data, pd.Series(names, index=data.index), colours, award, lang)
    fig.supxlabel(label("axis_score", lang))
    handles = [
        Patch(color=colours[g], label=translate(g, lang))
        for g in colours
        if g in set(data["group"])
    ]
    _top_legend(fig, handles + _award_handles(award, lang))
    _title(
        fig, title or label("title_top_informants", lang, prefix=_prefix(year, lang), n=len(data))
    )
    return fig


@_styled
def plot_bump(
    compare_table: pd.DataFrame,
    label_a: str | None = None,
    label_b: str | None = None,
    group: str | None = None,
    *,
    highlight: int = 3,
    lang: str = "zh",
    title: str | None = None,
) -> Figure:
    """Ranks of one group's units under two rule sets, joined by lines (a bump chart).

    Units that rise or fall by at least ``highlight`` places are coloured.

    Parameters
    ----------
    compare_table : DataFrame
        ``unit``, ``group``, ``rank_a``, ``rank_b``; units without both ranks are left out.
    label_a, label_b : str, optional
        Names of the two rule sets ("方案A", "方案B" by default).
    group : str, optional
        May be left out when the table holds one group.
    highlight : int
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    _require(compare_table, ["unit", "group", "rank_a", "rank_b"], "compare_table")
    label_a = label_a or label("rule_a", lang)
    label_b = label_b or label("rule_b", lang)
    rows, group = _one_group(
        compare_table.dropna(subset=["rank_a", "rank_b"]), group, "compare_table"
    )
    left = rows.sort_values(["rank_a", "unit"], kind="stable")["unit"].reset_index(drop=True)
    right = rows.sort_values(["rank_b", "unit"], kind="stable")["unit"].reset_index(drop=True)
    place = (
        pd.DataFrame({"unit": left, "y_a": left.index})
        .merge(pd.DataFrame({"unit": right, "y_b": right.index}), on="unit")
        .merge(rows[["unit", "rank_a", "rank_b"]], on="unit")
    )
    change = place["rank_a"] - place["rank_b"]  # positive: a better place under B
    rises, falls = change >= highlight, change <= -highlight
    colour = np.select([rises, falls], [RISE_COLOUR, FALL_COLOUR], STEADY_COLOUR)
    moved = (rises | falls).to_numpy()
    fig = _new_figure()
    ax = fig.subplots()
    size = _row_fontsize(len(place), axes_height_in=6.4)
    segments = np.stack(
        [
            np.column_stack([np.zeros(len(place)), place["y_a"]]),
            np.column_stack([np.ones(len(place)), place["y_b"]]),
        ],
        axis=1,
    )
    order = np.argsort(moved, kind="stable")  # moved units drawn last, on top
    ax.add_collection(
        LineCollection(
            segments[order], colors=colour[order], linewidths=np.where(moved, 2.6, 1.2)[order]
        )
    )
    for x, side in ((0, "y_a"), (1, "y_b")):
        ax.scatter(
            np.full(len(place), x)[order],
            place[side].to_numpy()[order],
            c=colour[order],
            s=np.where(moved, 36, 14)[order],
            zorder=3,
        )
    text_colour = [_shade(c) if c != STEADY_COLOUR else "#222222" for c in colour]
    ranks_a = place["rank_a"].map("{:.0f}".format)
    ranks_b = place["rank_b"].map("{:.0f}".format)
    for unit, y_a, y_b, rank_a, rank_b, c in zip(
        place["unit"], place["y_a"], place["y_b"], ranks_a, ranks_b, text_colour, strict=True
    ):
        ax.text(-0.03, y_a, f"{rank_a}  {unit}", ha="right", va="center", fontsize=size, color=c)
        ax.text(1.03, y_b, f"{unit}  {rank_b}", ha="left", va="center", fontsize=size, color=c)
    for x, heading in ((0, label_a), (1, label_b)):
        ax.text(x, -1.2, heading, ha="center", va="bottom", fontsize=15, fontweight="bold")
    ax.set_xlim(-0.75, 1.75)
    ax.set_ylim(len(place) - 0.5, -1.6)
    ax.set_axis_off()
    _top_legend(
        fig,
        [
            Patch(color=RISE_COLOUR, label=label("rises", lang, n=highlight)),
            Patch(color=FALL_COLOUR, label=label("falls", lang, n=highlight)),
        ],
    )
    _title(
        fig,
        title
        or label(
            "title_bump", lang, group=translate(group, lang), label_a=label_a, label_b=label_b
        ),
    )
    return fig
