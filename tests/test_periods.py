"""``--period`` on ``evalkit score`` and ``bulletin``: a year, a half year, a quarter, a month."""

from __future__ import annotations

import pandas as pd
import pytest

import evalkit
from evalkit._paths import SAMPLE_DIR
from evalkit.cli import main
from evalkit.scoring.scorer import score


@pytest.fixture(scope="module")
def sample():
    return evalkit.load(SAMPLE_DIR)


@pytest.mark.parametrize(
    ("period", "tag"), [("2025H1", "2025H1"), ("2025q3", "2025Q3"), ("2025-6", "2025-06"), ("2025", "2025")]
)  # fmt: skip
def test_score_ranks_the_period_asked_and_names_the_files_after_it(sample, tmp_path, period, tag):
    assert main(["score", str(SAMPLE_DIR), "--period", period, "--out", str(tmp_path)]) == 0
    written = pd.read_csv(tmp_path / f"units_{tag}.csv")
    expected = score(sample, "default", period=tag)
    assert written["unit"].tolist() == expected["unit"].tolist()
    assert written["score"].tolist() == pytest.approx(expected["score"].tolist())
    assert (tmp_path / f"informants_{tag}.csv").is_file()


def test_a_half_year_scores_what_its_two_quarters_score(sample):
    # points land by date, so 2025H1 = 2025Q1 + 2025Q2 for every additive component
    half = score(sample, "default", period="2025H1").set_index("unit")
    q1 = score(sample, "default", period="2025Q1").set_index("unit")
    q2 = score(sample, "default", period="2025Q2").set_index("unit")
    columns = ["n_items", "points_county", "points_city", "points_instruction", "points_faults"]
    pd.testing.assert_frame_equal(half[columns], (q1[columns] + q2[columns]).loc[half.index])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["score", "--period", "2025H3"], "--period period '2025H3': expected a year (2025), a half year"),
        (["score", "--period", "2025-06-01"], "expected a year (2025), a half year (2025H1)"),
        (["score", "--period", "2025H1", "--year", "2025"], "give --year or --period, not both"),
        (["score", "--period", "2023H1"], "--period 2023H1: the data has submissions in [2024, 2025] only"),
        (["bulletin", "--period", "2025H5"], "expected a year (2025), a half year (2025H1)"),
    ],
)  # fmt: skip
def test_a_bad_period_is_one_line_and_exit_2(tmp_path, capsys, argv, message):
    command, *options = argv
    assert main([command, str(SAMPLE_DIR), *options, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("evalkit: error: ") and err.count("\n") == 1, err
    assert message in err and "Traceback" not in err


def test_the_bulletin_of_a_half_year(tmp_path):
    assert main(["bulletin", str(SAMPLE_DIR), "--period", "2025H1", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "bulletin_2025H1.xlsx").is_file()
