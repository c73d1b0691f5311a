"""A proposal's own settings after it was made: title, acronym, language, deadline and the
citation style every citation in it follows (in the editor and in the export)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QCheckBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLineEdit, QWidget)

from ..i18n import LANGUAGES, _
from ..models.entities import Proposal
from ..services.workspace import Workspace
from .choice_box import ChoiceBox
from .dialogs import STYLE_NAMES

FIELDS = ("title", "acronym", "language", "deadline", "citation_style")


def proposal_values(workspace: Workspace, proposal_id: str) -> dict[str, Any]:
    with workspace.session() as s:
        proposal = s.get(Proposal, proposal_id)
        if proposal is None:
            raise KeyError(proposal_id)
        return {name: getattr(proposal, name) for name in FIELDS}


class ProposalSettingsDialog(QDialog):
    def __init__(self, values: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Proposal settings"))
        self._original = dict(values)
        self.title = QLineEdit(values.get("title", ""))
        self.acronym = QLineEdit(values.get("acronym", ""))
        self.language = ChoiceBox(LANGUAGES, values.get("language") or "en")
        self.style = ChoiceBox(STYLE_NAMES, values.get("citation_style") or "apa")
        self.has_deadline = QCheckBox()
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        given = QDate.fromString(values.get("deadline") or "", "yyyy-MM-dd")
        self.has_deadline.setChecked(given.isValid())
        self.deadline.setDate(given if given.isValid() else QDate.currentDate().addMonths(3))
        self.deadline.setEnabled(given.isValid())
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        deadline_row = QHBoxLayout()
        deadline_row.addWidget(self.has_deadline)
        deadline_row.addWidget(self.deadline, 1)
        form = QFormLayout(self)
        form.addRow(_("&Title:"), self.title)
        form.addRow(_("&Acronym:"), self.acronym)
        form.addRow(_("&Language:"), self.language)
        form.addRow(_("&Deadline:"), deadline_row)
        form.addRow(_("Citation st&yle:"), self.style)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(480, 0)

    def _accept(self) -> None:
        if not self.title.text().strip():
            self.title.setFocus()
            self.title.setPlaceholderText(_("A proposal needs a title"))
            return
        self.accept()

    def values(self) -> dict[str, Any]:
        return {"title": self.title.text().strip(), "acronym": self.acronym.text().strip(),
                "language": self.language.value(), "citation_style": self.style.value(),
                "deadline": self.deadline.date().toString("yyyy-MM-dd")
                if self.has_deadline.isChecked() else ""}

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if self._original.get(k) != v}
