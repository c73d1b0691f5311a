"""A page that lists records in a sortable, filterable table beside a detail panel.

Subclasses say which columns to show, how to fetch ids and rows (service calls), and how to
describe one record as HTML. The page owns no data: it asks the services each time.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QLineEdit, QSizePolicy, QSplitter,
                               QTableView, QTextBrowser, QVBoxLayout, QWidget)

from ..i18n import _
from ..services.workspace import Workspace
from .id_table_model import Column, IdTableModel


class RecordPage(QWidget):
    sig_record_selected = Signal(str)

    filter_placeholder = ""  # N_ string; translated by the page
    empty_detail = ""
    multi_select = False
    undo_stack: QUndoStack | None = None  # set by the window; without one, edits just apply

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.title_label = QLabel()
        self.title_label.setObjectName("pageTitle")
        self.filter_edit = QLineEdit()
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter)
        self.model = IdTableModel(self.columns(), self.fetch_ids, self.fetch_rows, self,
                                  on_edit=self.edit_record)
        self.table = QTableView()
        self.table.setModel(self.model)
        # Qt's header starts with a descending indicator; lists read best A to Z.
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection
                                    if self.multi_select
                                    else QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Size columns from the first screenful, not from a thousand rows of a large library.
        self.table.horizontalHeader().setResizeContentsPrecision(60)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.detail = QTextBrowser()
        self.detail.setOpenExternalLinks(True)
        self.detail.setMinimumWidth(300)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter_edit)
        toolbar = self.toolbar()
        if toolbar is not None:
            left_layout.addWidget(toolbar)
        left_layout.addWidget(self.table)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail_widget())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.splitter, 1)
        self.retranslate()

    # -- for subclasses ----------------------------------------------------------------------
    def columns(self) -> Sequence[Column]:
        raise NotImplementedError

    def fetch_ids(self, sort: str, descending: bool, query: str) -> list[str]:
        raise NotImplementedError

    def fetch_rows(self, ids: Sequence[str]) -> Mapping[str, Any]:
        raise NotImplementedError

    def detail_html(self, record_id: str) -> str:
        raise NotImplementedError

    def push(self, command: QUndoCommand) -> None:
        """Run an undoable change (through the undo stack when there is one)."""
        if self.undo_stack is not None:
            self.undo_stack.push(command)
        else:
            command.redo()

    def detail_widget(self) -> QWidget:
        """What stands beside the table; pages with more than a description override this."""
        return self.detail

    def show_detail(self, record_id: str) -> None:
        self.detail.setHtml(self.detail_html(record_id))

    def toolbar(self) -> QWidget | None:
        """Controls shown between the filter and the table, if the page has any."""
        return None

    def edit_record(self, record_id: str, attr: str, text: str) -> bool:
        """An inline edit of an editable column; pages that allow edits override this."""
        return False

    def page_title(self) -> str:
        raise NotImplementedError

    # -- behaviour ---------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.title_label.setText(f"<h2>{self.page_title()}</h2>")
        self.filter_edit.setPlaceholderText(_(self.filter_placeholder))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0,
                                          max(0, self.model.columnCount() - 1))
        if self.model.loaded:  # the first load comes from enabling sorting, once
            self._after_load()
        else:
            self.refresh()

    def refresh(self) -> None:
        selected = self.current_id()
        self.model.refresh()
        self._after_load(selected)

    def _after_load(self, selected: str | None = None) -> None:
        self.table.resizeColumnsToContents()
        for col in range(self.model.columnCount()):
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), 380))
        row = self.model.row_of(selected) if selected else -1
        self.select_row(row if row >= 0 else 0)
        if self.model.rowCount() == 0:
            self.detail.setHtml(f"<p><i>{_(self.empty_detail)}</i></p>")

    def select_row(self, row: int) -> None:
        """Select one row. QTableView.selectRow reads the keyboard's modifiers at that moment
        and would extend or toggle the selection while Shift or Ctrl is held."""
        if not 0 <= row < self.model.rowCount():
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)

    def current_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.id_at(rows[0].row()) if rows else None

    def selected_ids(self) -> list[str]:
        model = self.table.selectionModel()
        rows = sorted(i.row() for i in model.selectedRows()) if model else []
        return [i for i in (self.model.id_at(r) for r in rows) if i]

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def _on_filter(self, text: str) -> None:
        self.model.set_filter(text)
        if self.model.rowCount():
            self.select_row(0)

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        record_id = self.current_id()
        if record_id:
            self.show_detail(record_id)
            self.sig_record_selected.emit(record_id)
