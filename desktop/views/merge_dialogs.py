"""Dialogs for duplicates: the list of likely duplicates, and the field-by-field merge."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QGridLayout, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QRadioButton,
                               QScrollArea, QVBoxLayout, QWidget)

from ..i18n import N_, _
from ..services import library_edit
from ..services.references import full_name

FIELD_LABELS = {
    "csl_type": N_("Type"), "title": N_("Title"), "authors": N_("Authors"),
    "editors": N_("Editors"), "issued": N_("Date"), "container_title": N_("Venue"),
    "volume": N_("Volume"), "issue": N_("Issue"), "page": N_("Pages"),
    "publisher": N_("Publisher"), "doi": N_("DOI"), "url": N_("URL"), "isbn": N_("ISBN"),
    "abstract": N_("Abstract"), "keywords": N_("Keywords"), "language": N_("Language"),
    "note": N_("Note"),
}


def shown(field: str, value: Any) -> str:
    if field in ("authors", "editors"):
        return "; ".join(full_name(n) for n in value or [])
    if field == "issued":
        parts = (value or {}).get("date-parts") or []
        return "/".join("-".join(str(p) for p in part) for part in parts) or \
            str((value or {}).get("literal", ""))
    if field == "keywords":
        return ", ".join(value or [])
    text = "" if value is None else str(value)
    return text if len(text) < 300 else text[:297] + "…"


class MergeDialog(QDialog):
    """Both records side by side; per field, the value to keep (the richer one preselected)."""

    def __init__(self, keep: library_edit.MergeSide, drop: library_edit.MergeSide,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Merge duplicates"))
        grid = QGridLayout()
        grid.addWidget(QLabel(f"<b>{_('Field')}</b>"), 0, 0)
        grid.addWidget(QLabel(f"<b>{keep.citation_key}</b>"), 0, 1)
        grid.addWidget(QLabel(f"<b>{drop.citation_key}</b>"), 0, 2)
        self.groups: dict[str, QButtonGroup] = {}
        row = 1
        for field in library_edit.MERGE_FIELDS:
            a, b = keep.values[field], drop.values[field]
            if a == b:
                continue
            grid.addWidget(QLabel(_(FIELD_LABELS[field])), row, 0, Qt.AlignmentFlag.AlignTop)
            group = QButtonGroup(self)
            for column, (value, choice) in enumerate(((a, "a"), (b, "b")), 1):
                button = QRadioButton(shown(field, value) or _("(empty)"))
                button.setProperty("choice", choice)
                button.setToolTip(shown(field, value))
                group.addButton(button)
                grid.addWidget(button, row, column)
                if library_edit.richer(a, b) == choice:
                    button.setChecked(True)
            self.groups[field] = group
            row += 1
        if row == 1:
            grid.addWidget(QLabel(_("The two records are identical.")), 1, 0, 1, 3)
        holder = QWidget()
        holder.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        merge = buttons.addButton(_("Merge"), QDialogButtonBox.ButtonRole.AcceptRole)
        merge.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Choose the value to keep for each field that differs. The "
                                  "second record is then removed; its screening decisions and "
                                  "tags move to the merged record. Edit › Undo reverses it.")))
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self.resize(900, 520)

    def choices(self) -> dict[str, str]:
        out = {}
        for field, group in self.groups.items():
            checked = group.checkedButton()
            out[field] = checked.property("choice") if checked else "a"
        return out


class DuplicatesDialog(QDialog):
    """Pairs of references that look like the same work; merge them one pair at a time."""

    def __init__(self, pairs: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Possible duplicates"))
        self.list = QListWidget()
        for keep_id, drop_id, label in pairs:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, (keep_id, drop_id))
            self.list.addItem(item)
        self.merge_button = QPushButton(_("Merge…"))
        self.merge_button.setEnabled(bool(pairs))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Same DOI, or the same title, first author and a year at most "
                                  "one apart:") if pairs else _("No duplicates found.")))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.list.itemDoubleClicked.connect(lambda _item: self.merge_button.click())
        if pairs:
            self.list.setCurrentRow(0)
        self.resize(760, 420)

    def current_pair(self) -> tuple[str, str] | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def remove_current(self) -> None:
        self.list.takeItem(self.list.currentRow())
        self.merge_button.setEnabled(self.list.count() > 0)
