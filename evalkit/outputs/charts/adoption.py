"""Adoption charts: items adopted at each level, and the funnel plot of adoption rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter, PercentFormatter

from evalkit.outputs._chartkit import (
    FIGSIZE,
    LEVELS,
    STAGES,
    add_title,
    group_colours,
    new_figure,
    percent,
    require_columns,
    shade,
    styled,
    top_legend,
)
from evalkit.outputs._labels import label, translate


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


_LABEL_SIZE = 12  # points


_STACK_GAP = 30  # points: the names of a stack stand off from their points, to the right


def _label_offsets(x, y, widths, up, height: float = _LABEL_SIZE * 1.3):
    """Offsets (points) that keep labels at (x, y) (points) from overlapping, and which
    labels are in a stack (moved, or in the way of one that moved).

    Labels go above their point when ``up`` and below otherwise; taken from the centre
    outwards, each moves away from the centre until it clears the ones placed. The names
    of a stack then stand :data:`_STACK_GAP` further right and are placed again: joined
    to their points by lines that leave to the side, not across the points above.
    Returns the horizontal and vertical offsets and the stacked mask.
    """
    x, y, widths, up = (np.asarray(v, dtype=float) for v in (x, y, widths, up))
    up = up.astype(bool)
    start = np.where(up, 8.0, -8.0 - height)  # bottom edge of each label, relative to its point

    def place(dx):
        placed: list[tuple[int, float, float, float]] = []  # label, left, bottom, width
        dy, stacked = np.empty(len(x)), np.zeros(len(x), dtype=bool)
        for i in np.lexsort((np.where(up, y, -y),)):
            left, bottom = x[i] + dx[i], y[i] + start[i]
            step = height if up[i] else -height
            while in_way := [
                j
                for j, pl, pb, pw in placed
                if abs(left - pl) < max(widths[i], pw) and abs(bottom - pb) < height
            ]:
                stacked[[i, *in_way]] = True
                bottom += step
            placed.append((i, left, bottom, widths[i]))
            dy[i] = bottom - y[i]
        return dy, stacked

    _, stacked = place(np.full(len(x), 8.0))
    dx = np.where(stacked, 8.0 + _STACK_GAP, 8.0)
    dy, _ = place(dx)
    return dx, dy, stacked


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
    dxs, dys, stacked = _label_offsets(x, y, widths, up)
    # every name of a stack is joined to its point: one left beside the point it is named
    # for would sit as near to the points stacked above or below it
    for unit, group, xx, yy, dx, dy, joined in zip(
        points["unit"], points["group"], points["submitted"], points["rate"], dxs, dys, stacked,
        strict=True,
    ):  # fmt: skip
        ax.annotate(
            unit,
            xy=(xx, yy),
            xytext=(dx, dy),
            textcoords="offset points",
            va="bottom",
            fontsize=_LABEL_SIZE,
            color=shade(colours[group], 0.15),
            # the line leaves from the label's left end: from its middle it would cross the
            # labels stacked below it (each label sits right of its point)
            arrowprops={"arrowstyle": "-", "color": "#888888", "lw": 0.6, "relpos": (0, 0.5)}
            if joined
            else None,
        )


@styled
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
    counts = funnel_counts(metrics, year)
    fig = new_figure()
    ax = fig.subplots()
    x = np.arange(len(STAGES))
    colours = ["#A9C0D6", "#6F94BC", "#2E5A87", "#1B3A5C", "#0B1F33"]
    shown = counts.where(counts > 0)  # nothing to draw for 0 on a log axis
    bars = ax.bar(x, shown.fillna(0), color=colours, width=0.62)
    total = counts.iloc[0]
    texts = [f"{counts.iloc[0]:,}"] + [
        f"{count:,}\n{label('share_of_submitted', lang, share=percent(count / max(total, 1)))}"
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
    add_title(fig, title, "title_adoption_funnel", lang, year=year)
    return fig


@styled
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
    require_columns(points, ["unit", "group", "submitted", "rate"], "points")
    require_columns(limits, ["n", "p", "lo95", "hi95", "lo998", "hi998"], "limits")
    limits = limits.sort_values("n", kind="stable")
    data = points.dropna(subset=["rate"]).sort_values(["submitted", "unit"], kind="stable")
    n = data["submitted"].astype(float)
    lo95, hi95 = (np.interp(n, limits["n"], limits[c]) for c in ("lo95", "hi95"))
    width = np.maximum(hi95 - lo95, 1e-9)
    beyond = np.maximum(lo95 - data["rate"], data["rate"] - hi95) / width
    outside = data.assign(beyond=beyond)
    outside = outside[outside["beyond"] > 0].nlargest(label_max, "beyond", keep="first")

    fig = new_figure()
    ax = fig.subplots()
    colours = group_colours(data["group"])
    for level, colour in (("998", "#EEF2F6"), ("95", "#D9E2EC")):  # the wider band first
        ax.fill_between(limits["n"], limits[f"lo{level}"].clip(0, 1),
                        limits[f"hi{level}"].clip(0, 1), color=colour,
                        label=label(f"limits_{level}", lang))  # fmt: skip
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
    label_points(ax, outside, np.interp(outside["submitted"], limits["n"], limits["p"]), colours)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(label("axis_submitted", lang))
    ax.set_ylabel(label("axis_rate", lang))
    handles, _ = ax.get_legend_handles_labels()
    top_legend(fig, handles)
    add_title(fig, title, "title_funnel", lang, year=year)
    return fig
