"""The citation picker: search the library, the proposal's screened-relevant references first,
choose one or more, and add a prefix, a locator and a suffix; the result is a citation embed."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QAbstractItemView, QVBoxLayout, QWidget)

from ..i18n import N_, _
from ..services import citing
from ..services.workspace import Workspace

LOCATOR_LABELS = {"page": N_("page"), "chapter": N_("chapter"), "section": N_("section"),
                  "figure": N_("figure"), "table": N_("table"), "paragraph": N_("paragraph"),
                  "line": N_("line")}
SCREENED_MARKS = {"relevant": "★ ", "maybe": "☆ ", "": ""}


class CitationPicker(QDialog):
    def __init__(self, workspace: Workspace, proposal_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace, self.proposal_id = workspace, proposal_id
        self.setWindowTitle(_("Insert citation"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search the library: author, title, year…"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.results.itemDoubleClicked.connect(lambda _item: self.accept())
        hint = QLabel(_("★ screened as relevant for this proposal's questions, ☆ maybe. "
                        "Select several references for one citation with Ctrl."))
        hint.setWordWrap(True)
        self.prefix = QLineEdit()
        self.prefix.setPlaceholderText(_("e.g. see"))
        self.label = QComboBox()
        for key, shown in LOCATOR_LABELS.items():
            self.label.addItem(_(shown), key)
        self.locator = QLineEdit()
        self.locator.setPlaceholderText(_("e.g. 12-14"))
        self.suffix = QLineEdit()
        self.suffix.setPlaceholderText(_("e.g. for a review"))
        self.suppress = QCheckBox(_("Leave out the author (the sentence names them)"))
        form = QFormLayout()
        form.addRow(_("Prefix:"), self.prefix)
        form.addRow(_("Locator:"), self.label)
        form.addRow("", self.locator)
        form.addRow(_("Suffix:"), self.suffix)
        form.addRow("", self.suppress)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Insert"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.results.itemSelectionChanged.connect(self._enable)
        self.resize(680, 560)
        self.refresh()

    def refresh(self) -> None:
        with self.workspace.session() as s:
            found = citing.cite_candidates(s, self.proposal_id, self.search.text())
        self.results.clear()
        for c in found:
            item = QListWidgetItem(f"{SCREENED_MARKS.get(c.screened, '')}{c.label} — {c.title}")
            item.setData(Qt.ItemDataRole.UserRole, c.reference_id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self._enable()

    def _enable(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.results.selectedItems()))

    def citation(self) -> dict[str, Any] | None:
        """The embed for the chosen references; the extras go with the first of them."""
        ids = [i.data(Qt.ItemDataRole.UserRole) for i in self.results.selectedItems()]
        if not ids:
            return None
        items: list[dict[str, Any]] = [{"id": rid} for rid in ids]
        first = items[0]
        if self.prefix.text().strip():
            first["prefix"] = self.prefix.text().strip()
        if self.locator.text().strip():
            first["locator"] = self.locator.text().strip()
            first["label"] = self.label.currentData()
        if self.suffix.text().strip():
            first["suffix"] = self.suffix.text().strip()
        if self.suppress.isChecked():
            first["suppress-author"] = True
        return {"citation": {"items": items}}


def pick_citation(parent: QWidget, workspace: Workspace, proposal_id: str) -> dict[str, Any] | None:
    dialog = CitationPicker(workspace, proposal_id, parent)
    return dialog.citation() if dialog.exec() == QDialog.DialogCode.Accepted else None
