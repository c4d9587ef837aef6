"""Every user-facing label in Chinese and English: column headers, chart text, enumerations.

``LABELS["zh"]`` and ``LABELS["en"]`` hold the same keys. Keys are the
canonical column names (``score``, ``rank``, ``points_county``...), chart
texts (``title_ranking``...; some are templates with ``{fields}``), and the
values of the enumerations of :data:`evalkit.data._schema.ENUMS` as
``"<enumeration>.<value>"`` (``"level.county"`` -> 县级), whose Chinese comes
from the schema itself. :data:`VALUES_EN` translates common Chinese data values
(group, class and award names) for English output.

Use :func:`label`, :func:`enum_label`, :func:`translate`, :func:`rule_label`
and :func:`header_labels`; charts and the workbook read this one module.
"""

from __future__ import annotations

from evalkit.data._schema import COLUMNS, ENUMS

LANGS = ("zh", "en")
_MONTHS_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

# Column headers and chart words: (Chinese, English).
_TERMS: dict[str, tuple[str, str]] = {
    # identities
    "unit": ("单位", "Unit"),
    "units": ("报送单位", "Units"),
    "group": ("组别", "Group"),
    "class": ("类别", "Class"),
    "informant": ("信息员", "Informant"),
    "informants": ("信息员", "Informants"),
    "submission_id": ("编号", "ID"),
    "title": ("标题", "Title"),
    "category": ("信息类别", "Category"),
    "level": ("采用级别", "Level"),
    "outlet": ("采用刊物", "Outlet"),
    "adoption_type": ("采用方式", "Adoption type"),
    "instruction_level": ("批示级别", "Instruction level"),
    "kind": ("类型", "Kind"),
    "year": ("年度", "Year"),
    "month": ("月份", "Month"),
    # scores and ranks
    "score": ("得分", "Score"),
    "rank": ("名次", "Rank"),
    "vetoed": ("一票否决", "Vetoed"),
    "award": ("奖项", "Award"),
    "n_items": ("报送数", "Items"),
    "n_adopted": ("采用数", "Adopted"),
    "points_submission": ("报送分", "Submission points"),
    "points_county": ("县级采用分", "County adoption points"),
    "points_city": ("市级采用分", "City adoption points"),
    "points_province": ("省级采用分", "Province adoption points"),
    "points_national": ("国家级采用分", "National adoption points"),
    "points_instruction": ("批示加分", "Instruction bonus"),
    "points_quota": ("任务分", "Quota points"),
    "points_lateness": ("迟报扣分", "Lateness penalty"),
    "points_faults": ("问题扣分", "Fault penalty"),
    "points_quota_penalty": ("任务未完成扣分", "Quota penalty"),
    "points_adjustment": ("调整分", "Adjustment"),
    "eligible": ("可评先", "Eligible for awards"),
    # counts and rates
    "submitted": ("报送数", "Submitted"),
    "adopted": ("采用数", "Adopted"),
    "adopted_county": ("县级采用数", "Adopted by county"),
    "adopted_city": ("市级采用数", "Adopted by city"),
    "adopted_province": ("省级采用数", "Adopted by province"),
    "adopted_national": ("国家级采用数", "Adopted nationally"),
    "rate": ("采用率", "Adoption rate"),
    "rate_low": ("采用率下限", "Rate, lower bound"),
    "rate_high": ("采用率上限", "Rate, upper bound"),
    "urgent": ("紧急信息数", "Urgent items"),
    "urgent_late": ("紧急信息迟报数", "Urgent items late"),
    "commissioned_on_time": ("约稿按时完成数", "Commissions on time"),
    "commissioned_late": ("约稿逾期完成数", "Commissions late"),
    "commissioned_missed": ("约稿未完成数", "Commissions missed"),
    "lag_hours": ("报送用时（小时）", "Lag (hours)"),
    "lag_hours_median": ("报送用时中位数（小时）", "Median lag (hours)"),
    "lag_hours_p90": ("报送用时90%分位（小时）", "Lag, 90th percentile (hours)"),
    "lag_workdays_median": ("报送用时中位数（工作日）", "Median lag (working days)"),
    "commissioned": ("约稿数", "Commissioned items"),
    "deadline_at": ("截止时间", "Due"),
    "quota_met": ("完成报送任务", "Quota met"),
    "record": ("记录", "Record"),
    "rule": ("计分规则", "Rule"),
    "detail": ("说明", "Detail"),
    "ledger_points": ("分值", "Points"),
    "table": ("数据表", "Table"),
    "file": ("文件", "File"),
    "row": ("行号", "Row"),
    "column": ("列", "Column"),
    "message": ("说明", "Message"),
    "reason": ("拒收原因", "Reason rejected"),
    "severity": ("检查结果", "Check"),
    "rows_read": ("读取行数", "Rows read"),
    "loaded": ("载入行数", "Rows loaded"),
    "rejected": ("拒收行数", "Rows rejected"),
    "blank_rows": ("空行数", "Blank rows"),
    "deadline_hours": ("时限（小时）", "Deadline (hours)"),
    "late": ("迟报", "Late"),
    "value": ("数值", "Value"),
    "score_a": ("得分（方案A）", "Score (A)"),
    "score_b": ("得分（方案B）", "Score (B)"),
    "rank_a": ("名次（方案A）", "Rank (A)"),
    "rank_b": ("名次（方案B）", "Rank (B)"),
    "rank_change": ("名次变化", "Rank change"),
    "score_change": ("得分变化", "Score change"),
    "award_a": ("奖项（方案A）", "Award (A)"),
    "award_b": ("奖项（方案B）", "Award (B)"),
    "vetoed_a": ("一票否决（方案A）", "Vetoed (A)"),
    "vetoed_b": ("一票否决（方案B）", "Vetoed (B)"),
    "rank_median": ("名次中位数", "Median rank"),
    "rank_p05": ("区间下端（5%）", "Band low (5%)"),
    "rank_p95": ("区间上端（95%）", "Band high (95%)"),
    # late or missed, per unit
    "faults_omitted": ("漏报", "Omitted"),
    "faults_concealed": ("瞒报", "Concealed"),
    "faults_false": ("失实", "False"),
    "faults_late": ("迟报（问题记录）", "Late (fault records)"),
    "faults_commission_missed": ("约稿未完成（问题记录）", "Commission missed (fault records)"),
    # year over year
    "score_previous": ("上年得分", "Last year's score"),
    "rank_previous": ("上年名次", "Last year's rank"),
    # chart words
    "awarded": ("获奖", "Awarded"),
    "not_awarded": ("未获奖", "Not awarded"),
    "rank_move": ("第{before}→{now}名", "#{before} → #{now}"),
    "new_this_year": ("上年无得分", "no score last year"),
    "axis_score_change": ("得分较上年增减", "Score change on last year"),
    "axis_late": ("迟报、漏报与约稿未完成（条）", "Items late, omitted or not delivered"),
    "total": ("合计", "Total"),
    "items": ("条", "items"),
    "share_of_submitted": ("占报送 {share}", "{share} of submitted"),
    "against_previous": ("（{previous}年 {total}，{change}）", " ({previous}: {total}, {change})"),
    "year_label": ("{year}年", "{year}"),
    "average": ("平均采用率", "Average rate"),
    "limits_95": ("95%控制限", "95% limits"),
    "limits_998": ("99.8%控制限", "99.8% limits"),
    "on_time": ("按时", "On time"),
    "no_deadline": ("无时限", "No deadline"),
    "deadline": ("时限", "Deadline"),
    "due_time": ("截止时间", "Due"),
    "no_times": ("无时间记录", "no times recorded"),
    "n_and_late": ("共{n}条，迟报{late}条", "{n} items, {late} late"),
    "n_items_short": ("共{n}条", "{n} items"),
    "points": ("分", "points"),
    "rank_prefix": ("第{rank}名", "#{rank}"),
    "unit_of_informant": ("{informant}（{unit}）", "{informant} ({unit})"),
    "rule_a": ("方案A", "Rules A"),
    "rule_b": ("方案B", "Rules B"),
    "rises": ("上升{n}名及以上", "up {n}+ places"),
    "falls": ("下降{n}名及以上", "down {n}+ places"),
    "unchanged": ("不变", "Unchanged"),
    "stage_submitted": ("报送", "Submitted"),
    "stage_county": ("县级采用", "County"),
    "stage_city": ("市级采用", "City"),
    "stage_province": ("省级采用", "Province"),
    "stage_national": ("国家级采用", "National"),
    "year_prefix": ("{year}年度", "{year} "),
    # chart titles (templates: {prefix} is year_prefix or "")
    "title_ranking": (
        "{prefix}{group}信息工作得分排名",
        "{prefix}information work scores: {group}",
    ),
    "title_composition": ("{prefix}{group}得分构成", "{prefix}score composition: {group}"),
    "title_adoption_funnel": (
        "{prefix}信息报送与各级采用情况",
        "{prefix}items submitted and adopted by level",
    ),
    "title_monthly": (
        "{year}年各月信息报送与采用（与{previous}年对比）",
        "Monthly submissions and adoptions, {year} against {previous}",
    ),
    "title_monthly_single": (
        "{year}年各月信息报送与采用",
        "Monthly submissions and adoptions, {year}",
    ),
    "title_funnel": (
        "{prefix}各单位采用率漏斗图",
        "{prefix}adoption rate against items submitted (funnel plot)",
    ),
    "title_timeliness": ("{prefix}信息报送时效分布", "{prefix}timeliness of submissions"),
    "title_heatmap": ("{year}年各单位逐月报送数", "Items submitted per unit and month, {year}"),
    "title_top_informants": ("{prefix}信息员得分前{n}名", "{prefix}top {n} informants"),
    "title_commended_informants": (
        "{prefix}优秀信息员（{n}名）",
        "{prefix}excellent informants ({n})",
    ),
    "title_improvement": (
        "{prefix}得分较{previous}年提高最多的单位",
        "{prefix}units that improved most on {previous}",
    ),
    "title_late": (
        "{prefix}各单位迟报、漏报与约稿未完成情况",
        "{prefix}items late, omitted or not delivered, by unit",
    ),
    "title_rank_bands": (
        "{prefix}{group}名次不确定性（5%-95%区间）",
        "{prefix}rank uncertainty: {group} (5%-95% range)",
    ),
    "title_bump": (
        "{group}名次对比：{label_a} → {label_b}",
        "Ranks in {group}: {label_a} → {label_b}",
    ),
    "axis_score": ("得分", "Score"),
    "axis_items": ("信息条数（对数刻度）", "Items (log scale)"),
    "axis_count": ("条数", "Items"),
    "axis_rate": ("采用率", "Adoption rate"),
    "axis_submitted": ("报送数", "Items submitted"),
    "axis_lag": ("事发至报送用时（对数刻度）", "Time from event to submission (log scale)"),
    "axis_margin": (
        "报送时间距截止时间（天，负数为提前）",
        "Days from due time to submission (negative: early)",
    ),
    "axis_month": ("月份", "Month"),
    "axis_rank": ("名次", "Rank"),
    "band_range": ("5%-95%区间", "5%-95% range"),
    "band_rank": ("实际名次", "Actual rank"),
    "all_groups": ("全部单位", "all units"),
    "minutes": ("{n}分钟", "{n} min"),
    "hours": ("{n}小时", "{n} h"),
    "days": ("{n}天", "{n} d"),
    "note_joint": ("合报信息计入每个报送单位", "joint items count for each unit"),
}

# Common Chinese data values (groups, classes, awards) in English; others pass through.
VALUES_EN: dict[str, str] = {
    "乡镇组": "Townships",
    "部门组": "Departments",
    "县直部门": "County departments",
    "乡镇": "Townships",
    "街道": "Sub-districts",
    "一类": "Class 1",
    "二类": "Class 2",
    "三类": "Class 3",
    "先进单位": "Advanced unit",
    "优秀单位": "Excellent unit",
    "一等奖": "First prize",
    "一票否决": "Vetoed",
    "二等奖": "Second prize",
    "三等奖": "Third prize",
    "优秀奖": "Honourable mention",
    "优秀信息员": "Excellent informant",
}

_ENUMS_EN: dict[str, dict[str, str]] = {
    "category": {
        "ordinary": "Ordinary",
        "urgent": "Urgent",
        "research": "Research",
        "commissioned": "Commissioned",
    },
    "level": {"county": "County", "city": "City", "province": "Province", "national": "National"},
    "adoption_type": {"single": "Single", "combined": "Combined", "brief": "Brief"},
    "instruction_level": {
        "county": "County",
        "city": "City",
        "province": "Province",
        "national": "National",
    },
    "severity": {"error": "Error", "warning": "Warning", "rejected": "Row rejected"},
    "table": {
        "units": "Units",
        "submissions": "Submissions",
        "adoptions": "Adoptions",
        "faults": "Faults",
        "instructions": "Instructions",
        "forwardings": "Forwardings",
    },
    "leader_level": {
        "county": "County",
        "county_main": "County main leaders",
        "city_office": "City general office",
        "city_secretary": "City secretary-general",
        "city": "City",
        "city_main": "City main leaders",
        "province_office": "Provincial general office",
        "province_secretary": "Provincial secretary-general",
        "province": "Province",
        "province_main": "Provincial main leaders",
        "national": "National",
    },
    "instruction_kind": {"affirmative": "Affirmative", "directive": "Directive"},
    "forward_level": {
        "city": "To the city",
        "province": "To the province",
        "national": "To the national offices",
    },
    "fault_kind": {
        "late": "Late",
        "omitted": "Omitted",
        "concealed": "Concealed",
        "false": "False",
        "commission_missed": "Commission missed",
    },
}


def _build() -> dict[str, dict[str, str]]:
    zh = {key: pair[0] for key, pair in _TERMS.items()}
    en = {key: pair[1] for key, pair in _TERMS.items()}
    zh |= {f"month.{m}": f"{m}月" for m in range(1, 13)}
    en |= {f"month.{m}": abbr for m, abbr in enumerate(_MONTHS_EN, start=1)}
    zh |= {f"severity.{k}": v for k, v in (("error", "错误"), ("warning", "提示"),
                                              ("rejected", "拒收"))}  # fmt: skip
    en |= {f"severity.{k}": v for k, v in _ENUMS_EN["severity"].items()}
    zh |= {f"table.{k}": v for k, v in (("units", "单位"), ("submissions", "报送"),
                                        ("adoptions", "采用"), ("faults", "问题"),
                                        ("instructions", "批示"), ("forwardings", "转报"))}  # fmt: skip
    en |= {f"table.{k}": v for k, v in _ENUMS_EN["table"].items()}
    for enum in ENUMS.values():
        zh |= {f"{enum.name}.{value}": text for value, text in enum.zh.items()}
        en |= {f"{enum.name}.{value}": text for value, text in _ENUMS_EN[enum.name].items()}
    # Schema columns not named above keep the schema's Chinese header.
    for table in COLUMNS.values():
        for col in table:
            zh.setdefault(col.name, col.zh)
            en.setdefault(col.name, col.name.replace("_", " ").capitalize())
    return {"zh": zh, "en": en}


LABELS: dict[str, dict[str, str]] = _build()


def _check_lang(lang: str) -> None:
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")


def label(key: str, lang: str = "zh", **fields: object) -> str:
    """Return the label ``key`` in ``lang``, with template ``fields`` filled in.

    Parameters
    ----------
    key : str
        A key of :data:`LABELS`, e.g. ``"score"`` or ``"title_ranking"``.
    lang : {"zh", "en"}
        Language.
    **fields
        Values for the ``{placeholders}`` of a template.

    Returns
    -------
    str
        The label; an unknown key raises :class:`KeyError`.
    """
    _check_lang(lang)
    text = LABELS[lang][key]
    return text.format(**fields) if fields else text


def enum_label(enum: str, value: str, lang: str = "zh") -> str:
    """Return the label of ``value`` of enumeration ``enum`` (e.g. ``"level"``, ``"city"``).

    An unknown value is returned unchanged.
    """
    _check_lang(lang)
    return LABELS[lang].get(f"{enum}.{value}", value)


def translate(value: str, lang: str = "zh") -> str:
    """Return a Chinese data value (group, class, award) in ``lang``; unknown values pass through."""
    _check_lang(lang)
    return VALUES_EN.get(value, value) if lang == "en" else value


_RULE_PARTS = {  # rule-key patterns of the ledger -> (Chinese, English) templates
    r"submission\.points": ("报送分", "Submission points"),
    r"submission\.cap": ("报送分封顶", "Submission cap"),
    r"adoption\.points\.(?P<level>\w+)": ("{level}采用", "{level} adoption"),
    r"adoption\.outlets\.(?P<level>\w+)\.(?P<outlet>.+)\."
    r"(?P<cat>ordinary|urgent|research|commissioned)": (
        "{level}采用《{outlet}》：{cat}",
        "{level} adoption, {outlet}, {cat}",
    ),
    r"adoption\.outlets\.(?P<level>\w+)\.(?P<outlet>.+)": (
        "{level}采用《{outlet}》",
        "{level} adoption, {outlet}",
    ),
    r"instruction\.points\.(?P<leader>\w+)": ("{leader}领导批示", "{leader} instruction"),
    r"instruction\.further\.(?P<leader>\w+)": ("{leader}再批示", "{leader}, a further instruction"),
    r"instruction\.factor\.(?P<leader>\w+)": (
        "{leader}批示：按倍数",
        "{leader} instruction: multiple",
    ),
    r"instruction\.outlets\.(?P<outlet>.+)": ("《{outlet}》上的批示", "Instruction in {outlet}"),
    r"forwarding\.points\.(?P<to>\w+)": ("{to}", "{to}"),
    r"forwarding\.points\.(?P<to>\w+)\.(?P<cat>\w+)": ("{to}：{cat}", "{to}: {cat}"),
    r"forwarding\.factor\.(?P<level>\w+)": (
        "经转报{level}采用：按倍数",
        "{level} adoption after forwarding",
    ),
    r"adoption\.points\.(?P<level>\w+)\.(?P<cat>\w+)": (
        "{level}采用：{cat}",
        "{level} adoption, {cat}",
    ),
    r"submission\.points\.(?P<cat>\w+)": ("报送分：{cat}", "Submission points: {cat}"),
    r"lateness\.points\.(?P<cat>\w+)": ("迟报扣分：{cat}", "Late: fixed penalty, {cat}"),
    r"deadlines\.(?P<cat>\w+)\.on_time": ("按时报送：{cat}", "On time: {cat}"),
    r"quota\[(?P<n>\d+)\]\.base_points": ("报送任务{n}：完成得分", "Quota {n}: base points"),
    r"quota\[(?P<n>\d+)\]\.penalty": ("报送任务{n}：未完成扣分", "Quota {n}: penalty"),
    r"lateness\.fraction": ("迟报：按比例扣分", "Late: share of the item's points"),
    r"lateness\.points": ("迟报扣分", "Late: fixed penalty"),
    r"faults\.points\.(?P<kind>\w+)": ("问题扣分：{kind}", "Fault penalty: {kind}"),
    r"faults\.veto": ("一票否决", "Veto"),
}


def rule_label(key: str, lang: str = "zh") -> str:
    """A ledger rule key in words: ``"quota[0].penalty"`` -> "报送任务1：未完成扣分".

    Levels and fault kinds are named in ``lang``; quota numbers count from 1.
    A key of no known pattern is returned unchanged.
    """
    import re

    _check_lang(lang)
    for pattern, texts in _RULE_PARTS.items():
        found = re.fullmatch(pattern, key)
        if found:
            parts = found.groupdict()
            if "level" in parts:
                parts["level"] = enum_label("level", parts["level"], lang)
            if "kind" in parts:
                parts["kind"] = enum_label("fault_kind", parts["kind"], lang)
            for group, enum in (
                ("leader", "leader_level"),
                ("to", "forward_level"),
                ("cat", "category"),
            ):
                if group in parts:
                    parts[group] = enum_label(enum, parts[group], lang)
            if "n" in parts:
                parts["n"] = str(int(parts["n"]) + 1)
            return texts[LANGS.index(lang)].format(**parts)
    return key


def veto_suffix(lang: str = "zh") -> str:
    """What follows a vetoed unit's name wherever it is shown: "（一票否决）" / " (vetoed)"."""
    _check_lang(lang)
    return (
        f"（{LABELS[lang]['vetoed']}）" if lang == "zh" else f" ({LABELS[lang]['vetoed'].lower()})"
    )


def header_labels(columns, lang: str = "zh") -> dict[str, str]:
    """Return ``{column: header}`` for the columns that have a label (for ``DataFrame.rename``)."""
    _check_lang(lang)
    return {c: LABELS[lang][c] for c in columns if c in LABELS[lang]}
