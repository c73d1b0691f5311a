"""The one way to run long work off the UI thread, with progress and cancel.

Services are synchronous and take a ``TaskControl``; the runner executes them one at a time on a
single worker thread (so database writes never race each other), forwards progress to the UI
thread through queued signals, and calls back on the UI thread with the result or the error.
Tests construct it with ``inline=True`` to run tasks synchronously.
"""
from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from ..services.tasks import Cancelled, TaskControl

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object, object)  # result, error


class _Job(QRunnable):
    def __init__(self, fn: Callable[[TaskControl], Any], control: TaskControl,
                 relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._control, self._relay = fn, control, relay

    def run(self) -> None:
        try:
            result = self._fn(self._control)
        except BaseException as exc:  # noqa: BLE001 - reported to the UI, never swallowed
            self._relay.finished.emit(None, exc)
        else:
            self._relay.finished.emit(result, None)


class TaskRunner(QObject):
    """Runs one task at a time; the status bar listens to its signals."""

    sig_task_started = Signal(str)
    sig_task_progress = Signal(int, int, str)
    sig_task_finished = Signal(str)
    sig_task_cancelled = Signal(str)

    PROGRESS_INTERVAL = 0.05  # seconds between progress signals: enough for a smooth bar

    def __init__(self, parent: QObject | None = None, *, inline: bool = False) -> None:
        super().__init__(parent)
        self.inline = inline
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._current: TaskControl | None = None
        self._relays: set[_Relay] = set()

    def run(self, title: str, fn: Callable[[TaskControl], Any], on_done: Done,
            on_error: Failed | None = None) -> TaskControl:
        last = [0.0]

        def forward(done: int, total: int, message: str) -> None:
            now = time.monotonic()
            if done >= total or now - last[0] >= self.PROGRESS_INTERVAL:
                last[0] = now
                relay.progress.emit(done, total, message)

        control = TaskControl(on_progress=forward)
        relay = _Relay()
        relay.progress.connect(self.sig_task_progress)

        @Slot(object, object)
        def finished(result: Any, error: BaseException | None) -> None:
            self._relays.discard(relay)
            self._current = None
            self.sig_task_finished.emit(title)
            if error is None:
                on_done(result)
            elif isinstance(error, Cancelled):
                self.sig_task_cancelled.emit(title)
            elif on_error is not None:
                on_error(error)
            else:
                traceback.print_exception(error)

        relay.finished.connect(finished)
        self._relays.add(relay)
        self._current = control
        self.sig_task_started.emit(title)
        job = _Job(fn, control, relay)
        if self.inline:
            job.run()
        else:
            self._pool.start(job)
        return control

    def cancel(self) -> None:
        if self._current is not None:
            self._current.cancel()

    def wait(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs)
