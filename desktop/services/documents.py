"""Collaborative text documents (section bodies, case descriptions) as pycrdt (Yjs) update logs.

A document is never stored as a string: it is the sequence of its Yjs updates in
``document_update``, appended in the same transaction as the edit that made them. Loading applies
them in order. Text follows the delta model of DESIGN §4: paragraphs end with a newline, and a
citation is a one-position embed ``{"citation": {"items": [{"id": <reference id>, ...}]}}``
(an item may also carry ``locator``, ``prefix`` and ``suffix``). In plain text a citation is a
pandoc-style marker ``[@key, p. 4; see @other]`` (``parse_markers``).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import pycrdt
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import _
from ..models.local import DocumentUpdate
from .records import Tx

TEXT = "text"
Segment = str | dict[str, Any]
# The formatting attributes of the delta model: inline ones on characters, block ones on the
# newline that ends a paragraph.
INLINE_ATTRIBUTES = ("bold", "italic", "underline", "script", "link")
BLOCK_ATTRIBUTES = ("header", "list", "indent")
# Y text gives inserted text the attributes of the character before it, so text appended after
# a heading would become heading: every insertion names every attribute, as unset.
PLAIN = {name: None for name in INLINE_ATTRIBUTES + BLOCK_ATTRIBUTES}
# A Yjs update of no insertions and no deletions; not worth a row in the log. (The state vector
# cannot tell: a deletion leaves it unchanged.)
NO_CHANGE = b"\x00\x00"


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
    """Append an update (from ``edit``, or made in an editor's Y doc) to the document's log;
    an update that changes nothing is not stored."""
    if update == NO_CHANGE:
        return
    tx.session.add(DocumentUpdate(doc_id=document, replica=tx.replica,
                                  hlc=tx.clock.tick().encode(), data=update))


def append_segments(tx: Tx, document: str, segments: Iterable[Segment], *,
                    paragraph: bool = False) -> None:
    """Append text runs and embeds, unformatted whatever the text before them looks like.

    With ``paragraph``, they start a new paragraph: a newline goes first where the text does
    not end with one. ``len(text)`` is pycrdt's own length (UTF-8 bytes, an embed one), so the
    end is exact.
    """
    def change(text: pycrdt.Text) -> None:
        if paragraph and len(text):
            last = text.diff()[-1][0]
            if not (isinstance(last, str) and last.endswith("\n")):
                text.insert(len(text), "\n", PLAIN)
        for segment in segments:
            if isinstance(segment, str):
                if segment:
                    text.insert(len(text), segment, PLAIN)
            else:
                text.insert_embed(len(text), segment, PLAIN)
    edit(tx, document, change)


def segments(session: Session, document: str) -> list[Segment]:
    """The document as text runs and embeds, formatting attributes left out."""
    return [item for item, _attrs in text_of(load(session, document)).diff()]


# A marker is brackets holding an @ at the start or after a space (so "[mail a@b.nl]" stays
# text); each item is an optional prefix, the key, and after a comma the locator.
_CITE = re.compile(r"\[((?:[^\[\]@]*?\s)?@[^\]]+)\]")
_KEY = r"[\w:.#$%&\-+?<>~/']+"
_ITEM = re.compile(rf"^(?:(.*?)\s+)?@({_KEY})(?:,\s*(.+))?$", re.DOTALL)
_BARE_KEY = re.compile(rf"{_KEY}")


class MarkerError(KeyError):
    """A citation marker that cannot be read, or whose key names no reference."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def parse_markers(text: str, resolve: Callable[[str], str | None]) -> list[Segment]:
    """Split text with pandoc-style markers ``[see @key, p. 4; @other]`` into runs and
    citations: each item keeps its reference id, and its prefix and locator when given.

    ``resolve`` maps a citation key to a reference id; an unknown key raises ``MarkerError``
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
                raise MarkerError(_("unreadable citation {part} in {marker}").format(
                    part=repr(part.strip()), marker=match.group(0)), part.strip())
            ref_id = resolve(item.group(2))
            if ref_id is None:
                raise MarkerError(_("unknown citation key {key}").format(
                    key=repr(item.group(2))), item.group(2))
            entry: dict[str, str] = {"id": ref_id}
            if item.group(1):
                entry["prefix"] = item.group(1)
            if item.group(3):
                entry["locator"] = item.group(3)
            items.append(entry)
        out.append({"citation": {"items": items}})
        pos = match.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def marker(items: Iterable[tuple[str, dict[str, Any]]]) -> str:
    """The marker ``parse_markers`` reads back, for citation items given with their keys.

    A suffix has no place of its own in the marker: it follows the locator, and so reads back
    as part of it.
    """
    parts = []
    for key, item in items:
        after = " ".join(str(item[k]) for k in ("locator", "suffix") if item.get(k))
        parts.append((f"{item['prefix']} " if item.get("prefix") else "") + f"@{key}"
                     + (f", {after}" if after else ""))
    return "[" + "; ".join(parts) + "]"


def is_key(text: str) -> bool:
    """Whether ``text`` can stand as a key in a marker."""
    return bool(_BARE_KEY.fullmatch(text))


def citation_ids(parts: Iterable[Segment]) -> list[str]:
    """The reference ids cited in a document, in order of first citation."""
    seen: dict[str, None] = {}
    for part in parts:
        if isinstance(part, dict):
            for item in part.get("citation", {}).get("items", []):
                if item.get("id"):
                    seen.setdefault(str(item["id"]), None)
    return list(seen)


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
