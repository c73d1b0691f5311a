"""The new-proposal dialog: the project lead picks a funder template, sees its sections and
limits, and gives the proposal its title, language, deadline, citation style and the practice
questions it answers.

The dialog only collects values; :func:`create_proposal` makes the proposal in a transaction,
so the caller can wrap it in an undoable ``AddRecord``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDateEdit, QDialog,
                               QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QSplitter, QStyle, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from ..i18n import LANGUAGES, N_, _
from ..services import proposals, questions, templates
from ..services.records import Tx
from ..services.templates import Limit, Template
from ..services.workspace import Workspace
from .choice_box import ChoiceBox
from .dialogs import STYLE_NAMES
from .html import ERROR_COLOUR

KEY = Qt.ItemDataRole.UserRole
PREVIEW_COLUMNS = (N_("No."), N_("Section"), N_("Limits"))
MAX_TITLE_WIDTH = 320  # pixels
# Three months ahead: a usual distance to a funder's deadline when a proposal is started.
DEFAULT_DEADLINE_DAYS = 91


@dataclass(frozen=True)
class ProposalValues:
    """What the dialog collected: proposal fields (keys of ``proposals.PROPOSAL_FIELDS``) and
    the ids of the practice questions the proposal answers."""

    fields: Mapping[str, Any]
    question_ids: tuple[str, ...] = ()


def create_proposal(tx: Tx, template: Template, values: ProposalValues) -> str:
    """Make the proposal with one section per template section; returns its id."""
    return proposals.create_from_template(tx, template, values.fields, values.question_ids)


def limit_notes(limit: Limit) -> str:
    """"hard", "indicative", or either with the source's status when it is not verified."""
    notes = [_(templates.ENFORCEMENT_LABELS[limit.enforcement])]
    if limit.provenance.status != "verified":
        notes.append(_(templates.STATUS_LABELS[limit.provenance.status]))
    return ", ".join(notes)


def limit_text(limit: Limit) -> str:
    """"≤ 300 words (hard)"."""
    return f"{limit.describe()} ({limit_notes(limit)})"


class NewProposalDialog(QDialog):
    """``exec()``, then ``template()`` and ``values()`` for :func:`create_proposal`.

    ``question_ids`` are ticked at the start (a proposal started from a question).
    """

    def __init__(self, workspace: Workspace, parent: QWidget | None = None,
                 question_ids: Iterable[str] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New proposal"))
        self.templates = templates.load_templates().templates
        self.template_list = QListWidget()
        self.template_list.setWordWrap(True)  # names such as "Horizon Europe RIA/IA – Part B"
        for t in self.templates:
            item = QListWidgetItem(t.name_in())
            item.setData(KEY, t.id)
            item.setToolTip(" — ".join(filter(None, (t.funder.get(), t.scheme.get(),
                                                    t.round))))
            self.template_list.addItem(item)
        self.template_list.currentRowChanged.connect(self._template_changed)

        self.preview = QTreeWidget()
        self.preview.setColumnCount(len(PREVIEW_COLUMNS))
        self.preview.setHeaderLabels([_(c) for c in PREVIEW_COLUMNS])
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.setRootIsDecorated(True)
        self.preview_notes = QLabel()
        self.preview_notes.setWordWrap(True)
        preview_box = QWidget()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.addWidget(self.preview, 1)
        preview_layout.addWidget(self.preview_notes)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.template_list)
        top.addWidget(preview_box)
        top.setStretchFactor(0, 1)
        top.setStretchFactor(1, 2)
        top.setSizes([300, 600])

        self.title = QLineEdit()
        self.title.setPlaceholderText(_("Required"))
        self.problem = QLabel(_("Give the proposal a title."))
        self.problem.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.acronym = QLineEdit()
        self.language = ChoiceBox(LANGUAGES)
        self.language.currentIndexChanged.connect(lambda _i: self._fill_preview())
        self.has_deadline = QCheckBox()
        self.has_deadline.setToolTip(_("The proposal has a deadline"))
        self.deadline = QDateEdit(QDate.currentDate().addDays(DEFAULT_DEADLINE_DAYS))
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setEnabled(False)
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        deadline_row = QHBoxLayout()
        deadline_row.addWidget(self.has_deadline)
        deadline_row.addWidget(self.deadline, 1)
        self.citation_style = ChoiceBox(STYLE_NAMES)
        form = QFormLayout()
        form.addRow(_("&Title:"), self.title)
        form.addRow("", self.problem)  # under the field it is about; shown when it is empty
        form.setRowVisible(self.problem, False)
        self.title.textChanged.connect(lambda _t: form.setRowVisible(self.problem, False))
        self.form = form
        form.addRow(_("&Acronym:"), self.acronym)
        form.addRow(_("&Language:"), self.language)
        deadline_label = QLabel(_("&Deadline:"))
        deadline_label.setBuddy(self.has_deadline)  # a row holding a layout gets no buddy
        form.addRow(deadline_label, deadline_row)
        form.addRow(_("Citation st&yle:"), self.citation_style)

        self.question_list = QListWidget()
        chosen = set(question_ids)
        with workspace.session() as session:
            rows = questions.question_rows(session, questions.question_ids(session))
        for row in sorted(rows.values(), key=lambda r: r.title.lower()):
            item = QListWidgetItem(row.title)
            item.setData(KEY, row.id)
            item.setToolTip("\n".join(filter(None, (row.title, row.organisation))))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if row.id in chosen
                               else Qt.CheckState.Unchecked)
            self.question_list.addItem(item)
        questions_label = QLabel(_("&Practice questions this proposal answers:")
                                 if rows else _("The workspace has no practice questions yet."))
        questions_label.setBuddy(self.question_list)
        self.question_list.setVisible(bool(rows))
        questions_box = QVBoxLayout()
        questions_box.addWidget(questions_label)
        questions_box.addWidget(self.question_list, 1)

        bottom = QHBoxLayout()
        bottom.addLayout(form, 1)
        bottom.addLayout(questions_box, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton(_("C&reate proposal"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        choose = QLabel(_("&Funder template:"))
        choose.setBuddy(self.template_list)

        layout = QVBoxLayout(self)
        layout.addWidget(choose)
        layout.addWidget(top, 3)
        layout.addLayout(bottom, 2)
        layout.addWidget(self.buttons)
        # Only now, inside the dialog: a button box outside it does not pass the default on.
        self.create_button.setDefault(True)  # Enter
        self.create_button.setEnabled(bool(self.templates))
        if self.templates:
            self.template_list.setCurrentRow(0)
        self.title.setFocus()
        self.resize(900, 680)

    # -- the template and its preview -----------------------------------------------------
    def template(self) -> Template | None:
        row = self.template_list.currentRow()
        return self.templates[row] if 0 <= row < len(self.templates) else None

    def select_template(self, template_id: str) -> None:
        for row, t in enumerate(self.templates):
            if t.id == template_id:
                self.template_list.setCurrentRow(row)

    def _template_changed(self, _row: int) -> None:
        template = self.template()
        if template is None:
            return
        # A template's own language and style are its funder's; the user may still change them.
        self.language.blockSignals(True)
        self.language.set_value(template.languages[0])
        self.language.blockSignals(False)
        self.citation_style.set_value(template.citation.style)
        self._fill_preview()

    def _fill_preview(self) -> None:
        """The sections as the proposal will have them: numbered, titled in the proposal's
        language, with their limits; unverified numbers carry a warning icon."""
        self.preview.clear()
        template = self.template()
        if template is None:
            return
        language = self.language.value()
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        unverified_tip = _("Not verified: no primary source confirms this number for the "
                           "current call.")

        def add(section: templates.TemplateSection, parent: QTreeWidgetItem | None) -> None:
            title = section.title_in(language)
            if not section.required:
                title += " " + _("(optional)")
            item = QTreeWidgetItem([section.number, title,
                                    "; ".join(limit_text(x) for x in section.limits)])
            item.setToolTip(1, "\n\n".join(filter(None, (title, section.guidance_in(language)))))
            if any(x.provenance.status != "verified" for x in section.limits):
                item.setIcon(2, warning)
                item.setToolTip(2, unverified_tip)
            if parent is None:
                self.preview.addTopLevelItem(item)
            else:
                parent.addChild(item)
            for child in section.children:
                add(child, item)

        for section in template.sections:
            add(section, None)
        self.preview.expandAll()
        for column in range(len(PREVIEW_COLUMNS)):
            self.preview.resizeColumnToContents(column)
        # Long titles (Horizon Europe) would push the limits out of sight; they are elided.
        self.preview.setColumnWidth(1, min(self.preview.columnWidth(1), MAX_TITLE_WIDTH))
        notes = [f"{g.title.get(language)}: {limit_text(x)}"
                 for x in template.limits for g in template.groups if g.id == x.group]
        facts = [f"{f.label.get(language)}: {f.number.value:g} {f.unit}".rstrip()
                 + (" (" + _(templates.STATUS_LABELS[f.number.provenance.status]) + ")"
                    if f.number.provenance.status != "verified" else "")
                 for f in template.facts]
        self.preview_notes.setText("\n".join(notes + facts))
        self.preview_notes.setVisible(bool(notes or facts))

    # -- values ---------------------------------------------------------------------------
    def values(self) -> ProposalValues:
        fields: dict[str, Any] = {
            "title": self.title.text().strip(), "acronym": self.acronym.text().strip(),
            "language": self.language.value(), "citation_style": self.citation_style.value(),
            "deadline": self.deadline.date().toString("yyyy-MM-dd")
            if self.has_deadline.isChecked() else ""}
        checked = tuple(
            self.question_list.item(i).data(KEY) for i in range(self.question_list.count())
            if self.question_list.item(i).checkState() == Qt.CheckState.Checked)
        return ProposalValues(fields, checked)

    def accept(self) -> None:
        if self.template() is None:
            return
        if not self.title.text().strip():
            self.form.setRowVisible(self.problem, True)
            self.title.setFocus()
            return
        super().accept()
