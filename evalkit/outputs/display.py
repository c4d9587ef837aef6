"""Tables as the notebooks show them: an empty cell reads "—", not ``NaN``, ``<NA>`` or ``None``.

:func:`display_table` styles a copy for the screen (a pandas Styler) and leaves the
frame's values alone, so what a notebook computes or checks afterwards is unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

__all__ = ["EMPTY", "display_table"]

EMPTY = "—"  # what an empty cell shows, as in a Chinese statistical table


def _decimals(values: pd.Series, most: int) -> int:
    """The fewest decimals (up to ``most``) that show every value of a float column exactly."""
    v = values.dropna().to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    for d in range(most + 1):
        if np.allclose(v, np.round(v, d), rtol=0, atol=10.0 ** -(most + 2)):
            return d
    return most


def display_table(frame: pd.DataFrame, *, decimals: int = 3, empty: str = EMPTY) -> Styler:
    """A styled copy of ``frame`` for a notebook: empty cells as ``empty``, numbers aligned.

    Each float column shows the decimals its values need (at most ``decimals``), so a
    count that holds a gap reads 12, not 12.0; times show to the minute, or as dates
    when all are midnight; an unnamed row index of numbers (0, 1, 2 ..., in any order)
    is hidden. The frame itself is not changed.

    Parameters
    ----------
    frame : DataFrame
    decimals : int
        The most decimals a float column shows.
    empty : str
        What a missing value (NaN, ``<NA>``, None, NaT) shows.

    Returns
    -------
    pandas.io.formats.style.Styler

    Examples
    --------
    >>> table = pd.DataFrame({"单位": ["城关镇", "河口乡"], "报送数": [12, None],
    ...                       "采用率": [0.25, 0.125]})
    >>> html = display_table(table).to_html()
    >>> "nan" in html.lower(), ">—<" in html, ">12<" in html, ">0.125<" in html
    (False, True, True, True)
    """
    formats = {}
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_float_dtype(values):
            formats[col] = f"{{:,.{_decimals(values, decimals)}f}}"
        elif pd.api.types.is_datetime64_any_dtype(values):  # a date, or a date and minute
            times = values.dropna()
            whole_days = (times == times.dt.normalize()).all()
            pattern = "%Y-%m-%d" if whole_days else "%Y-%m-%d %H:%M"
            formats[col] = lambda v, pattern=pattern: v.strftime(pattern)
    styler = frame.style.format(formats, na_rep=empty).format_index(na_rep=empty)
    index = frame.index
    if index.nlevels == 1 and index.name is None and pd.api.types.is_integer_dtype(index):
        styler = styler.hide(axis="index")  # row numbers (0, 1, 2 ..., or shuffled by a sort)
    return styler
