"""Charts of the year-end pack: rankings, score composition, adoption, timeliness, rank changes.

Every ``plot_*`` function takes plain DataFrames with the columns its docstring
lists, returns a new :class:`matplotlib.figure.Figure` (16:9, 13.33 x 7.5 in)
and leaves global state alone: figures are not registered with pyplot, nothing
is shown, and the style applies through :func:`matplotlib.rc_context` only
while the chart is built. Text is Chinese by default (``lang="en"`` for
English); unit and informant names are shown as they are in the data. Write a
chart with :func:`save_figure` (PNG at 200 dpi and SVG).

Long lists (40 units in a group) are split into side-by-side panels of at most
:data:`MAX_ROWS` bars, sorted by rank, with a value label on every bar. The
shared machinery (style, colours, panels, labels) is in :mod:`evalkit.outputs._chartkit`.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import (
    FuncFormatter,
    MaxNLocator,
    MultipleLocator,
    NullFormatter,
    PercentFormatter,
)

from evalkit.outputs._chartkit import (
    COMPONENTS,
    FALL_COLOUR,
    HEATMAP_MAX_ROWS,
    MAX_ROWS,
    PENALTY_COLOUR,
    PREVIOUS_COLOUR,
    RISE_COLOUR,
    STAGES,
    STATUS_COLOURS,
    STEADY_COLOUR,
    TIMELINESS_ORDER,
    add_title,
    award_handles,
    award_map,
    cell_labels,
    chunks,
    colour_ticklabels,
    funnel_counts,
    group_colours,
    label_points,
    month_labels,
    months_of,
    new_figure,
    number_format,
    one_group,
    panels,
    percent,
    ranked_bars,
    ranked_names,
    require_columns,
    row_fontsize,
    save_figure,
    shade,
    style_vetoed,
    styled,
    timeliness_panel,
    tint,
    top_legend,
    unit_month_counts,
    veto_handle,
    veto_suffix,
    x_label,
)
from evalkit.outputs._labels import label, translate

__all__ = [
    "MAX_ROWS",
    "plot_adoption_funnel",
    "plot_bump",
    "plot_composition",
    "plot_funnel",
    "plot_heatmap",
    "plot_improvement",
    "plot_late",
    "plot_monthly",
    "plot_rank_bands",
    "plot_ranking",
    "plot_timeliness",
    "plot_top_informants",
    "save_figure",
    "score_changes",
    "unit_month_counts",
]

# --- charts -----------------------------------------------------------------------------


@styled
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
    require_columns(scores, ["unit", "group", "score", "rank"], "scores")
    rows, group = one_group(scores, group, "scores")
    data = rows.assign(
        value=rows["score"].astype(float),
        vetoed=rows["vetoed"].fillna(False).astype(bool) if "vetoed" in rows else False,
    ).sort_values(["rank", "score", "unit"], ascending=[True, False, True], kind="stable")
    award = data["unit"].map(award_map(awards, "unit", "unit", group))
    names = ranked_names(data["rank"], data["unit"], data["vetoed"], lang)
    fig = new_figure()
    colour = group_colours([group])[group]
    ranked_bars(fig, data, names, {group: colour}, award, lang)
    x_label(fig, label("axis_score", lang))
    # The legend shows the bars as drawn: award winners in full colour, the others lighter,
    # vetoed units hatched; each award's name is written beside its bars.
    handles = []
    if award.notna().any():
        handles += [Patch(color=colour, label=label("awarded", lang)),
                    Patch(color=tint(colour), label=label("not_awarded", lang))]  # fmt: skip
    if data["vetoed"].any():
        handles.append(veto_handle(lang))
    top_legend(fig, handles)
    add_title(fig, title, "title_ranking", lang, year=year, group=group)
    return fig


@styled
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
    require_columns(scores, ["unit", "group", "score", "rank"], "scores")
    rows, group = one_group(scores, group, "scores")
    data = rows.sort_values(["rank", "score", "unit"], ascending=[True, False, True], kind="stable")
    if top is not None:
        data = data.head(top)
    vetoed = (
        data["vetoed"].fillna(False).astype(bool)
        if "vetoed" in data
        else pd.Series(False, index=data.index)
    )
    values = data.reindex(columns=[c for c in COMPONENTS if c in data.columns]).fillna(0)
    values = values.astype(float)
    if "points_quota" in values:  # a missed quota is a penalty: drawn and named as one
        values["points_quota_penalty"] = values["points_quota"].clip(upper=0)
        values["points_quota"] = values["points_quota"].clip(lower=0)
    parts = [c for c in COMPONENTS if c in values and values[c].ne(0).any()]
    values = values[parts]
    fig = new_figure()
    axes, rows_per_panel = panels(fig, len(data))
    size = row_fontsize(rows_per_panel)
    fmt = number_format(data["score"])
    positive = values.clip(lower=0)
    negative = values.clip(upper=0)
    right, left = positive.sum(axis=1).max(), negative.sum(axis=1).min()
    span = (right - left) or 1.0
    for ax, idx in zip(axes, chunks(data.index.to_series(), rows_per_panel), strict=True):
        y = np.arange(len(idx))
        for signed in (positive, negative):
            cumulative = signed.loc[idx].cumsum(axis=1)
            start = cumulative - signed.loc[idx]
            for part in parts:
                if signed.loc[idx, part].ne(0).any():
                    bars = ax.barh(
                        y,
                        signed.loc[idx, part],
                        left=start[part],
                        height=0.72,
                        color=COMPONENTS[part],
                        label=label(part, lang),
                    )
                    for bar in np.asarray(bars.patches, dtype=object)[vetoed.loc[idx].to_numpy()]:
                        bar.set_alpha(0.35)  # a vetoed unit's points count for nothing
                        bar.set_hatch("///")
        ends = positive.loc[idx].sum(axis=1)
        for yy, end, score, veto in zip(y, ends, data.loc[idx, "score"], vetoed.loc[idx],
                                        strict=True):  # fmt: skip
            note = ax.annotate(
                fmt.format(score),
                xy=(end, yy),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=size,
            )
            if veto:
                ax.annotate(label("vetoed", lang), xy=(1, 0.5), xycoords=note, xytext=(6, 0),
                            textcoords="offset points", va="center", fontsize=size,
                            color=PENALTY_COLOUR, fontweight="bold")  # fmt: skip
        names = ranked_names(data.loc[idx, "rank"], data.loc[idx, "unit"], vetoed.loc[idx], lang)
        ax.set_yticks(y, labels=names, fontsize=size)
        ax.set_ylim(rows_per_panel - 0.5, -0.5)
        ax.set_xlim(left - (0.04 * span if left < 0 else 0), right + 0.14 * span)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        if left < 0:
            ax.axvline(0, color="#666666", linewidth=0.8)
    handles = [Patch(color=COMPONENTS[p], label=label(p, lang)) for p in parts]
    if vetoed.any():
        handles.append(veto_handle(lang))
    ncols = min(len(handles), 5 if lang == "zh" else 4)  # long English names: fewer a row
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols)
    add_title(fig, title, "title_composition", lang, year=year, group=group)
    return fig


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
    label_points(ax, outside, np.interp(outside["submitted"], limits["n"], limits["p"]), colours)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(label("axis_submitted", lang))
    ax.set_ylabel(label("axis_rate", lang))
    handles, _ = ax.get_legend_handles_labels()
    top_legend(fig, handles)
    add_title(fig, title, "title_funnel", lang, year=year)
    return fig


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


@styled
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
    """The commended (or the ``n`` best) informants as bars, named with their unit, by group.

    With ``awards`` holding informant awards the chart shows exactly the
    informants on the award list, so it always agrees with it; otherwise the
    ``n`` best by rank.

    Parameters
    ----------
    informant_scores : DataFrame
        ``informant``, ``unit``, ``group``, ``score``, ``rank``.
    n : int
    awards : DataFrame, optional
        ``kind`` ("informant"), ``award``, ``informant``, ``unit``: the award list.
    group : str, optional
        Only this group's informants (all by default).
    year : int, optional
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    require_columns(
        informant_scores, ["informant", "unit", "group", "score", "rank"], "informant_scores"
    )
    rows = informant_scores
    if group is not None:
        rows, group = one_group(rows, group, "informant_scores")
    rows = rows.sort_values(
        ["rank", "score", "informant"], ascending=[True, False, True], kind="stable"
    )
    commended = _commended(awards)
    if commended is not None:  # exactly the people on the award list, whatever their rank
        keys = pd.MultiIndex.from_frame(rows[["informant", "unit"]])
        data = rows[keys.isin(commended.index)]
    else:
        data = rows.head(n)
    data = data.assign(value=data["score"].astype(float), vetoed=False)
    award = data["informant"].map(award_map(awards, "informant", "informant"))
    if commended is not None:  # all of them are commended: the title says so, not every bar
        award = pd.Series(pd.NA, index=data.index, dtype="string")
    people = [
        label("unit_of_informant", lang, informant=i, unit=u)
        for i, u in zip(data["informant"], data["unit"], strict=True)
    ]
    names = ranked_names(data["rank"], pd.Series(people, index=data.index, dtype="str"))
    fig = new_figure()
    colours = group_colours(informant_scores["group"])
    ranked_bars(fig, data, names, colours, award, lang)
    x_label(fig, label("axis_score", lang))
    handles = [
        Patch(color=colours[g], label=translate(g, lang))
        for g in colours
        if g in set(data["group"])
    ]
    if commended is None:
        handles += award_handles(award, lang)
    key = "title_top_informants" if commended is None else "title_commended_informants"
    top_legend(fig, handles)
    add_title(fig, title, key, lang, year=year, n=len(data))
    return fig


def _commended(awards) -> pd.Series | None:
    """Award by (informant, unit) of the commended informants; None without informant awards."""
    if awards is None or "kind" not in awards or not awards["kind"].eq("informant").any():
        return None
    rows = awards[awards["kind"] == "informant"]
    return rows.set_index(["informant", "unit"])["award"]


def score_changes(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """This year's scores beside last year's, for :func:`plot_improvement`.

    Parameters
    ----------
    current, previous : DataFrame
        Scores of two years (``unit``, ``group``, ``score``, ``rank``; ``vetoed``
        optional), as :func:`evalkit.scoring.scorer.score` returns.

    Returns
    -------
    DataFrame
        ``current``'s rows with ``score_previous`` and ``rank_previous`` (missing
        for a unit without a score last year).

    Examples
    --------
    >>> now = pd.DataFrame({"unit": ["甲", "乙"], "group": "乡镇组", "score": [50.0, 40.0],
    ...                     "rank": [1, 2]})
    >>> before = now.assign(score=[30.0, 45.0], rank=[2, 1])
    >>> score_changes(now, before)[["unit", "score_previous", "rank_previous"]].values.tolist()
    [['甲', 30.0, 2], ['乙', 45.0, 1]]
    """
    last = previous.set_index("unit")
    return current.assign(
        score_previous=current["unit"].map(last["score"]),
        rank_previous=current["unit"].map(last["rank"]),
    )


@styled
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
    require_columns(compare_table, ["unit", "group", "rank_a", "rank_b"], "compare_table")
    label_a = label_a or label("rule_a", lang)
    label_b = label_b or label("rule_b", lang)
    rows, group = one_group(
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
    fig = new_figure()
    ax = fig.subplots()
    size = row_fontsize(len(place), axes_height_in=6.4)
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
    text_colour = [shade(c) if c != STEADY_COLOUR else "#222222" for c in colour]
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
    top_legend(
        fig,
        [
            Patch(color=RISE_COLOUR, label=label("rises", lang, n=highlight)),
            Patch(color=FALL_COLOUR, label=label("falls", lang, n=highlight)),
        ],
    )
    add_title(fig, title, "title_bump", lang, group=group, label_a=label_a, label_b=label_b)
    return fig


@styled
def plot_rank_bands(
    bands: pd.DataFrame,
    group: str | None = None,
    *,
    year: int | None = None,
    lang: str = "zh",
    title: str | None = None,
) -> Figure:
    """How firm each rank is: a unit's 5-95% range of ranks as a line, its median as a dot.

    A caterpillar chart of :func:`evalkit.scoring.uncertainty.rank_bands`: one row per
    unit, sorted by rank (rank 1 at the top; long lists split into side-by-side
    panels), a line from ``rank_p05`` to ``rank_p95`` labelled with its ends, a
    dot at ``rank_median`` and a ring at ``rank``, the rank under the rules as
    given. Units whose lines overlap may change places when the weights (or the
    items) vary a little.

    Parameters
    ----------
    bands : DataFrame
        ``unit``, ``group``, ``rank``, ``rank_median``, ``rank_p05``, ``rank_p95``
        (``score`` is not needed); with ``vetoed``, vetoed units are named as such.
    group : str, optional
        The group to show; may be left out when ``bands`` holds one group.
    year : int, optional
        For the title ("2025年度部门组名次不确定性（5%-95%区间）").
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    ranks = ["rank", "rank_median", "rank_p05", "rank_p95"]
    require_columns(bands, ["unit", "group", *ranks], "bands")
    rows, group = one_group(bands, group, "bands")
    data = rows.sort_values(["rank", "rank_median", "unit"], kind="stable")
    colour = group_colours([group])[group]
    fig = new_figure()
    axes, rows_per_panel = panels(fig, len(data), sharex=False)
    size = row_fontsize(rows_per_panel)
    for ax, part in zip(axes, chunks(data, rows_per_panel), strict=True):
        y = np.arange(len(part))
        ax.hlines(y, part["rank_p05"], part["rank_p95"], colors=[tint(colour)], linewidth=7)
        ax.scatter(part["rank_median"], y, s=40, color=colour, zorder=3)
        ax.scatter(part["rank"], y, s=110, facecolors="none", edgecolors="#222222", zorder=4)
        wide = (part["rank_p95"] > part["rank_p05"]).to_numpy()  # a line, not only a dot
        for yy, low, high in zip(
            y[wide], part["rank_p05"][wide], part["rank_p95"][wide], strict=True
        ):
            ax.annotate(
                f"{low:.0f}–{high:.0f}",
                xy=(high, yy),
                xytext=(9, 0),
                textcoords="offset points",
                va="center",
                fontsize=size * 0.85,
                color=PREVIOUS_COLOUR,
            )
        # A vetoed unit is ranked last whatever its points, and named as such.
        names = ranked_names(part["rank"], part["unit"], part.get("vetoed"), lang)
        ax.set_yticks(y, labels=names, fontsize=size)
        ax.set_ylim(rows_per_panel - 0.5, -0.5)
        first, last = int(part[ranks].min().min()), int(part[ranks].max().max())
        labelled = part["rank_p95"][wide].max() + 2.2 if wide.any() else last  # room for "9–11"
        ax.set_xlim(first - 0.8, max(last + 0.8, labelled))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True, steps=[1, 2, 5, 10]))
        ax.xaxis.set_minor_locator(MultipleLocator(1))  # a faint line at every rank
        ax.grid(axis="x", which="minor", linewidth=0.4)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
    x_label(fig, label("axis_rank", lang))
    handles = [
        Line2D([], [], color=tint(colour), linewidth=7, label=label("band_range", lang)),
        Line2D(
            [], [], marker="o", linestyle="none", color=colour, label=label("rank_median", lang)
        ),
        Line2D(
            [],
            [],
            marker="o",
            markersize=10,
            linestyle="none",
            markerfacecolor="none",
            markeredgecolor="#222222",
            label=label("band_rank", lang),
        ),
    ]
    top_legend(fig, handles)
    add_title(fig, title, "title_rank_bands", lang, year=year, group=group)
    return fig


@styled
def plot_improvement(
    changes: pd.DataFrame,
    top: int = 10,
    *,
    year: int | None = None,
    lang: str = "zh",
    title: str | None = None,
) -> Figure:
    """Who improved most on last year: each group's ``top`` largest score gains, one panel a group.

    Only units whose score rose are shown. Bars show the change of score (this year minus last, under the same rules),
    labelled with the change and the move in rank ("第8→3名"); units without a
    score last year are left out. Vetoed units are drawn hatched and named as such.

    Parameters
    ----------
    changes : DataFrame
        ``unit``, ``group``, ``score``, ``rank``, ``score_previous``,
        ``rank_previous``; ``vetoed`` optional (as :func:`score_changes` returns).
        Ranks are within each year's group.
    top : int
    year : int, optional
        This year (the previous year is ``year - 1``).
    lang : {"zh", "en"}
    title : str, optional

    Returns
    -------
    Figure
    """
    require_columns(changes, ["unit", "group", "score", "rank", "score_previous", "rank_previous"],
                    "changes")  # fmt: skip
    data = changes.dropna(subset=["score_previous"])
    data = data[data["score"].astype(float) > data["score_previous"].astype(float)]
    data = data.assign(
        change=data["score"].astype(float) - data["score_previous"].astype(float),
        vetoed=data["vetoed"].fillna(False).astype(bool) if "vetoed" in data else False,
    )
    groups = list(group_colours(data["group"]))
    fig = new_figure()
    axes = fig.subplots(1, max(len(groups), 1), squeeze=False)[0]
    shown = [
        data[data["group"] == g]
        .sort_values(["change", "unit"], ascending=[False, True], kind="stable")
        .head(top)
        for g in groups
    ]
    low = min([0.0] + [float(p["change"].min()) for p in shown if len(p)])
    high = max([0.0] + [float(p["change"].max()) for p in shown if len(p)])
    span = (high - low) or 1.0
    fmt = "{:+,.1f}"
    size = row_fontsize(top)
    for ax, group, part in zip(axes, groups, shown, strict=True):
        y = np.arange(len(part))
        colours = np.where(part["change"] >= 0, RISE_COLOUR, FALL_COLOUR)
        bars = ax.barh(y, part["change"], color=colours, height=0.68)
        for bar in np.asarray(bars.patches, dtype=object)[part["vetoed"].to_numpy()]:
            style_vetoed(bar)
        words = [
            f"{fmt.format(c)}  " + label("rank_move", lang, before=f"{b:.0f}", now=f"{n:.0f}")
            for c, b, n in zip(part["change"], part["rank_previous"], part["rank"], strict=True)
        ]
        ax.bar_label(bars, labels=words, padding=4, fontsize=size)
        names = part["unit"].where(~part["vetoed"], part["unit"] + veto_suffix(lang))
        ax.set_yticks(y, labels=names, fontsize=size)
        ax.set_ylim(top - 0.5, -0.5)
        ax.set_xlim(low - (0.1 * span if low < 0 else 0), high + 0.55 * span)
        ax.set_title(translate(group, lang), fontsize=15, color=shade(group_colours(groups)[group]))
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        ax.axvline(0, color="#666666", linewidth=0.8)
    x_label(fig, label("axis_score_change", lang))
    if data["vetoed"].any():
        top_legend(fig, [veto_handle(lang)])
    previous = (year - 1) if year is not None else ("上" if lang == "zh" else "last year")
    add_title(fig, title, "title_improvement", lang, year=year, previous=previous)
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
        vetoed=metrics["vetoed"].fillna(False).astype(bool) if "vetoed" in metrics else False,
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
        ax.set_yticks(y, labels=names, fontsize=size)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xlim(0, max(int(data["total"].max()) if len(data) else 1, 1) * 1.15)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
    x_label(fig, label("axis_late", lang))
    top_legend(fig, [Patch(color=LATE_PARTS[c], label=label(c, lang)) for c in parts])
    add_title(fig, title, "title_late", lang, year=year)
    return fig
