"""The chart font: Noto Sans SC from the package's dependencies by default, an office's own on request.

These tests hold on a machine without any system CJK font (CI and the fresh-machine
check hide /usr/share/fonts): the bundled font is registered from its package.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from evalkit.outputs import _fonts
from evalkit.outputs._chartkit import new_figure


@pytest.fixture
def fresh_font_search(monkeypatch):
    """Forget the cached font choice (and any office setting) before and after the test."""
    monkeypatch.delenv(_fonts.FONT_SETTING, raising=False)
    _fonts.cjk_font.cache_clear()
    yield
    _fonts.cjk_font.cache_clear()


def _font_file(family: str, weight: str = "normal") -> Path:
    prop = font_manager.FontProperties(family=family, weight=weight)
    return Path(font_manager.findfont(prop, fallback_to_default=False))


def test_the_bundled_font_comes_from_a_dependency_with_an_open_font_licence():
    path = _fonts.bundled_font_file()
    assert path is not None and path.name == "NotoSansSC-Regular.otf"
    from importlib.metadata import distribution

    meta = distribution("pylopdf-fonts-zh-cn").metadata
    assert "Open Font License" in (meta["License"] or "") + " ".join(meta.get_all("Classifier"))


def test_charts_use_the_bundled_font_by_default_whatever_the_machine_has(fresh_font_search):
    assert _fonts.cjk_font() == _fonts.BUNDLED_FAMILY
    assert _fonts.font_families() == [_fonts.BUNDLED_FAMILY, _fonts.LATIN_FALLBACK]
    assert _font_file(_fonts.BUNDLED_FAMILY) == _fonts.bundled_font_file()


def test_the_bundled_font_has_the_chinese_glyphs_charts_use(fresh_font_search):
    font = font_manager.get_font(_font_file(_fonts.cjk_font()))
    assert all(font.get_char_index(ord(ch)) for ch in "乡镇组得分排名采用率迟报一票否决：（）、")


def test_bold_finds_a_face_without_a_fallback_message(fresh_font_search, caplog):
    _fonts.cjk_font()
    with caplog.at_level("WARNING", logger="matplotlib.font_manager"):
        path = _font_file(_fonts.BUNDLED_FAMILY, weight="bold")
    assert path == _fonts.bundled_font_file()
    assert not [r for r in caplog.records if "Failed to find font weight" in r.getMessage()]


def _ink(fig: Figure) -> int:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    return int((pixels.sum(axis=2) < 384).sum())


def test_bold_text_renders_heavier_than_regular_with_a_one_weight_font(fresh_font_search):
    # The bundled font has one weight: bold is drawn as an outline of the text's own colour.
    with mpl.rc_context(_fonts.chart_rc()):
        regular, bold = new_figure(), new_figure()
        regular.text(0.1, 0.5, "政务信息工作得分排名", fontsize=30)
        bold.text(0.1, 0.5, "政务信息工作得分排名", fontsize=30, fontweight="bold")
    assert _ink(bold) > 1.15 * _ink(regular)
    (text,) = [t for t in bold.texts]
    assert text.get_path_effects()  # the synthetic bold
    (plain,) = [t for t in regular.texts]
    assert not plain.get_path_effects()


def test_embolden_leaves_fonts_with_a_real_bold_face_alone(fresh_font_search):
    fig = Figure()
    text = fig.text(0.5, 0.5, "Score", family="DejaVu Sans", fontweight="bold")
    _fonts.embolden(fig)
    assert text.get_path_effects() == []


def test_an_office_names_its_own_font_by_family_name(fresh_font_search, monkeypatch):
    monkeypatch.setenv(_fonts.FONT_SETTING, "DejaVu Sans")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _fonts.cjk_font() == "DejaVu Sans"
    # glyphs the office's font lacks come from the bundled font
    assert _fonts.font_families() == ["DejaVu Sans", _fonts.BUNDLED_FAMILY, "DejaVu Sans"]


def test_an_office_names_its_font_in_chinese(fresh_font_search, monkeypatch):
    monkeypatch.setitem(_fonts.FONT_ALIASES, "测试黑体", "DejaVu Sans")
    monkeypatch.setenv(_fonts.FONT_SETTING, "测试黑体")
    assert _fonts.cjk_font() == "DejaVu Sans"
    assert _fonts.FONT_ALIASES["微软雅黑"] == "Microsoft YaHei"


def test_an_office_names_a_font_file(fresh_font_search, monkeypatch):
    monkeypatch.setenv(_fonts.FONT_SETTING, str(_fonts.bundled_font_file()))
    assert _fonts.cjk_font() == _fonts.BUNDLED_FAMILY


def test_a_missing_named_font_warns_once_and_falls_back_to_the_bundled_one(
    fresh_font_search, monkeypatch
):
    monkeypatch.setenv(_fonts.FONT_SETTING, "微软雅黑 No Such Font")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first, second = _fonts.cjk_font(), _fonts.cjk_font()
        _fonts.chart_rc()
    assert first == second == _fonts.BUNDLED_FAMILY
    messages = [str(w.message) for w in caught if issubclass(w.category, _fonts.FontWarning)]
    assert messages == [
        "the chart font '微软雅黑 No Such Font' (EVALKIT_FONT) is not installed on this machine; "
        "charts use Noto Sans SC instead"
    ]


def test_use_font_switches_and_switches_back(fresh_font_search):
    assert _fonts.use_font("DejaVu Sans") == "DejaVu Sans"
    assert _fonts.use_font(None) == _fonts.BUNDLED_FAMILY
    assert _fonts.FONT_SETTING not in os.environ


def test_unknown_families_and_no_files_give_none():
    assert _fonts.find_cjk_font(families=["No Such Font 123"], files=[]) is None


def test_chart_rc_names_the_bundled_family_and_plain_minus(fresh_font_search):
    rc = _fonts.chart_rc()
    assert rc["font.family"][0] == _fonts.BUNDLED_FAMILY
    assert rc["axes.unicode_minus"] is False
    assert rc["savefig.dpi"] == 200


def test_chinese_text_under_matplotlibs_default_font_is_caught_as_missing_glyphs():
    # The check the chart tests rely on: matplotlib warns about glyphs its default font lacks.
    with mpl.rc_context({"font.family": ["DejaVu Sans"]}), warnings.catch_warnings():
        fig = Figure()
        fig.text(0.5, 0.5, "得分")
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="missing from font"):
            FigureCanvasAgg(fig).draw()


def test_a_missing_named_font_is_one_plain_line_from_the_command_line(tmp_path):
    # The whole pack (charts in worker processes): one line, no Python file:line prefix.
    env = {**os.environ, _fonts.FONT_SETTING: "No Such Office Font", "MPLBACKEND": "agg"}
    from evalkit._paths import SAMPLE_DIR

    done = subprocess.run(
        [sys.executable, "-m", "evalkit.cli", "report", str(SAMPLE_DIR), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    warnings_shown = [line for line in done.stderr.splitlines() if "warning" in line.lower()]
    assert warnings_shown == [
        "evalkit: warning: the chart font 'No Such Office Font' (EVALKIT_FONT) is not installed "
        "on this machine; charts use Noto Sans SC instead"
    ]
    assert ".py:" not in done.stderr and "Traceback" not in done.stderr
