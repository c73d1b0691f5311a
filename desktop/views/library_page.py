"""The Library page: every reference in the workspace, searchable, with its full record."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QInputDialog, QMessageBox, QPushButton,
                               QWidget)

from ..i18n import N_, _, ngettext
from ..services import library_edit, references
from .id_table_model import Column
from .record_page import RecordPage
from .merge_dialogs import DuplicatesDialog, MergeDialog
from .reference_popup import reference_html
from .undo_commands import ChangeValues, MergeReferences, TagReferences

FIELD_NAMES = {"title": N_("title"), "container_title": N_("venue"), "year": N_("year")}


class LibraryPage(RecordPage):
    sig_library_changed = Signal()

    multi_select = True
    filter_placeholder = N_("Search title, authors, abstract, keywords, venue, year (Ctrl+F)")
    empty_detail = N_("No references match.")

    def page_title(self) -> str:
        return _("Literature library")

    def columns(self) -> Sequence[Column]:
        return [
            Column(N_("Authors"), "authors", "authors"),
            Column(N_("Year"), "year", "year", editable=True),
            Column(N_("Title"), "title", "title", lambda t: t or "—", editable=True),
            Column(N_("Venue"), "venue", "venue", editable=True),
            Column(N_("Key"), "citation_key", "key"),
            Column(N_("Tags"), "tags"),
        ]

    def toolbar(self) -> QWidget | None:
        self.tag_filter = QComboBox()
        self.tag_filter.setToolTip(_("Show only references with this tag"))
        self.tag_filter.activated.connect(lambda _i: self.refresh())
        self.tag_button = QPushButton(_("Tag…"))
        self.tag_button.setToolTip(_("Add a tag to the selected references"))
        self.tag_button.clicked.connect(self.ask_tag)
        self.untag_button = QPushButton(_("Remove tag…"))
        self.untag_button.clicked.connect(self.ask_untag)
        self.merge_button = QPushButton(_("Merge"))
        self.merge_button.setToolTip(_("Merge the two selected references into one"))
        self.merge_button.clicked.connect(self.merge_selected)
        self.duplicates_button = QPushButton(_("Find duplicates…"))
        self.duplicates_button.clicked.connect(self.find_duplicates)
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.tag_filter, 1)
        for button in (self.tag_button, self.untag_button, self.merge_button,
                       self.duplicates_button):
            row.addWidget(button)
        self._fill_tags()
        return bar

    def _fill_tags(self) -> None:
        current = self.tag_filter.currentData()
        self.tag_filter.clear()
        self.tag_filter.addItem(_("All references"), None)
        with self.workspace.session() as s:
            for tag_id, name in library_edit.all_tags(s):
                self.tag_filter.addItem(name, tag_id)
        self.tag_filter.setCurrentIndex(max(0, self.tag_filter.findData(current)))

    def refresh(self) -> None:
        super().refresh()
        if hasattr(self, "merge_button"):
            self._update_buttons()

    def _on_selection(self, selected: Any, deselected: Any) -> None:
        super()._on_selection(selected, deselected)
        self._update_buttons()

    def _update_buttons(self) -> None:
        count = len(self.selected_ids())
        self.merge_button.setEnabled(count == 2)
        self.tag_button.setEnabled(count > 0)
        self.untag_button.setEnabled(count > 0 and self.tag_filter.count() > 1)

    def fetch_ids(self, sort: str, descending: bool, query: str) -> list[str]:
        tag_id = self.tag_filter.currentData() if hasattr(self, "tag_filter") else None
        with self.workspace.session() as s:
            return references.reference_ids(s, sort, descending, query, tag_id)

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
        self.push(ChangeValues(
            self.workspace, lambda tx, v: references.update_reference(tx, record_id, v),
            {field: value}, {field: before[field]},
            _("Edit {field}").format(field=_(FIELD_NAMES[field])),
            lambda: self._changed(record_id)))
        return True

    def _reload(self) -> None:
        self._fill_tags()
        self.refresh()
        self.sig_library_changed.emit()

    def ask_tag(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        names = [self.tag_filter.itemText(i) for i in range(1, self.tag_filter.count())]
        name, ok = QInputDialog.getItem(self, _("Tag references"), ngettext(
            "Tag for {n} reference:", "Tag for {n} references:", len(ids)).format(n=len(ids)),
            names, 0, True)
        if ok and name.strip():
            self.push(TagReferences(self.workspace, ids, name.strip(), True,
                                     _("Tag “{tag}”").format(tag=name.strip()), self._reload))

    def ask_untag(self) -> None:
        ids = self.selected_ids()
        names = [self.tag_filter.itemText(i) for i in range(1, self.tag_filter.count())]
        if not ids or not names:
            return
        name, ok = QInputDialog.getItem(self, _("Remove tag"), _("Tag to remove:"), names, 0,
                                        False)
        if ok and name:
            self.push(TagReferences(self.workspace, ids, name, False,
                                     _("Remove tag “{tag}”").format(tag=name), self._reload))

    def merge_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 2:
            self.merge_pair(ids[0], ids[1])

    def merge_pair(self, keep_id: str, drop_id: str) -> bool:
        with self.workspace.session() as s:
            keep = library_edit.merge_side(s, keep_id)
            drop = library_edit.merge_side(s, drop_id)
        dialog = MergeDialog(keep, drop, self)
        if not dialog.exec():
            return False
        self.push(MergeReferences(self.workspace, keep_id, drop_id, dialog.choices(),
                                   _("Merge {a} and {b}").format(a=keep.citation_key,
                                                                 b=drop.citation_key),
                                   self._reload))
        return True

    def find_duplicates(self) -> None:
        with self.workspace.session() as s:
            pairs = [(a, b, f"{library_edit.merge_side(s, a).label}   ⟷   "
                            f"{library_edit.merge_side(s, b).label}")
                     for a, b in library_edit.duplicate_pairs(s)]
        dialog = DuplicatesDialog(pairs, self)

        def merge_current() -> None:
            pair = dialog.current_pair()
            if pair and self.merge_pair(*pair):
                dialog.remove_current()

        dialog.merge_button.clicked.connect(merge_current)
        dialog.exec()

    def _changed(self, record_id: str) -> None:
        self.sig_library_changed.emit()   # e.g. citations of it read differently now
        self.model.forget(record_id)
        if self.current_id() == record_id:
            self.detail.setHtml(self.detail_html(record_id))

    def detail_html(self, record_id: str) -> str:
        return reference_html(self.workspace, record_id)
