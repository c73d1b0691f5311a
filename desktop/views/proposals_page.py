"""The Proposals page: the workspace's proposals; for one, its progress (a picture and a
summary) and the writing view, a section tree beside the section editor."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QMenu, QPushButton, QSplitter, QTabWidget, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from ..i18n import N_, _, ngettext
from ..models.entities import Proposal, Section
from ..services import progress, proposals, templates
from ..services.members import members
from ..services.workspace import Workspace
from .citation_picker import pick_citation
from .dialogs import STYLE_NAMES
from .html import field_table, paragraphs
from .id_table_model import Column
from .proposal_dashboard import Bar, ProposalDashboard
from .record_page import RecordPage
from .workers import TaskRunner
from .section_editor import STATE_COLOURS, SectionEditor
from .undo_commands import AddRecord, ChangeValues

TREE_COLUMNS = (N_("No."), N_("Section"), N_("Owner"), N_("Status"), N_("Length"))


class ProposalsPage(RecordPage):
    sig_proposals_changed = Signal()

    filter_placeholder = N_("Filter proposals (Ctrl+F)")
    empty_detail = N_("No proposals yet.")

    def detail_widget(self) -> QWidget:
        self.tabs = QTabWidget()
        overview = QWidget()
        self.dashboard = ProposalDashboard()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.dashboard)
        split.addWidget(self.detail)
        split.setStretchFactor(1, 1)
        box = QVBoxLayout(overview)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(split)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(TREE_COLUMNS))
        self.tree.setRootIsDecorated(True)
        # Titles elide rather than scroll the numbers out of sight.
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.header().setStretchLastSection(False)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.tree.currentItemChanged.connect(self._open_section)
        self.tree.currentItemChanged.connect(self._keep_numbers_in_sight)
        self.editor = SectionEditor(self.workspace, self.runner)
        self.editor.pick_citation = lambda pid: pick_citation(self, self.workspace, pid)
        self.editor.sig_counts_changed.connect(self._counts_changed)
        write = QSplitter(Qt.Orientation.Horizontal)
        write.addWidget(self.tree)
        write.addWidget(self.editor)
        write.setStretchFactor(0, 1)
        write.setStretchFactor(1, 4)
        write.setSizes([300, 1000])
        self.tabs.addTab(write, "")
        self.tabs.addTab(overview, "")
        self.proposal_id: str | None = None
        return self.tabs

    def __init__(self, workspace: Workspace, runner: TaskRunner | None = None,
                 parent: QWidget | None = None) -> None:
        self.runner = runner
        self.active = False   # shown at least once (see activate)
        self.engine_key: tuple[str, str] | None = None
        self.export_folder = ""
        super().__init__(workspace, parent)
        # Few proposals, long sections: the writing view gets the room.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([240, 1200])

    def page_title(self) -> str:
        return _("Proposals")

    def toolbar(self) -> QWidget | None:
        self.new_button = QPushButton(_("New proposal…"))
        self.new_button.setToolTip(_("Start a proposal from a funder's template (Ctrl+Shift+N)"))
        self.new_button.clicked.connect(lambda: self.new_proposal())
        self.export_button = QPushButton(_("Export to Word…"))
        self.export_button.setToolTip(_("Check the proposal against the funder's rules and "
                                        "write the Word document (Ctrl+Shift+S)"))
        self.export_button.clicked.connect(lambda: self.export_proposal())
        self.settings_button = QPushButton(_("Settings…"))
        self.settings_button.setToolTip(_("Title, language, deadline and citation style of the "
                                          "selected proposal (or double-click it)"))
        self.settings_button.clicked.connect(self.edit_settings)
        self.table.doubleClicked.connect(lambda _index: self.edit_settings())
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.new_button)
        row.addWidget(self.export_button)
        row.addWidget(self.settings_button)
        row.addStretch(1)
        return bar

    def new_proposal(self, question_ids: Sequence[str] = ()) -> None:
        from .new_proposal_dialog import NewProposalDialog, create_proposal
        dialog = NewProposalDialog(self.workspace, self, question_ids=question_ids)
        if not dialog.exec():
            return
        template, values = dialog.template(), dialog.values()
        self.push(AddRecord(self.workspace, Proposal,
                            lambda tx: create_proposal(tx, template, values),
                            _("New proposal “{title}”").format(title=values.fields["title"]),
                            self._created))

    def _created(self, proposal_id: str) -> None:
        self.sig_proposals_changed.emit()
        self.refresh()
        row = self.model.row_of(proposal_id)
        if row >= 0:
            self.select_row(row)
            self.tabs.setCurrentIndex(0)

    def edit_settings(self) -> None:
        from .proposal_settings import ProposalSettingsDialog, proposal_values
        proposal_id = self.current_id()
        if proposal_id is None:
            return
        before = proposal_values(self.workspace, proposal_id)
        dialog = ProposalSettingsDialog(before, self)
        if not dialog.exec() or not dialog.changes():
            return
        after = dialog.changes()

        def write(tx: Any, values: dict[str, Any]) -> None:
            tx.update(Proposal, proposal_id, values)

        def changed() -> None:
            self.refresh()
            self.engine_key = None   # the style may have changed: citations follow it
            self._prepare_style(proposal_id)

        self.push(ChangeValues(self.workspace, write, after, {k: before[k] for k in after},
                               _("Change proposal settings"), changed))

    def export_proposal(self, folder: str = "") -> str:
        """Open the export dialog for the selected proposal; returns the folder written to."""
        from .export_dialog import ExportDialog
        proposal_id = self.current_id()
        if proposal_id is None:
            return folder
        if self.editor.binding is not None:
            self.editor.binding.flush()   # the export reads the workspace
        dialog = ExportDialog(self.workspace, self.runner, proposal_id, self,  # type: ignore[arg-type]
                              folder=folder or self.export_folder)
        dialog.exec()
        self.export_folder = dialog.folder or self.export_folder
        return self.export_folder

    def retranslate(self) -> None:
        if hasattr(self, "tabs"):
            self.tabs.setTabText(0, _("Write"))
            self.tabs.setTabText(1, _("Overview"))
            self.tree.setHeaderLabels([_(c) for c in TREE_COLUMNS])
            self.editor.retranslate()
        super().retranslate()

    def columns(self) -> Sequence[Column]:
        return [
            Column(N_("Title"), "title"),
            Column(N_("Acronym"), "acronym"),
            Column(N_("Template"), "template_id"),
            Column(N_("Deadline"), "deadline"),
            Column(N_("Sections"), "sections"),
        ]

    def fetch_ids(self, sort: str, descending: bool, query: str) -> list[str]:
        with self.workspace.session() as s:
            ids = proposals.proposal_ids(s)
            if query.strip():
                rows = proposals.proposal_rows(s, ids)
                needle = query.strip().lower()
                ids = [i for i in ids if needle in f"{rows[i].title} {rows[i].acronym}".lower()]
            return ids

    def fetch_rows(self, ids: Sequence[str]) -> Mapping[str, Any]:
        with self.workspace.session() as s:
            return proposals.proposal_rows(s, ids)

    # -- a proposal -----------------------------------------------------------------------
    def activate(self) -> None:
        """The page is shown: the selected proposal's sections, text and citation style are
        read now, not while the window starts on another page."""
        if not self.active:
            self.active = True
            if self.proposal_id is not None:
                self._show_proposal(self.proposal_id)

    def show_detail(self, record_id: str) -> None:
        if record_id != self.proposal_id:
            self.editor.close_section()
        self.proposal_id = record_id
        if self.active:
            self._show_proposal(record_id)

    def _show_proposal(self, record_id: str) -> None:
        super().show_detail(record_id)
        self._fill_tree()
        self._prepare_style(record_id)

    def _prepare_style(self, proposal_id: str) -> None:
        """Build the proposal's citation style in the background; until it is ready (or if
        it cannot be), citations show as neutral markers and the editor says why."""
        with self.workspace.session() as s:
            proposal = s.get(Proposal, proposal_id)
            if proposal is None or self.runner is None:
                return
            key = (proposal.citation_style or "apa",
                   "nl-NL" if proposal.language == "nl" else "en-US")
        if key == self.engine_key:
            return
        self.engine_key = key
        self.editor.set_engine(None)

        def build(_control: Any) -> Any:
            from ..export.citeproc import ENGINES
            return ENGINES.get(*key)

        def ready(engine: Any) -> None:
            if self.engine_key == key:
                self.editor.set_engine(engine)

        def failed(error: BaseException) -> None:
            if self.engine_key == key:
                self.editor.set_style_problem(str(error))

        self.runner.run(_("Preparing the citation style"), build, ready, failed)

    def _fill_tree(self) -> None:
        current = self.editor.section.section_id if self.editor.section else None
        self.tree.blockSignals(True)
        self.tree.clear()
        if self.proposal_id is None:
            self.tree.blockSignals(False)
            return
        with self.workspace.session() as s:
            summary = progress.proposal_summary(s, self.proposal_id)
        items: dict[int, QTreeWidgetItem] = {}
        bars = []
        select = None
        for sec in summary.sections:
            # The bar shows the section's first limit (its own, else with its subsections).
            check = sec.limits[0] if sec.limits else None
            if check is not None:
                used = round(check.used, 1) if check.estimated else check.used
                length = f"{used:g} / {check.limit.describe()}"
                bars.append(Bar(f"{sec.number} {sec.title}", float(used),
                                float(check.limit.max or check.limit.min or 0),
                                _(templates.KIND_LABELS[check.limit.kind]), check.state,
                                sec.status))
            else:
                length = ngettext("{n} word", "{n} words", sec.words).format(n=sec.words)
                bars.append(Bar(f"{sec.number} {sec.title}", float(sec.words), 0.0, _("words"),
                                "", sec.status))
            item = QTreeWidgetItem([sec.number, sec.title, sec.owner,
                                    _(proposals.SECTION_STATUSES.get(sec.status, sec.status)),
                                    length])
            item.setData(0, Qt.ItemDataRole.UserRole, sec.id)
            item.setToolTip(1, f"{sec.number} {sec.title}".strip())
            if check is not None and check.state in ("over", "warning", "under"):
                item.setForeground(4, QBrush(QColor(STATE_COLOURS[check.state])))
            parent = items.get(sec.depth - 1) if sec.depth else None
            if parent is not None:
                parent.addChild(item)
            else:
                self.tree.addTopLevelItem(item)
            items[sec.depth] = item
            if sec.id == current:
                select = item
        self.tree.expandAll()
        for col in range(len(TREE_COLUMNS)):
            self.tree.resizeColumnToContents(col)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.dashboard.set_bars(bars)
        if select is not None:
            self.tree.setCurrentItem(select)
        self.tree.blockSignals(False)
        if select is None and self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def _keep_numbers_in_sight(self, *_items: Any) -> None:
        # Qt scrolls a clicked long title into view, and the number column out of it.
        self.tree.horizontalScrollBar().setValue(0)

    def _open_section(self, item: QTreeWidgetItem | None, _previous: Any = None) -> None:
        if item is None or self.proposal_id is None:
            return
        section_id = item.data(0, Qt.ItemDataRole.UserRole)
        if self.editor.section is None or self.editor.section.section_id != section_id:
            self.editor.open(self.proposal_id, section_id)

    def _counts_changed(self, section_id: str, words: int) -> None:
        item = self._item_of(section_id)
        if item is not None:
            item.setText(4, ngettext("{n} word", "{n} words", words).format(n=words))

    def _item_of(self, section_id: str) -> QTreeWidgetItem | None:
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item.data(0, Qt.ItemDataRole.UserRole) == section_id:
                return item
            stack += [item.child(i) for i in range(item.childCount())]
        return None

    def _tree_menu(self, point: Any) -> None:
        item = self.tree.itemAt(point)
        if item is None:
            return
        section_id = item.data(0, Qt.ItemDataRole.UserRole)
        menu = QMenu(self)
        status_menu = menu.addMenu(_("Status"))
        for key, label in proposals.SECTION_STATUSES.items():
            status_menu.addAction(_(label), lambda k=key: self.set_section(
                section_id, {"status": k}, _("Change section status")))
        owner_menu = menu.addMenu(_("Owner"))
        with self.workspace.session() as s:
            team = members(s)
        owner_menu.addAction(_("(nobody)"), lambda: self.set_section(
            section_id, {"owner_member_id": None}, _("Change section owner")))
        for m in team:
            owner_menu.addAction(m.name, lambda mid=m.id: self.set_section(
                section_id, {"owner_member_id": mid}, _("Change section owner")))
        menu.exec(self.tree.viewport().mapToGlobal(point))

    def set_section(self, section_id: str, values: dict[str, Any], text: str) -> None:
        with self.workspace.session() as s:
            section = s.get(Section, section_id)
            assert section is not None
            before = {k: getattr(section, k) for k in values}

        def write(tx: Any, change: dict[str, Any]) -> None:
            proposals.update_section(tx, section_id, change)

        self.push(ChangeValues(self.workspace, write, values, before, text, self._fill_tree))

    def detail_html(self, record_id: str) -> str:
        with self.workspace.session() as s:
            row = proposals.proposal_rows(s, [record_id]).get(record_id)
            sections = proposals.section_rows(s, record_id)
        if row is None:
            return ""
        total = sum(sec.words for sec in sections)
        meta = field_table([
            (_("Acronym"), row.acronym), (_("Template"), row.template_id),
            (_("Citation style"), _(STYLE_NAMES.get(row.citation_style, row.citation_style))),
            (_("Deadline"), row.deadline),
            (_("Length"), ngettext("{n} word", "{n} words", total).format(n=total)),
        ])
        bodies = "".join(
            f"<h4>{escape(sec.number)}. {escape(sec.title)}</h4>"
            + (paragraphs(sec.text) if sec.text.strip()
               else f"<p><i>{escape(_('Not written yet.'))}</i></p>") for sec in sections)
        return f"<h3>{escape(row.title)}</h3>{meta}{bodies}"
