"""Local-only tables: the change log, per-field stamps, text-document update logs, metadata.

These are never replicated as rows. The change log and document logs are ordered by an integer
sequence (never by time), which is what a sync cursor remembers.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class LocalMeta(Base):
    """Key/value facts about this copy of the workspace: replica id, last HLC stamp."""

    __tablename__ = "local_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class FieldStamp(Base):
    """Who last wrote a field of a replicated record, and when (HLC): the merge authority."""

    __tablename__ = "field_stamp"

    entity: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    hlc: Mapped[str] = mapped_column(String(24))
    replica: Mapped[str] = mapped_column(String(36))


class ChangeLog(Base):
    """Every replicated field write, appended in the same transaction as the write itself."""

    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hlc: Mapped[str] = mapped_column(String(24))
    replica: Mapped[str] = mapped_column(String(36))
    entity: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)


class DocumentUpdate(Base):
    """One pycrdt (Yjs) update of a collaborative text document, in local arrival order."""

    __tablename__ = "document_update"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(String(96), index=True)
    replica: Mapped[str] = mapped_column(String(36))
    hlc: Mapped[str] = mapped_column(String(24))
    data: Mapped[bytes] = mapped_column(LargeBinary)
