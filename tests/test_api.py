"""The public surface: every name in __all__ resolves, and nothing is mutated by the pipeline."""

import pandas as pd
import pytest

import evalkit
from evalkit._paths import SAMPLE_DIR


@pytest.fixture(scope="module")
def sample():
    return evalkit.load(SAMPLE_DIR)


@pytest.mark.parametrize("name", evalkit.__all__)
def test_every_public_name_resolves(name):
    assert getattr(evalkit, name) is not None


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        evalkit.no_such_function  # noqa: B018


def test_scoring_does_not_mutate_the_dataset(sample):
    before = {name: getattr(sample, name).copy() for name in ("units", "submissions", "adoptions")}
    evalkit.score(sample, "default", year=2025)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(sample, name), frame)


def test_scores_csv_is_byte_identical_across_runs(sample, tmp_path):
    from evalkit.outputs._excel import write_csv

    first = write_csv(tmp_path / "a.csv", evalkit.score(sample, "default", year=2025)).read_bytes()
    second = write_csv(tmp_path / "b.csv", evalkit.score(sample, "default", year=2025)).read_bytes()
    assert first == second


def test_check_imports_only_what_it_needs():
    """`evalkit check` loads and prints: no scoring, charts, documents or SciPy (issue 11:
    under a second including imports)."""
    import subprocess
    import sys

    heavy = ["evalkit.scoring.rules", "evalkit.metrics", "evalkit.outputs", "matplotlib",
             "scipy", "docx", "pptx", "openpyxl.workbook"]  # fmt: skip
    code = (
        "import sys, contextlib, io\n"
        "from evalkit.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['check', {str(SAMPLE_DIR)!r}])\n"
        f"print([m for m in {heavy!r} if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
