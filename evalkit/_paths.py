"""Paths in one place: the project folder, the sample data and the shipped rule files."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
# The shipped rule sets are package data (evalkit/rules in the wheel); in a source checkout
# evalkit/rules is a link to the project's rules/ folder, where they are edited.
RULES_DIR = PACKAGE_DIR / "rules"
DEFAULT_RULES = RULES_DIR / "default.toml"
REPORTS_DIR = PROJECT_DIR / "reports"
