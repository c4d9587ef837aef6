"""The rules as a readable 考核细则: numbered clauses in the office's own words.

:func:`rules_text` prints a rule set the way an office writes its 考核办法
(一、信息报送 1. 每报送1条信息计0.5分 ...), so an analyst can hold it beside the
office's document and check, clause by clause, that the file says the same.
:func:`rules_sections` gives the same clauses as data (the workbook's rules
sheet shows one clause per row).

The text is driven by the rules themselves: the sections follow the rule
families in the order of the rules schema, and each family has one clause
writer (:data:`WRITERS`, keyed by the family's table name). A writer reads the
family's table through a recorder, so :func:`rendered_keys` can prove that every
key of a file reached the text. A value no writer read is never dropped: it is
listed in a last section, 其他规定, under its key path, and a test fails for
shipped files.

Examples
--------
>>> from evalkit.scoring.rules import load_rules
>>> text = rules_text(load_rules("default"))
>>> "省级采用每条计40分" in text
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from evalkit.outputs._labels import enum_label, translate
from evalkit.scoring.rules import SCHEMA, Rules, load_rules

__all__ = ["WRITERS", "Section", "rendered_keys", "rules_rows", "rules_sections", "rules_text"]

_CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Section:
    """One numbered part of the text: a title and its clauses (already worded)."""

    family: str
    title: str
    clauses: tuple[str, ...]


# --------------------------------------------------------------------------- reading with a record


class _Table:
    """A read-only view of a rules table that records every key path read."""

    def __init__(self, data, path: str, seen: set[str]):
        self._data, self._path, self._seen = data, path, seen

    def _where(self, key) -> str:
        if isinstance(key, int):
            return f"{self._path}[{key}]"
        return f"{self._path}.{key}" if self._path else str(key)

    def __getitem__(self, key):
        value = self._data[key]
        where = self._where(key)
        if isinstance(value, Mapping) or (
            isinstance(value, list | tuple) and value and isinstance(value[0], Mapping)
        ):
            return _Table(value, where, self._seen)
        self._seen.add(where)
        return value

    def keys(self) -> list:
        return list(self._data.keys()) if isinstance(self._data, Mapping) else []

    def items(self) -> Iterator[tuple[str, object]]:
        for key in self.keys():
            yield key, self[key]

    def __iter__(self):
        if isinstance(self._data, Mapping):
            return iter(self.keys())
        return (self[i] for i in range(len(self._data)))

    def __len__(self) -> int:
        return len(self._data)


# --------------------------------------------------------------------------- wording helpers


def _n(value: float) -> str:
    """A number as an office writes it: 5, 0.5, 2.25, and 1/3 for a third (no trailing zeros)."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    near = Fraction(value).limit_denominator(12)
    if near.denominator in (3, 6, 7, 9, 11, 12) and abs(float(near) - value) < 1e-9:
        return f"{near.numerator}/{near.denominator}"
    return f"{value:.6f}".rstrip("0").rstrip(".")


class _Say:
    """Picks the Chinese or English wording, and names levels, categories and faults."""

    def __init__(self, lang: str):
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
        self.lang = lang

    def __call__(self, zh: str, en: str, **fields) -> str:
        text = zh if self.lang == "zh" else en
        return text.format(**fields) if fields else text

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def join(self, parts) -> str:
        parts = [p for p in parts if p]
        return ("；" if self.zh else "; ").join(parts)

    def items(self, parts) -> str:
        """A list of names: 迟报、漏报 / late, omitted."""
        return ("、" if self.zh else ", ").join(parts)

    def end(self, text: str) -> str:
        return text + "。" if self.zh else text[:1].upper() + text[1:] + "."

    def level(self, value: str) -> str:
        return enum_label("level", value, self.lang)

    def category(self, value: str) -> str:
        label = enum_label("category", value, self.lang)
        return f"{label}信息" if self.zh else f"{label.lower()} items"

    def adoption_type(self, value: str) -> str:
        label = enum_label("adoption_type", value, self.lang)
        return label if self.zh else label.lower()

    def fault(self, value: str) -> str:
        label = enum_label("fault_kind", value, self.lang)
        return label if self.zh else label.lower()

    def value(self, text: str) -> str:
        """A Chinese data value (group, class, award), translated for English."""
        return translate(text, self.lang)

    def period(self, value: str) -> str:
        return {"month": ("月", "month"), "quarter": ("季度", "quarter"), "year": ("年", "year")}[
            value
        ][0 if self.zh else 1]


# --------------------------------------------------------------------------- clause writers
# One writer per rule family (the top-level table of the rules file). Each takes
# the family's table (a recorder) and the wording helper and returns clauses.


def _adoption(t: _Table, say: _Say) -> list[str]:
    points, outlets = dict(t["points"].items()), t["outlets"]
    named = {level: dict(table.items()) for level, table in outlets.items()}
    named = {level: table for level, table in named.items() if table}
    priced = [
        say("{level}采用每条计{p}分", "{level} adoption: {p} points", level=say.level(lv), p=_n(p))
        for lv, p in points.items()
        if p
    ]
    unpriced = [say.level(lv) for lv, p in points.items() if not p and lv not in named]
    by_level = say("信息被采用的，按采用级别计分：", "Adopted items score by level: ") + say.items(
        priced
    )
    if not priced:
        by_level = ""
    if unpriced:
        none = say(
            "{levels}采用不计分", "{levels} adoptions score nothing", levels=say.items(unpriced)
        )
        by_level = say.join([by_level, none]) if by_level else none
    clauses = [say.end(by_level)] if by_level else []
    by_outlet = []
    for level, table in named.items():
        listed = [
            say("《{o}》采用每条计{p}分", "“{o}” {p} points", o=name, p=_n(p))
            for name, p in table.items()
        ]
        rest = (
            say(
                "本级其他刊物按{level}采用计分",
                "other outlets as the level",
                level=say.level(level),
            )
            if points[level]
            else say("本级其他刊物不计分", "other outlets score nothing")
        )
        by_outlet.append(say("{level}", "{level}: ", level=say.level(level)) + say.items(listed)
                         + ("，" if say.zh else ", ") + rest)  # fmt: skip
    if by_outlet:
        clauses.append(say.end(say("按刊物计分：", "By outlet: ") + say.join(by_outlet)))
    factors = []
    for kind, f in t["type_factor"].items():
        if f != 1:
            factors.append(say("{kind}采用按单篇分值的{f}倍计分", "a {kind} adoption scores {f} times a single one",
                               kind=say.adoption_type(kind), f=_n(f)))  # fmt: skip
    if factors:
        clauses.append(say.end(say.join(factors)))
    by_category = [
        say(
            "{c}按上述分值的{f}倍计分",
            "{c} score {f} times the points above",
            c=say.category(c),
            f=_n(f),
        )
        for c, f in t["category_factor"].items()
        if f != 1
    ]
    if by_category:
        clauses.append(say.end(say.join(by_category)))
    if t["mode"] == "highest":
        clauses.append(say("同一条信息被多级或多个刊物采用的，只按最高一项计分，不重复计分。",
                           "An item adopted at several levels or in several outlets scores only its highest adoption."))  # fmt: skip
    else:
        clauses.append(say("同一条信息被多级或多个刊物采用的，累加计分。",
                           "An item adopted at several levels or in several outlets scores every adoption."))  # fmt: skip
    if t["joint"] == "split":
        clauses.append(say("多个单位合报的信息，分值由各报送单位平均分配。",
                           "A jointly submitted item's points are split evenly among its units."))  # fmt: skip
    else:
        clauses.append(say("多个单位合报的信息，各报送单位均按全额计分。",
                           "A jointly submitted item scores in full for each of its units."))  # fmt: skip
    return clauses


def _instruction(t: _Table, say: _Say) -> list[str]:
    bonus = [
        say("{level}领导批示的每条加{p}分", "{level} leader: +{p}", level=say.level(lv), p=_n(p))
        for lv, p in t["points"].items()
        if p
    ]
    by_category = [
        say(
            "{c}获批示的，加分按{f}倍计",
            "on {c} the bonus counts {f} times",
            c=say.category(c),
            f=_n(f),
        )
        for c, f in t["category_factor"].items()
        if f != 1
    ]
    if not bonus:
        return []
    return [
        say.end(say("采用信息获领导肯定性批示的，另行加分：", "Bonus for a leader's instruction on an adopted item: ")
                + say.items(bonus)),
        *([say.end(say.join(by_category))] if by_category else []),
    ]  # fmt: skip


def _submission(t: _Table, say: _Say) -> list[str]:
    points, cap = t["points"], t["cap"]
    if not points:
        return []
    text = say("每报送1条信息计{p}分（合报信息按报送单位数分摊）", "Each item submitted scores {p} (a joint item is shared among its units)", p=_n(points))  # fmt: skip
    if cap is not None:
        text += say("，全年报送得分最高{c}分", ", at most {c} a year", c=_n(cap))
    return [say.end(text)]


def _quota(t: _Table, say: _Say) -> list[str]:
    clauses = []
    for q in t:
        who = [say.value(q[k]) for k in ("group", "class") if q[k]]
        who_text = "".join(who) if say.zh else " ".join(who)
        who_text = who_text or say("各单位", "every unit")
        per = say.period(q["period"])
        parts = []
        if q["unit_quota"]:
            spread = say("按下达的年度任务数报送", "submit the yearly task set for the unit")
            if q["period"] != "year":
                spread = say("按下达的年度任务数折算到每{per}报送（向上取整）", "submit the yearly task set for the unit, spread over each {per} (rounded up)", per=per)  # fmt: skip
            parts.append(spread)
            if q["min_items"] is not None:
                parts.append(say("未下达任务数的每{per}不少于{n}条", "without a task, at least {n} a {per}", per=per, n=q["min_items"]))  # fmt: skip
        else:
            parts.append(say("每{per}报送信息不少于{n}条", "submit at least {n} items a {per}", per=per, n=q["min_items"]))  # fmt: skip
        if q["base_points"]:
            parts.append(say("完成的每{per}计基础分{b}分", "{b} base points for each {per} met", per=per, b=_n(q["base_points"])))  # fmt: skip
        if q["cap"] is not None:
            parts.append(
                say("全年基础分最高{c}分", "base points at most {c} a year", c=_n(q["cap"]))
            )
        if q["penalty"]:
            parts.append(say("未完成的每{per}扣{p}分", "{p} deducted for each {per} missed", per=per, p=_n(q["penalty"])))  # fmt: skip
        clauses.append(say.end(who_text + say("：", ": ") + ("，" if say.zh else ", ").join(parts)))
    return clauses


def _deadlines(t: _Table, say: _Say) -> list[str]:
    rules = []
    for category, d in t.items():
        hours, due_at = d["hours"], d["due_at"]
        if hours is not None:
            rules.append(say("{c}应在事发后{h}小时内报送", "{c} within {h} hours of the event", c=say.category(category), h=_n(hours)))  # fmt: skip
        if due_at:
            rules.append(say("{c}应在约定的截止时间前报送", "{c} by their due date", c=say.category(category)))  # fmt: skip
    if not rules:
        return []
    return [say.end(say.join(rules) + say("，超时的视为迟报", "; later counts as late"))]


def _lateness(t: _Table, say: _Say) -> list[str]:
    fraction, points = t["fraction"], t["points"]
    parts = []
    if fraction:
        parts.append(say("扣减该条信息所得分值的{p}%", "loses {p}% of the points it earns", p=_n(fraction * 100)))  # fmt: skip
    if points:
        parts.append(say("每条另扣{p}分", "and {p} points more", p=_n(points)))
    if not parts:
        return []
    return [say.end(say("迟报的信息", "A late item ") + ("，" if say.zh else " ").join(parts))]


def _faults(t: _Table, say: _Say) -> list[str]:
    points = dict(t["points"].items())
    charged = [say("{k}每次扣{p}分", "{k}: {p} points each", k=say.fault(k), p=_n(p)) for k, p in points.items() if p]  # fmt: skip
    free = [say.fault(k) for k, p in points.items() if not p]
    clauses = []
    if charged:
        text = say("扣分：", "Deductions: ") + say.items(charged)
        if free:
            text += say("；{k}不在此扣分", "; {k}: none here", k=say.items(free))
        clauses.append(say.end(text))
    veto = t["veto"]
    if veto:
        clauses.append(say("出现{k}情形之一的，实行一票否决：排在本组末位，不得评先评优。",
                           "Any {k} report vetoes the unit: it ranks last in its group and gets no award.",
                           k=(say.items if say.zh else " or ".join)([say.fault(k) for k in veto])))  # fmt: skip
    return clauses


def _final(t: _Table, say: _Say) -> list[str]:
    decimals = t["decimals"]
    rounding = (
        say("得分取整数（四舍五入）", "rounded to whole points (half away from zero)")
        if decimals == 0
        else say("得分保留{d}位小数（四舍五入）", "rounded to {d} decimal place{s} (half away from zero)", d=decimals, s="" if decimals == 1 else "s")
    )  # fmt: skip
    if t["mode"] == "average":
        head = say("得分为以上各项得分之和除以报送信息条数（平均每条得分）", "The score is the sum of all points divided by the items submitted (an average per item)")  # fmt: skip
    else:
        head = say(
            "得分为以上各项加分与扣分之和", "The score is the sum of all points gained and lost"
        )
    return [
        say.end(head + ("，" if say.zh else ", ") + rounding),
        say("各单位在所在组别内按得分从高到低排名，得分相同的并列。",
            "Units rank within their group by score; equal scores share a place."),
    ]  # fmt: skip


def _informants(t: _Table, say: _Say) -> list[str]:
    if t["joint"] == "split":
        return [say("多名信息员合写的信息，得分由各作者平均分配。", "An item with several informants is shared evenly among them.")]  # fmt: skip
    return [say("多名信息员合写的信息，各作者均按全额计分。", "An item with several informants scores in full for each.")]  # fmt: skip


def _award_clause(a: _Table, say: _Say, units: bool) -> str:
    tiers = []
    for tier in a["tiers"]:
        name, count, min_score = say.value(tier["award"]), tier["count"], tier["min_score"]
        if count is not None and min_score is not None:
            tiers.append(say("{a}{c}名（得分不低于{s}分）", "{a}: {c} (scoring at least {s})", a=name, c=count, s=_n(min_score)))  # fmt: skip
        elif count is not None:
            tiers.append(say("{a}{c}名", "{a}: {c}", a=name, c=count))
        else:
            tiers.append(say("得分不低于{s}分的评为{a}", "{a}: all scoring at least {s}", a=name, s=_n(min_score)))  # fmt: skip
    per_group = a["per_group"]  # one named group: per group or pooled is the same
    if a["group"]:
        scope = say.value(a["group"])
    elif per_group:
        scope = say("各组分别评选", "Each group") if units else say("信息员按组别分别评选", "Informants, per group")  # fmt: skip
    else:
        scope = say("各单位统一评选", "All units in one pool") if units else say("全体信息员统一评选", "All informants in one pool")  # fmt: skip
    text = scope + say("：", ": ") + say.items(tiers)
    terms = []
    if a["min_items"]:
        terms.append(
            say("全年报送信息不少于{n}条", "at least {n} items submitted", n=a["min_items"])
        )
    barred = [
        text
        for key, text in (
            ("exclude_vetoed", say("被一票否决", "vetoed")),
            ("require_quota", say("未完成报送任务", "short of the quota")),
        )
        if a[key]
    ]
    if barred:
        who = say("", "units") if units else say("所在单位", "informants of units")
        terms.append(
            say(
                "{w}{b}的不得参评",
                "{w} {b} are not eligible",
                w=who,
                b=say("或", " or ").join(barred),
            )
        )
    if terms:
        text += say("（{t}）", " ({t})", t=("，" if say.zh else "; ").join(terms))
    return say.end(text)


def _awards(t: _Table, say: _Say) -> list[str]:
    clauses = [_award_clause(a, say, units=True) for a in t["units"]]
    clauses += [_award_clause(a, say, units=False) for a in t["informants"]]
    return clauses


@dataclass(frozen=True)
class Writer:
    """How one rule family is worded: its section title and its clause writer."""

    title_zh: str
    title_en: str
    clauses: Callable[[_Table, _Say], list[str]]
    section: str | None = None  # write into another family's section (deadlines + lateness)


#: One writer per rule family, keyed by the family's table in the rules file.
#: A new family adds its writer here (and its test checks every key is worded).
WRITERS: dict[str, Writer] = {
    "submission": Writer("信息报送", "Submissions", _submission),
    "adoption": Writer("信息采用", "Adoptions", _adoption),
    "instruction": Writer("领导批示", "Leader instructions", _instruction),
    "quota": Writer("报送任务", "Quotas", _quota),
    "deadlines": Writer("报送时效", "Timeliness", _deadlines),
    "lateness": Writer("报送时效", "Timeliness", _lateness, section="deadlines"),
    "faults": Writer("扣分与一票否决", "Deductions and vetoes", _faults),
    "final": Writer("计分方式", "How the score is made", _final),
    "informants": Writer("信息员计分", "Informants", _informants),
    "awards": Writer("表彰奖励", "Awards", _awards),
}

_HEADER_KEYS = ("schema_version", "name", "description")


def _families() -> list[str]:
    """The rules' tables in the schema's order: the rule families' (in the order the scorer
    applies them, see evalkit.scoring.families), then informants and awards."""
    return [k for k in SCHEMA.fields if k not in _HEADER_KEYS]


def _leaves(value, path: str = "") -> Iterator[tuple[str, object]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list | tuple) and value and isinstance(value[0], Mapping):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, value


def _defaults() -> dict[str, object]:
    return dict(_leaves(Rules.from_dict({"schema_version": 1, "name": "-"}).to_dict()))


def _render(rules: Rules, lang: str) -> tuple[list[Section], set[str]]:
    say = _Say(lang)
    data = rules.to_dict()
    seen: set[str] = set()
    root = _Table(data, "", seen)
    sections: dict[str, Section] = {}
    for family in _families():
        writer = WRITERS.get(family)
        if writer is None or family not in data:
            continue
        clauses = writer.clauses(root[family], say)
        home = writer.section or family
        if home in sections:
            old = sections[home]
            sections[home] = Section(old.family, old.title, old.clauses + tuple(clauses))
        elif clauses:
            title = writer.title_zh if say.zh else writer.title_en
            sections[home] = Section(home, title, tuple(clauses))
    for key in _HEADER_KEYS:
        seen.add(key)
    # Nothing is dropped: a set value that no writer read is listed under its key path.
    defaults = _defaults()
    unread = [
        f"{path} = {value}"
        for path, value in _leaves(data)
        if path not in seen
        and not any(path.startswith(s + "[") or path.startswith(s + ".") for s in seen)
        and defaults.get(path, None) != value
        and value not in (None, [], {})
    ]
    result = [s for s in sections.values() if s.clauses]
    if unread:
        result.append(Section("other", say("其他规定", "Other settings"), tuple(unread)))
    return result, seen


def rules_sections(rules: Rules | str, lang: str = "zh") -> list[Section]:
    """The rule set as numbered sections of clauses, in the office's words.

    Parameters
    ----------
    rules : Rules or str
        Rules, or a file path or shipped name for :func:`~evalkit.scoring.rules.load_rules`.
    lang : {"zh", "en"}

    Returns
    -------
    list of Section
        In the order of the rule families; families with nothing to say are left out.
    """
    return _render(load_rules(rules), lang)[0]


def rendered_keys(rules: Rules | str) -> set[str]:
    """The key paths (``adoption.points.city``, ``quota[0].min_items``) the clauses were written from."""
    return _render(load_rules(rules), "zh")[1]


def _numeral(i: int, lang: str) -> str:
    if lang == "en":
        return f"{i}."
    if i <= 10:
        return _CHINESE_NUMERALS[i - 1] + "、"
    return ("十" + _CHINESE_NUMERALS[i - 11] if i < 20 else str(i)) + "、"


def _lines(rules: Rules, lang: str) -> list[tuple[str, str, str]]:
    """(kind, number, text) for the title, the description, headings, clauses and the note."""
    say = _Say(lang)
    lines = [("title", "", f"《{rules.name}》" if say.zh else rules.name)]
    if rules["description"]:
        lines.append(("note", "", rules["description"]))
    for i, section in enumerate(rules_sections(rules, lang), 1):
        lines.append(("heading", _numeral(i, lang), section.title))
        lines += [
            ("clause", f"{j}." if say.zh else f"{i}.{j}", c)
            for j, c in enumerate(section.clauses, 1)
        ]
    lines.append(("note", "", say("（规则文件第{v}版格式，规则指纹 {f}）", "(rules format version {v}, fingerprint {f})",
                                  v=rules["schema_version"], f=rules.fingerprint)))  # fmt: skip
    return lines


def rules_rows(rules: Rules | str, lang: str = "zh") -> pd.DataFrame:
    """One row per heading or clause, numbered (一、 / 1.): the workbook's rules sheet.

    Returns
    -------
    DataFrame
        Columns ``number`` and ``clause``; the title, the description and a closing
        note (format version and fingerprint) have an empty number.
    """
    lines = _lines(load_rules(rules), lang)
    return pd.DataFrame([(n, t) for _, n, t in lines], columns=["number", "clause"])


def rules_text(rules: Rules | str, lang: str = "zh") -> str:
    """The rule set as a 考核细则 in plain text: a title, then numbered sections of clauses.

    Parameters
    ----------
    rules : Rules or str
        Rules, or a file path or shipped name.
    lang : {"zh", "en"}

    Returns
    -------
    str
        Ends with a newline.
    """
    out = []
    gap = "" if lang == "zh" else " "
    for kind, number, text in _lines(load_rules(rules), lang):
        if kind == "heading":
            out += ["", f"{number}{gap}{text}"]
        elif kind == "clause":
            out.append(f"  {number}{gap}{text}")
        else:
            out.append(text)
    return "\n".join(out) + "\n"
