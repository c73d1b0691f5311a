"""Practice questions: the register of questions from practice and their case descriptions."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..i18n import N_
from ..models.entities import Match, Member, PracticeQuestion
from . import documents
from .records import Tx, now_iso

STATUSES = {
    "new": N_("New"), "clustered": N_("Clustered"), "matched": N_("Matched"),
    "in_proposal": N_("In proposal"), "funded": N_("Funded"), "answered": N_("Answered"),
}
SECTORS = {"healthcare": N_("Healthcare"), "education": N_("Education"), "safety": N_("Safety")}
# The AI@Work taxonomy; stored values are the keys, free text is kept as typed.
THEMES = {
    "generative AI and productivity": N_("Generative AI and productivity"),
    "employee involvement in technology adoption": N_("Employee involvement in technology adoption"),
    "workplace learning": N_("Workplace learning"),
    "connective labour": N_("Connective labour"),
    "AI literacy": N_("AI literacy"),
    "algorithmic management": N_("Algorithmic management"),
    "meaningful work": N_("Meaningful work"),
}
URGENCIES = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High")}
ORGANISATION_TYPES = {
    "hospital": N_("Hospital"), "care_organisation": N_("Care organisation"),
    "school": N_("School"), "university": N_("University"),
    "university_of_applied_sciences": N_("University of applied sciences"),
    "safety_region": N_("Safety region"), "municipality": N_("Municipality"),
    "sme": N_("Small or medium-sized business"), "other": N_("Other"),
}
INVOLVEMENTS = {"consulted": N_("Consulted"), "advisor": N_("Advisor"),
                "co-researcher": N_("Co-researcher"), "end-user": N_("End user")}
# Columns of the two list fields, in the order the editor shows them.
STAKEHOLDER_FIELDS = {"name": N_("Name"), "type": N_("Type"), "role": N_("Role"),
                      "involvement": N_("Involvement")}
DATA_FIELDS = {"description": N_("Description"), "owner": N_("Owner"), "type": N_("Type"),
               "volume": N_("Volume"), "personal_data": N_("Personal data"),
               "legal_basis": N_("Legal basis / DPIA"),
               "access_conditions": N_("Access conditions")}
CASE = "case_description"


def case_doc(question_id: str) -> str:
    return documents.doc_id(PracticeQuestion.entity_name(), question_id, CASE)


def case_text(session: Session, question_id: str) -> str:
    """The case description as plain text (paragraphs on their own lines)."""
    return documents.plain_text(documents.segments(session, case_doc(question_id)),
                                lambda _e: "").rstrip("\n")


def add_question(tx: Tx, fields: Mapping[str, Any], case_description: str = "") -> str:
    status = fields.get("status", "new")
    if status not in STATUSES:
        raise ValueError(f"status must be one of {sorted(STATUSES)}, not {status!r}")
    values = dict(fields)
    values.setdefault("created_at", now_iso())
    qid = tx.create(PracticeQuestion, values)
    if case_description:
        documents.append_segments(tx, case_doc(qid), [case_description.rstrip("\n") + "\n"])
    return qid


EDITABLE = ("title", "language", "question_text", "reformulated_question", "submitter_name",
            "submitter_role", "organisation", "organisation_type", "sector", "theme",
            "sub_theme", "nwa_route", "stakeholders", "data_available",
            "how_articulated", "breadth_of_support", "urgency", "urgency_driver",
            "expected_use", "knowledge_gap_check", "resources_offered", "constraints", "status",
            "practitioner_id", "researcher_id")


def editable(session: Session, question_id: str) -> dict[str, Any]:
    """The fields the editor shows, and the case description as ``case_description``."""
    q = session.get(PracticeQuestion, question_id)
    if q is None:
        raise KeyError(question_id)
    values = {name: getattr(q, name) for name in EDITABLE}
    values[CASE] = case_text(session, question_id)
    return values


def update_question(tx: Tx, question_id: str, values: Mapping[str, Any]) -> list[str]:
    """Change fields and/or the case description; returns what changed."""
    fields = {k: v for k, v in values.items() if k != CASE}
    if "status" in fields and fields["status"] not in STATUSES:
        raise ValueError(f"status must be one of {sorted(STATUSES)}, not {fields['status']!r}")
    for name, columns in (("stakeholders", STAKEHOLDER_FIELDS), ("data_available", DATA_FIELDS)):
        for number, row in enumerate(fields.get(name) or (), 1):
            unknown = set(row) - set(columns)
            if unknown:
                raise ValueError(f"{name} row {number}: unknown field(s) {sorted(unknown)}")
    for number, row in enumerate(fields.get("stakeholders") or (), 1):
        if row.get("involvement", "") not in ("", *INVOLVEMENTS):
            raise ValueError(f"stakeholders row {number}: involvement must be one of "
                             f"{sorted(INVOLVEMENTS)}, not {row['involvement']!r}")
    changed = tx.update(PracticeQuestion, question_id, fields)
    if CASE in values:
        text = str(values[CASE]).rstrip("\n")
        if documents.replace_text(tx, case_doc(question_id), text + "\n" if text else ""):
            changed.append(CASE)
    return changed


@dataclass(frozen=True)
class QuestionRow:
    id: str
    title: str
    language: str
    sector: str
    theme: str
    organisation: str
    urgency: str
    status: str
    matches: int


SORT_COLUMNS = {
    "title": PracticeQuestion.title, "sector": PracticeQuestion.sector,
    "theme": PracticeQuestion.theme, "organisation": PracticeQuestion.organisation,
    "status": PracticeQuestion.status, "language": PracticeQuestion.language,
    "urgency": PracticeQuestion.urgency,
}


FILTERS = ("sector", "status", "theme", "language")


def question_ids(session: Session, sort: str = "title", descending: bool = False,
                 query: str = "", filters: Mapping[str, str] | None = None) -> list[str]:
    """Live questions in order; ``filters`` keeps those with these values (sector, status,
    theme, language), ``query`` those with the words in title, question or organisation."""
    column = SORT_COLUMNS.get(sort, PracticeQuestion.title)
    stmt = select(PracticeQuestion.id).where(PracticeQuestion.deleted.is_(False))
    for name, value in (filters or {}).items():
        if name not in FILTERS:
            raise ValueError(f"questions cannot be filtered by {name!r}")
        if value:
            stmt = stmt.where(getattr(PracticeQuestion, name) == value)
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(PracticeQuestion.title.ilike(like)
                          | PracticeQuestion.question_text.ilike(like)
                          | PracticeQuestion.organisation.ilike(like))
    order = column.desc() if descending else column.asc()
    return list(session.execute(stmt.order_by(order, PracticeQuestion.id)).scalars())


def filter_values(session: Session) -> dict[str, list[str]]:
    """For each filter, the values the live questions have (for the filter lists)."""
    out = {}
    for name in FILTERS:
        column = getattr(PracticeQuestion, name)
        out[name] = [v for v in session.execute(select(column).distinct().where(
            PracticeQuestion.deleted.is_(False)).order_by(column)).scalars() if v]
    return out


def question_rows(session: Session, ids: Sequence[str]) -> dict[str, QuestionRow]:
    counts = dict(session.execute(
        select(Match.question_id, func.count()).where(
            Match.question_id.in_(list(ids)), Match.deleted.is_(False))
        .group_by(Match.question_id)).tuples().all())
    rows = session.execute(select(PracticeQuestion).where(
        PracticeQuestion.id.in_(list(ids)))).scalars()
    return {q.id: QuestionRow(q.id, q.title, q.language, q.sector, q.theme, q.organisation,
                              q.urgency, q.status, counts.get(q.id, 0)) for q in rows}


@dataclass(frozen=True)
class QuestionDetail:
    id: str
    title: str
    question_text: str
    reformulated_question: str
    case_description: str
    submitter: str
    organisation: str
    organisation_type: str
    sector: str
    theme: str
    urgency: str
    status: str
    stakeholders: tuple[str, ...]
    pair: tuple[str, str]    # practitioner's and researcher's names ('' where not paired)


def question_detail(session: Session, question_id: str) -> QuestionDetail | None:
    q = session.get(PracticeQuestion, question_id)
    if q is None or q.deleted:
        return None
    case = case_text(session, q.id)
    submitter = ", ".join(p for p in (q.submitter_name, q.submitter_role) if p)
    stakeholders = tuple(str(s.get("name", "")) for s in q.stakeholders if isinstance(s, dict))
    names = {m.id: m.name for m in session.execute(select(Member).where(
        Member.id.in_([i for i in (q.practitioner_id, q.researcher_id) if i]))).scalars()}
    return QuestionDetail(q.id, q.title, q.question_text, q.reformulated_question, case.strip(),
                          submitter, q.organisation, q.organisation_type, q.sector, q.theme, q.urgency, q.status,
                          stakeholders, (names.get(q.practitioner_id or "", ""),
                                         names.get(q.researcher_id or "", "")))
