"""The only way to write replicated records: field stamps and the change log in one transaction.

A ``Tx`` wraps a SQLAlchemy session. ``create``/``update``/``delete`` stamp every written field
with a fresh HLC stamp and this replica's id, and append one change-log entry per field, in the
same transaction as the row itself. Deletes are tombstones. A session guard refuses to flush
replicated rows that did not come through a ``Tx``, so a forgotten stamp fails loudly in tests
instead of silently never syncing.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..models.base import Replicated
from ..models.hlc import HybridClock
from ..models.local import ChangeLog, FieldStamp, LocalMeta

R = TypeVar("R", bound=Replicated)

_ALLOWED = "tandem.allowed"
_NAMESPACE = uuid.UUID("6f1c3c1e-7d4a-4c55-9a53-2b1d9a2f4e10")
HLC_KEY = "hlc_last"


class ReplicationError(RuntimeError):
    """A replicated record was written without going through a ``Tx``."""


def new_id() -> str:
    return str(uuid.uuid4())


def derived_id(*parts: str) -> str:
    """The same id on every replica for the same parts (e.g. a question and a reference)."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _column_default(column: Any) -> Any:
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)
    return default.arg


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


class Tx:
    """One transaction of replicated writes by this replica."""

    def __init__(self, session: Session, replica: str, clock: HybridClock) -> None:
        self.session = session
        self.replica = replica
        self.clock = clock
        session.info.setdefault(_ALLOWED, set())

    def _allow(self, obj: Replicated) -> None:
        self.session.info[_ALLOWED].add((type(obj).entity_name(), obj.id))

    def _record(self, entity: type[Replicated], row_id: str, changes: Mapping[str, Any]) -> None:
        name = entity.entity_name()
        for field_name, value in changes.items():
            stamp = self.clock.tick().encode()
            self.session.merge(FieldStamp(entity=name, row_id=row_id, field=field_name,
                                          hlc=stamp, replica=self.replica))
            self.session.add(ChangeLog(hlc=stamp, replica=self.replica, entity=name,
                                       row_id=row_id, field=field_name,
                                       value=_json_value(value)))

    def create(self, entity: type[R], values: Mapping[str, Any], *, row_id: str | None = None) -> str:
        fields = entity.field_names()
        unknown = set(values) - set(fields)
        if unknown:
            raise ValueError(f"{entity.entity_name()} has no field(s) {sorted(unknown)}")
        table = entity.__table__  # type: ignore[attr-defined]
        full = {c.name: _column_default(c) for c in table.columns if c.name != "id"}
        full.update(values)
        full["deleted"] = False
        row_id = row_id or new_id()
        obj = entity(id=row_id, **full)
        self._allow(obj)
        self.session.add(obj)
        self._record(entity, row_id, full)
        return row_id

    def update(self, entity: type[R], row_id: str, values: Mapping[str, Any]) -> list[str]:
        """Write the fields that differ; returns their names (empty: nothing changed)."""
        obj = self.session.get(entity, row_id)
        if obj is None:
            raise KeyError(f"no {entity.entity_name()} with id {row_id}")
        unknown = set(values) - set(entity.field_names())
        if unknown:
            raise ValueError(f"{entity.entity_name()} has no field(s) {sorted(unknown)}")
        changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
        if changed:
            self._allow(obj)
            for key, value in changed.items():
                setattr(obj, key, value)
            self._record(entity, row_id, changed)
        return list(changed)

    def delete(self, entity: type[R], row_id: str) -> bool:
        """Tombstone a record (it stays, marked deleted, so the deletion can replicate)."""
        return bool(self.update(entity, row_id, {"deleted": True}))

    def save_clock(self) -> None:
        self.session.merge(LocalMeta(key=HLC_KEY, value=self.clock.last.encode()))


def read_meta(session: Session, key: str) -> str | None:
    return session.execute(select(LocalMeta.value).where(LocalMeta.key == key)).scalar()


@event.listens_for(Session, "before_flush")
def _guard_replicated_writes(session: Session, _ctx: Any, _instances: Any) -> None:
    allowed = session.info.get(_ALLOWED, set())
    for obj in session.deleted:
        if isinstance(obj, Replicated):
            raise ReplicationError(
                f"{type(obj).entity_name()} {obj.id}: replicated records are tombstoned "
                "(Tx.delete), never deleted")
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Replicated) and (type(obj).entity_name(), obj.id) not in allowed:
            raise ReplicationError(
                f"{type(obj).entity_name()} {obj.id} was written outside a Tx: "
                "its change would never reach the other replicas")
