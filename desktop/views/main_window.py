"""The main window: navigation between Questions, Library, Proposals and Sync, menus, status bar.

The window shows one open workspace. It asks the application (``app.py``) for anything that
changes which workspace is open or how the app is configured, through ``sig_*_requested``
signals, and never opens files or settings itself.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QProgressBar, QStackedWidget, QStyle, QToolButton, QWidget)

from .. import APP_NAME
from ..i18n import _, ngettext
from ..services.workspace import Workspace
from .dialogs import show_about
from .library_page import LibraryPage
from .proposals_page import ProposalsPage
from .questions_page import QuestionsPage
from .sync_page import SyncPage
from .workers import TaskRunner

PAGES = ("questions", "library", "proposals", "sync")


class TaskIndicator(QWidget):
    """Status-bar widget for the running task: what it does, how far, and a cancel button."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(220)
        self.cancel = QToolButton()
        self.cancel.setText(_("Cancel"))
        self.cancel.setToolTip(_("Stop this task; nothing it changed is kept"))
        self.cancel.clicked.connect(runner.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.label, self.bar, self.cancel):
            layout.addWidget(w)
        runner.sig_task_started.connect(self._started)
        runner.sig_task_progress.connect(self._progress)
        runner.sig_task_finished.connect(lambda _title: self.hide())
        self.hide()

    def _started(self, title: str) -> None:
        self.label.setText(title)
        self.bar.setRange(0, 0)
        self.show()

    def _progress(self, done: int, total: int, message: str) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        if message:
            self.label.setText(message)


class MainWindow(QMainWindow):
    sig_open_requested = Signal()
    sig_new_requested = Signal()
    sig_demo_requested = Signal()
    sig_preferences_requested = Signal()
    sig_import_requested = Signal()
    sig_export_requested = Signal()
    sig_export_proposal_requested = Signal()
    sig_team_requested = Signal()
    sig_closing = Signal(QByteArray, QByteArray, str)  # geometry, state, current page

    def __init__(self, workspace: Workspace, runner: TaskRunner, undo_stack: QUndoStack,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = runner
        self.undo_stack = undo_stack
        self.setObjectName("MainWindow")
        self.setWindowTitle(f"{workspace.name()} — {APP_NAME}")
        self.resize(1280, 800)

        self.pages = {
            "questions": QuestionsPage(workspace, runner),
            "library": LibraryPage(workspace),
            "proposals": ProposalsPage(workspace, runner),
            "sync": SyncPage(workspace),
        }
        self.pages["library"].undo_stack = undo_stack
        self.pages["questions"].undo_stack = undo_stack
        self.pages["proposals"].undo_stack = undo_stack
        self.pages["library"].sig_library_changed.connect(self.update_summary)
        self.pages["proposals"].sig_proposals_changed.connect(self.update_summary)
        self.pages["questions"].sig_proposal_requested.connect(self._proposal_for_question)
        self.pages["library"].sig_library_changed.connect(
            self.pages["proposals"].editor.refresh_citations)
        self.stack = QStackedWidget()
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(24, 24))
        self.nav.setFixedWidth(170)
        style = self.style()
        icons = {
            "questions": QStyle.StandardPixmap.SP_MessageBoxQuestion,
            "library": QStyle.StandardPixmap.SP_FileDialogDetailedView,
            "proposals": QStyle.StandardPixmap.SP_FileIcon,
            "sync": QStyle.StandardPixmap.SP_BrowserReload,
        }
        names = {"questions": _("Questions"), "library": _("Library"),
                 "proposals": _("Proposals"), "sync": _("Sync")}
        for key in PAGES:
            item = QListWidgetItem(style.standardIcon(icons[key]), names[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
            self.stack.addWidget(self.pages[key])
        self.nav.currentRowChanged.connect(self._show_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_menus(names)
        self._build_status_bar()
        self.nav.setCurrentRow(0)

    # -- construction -----------------------------------------------------------------------
    def _action(self, text: str, slot: object, shortcut: QKeySequence | str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_menus(self, names: dict[str, str]) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        file_menu.addAction(self._action(_("&New workspace…"), self.sig_new_requested.emit,
                                         QKeySequence.StandardKey.New,
                                         _("Create an empty workspace file")))
        file_menu.addAction(self._action(_("&Open workspace…"), self.sig_open_requested.emit,
                                         QKeySequence.StandardKey.Open,
                                         _("Open a workspace file")))
        file_menu.addAction(self._action(_("Open the &demo workspace…"),
                                         self.sig_demo_requested.emit,
                                         tip=_("Create and open a fresh copy of the demo")))
        file_menu.addSeparator()
        file_menu.addAction(self._action(_("&Import references…"), self.sig_import_requested.emit,
                                         "Ctrl+I", _("Import BibTeX, BibLaTeX, RIS or CSL-JSON "
                                                     "files into the library")))
        file_menu.addAction(self._action(_("&Export library…"), self.sig_export_requested.emit,
                                         "Ctrl+Shift+E", _("Write the library (or the selected "
                                                           "references) to a file")))
        file_menu.addAction(self._action(_("New &proposal…"),
                                         lambda: self.pages["proposals"].new_proposal(),
                                         "Ctrl+Shift+N", _("Start a proposal from a funder's "
                                                           "template")))
        file_menu.addAction(self._action(_("Export proposal to &Word…"),
                                         # Save As: the proposal saved as a Word file (Ctrl+E
                                         # moves to a line's end in text on X11).
                                         self.sig_export_proposal_requested.emit,
                                         QKeySequence.StandardKey.SaveAs,
                                         _("Check the selected proposal and write it as a Word "
                                           "document")))
        file_menu.addSeparator()
        file_menu.addAction(self._action(_("&Team members…"), self.sig_team_requested.emit,
                                         "Ctrl+Shift+M", _("Who is in the team, and what they "
                                                           "know about")))
        file_menu.addAction(self._action(_("Funder &templates…"), self.edit_templates,
                                         "Ctrl+Shift+T", _("The funders' forms and their limits; "
                                                           "clone one to edit it")))
        file_menu.addSeparator()
        prefs = self._action(_("&Preferences…"), self.sig_preferences_requested.emit, "Ctrl+,")
        prefs.setMenuRole(QAction.MenuRole.PreferencesRole)
        file_menu.addAction(prefs)
        file_menu.addSeparator()
        quit_action = self._action(_("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(quit_action)

        edit_menu = bar.addMenu(_("&Edit"))
        undo = self.undo_stack.createUndoAction(self, _("&Undo"))
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, _("&Redo"))
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self._action(_("&Find"), self._focus_filter,
                                         QKeySequence.StandardKey.Find))
        edit_menu.addSeparator()
        edit_menu.addAction(self._action(_("Dutch–English &terms…"), self.edit_terms,
                                         tip=_("The Dutch and English words matching "
                                               "takes as one; add your own")))

        view_menu = bar.addMenu(_("&View"))
        for number, key in enumerate(PAGES, 1):
            view_menu.addAction(self._action(names[key], lambda _c=False, k=key: self.show_page(k),
                                             f"Ctrl+{number}"))
        view_menu.addSeparator()
        view_menu.addAction(self._action(_("&Refresh"), self.refresh, QKeySequence.StandardKey.Refresh))
        view_menu.addAction(self._action(_("&Full screen"), self._toggle_full_screen,
                                         QKeySequence.StandardKey.FullScreen))

        help_menu = bar.addMenu(_("&Help"))
        about = self._action(_("&About {app}").format(app=APP_NAME), lambda: show_about(self))
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)
        about_qt = self._action(_("About &Qt"), self._about_qt)
        about_qt.setMenuRole(QAction.MenuRole.AboutQtRole)
        help_menu.addAction(about_qt)

    def _build_status_bar(self) -> None:
        self.summary = QLabel()
        self.statusBar().addPermanentWidget(TaskIndicator(self.runner, self))
        self.runner.sig_task_cancelled.connect(lambda title: self.statusBar().showMessage(
            _("{task}: cancelled; nothing was changed.").format(task=title), 10000))
        self.statusBar().addPermanentWidget(self.summary)
        self.update_summary()

    # -- behaviour --------------------------------------------------------------------------
    def update_summary(self) -> None:
        counts = self.workspace.info().counts
        parts = [
            ngettext("{n} question", "{n} questions", counts["practice_question"]),
            ngettext("{n} reference", "{n} references", counts["reference"]),
            ngettext("{n} proposal", "{n} proposals", counts["proposal"]),
        ]
        text = " · ".join(p.format(n=n) for p, n in zip(
            parts, (counts["practice_question"], counts["reference"], counts["proposal"])))
        self.summary.setText(f"{self.workspace.name()}: {text}")
        self.summary.setToolTip(str(self.workspace.path))

    def show_page(self, key: str) -> None:
        if key in PAGES:
            self.nav.setCurrentRow(PAGES.index(key))

    def current_page(self) -> str:
        return PAGES[max(0, self.nav.currentRow())]

    def refresh(self) -> None:
        for page in self.pages.values():
            page.refresh()
        self.update_summary()

    def _show_row(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        if PAGES[row] == "proposals":
            self.pages["proposals"].activate()

    def _focus_filter(self) -> None:
        self.pages[self.current_page()].focus_filter()

    def _proposal_for_question(self, question_id: str) -> None:
        self.show_page("proposals")
        self.pages["proposals"].new_proposal([question_id])

    def edit_templates(self) -> None:
        from .template_editor import TemplateEditorDialog
        TemplateEditorDialog(self).exec()
        self.pages["proposals"].refresh()

    def edit_terms(self) -> None:
        from .term_list_dialog import TermListDialog
        if TermListDialog(self).exec():
            # The selected question's suggestions were matched with the old terms.
            self.pages["questions"].refresh()

    def _toggle_full_screen(self) -> None:
        self.setWindowState(self.windowState() ^ Qt.WindowState.WindowFullScreen)

    def _about_qt(self) -> None:
        from PySide6.QtWidgets import QApplication
        QApplication.aboutQt()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.pages["proposals"].editor.close_section()   # the last keystrokes are written
        self.sig_closing.emit(self.saveGeometry(), self.saveState(), self.current_page())
        super().closeEvent(event)
