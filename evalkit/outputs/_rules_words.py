"""Wording helpers for the rules text: a reader that records the keys read, figures, phrases.

Used by :mod:`evalkit.outputs._rules_clauses` (one clause writer per rule family)
and :mod:`evalkit.outputs.rules_text` (the text, its rows, and the keys it was
written from).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from evalkit.outputs._labels import enum_label, translate

# --------------------------------------------------------------------------- reading with a record


class Reader:
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
            return Reader(value, where, self._seen)
        self._seen.add(where)
        return value

    def get(self, key, default=None):
        """The value at ``key``, or ``default`` when the rules have no such key (older schema)."""
        if not isinstance(self._data, Mapping) or key not in self._data:
            return default
        return self[key]

    def mark(self, key) -> None:
        """Record ``key`` as read: a key the rules normalise away (``other`` in a table by
        category becomes one entry per category) was still worded."""
        self._seen.add(self._where(key))

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


def figure(value: float) -> str:
    """A number as an office writes it: 5, 0.5, 2.25, and 1/3 for a third (no trailing zeros)."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    near = Fraction(value).limit_denominator(12)
    if near.denominator in (3, 6, 7, 9, 11, 12) and abs(float(near) - value) < 1e-9:
        return f"{near.numerator}/{near.denominator}"
    return f"{value:.6f}".rstrip("0").rstrip(".")


class Say:
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
        """月 / month: the period a quota is counted over."""
        names = {"week": ("周", "week"), "month": ("月", "month"), "quarter": ("季度", "quarter"),
                 "half": ("半年", "half year"), "year": ("年", "year")}  # fmt: skip
        return names[value][0 if self.zh else 1]

    def component(self, value: str) -> str:
        """A component of the score (``city``, ``faults`` ...) as the ledger's columns name it."""
        if value in ("county", "city", "province", "national"):
            return self("{l}采用", "{l} adoptions", l=self.level(value))
        names = {"submission": ("信息报送", "submissions"), "instruction": ("领导批示", "instructions"),
                 "quota": ("报送任务", "quotas"), "lateness": ("迟报扣分", "lateness"),
                 "faults": ("问题扣分", "faults")}  # fmt: skip
        zh, en = names.get(value, (value, value))
        return zh if self.zh else en


# --------------------------------------------------------------------------- points by category

BASE_LEVELS = ("county", "city", "province", "national")


def by_category(value) -> list[tuple[str | None, float]]:
    """Points as one number or a table by category, as ``[(category or None, points)]``.

    A table is worded by its exceptions: the most common figure is "other" (None when
    every category has it), the rest are named: {调研 30, others 20} -> [(research, 30),
    (None, 20)]. Reading the table through the Reader records every key.
    """
    if not isinstance(value, Reader):
        return [(None, value)]
    table = dict(value.items())
    value.mark("other")  # the file's "other = ..." is worded as the common figure
    common = Counter(table.values()).most_common(1)[0][0]
    named = [(c, p) for c, p in table.items() if p != common]
    return [*named, (None, common)]


def any_points(value) -> bool:
    """Whether points (a number or a table by category) give anything at all."""
    return any(p for _, p in by_category(value))


def _what(say: Say, category: str | None, others: bool) -> str:
    """The items priced, to fill ``{w}``: 调研信息 / 其他信息 / "" (every item) in Chinese,
    " (research items)" / " (other items)" / "" in English."""
    if category is None and not others:
        return ""
    if say.zh:
        return say.category(category) if category is not None else "其他信息"
    return f" ({say.category(category) if category is not None else 'other items'})"


def priced(say: Say, value, zh: str, en: str, **fields) -> list[str]:
    """One phrase per non-zero figure of ``value``; ``{w}`` is the items priced, ``{p}`` the points."""
    parts = by_category(value)
    others = len(parts) > 1
    return [say(zh, en, w=_what(say, c, others), p=figure(p), **fields) for c, p in parts if p]


def leader(say: Say, value: str) -> str:
    """市级领导 / 市主要领导 / 市委市政府秘书长: who wrote an instruction."""
    label = enum_label("leader_level", value, say.lang)
    if value in BASE_LEVELS:
        return label + "领导" if say.zh else f"{label.lower()} leader"
    return label if say.zh else label.lower()


@dataclass(frozen=True)
class Writer:
    """How one rule family is worded: its section title and its clause writer."""

    title_zh: str
    title_en: str
    clauses: Callable[[Reader, Say], list[str]]
    section: str | None = None  # write into another family's section (deadlines + lateness)
