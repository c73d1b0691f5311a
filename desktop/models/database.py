"""Opening a workspace file: one SQLite database (WAL), locked to one app instance, migrated.

A workspace is a single ``.tandem`` file. Opening it takes an exclusive advisory lock on a
``.lock`` file beside it (released by the OS when the process dies, so a crash leaves no stale
lock), checks that the file is a Tandem workspace of a schema this version understands, and
applies pending migrations, each in one transaction.
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from ..i18n import _
from .migrations import APPLICATION_ID, LATEST_VERSION, migrate

SUFFIX = ".tandem"


class WorkspaceError(Exception):
    """A workspace cannot be opened; the message is for the user and names the file."""


class WorkspaceLocked(WorkspaceError):
    pass


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    since: str


class WorkspaceLock:
    """Exclusive lock on ``<workspace>.lock`` held for as long as the workspace is open."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self._file: TextIO | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            _lock_file(handle)
        except OSError:
            holder = _read_holder(handle)
            handle.close()
            where = (
                _("process {pid} on {host}, since {since}").format(
                    pid=holder.pid, host=holder.host, since=holder.since)
                if holder else _("another process")
            )
            raise WorkspaceLocked(
                _("The workspace {path} is already open in another Tandem window ({where}). "
                  "Close it there first, or open a different workspace.").format(
                    path=self.path.with_suffix(""), where=where)
            ) from None
        handle.seek(0)
        handle.truncate()
        json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                   "since": time.strftime("%Y-%m-%d %H:%M")}, handle)
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            _unlock_file(self._file)
            self._file.close()
            self._file = None


def _read_holder(handle: TextIO) -> LockHolder | None:
    try:
        handle.seek(0)
        data = json.loads(handle.read() or "{}")
        return LockHolder(int(data["pid"]), str(data["host"]), str(data["since"]))
    except (ValueError, KeyError, TypeError):
        return None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def _lock_file(handle: TextIO) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(handle: TextIO) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock_file(handle: TextIO) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(handle: TextIO) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _configure(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout = 5000")
    # FULL: a committed transaction survives a power cut, not only a crash of the app.
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def _check_header(path: Path) -> None:
    """Refuse, with a clear message, a file that is not a SQLite database at all."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head and head != b"SQLite format 3\x00":
        raise WorkspaceError(_("{path} is not a Tandem workspace (it is not a database file).")
                             .format(path=path))


def prepare_file(path: Path, *, create: bool) -> int:
    """Create or migrate the database file; return the schema version it had before."""
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise WorkspaceError(_("There is no workspace at {path}.").format(path=path))
    if exists:
        _check_header(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(_("{path} cannot be read as a workspace: {reason}")
                                 .format(path=path, reason=exc)) from exc
        if exists and app_id != APPLICATION_ID:
            raise WorkspaceError(_("{path} is a database, but not a Tandem workspace.")
                                 .format(path=path))
        if version > LATEST_VERSION:
            raise WorkspaceError(
                _("{path} was saved by a newer version of Tandem (schema {found}; this version "
                  "reads up to {latest}). Update Tandem to open it.").format(
                    path=path, found=version, latest=LATEST_VERSION))
        try:
            migrate(conn, version)
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(_("Updating {path} to the current format failed, and it was "
                                   "left as it was: {reason}").format(path=path, reason=exc)) from exc
        return int(version)
    finally:
        conn.close()


def make_engine(path: Path, *, readonly: bool = False) -> Engine:
    if readonly:
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    else:
        url = f"sqlite:///{path}"
    # Pooled: opening a SQLite connection costs milliseconds, too much for an editor that
    # stores its text several times a second. The pool hands a connection to one session at
    # a time, so a task on a worker thread never shares one with the window.
    engine = create_engine(url, poolclass=QueuePool, pool_size=4, max_overflow=8,
                           connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _configure)
    return engine
