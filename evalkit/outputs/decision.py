"""The year's commendation decision (表彰决定) as an official document (GB/T 9704-2012).

:func:`write_decision` writes the draft the office signs: a preamble from the
year's figures (items submitted and adopted at each level, instructions, the
change on the year before), the decision naming how many units and informants
are commended under which rules, the vetoed units, and as its attachment the
list of 先进单位 by group, tier and class and of 优秀信息员 with their units,
exactly as :func:`evalkit.scoring.awards.select_awards` chose them.

Examples
--------
>>> import evalkit                                                   # doctest: +SKIP
>>> from evalkit.outputs.pack import pack_tables                     # doctest: +SKIP
>>> data = evalkit.load("data/sample")                               # doctest: +SKIP
>>> tables = pack_tables(data, rules, 2025)                          # doctest: +SKIP
>>> write_decision(data, rules, 2025, tables, "reports/2025")        # doctest: +SKIP
PosixPath('reports/2025/decision_2025.docx')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from evalkit.data._dataset import Dataset
from evalkit.metrics import LEVELS, resolve_period
from evalkit.outputs._gongwen import Gongwen, Office, load_office
from evalkit.outputs._labels import enum_label
from evalkit.outputs.bulletin_doc import _totals
from evalkit.scoring.rules import Rules

__all__ = ["award_lists", "decision_facts", "decision_paragraphs", "write_decision"]

NUMERALS = "一二三四五六七八九十"


def award_lists(awards: pd.DataFrame, scores: pd.DataFrame) -> dict[str, Any]:
    """The award list as the decision's attachment shows it.

    Returns ``{"units": [(group, award, class or None, [unit, ...]), ...],
    "informants": [(group or None, award, [(name, unit), ...]), ...]}`` in the
    order of the award rules (groups, then tiers), units by rank within a tier.
    """
    classes = scores.set_index("unit")["class"] if "class" in scores else pd.Series(dtype=object)
    units = awards[awards["kind"] == "unit"]
    out_units = []
    for (group, award), frame in units.groupby(["group", "award"], sort=False, dropna=False):
        frame = frame.sort_values(["rank", "unit"], kind="stable")
        by_class = frame["unit"].map(classes)
        for cls, part in frame.groupby(by_class.fillna(""), sort=True):
            out_units.append((str(group), str(award), cls or None, part["unit"].tolist()))
    people = awards[awards["kind"] == "informant"].sort_values(["rank", "informant"], kind="stable")
    out_people = [
        (None if pd.isna(group) else str(group), str(award),
         list(zip(frame["informant"].astype(str), frame["unit"].astype(str), strict=True)))
        for (group, award), frame in people.groupby(["group", "award"], sort=False, dropna=False)
    ]  # fmt: skip
    if out_people and len({award for _, award, _ in out_people}) == 1:
        # One tier across groups (e.g. 20 excellent informants): one list, by rank.
        out_people = [(None, out_people[0][1], list(zip(people["informant"].astype(str),
                                                        people["unit"].astype(str), strict=True)))]  # fmt: skip
    return {"units": out_units, "informants": out_people}


def decision_facts(dataset: Dataset, rules: Rules, year: int, tables: dict) -> dict[str, Any]:
    """The figures of the decision's preamble and its award counts.

    ``totals`` and ``previous`` (the year before, None without data) hold the
    items submitted, adopted (any level) and adopted at each level (distinct
    items, as :func:`evalkit.metrics.compute_metrics` counts them);
    ``instructions`` the instructions on adoptions made in the year;
    ``n_units`` and ``n_informants`` the commended; ``vetoed`` the vetoed units.
    """
    span = resolve_period(year=year)
    totals = _totals(dataset, span)
    previous = _totals(dataset, resolve_period(year=year - 1))
    made = dataset.adoptions
    in_year = (made["adopted_at"] >= span.start) & (made["adopted_at"] < span.end)
    awards = tables["awards"]
    scores = tables["scores"]
    return {
        "year": year,
        "rules": rules.name,
        "totals": totals,
        "previous": previous if previous["submitted"] else None,
        "instructions": int((in_year & made["instruction_level"].notna()).sum()),
        "n_units": int((awards["kind"] == "unit").sum()),
        "n_informants": int((awards["kind"] == "informant").sum()),
        "vetoed": _veto_reasons(tables["faults"], rules, scores.loc[scores["vetoed"], "unit"]),
        "lists": award_lists(awards, scores),
    }


def _veto_reasons(faults: pd.DataFrame, rules: Rules, vetoed: pd.Series) -> dict[str, list[str]]:
    """Vetoed unit -> the kinds of its faults that veto (迟报, 瞒报 ...), as the rules say."""
    kinds = set(rules["faults.veto"])
    out = {}
    for unit in vetoed.astype(str):
        found = faults.loc[
            (faults["unit"] == unit) & faults["kind"].astype(str).isin(kinds), "kind"
        ]
        out[unit] = [
            enum_label("fault_kind", str(k), "zh") for k in dict.fromkeys(found.astype(str))
        ]
    return out


def decision_title(year: int) -> str:
    return f"关于表彰{year}年度全县政务信息工作先进单位和优秀信息员的决定"


def attachment_title(year: int) -> str:
    return f"{year}年度全县政务信息工作先进单位和优秀信息员名单"


def decision_paragraphs(facts: dict[str, Any]) -> list[str]:
    """The decision's body paragraphs; every figure comes from ``facts``."""
    t, prev, year = facts["totals"], facts["previous"], facts["year"]
    rate = 100.0 * t["adopted"] / t["submitted"] if t["submitted"] else 0.0
    levels = "、".join(
        f"{enum_label('level', lv, 'zh')}采用{t[f'adopted_{lv}']}条" for lv in LEVELS
    )
    text = (
        f"{year}年，全县各乡镇（街道）、县直各部门紧紧围绕县委、县政府中心工作，"
        f"积极报送政务信息，全年共报送信息{t['submitted']}条，被各级采用{t['adopted']}条，"
        f"采用率{rate:.1f}%，其中被{levels}，采用信息获各级领导批示{facts['instructions']}次。"
    )
    if prev:
        diff = t["submitted"] - prev["submitted"]
        upper = sum(t[f"adopted_{lv}"] for lv in LEVELS[1:])
        upper_prev = sum(prev[f"adopted_{lv}"] for lv in LEVELS[1:])
        text += (
            f"与上年相比，报送量{'增加' if diff >= 0 else '减少'}{abs(diff)}条，"
            f"市级及以上采用{'增加' if upper >= upper_prev else '减少'}{abs(upper - upper_prev)}条。"
        )
    lists = facts["lists"]
    first_unit = lists["units"][0][3][0] if lists["units"] else None
    first_person = lists["informants"][0][2][0][0] if lists["informants"] else None
    out = [text]
    named = []
    if first_unit:
        named.append(f"对{first_unit}等{facts['n_units']}个先进单位")
    if first_person:
        named.append(f"{first_person}等{facts['n_informants']}名优秀信息员")
    if named:
        out.append(
            f"为表彰先进、激励担当，根据《{facts['rules']}》，经综合考评，"
            f"决定{'和'.join(named)}予以通报表彰（名单见附件）。"
        )
    if facts["vetoed"]:
        named = "、".join(
            f"{unit}（{'、'.join(kinds)}）" if kinds else unit
            for unit, kinds in facts["vetoed"].items()
        )
        out.append(f"{named}因发生一票否决事项，按照考核办法不参加本年度评先。")
    out.append(
        "希望受表彰的单位和个人珍惜荣誉、再接再厉，在新的一年里取得更好成绩。各单位要以先进为榜样，"
        "进一步加强信息工作力量，提高信息报送的时效和质量，为县委、县政府科学决策提供更加有力的信息服务。"
    )
    return out


def write_decision(
    dataset: Dataset,
    rules: Rules,
    year: int,
    tables: dict,
    out_folder: str | Path,
    *,
    office: Office | None = None,
) -> Path:
    """Write ``decision_<year>.docx``, the 表彰决定 draft, and return its path.

    ``tables`` are those of :func:`evalkit.outputs.pack.pack_tables` (``scores``
    and ``awards``); the office's details come from ``office.toml`` in the data
    folder unless ``office`` is given.
    """
    office = office or load_office(dataset.folder)
    facts = decision_facts(dataset, rules, year, tables)
    doc = Gongwen(office, title=decision_title(year))
    doc.add_header(office.number("decision", year + 1))
    doc.add_title(decision_title(year))
    doc.add_recipients(office.recipients)
    for text in decision_paragraphs(facts):
        doc.add_paragraph(text)
    doc.add_attachment_notes([attachment_title(year)])
    doc.add_signature("decision")
    doc.add_attachment(attachment_title(year))
    doc.number_attachments(1)
    lists = facts["lists"]
    doc.add_heading(f"一、先进单位（{facts['n_units']}个）")
    groups = list(dict.fromkeys(group for group, *_ in lists["units"]))
    for i, group in enumerate(groups):
        doc.add_heading(f"（{NUMERALS[i % 10]}）{group}", level=2)
        for _, award, cls, units in (entry for entry in lists["units"] if entry[0] == group):
            label = award if cls is None else f"{award}（{cls}）"
            doc.add_paragraph(f"{label}：{'、'.join(units)}")
    doc.add_heading(f"二、优秀信息员（{facts['n_informants']}名）")
    for group, award, people in lists["informants"]:
        if group:
            doc.add_heading(f"{group}{award}", level=2)
        doc.add_paragraph("、".join(f"{name}（{unit}）" for name, unit in people))
    return doc.save(Path(out_folder) / f"decision_{year}.docx")
