"""An open workspace: its database, its lock, this replica's identity and clock, and summaries.

Everything that reads or writes a workspace goes through a ``Workspace``: ``session()`` for
reads, ``transaction()`` for replicated writes (a ``Tx``, committed as one unit). Sessions are
short-lived and per thread; ORM objects never leave the function that loaded them.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ..i18n import _
from ..models.database import (SUFFIX, WorkspaceError, WorkspaceLock, make_engine,
                               prepare_file)
from ..models.entities import REPLICATED_ENTITIES, Workspace as WorkspaceRecord
from ..models.hlc import ZERO, HybridClock, Stamp, wall_clock_ms
from ..models.local import ChangeLog, LocalMeta
from ..models.migrations import LATEST_VERSION
from .records import HLC_KEY, Tx, new_id, now_iso, read_meta

REPLICA_KEY = "replica_id"

__all__ = ["Workspace", "WorkspaceInfo", "WorkspaceError", "SUFFIX"]


@dataclass(frozen=True)
class WorkspaceInfo:
    path: str
    name: str
    schema_version: int
    replica_id: str
    counts: dict[str, int]
    changes: int


class Workspace:
    """An opened workspace file. Use as a context manager, or call ``close()``."""

    def __init__(self, path: Path, *, readonly: bool, lock: WorkspaceLock | None,
                 now: Callable[[], int]) -> None:
        self.path = path
        self.readonly = readonly
        self._lock = lock
        self.engine = make_engine(path, readonly=readonly)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        with self.session() as s:
            self.schema_version = int(s.connection().exec_driver_sql(
                "PRAGMA user_version").scalar() or 0)
            replica = read_meta(s, REPLICA_KEY)
            last = read_meta(s, HLC_KEY)
            logged = s.execute(select(func.max(ChangeLog.hlc))).scalar()
        if replica is None and not readonly:
            replica = new_id()
            with self.session() as s:
                s.add(LocalMeta(key=REPLICA_KEY, value=replica))
                s.commit()
        self.replica_id = replica or ""
        # Restore the clock from both the saved stamp and the log, whichever is later, so a
        # restart (or a computer clock set back) never issues a stamp at or before an old one.
        restored = max(Stamp.parse(last) if last else ZERO, Stamp.parse(logged) if logged else ZERO)
        self.clock = HybridClock(restored, now)

    @classmethod
    def open(cls, path: Path | str, *, create: bool = False, readonly: bool = False,
             now: Callable[[], int] = wall_clock_ms) -> "Workspace":
        path = Path(path).expanduser().resolve()
        if readonly:
            if not path.exists():
                raise WorkspaceError(_("There is no workspace at {path}.").format(path=path))
            ws = cls(path, readonly=True, lock=None, now=now)
            if ws.schema_version < LATEST_VERSION:
                ws.close()
                raise WorkspaceError(_("{path} uses an older format; open it once for writing "
                                       "(in the app, or any command that changes it) to update "
                                       "it.").format(path=path))
            return ws
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = WorkspaceLock(path)
        lock.acquire()
        try:
            prepare_file(path, create=create)
            return cls(path, readonly=False, lock=lock, now=now)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def create(cls, path: Path | str, *, name: str, description: str = "",
               language: str = "en", now: Callable[[], int] = wall_clock_ms) -> "Workspace":
        path = Path(path).expanduser().resolve()
        if path.exists() and path.stat().st_size > 0:
            raise WorkspaceError(_("{path} already exists; choose another file name.")
                                 .format(path=path))
        ws = cls.open(path, create=True, now=now)
        with ws.transaction() as tx:
            tx.create(WorkspaceRecord, {"name": name, "description": description,
                                        "language": language, "created_at": now_iso()})
        return ws

    def close(self) -> None:
        if not self.readonly:
            # Fold the WAL into the main file, so the .tandem file alone is the whole workspace
            # (it may be copied or renamed next).
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One atomic unit of replicated writes: all of it is committed, or none of it."""
        if self.readonly:
            raise WorkspaceError(_("{path} is open read-only.").format(path=self.path))
        with self.session() as session:
            tx = Tx(session, self.replica_id, self.clock)
            try:
                yield tx
                tx.save_clock()
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def name(self) -> str:
        with self.session() as s:
            value = s.execute(select(WorkspaceRecord.name).where(
                WorkspaceRecord.deleted.is_(False))).scalar()
        return value or self.path.stem

    def info(self) -> WorkspaceInfo:
        counts: dict[str, int] = {}
        with self.session() as s:
            for entity in REPLICATED_ENTITIES:
                counts[entity.entity_name()] = s.execute(
                    select(func.count()).select_from(entity).where(entity.deleted.is_(False))
                ).scalar_one()
            changes = s.execute(select(func.count()).select_from(ChangeLog)).scalar_one()
        return WorkspaceInfo(path=str(self.path), name=self.name(),
                             schema_version=self.schema_version, replica_id=self.replica_id,
                             counts=counts, changes=changes)
