"""Regression: the four original rule sets give byte-identical outputs on a frozen sample.

``tests/fixtures/sample-2025/`` is a copy of ``data/sample`` as it was when the
scoring engine was split into rule families (issue 8), so the sample may grow
without moving this baseline. ``expected/`` holds, for each rule set, the
year-2025 scores of units and informants and the ledger (Chinese and English),
as CSV compressed with gzip (no timestamp, so the files are deterministic).

These files record what the engine computed before the split; a difference is
a change of behaviour. Columns added to the scores since then are left out of
the comparison: every column the baseline has must be reproduced exactly. Regenerate them only for a deliberate change, and say
so in the commit::

    .venv/bin/python tests/test_regression.py
"""

from __future__ import annotations

import difflib
import gzip
from pathlib import Path

import pytest

import evalkit
from evalkit.scoring.scorer import Scorer

FIXTURE = Path(__file__).parent / "fixtures" / "sample-2025"
EXPECTED = FIXTURE / "expected"
RULE_SETS = ("default", "provincial-highest", "urgent-average", "township-quota")
OUTPUTS = ("scores", "informants", "ledger", "ledger-en")


def _csv(frame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def render(dataset, rules: str) -> dict:
    """Every output of ``rules`` for 2025 on ``dataset``, as frames by output name."""
    units = Scorer(dataset, rules, year=2025)
    people = Scorer(dataset, rules, year=2025, by="informant")
    return {
        "scores": units.score(),
        "informants": people.score(),
        "ledger": units.ledger(),
        "ledger-en": units.ledger(lang="en"),
    }


def _path(rules: str, output: str) -> Path:
    return EXPECTED / f"{rules}.{output}.csv.gz"


@pytest.fixture(scope="module")
def fixture_dataset():
    return evalkit.load(FIXTURE)


@pytest.mark.parametrize("rules", RULE_SETS)
def test_outputs_are_byte_identical_to_the_baseline(fixture_dataset, rules):
    got = render(fixture_dataset, rules)
    for output in OUTPUTS:
        want = gzip.decompress(_path(rules, output).read_bytes())
        columns = want.decode().split("\n", 1)[0].split(",")
        now = _csv(got[output][columns])
        if now != want:
            diff = difflib.unified_diff(
                want.decode().splitlines(),
                now.decode().splitlines(),
                "baseline",
                "now",
                n=0,
                lineterm="",
            )
            shown = "\n".join(list(diff)[:20])
            pytest.fail(f"{rules} {output} differs from {_path(rules, output).name}:\n{shown}")


def test_baseline_is_not_trivial(fixture_dataset):
    # The baseline must exercise every component: each rule set scores all units,
    # and across the four sets every kind of ledger rule appears.
    rules_seen = set()
    for rules in RULE_SETS:
        scores = gzip.decompress(_path(rules, "scores").read_bytes()).decode().splitlines()
        assert len(scores) == 1 + len(fixture_dataset.units)
        for line in gzip.decompress(_path(rules, "ledger").read_bytes()).decode().splitlines()[1:]:
            rules_seen.add(line.split(",")[2].split(".")[0].split("[")[0])
    assert rules_seen >= {"submission", "adoption", "instruction", "lateness", "quota", "faults"}


def _regenerate() -> None:
    dataset = evalkit.load(FIXTURE)
    EXPECTED.mkdir(exist_ok=True)
    for rules in RULE_SETS:
        for output, frame in render(dataset, rules).items():
            data = _csv(frame)
            _path(rules, output).write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
            print(f"{_path(rules, output)}: {len(data):,} bytes")


if __name__ == "__main__":
    _regenerate()
