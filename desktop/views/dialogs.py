"""Preferences and About dialogs."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QWidget)

from .. import APP_NAME, __version__
from ..i18n import LANGUAGES, N_, _
from ..paths import data_dir
from ..settings import CITATION_STYLES, Settings

STYLE_NAMES = {
    "apa": N_("APA 7th edition"), "vancouver": N_("Vancouver (NLM)"),
    "harvard-cite-them-right": N_("Harvard (Cite Them Right)"),
    "chicago-author-date": N_("Chicago (author-date)"), "ieee": N_("IEEE"),
}


@dataclass(frozen=True)
class Preferences:
    language: str
    citation_style: str
    data_folder: str


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Preferences"))
        self.language = QComboBox()
        self.language.addItem(_("System default"), "system")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.style = QComboBox()
        for code in CITATION_STYLES:
            self.style.addItem(_(STYLE_NAMES[code]), code)
        self.style.setCurrentIndex(max(0, self.style.findData(settings.citation_style)))
        self.folder = QLineEdit(settings.data_folder)
        self.folder.setPlaceholderText(str(data_dir()))
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        form = QFormLayout(self)
        form.addRow(_("&Language:"), self.language)
        form.addRow(_("Default &citation style:"), self.style)
        folder_label = QLabel(_("&Data folder:"))
        folder_label.setBuddy(self.folder)  # a row holding a layout gets no buddy of its own
        form.addRow(folder_label, folder_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, self.sizeHint().height())

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the data folder"),
                                                  self.folder.text() or str(data_dir()))
        if folder:
            self.folder.setText(folder)

    def values(self) -> Preferences:
        return Preferences(self.language.currentData(), self.style.currentData(),
                           self.folder.text().strip())


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, _("About {app}").format(app=APP_NAME), (
        f"<h3>{APP_NAME} {__version__}</h3>"
        f"<p>{_('Tandem helps a practitioner and a researcher turn a question from practice into a joint research proposal: matched literature, co-written sections and a Word document ready to submit.')}</p>"
        f"<p>{_('Licensed under the GNU Affero General Public License, version 3 or later.')}</p>"))
