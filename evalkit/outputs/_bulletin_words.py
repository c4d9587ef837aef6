"""The words of the bulletin workbook: sheet names, column headers and notes, in Chinese and English."""

from __future__ import annotations

SHEETS = {
    "zh": {
        "ranking": "通报",
        "groups": "分组合计",
        "adopted": "上级采用信息",
        "commissions": "约稿完成情况",
        "faults": "通报批评",
    },
    "en": {
        "ranking": "Bulletin",
        "groups": "Group totals",
        "adopted": "Adopted upward",
        "commissions": "Commissions",
        "faults": "Faults",
    },
}


THIS_PERIOD = {
    "zh": {"month": "本月", "quarter": "本季度", "half": "本半年", "year": "本年度"},
    "en": {"month": "month", "quarter": "quarter", "half": "half year", "year": "year"},
}


# Bulletin-only headers; {this} is 本月/本季度 or month/quarter. Others come from evalkit.outputs._labels.
HEADERS = {
    "zh": {
        "ytd_rank": "累计名次",
        "period_submitted": "{this}报送数",
        "period_adopted": "{this}采用数",
        "period_adopted_county": "{this}县级采用",
        "period_adopted_city": "{this}市级采用",
        "period_adopted_province": "{this}省级采用",
        "period_adopted_national": "{this}国家级采用",
        "period_score": "{this}得分",
        "period_rank": "{this}名次",
        "ytd_submitted": "累计报送数",
        "ytd_adopted": "累计采用数",
        "ytd_score": "累计得分",
        "previous_rank": "上期累计名次",
        "n_units": "单位数",
        "commissioned": "约稿报送数",
        "penalty": "扣分",
    },
    "en": {
        "ytd_rank": "Rank (year to date)",
        "period_submitted": "Submitted this {this}",
        "period_adopted": "Adopted this {this}",
        "period_adopted_county": "County, this {this}",
        "period_adopted_city": "City, this {this}",
        "period_adopted_province": "Province, this {this}",
        "period_adopted_national": "National, this {this}",
        "period_score": "Points this {this}",
        "period_rank": "Rank this {this}",
        "ytd_submitted": "Submitted (year to date)",
        "ytd_adopted": "Adopted (year to date)",
        "ytd_score": "Score (year to date)",
        "previous_rank": "Previous rank",
        "n_units": "Units",
        "commissioned": "Commissions submitted",
        "penalty": "Points deducted",
    },
}


NOTES = {
    "zh": {
        "ranking": "{this}：{period}；累计：{ytd}。名次为累计得分在组内的名次（得分相同者并列，"
        "一票否决单位列后）；名次变化与上期通报（{previous}）相比，正数为上升。合报信息计入每个报送单位。"
        "评分依据：《{rules}》。",
        "first": "本期为年度首期通报，无名次变化",
        "groups": "各组及全县的报送数、采用数按信息条数计（合报信息只计一次）；得分为各单位得分之和。",
        "adopted": "本期无市级及以上采用信息。",
        "commissions": "本期无约稿报送或未完成约稿。",
        "faults": "本期无通报批评事项。",
    },
    "en": {
        "ranking": "This {this}: {period}; year to date: {ytd}. Ranks are by year-to-date score within "
        "the group (ties share a rank; vetoed units come last); the rank change is against the "
        "previous bulletin ({previous}), positive meaning up. Joint items count for each of their "
        "units. Rules: {rules}.",
        "first": "the first bulletin of the year, so no rank change",
        "groups": "Items submitted and adopted are distinct items (a joint item counts once); "
        "points are the sum over the group's units.",
        "adopted": "No item was adopted at city level or above in this period.",
        "commissions": "No commissioned item was submitted or missed in this period.",
        "faults": "No fault in this period.",
    },
}
