"""Literature references: CSL-JSON items to records, table rows, and full-text search."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal_column, select, text
from sqlalchemy.orm import Session

from ..models.entities import Reference, ReferenceTag, Tag
from .records import Tx, now_iso

_COLUMNS = {
    "title": "title", "container-title": "container_title", "volume": "volume",
    "issue": "issue", "page": "page", "publisher": "publisher", "DOI": "doi", "URL": "url",
    "ISBN": "isbn", "abstract": "abstract", "language": "language", "note": "note",
}


def year_of(issued: Mapping[str, Any]) -> int | None:
    try:
        return int(issued["date-parts"][0][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


# CSL variables that have a column of their own; every other variable of an item is kept in
# the ``csl`` column, so the item is stored once, never twice.
COLUMN_VARIABLES = {
    "id", "type", "title", "author", "editor", "issued", "container-title", "volume", "issue",
    "page", "publisher", "DOI", "URL", "ISBN", "abstract", "keyword", "language", "note",
}


def fields_from_csl(item: Mapping[str, Any]) -> dict[str, Any]:
    """Reference columns from a CSL-JSON item; variables without a column go to ``csl``."""
    fields: dict[str, Any] = {col: str(item[key]) for key, col in _COLUMNS.items() if key in item}
    keywords = item.get("keyword", "")
    issued = item.get("issued") or {}
    fields.update(
        citation_key=str(item.get("id", "")),
        csl_type=str(item.get("type", "article")),
        authors=list(item.get("author", [])),
        editors=list(item.get("editor", [])),
        issued=dict(issued),
        year=year_of(issued),
        keywords=[k.strip() for k in keywords.split(",") if k.strip()]
        if isinstance(keywords, str) else list(keywords),
        csl={k: v for k, v in item.items() if k not in COLUMN_VARIABLES},
    )
    return fields


def csl_item(ref: Reference) -> dict[str, Any]:
    """The whole CSL-JSON item of a reference: its columns and the rest of its variables."""
    item: dict[str, Any] = {"id": ref.citation_key, "type": ref.csl_type, **ref.csl}
    for var, value in (("title", ref.title), ("author", ref.authors), ("editor", ref.editors),
                       ("issued", ref.issued), ("container-title", ref.container_title),
                       ("volume", ref.volume), ("issue", ref.issue), ("page", ref.page),
                       ("publisher", ref.publisher), ("DOI", ref.doi), ("URL", ref.url),
                       ("ISBN", ref.isbn), ("abstract", ref.abstract),
                       ("language", ref.language), ("note", ref.note)):
        if value:
            item[var] = value
    if ref.keywords:
        item["keyword"] = ", ".join(ref.keywords)
    return item


def add_csl_item(tx: Tx, item: Mapping[str, Any], *, original_format: str = "csl-json",
                 original_record: str | None = None) -> str:
    fields = fields_from_csl(item)
    fields.update(original_format=original_format, added_at=now_iso(),
                  original_record=original_record if original_record is not None
                  else json.dumps(item, ensure_ascii=False))
    return tx.create(Reference, fields)


def short_authors(names: Sequence[Mapping[str, Any]]) -> str:
    """'Noy & Zhang', 'Kellogg et al.', 'WRR' — for tables and markers, not for citations."""
    family = [str(n.get("family") or n.get("literal") or "?") for n in names]
    if not family:
        return ""
    if len(family) == 1:
        return family[0]
    if len(family) == 2:
        return f"{family[0]} & {family[1]}"
    return f"{family[0]} et al."


@dataclass(frozen=True)
class ReferenceRow:
    id: str
    citation_key: str
    authors: str
    year: int | None
    title: str
    venue: str
    csl_type: str
    doi: str
    tags: str


# Written out literally so that SQLite uses the expression index of schema 4 for it.
FIRST_AUTHOR = literal_column(
    "lower(coalesce(json_extract(reference.authors, '$[0].family'), "
    "json_extract(reference.authors, '$[0].literal')))")
SORT_COLUMNS = {
    "authors": FIRST_AUTHOR, "year": Reference.year, "title": Reference.title,
    "venue": Reference.container_title, "key": Reference.citation_key,
}


def reference_ids(session: Session, sort: str = "authors", descending: bool = False,
                  query: str = "", tag_id: str | None = None) -> list[str]:
    """Live references in the given order; with a query, in order of relevance."""
    if query.strip():
        found = search(session, query, limit=None)
        if tag_id is None:
            return found
        tagged = set(_tagged(session, tag_id))
        return [i for i in found if i in tagged]
    column = SORT_COLUMNS.get(sort, FIRST_AUTHOR)
    order = column.desc() if descending else column.asc()
    stmt = select(Reference.id).where(Reference.deleted.is_(False))
    if tag_id is not None:
        stmt = stmt.where(Reference.id.in_(
            select(ReferenceTag.reference_id).where(ReferenceTag.tag_id == tag_id,
                                                    ReferenceTag.deleted.is_(False))))
    # Core, not ORM: a plain list of 100,000 ids comes back several times faster.
    return list(session.connection().execute(stmt.order_by(order, Reference.id)).scalars())


def _tagged(session: Session, tag_id: str) -> list[str]:
    return list(session.execute(select(ReferenceTag.reference_id).where(
        ReferenceTag.tag_id == tag_id, ReferenceTag.deleted.is_(False))).scalars())


def reference_rows(session: Session, ids: Sequence[str]) -> dict[str, ReferenceRow]:
    """Table rows for these ids (only the columns a table shows are read)."""
    wanted = list(ids)
    tags: dict[str, list[str]] = {}
    for ref_id, name in session.execute(
            select(ReferenceTag.reference_id, Tag.name).join(Tag, Tag.id == ReferenceTag.tag_id)
            .where(ReferenceTag.reference_id.in_(wanted), ReferenceTag.deleted.is_(False),
                   Tag.deleted.is_(False)).order_by(Tag.name)):
        tags.setdefault(ref_id, []).append(name)
    rows = session.execute(select(
        Reference.id, Reference.citation_key, Reference.authors, Reference.editors,
        Reference.year, Reference.title, Reference.container_title, Reference.csl_type,
        Reference.doi).where(Reference.id.in_(wanted)))
    return {r.id: ReferenceRow(r.id, r.citation_key, _creators(r.authors, r.editors), r.year,
                               r.title, r.container_title, r.csl_type, r.doi,
                               ", ".join(tags.get(r.id, []))) for r in rows}


def _creators(authors: Sequence[Mapping[str, Any]], editors: Sequence[Mapping[str, Any]]) -> str:
    """Authors for a table; an edited volume shows its editors, marked as such."""
    if authors or not editors:
        return short_authors(authors)
    return f"{short_authors(editors)} (ed.)"


def fts_query(query: str) -> str:
    """User words to an FTS5 query: every word must match, as a word or the start of one
    ('nurse' finds 'nurses'; typing 'autom' already finds 'automation')."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in query).split() if w]
    return " AND ".join(f'"{w}"*' for w in words)


_WEIGHTS = "10.0, 5.0, 1.0, 3.0, 2.0, 1.0, 5.0, 5.0"  # title, authors, abstract, keywords, ...
def search(session: Session, query: str, limit: int | None = 50) -> list[str]:
    """Reference ids matching every word of ``query`` (each word also as the start of a word).

    Hits in the title, authors, keywords, key or DOI come first, ranked by BM25; hits only in
    the abstract or venue follow, ranked likewise. This is the order people expect of a
    library (Zotero's quick search looks at title, creators and year unless asked for more),
    and it stays fast on a large library: a very common word is rare in titles, so the first
    tier usually fills the page without ranking every abstract that mentions the word.
    """
    match = fts_query(query)
    if not match:
        return []
    first = _ranked(session, f"{{{_PRIMARY}}} : ({match})", limit)
    if limit is not None and len(first) >= limit:
        return first
    seen = set(first)
    rest = [i for i in _ranked(session, match, None if limit is None else limit + len(first))
            if i not in seen]
    out = first + rest
    return out if limit is None else out[:limit]


_PRIMARY = "title authors keywords citation_key doi"


def _ranked(session: Session, match: str, limit: int | None) -> list[str]:
    # Rank inside the index, then look up ids only for the hits kept (the index holds live
    # references only, so no join is needed to filter).
    inner = (f"SELECT rowid, bm25(reference_search, {_WEIGHTS}) AS score FROM reference_search "
             "WHERE reference_search MATCH :q ORDER BY score")
    if limit is not None:
        inner += f" LIMIT {int(limit)}"
    sql = (f"SELECT r.id FROM ({inner}) AS hit JOIN reference AS r ON r.rowid = hit.rowid "
           "ORDER BY hit.score")
    return list(session.execute(text(sql), {"q": match}).scalars())


def key_index(session: Session) -> dict[str, str]:
    """Citation key to reference id, for resolving markers."""
    return dict(session.execute(select(Reference.citation_key, Reference.id)
                                .where(Reference.deleted.is_(False))).tuples().all())


@dataclass(frozen=True)
class ReferenceDetail:
    id: str
    citation_key: str
    csl_type: str
    title: str
    authors: tuple[str, ...]
    editors: tuple[str, ...]
    year: int | None
    container_title: str
    volume: str
    issue: str
    page: str
    publisher: str
    doi: str
    url: str
    isbn: str
    abstract: str
    keywords: tuple[str, ...]
    note: str
    original_format: str
    original_record: str


def full_name(name: Mapping[str, Any]) -> str:
    if name.get("literal"):
        return str(name["literal"])
    given = str(name.get("given", ""))
    family = " ".join(str(p) for p in (name.get("non-dropping-particle"), name.get("family"))
                      if p)
    suffix = f", {name['suffix']}" if name.get("suffix") else ""
    return (f"{family}, {given}" if given else family) + suffix


def reference_detail(session: Session, reference_id: str) -> ReferenceDetail | None:
    r = session.get(Reference, reference_id)
    if r is None or r.deleted:
        return None
    return ReferenceDetail(
        r.id, r.citation_key, r.csl_type, r.title, tuple(full_name(a) for a in r.authors),
        tuple(full_name(e) for e in r.editors), r.year, r.container_title, r.volume, r.issue,
        r.page, r.publisher, r.doi, r.url, r.isbn, r.abstract, tuple(r.keywords), r.note,
        r.original_format, r.original_record)


EDITABLE = ("title", "container_title", "year", "volume", "issue", "page", "doi", "abstract",
            "note")


def editable_values(session: Session, reference_id: str) -> dict[str, Any]:
    ref = session.get(Reference, reference_id)
    if ref is None:
        raise KeyError(reference_id)
    return {name: getattr(ref, name) for name in EDITABLE}


def parse_edit(attr: str, text: str) -> Any:
    """A typed value for an edited field; ``ValueError`` names what is wrong."""
    text = text.strip()
    if attr == "year":
        if not text:
            return None
        if not text.isdigit() or not 0 < int(text) < 3000:
            raise ValueError(f"{text!r} is not a year")
        return int(text)
    return text


def update_reference(tx: Tx, reference_id: str, values: Mapping[str, Any]) -> list[str]:
    """Edit fields of a reference, keeping ``issued`` in step with the year."""
    ref = tx.session.get(Reference, reference_id)
    if ref is None:
        raise KeyError(reference_id)
    changes = dict(values)
    if "year" in changes:
        issued = dict(ref.issued or {})
        if changes["year"] is None:
            issued = {}
        else:
            parts = [list(p) for p in issued.get("date-parts", [])] or [[]]
            parts[0] = [changes["year"], *parts[0][1:]]
            issued = {**issued, "date-parts": parts}
            issued.pop("literal", None)
        changes["issued"] = issued
    return tx.update(Reference, reference_id, changes)


DEFERRED_KEY = "search_index_deferred_after"
INSERT_TRIGGER = "reference_search_insert"


@contextmanager
def deferred_search_index(session: Session) -> Iterator[Callable[[], None]]:
    """Index references added inside the block in bulk statements rather than row by row.

    Yields a function that indexes everything added so far (call it after each batch, so the
    indexing of a large import runs beside the parsing of the next batch); whatever is left
    is indexed when the block ends. Must run inside the caller's transaction: if the block
    fails, the rollback also undoes the deferral marker.
    """
    start = session.execute(text("SELECT coalesce(max(rowid), 0) FROM reference")).scalar()
    session.execute(text("INSERT INTO local_meta (key, value) VALUES (:k, :v)"),
                    {"k": DEFERRED_KEY, "v": str(start)})
    # The insert trigger's check of that marker, row by row, costs as much as the insert
    # itself: the trigger is left out until the block ends (a rollback brings it back too).
    trigger = session.execute(text(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"),
        {"n": INSERT_TRIGGER}).scalar()
    if trigger:
        session.connection().exec_driver_sql(f"DROP TRIGGER {INSERT_TRIGGER}")
    done = [start]

    def index_new() -> None:
        top = session.execute(text("SELECT coalesce(max(rowid), 0) FROM reference")).scalar()
        if top > done[0]:
            session.execute(text(
                "INSERT INTO reference_search(rowid, title, authors, abstract, keywords, venue, "
                "year, citation_key, doi) SELECT source_rowid, title, authors, abstract, "
                "keywords, venue, year, citation_key, doi FROM reference_search_source "
                "WHERE source_rowid > :after AND source_rowid <= :top AND deleted = 0"),
                {"after": done[0], "top": top})
            done[0] = top

    yield index_new
    index_new()
    if trigger:
        session.connection().exec_driver_sql(trigger)
    session.execute(text("DELETE FROM local_meta WHERE key = :k"), {"k": DEFERRED_KEY})
