"""The editor of a practice question: the question in the practitioner's own words, the case,
and what funders ask about it (who raised it, how widely it is shared, what is on offer)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit,
                               QPlainTextEdit, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from ..i18n import LANGUAGES, N_, _
from ..services import questions
from ..services.members import MemberRow

ARTICULATION = {"": N_("(not recorded)"), "interview": N_("Interview"),
                "focus_group": N_("Focus group"), "survey": N_("Survey"),
                "workshop": N_("Workshop")}
USES = {"": N_("(not recorded)"), "tool": N_("Tool"), "guideline": N_("Guideline"),
        "training": N_("Training"), "policy": N_("Policy")}


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
            combo = QComboBox()
            combo.setEditable(editable)
            for key, shown in options.items():
                combo.addItem(_(shown), key)
            current = values.get(name) or ""
            index = combo.findData(current)
            if index < 0 and current:
                combo.addItem(str(current), current)
                index = combo.count() - 1
            combo.setCurrentIndex(max(0, index))
            self.edits[name] = combo
            form.addRow(label, combo)

        line("title", _("&Title:"))
        choice("language", _("&Language:"), LANGUAGES)
        text("question_text", _("&Question (in the asker's words):"), 70)
        text(questions.CASE, _("&Case description:"), 140)
        text("reformulated_question", _("&Research question:"), 50)
        line("submitter_name", _("Submitted by:"))
        line("submitter_role", _("Role:"))
        line("organisation", _("Organisation:"))
        line("organisation_type", _("Type of organisation:"))
        choice("sector", _("Sector:"), {"": N_("(not recorded)"), **questions.SECTORS}, True)
        choice("theme", _("Theme:"), {"": N_("(not recorded)"), **questions.THEMES}, True)
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
        self.resize(760, 720)

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
            elif isinstance(widget, QSpinBox):
                out[name] = widget.value()
            elif isinstance(widget, QComboBox) and not widget.isEditable():
                out[name] = widget.currentData() or (None if name.endswith("_id") else "")
            elif isinstance(widget, QComboBox):
                index, typed = widget.currentIndex(), widget.currentText()
                # An editable list may hold a value typed in rather than one of its items.
                out[name] = widget.itemData(index) if index >= 0 and \
                    widget.itemText(index) == typed else typed.strip()
        return out

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if self._original.get(k) != v}
