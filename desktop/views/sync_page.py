"""The Sync page: this copy's identity in the team and what it has to share."""
from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QLabel, QSizePolicy, QTextBrowser, QVBoxLayout, QWidget

from ..i18n import _, ngettext
from ..services import members
from ..services.workspace import Workspace
from .html import field_table


class SyncPage(QWidget):
    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.title_label = QLabel()
        self.body = QTextBrowser()
        layout = QVBoxLayout(self)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.title_label)
        layout.addWidget(self.body, 1)
        self.retranslate()

    def focus_filter(self) -> None:
        self.body.setFocus()

    def retranslate(self) -> None:
        self.title_label.setText(f"<h2>{escape(_('Sync'))}</h2>")
        self.refresh()

    def refresh(self) -> None:
        info = self.workspace.info()
        with self.workspace.session() as s:
            team = members.members(s)
        facts = field_table([
            (_("Workspace"), info.name), (_("File"), info.path),
            (_("This copy (replica)"), info.replica_id),
            (_("Changes recorded"), str(info.changes)),
        ])
        people = "".join(f"<li>{escape(m.name)} — {escape(m.organisation)}</li>" for m in team)
        self.body.setHtml(
            f"{facts}<p>{escape(ngettext('{n} change is recorded in this copy and will be shared with the team.', '{n} changes are recorded in this copy and will be shared with the team.', info.changes).format(n=info.changes))} "
            f"{escape(_('Every edit is stamped with the time and this copy, so that copies edited offline can be merged field by field.'))}</p>"
            f"<p><b>{escape(_('No shared folder or bundle file is set up for this workspace yet.'))}</b> "
            f"{escape(_('Sharing through a shared folder (OneDrive, SURFdrive, a network share) or a bundle file by e-mail is not available in this version.'))}</p>"
            f"<h4>{escape(_('Team'))}</h4><ul>{people}</ul>")
