"""A table model over record ids: sorting and filtering happen in SQL, rows load lazily.

The model holds only the ordered ids; rows (frozen dataclasses from the services) are fetched in
chunks around the rows the view asks for and cached, so a large library does not load at once.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ..i18n import _

FetchIds = Callable[[str, bool, str], list[str]]
FetchRows = Callable[[Sequence[str]], Mapping[str, Any]]
EditRow = Callable[[str, str, str], bool]  # id, attribute, new text -> accepted
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    header: str  # marked with N_, translated when shown
    attr: str
    sort_key: str | None = None
    display: Callable[[Any], str] | None = None
    editable: bool = False


class IdTableModel(QAbstractTableModel):
    CHUNK = 200

    def __init__(self, columns: Sequence[Column], fetch_ids: FetchIds, fetch_rows: FetchRows,
                 parent: Any = None, on_edit: EditRow | None = None) -> None:
        super().__init__(parent)
        self._on_edit = on_edit
        self._columns = list(columns)
        self._fetch_ids = fetch_ids
        self._fetch_rows = fetch_rows
        self._ids: list[str] = []
        self._rows: dict[str, Any] = {}
        self._sort = (next((c.sort_key for c in columns if c.sort_key), ""), False)
        self._filter = ""
        self.loaded = False

    # -- data access -------------------------------------------------------------------------
    def refresh(self) -> None:
        self.beginResetModel()
        self._ids = self._fetch_ids(self._sort[0], self._sort[1], self._filter)
        self._rows.clear()
        self.loaded = True
        self.endResetModel()

    def set_filter(self, text: str) -> None:
        if text != self._filter:
            self._filter = text
            self.refresh()

    def forget(self, row_id: str) -> None:
        """Drop a cached row after its record changed, and repaint it."""
        self._rows.pop(row_id, None)
        row = self.row_of(row_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, row_id: str) -> int:
        try:
            return self._ids.index(row_id)
        except ValueError:
            return -1

    def record(self, row: int) -> Any:
        row_id = self.id_at(row)
        if row_id is None:
            return None
        if row_id not in self._rows:
            start = max(0, row - self.CHUNK // 2)
            chunk = [i for i in self._ids[start:start + self.CHUNK] if i not in self._rows]
            self._rows.update(self._fetch_rows(chunk))
        return self._rows.get(row_id)

    # -- Qt model interface ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.EditRole):
            rec = self.record(index.row())
            if rec is None:
                return None
            column = self._columns[index.column()]
            value = getattr(rec, column.attr)
            if column.display is not None and role != Qt.ItemDataRole.EditRole:
                return column.display(value)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.UserRole:
            return self.id_at(index.row())
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and self._on_edit and self._columns[index.column()].editable:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self._on_edit is None:
            return False
        row_id = self.id_at(index.row())
        column = self._columns[index.column()]
        if row_id is None or not column.editable:
            return False
        return self._on_edit(row_id, column.attr, str(value))

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(self._columns[section].header)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self._columns[column].sort_key
        if key is None:
            return
        wanted = (key, order == Qt.SortOrder.DescendingOrder)
        if wanted != self._sort or not self.loaded:
            self._sort = wanted
            self.refresh()
