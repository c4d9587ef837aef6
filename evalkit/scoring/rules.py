"""Rules as data: load, validate, change and record a points table (考核办法).

A rules file is TOML; ``docs/rules.md`` documents every key. :func:`load_rules`
reads one and returns an immutable :class:`Rules`. Every problem is reported
with the file, the key path, the bad value and what was expected, e.g.::

    rules/x.toml: adoption.points.province = "ten": expected a number >= 0

Unknown keys are errors (a typo must not pass silently). A :class:`Rules` can be
changed in code with :meth:`Rules.with_changes` (validated again), recorded with
:meth:`Rules.to_toml` / :meth:`Rules.to_dict`, and identified by
:attr:`Rules.fingerprint`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from evalkit._paths import RULES_DIR
from evalkit.data._schema import ENUMS

__all__ = [
    "SCHEMA_VERSION",
    "Deadline",
    "Rules",
    "RulesError",
    "available_rules",
    "late_items",
    "load_rules",
]

SCHEMA_VERSION = 1
LEVELS = ENUMS["level"].values
CATEGORIES = ENUMS["category"].values
ADOPTION_TYPES = ENUMS["adoption_type"].values
FAULT_KINDS = ENUMS["fault_kind"].values
PERIODS = ("month", "quarter", "year")


class RulesError(ValueError):
    """A rules file or a change to rules is invalid.

    Attributes
    ----------
    problems : list of str
        One line per problem, each naming the source, the key path, the bad value
        and what was expected.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} problems:\n  " + "\n  ".join(self.problems)
        super().__init__(message)


# --------------------------------------------------------------------------- schema
# The schema is data: a tree of specs. Each spec checks one value, returns its
# normalised form (defaults filled in) and appends problems to a list.

_REQUIRED = object()
_MISSING = object()  # problem value: a required key is absent
_UNKNOWN = object()  # problem value: a key the schema does not know


def _show(value: Any) -> str:
    """A value as the rules file spells it (TOML-like: strings in double quotes)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except TypeError:
        return repr(value)


@dataclass(frozen=True)
class _Spec:
    default: Any = None
    doc: str = ""

    def expectation(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def check(self, value, path, problems):
        return value


@dataclass(frozen=True)
class _Num(_Spec):
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
class _Str(_Spec):
    def expectation(self) -> str:
        return "a non-empty text in quotes" if self.default is _REQUIRED else "a text in quotes"

    def check(self, value, path, problems):
        if not isinstance(value, str) or (self.default is _REQUIRED and not value.strip()):
            problems.append((path, value, self.expectation()))
            return None
        return value


@dataclass(frozen=True)
class _Bool(_Spec):
    def expectation(self) -> str:
        return "true or false"

    def check(self, value, path, problems):
        if not isinstance(value, bool):
            problems.append((path, value, self.expectation()))
            return self.default
        return value


@dataclass(frozen=True)
class _Choice(_Spec):
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
class _List(_Spec):
    item: _Spec = field(default_factory=_Spec)

    def expectation(self) -> str:
        return f"a list, each {self.item.expectation()}"

    def check(self, value, path, problems):
        if not isinstance(value, list | tuple):
            problems.append((path, value, self.expectation()))
            return []
        return [self.item.check(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]


def _unknown(path: str, key: str, known) -> tuple:
    where = f"{path}.{key}" if path else key
    return (where, _UNKNOWN, "known keys: " + ", ".join(map(str, known)))


@dataclass(frozen=True)
class _Table(_Spec):
    """A table with a fixed set of keys."""

    fields: Mapping[str, _Spec] = field(default_factory=dict)
    rule: Any = None  # optional cross-field check: fn(normalised, path) -> list of problems

    def expectation(self) -> str:
        return "a table with keys " + ", ".join(self.fields)

    def check(self, value, path, problems):
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            problems.append((path, value, self.expectation()))
            value = {}
        out = {}
        for key in value:
            if key not in self.fields:
                problems.append(_unknown(path, key, self.fields))
        for key, spec in self.fields.items():
            where = f"{path}.{key}" if path else key
            got = value.get(key)
            if got is None:
                if spec.default is _REQUIRED:
                    problems.append((where, _MISSING, spec.expectation()))
                    out[key] = None
                elif isinstance(spec, _Table | _Keyed | _Outlets | _Tables):
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
class _Keyed(_Spec):
    """A table keyed by an enumeration's values (Chinese spellings accepted)."""

    enum: str = "level"
    value: _Spec = field(default_factory=_Spec)
    fill: bool = True  # fill in every value with value.default

    def expectation(self) -> str:
        return "a table with keys " + ", ".join(ENUMS[self.enum].values)

    def check(self, value, path, problems):
        enum = ENUMS[self.enum]
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            problems.append((path, value, self.expectation()))
            value = {}
        out = {}
        for key, got in value.items():
            canonical = enum.spellings.get(str(key).strip())
            if canonical is None:
                problems.append(_unknown(path, key, enum.values))
            else:
                out[canonical] = self.value.check(got, f"{path}.{canonical}", problems)
        if self.fill:
            for key in enum.values:
                if key not in out:
                    out[key] = (
                        self.value.check(None, f"{path}.{key}", [])
                        if isinstance(self.value, _Table)
                        else self.value.default
                    )
        return {key: out[key] for key in enum.values if key in out}


@dataclass(frozen=True)
class _Outlets(_Spec):
    """``adoption.outlets``: per level, outlet name -> points."""

    def expectation(self) -> str:
        return "a table per level of outlet name = points"

    def check(self, value, path, problems):
        levels = _Keyed(enum="level", value=_Spec(), fill=False).check(value, path, problems)
        out = {}
        for level, outlets in levels.items():
            where = f"{path}.{level}"
            if not isinstance(outlets, Mapping):
                problems.append((where, outlets, "a table of outlet name = points"))
                continue
            # outlet names as the loader keeps them (NFKC: "（专报）" is "(专报)" in the data)
            out[level] = {
                unicodedata.normalize("NFKC", str(name)).strip(): _Num().check(
                    points, f"{where}.{name}", problems
                )
                for name, points in outlets.items()
            }
        return out


@dataclass(frozen=True)
class _Tables(_Spec):
    """An array of tables (``[[quota]]``)."""

    item: _Table = field(default_factory=_Table)
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


def _quota_rule(q, path):
    if q["min_items"] is None and not q["unit_quota"]:
        return [(f"{path}.min_items", _MISSING, "a count (or unit_quota = true)")]
    return []


def _tier_rule(t, path):
    if t["count"] is None and t["min_score"] is None:
        return [(f"{path}.count", _MISSING, "a count or a min_score for this tier")]
    return []


_POINTS = _Num(default=0.0, doc="points")
_FACTOR = _Num(default=1.0, doc="factor")
_CAP = _Num(default=None, low=0, doc="cap in points a calendar year; omit for none")
_AWARD = _Table(
    fields={
        "group": _Str(default=None),
        "per_group": _Bool(default=True),
        "exclude_vetoed": _Bool(default=True),
        "require_quota": _Bool(default=True),
        "min_items": _Num(default=0, integer=True),
        "tiers": _Tables(
            default=_REQUIRED,
            min_len=1,
            item=_Table(
                fields={
                    "award": _Str(default=_REQUIRED),
                    "count": _Num(default=None, low=1, integer=True),
                    "min_score": _Num(default=None, low=None),
                },
                rule=_tier_rule,
            ),
        ),
    }
)

SCHEMA = _Table(
    fields={
        "schema_version": _Num(default=_REQUIRED, low=1, high=1, integer=True),
        "name": _Str(default=_REQUIRED),
        "description": _Str(default=""),
        "adoption": _Table(
            fields={
                "mode": _Choice(default="sum", choices=("sum", "highest")),
                "joint": _Choice(default="full", choices=("full", "split")),
                "points": _Keyed(enum="level", value=_POINTS),
                "outlets": _Outlets(),
                "type_factor": _Keyed(enum="adoption_type", value=_FACTOR),
                "category_factor": _Keyed(enum="category", value=_FACTOR),
            }
        ),
        "instruction": _Table(
            fields={
                "points": _Keyed(enum="instruction_level", value=_POINTS),
                "category_factor": _Keyed(enum="category", value=_FACTOR),
            }
        ),
        "submission": _Table(fields={"points": _POINTS, "cap": _CAP}),
        "quota": _Tables(
            item=_Table(
                fields={
                    "group": _Str(default=None),
                    "class": _Str(default=None),
                    "period": _Choice(default=_REQUIRED, choices=PERIODS),
                    "min_items": _Num(default=None, integer=True),
                    "unit_quota": _Bool(default=True),
                    "base_points": _POINTS,
                    "penalty": _POINTS,
                    "cap": _CAP,
                },
                rule=_quota_rule,
            )
        ),
        "deadlines": _Keyed(
            enum="category",
            fill=True,
            value=_Table(
                fields={
                    "hours": _Num(default=None, low=0, low_open=True),
                    "due_at": _Bool(default=False),
                }
            ),
        ),
        "lateness": _Table(
            fields={"fraction": _Num(default=0.0, low=0, high=1), "points": _POINTS}
        ),
        "faults": _Table(
            fields={
                "points": _Keyed(enum="fault_kind", value=_POINTS),
                "veto": _List(default=[], item=_Choice(choices=FAULT_KINDS, enum="fault_kind")),
            }
        ),
        "final": _Table(
            fields={
                "mode": _Choice(default="sum", choices=("sum", "average")),
                "decimals": _Num(default=1, low=0, high=6, integer=True),
            }
        ),
        "informants": _Table(fields={"joint": _Choice(default="split", choices=("full", "split"))}),
        "awards": _Table(
            fields={"units": _Tables(item=_AWARD), "informants": _Tables(item=_AWARD)}
        ),
    }
)


def _validate(data: Any, source: str) -> dict:
    problems: list[tuple] = []
    normalised = SCHEMA.check(data, "", problems)
    if problems:
        lines = []
        for path, value, expected in problems:
            if value is _MISSING:
                lines.append(f"{source}: {path}: missing; expected {expected}")
            elif value is _UNKNOWN:
                lines.append(f"{source}: {path}: unknown key; {expected}")
            else:
                lines.append(f"{source}: {path} = {_show(value)}: expected {expected}")
        raise RulesError(lines)
    return normalised


# --------------------------------------------------------------------------- Rules


@dataclass(frozen=True)
class Deadline:
    """The deadline of one category: ``hours`` after ``event_at``, and/or the item's ``due_at``."""

    hours: float | None = None
    due_at: bool = False

    @property
    def applies(self) -> bool:
        """Whether items of this category can be late at all."""
        return self.hours is not None or self.due_at


def _freeze(value):
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value):
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_thaw(v) for v in value]
    return value


def _split_path(path: str) -> list[str | int]:
    """``"quota[0].base_points"`` or ``"quota.0.base_points"`` -> ``["quota", 0, "base_points"]``."""
    parts: list[str | int] = []
    for part in re.sub(r"\[(\d+)\]", r".\1", path).split("."):
        parts.append(int(part) if part.isdigit() else part)
    return parts


@dataclass(frozen=True, eq=False)
class Rules:
    """A validated, immutable rule set.

    Build one with :func:`load_rules` or :meth:`Rules.from_dict`. Read values with
    ``rules["adoption.points.city"]`` (a dotted key path, as in the file, with
    every default filled in); change them with :meth:`with_changes`.

    Attributes
    ----------
    source : str
        Where the rules came from: a file path, ``"<dict>"``, or the source with
        ``" + changes"`` appended.
    """

    _data: Mapping = field(repr=False)
    source: str = "<dict>"

    @classmethod
    def from_dict(cls, data: Mapping, source: str = "<dict>") -> Rules:
        """Validate ``data`` (the structure of a rules file) and return :class:`Rules`.

        Raises
        ------
        RulesError
            Naming every bad key, its value and what was expected.
        """
        return cls(_freeze(_validate(_thaw(data), source)), source)

    # -- reading
    def __getitem__(self, path: str):
        value: Any = self._data
        for part in _split_path(path):
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                raise KeyError(f"rules have no key {path!r}") from None
        return value

    @property
    def name(self) -> str:
        """The rule set's name, e.g. 某县2025年度政务信息工作考核办法."""
        return self._data["name"]

    @property
    def deadlines(self) -> dict[str, Deadline]:
        """The deadline of every category (``Deadline(None, False)`` when none applies)."""
        return {c: Deadline(**d) for c, d in self._data["deadlines"].items()}

    @property
    def fingerprint(self) -> str:
        """A stable 16-hex-digit hash of the normalised rules (defaults filled in)."""
        text = json.dumps(_thaw(self._data), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def __eq__(self, other) -> bool:
        return isinstance(other, Rules) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        return f"Rules({self.name!r}, source={self.source!r}, fingerprint={self.fingerprint!r})"

    # -- changing and recording
    def with_changes(self, changes: Mapping[str, Any]) -> Rules:
        """Return new rules with the values at the dotted key paths replaced.

        Parameters
        ----------
        changes : mapping
            ``{"adoption.points.province": 30, "quota[0].base_points": 5, ...}``.
            A value of ``None`` removes the key (its default applies); a missing
            table on the path is created.

        Raises
        ------
        RulesError
            When a changed value is invalid; the message names the key path.
        """
        data = self.to_dict()
        for path, value in changes.items():
            parts = _split_path(path)
            node = data
            for i, part in enumerate(parts[:-1]):
                try:
                    node = node[part]
                except (KeyError, IndexError, TypeError):
                    if isinstance(node, dict) and isinstance(part, str):
                        node = node.setdefault(part, {})
                    else:
                        where = ".".join(map(str, parts[: i + 1]))
                        raise RulesError(
                            [f"{self.source}: {where}: no such key or entry"]
                        ) from None
            last = parts[-1]
            if value is None:
                if isinstance(node, dict):
                    node.pop(last, None)
            elif isinstance(node, list) and isinstance(last, int) and last >= len(node):
                raise RulesError([f"{self.source}: {path}: no such entry"])
            else:
                node[last] = _thaw(value)
        source = self.source if self.source.endswith(" + changes") else f"{self.source} + changes"
        return Rules.from_dict(_drop_none(data), source)

    def to_dict(self) -> dict:
        """The normalised rules as a plain nested dict (a copy; every default filled in)."""
        return _thaw(self._data)

    def to_toml(self) -> str:
        """The normalised rules as TOML text that :func:`load_rules` reads back equal."""
        header = f"# {self.name}\n# fingerprint {self.fingerprint}, from {self.source}\n\n"
        return header + _toml_table(_drop_none(self.to_dict()), ())

    def save(self, path: str | Path) -> Path:
        """Write :meth:`to_toml` to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.write_text(self.to_toml(), encoding="utf-8")
        return path


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


# --------------------------------------------------------------------------- TOML out

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value) -> str:
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _is_tables(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_table(table: dict, prefix: tuple[str, ...], inline: bool = False) -> str:
    """Tables as [headers]; inside an array of tables, nested tables are written inline."""
    lines = [
        f"{_toml_key(k)} = {_toml_value(v)}"
        for k, v in table.items()
        if (inline or (not isinstance(v, dict) and not _is_tables(v))) and v not in ([], {})
    ]
    if inline:
        return "\n".join(lines) + "\n"
    text = "\n".join(lines) + ("\n" if lines else "")
    for key, value in table.items():
        path = (*prefix, _toml_key(key))
        if isinstance(value, dict):
            body = _toml_table(value, path)
            if body:
                scalars = any(not isinstance(v, dict) and not _is_tables(v) for v in value.values())
                head = f"\n[{'.'.join(path)}]\n" if scalars else ""
                text += head + body
        elif _is_tables(value):
            for entry in value:
                text += f"\n[[{'.'.join(path)}]]\n" + _toml_table(entry, path, inline=True)
    return text


# --------------------------------------------------------------------------- loading


def available_rules() -> list[str]:
    """Names of the rule files shipped in ``rules/`` (``"default"``, ...), sorted."""
    return sorted(p.stem for p in RULES_DIR.glob("*.toml"))


def load_rules(path_or_name: str | Path | Rules = "default") -> Rules:
    """Read and validate a rules file.

    Parameters
    ----------
    path_or_name : str, Path or Rules
        A path to a ``.toml`` file, or a bare name such as ``"default"`` for
        ``rules/default.toml``. A :class:`Rules` is returned unchanged.

    Returns
    -------
    Rules

    Raises
    ------
    RulesError
        When the file is missing, is not TOML, or breaks the schema; every
        message names the file, the key path, the bad value and the expectation.

    Examples
    --------
    >>> rules = load_rules("default")
    >>> rules["adoption.points.city"] > rules["adoption.points.county"]
    True
    """
    if isinstance(path_or_name, Rules):
        return path_or_name
    text = str(path_or_name)
    is_name = isinstance(path_or_name, str) and not text.endswith(".toml") and "/" not in text
    path = RULES_DIR / f"{text}.toml" if is_name else Path(path_or_name)
    if not path.is_file():
        known = ", ".join(available_rules())
        raise RulesError([f"{path}: no such rules file (shipped rule sets: {known})"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RulesError([f"{path}: not valid TOML: {error}"]) from None
    source = (
        str(path.relative_to(RULES_DIR.parent))
        if path.is_relative_to(RULES_DIR.parent)
        else str(path)
    )
    return Rules.from_dict(data, source)


# --------------------------------------------------------------------------- deadlines


def _late_mask(category, lag_hours, past_due, rules: Rules) -> np.ndarray:
    """Late flags from category codes (index into CATEGORIES), lags and past-due flags."""
    deadlines = rules.deadlines
    hours = np.array([np.inf if d.hours is None else d.hours for d in deadlines.values()])
    by_due = np.array([d.due_at for d in deadlines.values()])
    code = np.asarray(category)
    known = code >= 0
    safe = np.where(known, code, 0)
    with np.errstate(invalid="ignore"):
        late_hours = np.asarray(lag_hours) > hours[safe]
    return known & (late_hours | (by_due[safe] & np.asarray(past_due)))


def late_items(submissions: pd.DataFrame, rules: Rules) -> pd.Series:
    """Whether each submission was late under ``rules.deadlines``.

    An item is late when its category has ``hours`` and it was submitted more
    than that many hours after ``event_at``, or its category has ``due_at = true``
    and it was submitted after its ``due_at``. Items missing the time needed
    are not late.

    Parameters
    ----------
    submissions : DataFrame
        ``Dataset.submissions`` (``category``, ``event_at``, ``submitted_at``, ``due_at``).
    rules : Rules

    Returns
    -------
    Series of bool
        Aligned with ``submissions.index``, named ``late``.
    """
    category = pd.Categorical(submissions["category"], categories=CATEGORIES).codes
    lag = (submissions["submitted_at"] - submissions["event_at"]) / pd.Timedelta(hours=1)
    past_due = (submissions["submitted_at"] > submissions["due_at"]).to_numpy(dtype=bool)
    mask = _late_mask(category, lag.to_numpy(dtype=float, na_value=np.nan), past_due, rules)
    return pd.Series(mask, index=submissions.index, name="late")
