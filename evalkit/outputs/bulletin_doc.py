"""The bulletin as an official document (通报, GB/T 9704-2012): narrative written from the data.

:func:`bulletin_facts` gathers the figures the narrative states (the period's
totals, adoption rates by level and their change against the period before,
the units adopted upward or instructed, the units late, short of commissioned
items or at fault) from :func:`evalkit.outputs.bulletin.bulletin_tables` and
:func:`evalkit.metrics.compute_metrics`, so the document says what the bulletin
workbook shows. :func:`bulletin_paragraphs` words them; :func:`write_bulletin_docx`
lays them out as a 通报 with the ranking table and the list of items adopted
upward as attachments.

Examples
--------
>>> import evalkit                                                   # doctest: +SKIP
>>> data = evalkit.load("data/sample")                               # doctest: +SKIP
>>> write_bulletin_docx(data, "default", "2025-06", "reports/bulletins")  # doctest: +SKIP
PosixPath('reports/bulletins/bulletin_2025-06.docx')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from evalkit.data._dataset import Dataset
from evalkit.data._schema import LIST_SEPARATORS
from evalkit.metrics import LEVELS, Span, period_tag, resolve_period
from evalkit.outputs._gongwen import Gongwen, Office, load_office
from evalkit.outputs._labels import enum_label
from evalkit.outputs.bulletin import bulletin_period, bulletin_tables
from evalkit.scoring.rules import Rules, load_rules

__all__ = ["bulletin_facts", "bulletin_paragraphs", "write_bulletin_docx"]

UPPER = ("national", "province", "city")  # levels named for upper-level adoptions, highest first
ATTACHMENTS = ("{label}各单位信息报送采用及得分情况", "{label}市级以上采用信息目录")


def previous_span(span: Span) -> Span:
    """The period of the same length just before ``span`` (the month, quarter, half year or year before).

    Examples
    --------
    >>> previous_span(resolve_period("2025-01")).label
    '2024年12月'
    >>> previous_span(resolve_period("2025Q3")).label
    '2025年第2季度'
    """
    months = (span.end.year - span.start.year) * 12 + span.end.month - span.start.month
    start = pd.Period(span.start - pd.DateOffset(months=months), freq="M")
    if months == 1:
        return resolve_period(start)
    if months == 3 and start.month % 3 == 1:
        return resolve_period(pd.Period(start.start_time, freq="Q"))
    if months == 12 and start.month == 1:
        return resolve_period(pd.Period(start.start_time, freq="Y"))
    return resolve_period((start, start + (months - 1)))


def _totals(dataset: Dataset, span: Span) -> dict[str, int]:
    """Distinct items submitted and adopted (any level, each level) by all units in ``span``.

    The same counts as :func:`evalkit.metrics.compute_metrics` over all units
    (an item counts in the period it was submitted, an adoption in the period it
    was made, a joint item once), without the per-unit work.
    """
    subs, made = dataset.submissions, dataset.adoptions
    submitted = (subs["submitted_at"] >= span.start) & (subs["submitted_at"] < span.end)
    made = made[(made["adopted_at"] >= span.start) & (made["adopted_at"] < span.end)]
    out = {"submitted": int(submitted.sum()), "adopted": int(made["submission_id"].nunique())}
    for level in LEVELS:
        out[f"adopted_{level}"] = int(made.loc[made["level"] == level, "submission_id"].nunique())
    return out


def _units_of(cell) -> list[str]:
    return [u for u in pd.Series([str(cell)]).str.split(LIST_SEPARATORS).iloc[0] if u]


def bulletin_facts(
    dataset: Dataset, rules: Rules | str | Path, period: Any, tables: dict | None = None
) -> dict[str, Any]:
    """The figures the 通报's narrative states, as plain Python values.

    Returns
    -------
    dict
        ``label`` and ``previous_label``; ``totals`` and ``previous`` (items
        submitted, adopted, adopted at each level; ``previous`` is None when the
        data has no submission in the period before); ``groups`` (group ->
        submitted, adopted); ``upper`` (unit -> {level: items adopted at city
        level or above}); ``instructions`` (unit, title, level of each
        instruction on an adoption in the period); ``faults`` (unit -> {kind:
        count}, with ``vetoed`` units listed apart); ``commissions_late``
        (unit -> commissioned items delivered late); ``leaders`` (group -> the
        first three by year-to-date rank); ``risers`` (units up three places or
        more since the last bulletin).
    """
    rules = load_rules(rules)
    period = bulletin_period(period)
    tables = tables or bulletin_tables(dataset, rules, period)
    span = resolve_period(period)
    before = previous_span(span)
    totals = _totals(dataset, span)
    previous = _totals(dataset, before)
    groups = tables["groups"].iloc[:-1]
    upper: dict[str, dict[str, int]] = {}
    for _, row in tables["adopted"].iterrows():
        for unit in _units_of(row["units"]):
            counts = upper.setdefault(unit, dict.fromkeys(UPPER, 0))
            counts[str(row["level"])] += 1
    upper = dict(sorted(upper.items(), key=lambda kv: tuple(-kv[1][lv] for lv in UPPER)))
    made = dataset.adoptions
    made = made[(made["adopted_at"] >= span.start) & (made["adopted_at"] < span.end)]
    made = made[made["instruction_level"].notna()].merge(
        dataset.submissions[["submission_id", "units", "title"]], on="submission_id", how="left"
    )
    made = made.sort_values(["instruction_level", "adopted_at"], ascending=[False, True])
    instructions = [(row.units, row.title, str(row.instruction_level)) for row in made.itertuples()]
    faults: dict[str, dict[str, int]] = {}
    for row in tables["faults"].itertuples():
        kinds = faults.setdefault(row.unit, {})
        kinds[str(row.kind)] = kinds.get(str(row.kind), 0) + 1
    vetoed = sorted(set(tables["faults"].loc[tables["faults"]["vetoed"], "unit"]))
    commissions = tables["commissions"]
    late = commissions[commissions["commissioned_late"] > 0]
    ranking = tables["ranking"]
    leaders = {
        str(group): frame[~frame["vetoed"]].nsmallest(3, "ytd_rank", keep="first")["unit"].tolist()
        for group, frame in ranking.groupby("group", observed=True, sort=False)
    }
    risers = ranking[ranking["rank_change"].fillna(0) >= 3].sort_values(
        "rank_change", ascending=False, kind="stable"
    )
    return {
        "label": span.label,
        "previous_label": before.label,
        "totals": totals,
        "previous": previous if previous["submitted"] else None,
        "n_units": len(ranking),
        "groups": {
            str(r.group): {"submitted": int(r.period_submitted), "adopted": int(r.period_adopted)}
            for r in groups.itertuples()
        },
        "upper": upper,
        "instructions": instructions,
        "faults": faults,
        "vetoed": vetoed,
        "commissions_late": dict(
            zip(late["unit"], late["commissioned_late"].astype(int), strict=True)
        ),
        "leaders": leaders,
        "risers": list(zip(risers["unit"], risers["rank_change"].astype(int), strict=True)),
    }


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _change(now: float, before: float) -> str:
    diff = round(now - before, 1)
    if diff > 0:
        return f"提高{diff:.1f}个百分点"
    if diff < 0:
        return f"下降{-diff:.1f}个百分点"
    return "持平"


def _level(level: str) -> str:
    return enum_label("level", level, "zh")


def bulletin_paragraphs(facts: dict[str, Any]) -> list[tuple[str, str]]:
    """The 通报's body as ``(kind, text)`` pairs, kind ``"p"`` (paragraph) or ``"h1"`` (heading).

    Every figure comes from ``facts`` (:func:`bulletin_facts`); nothing is invented.
    """
    t, prev = facts["totals"], facts["previous"]
    out: list[tuple[str, str]] = []
    rate = _pct(t["adopted"], t["submitted"])
    levels = "、".join(f"{_level(lv)}{t[f'adopted_{lv}']}条" for lv in LEVELS)
    opening = (
        f"{facts['label']}，全县{facts['n_units']}个单位共报送信息{t['submitted']}条，"
        f"被各级采用{t['adopted']}条，采用率{rate:.1f}%。其中被{levels}。"
    )
    out.append(("p", opening))
    out.append(("h1", "一、总体情况"))
    groups = "；".join(
        f"{group}报送{g['submitted']}条、被采用{g['adopted']}条"
        for group, g in facts["groups"].items()
    )
    rates = "，".join(
        f"{_level(lv)}采用率{_pct(t[f'adopted_{lv}'], t['submitted']):.1f}%" for lv in LEVELS[:3]
    )
    text = f"分组看，{groups}。分级看，{rates}"
    if prev:
        changes = "，".join(
            f"{_level(lv)}{_change(_pct(t[f'adopted_{lv}'], t['submitted']), _pct(prev[f'adopted_{lv}'], prev['submitted']))}"
            for lv in LEVELS[:3]
        )
        text += (
            f"。与上期（{facts['previous_label']}，报送{prev['submitted']}条、采用{prev['adopted']}条、"
            f"采用率{_pct(prev['adopted'], prev['submitted']):.1f}%）相比，报送量"
            f"{'增加' if t['submitted'] >= prev['submitted'] else '减少'}"
            f"{abs(t['submitted'] - prev['submitted'])}条，总采用率"
            f"{_change(rate, _pct(prev['adopted'], prev['submitted']))}，其中{changes}。"
        )
    else:
        text += f"。上期（{facts['previous_label']}）无报送数据，不作比较。"
    out.append(("p", text))
    out.append(("h1", "二、上级采用和领导批示情况"))
    if facts["upper"]:
        named = "、".join(
            f"{unit}（{'、'.join(f'{_level(lv)}{n}条' for lv, n in counts.items() if n)}）"
            for unit, counts in facts["upper"].items()
        )
        n_upper = sum(t[f"adopted_{lv}"] for lv in UPPER)
        out.append(
            (
                "p",
                f"本期被市级及以上采用信息{n_upper}条。{named}报送的信息被上级采用，予以通报表扬。",
            )
        )
    else:
        out.append(("p", "本期没有信息被市级及以上采用，各单位要进一步提高信息质量。"))
    if facts["instructions"]:
        named = "；".join(
            f"{units}报送的《{title}》获{_level(level)}领导批示"
            for units, title, level in facts["instructions"]
        )
        out.append(("p", f"本期采用信息获领导批示{len(facts['instructions'])}次：{named}。"))
    out.append(("h1", "三、信息报送时效和约稿完成情况"))
    problems = []
    for unit, kinds in facts["faults"].items():
        what = "、".join(f"{enum_label('fault_kind', k, 'zh')}{n}次" for k, n in kinds.items())
        problems.append(f"{unit}{what}")
    late = [f"{unit}约稿逾期{n}篇" for unit, n in facts["commissions_late"].items()]
    if problems or late:
        text = "；".join(problems + late)
        text = f"本期存在以下问题：{text}，予以通报批评。"
        if facts["vetoed"]:
            text += f"按照考核办法，{'、'.join(facts['vetoed'])}年度评先实行一票否决。"
        out.append(("p", text))
    else:
        out.append(("p", "本期各单位未发生迟报、漏报、瞒报、信息失实和约稿未完成等问题。"))
    out.append(("h1", "四、累计得分排名情况"))
    leaders = "；".join(
        f"{group}前三名为{'、'.join(units)}" for group, units in facts["leaders"].items()
    )
    text = f"按年初以来累计得分，{leaders}（详见附件1）。"
    if facts["risers"]:
        risers = "、".join(f"{unit}（上升{n}位）" for unit, n in facts["risers"][:5])
        text += f"与上期通报相比，{risers}进步明显。"
    out.append(("p", text))
    out.append(("p", "请各单位对照通报情况，围绕中心工作，及时准确报送信息，"
                     "紧急信息严格按时限报送，按时完成约稿任务。"))  # fmt: skip
    return out


def _score(value) -> str:
    return "" if pd.isna(value) else f"{value:.2f}"


def _rank_change(value) -> str:
    if pd.isna(value):
        return "—"
    return f"↑{value}" if value > 0 else (f"↓{-value}" if value < 0 else "—")


RANKING_HEADER = ["名次", "单位", "本期报送", "本期采用", "其中市级以上", "本期得分",
                  "累计报送", "累计采用", "累计得分", "名次变化"]  # fmt: skip
ADOPTED_HEADER = [
    "序号",
    "采用级别",
    "报送单位",
    "标题",
    "采用刊物",
    "采用方式",
    "采用日期",
    "批示",
]


def ranking_rows(ranking: pd.DataFrame) -> list[list[str]]:
    """The rows of the ranking attachment for one group (the table's text, cell by cell)."""
    upper = ranking[[f"period_adopted_{lv}" for lv in UPPER]].sum(axis=1)
    rows = []
    for (_, r), up in zip(ranking.iterrows(), upper, strict=True):
        unit = f"{r['unit']}（一票否决）" if r["vetoed"] else str(r["unit"])
        rows.append([str(r["ytd_rank"]), unit, str(r["period_submitted"]), str(r["period_adopted"]),
                     str(int(up)), _score(r["period_score"]), str(r["ytd_submitted"]),
                     str(r["ytd_adopted"]), _score(r["ytd_score"]), _rank_change(r["rank_change"])])  # fmt: skip
    return rows


def adopted_rows(adopted: pd.DataFrame) -> list[list[str]]:
    rows = []
    for i, r in enumerate(adopted.itertuples(), start=1):
        instruction = "" if pd.isna(r.instruction_level) else _level(str(r.instruction_level))
        rows.append([str(i), _level(str(r.level)), str(r.units), str(r.title), str(r.outlet),
                     enum_label("adoption_type", str(r.adoption_type), "zh"),
                     r.adopted_at.strftime("%Y-%m-%d"), instruction])  # fmt: skip
    return rows


def write_bulletin_docx(
    dataset: Dataset,
    rules: Rules | str | Path,
    period: Any,
    out_folder: str | Path,
    *,
    office: Office | None = None,
) -> Path:
    """Write ``bulletin_<period>.docx``, the 通报 laid out by GB/T 9704-2012, and return its path.

    The office's details come from ``office.toml`` in the data folder unless
    ``office`` is given (see :func:`evalkit.outputs._gongwen.load_office`).
    """
    rules = load_rules(rules)
    period = bulletin_period(period)
    office = office or load_office(dataset.folder)
    tables = bulletin_tables(dataset, rules, period)
    facts = bulletin_facts(dataset, rules, period, tables)
    label = facts["label"]
    title = f"关于{label}全县政务信息工作情况的通报"
    doc = Gongwen(office, title=title)
    doc.add_header(office.number("bulletin", period.year))
    doc.add_title(title)
    doc.add_recipients(office.recipients)
    for kind, text in bulletin_paragraphs(facts):
        doc.add_heading(text) if kind == "h1" else doc.add_paragraph(text)
    names = [name.format(label=label) for name in ATTACHMENTS]
    doc.add_attachment_notes(names)
    doc.add_signature("bulletin")
    ytd = resolve_period(("ytd", period)).label
    doc.add_attachment(names[0], f"本期：{label}；累计：{ytd}。名次为累计得分在组内的名次，"
                                 f"名次变化与上期通报相比（↑上升，↓下降）。")  # fmt: skip
    widths = [12, 34, 12, 12, 13, 17, 12, 12, 18, 14]
    for i, (group, frame) in enumerate(
        tables["ranking"].groupby("group", observed=True, sort=False)
    ):
        doc.add_heading(f"（{'一二三四五六七八九十'[i % 10]}）{group}", level=2)
        doc.add_table(RANKING_HEADER, ranking_rows(frame), widths, align_left={1})
    doc.add_attachment(names[1], f"采用时间在{label}内的市级、省级、国家级采用。")
    if tables["adopted"].empty:
        doc.add_paragraph("本期无市级及以上采用信息。")
    else:
        doc.add_table(ADOPTED_HEADER, adopted_rows(tables["adopted"]),
                      [11, 11, 22, 45, 20, 11, 24, 12], align_left={2, 3, 4})  # fmt: skip
    return doc.save(Path(out_folder) / f"bulletin_{period_tag(period)}.docx")
