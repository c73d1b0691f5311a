"""Section bodies as plain text with pandoc-style citation markers, both ways, and the citation
trail: which references each section cites, where a reference is cited, and how the literature
screened for a proposal's questions is used in its sections.

A marker names a reference by its citation key (``[@noy2023, p. 4]``); a reference whose key is
empty, unusable in a marker or shared with another reference is named by its id instead, so
that reading a section and appending its text again always yields the same citations.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import _
from ..models.entities import Proposal, ProposalQuestion, Reference, Section
from . import documents
from .matches import decisions_by_reference
from .proposals import ProposalError, body_doc, find_section, section_ids
from .records import Tx
from .references import key_index


def _marker_keys(session: Session) -> dict[str, str]:
    """Reference id → the key its markers use (only keys that name exactly that reference)."""
    return {rid: key for key, rid in key_index(session).items() if documents.is_key(key)}


def marked_text(session: Session, parts: Sequence[documents.Segment],
                keys: dict[str, str] | None = None) -> str:
    """A body's text with each citation as the marker ``parse_markers`` reads back."""
    keys = _marker_keys(session) if keys is None else keys

    def label(embed: dict[str, Any]) -> str:
        items = embed.get("citation", {}).get("items", [])
        return documents.marker((keys.get(item.get("id", ""), item.get("id", "")), item)
                                for item in items)
    return documents.plain_text(parts, label)


def section_text(session: Session, proposal_id: str, section_ref: str) -> str:
    """The section's text with citation markers; ``section_ref`` as ``find_section`` takes it."""
    sid = find_section(session, proposal_id, section_ref)
    return marked_text(session, documents.segments(session, body_doc(sid)))


def append_text(tx: Tx, proposal_id: str, section_ref: str, text: str) -> str:
    """Append paragraphs to a section, with markers turned into citations; returns its id.

    The text starts a new paragraph and ends one, and is appended unformatted. An unknown
    citation key raises ``ProposalError`` naming it, and nothing is appended.
    """
    sid = find_section(tx.session, proposal_id, section_ref)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        return sid
    index = key_index(tx.session)

    def resolve(key: str) -> str | None:
        if key in index:
            return index[key]
        ref = tx.session.get(Reference, key)  # a marker may name a reference by its id
        return ref.id if ref is not None and not ref.deleted else None

    try:
        parts = documents.parse_markers(text if text.endswith("\n") else text + "\n", resolve)
    except documents.MarkerError as exc:
        section = tx.session.get(Section, sid)
        assert section is not None
        raise ProposalError(_("Section {section}: {problem}; nothing was added.").format(
            section=" ".join(p for p in (section.number, section.title) if p),
            problem=exc)) from None
    documents.append_segments(tx, body_doc(sid), parts, paragraph=True)
    return sid


@dataclass(frozen=True)
class SectionCitations:
    section_id: str
    number: str
    title: str
    reference_ids: tuple[str, ...]  # in order of first citation


def citations_in_proposal(session: Session, proposal_id: str) -> list[SectionCitations]:
    """Every section of the proposal in tree order, with the references it cites."""
    out = []
    for sid in section_ids(session, proposal_id):
        section = session.get(Section, sid)
        assert section is not None
        cited = documents.citation_ids(documents.segments(session, body_doc(sid)))
        out.append(SectionCitations(sid, section.number, section.title, tuple(cited)))
    return out


@dataclass(frozen=True)
class CitingSection:
    proposal_id: str
    proposal_title: str
    proposal_acronym: str
    section_id: str
    section_number: str
    section_title: str
    citations: int  # how many citations in the section name the reference


def where_cited(session: Session, reference_id: str) -> list[CitingSection]:
    """The sections, of all live proposals, whose text cites the reference.

    Reads every section body: a workspace holds a few proposals of some dozens of sections, a
    few milliseconds each. Deleted text no longer cites, so an index would have to follow every
    edit; reading is exact.
    """
    rows = session.execute(
        select(Proposal, Section).join(Section, Section.proposal_id == Proposal.id)
        .where(Proposal.deleted.is_(False), Section.deleted.is_(False))
        .order_by(Proposal.deadline, Proposal.title, Section.position, Section.number)).tuples()
    out = []
    for proposal, section in rows:
        count = sum(1 for part in documents.segments(session, body_doc(section.id))
                    if isinstance(part, dict)
                    for item in part.get("citation", {}).get("items", [])
                    if item.get("id") == reference_id)
        if count:
            out.append(CitingSection(proposal.id, proposal.title, proposal.acronym, section.id,
                                     section.number, section.title, count))
    return out


@dataclass(frozen=True)
class TrailEntry:
    reference_id: str
    decision: str                  # the best screening decision for the proposal's questions
    question_ids: tuple[str, ...]  # the proposal's questions it was screened for
    section_ids: tuple[str, ...]   # the proposal's sections that cite it, in tree order


# Screened literature worth citing; "not_relevant" and unscreened matches stay off the trail.
_TRAIL_DECISIONS = ("relevant", "maybe")


def literature_trail(session: Session, proposal_id: str) -> list[TrailEntry]:
    """Question → screened literature → section, for one proposal: every reference screened
    relevant or maybe for its questions, and every reference its sections cite.

    An entry without sections is screened literature not yet used; one without a decision is
    cited literature that was not screened for these questions. Relevant first, then maybe,
    then unscreened; within each, in order of first citation, uncited last.
    """
    questions = list(session.execute(select(ProposalQuestion.question_id).where(
        ProposalQuestion.proposal_id == proposal_id,
        ProposalQuestion.deleted.is_(False))).scalars())
    screened: dict[str, tuple[str, list[str]]] = {}
    for rid, by_question in decisions_by_reference(session, questions).items():
        qids = [q for q, d in by_question.items() if d in _TRAIL_DECISIONS]
        if qids:
            screened[rid] = (min((by_question[q] for q in qids), key=_TRAIL_DECISIONS.index),
                             qids)
    citing: dict[str, list[str]] = {}
    for section in citations_in_proposal(session, proposal_id):
        for rid in section.reference_ids:
            citing.setdefault(rid, []).append(section.section_id)
    order = list(citing) + [rid for rid in screened if rid not in citing]
    entries = [TrailEntry(rid, screened.get(rid, ("", []))[0],
                          tuple(sorted(screened.get(rid, ("", []))[1])),
                          tuple(citing.get(rid, ()))) for rid in order]
    rank = {d: i for i, d in enumerate(_TRAIL_DECISIONS + ("",))}
    return sorted(entries, key=lambda e: rank[e.decision])  # stable: keeps citation order
