"""Changing the library by hand: merging duplicate references and tagging references.

Each operation returns a change object that can be reversed, so the views can offer undo for
it as a single step.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from ..models.entities import Match, Reference, ReferenceTag, Tag
from .duplicates import DuplicateIndex, fold, keys_of
from .records import Tx, derived_id
from .references import short_authors

MERGE_FIELDS = ("csl_type", "title", "authors", "editors", "issued", "container_title",
                "volume", "issue", "page", "publisher", "doi", "url", "isbn", "abstract",
                "keywords", "language", "note")


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def richer(a: Any, b: Any) -> str:
    """'a' or 'b': which value to keep by default (the non-empty one, else the fuller one)."""
    if _empty(b):
        return "a"
    if _empty(a):
        return "b"
    return "b" if len(str(b)) > len(str(a)) else "a"


@dataclass(frozen=True)
class MergeSide:
    id: str
    citation_key: str
    label: str
    values: dict[str, Any]


def merge_side(session: Session, ref_id: str) -> MergeSide:
    ref = session.get(Reference, ref_id)
    if ref is None:
        raise KeyError(ref_id)
    label = f"{short_authors(ref.authors)} ({ref.year or 'n.d.'}) {ref.title}"
    return MergeSide(ref.id, ref.citation_key, label,
                     {f: getattr(ref, f) for f in MERGE_FIELDS})


def duplicate_pairs(session: Session) -> list[tuple[str, str]]:
    """Pairs (earlier, later) of live references that look like the same work."""
    index = DuplicateIndex()
    pairs = []
    # rowid: the order in which this copy received them, so "earlier" is stable.
    rows = session.execute(select(Reference).where(Reference.deleted.is_(False))
                           .order_by(literal_column("reference.rowid"))).scalars()
    for ref in rows:
        item = {"DOI": ref.doi, "title": ref.title, "author": ref.authors or ref.editors,
                "issued": ref.issued, "abstract": ref.abstract}
        found = index.find_or_add(ref.id, keys_of(item))
        if found is not None:
            pairs.append((found, ref.id))
    return pairs


@dataclass
class MergeChange:
    keep_id: str
    drop_id: str
    keep_before: dict[str, Any]
    keep_after: dict[str, Any]
    moved: list[tuple[type, str, dict[str, Any]]] = field(default_factory=list)
    created: list[tuple[type, str]] = field(default_factory=list)


def merge(tx: Tx, keep_id: str, drop_id: str, choices: Mapping[str, str]) -> MergeChange:
    """Keep one record with the chosen value per field ('a' = keep's, 'b' = drop's); the other
    is tombstoned and points at it; its matches and tags move over."""
    keep = tx.session.get(Reference, keep_id)
    drop = tx.session.get(Reference, drop_id)
    if keep is None or drop is None or keep_id == drop_id:
        raise KeyError("both references must exist and differ")
    before = {f: getattr(keep, f) for f in MERGE_FIELDS}
    after = {f: getattr(drop, f) for f in MERGE_FIELDS if choices.get(f) == "b"}
    if "issued" in after:
        after["year"] = drop.year
        before["year"] = keep.year
    tx.update(Reference, keep_id, after)
    change = MergeChange(keep_id, drop_id, before, after)
    for entity, column in ((Match, Match.reference_id), (ReferenceTag, ReferenceTag.reference_id)):
        for row in tx.session.execute(select(entity).where(
                column == drop_id, entity.deleted.is_(False))).scalars().all():
            values = row.values()
            change.moved.append((entity, row.id, values))
            tx.delete(entity, row.id)
            new_values = {**values, "reference_id": keep_id, "deleted": False}
            other = (derived_id("match", values["question_id"], keep_id) if entity is Match
                     else derived_id("reference_tag", keep_id, values["tag_id"]))
            if tx.session.get(entity, other) is None:
                tx.create(entity, {k: v for k, v in new_values.items() if k != "deleted"},
                          row_id=other)
                change.created.append((entity, other))
    tx.update(Reference, drop_id, {"deleted": True, "merged_into": keep_id})
    return change


def unmerge(tx: Tx, change: MergeChange) -> None:
    """Reverse a merge (as new writes, so the undo replicates like any edit)."""
    tx.update(Reference, change.drop_id, {"deleted": False, "merged_into": None})
    tx.update(Reference, change.keep_id, {k: change.keep_before[k] for k in change.keep_after})
    for entity, row_id in change.created:
        tx.delete(entity, row_id)
    for entity, row_id, _values in change.moved:
        tx.update(entity, row_id, {"deleted": False})


def redo_merge(tx: Tx, change: MergeChange) -> None:
    tx.update(Reference, change.keep_id, change.keep_after)
    for entity, row_id, _values in change.moved:
        tx.delete(entity, row_id)
    for entity, row_id in change.created:
        tx.update(entity, row_id, {"deleted": False})
    tx.update(Reference, change.drop_id, {"deleted": True, "merged_into": change.keep_id})


# -- tags ---------------------------------------------------------------------------------------
def tag_id_for(session: Session, name: str) -> str | None:
    wanted = fold(name)
    for tag in session.execute(select(Tag).where(Tag.deleted.is_(False))).scalars():
        if fold(tag.name) == wanted:
            return tag.id
    return None


def set_tag(tx: Tx, reference_ids: Iterable[str], name: str, present: bool) -> list[str]:
    """Add (or remove) a tag on references; returns the ids whose tagging changed."""
    name = " ".join(name.split())
    if not name:
        raise ValueError("a tag needs a name")
    tag_id = tag_id_for(tx.session, name)
    if tag_id is None:
        if not present:
            return []
        tag_id = tx.create(Tag, {"name": name}, row_id=derived_id("tag", fold(name)))
    changed = []
    for ref_id in reference_ids:
        link = derived_id("reference_tag", ref_id, tag_id)
        row = tx.session.get(ReferenceTag, link)
        if row is None and present:
            tx.create(ReferenceTag, {"reference_id": ref_id, "tag_id": tag_id}, row_id=link)
            changed.append(ref_id)
        elif row is not None and row.deleted == present:
            tx.update(ReferenceTag, link, {"deleted": not present})
            changed.append(ref_id)
    return changed


def all_tags(session: Session) -> list[tuple[str, str]]:
    """(id, name) of every tag, by name."""
    return [(i, n) for i, n in session.execute(
        select(Tag.id, Tag.name).where(Tag.deleted.is_(False)).order_by(Tag.name))]
