"""Suggestions around a practice question: questions from elsewhere that ask the same thing,
and researchers whose expertise and screened literature fit it, each with its reasons."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models.entities import Match, Member, PracticeQuestion, Reference
from ..models.local import ChangeLog, DocumentUpdate
from . import matching

# A question counts as "possibly the same" when it scores at least this share of what the
# question scores against itself: the wording differs, but much of what it asks about is
# there. A suggestion, so it errs towards showing: a missed twin costs more than a glance.
SAME_QUESTION_SHARE = 0.25


@dataclass(frozen=True)
class Suggestion:
    id: str
    label: str
    share: float                # of the best possible score (the question against itself)
    reasons: tuple[str, ...]


def _question_docs(session: Session) -> list[matching.Doc]:
    docs = []
    for q in session.execute(select(PracticeQuestion).where(
            PracticeQuestion.deleted.is_(False))).scalars():
        text, _language = matching.question_text(session, q.id)
        docs.append(matching.Doc(q.id, q.title, q.title, text, q.theme, q.language))
    return docs


def _version(session: Session) -> tuple[int, int]:
    """What question and member indexes are built from changes with every record change and
    every text edit (case descriptions)."""
    return (session.execute(select(func.max(ChangeLog.seq))).scalar() or 0,
            session.execute(select(func.max(DocumentUpdate.seq))).scalar() or 0)


def similar_questions(session: Session, question_id: str, top: int = 3) -> list[Suggestion]:
    index = matching.cached_index(session, "questions", _version(session),
                                  lambda: matching.MatchIndex(_question_docs(session)))
    text, language = matching.question_text(session, question_id)
    query = matching.build_query(text, language)
    hits = matching.rank(index, query, top + 1, pseudo_feedback=False)
    own = next((h.score for h in hits if h.reference_id == question_id), 0.0)
    if own <= 0:
        return []
    return [Suggestion(h.reference_id, h.key, h.score / own, h.matched) for h in hits
            if h.reference_id != question_id and h.score / own >= SAME_QUESTION_SHARE][:top]


def researchers_for(session: Session, question_id: str, top: int = 3) -> list[Suggestion]:
    """Researchers ranked by how well their expertise and the references they screened as
    relevant match the question."""
    index = matching.cached_index(session, "researchers", _version(session),
                                  lambda: matching.MatchIndex(_researcher_docs(session)))
    if not index.docs:
        return []
    text, language = matching.question_text(session, question_id)
    hits = matching.rank(index, matching.build_query(text, language), top,
                         pseudo_feedback=False)
    best = hits[0].score if hits else 1.0
    return [Suggestion(h.reference_id, h.key, h.score / best, h.matched) for h in hits]


def _researcher_docs(session: Session) -> list[matching.Doc]:
    docs = []
    for member in session.execute(select(Member).where(
            Member.deleted.is_(False), Member.role == "researcher")).scalars():
        titles = session.execute(
            select(Reference.title, Reference.abstract).join(
                Match, Match.reference_id == Reference.id).where(
                Match.decided_by == member.id, Match.decision == "relevant",
                Match.deleted.is_(False))).all()
        literature = " ".join(f"{t} {a}" for t, a in titles)
        docs.append(matching.Doc(member.id, member.name, " ".join(member.expertise),
                                 f"{member.bio} {literature}", " ".join(member.expertise)))
    return docs
