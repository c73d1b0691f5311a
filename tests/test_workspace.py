"""One workspace file, one app instance: a second opener gets a clear message, and a crashed
holder leaves no stale lock."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.models.database import WorkspaceLocked
from desktop.services.workspace import Workspace

HOLD = """
import sys, time
from desktop.services.workspace import Workspace
ws = Workspace.open(sys.argv[1])
print("open", flush=True)
time.sleep(60)
"""


def test_second_opener_in_the_same_process_is_refused(workspace: Workspace) -> None:
    with pytest.raises(WorkspaceLocked, match="already open"):
        Workspace.open(workspace.path)


def test_another_process_holding_it_is_named_and_its_crash_frees_it(demo_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(demo_path)], cwd=root,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(WorkspaceLocked) as err:
            Workspace.open(demo_path)
        assert f"process {holder.pid}" in str(err.value)
        assert str(demo_path) in str(err.value)
        # Reading is still possible while another instance has it open.
        with Workspace.open(demo_path, readonly=True) as ro:
            assert ro.info().counts["reference"] >= 40
    finally:
        holder.kill()
        holder.wait()
    deadline = time.monotonic() + 5
    while True:
        try:
            ws = Workspace.open(demo_path)
            break
        except WorkspaceLocked:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    assert ws.info().counts["practice_question"] == 5
    ws.close()


def test_killed_writer_leaves_a_readable_workspace(demo_path: Path) -> None:
    """A process killed in the middle of writing transactions leaves a consistent database."""
    root = Path(__file__).resolve().parent.parent
    writer = """
import sys
from desktop.services.workspace import Workspace
from desktop.models.entities import Member
ws = Workspace.open(sys.argv[1])
print("go", flush=True)
i = 0
while True:
    with ws.transaction() as tx:
        for _ in range(50):
            tx.create(Member, {"name": f"m{i}", "role": "researcher"})
            i += 1
"""
    proc = subprocess.Popen([sys.executable, "-c", writer, str(demo_path)], cwd=root,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "go"
    time.sleep(1.0)
    proc.kill()
    proc.wait()
    with Workspace.open(demo_path) as ws:
        with ws.session() as s:
            check = s.connection().exec_driver_sql("PRAGMA integrity_check").scalar()
        info = ws.info()
    assert check == "ok"
    added = info.counts["member"] - 4
    assert added > 0 and added % 50 == 0  # whole transactions only
