"""The editor of a practice question: the question in the practitioner's own words, the case,
and what funders ask about it (who raised it, how widely it is shared, what is on offer)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox,
                               QFormLayout, QHBoxLayout, QHeaderView, QLineEdit, QPlainTextEdit,
                               QPushButton, QScrollArea, QSpinBox, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..i18n import LANGUAGES, N_, _
from ..services import questions
from ..services.members import MemberRow
from .choice_box import ChoiceBox

ARTICULATION = {"": N_("(not recorded)"), "interview": N_("Interview"),
                "focus_group": N_("Focus group"), "survey": N_("Survey"),
                "workshop": N_("Workshop")}
USES = {"": N_("(not recorded)"), "tool": N_("Tool"), "guideline": N_("Guideline"),
        "training": N_("Training"), "policy": N_("Policy")}


class RowsEditor(QWidget):
    """A list of small records (stakeholders, data sources) as an editable table: a column
    per field, a drop-down where the field has fixed choices, a tick box for yes/no fields."""

    def __init__(self, columns: dict[str, str], rows: Sequence[dict[str, Any]],
                 choices: dict[str, dict[str, str]] | None = None,
                 flags: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.choices = choices or {}
        self.flags = set(flags)
        self.table = QTableWidget(0, len(columns))
        self.table.setHorizontalHeaderLabels([_(label) for label in columns.values()])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(120)
        self.table.setTabKeyNavigation(False)
        for row in rows:
            self.add_row(row)
        add = QPushButton(_("Add row"))
        add.clicked.connect(lambda: self.add_row({}, edit=True))
        remove = QPushButton(_("Remove row"))
        remove.clicked.connect(self.remove_rows)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add_row(self, values: dict[str, Any], edit: bool = False) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, name in enumerate(self.columns):
            value = values.get(name)
            if name in self.choices:
                self.table.setCellWidget(r, c, ChoiceBox({"": "", **self.choices[name]}, value))
            elif name in self.flags:
                item = QTableWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                              | Qt.ItemFlag.ItemIsSelectable)
                item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
                self.table.setItem(r, c, item)
            else:
                self.table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
        if edit:
            self.table.setCurrentCell(r, 0)
            self.table.editItem(self.table.item(r, 0))

    def remove_rows(self) -> None:
        for r in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(r)

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for r in range(self.table.rowCount()):
            row: dict[str, Any] = {}
            for c, name in enumerate(self.columns):
                if name in self.choices:
                    widget = self.table.cellWidget(r, c)
                    assert isinstance(widget, ChoiceBox)
                    row[name] = widget.value() or ""
                elif name in self.flags:
                    item = self.table.item(r, c)
                    row[name] = item is not None and item.checkState() == Qt.CheckState.Checked
                else:
                    item = self.table.item(r, c)
                    row[name] = item.text().strip() if item is not None else ""
            if any(v for k, v in row.items() if k not in self.flags):
                out.append(row)
        return out


class QuestionEditor(QDialog):
    """Edits a dict of question values (``questions.editable``); ``values()`` gives them back."""

    def __init__(self, values: dict[str, Any], parent: QWidget | None = None,
                 title: str = "", team: Sequence[MemberRow] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle(title or _("Practice question"))
        self._original = dict(values)
        self.edits: dict[str, Any] = {}
        form = QFormLayout()

        def line(name: str, label: str) -> None:
            edit = QLineEdit(str(values.get(name) or ""))
            self.edits[name] = edit
            form.addRow(label, edit)

        def text(name: str, label: str, height: int) -> None:
            edit = QPlainTextEdit(str(values.get(name) or ""))
            edit.setMinimumHeight(height)
            edit.setTabChangesFocus(True)
            self.edits[name] = edit
            form.addRow(label, edit)

        def choice(name: str, label: str, options: dict[str, str], editable: bool = False) -> None:
            self.edits[name] = ChoiceBox(options, values.get(name) or "", editable)
            form.addRow(label, self.edits[name])

        line("title", _("&Title:"))
        choice("language", _("&Language:"), LANGUAGES)
        text("question_text", _("&Question (in the asker's words):"), 70)
        text(questions.CASE, _("&Case description:"), 140)
        text("reformulated_question", _("&Research question:"), 50)
        line("submitter_name", _("Submitted by:"))
        line("submitter_role", _("Role:"))
        line("organisation", _("Organisation:"))
        choice("organisation_type", _("Type of organisation:"),
               {"": N_("(not recorded)"), **questions.ORGANISATION_TYPES}, True)
        choice("sector", _("Sector:"), {"": N_("(not recorded)"), **questions.SECTORS}, True)
        choice("theme", _("Theme:"), {"": N_("(not recorded)"), **questions.THEMES}, True)
        line("sub_theme", _("Sub-theme:"))
        line("nwa_route", _("NWA route (optional):"))
        stakeholders = RowsEditor(questions.STAKEHOLDER_FIELDS, values.get("stakeholders") or [],
                                  choices={"involvement": questions.INVOLVEMENTS})
        self.edits["stakeholders"] = stakeholders
        form.addRow(_("Stakeholders:"), stakeholders)
        choice("how_articulated", _("How it was put into words:"), ARTICULATION)
        breadth = QSpinBox()
        breadth.setRange(1, 10_000)
        breadth.setValue(int(values.get("breadth_of_support") or 1))
        breadth.setSuffix(_(" organisation(s)"))
        self.edits["breadth_of_support"] = breadth
        form.addRow(_("Shared by:"), breadth)
        choice("urgency", _("Urgency:"), questions.URGENCIES)
        line("urgency_driver", _("Why now:"))
        choice("expected_use", _("Expected use:"), USES)
        text("knowledge_gap_check", _("Existing knowledge checked:"), 40)
        data = RowsEditor(questions.DATA_FIELDS, values.get("data_available") or [],
                          flags=("personal_data",))
        self.edits["data_available"] = data
        form.addRow(_("Data available:"), data)
        text("resources_offered", _("Resources offered:"), 40)
        text("constraints", _("Constraints (works council, ethics):"), 40)
        choice("status", _("Status:"), questions.STATUSES)
        for name, role, label in (("practitioner_id", "practitioner", _("Practitioner:")),
                                  ("researcher_id", "researcher", _("Researcher:"))):
            people = {m.id: f"{m.name} ({m.organisation})" for m in team if m.role == role}
            choice(name, label, {"": N_("(not paired yet)"), **people})
        holder = QWidget()
        holder.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self.resize(900, 760)

    def _accept(self) -> None:
        edit = self.edits["title"]
        if not edit.text().strip():
            edit.setFocus()
            edit.setPlaceholderText(_("A question needs a title"))
            return
        self.accept()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.edits.items():
            if isinstance(widget, QLineEdit):
                out[name] = widget.text().strip()
            elif isinstance(widget, QPlainTextEdit):
                out[name] = widget.toPlainText().strip()
            elif isinstance(widget, RowsEditor):
                out[name] = widget.rows()
            elif isinstance(widget, QSpinBox):
                out[name] = widget.value()
            elif isinstance(widget, ChoiceBox):
                out[name] = widget.value() or (None if name.endswith("_id") else "")
        return out

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if self._original.get(k) != v}
