"""The team: who the members are, what they know about, and where they work."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLineEdit, QListWidget, QListWidgetItem, QMessageBox,
                               QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from ..i18n import LANGUAGES, _
from ..models.entities import Member
from ..services import members, questions
from ..services.workspace import Workspace
from .choice_box import ChoiceBox
from .undo_commands import AddRecord, ChangeValues


class TeamDialog(QDialog):
    def __init__(self, workspace: Workspace, undo_stack: QUndoStack,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace, self.undo_stack = workspace, undo_stack
        self.setWindowTitle(_("Team members"))
        self.list = QListWidget()
        self.list.currentItemChanged.connect(lambda *_a: self._load())
        self.name = QLineEdit()
        self.role = QComboBox()
        for key, label in members.ROLES.items():
            self.role.addItem(_(label), key)
        self.organisation = QLineEdit()
        self.organisation_type = ChoiceBox({"": "", **questions.ORGANISATION_TYPES},
                                           editable=True)
        self.email = QLineEdit()
        self.expertise = QLineEdit()
        self.expertise.setPlaceholderText(_("Keywords, separated by commas"))
        self.language = QComboBox()
        for code, label in LANGUAGES.items():
            self.language.addItem(label, code)
        self.bio = QPlainTextEdit()
        self.bio.setTabChangesFocus(True)
        form = QFormLayout()
        form.addRow(_("&Name:"), self.name)
        form.addRow(_("&Role:"), self.role)
        form.addRow(_("Organisation:"), self.organisation)
        form.addRow(_("Type of organisation:"), self.organisation_type)
        form.addRow(_("E-mail:"), self.email)
        form.addRow(_("&Expertise:"), self.expertise)
        form.addRow(_("Language:"), self.language)
        form.addRow(_("Short bio:"), self.bio)
        save = QPushButton(_("&Save changes"))
        save.clicked.connect(self.save)
        add = QPushButton(_("&Add member"))
        add.clicked.connect(self.add)
        actions = QHBoxLayout()
        actions.addWidget(add)
        actions.addStretch(1)
        actions.addWidget(save)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addLayout(actions)
        body = QHBoxLayout()
        body.addWidget(self.list, 1)
        body.addLayout(right, 2)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(close)
        self.resize(860, 480)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        current = select or self.current_id()
        with self.workspace.session() as s:
            team = members.members(s)
        self.list.blockSignals(True)
        self.list.clear()
        for m in team:
            item = QListWidgetItem(f"{m.name} — {_(members.ROLES[m.role])}")
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            self.list.addItem(item)
            if m.id == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._load()

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _load(self) -> None:
        member_id = self.current_id()
        if member_id is None:
            return
        with self.workspace.session() as s:
            v = members.member_values(s, member_id)
        self.name.setText(v["name"])
        self.role.setCurrentIndex(max(0, self.role.findData(v["role"])))
        self.organisation.setText(v["organisation"])
        self.organisation_type.set_value(v["organisation_type"])
        self.email.setText(v["email"])
        self.expertise.setText(", ".join(v["expertise"]))
        self.language.setCurrentIndex(max(0, self.language.findData(v["language"])))
        self.bio.setPlainText(v["bio"])

    def form_values(self) -> dict[str, Any]:
        return {"name": self.name.text().strip(), "role": self.role.currentData(),
                "organisation": self.organisation.text().strip(),
                "organisation_type": self.organisation_type.value(),
                "email": self.email.text().strip(),
                "expertise": [k.strip() for k in self.expertise.text().split(",") if k.strip()],
                "language": self.language.currentData(),
                "bio": self.bio.toPlainText().strip()}

    def save(self) -> None:
        member_id = self.current_id()
        if member_id is None:
            return
        after = self.form_values()
        if not after["name"]:
            QMessageBox.warning(self, _("Not saved"), _("A member needs a name."))
            return
        with self.workspace.session() as s:
            before = members.member_values(s, member_id)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed:
            self.undo_stack.push(ChangeValues(
                self.workspace, lambda tx, v: members.update_member(tx, member_id, v),
                changed, {k: before[k] for k in changed},
                _("Edit member {name}").format(name=before["name"]), self.reload))

    def add(self) -> None:
        values = {"name": _("New member"), "role": "practitioner"}
        command = AddRecord(self.workspace, Member, lambda tx: members.add_member(tx, values),
                            _("Add member"), lambda member_id: self.reload())
        self.undo_stack.push(command)
        self.reload(command.record_id)
        self.name.setFocus()
        self.name.selectAll()
