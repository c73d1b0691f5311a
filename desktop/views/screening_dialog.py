"""Screening the literature for one practice question, by keyboard: R relevant, M maybe,
N not relevant; every decision re-ranks the rest and moves on to the next unscreened one."""
from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QProgressBar, QPushButton,
                               QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from ..i18n import _
from ..services import matches, matching, screening, textproc
from ..services.workspace import Workspace
from .undo_commands import ChangeValues

MARKS = {"relevant": "✔", "maybe": "?", "not_relevant": "✘", "": "·"}
KEYS = {Qt.Key.Key_R: "relevant", Qt.Key.Key_M: "maybe", Qt.Key.Key_N: "not_relevant"}


class CandidateList(QListWidget):
    """The list of candidates; R, M and N decide instead of searching the list by letter, and
    any other letter starts the note (so that typing a note cannot decide by accident)."""

    def __init__(self, decide: Callable[[str], None], note: QLineEdit) -> None:
        super().__init__()
        self._decide = decide
        self._note = note

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        plain = not event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier
                                          | Qt.KeyboardModifier.ShiftModifier)
        decision = KEYS.get(Qt.Key(event.key()))
        if decision and plain and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._decide(decision)
        elif plain and event.text().strip() and event.text().isprintable():
            self._note.setFocus()
            self._note.insert(event.text())
        else:
            super().keyPressEvent(event)


class ScreeningDialog(QDialog):
    def __init__(self, workspace: Workspace, question_id: str, undo_stack: QUndoStack,
                 parent: QWidget | None = None, top: int = 50) -> None:
        super().__init__(parent)
        self.workspace, self.question_id, self.undo_stack, self.top = (
            workspace, question_id, undo_stack, top)
        with workspace.session() as s:
            text, _language = matching.question_text(s, question_id)
        self.setWindowTitle(_("Screen literature"))
        title = QLabel(f"<b>{escape(text.splitlines()[0])}</b>")
        title.setWordWrap(True)
        self.bar = QProgressBar()
        self.summary = QLabel()
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Note on this reference (optional)"))
        self.list = CandidateList(self.decide, self.note)
        self.list.currentRowChanged.connect(self._show)
        self.detail = QTextBrowser()
        buttons = QHBoxLayout()
        for decision, label, key in (("relevant", _("&Relevant"), "R"),
                                     ("maybe", _("&Maybe"), "M"),
                                     ("not_relevant", _("&Not relevant"), "N")):
            button = QPushButton(f"{label}  [{key}]")
            button.setAutoDefault(False)   # Enter in the note must not decide
            button.clicked.connect(lambda _c=False, d=decision: self.decide(d))
            buttons.addWidget(button)
        self.note.returnPressed.connect(self.list.setFocus)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        right_layout.addWidget(self.note)
        right_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([420, 680])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.bar, 1)
        progress_row.addWidget(self.summary)
        layout.addLayout(progress_row)
        layout.addWidget(splitter, 1)
        layout.addWidget(QLabel(_("Keys: R relevant · M maybe · N not relevant · ↑/↓ move · "
                                  "other letters start a note, Enter ends it · Ctrl+Z undo. "
                                  "Each decision re-ranks the references not yet screened.")))
        layout.addWidget(close)
        undo = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo.activated.connect(self.undo_stack.undo)
        self.candidates: list[screening.Candidate] = []
        self.query: matching.Query | None = None
        self.reload()
        self.resize(1100, 680)

    def reload(self, keep: str | None = None) -> None:
        with self.workspace.session() as s:
            self.candidates, self.query = screening.candidates(s, self.question_id, self.top)
            progress = screening.progress(s, self.question_id, len(self.candidates))
        self.list.blockSignals(True)
        self.list.clear()
        for c in self.candidates:
            item = QListWidgetItem(f"{MARKS.get(c.decision, '·')}  {c.label}  {c.title}")
            item.setToolTip(c.title)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.bar.setRange(0, max(1, progress.total))
        self.bar.setValue(min(progress.screened, progress.total))
        self.bar.setFormat(_("{done} of {total} screened").format(
            done=progress.screened, total=progress.total))
        self.summary.setText(" · ".join(
            f"{MARKS[d]} {progress.counts.get(d, 0)}" for d in ("relevant", "maybe",
                                                                "not_relevant")))
        row = next((i for i, c in enumerate(self.candidates) if c.reference_id == keep), -1)
        if row < 0:
            row = next((i for i, c in enumerate(self.candidates) if not c.decision), 0)
        if self.candidates:
            self.list.setCurrentRow(row)
            self._show(row)
        self.list.setFocus()

    def current(self) -> screening.Candidate | None:
        row = self.list.currentRow()
        return self.candidates[row] if 0 <= row < len(self.candidates) else None

    def _show(self, row: int) -> None:
        if not (0 <= row < len(self.candidates)) or self.query is None:
            return
        c = self.candidates[row]
        marked = matching.highlight_words(self.query, f"{c.title} {c.abstract}", "en") | \
            matching.highlight_words(self.query, f"{c.title} {c.abstract}", "nl")

        def mark(text: str) -> str:
            html, done = [], 0
            for start, end, folded in textproc.word_spans(text):
                if folded in marked:
                    html += [escape(text[done:start]), "<span style='background:#fff2a8'>",
                             escape(text[start:end]), "</span>"]
                    done = end
            return "".join(html) + escape(text[done:])

        decision = _(matches.DECISIONS.get(c.decision, c.decision))
        self.detail.setHtml(
            f"<h3>{mark(c.title)}</h3><p>{escape(c.label)} · {escape(c.key)} · "
            f"<i>{escape(decision)}</i></p>"
            f"<p><b>{escape(_('Matched'))}:</b> {escape(', '.join(c.matched))}</p>"
            f"<p>{mark(c.abstract) if c.abstract else '<i>' + escape(_('No abstract.')) + '</i>'}"
            f"</p>")
        self.note.setText(c.note)

    def decide(self, decision: str) -> None:
        c = self.current()
        if c is None:
            return
        after = (decision, self.note.text().strip())
        before = (c.decision, c.note)
        if after == before:
            return
        question_id, reference_id = self.question_id, c.reference_id
        self.undo_stack.push(ChangeValues(
            self.workspace,
            lambda tx, d: matches.record_decision(tx, question_id, reference_id, *d),
            after, before, _("Screen {key}: {decision}").format(
                key=c.key, decision=_(matches.DECISIONS[decision])), self.reload))
