"""The Library page: every reference in the workspace, searchable, with its full record."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMessageBox

from ..i18n import N_, _
from ..services import references
from .html import field_table
from .id_table_model import Column
from .record_page import RecordPage
from .undo_commands import EditReference

FIELD_NAMES = {"title": N_("title"), "container_title": N_("venue"), "year": N_("year")}


class LibraryPage(RecordPage):
    multi_select = True
    undo_stack: QUndoStack | None = None
    filter_placeholder = N_("Search title, authors, abstract, keywords, venue, year (Ctrl+F)")
    empty_detail = N_("No references match.")

    def page_title(self) -> str:
        return _("Literature library")

    def columns(self) -> Sequence[Column]:
        return [
            Column(N_("Authors"), "authors", "authors"),
            Column(N_("Year"), "year", "year", editable=True),
            Column(N_("Title"), "title", "title", editable=True),
            Column(N_("Venue"), "venue", "venue", editable=True),
            Column(N_("Key"), "citation_key", "key"),
        ]

    def fetch_ids(self, sort: str, descending: bool, query: str) -> list[str]:
        with self.workspace.session() as s:
            return references.reference_ids(s, sort, descending, query)

    def fetch_rows(self, ids: Sequence[str]) -> Mapping[str, Any]:
        with self.workspace.session() as s:
            return references.reference_rows(s, ids)

    def edit_record(self, record_id: str, attr: str, text: str) -> bool:
        field = {"venue": "container_title"}.get(attr, attr)
        try:
            value = references.parse_edit(field, text)
        except ValueError as exc:
            QMessageBox.warning(self, _("Not changed"), str(exc))
            return False
        with self.workspace.session() as s:
            before = references.editable_values(s, record_id)
        if before[field] == value:
            return False
        command = EditReference(self.workspace, record_id, {field: value},
                                {field: before[field]},
                                _("Edit {field}").format(field=_(FIELD_NAMES[field])),
                                self._changed)
        if self.undo_stack is not None:
            self.undo_stack.push(command)
        else:
            command.redo()
        return True

    def _changed(self, record_id: str) -> None:
        self.model.forget(record_id)
        if self.current_id() == record_id:
            self.detail.setHtml(self.detail_html(record_id))

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
