"""Items by month: the year against the year before, and the unit-by-month heatmap."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.textpath import TextPath
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Affine2D, IdentityTransform

from evalkit.outputs._chartkit import (
    HEATMAP_MAX_ROWS,
    PREVIOUS_COLOUR,
    add_title,
    chunks,
    colour_ticklabels,
    group_colours,
    new_figure,
    number_format,
    panels,
    require_columns,
    row_fontsize,
    styled,
    top_legend,
)
from evalkit.outputs._labels import label, translate


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


@styled
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
    require_columns(monthly, ["year", "month", "submitted", "adopted"], "monthly")
    previous = year - 1
    has_previous = monthly["year"].eq(previous).any()
    fig = new_figure()
    axes = fig.subplots(1, 2)
    months = np.arange(1, 13)
    for ax, column, colour in zip(
        axes, ("submitted", "adopted"), ("#2E5A87", "#D08A3C"), strict=True
    ):
        this = months_of(monthly, year, column, trailing_gaps=True)
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
            before = months_of(monthly, previous, column, trailing_gaps=False)
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
        month_labels(ax, bars, this)
        ax.set_title(heading, fontsize=15)
        ax.set_xticks(months, labels=[label(f"month.{m}", lang) for m in months])
        ax.set_ylim(0, ax.get_ylim()[1] * 1.08)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(axis="y")
        ax.set_axisbelow(True)
        handles, names = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], names[::-1], loc="upper left")  # this year first
    key = "title_monthly" if has_previous else "title_monthly_single"
    add_title(fig, title, key, lang, year=year, previous=previous)
    return fig


@styled
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
    require_columns(frame, ["unit", "month", "value"], "heatmap data")
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
    fig = new_figure()
    axes, rows = panels(fig, len(grid), max_rows=HEATMAP_MAX_ROWS, sharex=False)
    size = row_fontsize(rows)
    fmt = number_format(grid.to_numpy())
    vmax = max(float(grid.to_numpy().max()), 1.0)
    colours = group_colours(grid.index.get_level_values("group"))
    cmap = mpl.colormaps["Blues"]
    for ax, part in zip(axes, chunks(grid, rows), strict=True):
        values = part.to_numpy(dtype=float)
        image = ax.imshow(
            values,
            cmap=cmap,
            vmin=0,
            vmax=vmax,
            aspect="auto",
            extent=(0.5, 12.5, len(part) - 0.5, -0.5),
        )
        cell_labels(ax, values, fmt, size * 0.85, light_above=0.6 * vmax)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_yticks(
            np.arange(len(part)), labels=part.index.get_level_values("unit"), fontsize=size
        )
        colour_ticklabels(ax, part.index.get_level_values("group"), colours)
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
        top_legend(fig, [Patch(color=colours[g], label=translate(g, lang)) for g in groups])
    fig.colorbar(image, ax=axes, shrink=0.6, pad=0.01, label=label("axis_count", lang))
    add_title(fig, title, "title_heatmap", lang, year=year)
    return fig
