"""Fonts and the chart style: the Chinese font charts are drawn in, and the rc settings of charts.

Chinese text needs a font with CJK glyphs; matplotlib's default (DejaVu Sans)
has none and draws empty boxes. evalkit depends on ``pylopdf-fonts-zh-cn``, a
data-only package with Noto Sans SC (static Regular, SIL Open Font License
1.1), and registers that file with matplotlib on first use. Charts use it by
default whatever the machine has installed, so the same inputs give the same
chart bytes everywhere.

An office that wants its own font names it in the ``EVALKIT_FONT`` environment
variable or with :func:`use_font` (``微软雅黑``, ``黑体``, ``Microsoft YaHei``
or a path to a ``.ttf``/``.otf``/``.ttc`` file). When the named font is not
installed, :func:`cjk_font` emits one :class:`FontWarning` per run and charts
fall back to the bundled font.

The bundled font has one weight. Where a chart asks for bold and the chosen
font has no bold face, :func:`embolden` draws the text with a thin outline of
its own colour, as office suites do for fonts without a bold face, so titles
still stand out.

:func:`chart_rc` returns the rc settings every evalkit chart is drawn and saved
with; use them through :func:`matplotlib.rc_context` so nothing leaks into the
caller's global state.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import warnings
from collections.abc import Iterable
from pathlib import Path

from matplotlib import font_manager

# The font that comes with evalkit's dependencies: its family name as matplotlib lists it.
BUNDLED_FAMILY = "Noto Sans SC"

# The setting an office names its own font with.
FONT_SETTING = "EVALKIT_FONT"

# Chinese names of fonts an office may have, and the family names fonts list themselves under.
FONT_ALIASES = {
    "微软雅黑": "Microsoft YaHei",
    "黑体": "SimHei",
    "宋体": "SimSun",
    "新宋体": "NSimSun",
    "仿宋": "FangSong",
    "仿宋_GB2312": "FangSong_GB2312",
    "楷体": "KaiTi",
    "楷体_GB2312": "KaiTi_GB2312",
    "等线": "DengXian",
    "苹方": "PingFang SC",
    "华文黑体": "STHeiti",
    "思源黑体": "Source Han Sans SC",
    "文泉驿微米黑": "WenQuanYi Micro Hei",
    "方正小标宋简体": "FZXiaoBiaoSong-B05S",
}

# Family names of fonts with Simplified Chinese glyphs, best first: used only when the
# bundled font cannot be loaded (a broken install), so charts still show Chinese.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)

# Latin fallback after the CJK font, for any glyph it lacks.
LATIN_FALLBACK = "DejaVu Sans"

BOLD = 600  # weights from this up are bold
BOLD_STROKE = 0.045  # outline width of synthetic bold, as a share of the font size (points)

MISSING_BUNDLED_MESSAGE = (
    "evalkit could not load its Chinese font (the pylopdf-fonts-zh-cn package), so Chinese "
    "chart text may show as empty boxes; reinstall evalkit: pip install --force-reinstall "
    "pylopdf-fonts-zh-cn"
)


class FontWarning(UserWarning):
    """A font named for the charts is missing; the command line prints it as one line."""


def bundled_font_file() -> Path | None:
    """Return the path of the bundled Noto Sans SC file, or None if its package is missing."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return path if path.is_file() else None


def installed_families() -> set[str]:
    """Return the family names in matplotlib's font list."""
    return {entry.name for entry in font_manager.fontManager.ttflist}


def _add_font_file(path: str | Path) -> str | None:
    """Register a font file with matplotlib; return its family name, None if it cannot be read."""
    try:
        font_manager.fontManager.addfont(path)
        return font_manager.FontProperties(fname=path).get_name()
    except (OSError, RuntimeError, ValueError):  # missing, unreadable or not a font
        return None


def find_cjk_font(
    families: Iterable[str] | None = None, files: Iterable[str | Path] | None = None
) -> str | None:
    """Return the first of ``families`` that matplotlib can use, or None.

    Parameters
    ----------
    families : iterable of str, optional
        Family names in order of preference; :data:`CJK_FAMILIES` by default.
    files : iterable of str or Path, optional
        Font files to add to matplotlib's font manager first; files that do not
        exist are skipped. The bundled font file by default.

    Returns
    -------
    str or None
        A family name from ``families``, None when there is none. Does not warn.
    """
    families = tuple(CJK_FAMILIES if families is None else families)
    if files is None:
        files = [p for p in [bundled_font_file()] if p is not None]
    for path in map(Path, files):
        if path.is_file():
            _add_font_file(path)
    known = installed_families()
    return next((name for name in families if name in known), None)


def _named_font() -> str | None:
    """The office's own font from the setting, or None for the bundled one."""
    return os.environ.get(FONT_SETTING, "").strip() or None


def resolve_font(name: str) -> str | None:
    """Return the matplotlib family of a font named by an office, or None if it is not installed.

    ``name`` is a family name (``Microsoft YaHei``), a Chinese name from
    :data:`FONT_ALIASES` (``微软雅黑``), or the path of a font file.
    """
    if Path(name).suffix.lower() in {".ttf", ".otf", ".ttc"}:
        return _add_font_file(name) if Path(name).is_file() else None
    known = installed_families()
    for candidate in (name, FONT_ALIASES.get(name)):
        if candidate and candidate in known:
            return candidate
    return None


@functools.cache
def cjk_font() -> str | None:
    """Return the font family charts use for Chinese, warning once if a named font is missing.

    The bundled Noto Sans SC unless an office named its own font (the
    ``EVALKIT_FONT`` setting or :func:`use_font`). The result is cached for the
    run: the search and any warning happen on the first call only
    (``cjk_font.cache_clear()`` starts over). Worker processes forked after
    the first call inherit the answer and do not warn again.

    Returns
    -------
    str or None
        The family name; None only when the bundled font cannot be loaded either.
    """
    family = _choose_font()
    if family is not None:
        _synthetic_bold_face(family)
    return family


def _choose_font() -> str | None:
    """The bundled font, or the one an office named if it is installed (else a warning)."""
    bundled = find_cjk_font([BUNDLED_FAMILY])
    named = _named_font()
    if named is not None:
        found = resolve_font(named)
        if found is not None:
            return found
        fallback = BUNDLED_FAMILY if bundled else "DejaVu Sans"
        warnings.warn(
            f"the chart font {named!r} ({FONT_SETTING}) is not installed on this machine; "
            f"charts use {fallback} instead",
            FontWarning,
            stacklevel=2,
        )
    if bundled is not None:
        return bundled
    found = find_cjk_font(files=[])
    warnings.warn(MISSING_BUNDLED_MESSAGE, FontWarning, stacklevel=2)
    return found


def use_font(name: str | None) -> str | None:
    """Name the font charts use from now on (None: the bundled one); return the family used.

    Examples
    --------
    >>> use_font(None)
    'Noto Sans SC'
    """
    if name is None:
        os.environ.pop(FONT_SETTING, None)
    else:
        os.environ[FONT_SETTING] = name
    cjk_font.cache_clear()
    return cjk_font()


def font_families() -> list[str]:
    """Return the concrete font families for chart text: the CJK font, then fallbacks.

    Concrete names (not the generic ``sans-serif``) are stored in each text
    artist, so a figure drawn later outside the style context, e.g. by
    Jupyter's inline backend, still uses them.
    """
    cjk = cjk_font()
    families = [cjk] if cjk else []
    if cjk != BUNDLED_FAMILY and BUNDLED_FAMILY in installed_families():
        families.append(BUNDLED_FAMILY)  # glyphs an office's font lacks
    return [*families, LATIN_FALLBACK]


# Families whose bold face is their regular file, registered by :func:`_synthetic_bold_face`.
_SYNTHETIC_BOLD: set[str] = set()


def _synthetic_bold_face(family: str) -> None:
    """Register a family without a bold face with its regular file as bold, too.

    Matplotlib then finds a "bold" face without logging a fallback for every
    title, and :func:`embolden` knows to draw the weight itself.
    """
    entries = [e for e in font_manager.fontManager.ttflist if e.name == family]
    if not entries or any(_weight(e.weight) >= BOLD for e in entries):
        return
    regular = min(entries, key=lambda e: abs(_weight(e.weight) - 400))
    font_manager.fontManager.ttflist.append(dataclasses.replace(regular, weight=700))
    font_manager.fontManager._findfont_cached.cache_clear()
    _SYNTHETIC_BOLD.add(family)


def _weight(weight) -> int:
    if isinstance(weight, int | float):
        return int(weight)
    return font_manager.weight_dict.get(str(weight), 400)


def embolden(fig) -> None:
    """Give bold text a thin outline of its own colour where the font has no bold face.

    Idempotent; text whose font has a real bold face, or that already has path
    effects, is left alone.
    """
    from matplotlib import patheffects

    for text in fig.findobj(lambda a: hasattr(a, "get_fontweight") and hasattr(a, "get_text")):
        if not text.get_text() or text.get_path_effects():
            continue
        if _weight(text.get_fontweight()) < BOLD:
            continue
        family = text.get_fontfamily()
        family = family[0] if isinstance(family, list | tuple) and family else family
        if family not in _SYNTHETIC_BOLD:
            continue
        width = BOLD_STROKE * text.get_fontsize()
        text.set_path_effects(
            [patheffects.withStroke(linewidth=width, foreground=text.get_color())]
        )


def chart_rc(base_size: float = 14) -> dict[str, object]:
    """Return the rc settings of evalkit charts: fonts, sizes for a projector, a quiet frame.

    Parameters
    ----------
    base_size : float
        Body text size in points; titles and ticks scale from it.

    Returns
    -------
    dict
        Settings for :func:`matplotlib.rc_context`.
    """
    return {
        "font.family": font_families(),
        "axes.unicode_minus": False,  # CJK fonts may lack U+2212; "-" renders everywhere
        "font.size": base_size,
        "axes.titlesize": base_size * 1.15,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": base_size,
        "axes.labelcolor": "#333333",
        "axes.edgecolor": "#999999",
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": False,
        "grid.color": "#DDDDDD",
        "grid.linewidth": 0.8,
        "xtick.labelsize": base_size * 0.9,
        "ytick.labelsize": base_size * 0.9,
        "xtick.color": "#333333",
        "ytick.color": "#333333",
        "legend.fontsize": base_size * 0.9,
        "legend.frameon": False,
        "figure.titlesize": base_size * 1.45,
        "figure.titleweight": "bold",
        "figure.figsize": (13.333, 7.5),
        "figure.dpi": 100,
        "figure.facecolor": "white",
        "figure.constrained_layout.use": True,
        "savefig.dpi": 200,
        "savefig.facecolor": "white",
        "svg.fonttype": "path",  # glyphs as outlines: the SVG shows Chinese on any machine
        "svg.hashsalt": "evalkit",  # stable ids, so the same chart gives the same file
        "text.color": "#222222",
    }
