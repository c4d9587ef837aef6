"""The what-if panel: sliders for the main rule weights that re-rank the units live.

:func:`whatif_panel` returns a :class:`WhatIfPanel`, an ``ipywidgets.VBox``
showing one slider per rule key and the ranking under the changed rules next
to the ranking under the rules as given: each unit's rank change, the rank
correlation, and who enters or leaves the award lists
(:func:`evalkit.scoring.whatif.compare`). The :class:`evalkit.scoring.scorer.Scorer` is
prepared once, so each move of a slider re-scores in milliseconds. The panel's
state can be driven without a browser: set a slider's ``value`` or call
:meth:`WhatIfPanel.update`, then read :attr:`WhatIfPanel.table`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd

from evalkit.data._dataset import Dataset
from evalkit.outputs._excel import decimals
from evalkit.outputs._labels import enum_label, header_labels, label, translate, veto_suffix
from evalkit.scoring.awards import select_awards
from evalkit.scoring.rules import Rules, RulesError
from evalkit.scoring.scorer import Scorer
from evalkit.scoring.whatif import Comparison, compare

__all__ = ["DEFAULT_KEYS", "WhatIfPanel", "whatif_panel"]

DEFAULT_KEYS = (
    "adoption.points.county",
    "adoption.points.city",
    "adoption.points.province",
    "adoption.points.national",
    "adoption.type_factor.combined",
    "adoption.category_factor.research",
)
SHOWN_COLUMNS = ["unit", "group", "score_a", "score_b", "rank_a", "rank_b", "rank_change",
                 "award_a", "award_b"]  # fmt: skip
_WORDS = {
    "zh": {
        "factor": "{what}系数",
        "a": "方案A：{rules}",
        "b": "方案B：方案A按滑块调整（{changes}）",
        "none": "未调整",
        "moved": "{n}个单位名次变化；名次相关系数 Spearman {spearman:.3f}，Kendall {kendall:.3f}",
        "up": "上升最多：{units}",
        "down": "下降最多：{units}",
        "entered": "新进表彰：{units}",
        "left": "退出表彰：{units}",
        "reset": "恢复原规则",
        "error": "规则无效：{error}",
    },
    "en": {
        "factor": "{what} factor",
        "a": "A: {rules}",
        "b": "B: A with the sliders' changes ({changes})",
        "none": "no change",
        "moved": "{n} units change rank; rank correlation Spearman {spearman:.3f}, "
        "Kendall {kendall:.3f}",
        "up": "up most: {units}",
        "down": "down most: {units}",
        "entered": "new on the award lists: {units}",
        "left": "off the award lists: {units}",
        "reset": "Reset",
        "error": "invalid rules: {error}",
    },
}


def _key_label(key: str, lang: str) -> str:
    """A slider's caption: 市级采用分 for ``adoption.points.city`` (市级采用分（调研） for
    ``adoption.points.city.research``), else the key itself."""
    parts = key.split(".")
    if key.startswith("adoption.points.") and len(parts) == 3:
        return label(f"points_{parts[2]}", lang)
    if key.startswith("adoption.points.") and len(parts) == 4:
        what = enum_label("category", parts[3], lang)
        return label(f"points_{parts[2]}", lang) + ("（{}）" if lang == "zh" else " ({})").format(
            what
        )
    enums = {"type_factor": "adoption_type", "category_factor": "category"}
    if len(parts) == 3 and parts[0] == "adoption" and parts[1] in enums:
        what = enum_label(enums[parts[1]], parts[2], lang)
        return _WORDS[lang]["factor"].format(what=what)
    return key


def _slider(key: str, value: float, lang: str) -> widgets.FloatSlider:
    """A slider from 0 to about three times the current value (factors: twice, at least 1)."""
    value = float(value)
    if "factor" in key or "fraction" in key:
        step, high, shown = 0.05, max(2.0 * value, 1.0), ".2f"
    else:
        step = 1.0 if value.is_integer() else 0.5
        high, shown = max(3.0 * value, 10.0), ".1f"
    return widgets.FloatSlider(
        value=value,
        min=0.0,
        max=high,
        step=step,
        description=_key_label(key, lang),
        readout_format=shown,
        continuous_update=False,
        style={"description_width": "9em"},
        layout=widgets.Layout(width="34em"),
    )


def _slider_keys(rules: Rules, keys: Sequence[str]) -> list[tuple[str, float]]:
    """The sliders' keys and starting values: a key whose value is a table by category
    (``adoption.points.city = { research = 15, other = 5 }``) gets one slider per
    category (``adoption.points.city.research`` ...)."""
    out = []
    for key in keys:
        value = rules[key]
        if isinstance(value, Mapping):
            out += [(f"{key}.{name}", float(v)) for name, v in value.items()]
        else:
            out.append((key, float(value)))
    return out


def _in_group(frame: pd.DataFrame, group: str | None) -> pd.DataFrame:
    if group is None:
        return frame
    return frame[frame["group"].astype(str) == str(group)].reset_index(drop=True)


def _arrow(change: int) -> str:
    if change > 0:
        return f'<span style="color:#c0392b">▲{change}</span>'
    if change < 0:
        return f'<span style="color:#1f6fb2">▼{-change}</span>'
    return "–"


def _text(values: pd.Series, lang: str) -> pd.Series:
    return values.astype("string").fillna("").map(lambda v: html.escape(translate(v, lang)))


TABLE_HEIGHT = 420  # pixels: the table scrolls under its header, the sliders stay in view
_NUMERIC = {"score_a", "score_b", "rank_a", "rank_b", "rank_change"}
# JupyterLab draws tables inside "jp-RenderedHTMLCommon" in its own style (as it draws a
# DataFrame); the header stays at the top while the rows scroll.
_TABLE_STYLE = (
    "<style>.evalkit-whatif thead th {position: sticky; top: 0; "
    "background: var(--jp-layout-color0, white); z-index: 1}"
    ".evalkit-whatif tr.vetoed td {color: var(--jp-ui-font-color2, #757575)}</style>"
)


def _table_html(table: pd.DataFrame, lang: str, vetoed=frozenset()) -> str:
    """The ranking as a table like JupyterLab's own: one number format a column, numbers right."""
    shown = table.reindex(columns=SHOWN_COLUMNS)
    places = max(decimals(shown["score_a"]), decimals(shown["score_b"]))
    cells = {col: _text(shown[col], lang) for col in ("unit", "group", "award_a", "award_b")}
    is_vetoed = shown["unit"].isin(list(vetoed))
    cells["unit"] = cells["unit"].where(~is_vetoed, cells["unit"] + html.escape(veto_suffix(lang)))
    for col in ("score_a", "score_b"):
        cells[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:,.{places}f}")
    for col in ("rank_a", "rank_b"):
        cells[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    cells["rank_change"] = shown["rank_change"].map(lambda v: "" if pd.isna(v) else _arrow(int(v)))
    headers = header_labels(SHOWN_COLUMNS, lang)

    def align(col):
        return ' style="text-align: right"' if col in _NUMERIC else ' style="text-align: left"'

    head = "".join(f"<th{align(c)}>{html.escape(headers[c])}</th>" for c in SHOWN_COLUMNS)
    vetoed_row = ' class="vetoed"'
    rows = [
        f"<tr{vetoed_row if veto else ''}>"
        + "".join(f"<td{align(c)}>{cells[c].iloc[i]}</td>" for c in SHOWN_COLUMNS)
        + "</tr>"
        for i, veto in enumerate(is_vetoed)
    ]
    return (
        f'{_TABLE_STYLE}<div class="jp-RenderedHTMLCommon evalkit-whatif" '
        f'style="max-height: {TABLE_HEIGHT}px; overflow-y: auto; padding: 0">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _names(rows: pd.DataFrame, lang: str, n: int = 3) -> str:
    """``甲镇（+2）、乙镇（+1）``: the first ``n`` units with their rank change."""
    pattern, sep = ("{}（{:+d}）", "、") if lang == "zh" else ("{} ({:+d})", ", ")
    pairs = zip(rows["unit"][:n], rows["rank_change"][:n], strict=True)
    return sep.join(pattern.format(unit, int(change)) for unit, change in pairs)


def _award_names(rows: pd.DataFrame, lang: str) -> str:
    """``甲镇（先进单位）``: units with their award."""
    pattern, sep = ("{}（{}）", "、") if lang == "zh" else ("{} ({})", ", ")
    pairs = zip(rows["unit"], rows["award"].map(lambda a: translate(a, lang)), strict=True)
    return sep.join(pattern.format(unit, award) for unit, award in pairs)


def _value(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


class WhatIfPanel(widgets.VBox):
    """Sliders for rule weights and the ranking they give, re-ranked on every move.

    Build it with :func:`whatif_panel`. Display it in JupyterLab by leaving it
    as the last expression of a cell.

    Attributes
    ----------
    sliders : dict of str to ipywidgets.FloatSlider
        One per rule key; setting ``.value`` re-ranks.
    status, ranking : ipywidgets.HTML
        The summary beside the sliders, and the ranking table under them (at most
        :data:`TABLE_HEIGHT` pixels tall, scrolling; vetoed units named as such).
    table : DataFrame
        The current ranking, :attr:`comparison`'s table: ``unit, group,
        score_a, score_b, score_change, rank_a, rank_b, rank_change, award_a,
        award_b`` (A: the rules as given; B: with the sliders' changes;
        ``rank_change = rank_a - rank_b``, positive meaning up), sorted by group,
        rank under B and unit.
    comparison : evalkit.scoring.whatif.Comparison
        A against B (:func:`evalkit.scoring.whatif.compare`): rank correlations, and the
        units entering and leaving the award lists.
    base : DataFrame
        The scores under the rules as given (:func:`evalkit.scoring.scorer.score` columns).
    scorer : evalkit.scoring.scorer.Scorer
        The prepared scorer.
    """

    def __init__(
        self,
        dataset: Dataset,
        rules: Rules | str = "default",
        year: int | None = None,
        keys: Sequence[str] = DEFAULT_KEYS,
        group: str | None = None,
        lang: str = "zh",
    ):
        if lang not in _WORDS:
            raise ValueError(f'lang must be "zh" or "en", not {lang!r}')
        if year is None:
            year = dataset.default_year
        scorer = Scorer(dataset, rules, year=year)
        sliders = {
            key: _slider(key, value, lang) for key, value in _slider_keys(scorer.rules, keys)
        }
        reset = widgets.Button(description=_WORDS[lang]["reset"], icon="undo")
        status, ranking = widgets.HTML(), widgets.HTML()
        # Sliders and the summary side by side above the table, whose height is capped:
        # moving a slider never scrolls the sliders out of view.
        controls = widgets.VBox([*sliders.values(), reset])
        status.layout = widgets.Layout(flex="1 1 20em", margin="0 0 0 1.5em")
        super().__init__(children=[widgets.HBox([controls, status]), ranking])
        self.scorer, self.sliders, self.group, self.lang = scorer, sliders, group, lang
        self.base = scorer.score()
        self._base_awards = select_awards(self.base, scorer.rules)
        self._initial = {key: slider.value for key, slider in sliders.items()}
        self._extra: dict[str, Any] = {}
        self._paused = False
        self.status, self.ranking = status, ranking
        self.comparison: Comparison | None = None
        self.table = pd.DataFrame()
        for slider in sliders.values():
            slider.observe(self._on_move, names="value")
        reset.on_click(lambda _button: self.reset())
        self._refresh()

    # ------------------------------------------------------------------ state
    @property
    def changes(self) -> dict[str, Any]:
        """The rule changes in force: sliders moved away from the rules, and :meth:`update`'s others."""
        moved = {k: s.value for k, s in self.sliders.items() if s.value != self._initial[k]}
        return {**self._extra, **moved}

    @property
    def rules(self) -> Rules:
        """The rules with :attr:`changes` applied (save them with ``.save(path)``)."""
        return self.scorer.rules.with_changes(self.changes)

    def update(self, changes: Mapping[str, Any]) -> pd.DataFrame:
        """Apply rule changes (moving the sliders of their keys), re-rank once, return :attr:`table`.

        Keys without a slider are kept as further changes; a slider's range
        widens when a value lies beyond it.

        Raises
        ------
        RulesError
            When the changed rules are invalid; nothing is changed then.
        """
        try:
            self.scorer.rules.with_changes({**self.changes, **changes})
        except RulesError as exc:
            self._show_error(exc)
            raise
        self._paused = True
        try:
            for key, value in changes.items():
                slider = self.sliders.get(key)
                if slider is None:
                    self._extra[key] = value
                    continue
                slider.max = max(slider.max, float(value))
                slider.value = float(value)
        finally:
            self._paused = False
        self._refresh()
        return self.table

    def reset(self) -> pd.DataFrame:
        """Put every slider back to the rules as given, drop other changes, and re-rank."""
        self._extra = {}
        return self.update(self._initial)

    # ------------------------------------------------------------------ drawing
    def _on_move(self, _change) -> None:
        if not self._paused:
            self._refresh()

    def _show_error(self, exc: Exception) -> None:
        error = _WORDS[self.lang]["error"].format(error=exc)
        self.status.value = f'<p style="color:#b00">{html.escape(error)}</p>'

    def _refresh(self) -> None:
        words = _WORDS[self.lang]
        changes = self.changes
        try:
            rules = self.scorer.rules.with_changes(changes)
        except RulesError as exc:
            self._show_error(exc)
            return
        new = self.scorer.score(rules)
        self.comparison = result = compare(
            _in_group(self.base, self.group),
            _in_group(new, self.group),
            _in_group(self._base_awards, self.group),
            _in_group(select_awards(new, rules), self.group),
        )
        self.table = table = result.table
        up = table[table["rank_change"] > 0].sort_values(
            ["rank_change", "unit"], ascending=[False, True]
        )
        down = table[table["rank_change"] < 0].sort_values(["rank_change", "unit"])
        shown = "，".join(f"{_key_label(k, self.lang)} {_value(v)}" for k, v in changes.items())
        lines = [
            words["a"].format(rules=self.scorer.rules.name),
            words["b"].format(changes=shown or words["none"]),
            words["moved"].format(
                n=result.moved(1), spearman=result.spearman, kendall=result.kendall
            ),
        ]
        for key, rows, names in (
            ("up", up, _names),
            ("down", down, _names),
            ("entered", result.entered, _award_names),
            ("left", result.left, _award_names),
        ):
            if len(rows):
                lines.append(words[key].format(units=names(rows, self.lang)))
        self.status.value = "<br>".join(html.escape(line) for line in lines)
        vetoed = set(new.loc[new["vetoed"].astype(bool), "unit"]) if "vetoed" in new else set()
        self.ranking.value = _table_html(table, self.lang, vetoed)


def whatif_panel(
    dataset: Dataset,
    rules: Rules | str = "default",
    year: int | None = None,
    keys: Sequence[str] = DEFAULT_KEYS,
    group: str | None = None,
    lang: str = "zh",
) -> WhatIfPanel:
    """Sliders for the main rule weights and the ranking they give, re-ranked live.

    Parameters
    ----------
    dataset : Dataset
    rules : Rules, str or Path
        The rules as given (A); the sliders start at their values.
    year : int, optional
        The year ranked; the latest in the data by default.
    keys : sequence of str
        Rule keys to put on sliders (as for :meth:`Rules.with_changes`): by
        default the adoption points of each level, the combined-adoption factor
        and the research factor. A key whose value is a table by category (a
        level priced by category) gets one slider per category. Points range from 0 to three times the current
        value (at least 10), factors from 0 to twice (at least 1).
    group : str, optional
        Show one group only (乡镇组); all groups by default.
    lang : {"zh", "en"}

    Returns
    -------
    WhatIfPanel
        An ``ipywidgets.VBox``; see :class:`WhatIfPanel` for its state.

    Examples
    --------
    >>> panel = whatif_panel(dataset, "default", 2025)            # doctest: +SKIP
    >>> panel.sliders["adoption.points.province"].value = 80      # doctest: +SKIP
    >>> panel.table.head()                                        # doctest: +SKIP
    """
    return WhatIfPanel(dataset, rules, year, keys, group, lang)
