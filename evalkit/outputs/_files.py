"""Output files that are the same bytes for the same content, written so that a failed
run never leaves a half-written file over a good one (workbooks, documents, slides,
charts and text)."""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

FIXED_TIME = datetime(2000, 1, 1)  # office files' timestamps, so two runs give the same bytes


def stable_zip(data: bytes, *, dates: bytes = rb"modified") -> bytes:
    """Fix the zip entry times and the modified date, so the same content gives the same bytes.

    A workbook embedded in the package (python-pptx writes one behind each native
    chart, stamped with the minute it was made) is made stable the same way, its
    created date included.
    """
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "docProps/core.xml":
                date = rb"(<dcterms:(?:" + dates + rb")[^>]*>)[^<]*"
                content = re.sub(date, rb"\g<1>" + stamp, content)
            elif info.filename.endswith(".xlsx") and content.startswith(b"PK"):
                content = stable_zip(content, dates=rb"created|modified")
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME.timetuple()[:6])
            dst.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def replace_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then move it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are ordinary shared files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
