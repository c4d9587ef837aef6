"""Fonts and the chart style: find a CJK font so Chinese renders, and the rc settings of charts.

Chinese text needs a font with CJK glyphs; matplotlib's default (DejaVu Sans)
has none and draws empty boxes. :func:`cjk_font` looks for an installed one by
family name (a known list, best first) and, if matplotlib's font cache does not
list it, by the file paths that common packages install (Debian
``fonts-noto-cjk``, ``fonts-wqy-microhei``, macOS, Windows), which it then adds
with :meth:`matplotlib.font_manager.FontManager.addfont`. When there is none it
warns once, naming the Debian packages to install.

:func:`chart_rc` returns the rc settings every evalkit chart is drawn and saved
with; use them through :func:`matplotlib.rc_context` so nothing leaks into the
caller's global state.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable
from pathlib import Path

from matplotlib import font_manager

# Family names of fonts with Simplified Chinese glyphs, best first.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "SimHei",
    "Sarasa Gothic SC",
    "Droid Sans Fallback",
    "Arial Unicode MS",
    "Noto Serif CJK SC",
)

# Files that font packages install, in case matplotlib's font cache predates them.
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian fonts-noto-cjk
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch, Fedora
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian fonts-wqy-zenhei
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",  # macOS
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/msyh.ttc",  # Windows
    "C:/Windows/Fonts/simhei.ttf",
)

# Latin fallback after the CJK font, for any glyph it lacks.
LATIN_FALLBACK = "DejaVu Sans"

MISSING_FONT_MESSAGE = (
    "evalkit found no font with Chinese glyphs, so Chinese chart text will show as empty "
    "boxes. Install one, e.g. on Debian/Ubuntu: sudo apt-get install fonts-noto-cjk "
    "(or fonts-wqy-microhei); on other systems Noto Sans CJK SC, Source Han Sans SC, "
    "Microsoft YaHei or PingFang SC."
)


def installed_families() -> set[str]:
    """Return the family names in matplotlib's font list."""
    return {entry.name for entry in font_manager.fontManager.ttflist}


def find_cjk_font(
    families: Iterable[str] | None = None, files: Iterable[str | Path] | None = None
) -> str | None:
    """Return the first of ``families`` that matplotlib can use, or None.

    Parameters
    ----------
    families : iterable of str, optional
        Family names in order of preference; :data:`CJK_FAMILIES` by default.
    files : iterable of str or Path, optional
        Font files to add to matplotlib's font manager when no family is listed
        yet; files that do not exist are skipped. :data:`CJK_FONT_FILES` by default.

    Returns
    -------
    str or None
        A family name from ``families``, None when there is none. Does not warn.
    """
    families = tuple(CJK_FAMILIES if families is None else families)
    files = CJK_FONT_FILES if files is None else files
    known = installed_families()
    found = next((name for name in families if name in known), None)
    if found is not None:
        return found
    for path in map(Path, files):
        if path.is_file():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # an unreadable or odd file
                continue
    known = installed_families()
    return next((name for name in families if name in known), None)


@functools.cache
def cjk_font() -> str | None:
    """Return the CJK font family charts use, warning once if there is none.

    The result is cached for the session: the search and the warning happen on
    the first call only (``cjk_font.cache_clear()`` starts over).

    Returns
    -------
    str or None
        The family name, or None after a :class:`UserWarning` that names the
        Debian packages ``fonts-noto-cjk`` and ``fonts-wqy-microhei``.
    """
    found = find_cjk_font()
    if found is None:
        warnings.warn(MISSING_FONT_MESSAGE, UserWarning, stacklevel=2)
    return found


def font_families() -> list[str]:
    """Return the concrete font families for chart text: the CJK font, then a Latin fallback.

    Concrete names (not the generic ``sans-serif``) are stored in each text
    artist, so a figure drawn later outside the style context, e.g. by
    Jupyter's inline backend, still uses them.
    """
    cjk = cjk_font()
    return [cjk, LATIN_FALLBACK] if cjk else [LATIN_FALLBACK]


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
