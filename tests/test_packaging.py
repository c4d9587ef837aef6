"""The package installs whole: the wheel carries the rule sets, and a clean venv scores the sample.

The wheel is built from this checkout without build isolation (setuptools is a test
requirement) and installed without dependencies into a new venv that borrows this
environment's site-packages for pandas and the rest, so the test needs no network
and does not reinstall the dependencies. The commands run outside the checkout, so
nothing can come from the source tree.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

import evalkit
from evalkit._paths import PROJECT_DIR, SAMPLE_DIR
from evalkit.scoring.rules import available_rules


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=900, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("build")
    source = build / "source"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(
        PROJECT_DIR,
        source,
        symlinks=False,  # evalkit/rules -> ../rules becomes a real folder, as in an sdist
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "reports",
            "build",
            "*.egg-info",
            "__pycache__",
            ".pytest_cache",
            ".hypothesis",
        ),  # fmt: skip
    )
    done = _run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                 "--no-build-isolation", "--quiet", "--wheel-dir", str(build / "dist")])  # fmt: skip
    assert done.returncode == 0, done.stderr
    (path,) = (build / "dist").glob("evalkit-*.whl")
    return path


@pytest.fixture(scope="module")
def clean_venv(wheel, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("venv") / "clean"
    venv.create(root, with_pip=False)
    python = root / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    # The dependencies from this environment (a .pth line adds a folder, not its editable finders).
    Path(purelib.stdout.strip(), "borrowed-dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n"
    )
    done = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                 "--no-index", "--quiet", str(wheel)])  # fmt: skip
    assert done.returncode == 0, done.stderr
    return root


def test_the_wheel_carries_every_shipped_rule_set(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(Path(n).stem for n in names if n.startswith("evalkit/rules/"))
    assert shipped == available_rules() and "default" in shipped


def test_the_installed_package_is_the_wheel_not_the_checkout(clean_venv, tmp_path):
    done = _run([str(clean_venv / "bin" / "python"), "-c",
                 "import evalkit, json; from evalkit.scoring.rules import available_rules;"
                 "print(json.dumps([evalkit.__file__, available_rules()]))"],
                cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    location, rules = json.loads(done.stdout)
    assert Path(location).is_relative_to(clean_venv)
    assert rules == available_rules()


def test_evalkit_version_from_the_installed_command(clean_venv, tmp_path):
    done = _run([str(clean_venv / "bin" / "evalkit"), "--version"], cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"evalkit {evalkit.__version__}"


def test_a_clean_install_scores_the_sample_with_every_shipped_rule_set(clean_venv, tmp_path):
    # One process for every set (loading the sample once); the command line is tried below.
    script = (
        "import evalkit, json, sys\n"
        "from evalkit.scoring.rules import available_rules\n"
        "data = evalkit.load(sys.argv[1])\n"
        "print(json.dumps({name: len(evalkit.score(data, name, year=2025))"
        " for name in available_rules()}))\n"
    )
    done = _run([str(clean_venv / "bin" / "python"), "-c", script, str(SAMPLE_DIR)], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    n_units = len(evalkit.load(SAMPLE_DIR).units)
    assert json.loads(done.stdout) == {name: n_units for name in available_rules()}


def test_the_installed_command_scores_the_sample(clean_venv, tmp_path):
    done = _run([str(clean_venv / "bin" / "evalkit"), "score", str(SAMPLE_DIR), "--year", "2025",
                 "--rules", "township-quota", "--out", str(tmp_path / "out")], cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    units = (tmp_path / "out" / "units_2025.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "unit" in units[0].split(",")
    assert len(units) == 1 + len(evalkit.load(SAMPLE_DIR).units)
