"""Charts of the year-end pack: rankings, score composition, adoption, timeliness, rank changes.

Every ``plot_*`` function takes plain DataFrames with the columns its docstring
lists, returns a new :class:`matplotlib.figure.Figure` (16:9, 13.33 x 7.5 in)
and leaves global state alone: figures are not registered with pyplot, nothing
is shown, and the style applies through :func:`matplotlib.rc_context` only
while the chart is built. Text is Chinese by default (``lang="en"`` for
English); unit and informant names are shown as they are in the data. Write a
chart with :func:`save_figure` (PNG at 200 dpi and SVG).

Long lists (40 units in a group) are split into side-by-side panels of at most
:data:`MAX_ROWS` bars, sorted by rank, with a value label on every bar. Each
kind of chart has its module in :mod:`evalkit.outputs.charts`; the shared machinery
(style, colours, panels, labels) is in :mod:`evalkit.outputs._chartkit`. This module
is their public face: import the charts from here.
"""

from __future__ import annotations

from evalkit.outputs._chartkit import (  # noqa: F401  (colours the tests compare with)
    COMPONENTS,
    FALL_COLOUR,
    MAX_ROWS,
    RISE_COLOUR,
    STEADY_COLOUR,
    save_figure,
)
from evalkit.outputs.charts.adoption import plot_adoption_funnel, plot_funnel
from evalkit.outputs.charts.changes import (
    plot_bump,
    plot_improvement,
    plot_rank_bands,
    score_changes,
)
from evalkit.outputs.charts.monthly import plot_heatmap, plot_monthly, unit_month_counts
from evalkit.outputs.charts.ranking import plot_composition, plot_ranking, plot_top_informants
from evalkit.outputs.charts.timeliness import LATE_PARTS, plot_late, plot_timeliness  # noqa: F401

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
