"""Render office documents as a reader sees them: LibreOffice to PDF, poppler to PNG pages.

Used by the document and slide tests; a test that needs it is skipped, with the
reason, on a machine without LibreOffice or poppler-utils.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from evalkit.outputs._fonts import bundled_font_file


def _tool(*names: str) -> str | None:
    return next((found for name in names if (found := shutil.which(name))), None)


def _fontconfig(out: Path) -> dict[str, str]:
    """Environment that lets LibreOffice see evalkit's bundled Chinese font (Noto Sans SC).

    A fresh machine has no system CJK font; the office fonts a document names
    (仿宋_GB2312, 方正小标宋简体...) then fall back to the font that ships with
    evalkit's dependencies, as they would on an office PC without those fonts.
    """
    env = dict(os.environ)
    font = bundled_font_file()
    if font is None:
        return env
    conf = out / "fonts.conf"
    system = "/etc/fonts/fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{system}</include>\n'
        f"  <dir>{font.parent}</dir>\n"
        f"  <cachedir>{out / 'fc-cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    env["FONTCONFIG_FILE"] = str(conf)
    return env


def render_pages(paths: list[Path], out: Path, dpi: int = 60) -> dict[Path, list[Path]]:
    """Convert documents to PDF with LibreOffice, then each PDF to PNG pages; skip without them."""
    office = _tool("libreoffice", "soffice")
    pdftoppm = _tool("pdftoppm")
    if office is None or pdftoppm is None:
        pytest.skip("rendering needs LibreOffice (libreoffice-writer, -impress) and poppler-utils")
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "lo-profile"  # a profile of its own, so parallel runs never share one
    subprocess.run(
        [office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), *map(str, paths)],
        check=True, capture_output=True, timeout=300, env=_fontconfig(out),
    )  # fmt: skip
    pages = {}
    for path in paths:
        pdf = out / f"{path.stem}.pdf"
        assert pdf.is_file(), f"LibreOffice wrote no PDF for {path.name}"
        subprocess.run([pdftoppm, "-png", "-r", str(dpi), str(pdf), str(out / path.stem)],
                       check=True, timeout=300)  # fmt: skip
        pages[path] = sorted(out.glob(f"{path.stem}-*.png"))
    return pages


def pdf_text(pdf: Path) -> str:
    """The text of a PDF (pdftotext), to check that what was drawn is the text that was written."""
    tool = _tool("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run([tool, "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout  # fmt: skip


def pdf_fonts(pdf: Path) -> str:
    tool = _tool("pdffonts")
    if tool is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    return subprocess.run([tool, str(pdf)], check=True, capture_output=True, text=True,
                          timeout=60).stdout  # fmt: skip
