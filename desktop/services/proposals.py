"""Proposals and their sections: creation, the section tree, word counts."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import N_
from ..models.entities import Member, Proposal, ProposalQuestion, Reference, Section
from . import documents
from .records import Tx, derived_id, now_iso
from .references import short_authors

SECTION_STATUSES = {"to_do": N_("To do"), "drafting": N_("Drafting"),
                    "in_review": N_("In review"), "done": N_("Done")}
BODY = "body"


def body_doc(section_id: str) -> str:
    return documents.doc_id(Section.entity_name(), section_id, BODY)


def create_proposal(tx: Tx, fields: Mapping[str, Any], question_ids: Iterable[str] = ()) -> str:
    values = dict(fields)
    values.setdefault("created_at", now_iso())
    pid = tx.create(Proposal, values)
    for qid in question_ids:
        tx.create(ProposalQuestion, {"proposal_id": pid, "question_id": qid},
                  row_id=derived_id("proposal_question", pid, qid))
    return pid


def add_section(tx: Tx, proposal_id: str, fields: Mapping[str, Any],
                body: Sequence[documents.Segment] = ()) -> str:
    status = fields.get("status", "to_do")
    if status not in SECTION_STATUSES:
        raise ValueError(f"section status must be one of {sorted(SECTION_STATUSES)}, "
                         f"not {status!r}")
    sid = tx.create(Section, {**fields, "proposal_id": proposal_id})
    if body:
        documents.append_segments(tx, body_doc(sid), body)
    return sid


@dataclass(frozen=True)
class ProposalRow:
    id: str
    title: str
    acronym: str
    template_id: str
    citation_style: str
    deadline: str
    status: str
    sections: int


@dataclass(frozen=True)
class SectionRow:
    id: str
    number: str
    title: str
    owner: str
    status: str
    words: int
    text: str


def proposal_ids(session: Session) -> list[str]:
    return list(session.execute(select(Proposal.id).where(Proposal.deleted.is_(False))
                                .order_by(Proposal.deadline, Proposal.title)).scalars())


def proposal_rows(session: Session, ids: Sequence[str]) -> dict[str, ProposalRow]:
    out = {}
    for p in session.execute(select(Proposal).where(Proposal.id.in_(list(ids)))).scalars():
        count = len(section_ids(session, p.id))
        out[p.id] = ProposalRow(p.id, p.title, p.acronym, p.template_id, p.citation_style,
                                p.deadline, p.status, count)
    return out


def section_ids(session: Session, proposal_id: str) -> list[str]:
    return list(session.execute(
        select(Section.id).where(Section.proposal_id == proposal_id, Section.deleted.is_(False))
        .order_by(Section.position, Section.number)).scalars())


def citation_marker(session: Session) -> Any:
    """Labels citation embeds as neutral markers ``[Noy & Zhang 2023]`` (not a citation style)."""
    cache: dict[str, str] = {}

    def label(embed: dict[str, Any]) -> str:
        parts = []
        for item in embed.get("citation", {}).get("items", []):
            rid = item.get("id", "")
            if rid not in cache:
                ref = session.get(Reference, rid)
                cache[rid] = (f"{short_authors(ref.authors)} {ref.year or 'n.d.'}"
                              if ref is not None else "?")
            locator = f", {item['locator']}" if item.get("locator") else ""
            parts.append(cache[rid] + locator)
        return "[" + "; ".join(parts) + "]"
    return label


def section_rows(session: Session, proposal_id: str) -> list[SectionRow]:
    label = citation_marker(session)
    names = dict(session.execute(select(Member.id, Member.name)).tuples().all())
    out = []
    for sid in section_ids(session, proposal_id):
        s = session.get(Section, sid)
        assert s is not None
        parts = documents.segments(session, body_doc(sid))
        words = documents.count_words(documents.plain_text(parts, lambda _e: ""))
        out.append(SectionRow(s.id, s.number, s.title, names.get(s.owner_member_id or "", ""),
                              s.status, words, documents.plain_text(parts, label)))
    return out
