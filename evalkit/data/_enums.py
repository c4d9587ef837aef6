"""The enumerations of the data contract: canonical values in order, their Chinese labels
and every spelling an export may use for them.

A column of kind ``enum`` in :data:`evalkit.data._schema.COLUMNS` names one of these
(``Column.enum``); :mod:`evalkit.data._schema` re-exports :data:`ENUMS` and :class:`Enum`.
An office whose exports spell a value otherwise adds it in a ``mapping.toml`` (see
``docs/data-format.md``) instead of editing this file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Enum:
    """An enumeration: canonical values in order, their Chinese labels and accepted spellings."""

    name: str
    values: tuple[str, ...]
    zh: dict[str, str]
    spellings: dict[str, str] = field(default_factory=dict)  # spelling -> canonical
    default: str | None = None  # value of an empty cell, None if empty stays missing
    ordered: bool = False


def _enum(name, zh, extra, default=None, ordered=False):
    pairs = [(v, v) for v in zh] + [(label, v) for v, label in zh.items()]
    pairs += [(s, v) for v, many in extra.items() for s in many]
    spellings = dict(pairs)
    if len(spellings) < len(pairs):  # a spelling listed twice could silently mean two values
        raise ValueError(f"enumeration {name}: a spelling is listed twice")
    return Enum(name, tuple(zh), zh, spellings, default, ordered)


# The four administrative levels, shared by where an item was adopted and who instructed on it
ADMIN_LEVELS = {"county": "县级", "city": "市级", "province": "省级", "national": "国家级"}

ENUMS: dict[str, Enum] = {
    e.name: e
    for e in (
        _enum(
            "category",
            {"ordinary": "常规", "urgent": "紧急", "research": "调研", "commissioned": "约稿"},
            {
                "ordinary": ("常规信息", "动态", "动态信息", "一般", "日常"),
                "urgent": ("紧急信息", "突发", "突发事件", "突发事件信息", "突发信息"),
                "research": ("调研信息", "专题", "专题信息", "调研/专题"),
                "commissioned": ("约稿信息", "约稿件", "交办"),
            },
            default="ordinary",
        ),
        _enum(
            "level",
            ADMIN_LEVELS,
            {
                "county": ("县", "区级", "区", "县区级", "本级"),
                "city": ("市", "地市级", "州级"),
                "province": ("省", "省委", "省政府", "省级部门"),
                "national": ("国家", "中办", "国办", "中央", "中办/国办", "全国"),
            },
            ordered=True,
        ),
        _enum(
            "adoption_type",
            {"single": "单篇", "combined": "综合", "brief": "简讯"},
            {
                "single": ("单篇采用", "单独采用", "单独", "全文采用", "全文"),
                "combined": ("综合采用", "合并采用"),
                "brief": ("简讯采用", "摘要", "摘要采用", "摘编"),
            },
            default="single",
        ),
        _enum(
            "instruction_level",
            ADMIN_LEVELS,
            {
                "county": ("县", "县领导", "区级", "区领导", "县级领导"),
                "city": ("市", "市领导", "市级领导"),
                "province": ("省", "省领导", "省级领导"),
                "national": ("国家", "中央", "中央领导", "国家领导"),
            },
            ordered=True,
        ),
        _enum(
            "leader_level",
            {
                "county": "县级",
                "county_main": "县主要领导",
                "city_office": "市委市政府办公室领导",
                "city_secretary": "市委市政府秘书长",
                "city": "市级",
                "city_main": "市主要领导",
                "province_office": "省委省政府办公厅领导",
                "province_secretary": "省委省政府秘书长",
                "province": "省级",
                "province_main": "省主要领导",
                "national": "国家级",
            },
            {
                "county": ("县", "县领导", "区级", "区领导", "县级领导"),
                "county_main": ("县委县政府主要领导", "县委、县政府主要领导", "县级主要领导"),
                "city_main": ("市委市政府主要领导", "市委、市政府主要领导", "市级主要领导"),
                "province_main": ("省委省政府主要领导", "省委、省政府主要领导", "省级主要领导"),
                "city_office": ("市委办领导", "市政府办领导", "市委办市府办领导", "市办领导"),
                "city_secretary": (
                    "市委秘书长",
                    "市政府秘书长",
                    "市委副秘书长",
                    "市政府副秘书长",
                    "市委市政府副秘书长",
                ),
                "city": ("市", "市领导", "市级领导"),
                "province_office": ("省委办公厅领导", "省政府办公厅领导", "省办领导"),
                "province_secretary": (
                    "省委秘书长",
                    "省政府秘书长",
                    "省委副秘书长",
                    "省政府副秘书长",
                    "省委省政府副秘书长",
                ),
                "province": ("省", "省领导", "省级领导"),
                "national": ("国家", "中央", "中央领导", "国家领导", "国务院", "国务院领导"),
            },
            ordered=True,
        ),
        _enum(
            "instruction_kind",
            {"affirmative": "肯定性", "directive": "指示性"},
            {
                "affirmative": ("肯定性批示", "肯定", "表扬", "表扬性批示"),
                "directive": ("指示性批示", "部署性", "部署性批示", "交办", "交办性批示"),
            },
            default="affirmative",
        ),
        _enum(
            "forward_level",
            {"city": "转报市", "province": "转报省", "national": "转报国家"},
            {
                "city": ("市", "市级", "报市", "选报市", "选用报市"),
                "province": ("省", "省级", "报省", "选报省", "选用报省"),
                "national": (
                    "国家",
                    "国家级",
                    "报国办",
                    "选报国办",
                    "转报国办",
                    "报中办",
                    "选报中办",
                    "转报中办",
                ),
            },
            ordered=True,
        ),
        _enum(
            "fault_kind",
            {
                "late": "迟报",
                "omitted": "漏报",
                "concealed": "瞒报",
                "false": "失实",
                "commission_missed": "约稿未完成",
            },
            {
                "late": ("迟报信息", "报送迟缓", "逾期"),
                "omitted": ("漏报信息",),
                "concealed": ("瞒报信息",),
                "false": ("错报", "失实信息", "虚报", "不实"),
                "commission_missed": ("约稿未报", "未完成约稿", "约稿未报送"),
            },
        ),
    )
}
