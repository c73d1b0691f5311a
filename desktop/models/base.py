"""The declarative base and the two kinds of table: replicated records and local-only tables.

Replicated records carry a UUID text id and a tombstone flag; every other column is a field that
merges last-writer-wins by its HLC stamp (kept in ``field_stamp``). Local-only tables (change log,
stamps, settings, search index) are never sent to other replicas and may use integer keys.
"""
from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Boolean, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Replicated:
    """Mixin for records that every collaborator holds a copy of and that merge per field."""

    replicated: ClassVar[bool] = True

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    @classmethod
    def entity_name(cls) -> str:
        return cls.__tablename__  # type: ignore[attr-defined, no-any-return]

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Columns that merge field by field (everything but the id)."""
        table = cls.__table__  # type: ignore[attr-defined]
        return tuple(c.name for c in table.columns if c.name != "id")

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.field_names()}
