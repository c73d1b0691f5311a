"""The only way to write replicated records: field stamps and the change log in one transaction.

A ``Tx`` wraps a SQLAlchemy session. ``create`` stamps the new record as a whole and logs all its
fields in one change-log entry; ``update``/``delete`` stamp and log each changed field. Every
stamp is a fresh HLC stamp with this replica's id, written in the same transaction as the row. Deletes are tombstones. A session guard refuses to flush
replicated rows that did not come through a ``Tx``, so a forgotten stamp fails loudly in tests
instead of silently never syncing.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import JSON, event, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..models.base import Replicated
from ..models.hlc import HybridClock
from ..models.local import ChangeLog, FieldStamp, LocalMeta

R = TypeVar("R", bound=Replicated)

_ALLOWED = "tandem.allowed"
_NAMESPACE = uuid.UUID("6f1c3c1e-7d4a-4c55-9a53-2b1d9a2f4e10")
HLC_KEY = "hlc_last"
# A record's creation is one write of all its fields: one stamp and one change-log entry under
# this field name. A later field update gets a stamp of its own, which then takes precedence.
# The creation's log entry carries no values: whoever ships it reads the record itself. That is
# exact, because every field changed since has its own later stamp and log entry, so the
# record's current value of any other field is the value the creation wrote.
WHOLE_ROW = "*"


class ReplicationError(RuntimeError):
    """A replicated record was written without going through a ``Tx``."""


# Seeded from the OS once: ids need to be unique, not secret, and a system call per id costs
# more than the rest of making one.
_RANDOM = random.Random(os.urandom(32))


def new_id() -> str:
    """A UUID version 7 (RFC 9562): time-ordered, so new rows land at the end of every index
    that contains ids instead of at random places (bulk inserts stay fast); 74 random bits
    keep ids from different replicas apart."""
    millis = time.time_ns() // 1_000_000
    rand = _RANDOM.getrandbits(80)
    value = (millis & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | (rand >> 68 & 0xFFF) << 64 \
        | 0b10 << 62 | (rand & 0x3FFF_FFFF_FFFF_FFFF)
    # Formatted by hand: uuid.UUID's checks cost more than making the id (100,000 per import).
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dump(value: Any) -> str | None:
    """A JSON column's value as stored: compact, UTF-8, empty containers without encoding.

    A ``str`` is taken as already encoded: every JSON column holds a list or an object, and
    import workers hand over their values encoded (plain strings travel between processes
    far more cheaply than nested lists and dicts).
    """
    if value is None or isinstance(value, str):
        return value
    if not value and isinstance(value, (list, dict)):
        return "[]" if isinstance(value, list) else "{}"
    return _ENCODE(value)


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

    def create(self, entity: type[R], values: Mapping[str, Any], *,
               row_id: str | None = None) -> str:
        return self.create_many(entity, [values], [row_id] if row_id else None)[0]

    def create_many(self, entity: type[R], rows: Sequence[Mapping[str, Any]],
                    row_ids: Sequence[str] | None = None) -> list[str]:
        """Insert new records: one row stamp and one change-log entry each (see WHOLE_ROW).

        Goes straight to the driver's executemany with values serialised here: a
        100,000-reference import is three statements, not millions of ORM objects.
        """
        if not rows:
            return []
        name = entity.entity_name()
        table = entity.__table__  # type: ignore[attr-defined]
        columns = [c for c in table.columns]
        names = [c.name for c in columns]
        is_json = [isinstance(c.type, JSON) for c in columns]
        defaults = {c.name: _column_default(c) for c in columns if c.name != "id"}
        allowed = set(entity.field_names())
        ids = list(row_ids) if row_ids else [new_id() for _ in rows]
        records, stamps, log = [], [], []
        for row_id, values in zip(ids, rows):
            unknown = values.keys() - allowed
            if unknown:
                raise ValueError(f"{name} has no field(s) {sorted(unknown)}")
            full = {**defaults, **values, "id": row_id, "deleted": False}
            records.append(tuple(dump(full[n]) if j else full[n]
                                 for n, j in zip(names, is_json)))
            stamp = self.clock.tick().encode()
            stamps.append((name, row_id, WHOLE_ROW, stamp, self.replica))
            log.append((stamp, self.replica, name, row_id, WHOLE_ROW))
        cursor = self.session.connection().connection.cursor()
        try:
            cursor.executemany(
                f'INSERT INTO "{table.name}" ({", ".join(names)}) '
                f'VALUES ({", ".join("?" for _ in columns)})', records)
            cursor.executemany("INSERT INTO field_stamp (entity, row_id, field, hlc, replica) "
                               "VALUES (?, ?, ?, ?, ?)", stamps)
            cursor.executemany("INSERT INTO change_log (hlc, replica, entity, row_id, field) "
                               "VALUES (?, ?, ?, ?, ?)", log)
        finally:
            cursor.close()
        return ids

    def update(self, entity: type[R], row_id: str, values: Mapping[str, Any]) -> list[str]:
        """Write the fields that differ; returns their names (empty: nothing changed)."""
        obj = self.session.get(entity, row_id)
        if obj is None:
            raise KeyError(f"no {entity.entity_name()} with id {row_id}")
        unknown = set(values) - set(entity.field_names())
        if unknown:
            raise ValueError(f"{entity.entity_name()} has no field(s) {sorted(unknown)}")
        changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
        if not changed:
            return []
        self.session.info[_ALLOWED].add((entity.entity_name(), row_id))
        name = entity.entity_name()
        for key, value in changed.items():
            setattr(obj, key, value)
            stamp = self.clock.tick().encode()
            upsert = sqlite_insert(FieldStamp.__table__).values(
                entity=name, row_id=row_id, field=key, hlc=stamp, replica=self.replica)
            self.session.execute(upsert.on_conflict_do_update(
                index_elements=["entity", "row_id", "field"],
                set_={"hlc": stamp, "replica": self.replica}))
            self.session.add(ChangeLog(hlc=stamp, replica=self.replica, entity=name,
                                       row_id=row_id, field=key, value=_json_value(value)))
        return list(changed)

    def delete(self, entity: type[R], row_id: str) -> bool:
        """Tombstone a record (it stays, marked deleted, so the deletion can replicate)."""
        return bool(self.update(entity, row_id, {"deleted": True}))

    def save_clock(self) -> None:
        self.session.merge(LocalMeta(key=HLC_KEY, value=self.clock.last.encode()))


def stamp_of(session: Session, entity: str, row_id: str, field: str) -> tuple[str, str] | None:
    """The (HLC, replica) that last wrote a field: its own stamp, else the row's creation."""
    rows = dict((f, (h, r)) for f, h, r in session.execute(
        select(FieldStamp.field, FieldStamp.hlc, FieldStamp.replica).where(
            FieldStamp.entity == entity, FieldStamp.row_id == row_id,
            FieldStamp.field.in_([field, WHOLE_ROW]))).all())
    return rows.get(field) or rows.get(WHOLE_ROW)


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
