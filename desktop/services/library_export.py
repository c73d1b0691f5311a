"""Writing references out as BibTeX or CSL-JSON, so that reading the file back gives the same
references (fields Tandem has no column for travel in ``_bibtex`` / the CSL item)."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..atomic import write_text
from ..models.entities import Reference
from .bibtex import EXTRA, GENRES
from .references import csl_item

FORMATS = ("bibtex", "csljson")

_BIB_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "article": "article", "book": "book", "chapter": "incollection",
    "paper-conference": "inproceedings", "thesis": "phdthesis", "report": "techreport",
    "webpage": "online", "post-weblog": "online", "manuscript": "unpublished",
    "software": "software", "dataset": "dataset", "patent": "patent", "pamphlet": "booklet",
    "document": "misc", "periodical": "periodical", "entry": "inreference",
    "entry-encyclopedia": "inreference", "entry-dictionary": "inreference",
    "standard": "standard", "legislation": "legislation", "legal_case": "jurisdiction",
}
# The reverse of bibtex.py's tables, for the variables that map one to one.
_PLAIN = {
    "volume": "volume", "edition": "edition", "abstract": "abstract", "note": "note",
    "annote": "annote", "container-title-short": "shortjournal", "title-short": "shorttitle",
    "collection-title": "series", "chapter-number": "chapter",
    "number-of-pages": "pagetotal", "number-of-volumes": "volumes", "version": "version",
    "medium": "howpublished", "title-addon": "titleaddon", "event-title": "eventtitle",
    "event-place": "venue", "original-language": "origlanguage", "keyword": "keywords",
    "language": "language", "publisher-place": "address",
}
_VERBATIM = {"DOI": "doi", "URL": "url", "ISBN": "isbn", "ISSN": "issn", "PMID": "pmid",
             "PMCID": "pmcid"}
_NAMES = {"author": "author", "editor": "editor", "translator": "translator",
          "container-author": "bookauthor", "commentator": "commentator",
          "introduction": "introduction"}
_ESCAPE = re.compile(r"[\\{}&%$#_~]")
_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
            "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}"}


def escape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], text)


def _name(name: dict[str, Any]) -> str:
    if name.get("literal"):
        return "{" + escape(str(name["literal"])) + "}"
    # A family name of several words is braced, or BibTeX would read its lowercase words as a
    # particle ("Vázques de Parga" -> von "Vázques de"); the particle itself stays outside.
    own = escape(str(name.get("family", "")))
    if " " in own or "," in own:
        own = "{" + own + "}"
    particle = name.get("non-dropping-particle") or name.get("dropping-particle")
    family = f"{escape(str(particle))} {own}" if particle else own
    parts = [family]
    if name.get("suffix"):
        parts.append(escape(str(name["suffix"])))
    if name.get("given"):
        parts.append(escape(str(name["given"])))
    elif len(parts) == 2:
        parts.append("")
    return ", ".join(parts)


def _date(value: dict[str, Any]) -> tuple[str, str]:
    """('year', '2020') or ('date', '2020-05-17') or ('date', '2001/2002')."""
    if "literal" in value and "date-parts" not in value:
        return "year", escape(str(value["literal"]))
    parts = value.get("date-parts") or []
    if len(parts) == 1 and len(parts[0]) == 1:
        return "year", str(parts[0][0])
    text = "/".join("-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(part))
                    for part in parts)
    return "date", text


def bibtex_entry(ref: Reference) -> str:
    csl = {**ref.csl}
    kind = _BIB_TYPES.get(ref.csl_type, "misc")
    if kind == "phdthesis" and "master" in str(csl.get("genre", "")).lower():
        kind = "mastersthesis"
    fields: list[tuple[str, str]] = []

    def put(name: str, value: str) -> None:
        if value:
            fields.append((name, value))

    put("title", escape(ref.title))
    for var, name in _NAMES.items():
        names = {"author": ref.authors, "editor": ref.editors}.get(var, csl.get(var))
        if names:
            put(name, " and ".join(_name(n) for n in names))
    container = ref.container_title
    if container:
        put("journal" if kind == "article" else "booktitle", escape(container))
    if ref.issued:
        put(*_date(ref.issued))
    if kind == "article":
        put("number", escape(ref.issue))
    elif csl.get("number"):
        put("number", escape(str(csl["number"])))
    put("pages", escape(ref.page).replace("–", "--"))
    publisher_field = {"phdthesis": "school", "mastersthesis": "school",
                       "techreport": "institution"}.get(kind, "publisher")
    put(publisher_field, escape(ref.publisher))
    for var, name in _PLAIN.items():
        value = {"volume": ref.volume, "abstract": ref.abstract, "note": ref.note,
                 "language": ref.language}.get(var, csl.get(var))
        if var == "keyword":
            value = ", ".join(ref.keywords)
        if value:
            # bibtex.py reads a blank line as a paragraph break and other newlines as spaces.
            put(name, escape(str(value)).replace("\n", "\n\n"))
    for var, name in _VERBATIM.items():
        value = {"DOI": ref.doi, "URL": ref.url, "ISBN": ref.isbn}.get(var, csl.get(var))
        if value:
            put(name, str(value))
    genre = str(csl.get("genre", ""))
    if genre and genre != GENRES.get(kind):
        put("type", escape(genre))
    if csl.get("archive_location"):
        prefix, _sep, number = str(csl["archive_location"]).rpartition(":")
        put("eprint", number)
        put("eprinttype", prefix)
    if csl.get("accessed"):
        put("urldate", _date(csl["accessed"])[1])
    for name, value in (csl.get(EXTRA) or {}).items():
        if name not in dict(fields):
            put(name, str(value))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{ref.citation_key},\n{body}\n}}\n"


def references_for(session: Session, ids: Sequence[str] | None) -> Iterable[Reference]:
    stmt = select(Reference).where(Reference.deleted.is_(False)).order_by(Reference.citation_key)
    if ids is not None:
        stmt = stmt.where(Reference.id.in_(list(ids)))
    return session.execute(stmt).scalars()


def export(session: Session, path: Path, fmt: str, ids: Sequence[str] | None = None) -> int:
    """Write the references (all, or ``ids``) to ``path`` atomically; returns how many."""
    refs = list(references_for(session, ids))
    if fmt == "bibtex":
        text = "\n".join(bibtex_entry(r) for r in refs)
    elif fmt == "csljson":
        text = json.dumps([csl_item(r) for r in refs], ensure_ascii=False, indent=2) + "\n"
    else:
        raise ValueError(f"unknown export format {fmt!r}; use one of {FORMATS}")
    write_text(path, text)
    return len(refs)
