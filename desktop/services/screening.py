"""Screening the literature for a practice question: the ranked candidates, each decision,
and how far screening has got. Decisions feed back into the ranking of what is left."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models.entities import Match, Reference
from . import matching
from .references import short_authors


@dataclass(frozen=True)
class Candidate:
    reference_id: str
    key: str
    label: str          # 'Beane (2019)'
    title: str
    abstract: str
    score: float
    matched: tuple[str, ...]
    decision: str       # '' until screened
    note: str


@dataclass(frozen=True)
class Progress:
    screened: int
    total: int
    counts: dict[str, int]


def decisions(session: Session, question_id: str) -> dict[str, tuple[str, str]]:
    """reference id -> (decision, note) for the question's screened matches."""
    rows = session.execute(select(Match.reference_id, Match.decision, Match.note).where(
        Match.question_id == question_id, Match.deleted.is_(False), Match.decision != ""))
    return {r: (d, n) for r, d, n in rows}


def candidates(session: Session, question_id: str, top: int = 50) -> tuple[list[Candidate], matching.Query]:
    """The best ``top`` references for the question, ranked with the feedback of the
    decisions so far, then the screened ones that are not among them: a decision stays in
    sight however the ranking moves."""
    index = matching.library_index(session)
    text, language = matching.question_text(session, question_id)
    query = matching.build_query(text, language)
    decided = decisions(session, question_id)
    position = {doc.reference_id: i for i, doc in enumerate(index.docs)}
    relevant = [position[r] for r, (d, _n) in decided.items() if d == "relevant" and r in position]
    rejected = [position[r] for r, (d, _n) in decided.items()
                if d == "not_relevant" and r in position]
    screened = [position[r] for r in decided if r in position]
    hits = matching.rank(index, query, top, relevant=relevant, not_relevant=rejected,
                         also=screened)
    refs = {r.id: r for r in session.execute(select(Reference).where(
        Reference.id.in_([h.reference_id for h in hits]))).scalars()}
    out = []
    for hit in hits:
        ref = refs[hit.reference_id]
        decision, note = decided.get(hit.reference_id, ("", ""))
        out.append(Candidate(hit.reference_id, hit.key,
                             f"{short_authors(ref.authors)} ({ref.year or 'n.d.'})", ref.title,
                             ref.abstract, hit.score, hit.matched, decision, note))
    return out, query


def progress(session: Session, question_id: str, total: int) -> Progress:
    counts = Counter(d for d, _n in decisions(session, question_id).values())
    return Progress(sum(counts.values()), total, dict(counts))
