"""The Dutch–English term list dialog: the shipped terms (read-only) and the user's own
(added, edited in place, removed), filtered as one table; saving writes the user's file.

The rules (what an entry needs, how a '-' switches shipped terms off, where the file is) are
the service's, ``services.term_list``; this dialog only shows and edits rows.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QItemSelectionModel, QModelIndex,
                            QPersistentModelIndex, QSortFilterProxyModel, Qt)
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from ..i18n import N_, _, ngettext
from ..services import term_list
from ..services.term_list import TermEntry
from ..services.textproc import fold
from .html import ERROR_COLOUR

Index = QModelIndex | QPersistentModelIndex
DUTCH, ENGLISH, SOURCE = range(3)
HEADERS = (N_("Dutch"), N_("English"), N_("Source"))
PROBLEM_BACKGROUND = QColor(198, 40, 40, 60)  # the same, translucent: reads on any theme


class TermTableModel(QAbstractTableModel):
    """The user's own entries (editable, first) and then the shipped ones (read-only)."""

    def __init__(self, shipped: Sequence[TermEntry], own: Sequence[TermEntry],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shipped = list(shipped)
        self.own = list(own)
        self._off = term_list.switched_off(self.own)

    # -- rows --------------------------------------------------------------------------------
    def is_own(self, row: int) -> bool:
        return row < len(self.own)

    def entry(self, row: int) -> TermEntry:
        return self.own[row] if self.is_own(row) else self.shipped[row - len(self.own)]

    def problem(self, row: int) -> str:
        return self.entry(row).problem() if self.is_own(row) else ""

    def missing_column(self, row: int) -> int:
        """The side an own row still needs (-1 if it needs none)."""
        if not self.problem(row):
            return -1
        return DUTCH if not self.entry(row).dutch_terms() else ENGLISH

    def problem_rows(self) -> list[int]:
        return [row for row in range(len(self.own)) if self.own[row].problem()]

    def add(self, entries: Sequence[TermEntry]) -> list[int]:
        """Add own rows after the others; their row numbers."""
        if not entries:
            return []
        first = len(self.own)
        self.beginInsertRows(QModelIndex(), first, first + len(entries) - 1)
        self.own.extend(entries)
        self.endInsertRows()
        self._own_changed()
        return list(range(first, first + len(entries)))

    def remove(self, rows: Sequence[int]) -> None:
        """Remove own rows (shipped rows stay)."""
        for row in sorted({r for r in rows if self.is_own(r)}, reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.own[row]
            self.endRemoveRows()
        self._own_changed()

    def _own_changed(self) -> None:
        """Own '-' rows decide which shipped rows show as switched off."""
        off = term_list.switched_off(self.own)
        if off != self._off:
            self._off = off
            first = len(self.own)
            self.dataChanged.emit(self.index(first, 0),
                                  self.index(self.rowCount() - 1, SOURCE))

    def source_label(self, row: int) -> str:
        return _(term_list.SOURCES[term_list.source(self.entry(row), self.is_own(row),
                                                    self._off)])

    def switched_off(self, row: int) -> bool:
        return not self.is_own(row) and term_list.is_switched_off(self.entry(row), self._off)

    # -- Qt model interface ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.own) + len(self.shipped)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            entry = self.entry(row)
            return (entry.dutch, entry.english, self.source_label(row))[column]
        if role == Qt.ItemDataRole.BackgroundRole and column == self.missing_column(row):
            return PROBLEM_BACKGROUND
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole text of a term cut short
            return self.problem(row) or self.data(index)
        if role == Qt.ItemDataRole.FontRole and self.switched_off(row):
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and self.switched_off(row):
            return QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and self.is_own(index.row()) and index.column() != SOURCE:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not (self.flags(index)
                                                    & Qt.ItemFlag.ItemIsEditable):
            return False
        row, old = index.row(), self.own[index.row()]
        text = str(value)
        self.own[row] = TermEntry(text, old.english) if index.column() == DUTCH \
            else TermEntry(old.dutch, text)
        self.dataChanged.emit(self.index(row, 0), self.index(row, SOURCE))
        self._own_changed()
        return True

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[section])
        return None


class TermFilter(QSortFilterProxyModel):
    """Rows whose Dutch or English side holds the filter text (case and accents ignored); own
    rows that need fixing always show, so a filter never hides what blocks saving."""

    def __init__(self, model: TermTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSourceModel(model)
        self.terms = model
        self._needle = ""

    def set_text(self, text: str) -> None:
        self._needle = fold(text.strip())
        # Setting it refilters on every supported Qt (invalidateFilter is deprecated from 6.11
        # on, its successor is not in 6.8); the rows are still chosen by filterAcceptsRow.
        self.setFilterFixedString(self._needle)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        entry = self.terms.entry(source_row)
        return (not self._needle or self._needle in fold(entry.dutch)
                or self._needle in fold(entry.english) or bool(self.terms.problem(source_row)))


class TermListDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Dutch–English terms"))
        shipped = term_list.read_file(term_list.shipped_path())
        own = term_list.read_file(term_list.own_path())
        self._saved = list(own.entries)
        self.model = TermTableModel(shipped.entries, own.entries, self)
        self.proxy = TermFilter(self.model, self)

        intro = QLabel(_(
            "Dutch words in a question are also searched in English, and the other way round, "
            "with the terms below. Add your own for your questions and library; separate "
            "alternatives with “|”. A shipped term you do not want can be switched off, and "
            "your own row for the same Dutch term replaces it. Words the list does not know are "
            "tried in their English spelling (kwaliteit: quality); a row of your own with “-” "
            "as its English side stops that for a word."))
        intro.setWordWrap(True)
        where = QLabel(_("Your terms are kept in {file}.").format(file=own.path))
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.load_error = QLabel(_(
            "Your terms could not be read, so matching uses only the shipped ones until you "
            "correct them here and save: {error}").format(error=own.error))
        self.load_error.setWordWrap(True)
        self.load_error.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.load_error.setVisible(bool(own.error))

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(_("Filter Dutch and English terms (Ctrl+F)"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.set_text)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setAlternatingRowColors(True)
        # No column sorted at first: the user's own rows stay on top.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setWordWrap(False)  # one line a term, long ones elided, as in the pages
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(DUTCH, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ENGLISH, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SOURCE, QHeaderView.ResizeMode.ResizeToContents)

        self.add_button = QPushButton(_("&Add"))
        self.add_button.setToolTip(_("Add a term of your own (Ctrl+N or Insert)"))
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton(_("&Remove"))
        self.remove_button.setToolTip(_("Remove the selected terms of your own (Delete)"))
        self.remove_button.clicked.connect(self.remove_rows)
        self.off_button = QPushButton(_("S&witch off"))
        self.off_button.setToolTip(_("Stop using the selected shipped terms: adds a row of "
                                     "your own with “-” as the English term"))
        self.off_button.clicked.connect(self.switch_off)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(f"color: {ERROR_COLOUR}")
        row_buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.off_button):
            row_buttons.addWidget(button)
        row_buttons.addWidget(self.problem_label, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        for keys, slot in (([QKeySequence.StandardKey.New, QKeySequence(Qt.Key.Key_Insert)],
                            self.add_row),
                           ([QKeySequence(QKeySequence.StandardKey.Delete)], self.remove_rows),
                           ([QKeySequence(QKeySequence.StandardKey.Find)], self.focus_filter)):
            action = QAction(self)
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(where)
        layout.addWidget(self.load_error)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.table, 1)
        layout.addLayout(row_buttons)
        layout.addWidget(self.buttons)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update())
        self.model.dataChanged.connect(lambda *_a: self._update())
        self.model.rowsInserted.connect(lambda *_a: self._update())
        self.model.rowsRemoved.connect(lambda *_a: self._update())
        self.resize(820, 600)
        self._update()

    # -- rows --------------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        """The selected rows of the model (not of the filtered view)."""
        return sorted(self.proxy.mapToSource(i).row()
                      for i in self.table.selectionModel().selectedRows())

    def add_row(self) -> None:
        # A filled-in row would vanish behind a filter it does not match: show them all.
        self.filter_edit.clear()
        (row,) = self.model.add([TermEntry("", "")])
        self._edit(row, DUTCH)

    def remove_rows(self) -> None:
        self.model.remove(self.selected_rows())

    def switch_off(self) -> None:
        rows = [r for r in self.selected_rows()
                if not self.model.is_own(r) and not self.model.switched_off(r)]
        self.model.add([TermEntry(self.model.entry(r).dutch, term_list.SWITCH_OFF)
                        for r in rows])

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def _edit(self, row: int, column: int) -> None:
        index = self.proxy.mapFromSource(self.model.index(row, column))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        self.table.setFocus()
        self.table.edit(index)

    def _update(self) -> None:
        rows = self.selected_rows()
        self.remove_button.setEnabled(any(self.model.is_own(r) for r in rows))
        self.off_button.setEnabled(any(not self.model.is_own(r) and not self.model.switched_off(r)
                                       for r in rows))
        problems = self.model.problem_rows()
        self.problem_label.setText(ngettext(
            "{n} row of yours needs fixing: {problem}",
            "{n} rows of yours need fixing; the first: {problem}", len(problems)).format(
            n=len(problems), problem=self.model.problem(problems[0])) if problems else "")

    def changed(self) -> bool:
        return self.model.own != self._saved

    # -- closing -----------------------------------------------------------------------------
    def accept(self) -> None:
        problems = self.model.problem_rows()
        if problems:
            self._edit(problems[0], self.model.missing_column(problems[0]))
            return
        try:
            term_list.save_own(self.model.own)
        except OSError as exc:
            QMessageBox.warning(self, _("The terms were not saved"), _(
                "{file} could not be written: {reason}").format(
                file=term_list.own_path(), reason=exc.strerror or exc))
            return
        super().accept()

    def reject(self) -> None:
        """Esc, Cancel and the window's close button: unsaved changes are asked about."""
        if self.changed():
            answer = QMessageBox.question(
                self, _("Unsaved terms"), _("Save your changes to the term list?"),
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
            if answer == QMessageBox.StandardButton.Save:
                self.accept()
                return
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()
