"""Rules as TOML text: the normalised rules written back as a file :func:`load_rules` reads.

:meth:`evalkit.scoring.rules.Rules.to_toml` uses it; kept apart because writing TOML is a
concern of its own (the standard library reads TOML but does not write it).
"""

from __future__ import annotations

import json
import re


def drop_none(value):
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value


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


def toml_table(table: dict, prefix: tuple[str, ...], inline: bool = False) -> str:
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
            body = toml_table(value, path)
            if body:
                scalars = any(not isinstance(v, dict) and not _is_tables(v) for v in value.values())
                head = f"\n[{'.'.join(path)}]\n" if scalars else ""
                text += head + body
        elif _is_tables(value):
            for entry in value:
                text += f"\n[[{'.'.join(path)}]]\n" + toml_table(entry, path, inline=True)
    return text
