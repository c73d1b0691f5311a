"""Recognising the same work twice: same DOI, or the same normalised title with the same first
author's family name and a year at most one apart (Zotero's rule, which tolerates an
online-first year beside the print year)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models.entities import Reference

_NON_WORD = re.compile(r"[^0-9a-z]+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)


def fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: 'Über-Café: A  Study' -> 'uber cafe a study'."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_WORD.sub(" ", ascii_text).strip()


def doi_key(doi: str | None) -> str:
    return _DOI_PREFIX.sub("", (doi or "").strip()).lower()


def first_family(names: Iterable[Mapping[str, Any]] | None) -> str:
    for name in names or []:
        return fold(str(name.get("family") or name.get("literal") or ""))
    return ""


def csl_year(item: Mapping[str, Any]) -> int | None:
    try:
        return int(item["issued"]["date-parts"][0][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


# DOI, folded title, first family name, year, and the start of the abstract (folded).
DuplicateKeys = tuple[str, str, str, int | None, str]
_ABSTRACT_PREFIX = 200


def abstract_key(abstract: str | None) -> str:
    # Only the start is compared: folding the start alone is enough (folding never makes
    # text longer) and saves folding long abstracts whole.
    return fold((abstract or "")[:2 * _ABSTRACT_PREFIX])[:_ABSTRACT_PREFIX]


def keys_of(item: Mapping[str, Any]) -> DuplicateKeys:
    return (doi_key(item.get("DOI")), fold(str(item.get("title", ""))),
            first_family(item.get("author") or item.get("editor")), csl_year(item),
            abstract_key(item.get("abstract")))


@dataclass
class DuplicateIndex:
    """Lookup of references by DOI and by (title, first author); fed as records are added."""

    by_doi: dict[str, str] = field(default_factory=dict)
    doi_of: dict[str, str] = field(default_factory=dict)
    by_title: dict[tuple[str, str], list[tuple[str, int | None, str]]] = field(
        default_factory=dict)

    def add(self, ref_id: str, keys: DuplicateKeys) -> None:
        doi, folded, family, year, abstract = keys
        if doi:
            self.by_doi.setdefault(doi, ref_id)
            self.doi_of[ref_id] = doi
        if folded:
            self.by_title.setdefault((folded, family), []).append((ref_id, year, abstract))

    def find(self, item: Mapping[str, Any]) -> str | None:
        return self._find(*keys_of(item))

    def find_or_add(self, ref_id: str, keys: DuplicateKeys) -> str | None:
        """The duplicate of a record with these keys if there is one; otherwise it joins the
        index as ``ref_id``."""
        found = self._find(*keys)
        if found is None:
            self.add(ref_id, keys)
        return found

    def _find(self, key: str, folded: str, family: str, year: int | None,
              abstract: str) -> str | None:
        if key and key in self.by_doi:
            return self.by_doi[key]
        if not folded:
            return None
        for ref_id, other_year, other_abstract in self.by_title.get((folded, family), []):
            if year is not None and other_year is not None and abs(year - other_year) > 1:
                continue
            other_doi = self.doi_of.get(ref_id, "")
            if key and other_doi and other_doi != key:
                continue  # two DOIs that differ are two works, whatever the title says
            if abstract and other_abstract and abstract != other_abstract:
                continue  # same title, different abstracts: parts of a series, not one work
            return ref_id
        return None

    @classmethod
    def load(cls, session: Session) -> "DuplicateIndex":
        index = cls()
        family = func.coalesce(func.json_extract(Reference.authors, "$[0].family"),
                               func.json_extract(Reference.authors, "$[0].literal"),
                               func.json_extract(Reference.editors, "$[0].family"),
                               func.json_extract(Reference.editors, "$[0].literal"), "")
        rows = session.execute(select(
            Reference.id, Reference.doi, Reference.title, family, Reference.year,
            func.substr(Reference.abstract, 1, _ABSTRACT_PREFIX * 2)).where(
            Reference.deleted.is_(False)))
        for ref_id, doi, title, fam, year, abstract in rows:
            index.add(ref_id, (doi_key(doi), fold(title), fold(fam), year,
                               abstract_key(abstract)))
        return index
