"""The funder-template editor: lists the templates, clones one into a user copy, and edits a user
copy's name, sections and limits.

Shipped templates are shown read-only. The dialog edits the file form of a template (the JSON
dictionary of ``services.templates.template_json``) and lets the service validate it on save, so
the rules live in one place and a mistake is reported with the field it concerns.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog,
                               QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView,
                               QInputDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMessageBox, QPlainTextEdit, QPushButton, QStyle,
                               QTableWidget, QTableWidgetItem, QTabWidget, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from ..i18n import N_, _
from ..services import templates
from ..services.templates import Template, TemplateError

KEY = Qt.ItemDataRole.UserRole
REFERENCE_CHOICES: list[tuple[bool | None, str]] = [
    (None, N_("unknown")), (True, N_("yes")), (False, N_("no"))]


def _unverified_label() -> str:
    return "(" + _(templates.STATUS_LABELS["unverified"]) + ")"


def limit_summary(limit: dict[str, Any]) -> str:
    """A limit dictionary as a short text, marked when its number is unverified."""
    text = templates.describe_bounds(limit.get("kind", ""), _number_or_none(limit.get("min")),
                                     _number_or_none(limit.get("max")))
    if limit.get("status") == "unverified":
        text += " " + _unverified_label()
    return text


def _number_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _parse_number(text: str) -> Any:
    """A typed number (a decimal comma is fine); anything else is kept for the validator to
    report with its field name."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


class LimitTable(QTableWidget):
    """Rows of limits: kind, minimum, maximum, what it applies to, hard or indicative, whether
    references count, source and status. Unverified numbers carry a warning icon."""

    def __init__(self, target_key: str, parent: QWidget | None = None) -> None:
        super().__init__(0, 8, parent)
        self.target_key = target_key  # "scope" for section limits, "group" for group limits
        self.targets: list[tuple[str, str]] = []
        self.originals: list[dict[str, Any]] = []
        self.setHorizontalHeaderLabels([
            _("Kind"), _("Minimum"), _("Maximum"), _("Applies to"), _("Enforcement"),
            _("References count"), _("Source"), _("Status")])
        self.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()

    def set_limits(self, limits: list[dict[str, Any]], targets: list[tuple[str, str]]) -> None:
        self.targets = targets
        self.originals = [copy.deepcopy(x) for x in limits]
        self.setRowCount(0)
        for limit in self.originals:
            self._append(limit)

    def _combo(self, choices: list[tuple[Any, str]], value: Any) -> QComboBox:
        combo = QComboBox()
        for data, label in choices:
            combo.addItem(label, data)
        combo.setCurrentIndex(max(0, next((i for i, (d, _l) in enumerate(choices)
                                           if d == value), 0)))
        return combo

    def _append(self, limit: dict[str, Any]) -> None:
        row = self.rowCount()
        self.insertRow(row)
        self.setCellWidget(row, 0, self._combo(
            [(k, _(v)) for k, v in templates.KIND_LABELS.items()], limit.get("kind")))
        for column, key in ((1, "min"), (2, "max")):
            value = limit.get(key)
            number = _number_or_none(value)
            shown = f"{number:g}" if number is not None else "" if value is None else str(value)
            self.setItem(row, column, QTableWidgetItem(shown))
        self.setCellWidget(row, 3, self._combo(self.targets, limit.get(self.target_key)))
        self.setCellWidget(row, 4, self._combo(
            [(k, _(v)) for k, v in templates.ENFORCEMENT_LABELS.items()],
            limit.get("enforcement", "hard")))
        self.setCellWidget(row, 5, self._combo(
            [(v, _(label)) for v, label in REFERENCE_CHOICES],
            limit.get("counts_references")))
        self.setItem(row, 6, QTableWidgetItem(limit.get("source", "")))
        status = self._combo([(k, _(v)) for k, v in templates.STATUS_LABELS.items()],
                             limit.get("status", "unverified"))
        status.currentIndexChanged.connect(lambda _i: self._mark())
        self.setCellWidget(row, 7, status)
        self._mark()

    def _mark(self) -> None:
        """A warning icon and tooltip on the maximum of every unverified limit."""
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for row in range(self.rowCount()):
            item, combo = self.item(row, 2), self.cellWidget(row, 7)
            if item is None or not isinstance(combo, QComboBox):
                continue
            unverified = combo.currentData() == "unverified"
            item.setIcon(warning if unverified else QIcon())
            item.setToolTip(_("Unverified: no source confirms this number for the current "
                              "call.") if unverified else "")

    def add_limit(self) -> None:
        limit = {"kind": "words", "enforcement": "hard", "status": "unverified", "source": ""}
        if self.targets:
            limit[self.target_key] = self.targets[0][0]
        self.originals.append(limit)
        self._append(limit)
        self.setCurrentCell(self.rowCount() - 1, 2)

    def remove_selected(self) -> None:
        row = self.currentRow()
        if row >= 0:
            self.removeRow(row)
            del self.originals[row]

    def limits(self) -> list[dict[str, Any]]:
        """The rows as limit dictionaries; fields this table does not show are kept as they were."""
        out = []
        for row, original in enumerate(self.originals):
            limit = dict(original)
            limit.update({"kind": self._data(row, 0), "min": _parse_number(self._text(row, 1)),
                          "max": _parse_number(self._text(row, 2)),
                          self.target_key: self._data(row, 3), "enforcement": self._data(row, 4),
                          "counts_references": self._data(row, 5),
                          "source": self._text(row, 6), "status": self._data(row, 7)})
            out.append(limit)
        return out

    def _data(self, row: int, column: int) -> Any:
        widget = self.cellWidget(row, column)
        return widget.currentData() if isinstance(widget, QComboBox) else None

    def _text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text() if item is not None else ""

    def set_editable(self, editable: bool) -> None:
        self.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers if editable
                             else QAbstractItemView.EditTrigger.NoEditTriggers)
        for row in range(self.rowCount()):
            for column in (0, 3, 4, 5, 7):
                widget = self.cellWidget(row, column)
                if widget is not None:
                    widget.setEnabled(editable)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or "template"


class TemplateEditorDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Funder templates"))
        self.loaded = templates.load_templates()
        self.data: dict[str, Any] = {}
        self.sections: dict[int, dict[str, Any]] = {}   # tree item key → section (no children)
        self.current_key: int | None = None
        self._next_key = 0

        self.list = QListWidget()
        self.list.currentItemChanged.connect(lambda *_a: self._show_template())
        self.clone_button = QPushButton(_("&Clone…"))
        self.clone_button.clicked.connect(self.clone_requested)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.clone_button)
        left.addWidget(self.problems)

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.template_id = QLabel()
        self.name_en = QLineEdit()
        self.name_nl = QLineEdit()
        head = QFormLayout()
        head.addRow(_("Id:"), self.template_id)
        head.addRow(_("Name (English):"), self.name_en)
        head.addRow(_("Name (Dutch):"), self.name_nl)

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("Number"), _("Title"), _("Limits")])
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.currentItemChanged.connect(lambda *_a: self._show_section())
        self.section_buttons: list[QPushButton] = []
        tree_actions = QHBoxLayout()
        for label, slot in ((_("Add section"), self.add_section),
                            (_("Add subsection"), self.add_subsection),
                            (_("Remove"), self.remove_section),
                            (_("Move up"), lambda: self.move_section(-1)),
                            (_("Move down"), lambda: self.move_section(1))):
            button = QPushButton(label)
            button.clicked.connect(slot)
            tree_actions.addWidget(button)
            self.section_buttons.append(button)
        tree_actions.addStretch(1)

        self.number = QLineEdit()
        self.title_en = QLineEdit()
        self.title_nl = QLineEdit()
        self.guidance_en = QPlainTextEdit()
        self.guidance_nl = QPlainTextEdit()
        for editor in (self.guidance_en, self.guidance_nl):
            editor.setTabChangesFocus(True)
            editor.setMaximumHeight(80)
        self.required = QCheckBox(_("Required"))
        section_form = QFormLayout()
        section_form.addRow(_("Number:"), self.number)
        section_form.addRow(_("Title (English):"), self.title_en)
        section_form.addRow(_("Title (Dutch):"), self.title_nl)
        section_form.addRow(_("Guidance (English):"), self.guidance_en)
        section_form.addRow(_("Guidance (Dutch):"), self.guidance_nl)
        section_form.addRow("", self.required)
        self.limits = LimitTable("scope")
        limit_actions, self.limit_buttons = self._limit_buttons(self.limits)

        sections_tab = QWidget()
        sections_layout = QVBoxLayout(sections_tab)
        sections_layout.addWidget(self.tree, 2)
        sections_layout.addLayout(tree_actions)
        sections_layout.addLayout(section_form)
        sections_layout.addWidget(QLabel(_("Limits of this section:")))
        sections_layout.addWidget(self.limits, 1)
        sections_layout.addLayout(limit_actions)

        self.group_limits = LimitTable("group")
        group_actions, self.group_limit_buttons = self._limit_buttons(self.group_limits)
        groups_tab = QWidget()
        groups_layout = QVBoxLayout(groups_tab)
        groups_layout.addWidget(QLabel(_("Limits shared by a group of sections (each with its "
                                         "subsections):")))
        groups_layout.addWidget(self.group_limits, 1)
        groups_layout.addLayout(group_actions)

        tabs = QTabWidget()
        tabs.addTab(sections_tab, _("Sections"))
        tabs.addTab(groups_tab, _("Group limits"))
        self.save_button = QPushButton(_("&Save"))
        self.save_button.clicked.connect(self.save)
        right = QVBoxLayout()
        right.addWidget(self.notice)
        right.addLayout(head)
        right.addWidget(tabs, 1)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        right.addLayout(save_row)

        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(close)
        self.resize(1100, 760)
        self.reload()

    def _limit_buttons(self, table: LimitTable) -> tuple[QHBoxLayout, list[QPushButton]]:
        add = QPushButton(_("Add limit"))
        add.clicked.connect(table.add_limit)
        remove = QPushButton(_("Remove limit"))
        remove.clicked.connect(table.remove_selected)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        return row, [add, remove]

    # -- the list of templates ------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Read the templates again from disk and show ``select`` (or the current one)."""
        select = select or self.current_template_id()
        self.loaded = templates.load_templates()
        self.list.blockSignals(True)
        self.list.clear()
        for t in self.loaded.templates:
            label = t.name_in() + (" " + _("(shipped, read-only)") if t.read_only else "")
            item = QListWidgetItem(label)
            item.setData(KEY, t.id)
            self.list.addItem(item)
            if t.id == select:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.list.blockSignals(False)
        self.problems.setText("\n".join(
            _("Not loaded: {message}").format(message=p.message) for p in self.loaded.problems))
        self._show_template()

    def current_template_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(KEY))

    def current_template(self) -> Template | None:
        tid = self.current_template_id()
        return None if tid is None else self.loaded.get(tid)

    def select_template(self, template_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(KEY) == template_id:
                self.list.setCurrentRow(row)
                return
        raise KeyError(template_id)

    def _show_template(self) -> None:
        template = self.current_template()
        self.current_key = None
        self.sections.clear()
        self.tree.clear()
        if template is None:
            self.data = {}
            return
        self.data = templates.template_json(template)
        self.template_id.setText(template.id)
        self.name_en.setText(template.name.en)
        self.name_nl.setText(template.name.nl)
        for section in self.data["sections"]:
            self._add_item(self.tree.invisibleRootItem(), section)
        self.tree.expandAll()
        groups = [(g.id, g.title.get()) for g in template.groups]
        self.group_limits.set_limits(self.data["limits"], groups)
        editable = not template.read_only
        self.notice.setText(_("Shipped templates are read-only: clone one to make your own "
                              "copy for a new round.") if not editable else
                            _("Your own template: changes are saved to your data folder."))
        for widget in (self.name_en, self.name_nl, self.number, self.title_en, self.title_nl):
            widget.setReadOnly(not editable)
        for editor in (self.guidance_en, self.guidance_nl):
            editor.setReadOnly(not editable)
        for button in (*self.section_buttons, *self.limit_buttons, self.save_button):
            button.setEnabled(editable)
        for button in self.group_limit_buttons:
            button.setEnabled(editable and bool(groups))
        self.required.setEnabled(editable)
        self.group_limits.set_editable(editable)
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._show_section()

    def _editable(self) -> bool:
        template = self.current_template()
        return template is not None and not template.read_only

    # -- sections -------------------------------------------------------------------------------

    def _add_item(self, parent: QTreeWidgetItem, section: dict[str, Any],
                  index: int | None = None) -> QTreeWidgetItem:
        key = self._next_key
        self._next_key += 1
        own = {k: v for k, v in section.items() if k != "children"}
        self.sections[key] = own
        item = QTreeWidgetItem()
        item.setData(0, KEY, key)
        if index is None:
            parent.addChild(item)
        else:
            parent.insertChild(index, item)
        self._label(item)
        for child in section.get("children", []):
            self._add_item(item, child)
        return item

    def _label(self, item: QTreeWidgetItem) -> None:
        section = self.sections[item.data(0, KEY)]
        title = section.get("title", {})
        item.setText(0, section.get("number", ""))
        item.setText(1, templates.Localized(title.get("en", ""), title.get("nl", "")).get())
        item.setText(2, "; ".join(limit_summary(x) for x in section.get("limits", [])))

    def section_item(self, section_id: str) -> QTreeWidgetItem:
        for key, section in self.sections.items():
            if section["id"] == section_id:
                found = self._find_item(key)
                if found is not None:
                    return found
        raise KeyError(section_id)

    def _find_item(self, key: int) -> QTreeWidgetItem | None:
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item.data(0, KEY) == key:
                return item
            stack.extend(item.child(i) for i in range(item.childCount()))
        return None

    def _commit_section(self) -> None:
        """Copy the section form and its limits back into the section being edited."""
        if self.current_key is None or not self._editable():
            return
        section = self.sections[self.current_key]
        section["number"] = self.number.text().strip()
        section["title"] = {"en": self.title_en.text().strip(), "nl": self.title_nl.text().strip()}
        section["guidance"] = {"en": self.guidance_en.toPlainText().strip(),
                               "nl": self.guidance_nl.toPlainText().strip()}
        section["required"] = self.required.isChecked()
        section["limits"] = self.limits.limits()
        item = self._find_item(self.current_key)
        if item is not None:
            self._label(item)

    def _show_section(self) -> None:
        self._commit_section()
        item = self.tree.currentItem()
        self.current_key = None if item is None else item.data(0, KEY)
        section = {} if self.current_key is None else self.sections[self.current_key]
        self.number.setText(section.get("number", ""))
        title, guidance = section.get("title", {}), section.get("guidance", {})
        self.title_en.setText(title.get("en", ""))
        self.title_nl.setText(title.get("nl", ""))
        self.guidance_en.setPlainText(guidance.get("en", ""))
        self.guidance_nl.setPlainText(guidance.get("nl", ""))
        self.required.setChecked(section.get("required", True))
        scopes = [(k, _(templates.SCOPE_LABELS[k])) for k in templates.SECTION_SCOPES]
        self.limits.set_limits(section.get("limits", []), scopes)
        self.limits.set_editable(self._editable())

    def _new_section(self) -> dict[str, Any]:
        used = {s["id"] for s in self.sections.values()}
        n = len(used) + 1
        while f"section-{n}" in used:
            n += 1
        # Template data carries its own English and Dutch texts, whatever the interface language.
        return {"id": f"section-{n}", "number": "",
                "title": {"en": "New section", "nl": "Nieuwe sectie"}, "required": True,
                "limits": []}

    def add_section(self) -> None:
        self._commit_section()
        current = self.tree.currentItem()
        while current is not None and current.parent() is not None:
            current = current.parent()
        root = self.tree.invisibleRootItem()
        index = root.indexOfChild(current) + 1 if current is not None else None
        self.tree.setCurrentItem(self._add_item(root, self._new_section(), index))

    def add_subsection(self) -> None:
        current = self.tree.currentItem()
        if current is None:
            self.add_section()
            return
        self._commit_section()
        item = self._add_item(current, self._new_section())
        current.setExpanded(True)
        self.tree.setCurrentItem(item)

    def remove_section(self) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        self.current_key = None  # the form belongs to the section being removed
        stack = [item]
        while stack:
            gone = stack.pop()
            del self.sections[gone.data(0, KEY)]
            stack.extend(gone.child(i) for i in range(gone.childCount()))
        parent = item.parent() or self.tree.invisibleRootItem()
        parent.removeChild(item)
        self._show_section()

    def move_section(self, step: int) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        self._commit_section()
        parent = item.parent() or self.tree.invisibleRootItem()
        index = parent.indexOfChild(item)
        target = index + step
        if not 0 <= target < parent.childCount():
            return
        expanded = item.isExpanded()
        parent.takeChild(index)
        parent.insertChild(target, item)
        item.setExpanded(expanded)
        self.tree.setCurrentItem(item)

    def _tree_sections(self, parent: QTreeWidgetItem) -> list[dict[str, Any]]:
        out = []
        for i in range(parent.childCount()):
            child = parent.child(i)
            section = dict(self.sections[child.data(0, KEY)])
            section["children"] = self._tree_sections(child)
            out.append(section)
        return out

    # -- clone and save -------------------------------------------------------------------------

    def clone_requested(self) -> None:
        template = self.current_template()
        if template is None:
            return
        name, ok = QInputDialog.getText(
            self, _("Clone template"), _("Name of your copy:"),
            text=_("{name} (copy)").format(name=template.name_in()))
        if ok and name.strip():
            used = {t.id for t in self.loaded.templates}
            base = _slug(name)
            new_id, n = base, 2
            while new_id in used:
                new_id, n = f"{base}-{n}", n + 1
            self.clone(new_id, name.strip())

    def clone(self, new_id: str, name: str) -> Template | None:
        """Copy the selected template to a user template and select the copy."""
        template = self.current_template()
        if template is None:
            return None
        try:
            copy_ = templates.clone_template(template.id, new_id, name)
        except TemplateError as exc:
            QMessageBox.warning(self, _("Template not cloned"), str(exc))
            return None
        self.reload(select=copy_.id)
        return copy_

    def save(self) -> bool:
        """Validate and write the current user template; errors name the field at fault."""
        if not self._editable():
            return False
        self._commit_section()
        data = copy.deepcopy(self.data)
        data["name"] = {"en": self.name_en.text().strip(), "nl": self.name_nl.text().strip()}
        data["sections"] = self._tree_sections(self.tree.invisibleRootItem())
        ids = {s["id"] for s in self.sections.values()}
        for group in data["groups"]:
            # A removed section leaves its groups; it cannot be limited any more.
            group["sections"] = [sid for sid in group["sections"] if sid in ids]
        data["limits"] = self.group_limits.limits()
        try:
            template = templates.parse_template(data, f"{data['id']}.json")
            templates.save_template(template)
        except TemplateError as exc:
            QMessageBox.warning(self, _("Template not saved"), str(exc))
            return False
        self.reload(select=template.id)
        return True
