"""A reference described in HTML (the library's detail panel, and the window that opens when a
writer clicks a citation in a section), with where it was screened and where it is cited."""
from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ..i18n import _
from ..services import matches, references, section_bodies
from ..services.bibentry import FORMATS
from ..services.workspace import Workspace
from .html import field_table


def reference_html(workspace: Workspace, reference_id: str, original: bool = True) -> str:
    with workspace.session() as s:
        r = references.reference_detail(s, reference_id)
        screened = matches.screenings_of_reference(s, reference_id)
        cited = section_bodies.where_cited(s, reference_id)
    if r is None:
        return f"<p><i>{escape(_('This reference is no longer in the library.'))}</i></p>"
    doi = (f"<p><a href='https://doi.org/{escape(r.doi)}'>doi:{escape(r.doi)}</a></p>"
           if r.doi else "")
    fields = field_table([
        (_("Authors"), "; ".join(r.authors)), (_("Editors"), "; ".join(r.editors)),
        (_("Year"), str(r.year or "")), (_("Type"), r.csl_type),
        (_("Venue"), r.container_title), (_("Volume"), r.volume), (_("Issue"), r.issue),
        (_("Pages"), r.page), (_("Publisher"), r.publisher), (_("ISBN"), r.isbn),
        (_("URL"), r.url), (_("Keywords"), ", ".join(r.keywords)),
        (_("Citation key"), r.citation_key), (_("Note"), r.note),
    ])
    abstract = (f"<h4>{escape(_('Abstract'))}</h4><p>{escape(r.abstract)}</p>"
                if r.abstract else "")
    record = ""
    if original:
        source = FORMATS.get(r.original_format, r.original_format)
        record = (f"<h4>{escape(_('Original record ({format})').format(format=source))}"
                  f"</h4><pre style='white-space:pre-wrap'>{escape(r.original_record)}</pre>")
    trail = ""
    if screened:
        trail += f"<h4>{escape(_('Screened for'))}</h4><ul>" + "".join(
            f"<li>{escape(q.question_title)}: <b>"
            f"{escape(_(matches.DECISIONS.get(q.decision, q.decision)))}</b>"
            + (f" <i>({escape(q.note)})</i>" if q.note else "") + "</li>" for q in screened) \
            + "</ul>"
    if cited:
        trail += f"<h4>{escape(_('Cited in'))}</h4><ul>" + "".join(
            f"<li>{escape(c.proposal_acronym or c.proposal_title)}, {escape(c.section_number)} "
            f"{escape(c.section_title)}" + (f" (×{c.citations})" if c.citations > 1 else "")
            + "</li>" for c in cited) + "</ul>"
    return f"<h3>{escape(r.title)}</h3>{doi}{fields}{trail}{abstract}{record}"


def show_reference(parent: QWidget, workspace: Workspace, reference_id: str) -> None:
    dialog = QDialog(parent)
    dialog.setWindowTitle(_("Reference"))
    browser = QTextBrowser()
    browser.setOpenExternalLinks(True)
    browser.setHtml(reference_html(workspace, reference_id, original=False))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(browser)
    layout.addWidget(buttons)
    dialog.resize(620, 520)
    dialog.exec()
