"""Collaborative text documents (section bodies, case descriptions) as pycrdt (Yjs) update logs.

A document is never stored as a string: it is the sequence of its Yjs updates in
``document_update``, appended in the same transaction as the edit that made them. Loading applies
them in order. Text follows the delta model of DESIGN §4: paragraphs end with a newline, and a
citation is a one-position embed ``{"citation": {"items": [{"id": <reference id>, ...}]}}``.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import pycrdt
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.local import DocumentUpdate
from .records import Tx

TEXT = "text"
Segment = str | dict[str, Any]


def doc_id(entity: str, row_id: str, field: str) -> str:
    return f"{entity}/{row_id}/{field}"


def load(session: Session, document: str) -> pycrdt.Doc:
    doc = pycrdt.Doc()
    for (data,) in session.execute(select(DocumentUpdate.data).where(
            DocumentUpdate.doc_id == document).order_by(DocumentUpdate.seq)):
        doc.apply_update(data)
    return doc


def text_of(doc: pycrdt.Doc) -> pycrdt.Text:
    return doc.get(TEXT, type=pycrdt.Text)


def edit(tx: Tx, document: str, change: Callable[[pycrdt.Text], None]) -> None:
    """Apply ``change`` to the document's text and append the resulting update."""
    doc = load(tx.session, document)
    before = doc.get_state()
    change(text_of(doc))
    store_update(tx, document, doc.get_update(before))


def store_update(tx: Tx, document: str, update: bytes) -> None:
    """Append an update made elsewhere (an editor's Y doc) to the document's log."""
    tx.session.add(DocumentUpdate(doc_id=document, replica=tx.replica,
                                  hlc=tx.clock.tick().encode(), data=update))


def append_segments(tx: Tx, document: str, segments: Iterable[Segment]) -> None:
    def change(text: pycrdt.Text) -> None:
        for segment in segments:
            if isinstance(segment, str):
                text += segment
            else:
                text.insert_embed(len(text), segment)
    edit(tx, document, change)


def segments(session: Session, document: str) -> list[Segment]:
    """The document as text runs and embeds, formatting attributes left out."""
    return [item for item, _attrs in text_of(load(session, document)).diff()]


_CITE = re.compile(r"\[(@[^\]]+)\]")
_ITEM = re.compile(r"^@([\w:.#$%&\-+?<>~/']+)(?:,\s*(.+))?$")


def parse_markers(text: str, resolve: Callable[[str], str | None]) -> list[Segment]:
    """Split text with pandoc-style markers ``[@key, p. 4; @other]`` into runs and citations.

    ``resolve`` maps a citation key to a reference id; an unknown key raises ``KeyError``
    naming it, so that a bad marker is reported instead of silently becoming text.
    """
    out: list[Segment] = []
    pos = 0
    for match in _CITE.finditer(text):
        if match.start() > pos:
            out.append(text[pos:match.start()])
        items = []
        for part in match.group(1).split(";"):
            item = _ITEM.match(part.strip())
            if not item:
                raise KeyError(f"unreadable citation {part.strip()!r} in {match.group(0)!r}")
            ref_id = resolve(item.group(1))
            if ref_id is None:
                raise KeyError(f"unknown citation key {item.group(1)!r}")
            entry: dict[str, str] = {"id": ref_id}
            if item.group(2):
                entry["locator"] = item.group(2)
            items.append(entry)
        out.append({"citation": {"items": items}})
        pos = match.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def plain_text(parts: Iterable[Segment], label: Callable[[dict[str, Any]], str]) -> str:
    """Text with each citation embed replaced by ``label(embed)``."""
    return "".join(p if isinstance(p, str) else label(p) for p in parts)


_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


class WordCounter:
    """Counts words paragraph by paragraph and remembers each paragraph's count, so that
    recounting a long text after a keystroke reads only the paragraph that changed."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def count(self, text: str) -> int:
        fresh: dict[str, int] = {}
        total = 0
        for paragraph in text.split("\n"):
            n = self._counts.get(paragraph)
            if n is None:
                n = count_words(paragraph)
            fresh[paragraph] = n
            total += n
        self._counts = fresh
        return total


def replace_text(tx: Tx, document: str, new: str) -> bool:
    """Make a plain-text document read ``new`` with the smallest edit: the common start and end
    are kept, so that an edit made meanwhile on another copy still merges character by
    character. Returns whether anything changed.

    pycrdt counts positions in UTF-8 bytes (DESIGN §4), hence the encoded lengths.
    """
    parts = segments(tx.session, document)
    if any(not isinstance(p, str) for p in parts):
        raise ValueError(f"{document} holds embedded objects; it is not a plain-text document")
    old = "".join(parts)  # type: ignore[arg-type]
    if old == new:
        return False
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while (end < min(len(old), len(new)) - start
           and old[len(old) - 1 - end] == new[len(new) - 1 - end]):
        end += 1
    at = len(old[:start].encode("utf-8"))
    removed = len(old[start:len(old) - end].encode("utf-8"))
    inserted = new[start:len(new) - end]

    def change(text: pycrdt.Text) -> None:
        if removed:
            del text[at:at + removed]
        if inserted:
            text.insert(at, inserted)
    edit(tx, document, change)
    return True
