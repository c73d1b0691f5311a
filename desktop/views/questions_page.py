"""The Questions page: the register of practice questions and the detail of one question."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..i18n import LANGUAGES, N_, _, current_language
from ..models.entities import PracticeQuestion
from ..services import matches, members, questions
from ..services.members import MemberRow
from ..services.tasks import TaskControl
from ..services.workspace import Workspace
from .html import field_table, paragraphs
from .id_table_model import Column
from .record_page import RecordPage
from .question_editor import QuestionEditor
from .undo_commands import AddRecord, ChangeValues
from .workers import TaskRunner


def _label(table: Mapping[str, str]) -> Any:
    return lambda value: _(table.get(value, value)) if value else ""


SUGGESTION_DELAY_MS = 200  # about how long one press of an arrow key lasts


class QuestionsPage(RecordPage):
    sig_proposal_requested = Signal(str)   # a question id

    filter_placeholder = N_("Filter questions by title, text or organisation (Ctrl+F)")
    empty_detail = N_("No practice questions match.")

    def __init__(self, workspace: Workspace, runner: TaskRunner | None = None,
                 parent: QWidget | None = None) -> None:
        self.runner = runner
        self._pending = ("", "")
        # Created before the base class selects the first row, which asks for suggestions.
        self._suggest_timer = QTimer()
        self._suggest_timer.setSingleShot(True)
        self._suggest_timer.setInterval(SUGGESTION_DELAY_MS)
        self._suggest_timer.timeout.connect(self._show_suggestions)
        super().__init__(workspace, parent)
        self._suggest_timer.setParent(self)

    def page_title(self) -> str:
        return _("Practice questions")

    def columns(self) -> Sequence[Column]:
        return [
            Column(N_("Title"), "title", "title"),
            Column(N_("Lang."), "language", "language"),
            Column(N_("Sector"), "sector", "sector", _label(questions.SECTORS)),
            Column(N_("Theme"), "theme", "theme", _label(questions.THEMES)),
            Column(N_("Organisation"), "organisation", "organisation"),
            Column(N_("Urgency"), "urgency", "urgency", _label(questions.URGENCIES)),
            Column(N_("Status"), "status", "status", _label(questions.STATUSES)),
            Column(N_("Matches"), "matches"),
        ]

    def toolbar(self) -> QWidget | None:
        self.screen_button = QPushButton(_("Screen literature…"))
        self.screen_button.setToolTip(_("Rank the library for this question and screen it by "
                                        "keyboard (Ctrl+L)"))
        self.screen_button.setShortcut(QKeySequence("Ctrl+L"))
        self.screen_button.clicked.connect(self.screen)
        self.new_button = QPushButton(_("New question…"))
        self.new_button.clicked.connect(self.new_question)
        self.edit_button = QPushButton(_("Edit…"))
        self.edit_button.setToolTip(_("Edit the selected question (or double-click it)"))
        self.edit_button.clicked.connect(self.edit_question)
        self.table.doubleClicked.connect(lambda _index: self.edit_question())
        labels = {"sector": (N_("All sectors"), questions.SECTORS),
                  "status": (N_("Any status"), questions.STATUSES),
                  "theme": (N_("All themes"), questions.THEMES),
                  "language": (N_("Both languages"), LANGUAGES)}
        self.filters: dict[str, QComboBox] = {}
        bar = QWidget()
        rows = QVBoxLayout(bar)
        rows.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        for name, (everything, names) in labels.items():
            combo = QComboBox()
            # Sized by a short text, not by the longest theme, so the bar stays narrow.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
            combo.setProperty("names", names)
            combo.setProperty("everything", everything)
            combo.activated.connect(lambda _i: self.refresh())
            self.filters[name] = combo
            row.addWidget(combo)
        self._fill_filters()
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.screen_button)
        self.proposal_button = QPushButton(_("Start a proposal…"))
        self.proposal_button.setToolTip(_("A new proposal from a funder's template that answers "
                                          "this question"))
        self.proposal_button.clicked.connect(
            lambda: self.current_id() and self.sig_proposal_requested.emit(self.current_id()))
        buttons.addWidget(self.proposal_button)
        rows.addLayout(row)
        rows.addLayout(buttons)
        return bar

    def _fill_filters(self) -> None:
        with self.workspace.session() as s:
            values = questions.filter_values(s)
        for name, combo in self.filters.items():
            current = combo.currentData()
            names = combo.property("names")
            combo.clear()
            combo.addItem(_(combo.property("everything")), "")
            for value in values[name]:
                shown = names.get(value, value)
                combo.addItem(_(shown) if value in names else value, value)
            combo.setCurrentIndex(max(0, combo.findData(current)))

    def _changed(self, question_id: str) -> None:
        self._fill_filters()
        self.refresh()
        row = self.model.row_of(question_id)
        if row >= 0:
            self.select_row(row)

    def _members(self) -> list[MemberRow]:
        with self.workspace.session() as s:
            return members.members(s)

    def new_question(self) -> None:
        editor = QuestionEditor({"language": current_language(), "status": "new",
                                 "urgency": "medium"}, self, _("New practice question"),
                                self._members())
        if editor.exec():
            values = editor.values()
            fields = {k: v for k, v in values.items() if k != questions.CASE}
            self.push(AddRecord(
                self.workspace, PracticeQuestion,
                lambda tx: questions.add_question(tx, fields, values.get(questions.CASE, "")),
                _("New question “{title}”").format(title=values["title"]), self._changed))

    def edit_question(self) -> None:
        question_id = self.current_id()
        if question_id is None:
            return
        with self.workspace.session() as s:
            before = questions.editable(s, question_id)
        editor = QuestionEditor(before, self, _("Edit practice question"), self._members())
        if editor.exec():
            after = editor.changes()
            if after:
                self.push(ChangeValues(
                    self.workspace,
                    lambda tx, v: questions.update_question(tx, question_id, v),
                    after, {k: before[k] for k in after},
                    _("Edit question “{title}”").format(title=before["title"]),
                    lambda: self._changed(question_id)))

    def screen(self) -> None:
        question_id = self.current_id()
        if question_id is None:
            return
        workspace = self.workspace
        # The matching engine (numpy, stemmers) loads when first needed, not at start-up.
        from ..services import matching
        from .screening_dialog import ScreeningDialog

        def prepare(control: TaskControl) -> None:
            # The first screening of a session indexes the library, off the UI thread.
            with workspace.session() as s:
                matching.library_index(s, control)

        def open_dialog(_result: object = None) -> None:
            stack = self.undo_stack if self.undo_stack is not None else QUndoStack(self)
            ScreeningDialog(workspace, question_id, stack, self).exec()
            self.model.forget(question_id)
            self.detail.setHtml(self.detail_html(question_id))

        if self.runner is None:
            open_dialog()
        else:
            self.runner.run(_("Indexing the library for matching"), prepare, open_dialog)

    def fetch_ids(self, sort: str, descending: bool, query: str) -> list[str]:
        chosen = {name: combo.currentData() or ""
                  for name, combo in getattr(self, "filters", {}).items()}
        with self.workspace.session() as s:
            return questions.question_ids(s, sort, descending, query, chosen)

    def fetch_rows(self, ids: Sequence[str]) -> Mapping[str, Any]:
        with self.workspace.session() as s:
            return questions.question_rows(s, ids)

    def detail_html(self, record_id: str) -> str:
        with self.workspace.session() as s:
            q = questions.question_detail(s, record_id)
            found = matches.matches_for_question(s, record_id)
        if q is None:
            return ""
        kind = _(questions.ORGANISATION_TYPES.get(q.organisation_type, q.organisation_type)) \
            if q.organisation_type else ""
        meta = field_table([
            (_("Submitted by"), q.submitter),
            (_("Organisation"), ", ".join(p for p in (q.organisation, kind) if p)),
            (_("Sector"), _(questions.SECTORS.get(q.sector, q.sector))),
            (_("Theme"), _(questions.THEMES.get(q.theme, q.theme))),
            (_("Urgency"), _(questions.URGENCIES.get(q.urgency, q.urgency))),
            (_("Status"), _(questions.STATUSES.get(q.status, q.status))),
            (_("Stakeholders"), ", ".join(q.stakeholders)),
            (_("Pair"), " + ".join(name for name in q.pair if name)),
        ])
        lit = "".join(
            f"<li><b>{escape(_(matches.DECISIONS.get(m.decision, m.decision)))}</b>: "
            f"{escape(m.label)} {escape(m.title)}"
            + (f" <i>({escape(m.note)})</i>" if m.note else "") + "</li>" for m in found)
        base = (f"<h3>{escape(q.title)}</h3>"
                f"<blockquote><i>{escape(q.question_text)}</i></blockquote>{meta}"
                + (f"<h4>{escape(_('Research question'))}</h4><p>{escape(q.reformulated_question)}</p>"
                   if q.reformulated_question else "")
                + (f"<h4>{escape(_('Case description'))}</h4>{paragraphs(q.case_description)}"
                   if q.case_description else "")
                + (f"<h4>{escape(_('Screened literature'))}</h4><ul>{lit}</ul>" if lit else ""))
        self._add_suggestions(record_id, base)
        return base

    def _add_suggestions(self, record_id: str, base: str) -> None:
        """Similar questions and fitting researchers, added to the detail a moment after the
        selection settles: they need the matching engine, which neither the first window nor
        someone arrowing through the list should wait for."""
        self._pending = (record_id, base)
        self._suggest_timer.start()

    def _show_suggestions(self) -> None:
        record_id, base = self._pending
        if self.current_id() != record_id:
            return  # the user has moved on
        from ..services import suggestions
        with self.workspace.session() as s:
            extra = (_suggestions(_("Possibly the same question"),
                                  suggestions.similar_questions(s, record_id))
                     + _suggestions(_("Researchers who fit this question"),
                                    suggestions.researchers_for(s, record_id, top=2)))
        if extra:
            self.detail.setHtml(base + extra)


def _suggestions(title: str, found: list[Any]) -> str:
    if not found:
        return ""
    items = "".join(
        f"<li>{escape(s.label)} <span style='color:#666'>({escape(_('matches on'))}: "
        f"{escape(', '.join(s.reasons[:6]))})</span></li>" for s in found)
    return f"<h4>{escape(title)}</h4><ul>{items}</ul>"
