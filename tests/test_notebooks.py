"""The notebooks: stored clean in git, and each runs top to bottom on data/sample.

They are executed with papermill into a temporary folder (the committed files
are never rewritten); their own assert cells check the key numbers.

"Stored clean" is checked on what git stores (the index), not on the working
file: an analyst who saves a notebook in `make lab` keeps the outputs on screen,
and nbstripout (a git filter set up by `make install`) keeps them out of commits.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit._paths import PROJECT_DIR, SAMPLE_DIR

NOTEBOOKS = sorted((PROJECT_DIR / "notebooks").glob("[0-9]*.ipynb"))


def _stored(path) -> str:
    """The notebook as git stores it; the file itself outside a git checkout."""
    if shutil.which("git"):
        relative = path.relative_to(PROJECT_DIR).as_posix()
        done = subprocess.run(["git", "-C", str(PROJECT_DIR), "show", f":{relative}"],
                              capture_output=True)  # fmt: skip
        if done.returncode == 0:
            return done.stdout.decode("utf-8")
    return path.read_text(encoding="utf-8")


def test_there_are_notebooks_for_each_phase():
    assert len(NOTEBOOKS) >= 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs_and_with_the_python3_kernel(path):
    nb = json.loads(_stored(path))
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
    before = path.read_bytes()
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
    assert path.read_bytes() == before  # the run wrote into the temporary folder only


def test_a_notebook_saved_with_outputs_is_committed_without_them(tmp_path):
    # What `make install` sets up (nbstripout as a git filter), tried in a scratch repository.
    nbstripout = shutil.which("nbstripout", path=str(Path(sys.executable).parent))
    assert nbstripout, "nbstripout is a test requirement"
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([nbstripout, "--install"], cwd=repo, check=True)
    clean = subprocess.run(
        ["git", "config", "filter.nbstripout.clean"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(["git", "config", "filter.nbstripout.clean", f"{clean} --keep-id"], cwd=repo,
                   check=True)  # fmt: skip
    assert "--keep-id" in (PROJECT_DIR / "Makefile").read_text(
        encoding="utf-8"
    )  # as make install does
    saved = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    code = next(c for c in saved["cells"] if c["cell_type"] == "code")
    code["execution_count"] = 7
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["城关镇 351.3\n"]}]
    (repo / "nb.ipynb").write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    subprocess.run(["git", "add", "nb.ipynb"], cwd=repo, check=True)

    stored = subprocess.run(["git", "show", ":nb.ipynb"], cwd=repo, capture_output=True, check=True)

    assert '"output_type"' not in stored.stdout.decode("utf-8")
    assert "城关镇 351.3" in (repo / "nb.ipynb").read_text(encoding="utf-8")  # still on screen
    ids = [c["id"] for c in json.loads(stored.stdout)["cells"]]
    assert ids == [c["id"] for c in saved["cells"]]  # the cells keep their ids (01-00 ...)
