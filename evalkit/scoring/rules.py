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
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from evalkit._paths import RULES_DIR
from evalkit.scoring._spec import (
    MISSING,
    REQUIRED,
    UNKNOWN,
    Bool,
    Choice,
    Num,
    Str,
    Table,
    Tables,
    show,
)
from evalkit.scoring._toml import drop_none, toml_table
from evalkit.scoring.families import FAMILIES
from evalkit.scoring.families._base import ADOPTION_TYPES, CATEGORIES, FAULT_KINDS, LEVELS
from evalkit.scoring.families.timeliness import late_items

__all__ = [
    "ADOPTION_TYPES",
    "CATEGORIES",
    "FAULT_KINDS",
    "LEVELS",
    "SCHEMA_VERSION",
    "Deadline",
    "Rules",
    "RulesError",
    "RulesWarning",
    "available_rules",
    "late_items",
    "load_rules",
]

SCHEMA_VERSION = 1


class RulesWarning(UserWarning):
    """The rules name something the data does not have (a group or class no unit has)."""


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


def _tier_rule(t, path):
    if t["count"] is None and t["min_score"] is None:
        return [(f"{path}.count", MISSING, "a count or a min_score for this tier")]
    return []


_AWARD = Table(
    fields={
        "group": Str(default=None),
        "class": Str(default=None),
        "per_group": Bool(default=True),
        "per_class": Bool(default=False),
        "exclude_vetoed": Bool(default=True),
        "require_quota": Bool(default=True),
        "min_items": Num(default=0, integer=True),
        "tiers": Tables(
            default=REQUIRED,
            min_len=1,
            item=Table(
                fields={
                    "award": Str(default=REQUIRED),
                    "count": Num(default=None, low=1, integer=True),
                    "min_score": Num(default=None, low=None),
                },
                rule=_tier_rule,
            ),
        ),
    }
)

# The schema: the header, then each rule family's tables (evalkit.scoring.families),
# then the tables that are not scoring rules (informants' crediting, awards).
SCHEMA = Table(
    fields={
        "schema_version": Num(default=REQUIRED, low=1, high=1, integer=True),
        "name": Str(default=REQUIRED),
        "description": Str(default=""),
        **{key: spec for family in FAMILIES for key, spec in family.tables.items()},
        "informants": Table(fields={"joint": Choice(default="split", choices=("full", "split"))}),
        "awards": Table(fields={"units": Tables(item=_AWARD), "informants": Tables(item=_AWARD)}),
    }
)


def _validate(data: Any, source: str) -> dict:
    problems: list[tuple] = []
    normalised = SCHEMA.check(data, "", problems)
    if problems:
        lines = []
        for path, value, expected in problems:
            if value is MISSING:
                lines.append(f"{source}: {path}: missing; expected {expected}")
            elif value is UNKNOWN:
                lines.append(f"{source}: {path}: unknown key; {expected}")
            else:
                lines.append(f"{source}: {path} = {show(value)}: expected {expected}")
        raise RulesError(lines)
    return normalised


# --------------------------------------------------------------------------- Rules


@dataclass(frozen=True)
class Deadline:
    """The deadline of one category: ``hours`` after ``event_at``, and/or the item's ``due_at``."""

    hours: float | None = None
    due_at: bool = False
    on_time: float = 0.0  # points per item of the category submitted within the deadline

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
        return Rules.from_dict(drop_none(data), source)

    def to_dict(self) -> dict:
        """The normalised rules as a plain nested dict (a copy; every default filled in)."""
        return _thaw(self._data)

    def to_toml(self) -> str:
        """The normalised rules as TOML text that :func:`load_rules` reads back equal."""
        header = f"# {self.name}\n# fingerprint {self.fingerprint}, from {self.source}\n\n"
        return header + toml_table(drop_none(self.to_dict()), ())

    def save(self, path: str | Path) -> Path:
        """Write :meth:`to_toml` to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.write_text(self.to_toml(), encoding="utf-8")
        return path


# --------------------------------------------------------------------------- loading


def available_rules() -> list[str]:
    """Names of the rule files shipped in ``rules/`` (``"default"``, ...), sorted."""
    return sorted(p.stem for p in RULES_DIR.glob("*.toml"))


MAX_RULE_NUMBER = 1e9  # points, hours, quotas: far beyond any real table, far from overflow


def _unreasonable_numbers(data: dict, path: Path) -> list[str]:
    """Messages for numbers that are infinite, NaN or larger than :data:`MAX_RULE_NUMBER`."""
    problems = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:  # not recursive: the file's nesting is the user's
        key, value = stack.pop()
        if isinstance(value, dict):
            stack += [(f"{key}.{k}" if key else str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(f"{key}[{i}]", v) for i, v in enumerate(value)]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if not abs(value) <= MAX_RULE_NUMBER:  # NaN fails this too
                problems.append(
                    f"{path}: {key} = {value!r}: numbers in a rules file must be finite and"
                    f" at most {MAX_RULE_NUMBER:.0e} in size"
                )
    return sorted(problems)


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
    except RecursionError:
        raise RulesError([f"{path}: nested too deeply to be a rules file"]) from None
    except OSError as error:
        raise RulesError([f"{path}: cannot be read: {error.strerror or error}"]) from None
    if problems := _unreasonable_numbers(data, path):
        raise RulesError(problems)
    source = (
        str(path.relative_to(RULES_DIR.parent))
        if path.is_relative_to(RULES_DIR.parent)
        else str(path)
    )
    return Rules.from_dict(data, source)
