"""Never lose text: a writer's app is killed while typing, and on reopening the section holds
everything typed up to at most a second before the kill, exactly, and nothing else."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from desktop.services import documents, proposals
from desktop.services.workspace import Workspace

TYPIST = r"""
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication
from desktop.services.workspace import Workspace
from desktop.views.section_editor import SectionEditor
app = QApplication([])
ws = Workspace.open(sys.argv[1])
editor = SectionEditor(ws)
editor.open(sys.argv[2], sys.argv[3])
text = sys.argv[4]
typed = [0]
def key():
    cursor = editor.text.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText(text[typed[0] % len(text)])
    typed[0] += 1
    print(typed[0], time.monotonic(), flush=True)
timer = QTimer()
timer.timeout.connect(key)
timer.start(15)
app.exec()
"""


def test_killing_the_app_while_typing_loses_at_most_a_second(demo_path: Path) -> None:
    with Workspace.open(demo_path) as ws, ws.session() as s:
        proposal_id = proposals.proposal_ids(s)[0]
        section_id = proposals.section_ids(s, proposal_id)[-1]
        before = documents.plain_text(documents.segments(s, proposals.body_doc(section_id)),
                                      lambda _e: "\ufffc")
    text = " Ééntje 😀 日本 typt door."
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, "-c", TYPIST, str(demo_path), proposal_id,
                             section_id, text], cwd=root, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    progress: list[tuple[int, float]] = []
    start = time.monotonic()
    while time.monotonic() - start < 20:
        line = proc.stdout.readline()
        if not line:
            break
        count, at = line.split()
        progress.append((int(count), float(at)))
        if progress[-1][1] - progress[0][1] > 2.5:
            break
    proc.kill()
    killed_at = time.monotonic()
    proc.wait()
    assert len(progress) > 20, "the typist did not get going"
    with Workspace.open(demo_path) as ws, ws.session() as s:
        after = documents.plain_text(documents.segments(s, proposals.body_doc(section_id)),
                                     lambda _e: "\ufffc")
    # The typing went at the end of the last paragraph, before the text's final newline.
    assert after.startswith(before.rstrip("\n"))
    added = after[len(before.rstrip("\n")):].rstrip("\n")
    typed_total = progress[-1][0]
    expected = "".join(text[i % len(text)] for i in range(typed_total))
    assert expected.startswith(added), "what was kept is exactly what was typed"
    safe = max((n for n, at in progress if at <= killed_at - 1.0), default=0)
    assert len(added) >= safe, f"lost more than a second: kept {len(added)}, needed {safe}"
