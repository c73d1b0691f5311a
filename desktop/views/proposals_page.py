"""The Proposals page: the workspace's proposals and, for one, its sections and their text."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from ..i18n import N_, _, ngettext
from ..services import proposals
from .dialogs import STYLE_NAMES
from .html import field_table, paragraphs
from .id_table_model import Column
from .record_page import RecordPage


class ProposalsPage(RecordPage):
    filter_placeholder = N_("Filter proposals (Ctrl+F)")
    empty_detail = N_("No proposals yet.")

    def page_title(self) -> str:
        return _("Proposals")

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

    def detail_html(self, record_id: str) -> str:
        with self.workspace.session() as s:
            row = proposals.proposal_rows(s, [record_id]).get(record_id)
            sections = proposals.section_rows(s, record_id)
        if row is None:
            return ""
        total = sum(sec.words for sec in sections)
        meta = field_table([
            (_("Acronym"), row.acronym), (_("Template"), row.template_id),
            (_("Citation style"), _(STYLE_NAMES.get(row.citation_style, row.citation_style))), (_("Deadline"), row.deadline),
            (_("Length"), ngettext("{n} word", "{n} words", total).format(n=total)),
        ])
        overview = "".join(
            f"<tr><td>{escape(sec.number)}</td><td>{escape(sec.title)}</td>"
            f"<td>{escape(sec.owner)}</td>"
            f"<td>{escape(_(proposals.SECTION_STATUSES.get(sec.status, sec.status)))}</td>"
            f"<td align='right'>{sec.words}</td></tr>" for sec in sections)
        header = "".join(f"<th align='left'>{escape(h)}</th>" for h in (
            _("No."), _("Section"), _("Owner"), _("Status"), _("Words")))
        bodies = "".join(
            f"<h4>{escape(sec.number)}. {escape(sec.title)}</h4>"
            + (paragraphs(sec.text) if sec.text.strip()
               else f"<p><i>{escape(_('Not written yet.'))}</i></p>") for sec in sections)
        note = _("Citations show as neutral markers [Author Year] until the citation style "
                 "engine renders them.")
        return (f"<h3>{escape(row.title)}</h3>{meta}"
                f"<table cellspacing='4'><tr>{header}</tr>{overview}</table>"
                f"<p style='color:#666'><small>{escape(note)}</small></p>"
                f"{bodies}")
