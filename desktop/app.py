"""Composition root: settings, language, the open workspace, the task runner, the main window.

``TandemApp`` decides which workspace is open. On the first start (no workspace file yet) it
builds the demo workspace in the background, with a progress dialog that can cancel it.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QIcon, QUndoStack
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog, QWidget

from . import APP_NAME, __version__, i18n, resources_dir, settings
from .i18n import _, ngettext
from .models.database import SUFFIX, WorkspaceError
from .paths import data_dir, default_workspace
from .services.demo import build_demo
from .services.tasks import TaskControl
from .services.workspace import Workspace
from .views.dialogs import PreferencesDialog
from .views.main_window import MainWindow
from .views.workers import TaskRunner


class TandemApp(QObject):
    def __init__(self, qapp: QApplication, prefs: settings.Settings, *,
                 inline_tasks: bool = False) -> None:
        super().__init__()
        self.qapp = qapp
        self.settings = prefs
        self.runner = TaskRunner(self, inline=inline_tasks)
        self.undo_stack = QUndoStack(self)
        self.workspace: Workspace | None = None
        self.window: MainWindow | None = None
        self._qt_translator: QTranslator | None = None
        self.exit_code = 0
        self.apply_language()

    # -- language ---------------------------------------------------------------------------
    def apply_language(self) -> None:
        code = i18n.set_language(self.settings.language)
        if self._qt_translator is not None:
            self.qapp.removeTranslator(self._qt_translator)
            self._qt_translator = None
        QLocale.setDefault(QLocale(code))
        translator = QTranslator(self)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if code != "en" and translator.load(f"qtbase_{code}", folder):
            self.qapp.installTranslator(translator)
            self._qt_translator = translator

    # -- workspaces -------------------------------------------------------------------------
    def start(self, workspace_arg: str | None) -> None:
        if workspace_arg:
            path = Path(workspace_arg).expanduser()
        elif self.settings.last_workspace and Path(self.settings.last_workspace).exists():
            path = Path(self.settings.last_workspace)
        else:
            path = default_workspace(self.settings.data_folder or None)
        if path.exists():
            self.open_workspace(path)
        else:
            self.create_demo(path)

    def open_workspace(self, path: Path) -> bool:
        try:
            workspace = Workspace.open(path)
        except WorkspaceError as exc:
            QMessageBox.critical(self.window, _("Cannot open workspace"), str(exc))
            if self.window is None:
                self.exit_code = 1
                self.qapp.exit(1)
            return False
        self._close_window()
        if self.workspace is not None:
            self.workspace.close()
        self.workspace = workspace
        self.undo_stack.clear()
        self.settings.last_workspace = str(workspace.path)
        recent = [str(workspace.path)] + [p for p in self.settings.recent_workspaces
                                          if p != str(workspace.path)]
        self.settings.recent_workspaces = recent[:8]
        self._save_settings()
        self.show_window()
        return True

    def create_demo(self, path: Path) -> None:
        """Build the demo workspace at ``path`` in the background, then open it."""
        dialog = QProgressDialog(_("Preparing the demo workspace…"), _("Cancel"), 0, 0,
                                 self.window)
        dialog.setWindowTitle(APP_NAME)
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(self.runner.cancel)

        def progress(done: int, total: int, message: str) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done)
            dialog.setLabelText(message)

        def done(built: Path) -> None:
            self.runner.sig_task_progress.disconnect(progress)
            dialog.reset()
            self.open_workspace(built)

        def failed(error: BaseException) -> None:
            self.runner.sig_task_progress.disconnect(progress)
            dialog.reset()
            QMessageBox.critical(self.window, _("Cannot create the demo workspace"), str(error))
            if self.window is None:
                self.exit_code = 1
                self.qapp.exit(1)

        self.runner.sig_task_progress.connect(progress)
        control = self.runner.run(_("Preparing the demo workspace"),
                                  lambda c: build_demo(path, c), done, failed)
        dialog.canceled.connect(lambda: self._demo_cancelled(control))

    def _demo_cancelled(self, control: TaskControl) -> None:
        control.cancel()
        if self.window is None:
            self.runner.wait()
            self.qapp.exit(0)

    # -- window -----------------------------------------------------------------------------
    def show_window(self) -> None:
        assert self.workspace is not None
        window = MainWindow(self.workspace, self.runner, self.undo_stack)
        if self.settings.window_geometry:
            window.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode()))
        if self.settings.window_state:
            window.restoreState(QByteArray.fromBase64(self.settings.window_state.encode()))
        window.show_page(self.settings.page)
        window.sig_closing.connect(self._remember_window)
        window.sig_preferences_requested.connect(self.edit_preferences)
        window.sig_open_requested.connect(self._ask_open)
        window.sig_new_requested.connect(self._ask_new)
        window.sig_demo_requested.connect(self._ask_demo)
        window.sig_import_requested.connect(self.ask_import)
        window.sig_export_requested.connect(self.ask_export)
        window.sig_export_proposal_requested.connect(self.export_proposal)
        window.sig_team_requested.connect(self.edit_team)
        self.window = window
        window.show()
        if os.environ.get("TANDEM_EXIT_WHEN_SHOWN"):  # start-up benchmark: stop at first paint
            QTimer.singleShot(0, self.qapp.quit)

    def _close_window(self) -> None:
        if self.window is not None:
            window, self.window = self.window, None
            window.close()
            window.deleteLater()

    def _remember_window(self, geometry: QByteArray, state: QByteArray, page: str) -> None:
        self.settings.window_geometry = bytes(geometry.toBase64().data()).decode()
        self.settings.window_state = bytes(state.toBase64().data()).decode()
        self.settings.page = page
        self._save_settings()

    def _save_settings(self) -> None:
        try:
            settings.save(self.settings)
        except OSError as exc:
            QMessageBox.warning(self.window, _("Settings not saved"),
                                _("Your preferences could not be saved: {reason}")
                                .format(reason=exc))

    def _file_filter(self) -> str:
        return _("Tandem workspaces (*{suffix})").format(suffix=SUFFIX)

    def _start_folder(self) -> str:
        return self.settings.data_folder or str(data_dir())

    def _ask_open(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self.window, _("Open workspace"),
                                                    self._start_folder(), self._file_filter())
        if name:
            self.open_workspace(Path(name))

    def _ask_new(self) -> None:
        name = self._ask_save_name(_("New workspace"))
        if name is None:
            return
        try:
            Workspace.create(name, name=name.stem, language=i18n.current_language()).close()
        except WorkspaceError as exc:
            QMessageBox.critical(self.window, _("Cannot create workspace"), str(exc))
            return
        self.open_workspace(name)

    def _ask_demo(self) -> None:
        name = self._ask_save_name(_("Save the demo workspace as"))
        if name is not None:
            self.create_demo(name)

    def _ask_save_name(self, title: str) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(self.window, title, self._start_folder(),
                                                    self._file_filter())
        if not name:
            return None
        path = Path(name)
        if path.suffix != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        if path.exists():
            QMessageBox.warning(self.window, title,
                                _("{path} already exists; choose another file name.")
                                .format(path=path))
            return None
        return path

    def ask_import(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self.window, _("Import references"), self.settings.last_import_folder or
            str(Path.home()), _("Bibliographies (*.bib *.bibtex *.biblatex *.ris *.json *.txt);;"
                                "All files (*)"))
        if names:
            self.settings.last_import_folder = str(Path(names[0]).parent)
            self.import_files([Path(n) for n in names])

    def import_files(self, paths: list[Path]) -> None:
        # Imported here: the readers pull in bibtexparser, which the first window can do without.
        from .services.library_import import ImportReport, import_files
        from .views.import_report import ImportReportDialog

        assert self.workspace is not None
        workspace = self.workspace

        def done(report: ImportReport) -> None:
            if self.window is not None:
                self.window.refresh()
                self.window.show_page("library")
            ImportReportDialog(report, self.window).exec()

        def failed(error: BaseException) -> None:
            QMessageBox.critical(self.window, _("Import failed"),
                                 _("Nothing was imported: {reason}").format(reason=error))

        self.runner.run(_("Importing references"),
                        lambda control: import_files(workspace, paths, control), done, failed)

    def export_proposal(self) -> None:
        assert self.window is not None
        self.window.show_page("proposals")
        page = self.window.pages["proposals"]
        folder = page.export_proposal(self.settings.last_export_folder)
        if folder and folder != self.settings.last_export_folder:
            self.settings.last_export_folder = folder
            self._save_settings()

    def ask_export(self) -> None:
        assert self.workspace is not None and self.window is not None
        selected = self.window.pages["library"].selected_ids()
        name, chosen = QFileDialog.getSaveFileName(
            self.window, _("Export library") if not selected else
            ngettext("Export {n} selected reference", "Export {n} selected references",
                     len(selected)).format(n=len(selected)),
            str(Path(self.settings.last_import_folder or Path.home()) / "library.bib"),
            _("BibTeX (*.bib);;CSL-JSON (*.json)"))
        if not name:
            return
        from .services.library_export import export

        fmt = "csljson" if name.endswith(".json") or "json" in chosen.lower() else "bibtex"
        workspace = self.workspace

        def write(_control: TaskControl) -> int:
            with workspace.session() as session:
                return export(session, Path(name), fmt, selected or None)

        def done(count: int) -> None:
            if self.window is not None:
                self.window.statusBar().showMessage(ngettext(
                    "{n} reference written to {file}", "{n} references written to {file}",
                    count).format(n=count, file=name), 8000)

        def failed(error: BaseException) -> None:
            QMessageBox.critical(self.window, _("Export failed"), _(
                "{file} was not written: {reason}").format(file=name, reason=error))

        self.runner.run(_("Exporting references"), write, done, failed)

    def edit_team(self) -> None:
        from .views.team_dialog import TeamDialog

        assert self.workspace is not None
        TeamDialog(self.workspace, self.undo_stack, self.window).exec()
        if self.window is not None:
            self.window.refresh()

    def edit_preferences(self) -> None:
        dialog = PreferencesDialog(self.settings, self.window)
        if not dialog.exec():
            return
        chosen = dialog.values()
        language_changed = chosen.language != self.settings.language
        folder_changed = chosen.data_folder != self.settings.data_folder
        self.settings.language = chosen.language
        self.settings.citation_style = chosen.citation_style
        self.settings.data_folder = chosen.data_folder
        self._save_settings()
        if language_changed:
            self.apply_language()
            page = self.window.current_page() if self.window else self.settings.page
            if self.window is not None:
                self._remember_window(self.window.saveGeometry(), self.window.saveState(), page)
            self._close_window()
            self.show_window()
        if folder_changed and self.window is not None:
            self.window.statusBar().showMessage(
                _("New workspaces will be kept in {folder}.").format(
                    folder=chosen.data_folder or data_dir()), 8000)

    def shutdown(self) -> None:
        self.runner.cancel()
        self.runner.wait()
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None


def make_qapplication(argv: list[str]) -> QApplication:
    existing = QApplication.instance()
    qapp = existing if isinstance(existing, QApplication) else QApplication(argv)
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationVersion(__version__)
    qapp.setOrganizationName(APP_NAME)
    icon = resources_dir() / "icons" / "tandem.svg"
    if icon.exists():
        qapp.setWindowIcon(QIcon(str(icon)))
    return qapp


def run_app(workspace_arg: str | None = None) -> int:
    qapp = make_qapplication(sys.argv[:1])
    prefs, problem = settings.load()
    app = TandemApp(qapp, prefs)
    if problem:
        QMessageBox.warning(QWidget(), _("Settings reset"),
                            _("Your preferences could not be read and were reset: {reason}")
                            .format(reason=problem))
    app.start(workspace_arg)
    code = qapp.exec() if app.exit_code == 0 else app.exit_code
    app.shutdown()
    return code or app.exit_code
