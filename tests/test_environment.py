"""environment.yml (for conda users) lists what pyproject.toml requires, at the same bounds."""

import re
import tomllib

from evalkit._paths import PROJECT_DIR


def _requirements():
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return project["dependencies"] + extras["test"] + extras["bench"]


def _conda_lines():
    text = (PROJECT_DIR / "environment.yml").read_text().split("dependencies:", 1)[1]
    return [m.group(1) for m in re.finditer(r"^\s+- ([^:\s]+)\s*$", text, flags=re.M)]


def test_every_requirement_is_in_environment_yml_with_the_same_bound():
    lines = set(_conda_lines())
    missing = [req for req in _requirements() if req.replace(" ", "") not in lines]
    assert missing == []


def test_environment_yml_has_nothing_pyproject_does_not_ask_for():
    names = {re.split(r"[<>=]", r)[0].lower() for r in _requirements()} | {"python", "pip", "-e"}
    extra = [line for line in _conda_lines() if re.split(r"[<>=]", line)[0].lower() not in names]
    assert extra == []


def test_environment_yml_pins_python_and_installs_the_project():
    text = (PROJECT_DIR / "environment.yml").read_text()
    assert re.search(r"^\s+- python=3\.\d+$", text, flags=re.M)
    assert "- -e ." in text
