"""The rule families' contract: each owns its tables and its section of docs/rules.md."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from evalkit.scoring.families import FAMILIES, doc_section, write_docs
from evalkit.scoring.rules import SCHEMA

DOCS = Path(__file__).parents[1] / "docs" / "rules.md"


def test_docs_hold_each_familys_section_as_written_in_the_family(tmp_path):
    copy = tmp_path / "rules.md"
    shutil.copy(DOCS, copy)
    # Refreshing the sections from the families' docstrings changes nothing.
    assert not write_docs(copy), "run: python -m evalkit.scoring.families.docs docs/rules.md"
    text = DOCS.read_text(encoding="utf-8")
    for family in FAMILIES:
        assert f"<!-- family: {family.name} -->\n{doc_section(family)}" in text


def test_every_table_of_the_schema_belongs_to_one_family_or_is_generic():
    owned = [key for family in FAMILIES for key in family.tables]
    assert len(owned) == len(set(owned)), "two families claim the same table"
    generic = {"schema_version", "name", "description", "informants", "awards"}
    assert set(SCHEMA.fields) == set(owned) | generic


def test_each_family_module_stays_small():
    for family in FAMILIES:
        source = Path(sys.modules[type(family).__module__].__file__)
        assert len(source.read_text(encoding="utf-8").splitlines()) < 400, source.name
