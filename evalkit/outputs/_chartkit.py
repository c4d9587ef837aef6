"""Shared machinery of :mod:`evalkit.outputs.plots`: style, figures, colours, panels, labels, marks.

The ``plot_*`` functions build each chart from these pieces: :func:`styled`
draws a chart inside the evalkit rc settings (:func:`evalkit.outputs._fonts.chart_rc`)
and nothing leaks out; :func:`new_figure` gives the 16:9 figure; :func:`panels`
and :func:`chunks` split a long list into side-by-side panels of at most
:data:`MAX_ROWS` rows; :func:`ranked_bars` draws ranked horizontal bars with
value labels and award or veto marks; the colours of groups, awards, score
components and timeliness are fixed here. The data helpers
(:func:`unit_month_counts`, :func:`funnel_counts`) count what a chart shows.
"""

from __future__ import annotations

import functools
import io
import math
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.textpath import TextPath
from matplotlib.ticker import MaxNLocator, NullFormatter
from matplotlib.transforms import Affine2D, IdentityTransform

from evalkit.outputs._excel import replace_atomically
from evalkit.outputs._fonts import chart_rc, embolden
from evalkit.outputs._labels import enum_label, label, translate, veto_suffix

FIGSIZE = (13.333, 7.5)
MAX_ROWS = 25  # bars per panel before a list splits into side-by-side panels
HEATMAP_MAX_ROWS = 30

GROUP_COLOURS = ("#2E5A87", "#D08A3C", "#4F8A6B", "#8A5A83", "#6B6B6B", "#A23B3B")
PREVIOUS_COLOUR = "#9A9A9A"
PENALTY_COLOUR = "#C0504D"
RISE_COLOUR, FALL_COLOUR, STEADY_COLOUR = "#2E5A87", "#D08A3C", "#BBBBBB"
VETO_COLOUR = "#BBBBBB"
VETO_EDGE = "#8C8C8C"
AWARD_COLOURS = {
    "一等奖": "#B8860B",
    "二等奖": "#6E7F80",
    "三等奖": "#A0522D",
    "先进单位": "#B22222",
    "优秀信息员": "#B22222",
}
DEFAULT_AWARD_COLOUR = "#B22222"
# Score components in hues that stay apart on a projector (Tableau 10): the levels are
# not shades of one blue. Penalties (negative) stack to the left, in reds and pinks.
COMPONENTS = {
    "points_submission": "#BAB0AC",
    "points_county": "#4E79A7",
    "points_city": "#76B7B2",
    "points_province": "#B07AA1",
    "points_national": "#9C755F",
    "points_instruction": "#F28E2B",
    "points_quota": "#59A14F",
    "points_quota_penalty": "#EDC948",  # the negative side of points_quota
    "points_lateness": "#FF9DA7",
    "points_faults": "#E15759",
    "points_adjustment": "#8C8C8C",  # score shaping: base, floor, cap, weight, scale
}
STAGES = ("submitted", "adopted_county", "adopted_city", "adopted_province", "adopted_national")
LEVELS = ("county", "city", "province", "national")


# --- shared machinery ---------------------------------------------------------------------


def styled(plot):
    """Build the chart inside the evalkit rc settings, so no setting leaks out."""

    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(chart_rc()):
            return plot(*args, **kwargs)

    return wrapper


def save_figure(
    fig: Figure, path: str | Path, formats=("png", "svg"), dpi: int = 200
) -> list[Path]:
    """Write ``fig`` as ``<path>.png`` (200 dpi) and ``<path>.svg``; return the paths.

    Parameters
    ----------
    fig : Figure
        A chart from one of the ``plot_*`` functions.
    path : str or Path
        Target without suffix; missing folders are created.
    formats : sequence of {"png", "svg"}
        The files to write, in this order.
    dpi : int
        Resolution of the PNG (150 gives 1,999 x 1,125 pixels, enough for a projector).

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.
    """
    base = Path(path)
    metadata = {"png": {"Software": None}, "svg": {"Date": None}}
    written = []
    with mpl.rc_context(chart_rc()):
        for fmt in formats:
            # Rendered in memory and moved into place: a failed run never truncates a chart.
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata[fmt])
            target = base.with_name(f"{base.name}.{fmt}")
            written.append(replace_atomically(target, buffer.getvalue()))
    return written


class _Figure(Figure):
    """A figure that gives bold text synthetic bold where the font has no bold face."""

    def draw(self, renderer):
        embolden(self)
        super().draw(renderer)


def new_figure() -> Figure:
    return _Figure(figsize=FIGSIZE, layout="constrained")


def require_columns(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks the columns {missing}; it has {list(frame.columns)}")


def add_title(
    fig: Figure, title: str | None, key: str, lang: str, *, year=None, group=None, **fields
) -> None:
    """Title the chart at its top left: ``title`` if given, else the template ``key``.

    The template may use ``{prefix}`` ("2025年度", or nothing without a year),
    ``{year}``, ``{group}`` (translated for ``lang``) and the other ``fields``.
    """
    if not title:
        prefix = "" if year is None else label("year_prefix", lang, year=year)
        group = None if group is None else translate(group, lang)
        title = label(key, lang, prefix=prefix, year=year, group=group, **fields)
    fig.suptitle(title, x=0.01, ha="left")


def ranked_names(
    rank: pd.Series, name: pd.Series, vetoed: pd.Series | None = None, lang: str = "zh"
) -> pd.Series:
    """Row labels "<rank>  <name>", as every ranked chart shows them.

    A vetoed unit has no place in the ranking: its label is its name and the veto mark.
    """
    names = rank.map("{:.0f}".format) + "  " + name
    if vetoed is not None:
        vetoed = vetoed.fillna(False).astype(bool)
        names = names.where(~vetoed, name + veto_suffix(lang))
    return names


def veto_handle(lang: str) -> Patch:
    """The legend entry of a vetoed unit's bar: an empty hatched bar, as drawn."""
    return Patch(facecolor="white", edgecolor=VETO_EDGE, hatch="///", label=label("vetoed", lang))


def style_vetoed(bar) -> None:
    """A vetoed unit's bar: outline and hatching only, so it never reads as the best bar."""
    bar.set_facecolor("white")
    bar.set_hatch("///")
    bar.set_edgecolor(VETO_EDGE)


def group_colours(groups) -> dict[str, str]:
    """A fixed colour per group: groups in sorted order take the palette in turn."""
    names = sorted(pd.unique(pd.Series(list(groups), dtype="str").dropna()))
    return {g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(names)}


def tint(colour: str, amount: float = 0.55) -> tuple[float, float, float]:
    """Mix ``colour`` with white (amount 0 = colour, 1 = white)."""
    return tuple(c + (1 - c) * amount for c in to_rgb(colour))


def one_group(frame: pd.DataFrame, group, what: str) -> tuple[pd.DataFrame, str]:
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


def percent(share: float) -> str:
    """A share as a percentage with enough decimals to show it is not zero (0.03%)."""
    return f"{share:.1%}" if share == 0 or share >= 0.001 else f"{share:.2%}"


def number_format(values) -> str:
    """'{:,.0f}' when all values are whole numbers, else one decimal."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return "{:,.0f}" if np.allclose(v, np.round(v)) else "{:,.1f}"


def row_fontsize(rows: int, axes_height_in: float = 5.9) -> float:
    """A font size that fits ``rows`` text rows in an axes of the given height."""
    return float(np.clip(0.62 * axes_height_in * 72 / max(rows, 1), 9, 14))


def panels(fig: Figure, n: int, max_rows: int = MAX_ROWS, sharex: bool = True):
    """Side-by-side axes for ``n`` rows; return the axes and the rows per panel."""
    n_panels = max(1, math.ceil(n / max_rows))
    rows = math.ceil(n / n_panels)
    axes = fig.subplots(1, n_panels, sharex=sharex, squeeze=False)[0]
    return list(axes), rows


def chunks(frame: pd.DataFrame, rows: int):
    return [frame.iloc[i : i + rows] for i in range(0, len(frame), rows)]


def shade(colour: str, amount: float = 0.3) -> tuple[float, float, float]:
    """Mix ``colour`` with black, for text in a group's colour that reads on white."""
    return tuple(c * (1 - amount) for c in to_rgb(colour))


def colour_ticklabels(ax, groups, colours) -> None:
    """Write each y label in its group's (darkened) colour when several groups are shown."""
    if len(colours) < 2:
        return
    for text, group in zip(ax.get_yticklabels(), groups, strict=True):
        text.set_color(shade(colours.get(group, "#222222")))


def cell_labels(ax, values: np.ndarray, fmt: str, size: float, light_above: float) -> None:
    """Write each cell's value at the cell's centre, as glyph outlines: one artist per value.

    ``values[r, c]`` is written at data point ``(c + 1, r)`` (an image with
    extent ``(0.5, n_columns + 0.5, n_rows - 0.5, -0.5)``), centred on its ink,
    in ``size`` points, white above ``light_above`` and near-black otherwise.
    A collection per distinct value stamps that value's outline on all its
    cells: hundreds of labels draw in milliseconds, where a Text per cell takes
    about a second per file format, and the SVG defines each outline once.
    """
    prop = FontProperties(size=size)  # the family of the chart's rc settings
    rows, columns = np.indices(values.shape)
    for value in np.unique(values):
        text = fmt.format(value)
        path = TextPath((0, 0), text, prop=prop)
        (x0, y0), (x1, y1) = path.get_extents().get_points()
        at = values == value
        collection = PathCollection(
            [path.transformed(Affine2D().translate(-(x0 + x1) / 2, -(y0 + y1) / 2))],
            sizes=[1.0],  # path units are points, scaled by the figure's dpi when drawn
            offsets=np.column_stack([columns[at] + 1, rows[at]]),
            offset_transform=ax.transData,
            transform=IdentityTransform(),
            facecolors="white" if value > light_above else "#222222",
            edgecolors="none",
            label=f"_cells {text}",  # "_": never in a legend; names the value for readers
        )
        collection.set_in_layout(False)  # inside the axes: constrained layout need not measure it
        ax.add_collection(collection, autolim=False)


def award_map(awards, kind: str, key: str, group=None) -> pd.Series:
    """``key`` (unit or informant) -> award name, from an awards frame (or empty)."""
    if awards is None or awards.empty:
        return pd.Series(dtype="str")
    require_columns(awards, ["kind", "award", key], "awards")
    rows = awards[awards["kind"] == kind]
    if group is not None and "group" in rows.columns:
        rows = rows[rows["group"] == group]
    return rows.drop_duplicates(key).set_index(key)["award"]


def award_handles(awarded, lang: str) -> list[Patch]:
    """Legend entries of the awards in ``awarded``: known tiers in order, then others sorted."""
    names = set(pd.Series(awarded).dropna())
    ordered = [a for a in AWARD_COLOURS if a in names] + sorted(names - set(AWARD_COLOURS))
    return [
        Patch(color=AWARD_COLOURS.get(a, DEFAULT_AWARD_COLOUR), label=translate(a, lang))
        for a in ordered
    ]


def x_label(fig: Figure, text: str) -> None:
    """The x axis label under every panel (not one figure label, which the legend would cover)."""
    for ax in fig.axes:
        if ax.get_visible():
            ax.set_xlabel(text)


def top_legend(fig: Figure, handles) -> None:
    """The chart's legend, in one row under the chart: never over the title or the bars."""
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6))


def ranked_bars(
    fig: Figure, data: pd.DataFrame, names: pd.Series, colours, award, lang: str
) -> list:
    """Horizontal bars of ``data.value`` in row order, split into panels, with value labels.

    ``data`` has ``value``, ``group``, ``vetoed`` (bool); ``names`` the y labels;
    ``colours`` the colour per group; ``award`` the award per row (or missing).
    """
    axes, rows = panels(fig, len(data))
    fmt = number_format(data["value"])
    size = row_fontsize(rows)
    low, high = min(0.0, data["value"].min()), max(0.0, data["value"].max())
    span = (high - low) or 1.0
    has_awards = award.notna().any()
    pad = 0.34 if has_awards or data["vetoed"].any() else 0.14  # room for the marks
    for ax, part, part_names, part_award in zip(
        axes, chunks(data, rows), chunks(names, rows), chunks(award, rows), strict=True
    ):
        y = np.arange(len(part))
        base = part["group"].map(colours)
        face = [
            c if (a is not None and pd.notna(a)) or not has_awards else tint(c)
            for c, a in zip(base, part_award, strict=True)
        ]
        bars = ax.barh(y, part["value"], color=face, height=0.72)
        for bar in np.asarray(bars.patches, dtype=object)[part["vetoed"].to_numpy()]:
            style_vetoed(bar)
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
        colour_ticklabels(ax, part["group"], colours)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xlim(low - (0.08 * span if low < 0 else 0), high + pad * span)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        if low < 0:
            ax.axvline(0, color="#666666", linewidth=0.8)
    return axes


def funnel_counts(source, year) -> pd.Series:
    """Items per stage: from a Dataset (distinct items) or a frame of counts (rows summed).

    From a Dataset, "adopted at a level" has the one meaning the workbook and
    the bulletin give it (:func:`evalkit.metrics.adopted_items`): distinct items
    with an adoption at that level made in ``year``, whenever they were submitted.
    """
    if isinstance(source, pd.DataFrame):
        require_columns(source, STAGES, "metrics")
        return source[list(STAGES)].sum().astype(int)
    from evalkit.metrics import adopted_items

    items = source.submissions
    if year is not None:
        items = items[items["submitted_at"].dt.year == year]
    adopted = adopted_items(source, year=year)
    by_level = (
        adopted.assign(level=adopted["level"].astype("str"))
        .groupby("level")["submission_id"]
        .nunique()
    )
    counts = [items["submission_id"].nunique(), *by_level.reindex(LEVELS, fill_value=0)]
    return pd.Series(counts, index=list(STAGES), dtype="int64")


def months_of(monthly: pd.DataFrame, year: int, column: str, trailing_gaps: bool) -> np.ndarray:
    """Values for months 1..12; with ``trailing_gaps`` months after the last non-zero are NaN."""
    rows = monthly[monthly["year"] == year].groupby("month")[column].sum()
    values = rows.reindex(range(1, 13)).fillna(0).to_numpy(dtype=float, copy=True)
    if trailing_gaps and values.any():
        values[np.flatnonzero(values)[-1] + 1 :] = np.nan
    return values


def month_labels(ax, bars, values: np.ndarray) -> None:
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


def label_points(ax, points: pd.DataFrame, centre, colours) -> None:
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
            color=shade(colours[group], 0.15),
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
