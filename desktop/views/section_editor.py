"""The section editor: a small word processor for one proposal section, its text bound to the
section's CRDT document (``text_binding``), with the funder's guidance beside it, the word or
character count live against the template's limits, citations, and comments.

Every edit reaches the database within ``text_binding.FLUSH_MS``; undo and redo take back only
this writer's own edits, never a co-author's.
"""
from __future__ import annotations

import json
import textwrap
import threading
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import (QAction, QColor, QFont, QKeyEvent, QKeySequence, QMouseEvent, QTextCharFormat,
                           QTextCursor)
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QInputDialog, QLabel, QPushButton,
                               QSplitter, QTabWidget, QTextBrowser, QTextEdit,
                               QToolBar, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from sqlalchemy import select

from ..i18n import N_, _, ngettext
from ..models.entities import Proposal, Reference, Section
from ..services import comments, documents, paste, proposals, templates
from ..services.members import members
from ..services.proposal_content import load_template, template_section_for
from ..services.references import short_authors
from ..services.textpos import OBJECT, index_to_utf16, index_to_y, utf16_to_index, y_to_index
from ..services.workspace import Workspace
from .html import ERROR_COLOUR, OK_COLOUR, WARNING_COLOUR
from .text_binding import (CITATION_OBJECT, TextBinding, block_attrs, embed_format, embed_value,
                           inline_attrs)
from .workers import TaskRunner

RUNS_MIME = "application/x-tandem-runs"
HEADINGS = ((0, N_("Body text")), (1, N_("Heading 1")), (2, N_("Heading 2")),
            (3, N_("Heading 3")))
COMMENT_WIDTH = 34   # characters to a line in the comments list
# Below a minimum is a warning while writing; the export's report calls it a problem.
STATE_COLOURS = {"ok": OK_COLOUR, "warning": WARNING_COLOUR, "over": ERROR_COLOUR,
                 "under": WARNING_COLOUR}


def _cite_items(value: Any) -> list[Any]:
    from ..export.citeproc import CiteItem
    return [CiteItem(i["id"], str(i.get("locator", "")), str(i.get("label") or "page"),
                     str(i.get("prefix", "")), str(i.get("suffix", "")),
                     bool(i.get("suppress-author")))
            for i in (value or {}).get("citation", {}).get("items", [])]


def _cited_ids(values: list[Any]) -> list[str]:
    return [i["id"] for v in values for i in (v or {}).get("citation", {}).get("items", [])
            if i.get("id")]


class CitationLabels:
    """How a citation embed reads in the editor: as the proposal's citation style prints it at
    its place in the whole proposal (numbers in order of first citation, 2020a/2020b), as the
    export will; until the style engine has done so, as a neutral marker
    ``[Noy & Zhang 2023, 12]``.

    The engine keeps the proposal's citations it last formatted, so a citation inserted,
    changed or removed is one ``processCitationCluster`` call (about a millisecond); the first
    pass over a whole proposal takes a fraction of a second for a couple of hundred citations,
    so ``compute_document`` may run on a worker thread; its result is applied on the window's
    thread with ``apply_document``.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.engine: Any = None
        self._document: dict[str, str] = {}
        self._fingerprint = ""
        self._known: set[str] = set()
        self._lock = threading.Lock()   # _known, between the window and a worker
        self._neutral: Callable[[Any], str] | None = None

    def set_engine(self, engine: Any) -> None:
        self.engine = engine
        self._document = {}
        self._fingerprint = ""
        with self._lock:
            self._known.clear()   # registered again, as they are now

    def prefetch(self, values: list[Any]) -> None:
        """Read the references of these citations at once, for the neutral markers."""
        with self.workspace.session() as s:
            self._neutral = proposals.citation_marker(s, _cited_ids(values))

    def __call__(self, value: Any) -> str:
        key = json.dumps(value, sort_keys=True)
        if key in self._document:
            return self._document[key]
        if self._neutral is None:
            self.prefetch([value])
        assert self._neutral is not None
        return self._neutral(value)

    def _register(self, values: list[Any]) -> None:
        from ..services.references import csl_item
        with self._lock:
            missing = set(_cited_ids(values)) - self._known
        if missing:
            with self.workspace.session() as s:
                found = [csl_item(r) | {"id": r.id} for r in s.execute(
                    select(Reference).where(Reference.id.in_(missing),
                                            Reference.deleted.is_(False))).scalars()]
            self.engine.register(found)
            with self._lock:
                self._known.update(item["id"] for item in found)

    def fingerprint(self, values: list[Any]) -> str:
        return json.dumps([self.engine is not None and id(self.engine), values], sort_keys=True)

    def compute_document(self, values: list[Any]) -> tuple[str, dict[str, str]] | None:
        """All of the proposal's citations formatted in document order, by citation; None
        when there is no engine or it refuses them (the neutral markers stay). A citation of a
        reference the engine fails on keeps its neutral marker; the others are formatted."""
        if self.engine is None:
            return None
        from ..export.citeproc import CitationError, Cluster
        clusters = [Cluster(f"c{n}", tuple(_cite_items(v))) for n, v in enumerate(values)]

        def formatted() -> dict[str, str]:
            with self._lock:
                known = self._known - set(self.engine.failed)
            usable = [c for c in clusters if c.items and all(i.id in known for i in c.items)]
            return {u.cluster_id: u.formatted.text for u in self.engine.process_document(usable)}

        try:
            self._register(values)
            done = self.engine.despite_broken(list(dict.fromkeys(_cited_ids(values))), formatted)
        except CitationError:
            return None
        document: dict[str, str] = {}
        for n, value in enumerate(values):
            if f"c{n}" in done:
                document.setdefault(json.dumps(value, sort_keys=True), done[f"c{n}"])
        return self.fingerprint(values), document

    def apply_document(self, result: tuple[str, dict[str, str]] | None) -> bool:
        """Use a computed formatting; returns whether any citation reads differently."""
        if result is None or result[0] == self._fingerprint:
            return False
        changed = result[1] != self._document
        self._fingerprint, self._document = result
        return changed

    def up_to_date(self, values: list[Any]) -> bool:
        return self.engine is None or self.fingerprint(values) == self._fingerprint


class RichTextEdit(QTextEdit):
    """A QTextEdit that pastes only what a proposal keeps, copies citations as citations, and
    leaves undo to the binding."""

    sig_citation_clicked = Signal(object)
    sig_undo = Signal()
    sig_redo = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.binding: TextBinding | None = None
        self.owned: list[QAction] = []   # the editor's actions, whose keys the text keeps
        self.setAcceptRichText(True)
        self.setTabChangesFocus(False)

    # -- clipboard ------------------------------------------------------------------------
    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802
        # Qt's own mime data lists only its own formats (and so hides ours from hasFormat):
        # its formats are copied into plain mime data, beside the runs with their citations.
        qt_data = super().createMimeDataFromSelection()
        data = QMimeData()
        for name in qt_data.formats():
            data.setData(name, qt_data.data(name))
        cursor = self.textCursor()
        if self.binding is not None and cursor.hasSelection():
            text = self.binding._qt_text() + "\n"
            runs = self.binding._qt_runs(text, cursor.selectionStart(), cursor.selectionEnd())
            data.setData(RUNS_MIME, json.dumps(runs, ensure_ascii=False).encode("utf-8"))
        return data

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802
        return source.hasFormat(RUNS_MIME) or source.hasHtml() or source.hasText()

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802
        if source.hasFormat(RUNS_MIME):
            runs = [(value, attrs) for value, attrs in
                    json.loads(bytes(source.data(RUNS_MIME).data()).decode("utf-8"))]
        elif source.hasHtml():
            runs = list(paste.html_to_runs(source.html()))
            if runs and runs[-1][0] == "\n":
                runs.pop()   # the last pasted paragraph joins the one pasted into
        else:
            text = source.text().replace("\r\n", "\n").replace(OBJECT, "")
            runs = [(text, {})] if text else []
        if runs and self.binding is not None:
            self.binding.insert_runs(self.textCursor(), runs)

    # -- keys and clicks ------------------------------------------------------------------
    def _own_action(self, event: QKeyEvent) -> QAction | None:
        pressed = QKeySequence(event.keyCombination())
        return next((a for a in self.owned if a.shortcut() == pressed), None)

    def event(self, event: QEvent) -> bool:
        # In the text, its own keys win over the window's: Ctrl+Z undoes typing (not a record
        # edit), Ctrl+I makes italic (not an import).
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and (
                event.matches(QKeySequence.StandardKey.Undo)
                or event.matches(QKeySequence.StandardKey.Redo)
                or self._own_action(event) is not None):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        action = self._own_action(event)
        if action is not None:
            action.trigger()
            return
        if event.matches(QKeySequence.StandardKey.Undo):
            self.sig_undo.emit()
            return
        if event.matches(QKeySequence.StandardKey.Redo):
            self.sig_redo.emit()
            return
        cursor = self.textCursor()
        in_list = cursor.block().textList() is not None
        if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and in_list \
                and self.binding is not None:
            step = -1 if event.key() == Qt.Key.Key_Backtab \
                or event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1
            self.binding.shift_indent(cursor, step)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.binding is not None:
            block = cursor.block()
            if in_list and not block.text():
                # Enter on an empty item ends the list, as in a word processor.
                self.binding.set_block(cursor, {"list": None, "indent": None})
                return
            if block.blockFormat().headingLevel() and cursor.atBlockEnd():
                super().keyPressEvent(event)
                self.binding.set_block(self.textCursor(), {"header": None})
                return
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        cursor = self.cursorForPosition(event.position().toPoint())
        for probe in (cursor.position(), cursor.position() + 1):
            at = QTextCursor(self.document())
            at.setPosition(min(probe, self.document().characterCount() - 1))
            fmt = at.charFormat()
            if fmt.objectType() == CITATION_OBJECT:
                self.sig_citation_clicked.emit(embed_value(fmt))
                return


def _wrapped(text: str) -> str:
    # Item views elide rather than wrap; a comment is read whole, so it gets its own breaks.
    return "\n".join(textwrap.fill(p, COMMENT_WIDTH) for p in text.splitlines())


@dataclass(frozen=True)
class OpenSection:
    proposal_id: str
    section_id: str
    title: str
    guidance: str
    language: str
    template: templates.Template | None
    template_section: str   # the template section's id ('' when the template has none)


def open_section(workspace: Workspace, proposal_id: str, section_id: str) -> OpenSection:
    """What the editor shows beside the text: heading, guidance, the limits that apply."""
    with workspace.session() as s:
        proposal = s.get(Proposal, proposal_id)
        section = s.get(Section, section_id)
        if proposal is None or section is None:
            raise KeyError(section_id)
        language = proposal.language or "en"
        template_id, tsid, number = (proposal.template_id, section.template_section_id,
                                     section.number)
        title = f"{section.number} {section.title}".strip()
    template = load_template(template_id)
    found = template_section_for(template, tsid, number)
    tsid = found.id if found is not None else ""
    guidance = found.guidance_in(language) if found is not None else ""
    return OpenSection(proposal_id, section_id, title, guidance, language, template, tsid)


class SectionEditor(QWidget):
    """Edits one section at a time; ``open`` another and the previous one is written first."""

    sig_counts_changed = Signal(str, int)   # section id, words

    def __init__(self, workspace: Workspace, runner: TaskRunner | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = runner
        self.labels = CitationLabels(workspace)
        self.section: OpenSection | None = None
        self.binding: TextBinding | None = None
        self.counter = documents.WordCounter()
        self.heading = QLabel()
        self.heading.setObjectName("sectionHeading")
        self.text = RichTextEdit()
        self.text.sig_undo.connect(self.undo)
        self.text.sig_redo.connect(self.redo)
        self.text.sig_citation_clicked.connect(self.show_citation)
        self.text.cursorPositionChanged.connect(self._sync_toolbar)
        self.count = QLabel()
        self.count.setTextFormat(Qt.TextFormat.RichText)
        self.guidance = QTextBrowser()
        self.guidance.setOpenExternalLinks(True)
        self.comments = QTreeWidget()
        self.comments.setHeaderHidden(True)
        self.comments.setUniformRowHeights(False)
        self.comments.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.comments.itemClicked.connect(self._comment_clicked)
        self.cited = QTextBrowser()
        self.cited.setOpenLinks(False)
        self.cited.anchorClicked.connect(lambda url: self.show_reference(url.toString()))
        self.side = QTabWidget()
        self.side.addTab(self.guidance, "")
        comment_box = QWidget()
        comment_layout = QVBoxLayout(comment_box)
        comment_layout.setContentsMargins(0, 0, 0, 0)
        comment_layout.addWidget(self.comments)
        row = QHBoxLayout()
        self.reply_button = QPushButton()
        self.reply_button.clicked.connect(self.reply)
        self.resolve_button = QPushButton()
        self.resolve_button.clicked.connect(self.toggle_resolved)
        row.addWidget(self.reply_button)
        row.addWidget(self.resolve_button)
        row.addStretch(1)
        comment_layout.addLayout(row)
        self.side.addTab(comment_box, "")
        self.side.addTab(self.cited, "")
        self.toolbar = QToolBar()
        self.actions: dict[str, QAction] = {}
        self._build_actions()
        self.text.owned = [a for a in self.actions.values() if not a.shortcut().isEmpty()]
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.text)
        split.addWidget(self.side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.side.setMinimumWidth(240)
        self.side.setUsesScrollButtons(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.toolbar)
        layout.addWidget(split, 1)
        layout.addWidget(self.count)
        self.pick_citation: Callable[[str], dict[str, Any] | None] | None = None
        self.style_problem = ""
        self.store_problem = ""
        self._cite_key: tuple[int, ...] = ()
        self._cite_counts = (0, 0)
        # The citations of the proposal's other sections, before and after this one.
        self._other_embeds: tuple[list[Any], list[Any]] | None = None
        self.retranslate()
        self.setEnabled(False)

    # -- set-up ---------------------------------------------------------------------------
    def _build_actions(self) -> None:
        def action(name: str, shortcut: QKeySequence | str | None, slot: Callable[[], None],
                   checkable: bool = False) -> QAction:
            act = QAction(self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.setCheckable(checkable)
            act.triggered.connect(slot)
            self.actions[name] = act
            self.addAction(act)
            return act

        bold = action("bold", QKeySequence.StandardKey.Bold, lambda: self.toggle("bold"), True)
        italic = action("italic", QKeySequence.StandardKey.Italic,
                        lambda: self.toggle("italic"), True)
        underline = action("underline", QKeySequence.StandardKey.Underline,
                           lambda: self.toggle("underline"), True)
        sup = action("super", "Ctrl+Shift+=", lambda: self.toggle("script", "super"), True)
        sub = action("sub", "Ctrl+=", lambda: self.toggle("script", "sub"), True)
        link = action("link", "Ctrl+K", self.edit_link)
        for act in (bold, italic, underline, sup, sub, link):
            self.toolbar.addAction(act)
        self.toolbar.addSeparator()
        self.heading_box = QComboBox()
        self.heading_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # typing stays in the text
        for level, _label in HEADINGS:
            self.heading_box.addItem("", level)
        self.heading_box.activated.connect(
            lambda _i: self.set_heading(int(self.heading_box.currentData())))
        self.toolbar.addWidget(self.heading_box)
        # Word's keys: Ctrl+Alt+1..3 for headings (Ctrl+1..4 switch the window's pages), and
        # letters rather than Shift+digits, which many keyboard layouts turn into symbols.
        for level in range(4):
            action(f"heading{level}", f"Ctrl+Alt+{level}",
                   lambda _c=False, n=level: self.set_heading(n))
        bullets = action("bullets", "Ctrl+Shift+L", lambda: self.toggle_list("bullet"), True)
        numbers = action("numbers", "Ctrl+Alt+L", lambda: self.toggle_list("ordered"), True)
        outdent = action("outdent", "Ctrl+[", lambda: self.indent(-1))
        indent = action("indent", "Ctrl+]", lambda: self.indent(1))
        for act in (bullets, numbers, outdent, indent):
            self.toolbar.addAction(act)
        self.toolbar.addSeparator()
        cite = action("cite", "Ctrl+Shift+C", self.insert_citation)
        comment = action("comment", "Ctrl+Alt+M", self.add_comment)
        self.toolbar.addAction(cite)
        self.toolbar.addAction(comment)
        self.toolbar.addSeparator()
        undo = action("undo", None, self.undo)
        redo = action("redo", None, self.redo)
        self.toolbar.addAction(undo)
        self.toolbar.addAction(redo)

    def retranslate(self) -> None:
        texts = {
            "bold": (_("Bold"), "B"), "italic": (_("Italic"), "I"),
            "underline": (_("Underline"), "U"), "super": (_("Superscript"), "x²"),
            "sub": (_("Subscript"), "x₂"), "link": (_("Link…"), _("Link")),
            "bullets": (_("Bulleted list"), "•"), "numbers": (_("Numbered list"), "1."),
            "outdent": (_("Decrease indent"), "⇤"), "indent": (_("Increase indent"), "⇥"),
            "cite": (_("Insert citation…"), _("Cite")),
            "comment": (_("Comment on the selection…"), _("Comment")),
            "undo": (_("Undo my last edit (Ctrl+Z)"), _("Undo")),
            "redo": (_("Redo (Ctrl+Shift+Z)"), _("Redo")),
        }
        for name, (tip, text) in texts.items():
            act = self.actions[name]
            act.setText(text)
            shortcut = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            act.setToolTip(f"{tip} ({shortcut})" if shortcut and "(" not in tip else tip)
        font = QFont()
        font.setBold(True)
        self.actions["bold"].setFont(font)
        for i, (_level, label) in enumerate(HEADINGS):
            self.heading_box.setItemText(i, _(label))
        self.heading_box.setToolTip(_("Paragraph style (Ctrl+Alt+1, 2, 3: headings; Ctrl+Alt+0: "
                                      "body text)"))
        self.side.setTabText(0, _("Guidance"))
        self.side.setTabText(1, _("Comments"))
        self.side.setTabText(2, _("Cited here"))
        self.reply_button.setText(_("Reply…"))
        self.resolve_button.setText(_("Resolve"))
        self._refresh_side()
        self._recount()

    # -- opening and closing --------------------------------------------------------------
    def open(self, proposal_id: str, section_id: str) -> None:
        self.close_section()
        self._other_embeds = None
        self.section = open_section(self.workspace, proposal_id, section_id)
        document = proposals.body_doc(section_id)
        with self.workspace.session() as s:
            ydoc = documents.load(s, document)

        def persist(update: bytes) -> None:
            with self.workspace.transaction() as tx:
                documents.store_update(tx, document, update)

        self.text.setDocument(self.text.document().__class__(self.text))
        self.text.document().setDefaultFont(self.text.font())
        self.labels.prefetch([v for v, _a in documents.text_of(ydoc).diff()
                              if isinstance(v, dict)])
        self.binding = TextBinding(self.text.document(), ydoc, persist, self.labels, self)
        self.text.binding = self.binding
        self.binding.sig_changed.connect(self._recount)
        self.binding.sig_changed.connect(self._highlight_comments)
        self.binding.sig_store_failed.connect(self._store_failed)
        self.binding.sig_stored.connect(self._stored)
        self.text.setReadOnly(self.workspace.readonly)
        self.heading.setText(f"<h3>{escape(self.section.title)}</h3>")
        self.setEnabled(True)
        self._refresh_side()
        self._recount()

    def close_section(self) -> None:
        """Write what is pending and let go of the section."""
        if self.binding is not None:
            self.binding.close()
            self.binding.deleteLater()
        self.binding = None
        self.text.binding = None
        self.section = None
        self.setEnabled(False)

    def set_engine(self, engine: Any) -> None:
        """Show citations as the proposal's style prints them from now on (None: as neutral
        markers)."""
        self.labels.set_engine(engine)
        self._other_embeds = None
        self._cite_key = ()
        self.style_problem = ""
        if self.binding is not None:
            self.binding.citations.invalidate()
        doc = self.text.document()
        doc.markContentsDirty(0, doc.characterCount())
        self._recount()

    def refresh_citations(self) -> None:
        """References changed in the library: citations are formatted again from them."""
        self.set_engine(self.labels.engine)
        self._refresh_cited()

    def _store_failed(self, reason: str) -> None:
        self.store_problem = reason
        self._recount()

    def _stored(self) -> None:
        if self.store_problem:
            self.store_problem = ""
            self._recount()

    def set_style_problem(self, message: str) -> None:
        """The citation style cannot be used; say so beside the counts."""
        self.style_problem = message
        self._recount()

    # -- formatting -----------------------------------------------------------------------
    def toggle(self, key: str, value: Any = True) -> None:
        cursor = self.text.textCursor()
        current = inline_attrs(cursor.charFormat()).get(key)
        fmt = QTextCharFormat()
        on = current != value
        if key == "bold":
            fmt.setFontWeight(QFont.Weight.Bold if on else QFont.Weight.Normal)
        elif key == "italic":
            fmt.setFontItalic(on)
        elif key == "underline":
            fmt.setFontUnderline(on)
        elif key == "script":
            fmt.setVerticalAlignment(
                (QTextCharFormat.VerticalAlignment.AlignSuperScript if value == "super"
                 else QTextCharFormat.VerticalAlignment.AlignSubScript) if on
                else QTextCharFormat.VerticalAlignment.AlignNormal)
        if cursor.hasSelection():
            cursor.mergeCharFormat(fmt)
        self.text.mergeCurrentCharFormat(fmt)
        self._sync_toolbar()

    def edit_link(self) -> None:
        cursor = self.text.textCursor()
        current = inline_attrs(cursor.charFormat()).get("link") or "https://"
        url, ok = QInputDialog.getText(self, _("Link"), _("Address (empty removes the link):"),
                                       text=current)
        if not ok:
            return
        url = url.strip()
        if not cursor.hasSelection():
            cursor.select(QTextCursor.SelectionType.WordUnderCursor)
        fmt = QTextCharFormat()
        fmt.setAnchor(bool(url))
        fmt.setAnchorHref(url)
        fmt.setFontUnderline(bool(url))
        fmt.setForeground(self.palette().link() if url else self.palette().text())
        cursor.mergeCharFormat(fmt)

    def set_heading(self, level: int) -> None:
        if self.binding is not None:
            self.binding.set_block(self.text.textCursor(), {"header": level or None})
            self._sync_toolbar()

    def toggle_list(self, kind: str) -> None:
        if self.binding is None:
            return
        cursor = self.text.textCursor()
        current = block_attrs(cursor.block()).get("list")
        self.binding.set_block(cursor, {"list": None if current == kind else kind,
                                        "header": None})
        self._sync_toolbar()

    def indent(self, step: int) -> None:
        if self.binding is not None:
            self.binding.shift_indent(self.text.textCursor(), step)

    def _sync_toolbar(self) -> None:
        cursor = self.text.textCursor()
        inline = inline_attrs(cursor.charFormat())
        block = block_attrs(cursor.block())
        for name, on in (("bold", inline["bold"]), ("italic", inline["italic"]),
                         ("underline", inline["underline"]),
                         ("super", inline["script"] == "super"),
                         ("sub", inline["script"] == "sub"),
                         ("bullets", block["list"] == "bullet"),
                         ("numbers", block["list"] == "ordered")):
            self.actions[name].setChecked(bool(on))
        self.heading_box.setCurrentIndex(max(0, self.heading_box.findData(block["header"] or 0)))

    # -- undo -----------------------------------------------------------------------------
    def undo(self) -> None:
        if self.binding is not None:
            self.binding.flush()
            self.binding.undo()

    def redo(self) -> None:
        if self.binding is not None:
            self.binding.redo()

    # -- citations ------------------------------------------------------------------------
    def insert_citation(self) -> None:
        if self.section is None or self.pick_citation is None:
            return
        value = self.pick_citation(self.section.proposal_id)
        if value:
            self.text.textCursor().insertText(OBJECT, embed_format(value))
            self._refresh_side()

    def show_citation(self, value: Any) -> None:
        items = (value or {}).get("citation", {}).get("items", [])
        if items:
            self.show_reference(items[0]["id"])

    def show_reference(self, reference_id: str) -> None:
        from .reference_popup import show_reference
        show_reference(self, self.workspace, reference_id)

    # -- comments -------------------------------------------------------------------------
    def _author(self) -> str | None:
        """Who writes on this copy; asked once, the first time it matters."""
        with self.workspace.session() as s:
            found = comments.me(s)
            team = members(s)
        if found or not team:
            return found
        names = [f"{m.name} ({m.organisation})" if m.organisation else m.name for m in team]
        chosen, ok = QInputDialog.getItem(self, _("Who are you?"),
                                          _("Your comments are signed with your name. You are:"),
                                          names, 0, False)
        if not ok:
            return None
        member_id = team[names.index(chosen)].id
        with self.workspace.session() as s:
            comments.set_me(s, member_id)
            s.commit()
        return member_id

    def add_comment(self) -> None:
        if self.section is None or self.binding is None:
            return
        body, ok = QInputDialog.getMultiLineText(self, _("Comment"), _("Your comment:"))
        if not ok or not body.strip():
            return
        cursor = self.text.textCursor()
        anchor: dict[str, Any] = {}
        if cursor.hasSelection():
            self.binding.flush()
            shadow = self.binding.shadow
            start = index_to_y(shadow, utf16_to_index(shadow, cursor.selectionStart()))
            end = index_to_y(shadow, utf16_to_index(shadow, cursor.selectionEnd()))
            anchor = comments.anchor_for(self.binding.ytext, start, end,
                                         cursor.selectedText().replace("\u2029", "\n"))
        with self.workspace.transaction() as tx:
            comments.add_comment(tx, self.section.section_id, body, anchor,
                                 author_id=self._author())
        self._refresh_side()
        self.side.setCurrentIndex(1)

    def reply(self) -> None:
        item = self.comments.currentItem()
        if item is None or self.section is None:
            return
        parent = item.parent() or item
        body, ok = QInputDialog.getMultiLineText(self, _("Reply"), _("Your reply:"))
        if ok and body.strip():
            with self.workspace.transaction() as tx:
                comments.add_comment(tx, self.section.section_id, body,
                                     parent_id=parent.data(0, Qt.ItemDataRole.UserRole),
                                     author_id=self._author())
            self._refresh_side()

    def toggle_resolved(self) -> None:
        item = self.comments.currentItem()
        if item is None:
            return
        top = item.parent() or item
        with self.workspace.transaction() as tx:
            comments.set_resolved(tx, top.data(0, Qt.ItemDataRole.UserRole),
                                  not top.data(0, Qt.ItemDataRole.UserRole + 1))
        self._refresh_side()

    def _comment_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        top = item.parent() or item
        anchor = top.data(0, Qt.ItemDataRole.UserRole + 2) or {}
        if self.binding is None or not anchor:
            return
        where = comments.resolve_anchor(self.binding.ytext, anchor)
        if where is None:
            return
        shadow = self.binding.shadow
        cursor = self.text.textCursor()
        cursor.setPosition(index_to_utf16(shadow, y_to_index(shadow, where[0])))
        cursor.setPosition(index_to_utf16(shadow, y_to_index(shadow, where[1])),
                           QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(cursor)

    def _refresh_side(self) -> None:
        self.guidance.setHtml(
            "".join(f"<p>{escape(p)}</p>" for p in self.section.guidance.split("\n") if p.strip())
            if self.section is not None and self.section.guidance else
            f"<p><i>{escape(_('This section has no guidance from the funder.'))}</i></p>")
        chosen = self.comments.currentItem()
        keep = chosen.data(0, Qt.ItemDataRole.UserRole) if chosen is not None else None
        self.comments.clear()
        if self.section is None:
            self.cited.clear()
            return
        with self.workspace.session() as s:
            rows = comments.comments_for(s, self.section.section_id)
        for row in rows:
            state = _("resolved") if row.resolved else ""
            top = QTreeWidgetItem([_wrapped(f"{row.author or _('Someone')}: {row.body}"
                                            + (f"  ({state})" if state else ""))])
            top.setData(0, Qt.ItemDataRole.UserRole, row.id)
            top.setData(0, Qt.ItemDataRole.UserRole + 1, row.resolved)
            top.setData(0, Qt.ItemDataRole.UserRole + 2, row.anchor)
            top.setToolTip(0, (f"“{row.anchor['quote']}”\n\n" if row.anchor.get("quote")
                               else "") + row.body)
            for reply in row.replies:
                child = QTreeWidgetItem([_wrapped(f"{reply.author or _('Someone')}: "
                                                  f"{reply.body}")])
                child.setData(0, Qt.ItemDataRole.UserRole, reply.id)
                top.addChild(child)
            self.comments.addTopLevelItem(top)
            top.setExpanded(True)
            for item in [top] + [top.child(i) for i in range(top.childCount())]:
                if item.data(0, Qt.ItemDataRole.UserRole) == keep:
                    self.comments.setCurrentItem(item)
        self._refresh_cited()
        self._highlight_comments()

    def _highlight_comments(self) -> None:
        """Passages with an open comment are shaded (a view of the comments, not a format of
        the text: nothing of it is stored or shared)."""
        marks = []
        if self.binding is not None and self.section is not None:
            shadow = self.binding.shadow
            for i in range(self.comments.topLevelItemCount()):
                item = self.comments.topLevelItem(i)
                anchor = item.data(0, Qt.ItemDataRole.UserRole + 2) or {}
                if item.data(0, Qt.ItemDataRole.UserRole + 1) or not anchor:
                    continue
                where = comments.resolve_anchor(self.binding.ytext, anchor)
                if where is None:
                    continue
                mark = QTextEdit.ExtraSelection()
                mark.cursor = QTextCursor(self.text.document())
                mark.cursor.setPosition(index_to_utf16(shadow, y_to_index(shadow, where[0])))
                mark.cursor.setPosition(index_to_utf16(shadow, y_to_index(shadow, where[1])),
                                        QTextCursor.MoveMode.KeepAnchor)
                mark.format.setBackground(QColor("#fff3b0"))
                marks.append(mark)
        self.text.setExtraSelections(marks)

    def _refresh_cited(self) -> None:
        if self.binding is None:
            self.cited.clear()
            return
        ids: list[str] = []
        for value, _attrs in self.binding.ytext.diff():
            if isinstance(value, dict):
                ids += [i.get("id", "") for i in value.get("citation", {}).get("items", [])]
        ids = list(dict.fromkeys(i for i in ids if i))
        with self.workspace.session() as s:
            found = {r.id: r for r in s.execute(
                select(Reference).where(Reference.id.in_(ids))).scalars()}
            lines = [f"<li><a href='{escape(r.id)}'>{escape(short_authors(r.authors))} "
                     f"{r.year or ''}</a> {escape(r.title)}</li>"
                     for r in (found.get(i) for i in ids) if r is not None]
        self.cited.setHtml(f"<ul>{''.join(lines)}</ul>" if lines else
                           f"<p><i>{escape(_('Nothing is cited in this section yet.'))}</i></p>")

    # -- counting -------------------------------------------------------------------------
    def words(self) -> int:
        return self.counter.count(self.binding.text()) if self.binding is not None else 0

    def measure(self) -> templates.Measure:
        """The section's counts; citations count as references, as funders see them."""
        if self.binding is None:
            return templates.Measure()
        text = self.binding.text()
        # The citations' words change only with the citations, the style or a remote edit,
        # not with each keystroke: remembered under those.
        key = (text.count(OBJECT), id(self.labels.engine), self.binding.remote_changes,
               id(self.binding))
        if key != self._cite_key:
            self._relabel()
            cite_text = " ".join(self.labels(v) for v, _a in self.binding.ytext.diff()
                                 if isinstance(v, dict)) if OBJECT in text else ""
            self._cite_key = key
            self._cite_counts = (documents.count_words(cite_text), len(cite_text))
        return templates.Measure(self.counter.count(text), len(text) - text.count(OBJECT),
                                 *self._cite_counts,
                                 sum(1 for line in text.splitlines() if line.strip()))

    def _proposal_citations(self) -> list[Any]:
        """The proposal's citations in document order, this section's as they are now."""
        assert self.section is not None and self.binding is not None
        if self._other_embeds is None:
            before: list[Any] = []
            after: list[Any] = []
            with self.workspace.session() as s:
                target = before
                for sid in proposals.section_ids(s, self.section.proposal_id):
                    if sid == self.section.section_id:
                        target = after
                        continue
                    target.extend(p for p in documents.segments(s, proposals.body_doc(sid))
                                  if isinstance(p, dict))
            self._other_embeds = (before, after)
        here = [v for v, _a in self.binding.ytext.diff() if isinstance(v, dict)]
        return self._other_embeds[0] + here + self._other_embeds[1]

    def _relabel(self) -> None:
        """Citations formatted at their place among all of the proposal's citations: in the
        background when there is a task runner, so that the section shows at once."""
        if self.labels.engine is None or self.section is None or self.binding is None:
            return
        values = self._proposal_citations()
        if self.labels.up_to_date(values):
            return
        binding = self.binding

        def done(result: Any) -> None:
            if self.binding is binding and self.labels.apply_document(result):
                binding.citations.invalidate()
                doc = self.text.document()
                doc.markContentsDirty(0, doc.characterCount())
                self._cite_key = ()
                self._recount()

        if self.runner is None:
            done(self.labels.compute_document(values))
        else:
            self.runner.run(_("Formatting citations"),
                            lambda _control: self.labels.compute_document(values), done,
                            lambda error: self.set_style_problem(str(error)))

    def _recount(self) -> None:
        if self.binding is None or self.section is None:
            self.count.setText("")
            return
        measured = self.measure()
        parts = [ngettext("{n} word", "{n} words", measured.words).format(n=measured.words),
                 ngettext("{n} character", "{n} characters", measured.characters).format(
                     n=measured.characters)]
        template, tsid = self.section.template, self.section.template_section
        if template is not None and tsid:
            for check in templates.check_limits(template, {tsid: measured}):
                if check.subject != tsid:
                    continue
                colour = STATE_COLOURS.get(check.state, "#000")
                used = f"{check.used:.1f}" if check.estimated else f"{int(check.used):,}"
                kind = _(templates.KIND_LABELS[check.limit.kind])
                bound = check.limit.describe()
                flag = "" if check.limit.provenance.status == "verified" \
                    else " " + _("(unverified)")
                severity = {"over": _("over the hard limit") if check.limit.hard
                            else _("over the indicative limit"),
                            "warning": _("close to the limit"), "under": _("below the minimum"),
                            "ok": ""}[check.state]
                parts.append(f"<span style='color:{colour}'><b>{used}</b> {escape(kind)} "
                             f"({escape(bound)}{escape(flag)})"
                             + (f" — {escape(severity)}" if severity else "") + "</span>")
        if self.store_problem:
            parts.insert(0, f"<span style='color:{ERROR_COLOUR}'><b>" + escape(_(
                "Your latest edits are not stored yet (tried again every two seconds): "
                "{reason}").format(reason=self.store_problem)) + "</b></span>")
        if self.style_problem:
            parts.append(f"<span style='color:{ERROR_COLOUR}'>"
                         + escape(_("Citations show as neutral markers: {reason}").format(
                             reason=self.style_problem)) + "</span>")
        self.count.setText(" · ".join(parts))
        self.sig_counts_changed.emit(self.section.section_id, measured.words)

