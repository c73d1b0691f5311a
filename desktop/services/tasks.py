"""The contract between long-running services and whoever runs them (a worker thread or a test).

A service that may take long accepts a ``TaskControl``: it reports progress through it and calls
``check()`` at safe points, which raises ``Cancelled`` once the user has asked to stop. Services
stay synchronous; the views decide which thread runs them.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

ProgressCallback = Callable[[int, int, str], None]


class Cancelled(Exception):
    """The user cancelled the task; whatever it was writing has been rolled back."""


@dataclass
class TaskControl:
    on_progress: ProgressCallback | None = None
    _cancel: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Report progress (``total`` 0 means unknown) and honour a pending cancel."""
        if self.on_progress is not None:
            self.on_progress(done, total, message)
        self.check()


NO_CONTROL = TaskControl()


_PAUSES = [0]        # gc_paused blocks running now
_STATE = [True]       # whether the collector ran before the first of them
_PAUSES_LOCK = threading.Lock()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Bulk work (an import) without the cyclic garbage collector: it would walk the growing
    heap of new, still needed objects again and again (a third of a parse's time) and find
    nothing, as such work frees by reference counting. Nested and threaded uses are counted,
    so the collector runs again only when the last one ends."""
    with _PAUSES_LOCK:
        _PAUSES[0] += 1
        if _PAUSES[0] == 1:
            _STATE[0] = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _PAUSES_LOCK:
            _PAUSES[0] -= 1
            if _PAUSES[0] == 0 and _STATE[0]:
                gc.enable()

