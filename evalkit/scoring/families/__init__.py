"""Rule families: one module per kind of rule, composed by the Scorer.

Each module holds one :class:`~evalkit.scoring.families._base.Family`: the TOML
tables it owns (validated as part of the rules schema), a ``prepare`` step that
turns the dataset and window into arrays once, an ``apply`` that gives points
per record in one vectorised pass, and the ledger rows that explain them. Its
module docstring is its section of ``docs/rules.md``; ``python -m
evalkit.scoring.families.docs docs/rules.md`` writes the sections in and a test keeps
them equal.

To add a family: write ``families/<name>.py`` with a ``Family`` subclass, add
an instance to :data:`FAMILIES` (after the families whose points it reads), and
add its tests. The order is the order of application; ``final`` comes last.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from evalkit.scoring.families._base import COMPONENTS, Family, Part, Points
from evalkit.scoring.families.adoptions import Adoptions
from evalkit.scoring.families.faults import Faults
from evalkit.scoring.families.final import Final
from evalkit.scoring.families.forwarding import Forwarding
from evalkit.scoring.families.instructions import Instructions
from evalkit.scoring.families.quotas import Quotas
from evalkit.scoring.families.sanctions import Sanctions
from evalkit.scoring.families.submissions import Submissions
from evalkit.scoring.families.timeliness import Timeliness

__all__ = ["COMPONENTS", "FAMILIES", "Family", "Part", "Points", "doc_section", "write_docs"]

FAMILIES: tuple[Family, ...] = (
    Submissions(),
    Adoptions(),
    Instructions(),
    Forwarding(),
    Timeliness(),
    Quotas(),
    Faults(),
    Sanctions(),
    Final(),
)


def doc_section(family: Family) -> str:
    """The family's section of ``docs/rules.md``: its module docstring as Markdown."""
    text = sys.modules[type(family).__module__].__doc__.strip()
    title, _, body = text.partition("\n")
    return f"### {title.replace('``', '`').rstrip('.')}\n{body}\n"


_BLOCK = re.compile(r"<!-- family: (\w+) -->\n.*?<!-- /family -->\n", re.S)


def write_docs(path: str | Path) -> bool:
    """Refresh the family sections of ``path`` (docs/rules.md); return whether it changed.

    A section sits between ``<!-- family: NAME -->`` and ``<!-- /family -->``.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    by_name = {f.name: f for f in FAMILIES}

    def block(match: re.Match) -> str:
        name = match.group(1)
        return f"<!-- family: {name} -->\n{doc_section(by_name[name])}<!-- /family -->\n"

    new = _BLOCK.sub(block, text)
    path.write_text(new, encoding="utf-8")
    return new != text
