"""The slide deck of the commendation meeting (表彰大会), 16:9, with python-pptx.

:func:`write_deck` writes ``deck_<year>.pptx``: a cover, the year in numbers,
the rankings of each group (no slide holds more than :data:`MAX_ROWS` units),
the award list, who improved most on last year, timeliness and late or missed
items, and the excellent informants, the same people as the award list.
Titles, numbers and tables are native, editable text and tables (the
improvement chart is a native chart); each slide's figures are in its notes,
so a speaker can read them out and a checker can compare them.

Every figure comes from :func:`evalkit.outputs.pack.pack_tables` (scores,
awards, metrics, informants) and :func:`evalkit.scoring.scorer.score` for the
year before, under the same rules.
"""

from __future__ import annotations

import copy
import io
import math
from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from evalkit.data._dataset import Dataset
from evalkit.metrics import LEVELS, resolve_period
from evalkit.outputs._files import FIXED_TIME, replace_atomically, stable_zip
from evalkit.outputs._gongwen import Office, load_office
from evalkit.outputs.bulletin_doc import _totals
from evalkit.scoring.rules import Rules

__all__ = ["MAX_ROWS", "chunks", "write_deck"]

MAX_ROWS = 15  # units on one ranking slide, so the back row can read them
FONT = "微软雅黑"  # offices' slide font; LibreOffice and Word substitute a CJK sans when missing
RED = RGBColor(0xB2, 0x00, 0x12)
GOLD = RGBColor(0xF5, 0xD0, 0x8A)
GREY = RGBColor(0x40, 0x40, 0x40)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
LEVEL_ZH = {"county": "县级", "city": "市级", "province": "省级", "national": "国家级"}


def chunks(n: int, size: int = MAX_ROWS) -> list[slice]:
    """Split ``n`` rows into the fewest slides of at most ``size``, as even as possible.

    >>> [(s.start, s.stop) for s in chunks(40)]
    [(0, 14), (14, 27), (27, 40)]
    """
    parts = max(1, math.ceil(n / size))
    # The ceiling split: the first slides hold the extra row.
    bounds = [math.ceil(i * n / parts) for i in range(parts + 1)]
    return [slice(a, b) for a, b in zip(bounds, bounds[1:], strict=False)]


_RUN_STYLES: dict[tuple, object] = {}  # (size, bold, colour) -> a styled a:rPr to copy


def _style_run(run, size: float, *, bold=False, color=GREY) -> None:
    """Style a run: the first run of a style is styled through python-pptx, the rest copy it."""
    key = (size, bold, str(color))
    template = _RUN_STYLES.get(key)
    if template is not None:
        r = run._r
        old = r.find(qn("a:rPr"))
        if old is not None:
            r.remove(old)
        r.insert(0, copy.deepcopy(template))
        return
    _style_run_slowly(run, size, bold=bold, color=color)
    _RUN_STYLES[key] = copy.deepcopy(run._r.get_or_add_rPr())


def _style_run_slowly(run, size: float, *, bold=False, color=GREY) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    run.font.name = FONT
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")
    for tag in ("a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set("typeface", FONT)


def _text(frame, lines, size: float, *, bold=False, color=GREY, align=None) -> None:
    """Fill a text frame with lines (one paragraph each), all in one style."""
    frame.clear()
    frame.word_wrap = True
    for i, line in enumerate(lines):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if align is not None:
            p.alignment = align
        _style_run(p.add_run(), size, bold=bold, color=color)
        p.runs[0].text = str(line)


class _Deck:
    def __init__(self, title: str) -> None:
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Emu(12192000), Emu(6858000)  # 16:9
        core = self.prs.core_properties
        core.title, core.author, core.last_modified_by = title, "evalkit", "evalkit"
        core.created = core.modified = FIXED_TIME
        core.revision = 1

    def slide(self, title: str, notes: list[str]):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])  # title only
        shape = slide.shapes.title
        shape.left, shape.top = Inches(0.5), Inches(0.25)
        shape.width, shape.height = Inches(12.3), Inches(0.9)
        _text(shape.text_frame, [title], 30, bold=True, color=RED, align=PP_ALIGN.LEFT)
        bar = slide.shapes.add_shape(1, Inches(0.5), Inches(1.15), Inches(12.3), Emu(38100))
        bar.fill.solid()
        bar.fill.fore_color.rgb = RED
        bar.line.fill.background()
        slide.notes_slide.notes_text_frame.text = "\n".join(notes)
        return slide

    def table(self, slide, header, rows, widths, top=1.45, left=0.5, size=14, row=0.36):
        height = Inches(row) * (len(rows) + 1)
        shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(left), Inches(top),
                                       Inches(sum(widths)), height)  # fmt: skip
        table = shape.table
        for j, width in enumerate(widths):
            table.columns[j].width = Inches(width)
        for i, values in enumerate([header, *rows]):
            table.rows[i].height = Inches(row)
            for j, value in enumerate(values):
                cell = table.cell(i, j)
                cell.margin_top = cell.margin_bottom = Emu(0)
                _text(cell.text_frame, [value], size, bold=i == 0,
                      color=WHITE if i == 0 else GREY,
                      align=PP_ALIGN.LEFT if j == 1 and i else PP_ALIGN.CENTER)  # fmt: skip
                if i == 0:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = RED
        return table

    def box(self, slide, lines, left, top, width, height, size, **style):
        shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        _text(shape.text_frame, lines, size, **style)
        return shape

    def save(self, path: Path) -> Path:
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return replace_atomically(path, stable_zip(buffer.getvalue()))


def _num(value: float) -> str:
    return f"{value:.1f}"


# --------------------------------------------------------------------------- the slides
def _cover(deck: _Deck, year: int, office: Office) -> None:
    slide = deck.prs.slides.add_slide(deck.prs.slide_layouts[6])  # blank
    background = slide.shapes.add_shape(1, 0, 0, deck.prs.slide_width, deck.prs.slide_height)
    background.fill.solid()
    background.fill.fore_color.rgb = RED
    background.line.fill.background()
    title = f"{year}年度全县政务信息工作表彰大会"
    deck.box(slide, [title], 0.5, 2.4, 12.3, 1.4, 48, bold=True, color=GOLD, align=PP_ALIGN.CENTER)
    deck.box(slide, [office.name, office.date("decision")], 0.5, 4.4, 12.3, 1.4, 24, color=WHITE,
             align=PP_ALIGN.CENTER)  # fmt: skip
    slide.notes_slide.notes_text_frame.text = f"{title}\n{office.name}\n{office.date('decision')}"


def _numbers(deck: _Deck, dataset: Dataset, rules: Rules, year: int, t: dict) -> None:
    totals = _totals(dataset, resolve_period(year=year))
    previous = _totals(dataset, resolve_period(year=year - 1))
    made = dataset.adoptions
    instructed = int(
        (made["adopted_at"].dt.year.eq(year) & made["instruction_level"].notna()).sum()
    )
    rate = 100 * totals["adopted"] / totals["submitted"] if totals["submitted"] else 0.0
    tiles = [
        ("报送信息", f"{totals['submitted']}", "条"),
        ("各级采用", f"{totals['adopted']}", "条"),
        ("采用率", f"{rate:.1f}", "%"),
        *((f"{LEVEL_ZH[lv]}采用", f"{totals[f'adopted_{lv}']}", "条") for lv in LEVELS[1:]),
        ("领导批示", f"{instructed}", "次"),
        ("参评单位", f"{len(t['scores'])}", "个"),
    ]
    notes = [f"{label}：{value}{unit}" for label, value, unit in tiles]
    if previous["submitted"]:
        diff = totals["submitted"] - previous["submitted"]
        notes.append(f"上年报送{previous['submitted']}条、采用{previous['adopted']}条；"
                     f"报送量{'增加' if diff >= 0 else '减少'}{abs(diff)}条")  # fmt: skip
    slide = deck.slide(f"{year}年全县政务信息工作数据", notes)
    for k, (label, value, unit) in enumerate(tiles):
        left, top = 0.6 + (k % 4) * 3.1, 1.7 + (k // 4) * 2.6
        tile = slide.shapes.add_shape(1, Inches(left), Inches(top), Inches(2.9), Inches(2.3))
        tile.fill.solid()
        tile.fill.fore_color.rgb = RGBColor(0xFB, 0xF1, 0xE6)
        tile.line.fill.background()
        deck.box(slide, [value + unit], left, top + 0.3, 2.9, 1.1, 40, bold=True, color=RED,
                 align=PP_ALIGN.CENTER)  # fmt: skip
        deck.box(slide, [label], left, top + 1.45, 2.9, 0.6, 20, align=PP_ALIGN.CENTER)


def _rankings(deck: _Deck, t: dict) -> None:
    metrics = t["metrics"].set_index("unit")
    for group, frame in t["scores"].groupby("group", observed=True, sort=False):
        frame = frame.sort_values(["rank", "unit"], kind="stable")
        parts = chunks(len(frame))
        has_class = frame["class"].notna().any()
        for k, part in enumerate(parts, start=1):
            rows, notes = [], []
            for r in frame.iloc[part].to_dict("records"):
                award = (
                    "一票否决" if r["vetoed"] else ("" if pd.isna(r["award"]) else str(r["award"]))
                )
                rate = metrics.loc[r["unit"], "rate"]
                cls = [] if not has_class else ["" if pd.isna(r["class"]) else str(r["class"])]
                rows.append([str(r["rank"]), str(r["unit"]), *cls, _num(r["score"]),
                             str(r["n_items"]), str(r["n_adopted"]),
                             "" if pd.isna(rate) else f"{rate:.1%}", award])  # fmt: skip
                notes.append(f"{r['rank']}. {r['unit']} {_num(r['score'])}分 {award}".rstrip())
            header = ["名次", "单位", *(["类别"] if has_class else []), "得分", "报送数", "采用数",
                      "采用率", "奖项"]  # fmt: skip
            widths = [0.9, 3.4 + (0 if has_class else 1.1), *([1.1] if has_class else []), 1.5,
                      1.3, 1.3, 1.3, 1.5]  # fmt: skip
            suffix = f"（{k}/{len(parts)}）" if len(parts) > 1 else ""
            slide = deck.slide(f"{group}得分排名{suffix}", notes)
            deck.table(slide, header, rows, widths)


def _award_list(deck: _Deck, t: dict) -> None:
    from evalkit.outputs.decision import award_lists

    lists = award_lists(t["awards"], t["scores"])
    lines, notes = [], []
    for group, award, cls, units in lists["units"]:
        label = f"{group}{award}" + (f"（{cls}）" if cls else "")
        lines.append(f"{label}：{'、'.join(units)}")
        notes.append(f"{label}{len(units)}个：{'、'.join(units)}")
    slide = deck.slide("先进单位名单", notes)
    deck.box(slide, lines, 0.6, 1.5, 12.1, 5.7, 22 if len(lines) <= 6 else 18)


def _informants(deck: _Deck, t: dict) -> None:
    people = t["awards"][t["awards"]["kind"] == "informant"].sort_values(["rank", "informant"])
    rows = [[str(i), str(r.informant), str(r.unit), _num(r.score)]
            for i, r in enumerate(people.itertuples(), start=1)]  # fmt: skip
    award = people["award"].iloc[0] if len(people) else "优秀信息员"
    notes = [f"{row[0]}. {row[1]}（{row[2]}）{row[3]}分" for row in rows]
    for k, part in enumerate(chunks(len(rows), 2 * MAX_ROWS), start=1):
        suffix = f"（{k}）" if len(rows) > 2 * MAX_ROWS else ""
        slide = deck.slide(f"{award}（{len(rows)}名）{suffix}", notes[part])
        chunk = rows[part]
        half = math.ceil(len(chunk) / 2)
        for col, sub in enumerate((chunk[:half], chunk[half:])):
            if sub:
                deck.table(slide, ["序号", "姓名", "单位", "得分"], sub, [0.9, 1.5, 2.6, 1.1],
                           left=0.5 + col * 6.3, size=15, row=0.42)  # fmt: skip


def _improvement(deck: _Deck, dataset: Dataset, rules: Rules, year: int, t: dict) -> None:
    from evalkit.scoring.scorer import score

    title = f"进步最快的单位（与{year - 1}年相比）"
    if year - 1 not in dataset.years:
        slide = deck.slide(title, [f"数据中没有{year - 1}年的报送，无法比较"])
        deck.box(slide, [f"数据中没有{year - 1}年的报送，无法比较。"], 0.6, 1.6, 12, 1, 22)
        return
    before = score(dataset, rules, year=year - 1).set_index("unit")
    now = t["scores"].set_index("unit")
    both = now.index.intersection(before.index)
    change = pd.DataFrame({
        "group": now.loc[both, "group"].astype(str),
        "score": now.loc[both, "score"], "before": before.loc[both, "score"],
        "rank": now.loc[both, "rank"], "rank_before": before.loc[both, "rank"],
    })  # fmt: skip
    change["gain"] = change["score"] - change["before"]
    top = change.sort_values(["gain", "score"], ascending=False, kind="stable").head(10)
    notes = [f"{u}（{r.group}）：{_num(r.before)} → {_num(r.score)}分，增加{_num(r.gain)}分；"
             f"组内名次 {r['rank_before']} → {r['rank']}" for u, r in top.iterrows()]  # fmt: skip
    slide = deck.slide(title, notes)
    data = CategoryChartData()
    data.categories = list(top.index[::-1])
    data.add_series("得分增加", [round(float(v), 1) for v in top["gain"][::-1]])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, Inches(0.5), Inches(1.4),
                                   Inches(7.0), Inches(5.8), data).chart  # fmt: skip
    chart.has_legend = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = "0.0"
    plot.data_labels.number_format_is_linked = False
    plot.series[0].format.fill.solid()
    plot.series[0].format.fill.fore_color.rgb = RED
    chart.font.size = Pt(14)
    chart.font.name = FONT
    rows = [[u, f"{_num(r['before'])}→{_num(r['score'])}", f"{r['rank_before']}→{r['rank']}"]
            for u, r in top.head(MAX_ROWS).iterrows()]  # fmt: skip
    deck.table(slide, ["单位", "得分", "名次"], rows, [2.3, 1.8, 1.0], left=7.6, size=13)


def _timeliness(deck: _Deck, t: dict) -> None:
    m = t["metrics"]
    faults = t["faults"]
    sums = {c: int(m[c].sum()) for c in ("urgent", "urgent_late", "commissioned",
                                         "commissioned_on_time", "commissioned_late",
                                         "commissioned_missed")}  # fmt: skip
    counts = faults.groupby(["unit", "kind"], observed=True).size().unstack(fill_value=0)
    table = m.set_index("unit")[
        ["group", "urgent_late", "commissioned_late", "commissioned_missed"]
    ]
    for kind in ("omitted", "concealed", "false"):
        table[kind] = counts[kind] if kind in counts else 0
    table = table.fillna(0)
    cols = [
        "urgent_late",
        "commissioned_late",
        "commissioned_missed",
        "omitted",
        "concealed",
        "false",
    ]
    table[cols] = table[cols].astype(int)
    table["total"] = table[cols].sum(axis=1)
    named = table[table["total"] > 0].sort_values(["total", "urgent_late"], ascending=False,
                                                  kind="stable")  # fmt: skip
    summary = (f"紧急信息{sums['urgent']}条，迟报{sums['urgent_late']}条；约稿{sums['commissioned']}篇，"
               f"按时{sums['commissioned_on_time']}篇、逾期{sums['commissioned_late']}篇，"
               f"未完成{sums['commissioned_missed']}篇")  # fmt: skip
    notes = [summary] + [
        f"{u}：紧急信息迟报{r.urgent_late}、约稿逾期{r.commissioned_late}、约稿未完成"
        f"{r.commissioned_missed}、漏报{r.omitted}、瞒报{r.concealed}、失实{r.false}"
        for u, r in named.iterrows()
    ]
    slide = deck.slide("报送时效与迟报、漏报、约稿未完成", notes)
    shown = named.head(MAX_ROWS - 2)
    more = f"；另有{len(named) - len(shown)}个单位见备注" if len(named) > len(shown) else ""
    deck.box(slide, [summary + more], 0.6, 1.35, 12.1, 0.6, 18)
    header = ["单位", "组别", "紧急迟报", "约稿逾期", "约稿未完成", "漏报", "瞒报", "失实"]
    rows = [[u, str(r.group), *(str(getattr(r, c)) for c in cols)] for u, r in shown.iterrows()]
    if rows:
        deck.table(slide, header, rows, [3.2, 1.4, 1.3, 1.3, 1.5, 1.1, 1.1, 1.1], top=2.0,
                   size=14)  # fmt: skip


def write_deck(
    dataset: Dataset,
    rules: Rules,
    year: int,
    tables: dict,
    out_folder: str | Path,
    *,
    office: Office | None = None,
) -> Path:
    """Write ``deck_<year>.pptx`` for the commendation meeting and return its path.

    ``tables`` are those of :func:`evalkit.outputs.pack.pack_tables`.
    """
    office = office or load_office(dataset.folder)
    deck = _Deck(f"{year}年度全县政务信息工作表彰大会")
    _cover(deck, year, office)
    _numbers(deck, dataset, rules, year, tables)
    _rankings(deck, tables)
    _award_list(deck, tables)
    _improvement(deck, dataset, rules, year, tables)
    _timeliness(deck, tables)
    _informants(deck, tables)
    return deck.save(Path(out_folder) / f"deck_{year}.pptx")
