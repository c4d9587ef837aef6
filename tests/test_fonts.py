"""CJK font discovery: a real font is found, a missing one is said once and clearly."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from evalkit.outputs import _fonts

NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@pytest.fixture
def fresh_font_search():
    """Forget the cached font choice before and after the test."""
    _fonts.cjk_font.cache_clear()
    yield
    _fonts.cjk_font.cache_clear()


def test_a_cjk_font_is_installed_here():
    # CI installs fonts-noto-cjk (.ci/run); without a CJK font the charts would show boxes.
    assert _fonts.find_cjk_font() in _fonts.CJK_FAMILIES


def test_the_chosen_font_has_chinese_glyphs():
    family = _fonts.cjk_font()
    path = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    font = font_manager.get_font(path)
    assert all(font.get_char_index(ord(ch)) for ch in "乡镇组得分排名采用率迟报")


def test_unknown_families_and_no_files_give_none():
    assert _fonts.find_cjk_font(families=["No Such Font 123"], files=[]) is None


@pytest.mark.skipif(not NOTO_CJK.is_file(), reason="needs Debian fonts-noto-cjk")
def test_a_font_file_missing_from_matplotlibs_cache_is_added(monkeypatch):
    stripped = copy.copy(font_manager.fontManager)
    stripped.ttflist = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager, "fontManager", stripped)
    assert "Noto Sans CJK SC" not in _fonts.installed_families()

    found = _fonts.find_cjk_font(
        families=["Noto Sans CJK SC"], files=["/nonexistent.ttc", NOTO_CJK]
    )

    assert found == "Noto Sans CJK SC"
    assert "Noto Sans CJK SC" in _fonts.installed_families()


def test_no_font_warns_once_naming_the_debian_packages(monkeypatch, fresh_font_search):
    monkeypatch.setattr(_fonts, "CJK_FAMILIES", ("No Such Font 123",))
    monkeypatch.setattr(_fonts, "CJK_FONT_FILES", ())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first, second = _fonts.cjk_font(), _fonts.cjk_font()
        rc = _fonts.chart_rc()

    assert first is None and second is None
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert len(messages) == 1
    assert "fonts-noto-cjk" in messages[0] and "fonts-wqy-microhei" in messages[0]
    assert rc["font.family"] == [_fonts.LATIN_FALLBACK]


def test_chart_rc_names_a_concrete_cjk_family_and_plain_minus():
    rc = _fonts.chart_rc()
    assert rc["font.family"][0] in _fonts.CJK_FAMILIES
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
