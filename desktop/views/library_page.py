"""The Library page: every reference in the workspace, searchable, with its full record."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from ..i18n import N_, _
from ..services import references
from .html import field_table
from .id_table_model import Column
from .record_page import RecordPage


class LibraryPage(RecordPage):
    filter_placeholder = N_("Search title, authors, abstract, keywords, venue, year (Ctrl+F)")
    empty_detail = N_("No references match.")

    def page_title(self) -> str:
        return _("Literature library")

    def columns(self) -> Sequence[Column]:
        return [
            Column(N_("Authors"), "authors", "authors"),
            Column(N_("Year"), "year", "year"),
            Column(N_("Title"), "title", "title"),
            Column(N_("Venue"), "venue", "venue"),
            Column(N_("Key"), "citation_key", "key"),
        ]

    def fetch_ids(self, sort: str, descending: bool, query: str) -> list[str]:
        with self.workspace.session() as s:
            return references.reference_ids(s, sort, descending, query)

    def fetch_rows(self, ids: Sequence[str]) -> Mapping[str, Any]:
        with self.workspace.session() as s:
            return references.reference_rows(s, ids)

    def detail_html(self, record_id: str) -> str:
        with self.workspace.session() as s:
            r = references.reference_detail(s, record_id)
        if r is None:
            return ""
        doi = (f"<p><a href='https://doi.org/{escape(r.doi)}'>doi:{escape(r.doi)}</a></p>"
               if r.doi else "")
        fields = field_table([
            (_("Authors"), "; ".join(r.authors)), (_("Editors"), "; ".join(r.editors)),
            (_("Year"), str(r.year or "")), (_("Type"), r.csl_type),
            (_("Venue"), r.container_title), (_("Volume"), r.volume), (_("Issue"), r.issue),
            (_("Pages"), r.page), (_("Publisher"), r.publisher), (_("ISBN"), r.isbn),
            (_("URL"), r.url), (_("Keywords"), ", ".join(r.keywords)),
            (_("Citation key"), r.citation_key), (_("Note"), r.note),
        ])
        abstract = (f"<h4>{escape(_('Abstract'))}</h4><p>{escape(r.abstract)}</p>"
                    if r.abstract else "")
        original = (f"<h4>{escape(_('Original record ({format})').format(format=r.original_format))}"
                    f"</h4><pre style='white-space:pre-wrap'>{escape(r.original_record)}</pre>")
        return f"<h3>{escape(r.title)}</h3>{doi}{fields}{abstract}{original}"
