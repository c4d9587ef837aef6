"""The data contract: canonical tables, their columns, header spellings and enumerations.

Everything an export may call a column or a value lives here as data, so the
loader, the docs and the sample generator read one source: the tables and columns
in this module, the enumerations of values in :mod:`evalkit.data._enums` (re-exported
here as :data:`ENUMS` and :class:`Enum`). An office whose exports differ adds a
``mapping.toml`` to its data folder (see ``docs/data-format.md``) instead of editing
these files.
"""

from __future__ import annotations

from dataclasses import dataclass

from evalkit.data._enums import ENUMS as ENUMS
from evalkit.data._enums import Enum as Enum

# The tables of a data folder, in load order (units first: the others refer to it).
TABLES = ("units", "submissions", "adoptions", "faults", "instructions", "forwardings")
OPTIONAL_TABLES = frozenset({"faults", "instructions", "forwardings"})

# File stems accepted for each table besides the canonical name.
FILE_STEMS = {
    "units": ("units", "单位", "单位名单", "单位列表"),
    "submissions": ("submissions", "报送", "报送记录", "信息报送"),
    "adoptions": ("adoptions", "采用", "采用记录", "信息采用"),
    "faults": ("faults", "扣分", "问题", "扣分记录", "问题记录"),
    "instructions": ("instructions", "批示", "批示记录", "领导批示", "领导批示记录"),
    "forwardings": ("forwardings", "转报", "转报记录", "信息转报", "上报记录"),
}


@dataclass(frozen=True)
class Column:
    """One canonical column: its type, whether it is required and its header spellings."""

    name: str
    kind: str  # text | units | names | datetime | int | enum
    required: bool
    headers: tuple[str, ...]
    enum: str | None = None  # name of an enumeration in ENUMS
    zh: str = ""  # the header evalkit writes in Chinese
    doc: str = ""


def _c(name, kind, required, zh, *others, enum=None, doc=""):
    return Column(name, kind, required, (name, zh, *others), enum, zh, doc)


def _item_ref(doc: str) -> Column:
    """The column of a record that refers to a submitted item (adoption, instruction, forwarding)."""
    return _c("submission_id", "text", True, "编号", "信息编号", "稿件编号", "id", doc=doc)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "units": (
        _c(
            "unit",
            "text",
            True,
            "单位名称",
            "单位",
            "单位全称",
            "name",
            doc="the unit's current name",
        ),
        _c("group", "text", True, "组别", "分组", "组", doc="ranking group, e.g. 乡镇组 or 部门组"),
        _c(
            "class",
            "text",
            False,
            "类别",
            "分类",
            "档次",
            "unit_class",
            doc="class within a group, e.g. 一类",
        ),
        _c(
            "aliases",
            "names",
            False,
            "曾用名",
            "别名",
            "曾用名/别名",
            "原名称",
            doc="former names and aliases",
        ),
        _c(
            "quota",
            "int",
            False,
            "年度任务数",
            "任务数",
            "报送任务",
            "年度任务",
            doc="items due a year",
        ),
    ),
    "submissions": (
        _c(
            "submission_id",
            "text",
            True,
            "编号",
            "信息编号",
            "稿件编号",
            "序号",
            "id",
            doc="the item's id, unique in the file",
        ),
        _c(
            "units",
            "units",
            True,
            "报送单位",
            "单位",
            "单位名称",
            "unit",
            doc="one unit, or several for a joint item",
        ),
        _c(
            "informants",
            "names",
            False,
            "信息员",
            "作者",
            "撰稿人",
            "报送人",
            doc="one or several people",
        ),
        _c("title", "text", True, "标题", "信息标题", "稿件标题", "题目", doc="kept as typed"),
        _c(
            "category",
            "enum",
            False,
            "信息类别",
            "类别",
            "类型",
            "信息类型",
            enum="category",
            doc="ordinary, urgent, research or commissioned",
        ),
        _c(
            "event_at",
            "datetime",
            False,
            "事发时间",
            "发生时间",
            "事件时间",
            doc="when the event happened (urgent items)",
        ),
        _c(
            "submitted_at",
            "datetime",
            True,
            "报送时间",
            "上报时间",
            "提交时间",
            "报送日期",
            doc="when the unit submitted the item",
        ),
        _c(
            "due_at",
            "datetime",
            False,
            "截止时间",
            "约稿截止时间",
            "截止日期",
            "要求报送时间",
            doc="due date of a commissioned item",
        ),
    ),
    "adoptions": (
        _item_ref(doc="the adopted item's id"),
        _c(
            "level",
            "enum",
            True,
            "采用级别",
            "级别",
            "采用层级",
            enum="level",
            doc="who adopted it",
        ),
        _c(
            "outlet",
            "text",
            False,
            "采用刊物",
            "刊物",
            "载体",
            "采用载体",
            doc="publication, e.g. 要情快报",
        ),
        _c(
            "adoption_type",
            "enum",
            False,
            "采用方式",
            "采用类型",
            "方式",
            enum="adoption_type",
            doc="single, combined or brief",
        ),
        _c(
            "adopted_at",
            "datetime",
            True,
            "采用时间",
            "采用日期",
            "刊发时间",
            "刊发日期",
            doc="publication date",
        ),
        _c(
            "instruction_level",
            "enum",
            False,
            "批示级别",
            "批示层级",
            enum="instruction_level",
            doc="level of a leader's instruction (批示) on it, if any: any leader_level spelling,"
            " one for all leaders named or one per leader",
        ),
        _c(
            "instructed_by",
            "names",
            False,
            "批示领导",
            "批示人",
            doc="the leader who wrote it; several leaders make one instruction record each",
        ),
        _c(
            "forwarded_to",
            "enum",
            False,
            "转报",
            "转报级别",
            "转报情况",
            enum="forward_level",
            doc="the office forwarded the item upward from this adoption (a forwarding record)",
        ),
    ),
    "faults": (
        _c("unit", "units", True, "单位", "单位名称", "责任单位", doc="the unit at fault"),
        _c(
            "kind",
            "enum",
            True,
            "类型",
            "问题类型",
            "扣分类型",
            "问题",
            enum="fault_kind",
            doc="late, omitted, concealed, false or commission missed",
        ),
        _c(
            "occurred_at",
            "datetime",
            True,
            "日期",
            "发生日期",
            "时间",
            "发生时间",
            doc="when it happened or was found",
        ),
        _c(
            "submission_id",
            "text",
            False,
            "编号",
            "信息编号",
            "稿件编号",
            doc="the item concerned, if any",
        ),
        _c("note", "text", False, "说明", "备注", "情况说明", doc="kept as typed"),
    ),
    "instructions": (
        _item_ref(doc="the item instructed on"),
        _c(
            "adoption_level",
            "enum",
            False,
            "采用级别",
            "采用层级",
            enum="level",
            doc="the adoption instructed on; empty: the item's highest adoption",
        ),
        _c(
            "outlet",
            "text",
            False,
            "采用刊物",
            "刊物",
            "载体",
            doc="the outlet of that adoption, when the item has several at the level",
        ),
        _c(
            "leader_level",
            "enum",
            True,
            "批示级别",
            "批示层级",
            "领导级别",
            "批示领导级别",
            enum="leader_level",
            doc="the leader's level or tier",
        ),
        _c(
            "leader",
            "names",
            False,
            "批示领导",
            "批示人",
            "领导",
            "领导姓名",
            doc="who wrote it; several leaders in one cell make one record each",
        ),
        _c(
            "instructed_at",
            "datetime",
            False,
            "批示时间",
            "批示日期",
            doc="when; empty: the adoption's date",
        ),
        _c(
            "kind",
            "enum",
            False,
            "批示类型",
            "批示性质",
            enum="instruction_kind",
            doc="affirmative (肯定性) or directive (指示性)",
        ),
        _c("note", "text", False, "批示内容", "备注", "说明", doc="kept as typed"),
    ),
    "forwardings": (
        _item_ref(doc="the item forwarded"),
        _c(
            "to_level",
            "enum",
            True,
            "转报级别",
            "转报层级",
            "报送级别",
            "转报",
            enum="forward_level",
            doc="the level it was forwarded to",
        ),
        _c(
            "forwarded_at",
            "datetime",
            True,
            "转报时间",
            "转报日期",
            "上报时间",
            doc="when the office forwarded it",
        ),
        _c("note", "text", False, "备注", "说明", doc="kept as typed"),
    ),
}

# Separators between several units or people in one cell (、 , ; ， ； or a line break).
LIST_SEPARATORS = r"[、,;，；\n]+"


def column(table: str, name: str) -> Column:
    """Return the canonical column ``name`` of ``table``."""
    return next(c for c in COLUMNS[table] if c.name == name)
