"""The issuing office's details for official documents, read from ``office.toml`` in the data folder."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.data._io import DataError

__all__ = ["OFFICE_FILE", "Office", "OfficeError", "load_office"]

OFFICE_FILE = "office.toml"


class OfficeError(DataError):
    """office.toml holds a key or a value that cannot be used."""


@dataclass(frozen=True)
class Office:
    """The issuing office's details. Each default says what to fill in.

    ``name`` signs the documents; ``mark`` heads them (default: the name and
    文件); ``prefix`` is the document number's agency code (县政办);
    ``recipients`` the main recipients (主送机关); ``numbers`` and ``dates`` hold
    each document's number and date by kind (``bulletin``, ``decision``).
    """

    name: str = "〔请填写发文机关〕"
    mark: str | None = None
    prefix: str = "〔请填写机关代字〕"
    recipients: str = "〔请填写主送机关〕"
    numbers: dict[str, int] = field(default_factory=dict)
    dates: dict[str, dt.date] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        """The issuing-office mark (发文机关标志)."""
        return self.mark or f"{self.name}文件"

    def number(self, kind: str, year: int) -> str:
        """The document number, e.g. ``县政办〔2025〕12号``; the year is the date's when set."""
        date = self.dates.get(kind)
        serial = self.numbers.get(kind)
        return f"{self.prefix}〔{date.year if date else year}〕{serial or '〔请填写序号〕'}号"

    def date(self, kind: str) -> str:
        """The date (成文日期) in Arabic numerals, e.g. ``2025年7月3日``."""
        date = self.dates.get(kind)
        if date is None:
            return "〔请填写成文日期〕"
        return f"{date.year}年{date.month}月{date.day}日"


_TEXT_KEYS = ("name", "mark", "prefix", "recipients")


_KINDS = ("bulletin", "decision")


def _office_error(path: Path, key: str, value, expected: str) -> OfficeError:
    return OfficeError(f"{path}: {key} = {value!r}: {expected}")


def load_office(folder: str | Path | None) -> Office:
    """Read ``office.toml`` from a data folder; defaults (what to fill in) when there is none.

    The file::

        name = "XX县人民政府办公室"          # 发文机关署名
        mark = "XX县人民政府办公室文件"      # 发文机关标志 (optional)
        prefix = "县政办"                    # 发文字号的机关代字
        recipients = "各乡镇人民政府、街道办事处，县直各部门"

        [bulletin]                           # the 通报
        number = 12
        date = 2025-07-03

        [decision]                           # the 表彰决定
        number = 1
        date = 2026-01-15

    Raises
    ------
    OfficeError
        For an unknown key or a value of the wrong kind, naming the file, key and value.

    Examples
    --------
    >>> load_office(None).number("bulletin", 2025)
    '〔请填写机关代字〕〔2025〕〔请填写序号〕号'
    """
    if folder is None:
        return Office()
    path = Path(folder) / OFFICE_FILE
    if not path.is_file():
        return Office()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise OfficeError(f"{path}: not a TOML file: {exc}") from None
    texts: dict[str, str] = {}
    numbers: dict[str, int] = {}
    dates: dict[str, dt.date] = {}
    for key, value in raw.items():
        if key in _TEXT_KEYS:
            if not isinstance(value, str) or not value.strip():
                raise _office_error(path, key, value, "expected text in quotes")
            texts[key] = value.strip()
        elif key in _KINDS:
            if not isinstance(value, dict):
                raise _office_error(path, key, value, f"expected a table [{key}]")
            for sub, item in value.items():
                name = f"{key}.{sub}"
                if sub == "number":
                    if isinstance(item, bool) or not isinstance(item, int) or item < 1:
                        raise _office_error(path, name, item, "expected a whole number such as 12")
                    numbers[key] = item
                elif sub == "date":
                    if isinstance(item, str):
                        try:
                            item = dt.date.fromisoformat(item.strip())
                        except ValueError:
                            raise _office_error(
                                path, name, item, "expected a date such as 2025-07-03"
                            ) from None
                    if isinstance(item, dt.datetime) or not isinstance(item, dt.date):
                        raise _office_error(path, name, item, "expected a date such as 2025-07-03")
                    dates[key] = item
                else:
                    raise _office_error(path, name, item, "unknown key (number, date)")
        else:
            known = ", ".join((*_TEXT_KEYS, *_KINDS))
            raise _office_error(path, key, value, f"unknown key ({known})")
    return Office(**texts, numbers=numbers, dates=dates)
