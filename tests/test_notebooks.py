"""The notebooks: stored clean in git, and each runs top to bottom on data/sample.

They are executed with papermill into a temporary folder (the committed files
are never rewritten); their own assert cells check the key numbers.
"""

import json

import pytest

from evalkit._paths import PROJECT_DIR, SAMPLE_DIR

NOTEBOOKS = sorted((PROJECT_DIR / "notebooks").glob("[0-9]*.ipynb"))


def test_there_are_notebooks_for_each_phase():
    assert len(NOTEBOOKS) >= 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs_and_with_the_python3_kernel(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c.get("execution_count") for c in code] == [None] * len(code)
    assert [c.get("outputs") for c in code] == [[]] * len(code)
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    source = "".join("".join(c["source"]) for c in code)
    assert "def " not in source and "class " not in source, "move functions into evalkit"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_on_the_sample(path, tmp_path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    monkeypatch.setenv("MPLBACKEND", "agg")
    monkeypatch.chdir(tmp_path)
    papermill.execute_notebook(
        str(path),
        str(tmp_path / path.name),
        parameters={"data_folder": str(SAMPLE_DIR), "out_folder": str(tmp_path / "out")},
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    assert not path.with_suffix(".ipynb").read_text(encoding="utf-8").count('"output_type"')
