"""A drop-down of stored keys shown by their translated labels, optionally open to typed text;
a value it does not list is kept and shown as it is, never replaced by the first item."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget

from ..i18n import _


class ChoiceBox(QComboBox):
    def __init__(self, options: dict[str, str], value: Any = "", editable: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(editable)
        for key, shown in options.items():
            self.addItem(_(shown), key)
        self.set_value(value)

    def set_value(self, value: Any) -> None:
        index = self.findData(value if value is not None else "")
        if index < 0 and value:
            self.addItem(str(value), value)
            index = self.count() - 1
        self.setCurrentIndex(max(0, index))

    def value(self) -> Any:
        index = self.currentIndex()
        if not self.isEditable():
            return self.currentData()
        typed = self.currentText()
        # What was typed wins over the item it happens to leave selected.
        return self.itemData(index) if index >= 0 and self.itemText(index) == typed \
            else typed.strip()
