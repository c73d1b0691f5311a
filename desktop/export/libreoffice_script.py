"""Run by a Python that has LibreOffice's ``uno`` module (not the app's): open a .docx in a
headless LibreOffice, update its indexes (the table of contents), save it as PDF.

    python3 libreoffice_script.py SOFFICE IN.docx OUT.pdf PROFILE_DIR

A plain ``soffice --convert-to pdf`` leaves a table of contents as Word saved it (empty, because
only Word or LibreOffice can paginate); ``update()`` on each document index fills it in.
LibreOffice runs with a private profile, so a LibreOffice the user has open is not disturbed.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

CONNECT_SECONDS = 60


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(soffice: str, source: str, target: str, profile: str) -> int:
    pipe = f"tandem-export-{os.getpid()}"
    office = subprocess.Popen([
        soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
        f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
        f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"])
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + CONNECT_SECONDS
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if time.monotonic() > deadline or office.poll() is not None:
                    print("LibreOffice did not start", file=sys.stderr)
                    return 2
                time.sleep(0.1)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(str(Path(source).resolve())),
                                           "_blank", 0, (prop("Hidden", True),))
        if doc is None:
            print(f"LibreOffice cannot open {source}", file=sys.stderr)
            return 3
        indexes = doc.getDocumentIndexes()
        for n in range(indexes.getCount()):
            indexes.getByIndex(n).update()
        doc.getTextFields().refresh()
        doc.storeToURL(uno.systemPathToFileUrl(str(Path(target).resolve())),
                       (prop("FilterName", "writer_pdf_Export"),))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:  # noqa: BLE001 - the bridge drops while LibreOffice quits
            pass
        return 0
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
