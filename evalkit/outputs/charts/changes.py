"""Changes of rank and score: two rule sets (bump), rank uncertainty, gains on last year."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, MultipleLocator

from evalkit.outputs._chartkit import (
    FALL_COLOUR,
    PREVIOUS_COLOUR,
    RISE_COLOUR,
    STEADY_COLOUR,
    add_title,
    bar_panel,
    chunks,
    group_colours,
    new_figure,
    one_group,
    panels,
    ranked_names,
    require_columns,
    row_fontsize,
    shade,
    style_vetoed,
    styled,
    tint,
    top_legend,
    veto_handle,
    vetoed_flags,
    x_label,
)
from evalkit.outputs._labels import label, translate, veto_suffix


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
        With ``vetoed_a`` / ``vetoed_b`` (as :func:`~evalkit.scoring.whatif.compare` gives
        when anyone was vetoed), a vetoed unit's dot on that side is hollow and its name
        carries the veto mark instead of a rank.
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
    veto_columns = rows.columns.intersection(["vetoed_a", "vetoed_b"]).tolist()
    place = (
        pd.DataFrame({"unit": left, "y_a": left.index})
        .merge(pd.DataFrame({"unit": right, "y_b": right.index}), on="unit")
        .merge(rows[["unit", "rank_a", "rank_b", *veto_columns]], on="unit")
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
    # A unit vetoed under a rule set has no place there: its dot on that side is hollow and
    # its name carries the veto mark instead of a rank (as in every ranked chart).
    vetoed = {s: place[f"vetoed_{s}"].to_numpy(bool) if f"vetoed_{s}" in place
              else np.zeros(len(place), bool) for s in ("a", "b")}  # fmt: skip
    for x, s in ((0, "a"), (1, "b")):
        ax.scatter(
            np.full(len(place), x)[order],
            place[f"y_{s}"].to_numpy()[order],
            c=np.where(vetoed[s], "white", colour)[order],
            edgecolors=colour[order],
            s=np.where(moved, 36, 14)[order],
            zorder=3,
        )
    text_colour = [shade(c) if c != STEADY_COLOUR else "#222222" for c in colour]
    suffix = veto_suffix(lang)
    left_text = (place["rank_a"].map("{:.0f}".format) + "  " + place["unit"]).where(
        ~vetoed["a"], place["unit"] + suffix
    )
    right_text = (place["unit"] + "  " + place["rank_b"].map("{:.0f}".format)).where(
        ~vetoed["b"], place["unit"] + suffix
    )
    for y_a, y_b, left_label, right_label, c in zip(
        place["y_a"], place["y_b"], left_text, right_text, text_colour, strict=True
    ):
        ax.text(-0.03, y_a, left_label, ha="right", va="center", fontsize=size, color=c)
        ax.text(1.03, y_b, right_label, ha="left", va="center", fontsize=size, color=c)
    for x, heading in ((0, label_a), (1, label_b)):
        ax.text(x, -1.2, heading, ha="center", va="bottom", fontsize=15, fontweight="bold")
    ax.set_xlim(-0.75, 1.75)
    ax.set_ylim(len(place) - 0.5, -1.6)
    ax.set_axis_off()
    # The legend names only the colours drawn: no "falls" entry when nobody fell.
    drawn = [(RISE_COLOUR, "rises", rises.any()), (FALL_COLOUR, "falls", falls.any())]
    handles = [Patch(color=c, label=label(k, lang, n=highlight)) for c, k, on in drawn if on]
    if vetoed["a"].any() or vetoed["b"].any():
        handles.append(Line2D([], [], ls="", marker="o", markerfacecolor="white",
                              markeredgecolor=STEADY_COLOUR, markersize=8, label=label("vetoed", lang)))  # fmt: skip
    top_legend(fig, handles)
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
        first, last = int(part[ranks].min().min()), int(part[ranks].max().max())
        labelled = part["rank_p95"][wide].max() + 2.2 if wide.any() else last  # room for "9–11"
        bar_panel(ax, names, rows_per_panel, size, (first - 0.8, max(last + 0.8, labelled)))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True, steps=[1, 2, 5, 10]))
        ax.xaxis.set_minor_locator(MultipleLocator(1))  # a faint line at every rank
        ax.grid(axis="x", which="minor", linewidth=0.4)
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
        vetoed=vetoed_flags(data),
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
        xlim = (low - (0.1 * span if low < 0 else 0), high + 0.55 * span)
        bar_panel(ax, names, top, size, xlim, zero_line=True)
        ax.set_title(translate(group, lang), fontsize=15, color=shade(group_colours(groups)[group]))
    x_label(fig, label("axis_score_change", lang))
    if data["vetoed"].any():
        top_legend(fig, [veto_handle(lang)])
    previous = (year - 1) if year is not None else ("上" if lang == "zh" else "last year")
    add_title(fig, title, "title_improvement", lang, year=year, previous=previous)
    return fig
