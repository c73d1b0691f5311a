"""Matches between practice questions and references, and screening decisions on them."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import N_
from ..models.entities import Match, Reference
from .references import short_authors
from .records import Tx, derived_id, now_iso

DECISIONS = {"relevant": N_("Relevant"), "maybe": N_("Maybe"),
             "not_relevant": N_("Not relevant"), "": N_("Not screened")}


def match_id(question_id: str, reference_id: str) -> str:
    return derived_id("match", question_id, reference_id)


def record_decision(tx: Tx, question_id: str, reference_id: str, decision: str,
                    note: str = "", by: str | None = None, score: float = 0.0) -> str:
    """Create or update the match of a question and a reference with a screening decision."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {sorted(DECISIONS)}, not {decision!r}")
    mid = match_id(question_id, reference_id)
    values = {"decision": decision, "note": note, "decided_by": by, "decided_at": now_iso()}
    if tx.session.get(Match, mid) is None:
        tx.create(Match, {"question_id": question_id, "reference_id": reference_id,
                          "score": score, **values}, row_id=mid)
    else:
        tx.update(Match, mid, {**values, "deleted": False})
    return mid


@dataclass(frozen=True)
class MatchRow:
    reference_id: str
    label: str
    title: str
    decision: str
    note: str


def decisions_by_reference(session: Session,
                           question_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """reference id -> {question id: decision} for the screened matches of these questions
    (one query: what the citation picker, the literature trail and the export's compliance
    report all start from)."""
    out: dict[str, dict[str, str]] = {}
    for question_id, reference_id, decision in session.execute(
            select(Match.question_id, Match.reference_id, Match.decision).where(
                Match.question_id.in_(list(question_ids)), Match.deleted.is_(False),
                Match.decision != "")).tuples():
        out.setdefault(reference_id, {})[question_id] = decision
    return out


def matches_for_question(session: Session, question_id: str) -> list[MatchRow]:
    """The question's matched references, relevant first, then maybe, then the rest."""
    order = {"relevant": 0, "maybe": 1, "": 2, "not_relevant": 3}
    rows = session.execute(
        select(Match, Reference).join(Reference, Reference.id == Match.reference_id)
        .where(Match.question_id == question_id, Match.deleted.is_(False))).tuples()
    out = [MatchRow(r.id, f"{short_authors(r.authors)} ({r.year or 'n.d.'})", r.title,
                    m.decision, m.note) for m, r in rows]
    return sorted(out, key=lambda m: (order.get(m.decision, 2), m.label))


@dataclass(frozen=True)
class ScreeningOf:
    question_id: str
    question_title: str
    decision: str
    note: str


def screenings_of_reference(session: Session, reference_id: str) -> list[ScreeningOf]:
    """The questions a reference was screened for, with the decision: the trail from the
    literature back to practice."""
    from ..models.entities import PracticeQuestion
    rows = session.execute(
        select(Match, PracticeQuestion).join(PracticeQuestion,
                                             PracticeQuestion.id == Match.question_id)
        .where(Match.reference_id == reference_id, Match.deleted.is_(False),
               PracticeQuestion.deleted.is_(False), Match.decision != "")
        .order_by(PracticeQuestion.title)).tuples()
    return [ScreeningOf(q.id, q.title, m.decision, m.note) for m, q in rows]
