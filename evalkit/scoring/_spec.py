"""The rules schema's building blocks: specs that check one value each and fill in defaults.

A rules file is checked against a tree of specs. Each spec checks one value,
returns its normalised form (defaults filled in) and appends problems, as
``(key path, bad value, expectation)`` tuples, to a list; the rule families
(:mod:`evalkit.scoring.families`) declare their tables with them and
:mod:`evalkit.scoring.rules` composes the tables into the schema.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evalkit.data._schema import ENUMS

REQUIRED = object()
MISSING = object()  # problem value: a required key is absent
UNKNOWN = object()  # problem value: a key the schema does not know


def show(value: Any) -> str:
    """A value as the rules file spells it (TOML-like: strings in double quotes)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except TypeError:
        return repr(value)


@dataclass(frozen=True)
class Spec:
    default: Any = None
    doc: str = ""

    def expectation(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def check(self, value, path, problems):
        return value

    def table(self, value, path, problems) -> Mapping:
        """``value`` as a table: ``{}`` when absent, or reported and ``{}`` when not a table."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            problems.append((path, value, self.expectation()))
            return {}
        return value


@dataclass(frozen=True)
class Num(Spec):
    low: float | None = 0
    high: float | None = None
    integer: bool = False
    low_open: bool = False

    def expectation(self) -> str:
        what = "an integer" if self.integer else "a number"
        if self.low is not None and self.high is not None and self.low == self.high:
            return f"{self.low:g}"
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '>='} {self.low:g}")
        if self.high is not None:
            parts.append(f"<= {self.high:g}")
        return f"{what} {' and '.join(parts)}".strip()

    def check(self, value, path, problems):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and math.isfinite(value) and (not self.integer or float(value).is_integer())
        if ok and self.low is not None:
            ok = value > self.low if self.low_open else value >= self.low
        if ok and self.high is not None:
            ok = value <= self.high
        if not ok:
            problems.append((path, value, self.expectation()))
            return self.default
        return int(value) if self.integer else float(value)


@dataclass(frozen=True)
class Str(Spec):
    def expectation(self) -> str:
        return "a non-empty text in quotes" if self.default is REQUIRED else "a text in quotes"

    def check(self, value, path, problems):
        if not isinstance(value, str) or (self.default is REQUIRED and not value.strip()):
            problems.append((path, value, self.expectation()))
            return None
        return value


@dataclass(frozen=True)
class Bool(Spec):
    def expectation(self) -> str:
        return "true or false"

    def check(self, value, path, problems):
        if not isinstance(value, bool):
            problems.append((path, value, self.expectation()))
            return self.default
        return value


@dataclass(frozen=True)
class Choice(Spec):
    choices: tuple[str, ...] = ()
    enum: str | None = None  # accept this enumeration's spellings (Chinese labels...)

    def expectation(self) -> str:
        return "one of " + ", ".join(f'"{c}"' for c in self.choices)

    def check(self, value, path, problems):
        if isinstance(value, str) and self.enum:
            value = ENUMS[self.enum].spellings.get(value.strip(), value)
        if value not in self.choices:
            problems.append((path, value, self.expectation()))
            return self.default
        return value


@dataclass(frozen=True)
class List(Spec):
    item: Spec = field(default_factory=Spec)

    def expectation(self) -> str:
        return f"a list, each {self.item.expectation()}"

    def check(self, value, path, problems):
        if not isinstance(value, list | tuple):
            problems.append((path, value, self.expectation()))
            return []
        return [self.item.check(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]


def unknown(path: str, key: str, known) -> tuple:
    where = f"{path}.{key}" if path else key
    return (where, UNKNOWN, "known keys: " + ", ".join(map(str, known)))


@dataclass(frozen=True)
class Table(Spec):
    """A table with a fixed set of keys."""

    fields: Mapping[str, Spec] = field(default_factory=dict)
    rule: Any = None  # optional cross-field check: fn(normalised, path) -> list of problems

    def expectation(self) -> str:
        return "a table with keys " + ", ".join(self.fields)

    def check(self, value, path, problems):
        value = self.table(value, path, problems)
        out = {}
        for key in value:
            if key not in self.fields:
                problems.append(unknown(path, key, self.fields))
        for key, spec in self.fields.items():
            where = f"{path}.{key}" if path else key
            got = value.get(key)
            if got is None:
                if spec.default is REQUIRED:
                    problems.append((where, MISSING, spec.expectation()))
                    out[key] = None
                elif isinstance(spec, Table | Keyed | Outlets | Tables | Named):
                    out[key] = spec.check(None, where, problems)
                else:
                    out[key] = (
                        list(spec.default) if isinstance(spec.default, list) else spec.default
                    )
            else:
                out[key] = spec.check(got, where, problems)
        if self.rule is not None:
            problems.extend(self.rule(out, path))
        return out


@dataclass(frozen=True)
class Keyed(Spec):
    """A table keyed by an enumeration's values (Chinese spellings accepted)."""

    enum: str = "level"
    value: Spec = field(default_factory=Spec)
    fill: bool = True  # fill in every value with value.default

    def expectation(self) -> str:
        return "a table with keys " + ", ".join(ENUMS[self.enum].values)

    def check(self, value, path, problems):
        enum = ENUMS[self.enum]
        value = self.table(value, path, problems)
        out = {}
        for key, got in value.items():
            canonical = enum.spellings.get(str(key).strip())
            if canonical is None:
                problems.append(unknown(path, key, enum.values))
            else:
                out[canonical] = self.value.check(got, f"{path}.{canonical}", problems)
        if self.fill:
            for key in enum.values:
                if key not in out:
                    out[key] = (
                        self.value.check(None, f"{path}.{key}", [])
                        if isinstance(self.value, Table)
                        else self.value.default
                    )
        return {key: out[key] for key in enum.values if key in out}


@dataclass(frozen=True)
class Outlets(Spec):
    """``adoption.outlets``: per level, outlet name -> points (a number or a table by category)."""

    def expectation(self) -> str:
        return "a table per level of outlet name = points"

    def check(self, value, path, problems):
        levels = Keyed(enum="level", value=Spec(), fill=False).check(value, path, problems)
        out = {}
        for level, outlets in levels.items():
            where = f"{path}.{level}"
            if not isinstance(outlets, Mapping):
                problems.append((where, outlets, "a table of outlet name = points"))
                continue
            # outlet names as the loader keeps them (NFKC: "（专报）" is "(专报)" in the data)
            out[level] = {
                unicodedata.normalize("NFKC", str(name)).strip(): ByCategory(default=None).check(
                    points, f"{where}.{name}", problems
                )
                for name, points in outlets.items()
            }
        return out


@dataclass(frozen=True)
class Tables(Spec):
    """An array of tables (``[[quota]]``)."""

    item: Table = field(default_factory=Table)
    min_len: int = 0

    def expectation(self) -> str:
        return "an array of tables ([[...]])"

    def check(self, value, path, problems):
        if value is None:
            value = []
        if not isinstance(value, list | tuple) or not all(isinstance(v, Mapping) for v in value):
            problems.append((path, value, self.expectation()))
            return []
        if len(value) < self.min_len:
            problems.append((path, value, f"at least {self.min_len} entries"))
        return [self.item.check(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]


OTHER = ("other", "其他")  # in a table by category: every category not named


@dataclass(frozen=True)
class ByCategory(Spec):
    """Points as one number, or a table by category: ``{ research = 15, other = 5 }``.

    A table must price every category, by name (Chinese spellings accepted) or
    through ``other``; it is normalised to one entry per category.
    """

    default: Any = 0.0

    def expectation(self) -> str:
        return "a number >= 0, or a table of category = points (other = points for the rest)"

    def check(self, value, path, problems):
        if not isinstance(value, Mapping):
            return Num(default=self.default).check(value, path, problems)
        enum, out, other = ENUMS["category"], {}, None
        for key, got in value.items():
            name = str(key).strip()
            if name in OTHER:
                other = Num().check(got, f"{path}.other", problems)
            elif (canonical := enum.spellings.get(name)) is not None:
                out[canonical] = Num().check(got, f"{path}.{canonical}", problems)
            else:
                problems.append(unknown(path, key, (*enum.values, "other")))
        for key in enum.values:
            if key not in out:
                if other is None:
                    problems.append(
                        (f"{path}.{key}", MISSING, "points for this category, or other = points")
                    )
                out[key] = other
        return {key: out[key] for key in enum.values}


@dataclass(frozen=True)
class Named(Spec):
    """A table of free names (outlets) = ``value``: ``{ "专报" = 20 }``."""

    value: Spec = field(default_factory=Spec)

    def expectation(self) -> str:
        return "a table of name = points"

    def check(self, value, path, problems):
        value = self.table(value, path, problems)
        # names as the loader keeps them (NFKC: "（专报）" is "(专报)" in the data)
        return {
            unicodedata.normalize("NFKC", str(k)).strip(): self.value.check(
                v, f"{path}.{k}", problems
            )
            for k, v in value.items()
        }


POINTS = Num(default=0.0, doc="points")
FACTOR = Num(default=1.0, doc="factor")
CAP = Num(default=None, low=0, doc="cap in points a calendar year; omit for none")
