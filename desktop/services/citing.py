"""What a writer can cite in a proposal: the references screened as relevant (then maybe) for
the proposal's practice questions come first, then the rest of the library."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.entities import ProposalQuestion, Reference
from .matches import decisions_by_reference
from .references import reference_ids, short_authors

SCREENED_ORDER = {"relevant": 0, "maybe": 1}


@dataclass(frozen=True)
class CiteCandidate:
    reference_id: str
    label: str          # 'Noy & Zhang (2023)'
    title: str
    screened: str       # 'relevant', 'maybe' or '' (not screened for these questions)


def screened_for_proposal(session: Session, proposal_id: str) -> dict[str, str]:
    """reference id -> best decision ('relevant' over 'maybe') for the proposal's questions."""
    questions = session.execute(select(ProposalQuestion.question_id).where(
        ProposalQuestion.proposal_id == proposal_id,
        ProposalQuestion.deleted.is_(False))).scalars()
    best: dict[str, str] = {}
    for reference_id, by_question in decisions_by_reference(session, questions).items():
        kept = [d for d in by_question.values() if d in SCREENED_ORDER]
        if kept:
            best[reference_id] = min(kept, key=SCREENED_ORDER.__getitem__)
    return best


def cite_candidates(session: Session, proposal_id: str, query: str = "",
                    limit: int = 200) -> list[CiteCandidate]:
    """References matching ``query`` (all, without one), screened ones first."""
    screened = screened_for_proposal(session, proposal_id)
    ids = reference_ids(session, query=query)
    ids.sort(key=lambda i: SCREENED_ORDER.get(screened.get(i, ""), 2))  # stable: keeps rank
    ids = ids[:limit]
    rows = {r.id: r for r in session.execute(select(
        Reference.id, Reference.authors, Reference.year, Reference.title)
        .where(Reference.id.in_(ids)))}
    return [CiteCandidate(i, f"{short_authors(rows[i].authors)} ({rows[i].year or 'n.d.'})",
                          rows[i].title, screened.get(i, "")) for i in ids if i in rows]
