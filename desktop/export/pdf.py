"""PDF from the exported Word file through LibreOffice, when it is installed. No Qt.

LibreOffice is driven by ``libreoffice_script.py`` in a Python that has LibreOffice's ``uno``
module (LibreOffice's own on Windows and macOS; Debian's ``python3-uno`` on Linux), so that the
table of contents is updated before the PDF is written. Where no such Python exists the plain
``--convert-to pdf`` is used and a table of contents stays as Word saved it: :func:`available`
says which of the two this machine can do.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_bytes
from ..i18n import _

SCRIPT = Path(__file__).with_name("libreoffice_script.py")
TIMEOUT_SECONDS = 300
_CANDIDATES = ("soffice", "libreoffice")
_KNOWN_PATHS = (r"C:\Program Files\LibreOffice\program\soffice.exe",
                "/Applications/LibreOffice.app/Contents/MacOS/soffice")


class PdfError(RuntimeError):
    """LibreOffice is missing or failed; the message is for the user."""


@dataclass(frozen=True)
class PdfSupport:
    soffice: str
    uno_python: str  # empty: no Python with uno, the table of contents is not updated


def _soffice() -> str:
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in _KNOWN_PATHS if Path(p).exists()), "")


def _uno_python(soffice: str) -> str:
    # LibreOffice's bundled Python sits beside soffice; Debian's uno is for the system python3,
    # which another python3 (pyenv, a venv) may shadow on the PATH.
    program = Path(soffice).resolve().parent
    for candidate in (program / "python", program / "python.exe", "/usr/bin/python3",
                      shutil.which("python3"), sys.executable):
        if candidate and Path(candidate).exists():
            check = subprocess.run([str(candidate), "-c", "import uno"], capture_output=True,
                                   timeout=60)
            if check.returncode == 0:
                return str(candidate)
    return ""


@functools.cache
def available() -> PdfSupport | None:
    """What this machine can do: None without LibreOffice."""
    soffice = _soffice()
    if not soffice:
        return None
    return PdfSupport(soffice, _uno_python(soffice))


def convert(docx: Path, target: Path, support: PdfSupport | None = None) -> Path:
    """Write ``target`` (PDF) from ``docx``, atomically; returns ``target``."""
    support = support or available()
    if support is None:
        raise PdfError(_("LibreOffice is not installed, so no PDF can be made; install it "
                         "(Debian: libreoffice-writer-nogui) or save the Word file as PDF in "
                         "Word."))
    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="tandem-pdf-") as tmp:
        work = Path(tmp)
        profile = work / "profile"
        out = work / "out"
        out.mkdir()
        # LibreOffice names its output after the input; a fixed name keeps that predictable.
        source = out / "document.docx"
        shutil.copyfile(docx, source)
        produced = out / "document.pdf"
        if support.uno_python:
            command = [support.uno_python, str(SCRIPT), support.soffice, str(source),
                       str(produced), str(profile)]
        else:
            command = [support.soffice, "--headless", "--norestore",
                       f"-env:UserInstallation={profile.resolve().as_uri()}",
                       "--convert-to", "pdf", "--outdir", str(out), str(source)]
        # LibreOffice's Python must not see the app's virtual environment.
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        try:
            done = subprocess.run(command, capture_output=True, text=True, env=env,
                                  timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise PdfError(_("LibreOffice did not finish the PDF within {seconds} s").format(
                seconds=TIMEOUT_SECONDS)) from None
        if done.returncode != 0 or not produced.exists():
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise PdfError(_("LibreOffice could not make the PDF: {reason}").format(
                reason=detail[-1] if detail else done.returncode))
        write_bytes(target, produced.read_bytes())
    return target
