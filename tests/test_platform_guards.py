"""Guards for platform bugs measured on this machine (DESIGN §8)."""
from __future__ import annotations

import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject


def test_pyside_version_is_not_the_broken_one() -> None:
    parts = tuple(int(p) for p in pyside_version.split(".")[:3])
    if sys.version_info < (3, 12):
        assert parts < (6, 12, 0), "PySide6 6.12.0 aborts the process on CPython 3.11"


def test_void_calls_do_not_leak_references_to_none() -> None:
    obj = QObject()
    before = sys.getrefcount(None)
    for i in range(20_000):
        obj.setObjectName(f"n{i % 7}")
    after = sys.getrefcount(None)
    # A few references may come and go with the interpreter; the broken build loses one per call.
    assert abs(after - before) < 100
