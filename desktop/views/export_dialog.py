"""The export dialog: the project lead exports a proposal to Word (and PDF), after seeing its
compliance report.

The proposal is read on the UI thread (database sessions stay on the thread that opened them);
the frozen content goes to the one ``TaskRunner``, whose worker formats the citations and writes
the files. The report shown before exporting counts the text without the formatted citations
and references; the export checks again with them and the dialog then shows that exact report.
"""
from __future__ import annotations

import os

import re
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QProgressBar,
                               QPushButton, QTextBrowser, QVBoxLayout, QWidget)

from ..export import pdf
from ..export.citeproc import ENGINES, CitationError
from ..export.csl_assets import MissingAssetError
from ..export.proposal_export import (ExportBlocked, ExportOptions, ExportResult, export_content,
                                      locale_for, style_for)
from ..i18n import N_, _, ngettext
from ..services.compliance import KINDS, ComplianceReport, compliance_report, describe_limit
from ..services.proposal_content import ProposalContent, load_proposal
from ..services.tasks import TaskControl
from ..services.workspace import Workspace
from .choice_box import ChoiceBox
from .dialogs import STYLE_NAMES
from .html import ERROR_COLOUR, OK_COLOUR, WARNING_COLOUR
from .new_proposal_dialog import limit_notes
from .workers import TaskRunner

OTHER_STYLE = ":csl-file"  # the item that asks for a .csl file; no style has this name
# The editor shows English citations with en-US; the export uses the same, so that what the
# writers saw is what gets exported.
CITATION_LOCALES = {"en-US": N_("English"), "nl-NL": N_("Dutch")}
STATE_COLOURS = {"ok": OK_COLOUR, "warning": WARNING_COLOUR, "over": ERROR_COLOUR,
                 "under": ERROR_COLOUR}
SEVERITY_LABELS = {"hard": N_("hard"), "warning": N_("warning")}
SEVERITY_COLOURS = {"hard": STATE_COLOURS["over"], "warning": STATE_COLOURS["warning"]}
# Characters Windows and macOS refuse in a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def default_file_name(content: ProposalContent) -> str:
    """``FREED.docx``: the acronym, else the title, without characters a file name cannot hold."""
    stem = " ".join(_UNSAFE.sub(" ", content.acronym or content.title).split())
    stem = stem[:80].strip(" .")  # Windows drops a trailing dot, and long names get unwieldy
    return f"{stem or 'proposal'}.docx"


def report_html(report: ComplianceReport, strict: bool) -> str:
    """The compliance report in the user's language: a summary, each limit coloured by its
    state, then the other problems by kind, hard ones marked."""
    hard, warnings = len(report.hard), len(report.problems) - len(report.hard)
    if not report.problems:
        summary = _("Nothing to fix: every check passes.")
    else:
        summary = ngettext("{n} hard problem", "{n} hard problems", hard).format(n=hard) + ", " \
            + ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings) + "."
        if hard:
            summary += " " + (_("Strict mode: hard problems stop the export.") if strict else
                              _("Hard problems do not stop the export unless strict mode is "
                                "on."))
    parts = [f"<p><b>{escape(summary)}</b></p>", f"<h4>{escape(_('Limits'))}</h4>"]
    if report.limits:
        rows = []
        for check in report.limits:
            colour = STATE_COLOURS[check.state]
            rows.append(f"<tr><td style='color:{colour}'>●</td>"
                        f"<td style='color:{colour}'>{escape(describe_limit(check))}</td>"
                        f"<td style='color:#555'>{escape(limit_notes(check.limit))}</td></tr>")
        parts.append(f"<table cellspacing='3'>{''.join(rows)}</table>")
        if any(check.estimated for check in report.limits):
            estimate = _("Pages are estimated from the number of words; the PDF shows the "
                         "real count.")
            parts.append(f"<p style='color:#555'>{escape(estimate)}</p>")
    else:
        parts.append(f"<p>{escape(_('The template sets no limits.'))}</p>")
    for kind, label in KINDS.items():
        found = [p for p in report.problems if p.kind == kind]
        if kind == "limit" or not found:
            continue  # limits that are not ok are shown, coloured, in the table above
        items = "".join(
            f"<li><span style='color:{SEVERITY_COLOURS[p.severity]}'>"
            f"{escape(_(SEVERITY_LABELS[p.severity]))}</span>: {escape(p.message)}</li>"
            for p in found)
        parts.append(f"<h4>{escape(_(label))}</h4><ul>{items}</ul>")
    return "".join(parts)


class ExportDialog(QDialog):
    """Options, the compliance report, and the export itself with progress and cancel.

    ``folder`` is where the file is proposed (the last one used, if the caller remembers it);
    after a successful export ``self.folder`` holds the folder written to.
    """

    def __init__(self, workspace: Workspace, runner: TaskRunner, proposal_id: str,
                 parent: QWidget | None = None, folder: str = "") -> None:
        super().__init__(parent)
        self.workspace, self.runner = workspace, runner
        with workspace.session() as session:
            self.content = load_proposal(session, proposal_id)
        # Without formatted citations the counts are a little low; the export recounts.
        self.report = compliance_report(self.content)
        self.folder = folder or str(Path.home())
        self.control: TaskControl | None = None
        self.result: ExportResult | None = None
        self._confirmed: Path | None = None  # a path the user agreed to overwrite
        self.setWindowTitle(_("Export {name}").format(
            name=self.content.acronym or self.content.title))

        styles = dict(STYLE_NAMES)
        styles[OTHER_STYLE] = N_("Style file (.csl)…")
        self.citation_style = ChoiceBox(styles, style_for(self.content, ExportOptions()))
        self._style = self.citation_style.value()
        if Path(self._style).suffix == ".csl":
            self.citation_style.setItemText(self.citation_style.currentIndex(),
                                            Path(self._style).name)
        self.citation_style.activated.connect(self._style_chosen)
        self.citation_locale = ChoiceBox(CITATION_LOCALES,
                                         locale_for(self.content, ExportOptions()) or "en-US")
        template = self.content.template
        self.toc = QCheckBox(_("Table of &contents"))
        self.toc.setChecked(bool(template is not None and template.format.toc))
        self.also_pdf = QCheckBox(_("Also save as &PDF"))
        self.pdf_support = pdf.available()  # looks for LibreOffice once per run, then cached
        self.also_pdf.setEnabled(self.pdf_support is not None)
        pdf_note = QLabel(_("A PDF needs LibreOffice, which is not installed on this "
                            "computer.") if self.pdf_support is None else "")
        pdf_note.setWordWrap(True)
        pdf_note.setVisible(self.pdf_support is None)
        self.comments = QCheckBox(_("Include the open co&mments as Word comments"))
        self.comments.setToolTip(_("Each comment goes on its passage, or on its section's "
                                   "heading when the passage was deleted, with its replies "
                                   "below it. Resolved comments are left out."))
        self.strict = QCheckBox(_("&Strict: do not export while there are hard problems"))
        self.strict.toggled.connect(lambda _on: self._show_report(self.report))
        self.output = QLineEdit(str(Path(self.folder) / default_file_name(self.content)))
        self.output.textChanged.connect(self._update_buttons)
        browse = QPushButton(_("Save &as…"))
        browse.clicked.connect(self._browse)
        output_row = QHBoxLayout()
        output_row.addWidget(self.output, 1)
        output_row.addWidget(browse)

        form = QFormLayout()
        form.addRow(_("Citation st&yle:"), self.citation_style)
        form.addRow(_("&Language of the citations:"), self.citation_locale)
        form.addRow("", self.toc)
        form.addRow("", self.also_pdf)
        form.addRow("", pdf_note)
        form.addRow("", self.comments)
        form.addRow("", self.strict)
        output_label = QLabel(_("&File:"))
        output_label.setBuddy(self.output)  # a row holding a layout gets no buddy of its own
        form.addRow(output_label, output_row)

        self.report_view = QTextBrowser()
        self.report_view.setOpenLinks(False)
        report_label = QLabel(_("Compliance report"))
        report_label.setStyleSheet("font-weight: bold")

        self.progress_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton(_("Cancel export"))
        self.cancel_button.clicked.connect(self.cancel)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        self.progress_box.hide()

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_file = QPushButton(_("Open the &document"))
        self.open_file.clicked.connect(lambda: self._open(self.result.docx if self.result
                                                          else None))
        self.open_folder = QPushButton(_("Open the f&older"))
        self.open_folder.clicked.connect(lambda: self._open(self.result.docx.parent
                                                            if self.result else None))
        result_row = QHBoxLayout()
        result_row.addWidget(self.message, 1)
        result_row.addWidget(self.open_file)
        result_row.addWidget(self.open_folder)

        # Enter exports, whatever has the focus: no other button may become the default.
        for button in (browse, self.cancel_button, self.open_file, self.open_folder):
            button.setAutoDefault(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(_("&Export"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet(f"color: {STATE_COLOURS['over']}")

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(report_label)
        layout.addWidget(self.report_view, 1)
        layout.addWidget(self.progress_box)
        layout.addLayout(result_row)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        # Only now, inside the dialog: a button box outside it does not pass the default on.
        self.export_button.setDefault(True)  # Enter
        self._show_result(None)
        self._show_report(self.report)
        self.resize(680, 640)

    # -- options --------------------------------------------------------------------------
    def _style_chosen(self, _index: int) -> None:
        if self.citation_style.value() != OTHER_STYLE:
            self._style = self.citation_style.value()
            return
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Choose a citation style"), self.folder, _("CSL styles (*.csl)"))
        if name:
            self.citation_style.set_value(name)
            self.citation_style.setItemText(self.citation_style.currentIndex(), Path(name).name)
            self._style = name
        else:
            self.citation_style.set_value(self._style)

    def _browse(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, _("Export the proposal as"), self.output.text(),
            _("Word documents (*.docx)"))
        if name:
            self.output.setText(name)
            self._confirmed = self.output_path()  # the file dialog asked about replacing it

    def options(self) -> ExportOptions:
        return ExportOptions(style=self._style, locale=self.citation_locale.value(),
                             pdf=self.also_pdf.isChecked() and self.also_pdf.isEnabled(),
                             strict=self.strict.isChecked(), toc=self.toc.isChecked(),
                             comments=self.comments.isChecked())

    def output_path(self) -> Path | None:
        text = self.output.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        if not path.name or text.endswith(("/", os.sep)) or path.is_dir():
            return None  # a folder, not yet a file in it
        return path if path.suffix.lower() == ".docx" else path.with_name(path.name + ".docx")

    # -- state ----------------------------------------------------------------------------
    def busy(self) -> bool:
        return self.control is not None

    def _show_report(self, report: ComplianceReport) -> None:
        self.report = report
        # The summary line says whether hard problems block, which depends on strict mode.
        self.report_view.setHtml(report_html(report, self.strict.isChecked()))
        self._update_buttons()

    def _update_buttons(self) -> None:
        reason = ""
        if self.report.blocks(self.strict.isChecked()):
            reason = ngettext(
                "Strict mode: solve the hard problem in the report first, or turn strict "
                "mode off.", "Strict mode: solve the {n} hard problems in the report first, "
                "or turn strict mode off.", len(self.report.hard)).format(n=len(self.report.hard))
        elif self.output_path() is None:
            reason = _("Choose the file to save.")
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        self.export_button.setEnabled(not reason and not self.busy())
        self.export_button.setToolTip(reason)

    def _show_result(self, text: str | None, error: bool = False,
                     files: bool = False) -> None:
        self.message.setText(text or "")
        self.message.setVisible(bool(text))
        self.message.setStyleSheet(f"color: {STATE_COLOURS['over']}" if error else "")
        self.open_file.setVisible(files)
        self.open_folder.setVisible(files)

    # -- exporting ------------------------------------------------------------------------
    def export(self) -> None:
        output = self.output_path()
        if output is None or self.busy() or not self.export_button.isEnabled():
            return
        if output.exists() and output != self._confirmed and QMessageBox.question(
                self, _("Replace the file?"),
                _("{file} already exists. Replace it?").format(file=output)) \
                != QMessageBox.StandardButton.Yes:
            return
        content, options = self.content, self.options()
        self._show_result(None)
        self.progress.setRange(0, 0)
        self.progress_label.setText(_("Exporting {name}").format(name=output.name))
        self.progress_box.show()
        self.runner.sig_task_progress.connect(self._progress)
        self.runner.sig_task_cancelled.connect(self._cancelled)
        # A placeholder until run() returns: with an inline runner the task is over by then.
        self.control = TaskControl()
        self._update_buttons()
        def export(c: TaskControl) -> ExportResult:
            # The engine the editor formats with, when it is this style: already built. The
            # one task runner never runs the editor's formatting and an export at once.
            engine = ENGINES.get(style_for(content, options), locale_for(content, options))
            return export_content(content, output, options, c, engine)

        control = self.runner.run(_("Exporting {name}").format(name=output.name), export,
                                  self._done, self._failed)
        if self.control is not None:
            self.control = control

    def cancel(self) -> None:
        if self.control is not None:
            self.control.cancel()
            self.cancel_button.setEnabled(False)

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        if message:
            self.progress_label.setText(message)

    def _finish(self) -> None:
        self.runner.sig_task_progress.disconnect(self._progress)
        self.runner.sig_task_cancelled.disconnect(self._cancelled)
        self.control = None
        self.progress_box.hide()
        self.cancel_button.setEnabled(True)
        self._update_buttons()

    def _done(self, result: ExportResult) -> None:
        self._finish()
        self.result = result
        self.folder = str(result.docx.parent)
        self._confirmed = result.docx
        self._show_report(result.report)
        files = [result.docx.name] + ([result.pdf.name] if result.pdf else [])
        self._show_result(_("Saved {files} in {folder}.").format(
            files=", ".join(files), folder=result.docx.parent), files=True)

    def _cancelled(self, _title: str) -> None:
        self._finish()
        self._show_result(_("Export cancelled; no file was written."))

    def _failed(self, error: BaseException) -> None:
        self._finish()
        output = self.output_path()
        if isinstance(error, ExportBlocked):
            self._show_report(error.report)
            text = _("Strict mode: the formatted citations left hard problems in the report, "
                     "so nothing was written.")
        elif isinstance(error, pdf.PdfError) and output is not None and output.exists():
            text = _("The Word document was saved as {file}, but the PDF could not be made: "
                     "{reason}").format(file=output, reason=error)
        elif isinstance(error, (CitationError, MissingAssetError)):
            text = _("The citations could not be formatted, so nothing was written: {reason}"
                     ).format(reason=error)
        elif isinstance(error, OSError):
            text = _("{file} could not be written: {reason}. Choose another file or folder."
                     ).format(file=output, reason=error.strerror or error)
        else:
            text = _("The export failed, nothing was written: {reason}").format(reason=error)
        self._show_result(text, error=True)

    def _open(self, path: Path | None) -> None:
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # -- closing: Esc or the window's close button cancel a running export first ----------
    def reject(self) -> None:
        if self.busy():
            self.cancel()
        else:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.busy():
            self.cancel()
            event.ignore()
        else:
            super().closeEvent(event)
