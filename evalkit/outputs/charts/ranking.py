"""Ranked bars: a group's scores, their composition, and the commended informants."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from evalkit.outputs._chartkit import (
    COMPONENTS,
    PENALTY_COLOUR,
    add_title,
    award_handles,
    award_map,
    bar_panel,
    by_rank,
    chunks,
    group_colours,
    mark_beside,
    new_figure,
    number_format,
    one_group,
    panels,
    ranked_bars,
    ranked_names,
    require_columns,
    row_fontsize,
    styled,
    tint,
    top_legend,
    veto_handle,
    vetoed_flags,
    x_label,
)
from evalkit.outputs._labels import label, translate


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
    data = by_rank(rows.assign(value=rows["score"].astype(float), vetoed=vetoed_flags(rows)))
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
    data = by_rank(rows)
    if top is not None:
        data = data.head(top)
    vetoed = vetoed_flags(data)
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
                mark_beside(ax, note, label("vetoed", lang), PENALTY_COLOUR, size)
        names = ranked_names(data.loc[idx, "rank"], data.loc[idx, "unit"], vetoed.loc[idx], lang)
        xlim = (left - (0.04 * span if left < 0 else 0), right + 0.14 * span)
        bar_panel(ax, names, rows_per_panel, size, xlim, zero_line=left < 0)
    handles = [Patch(color=COMPONENTS[p], label=label(p, lang)) for p in parts]
    if vetoed.any():
        handles.append(veto_handle(lang))
    ncols = min(len(handles), 5 if lang == "zh" else 4)  # long English names: fewer a row
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols)
    add_title(fig, title, "title_composition", lang, year=year, group=group)
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
