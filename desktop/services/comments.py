"""Comments on a section or on a passage of it, with replies and resolving; and who is writing
on this copy of the workspace (a local fact, not replicated: each laptop has its own writer).

A passage is anchored by two pycrdt sticky indexes, so the comment stays on its words while
co-authors type before it, plus the quoted words, shown when the passage itself was deleted.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pycrdt
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.entities import Comment, Member
from ..models.local import LocalMeta
from .records import Tx, now_iso

ME_KEY = "me"


def me(session: Session) -> str | None:
    """The member who writes on this copy, once chosen."""
    value = session.execute(select(LocalMeta.value).where(LocalMeta.key == ME_KEY)).scalar()
    return value or None


def set_me(session: Session, member_id: str) -> None:
    session.merge(LocalMeta(key=ME_KEY, value=member_id))


def anchor_for(text: pycrdt.Text, start: int, end: int, quote: str) -> dict[str, Any]:
    """An anchor for pycrdt offsets ``start..end`` of ``text``."""
    return {"start": text.sticky_index(start, pycrdt.Assoc.AFTER).to_json(),
            "end": text.sticky_index(end, pycrdt.Assoc.BEFORE).to_json(),
            "quote": quote}


def resolve_anchor(text: pycrdt.Text, anchor: Mapping[str, Any]) -> tuple[int, int] | None:
    """Where an anchored passage is now (pycrdt offsets), or None when it is gone."""
    if not anchor.get("start") or not anchor.get("end"):
        return None
    try:
        start = pycrdt.StickyIndex.from_json(anchor["start"], text).get_index()
        end = pycrdt.StickyIndex.from_json(anchor["end"], text).get_index()
    except Exception:  # noqa: BLE001 - an anchor from a newer or broken copy: show it unanchored
        return None
    return (start, end) if end > start else None


def add_comment(tx: Tx, section_id: str, body: str, anchor: Mapping[str, Any] | None = None,
                parent_id: str | None = None, author_id: str | None = None) -> str:
    if not body.strip():
        raise ValueError("a comment needs some text")
    return tx.create(Comment, {"section_id": section_id, "body": body.strip(),
                               "anchor": dict(anchor or {}), "parent_id": parent_id,
                               "author_member_id": author_id, "created_at": now_iso()})


def set_resolved(tx: Tx, comment_id: str, resolved: bool) -> None:
    tx.update(Comment, comment_id, {"resolved": resolved})


@dataclass(frozen=True)
class CommentRow:
    id: str
    author: str
    body: str
    created_at: str
    resolved: bool
    anchor: dict[str, Any]
    replies: tuple["CommentRow", ...] = field(default=())


def comments_for(session: Session, section_id: str) -> list[CommentRow]:
    """The section's comments, oldest first, each with its replies."""
    rows = list(session.execute(select(Comment).where(
        Comment.section_id == section_id, Comment.deleted.is_(False))
        .order_by(Comment.created_at, Comment.id)).scalars())
    names = dict(session.execute(select(Member.id, Member.name)).tuples().all())
    replies: dict[str, list[CommentRow]] = {}
    for c in rows:
        if c.parent_id:
            replies.setdefault(c.parent_id, []).append(CommentRow(
                c.id, names.get(c.author_member_id or "", ""), c.body, c.created_at,
                c.resolved, dict(c.anchor or {})))
    return [CommentRow(c.id, names.get(c.author_member_id or "", ""), c.body, c.created_at,
                       c.resolved, dict(c.anchor or {}), tuple(replies.get(c.id, ())))
            for c in rows if not c.parent_id]
