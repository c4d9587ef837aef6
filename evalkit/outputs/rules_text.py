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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pandas as pd

from evalkit.outputs._rules_clauses import WRITERS
from evalkit.outputs._rules_words import Reader, Say
from evalkit.scoring.rules import SCHEMA, Rules, load_rules

__all__ = ["WRITERS", "Section", "rendered_keys", "rules_rows", "rules_sections", "rules_text"]

_CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Section:
    """One numbered part of the text: a title and its clauses (already worded)."""

    family: str
    title: str
    clauses: tuple[str, ...]


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
    say = Say(lang)
    data = rules.to_dict()
    seen: set[str] = set()
    root = Reader(data, "", seen)
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
    say = Say(lang)
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
