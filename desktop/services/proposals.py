"""Proposals and their sections as records: creation (from a funder template), section owner and
status, finding a proposal or section by what a user types, and the rows the Proposals page lists.

Section bodies, their citations and their counts are in ``section_bodies`` and ``progress``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import LANGUAGES, N_, _
from ..models.entities import (Member, PracticeQuestion, Proposal, ProposalQuestion, Reference,
                               Section)
from . import documents
from .records import Tx, derived_id, now_iso
from .references import short_authors
from .templates import Template

SECTION_STATUSES = {"to_do": N_("To do"), "drafting": N_("Drafting"),
                    "in_review": N_("In review"), "done": N_("Done")}
# What a writer may change on a section; proposal and template section stay as created.
SECTION_EDITABLE = ("title", "number", "position", "status", "owner_member_id")
# What a caller may set on a proposal made from a template; the template fixes the rest.
PROPOSAL_FIELDS = ("title", "acronym", "language", "citation_style", "deadline", "status",
                   "lead_member_id")
BODY = "body"


class ProposalError(ValueError):
    """A proposal, section, question, member or citation that is not there, or a value that does
    not fit; the message is for the user and names what was not found."""


def body_doc(section_id: str) -> str:
    return documents.doc_id(Section.entity_name(), section_id, BODY)


# -- creating and changing ---------------------------------------------------------------------

def create_proposal(tx: Tx, fields: Mapping[str, Any], question_ids: Iterable[str] = ()) -> str:
    values = dict(fields)
    values.setdefault("created_at", now_iso())
    pid = tx.create(Proposal, values)
    for qid in question_ids:
        tx.create(ProposalQuestion, {"proposal_id": pid, "question_id": qid},
                  row_id=derived_id("proposal_question", pid, qid))
    return pid


def _check_member(session: Session, member_id: str | None) -> None:
    if member_id is not None:
        member = session.get(Member, member_id)
        if member is None or member.deleted:
            raise ProposalError(_("There is no member with the id {id}.").format(id=member_id))


def _check_section_values(session: Session, values: Mapping[str, Any]) -> None:
    status = values.get("status", "to_do")
    if status not in SECTION_STATUSES:
        raise ProposalError(_("A section's status is one of {choices}, not {value}.").format(
            choices=", ".join(SECTION_STATUSES), value=repr(status)))
    _check_member(session, values.get("owner_member_id"))


def add_section(tx: Tx, proposal_id: str, fields: Mapping[str, Any],
                body: Sequence[documents.Segment] = ()) -> str:
    _check_section_values(tx.session, fields)
    sid = tx.create(Section, {**fields, "proposal_id": proposal_id})
    if body:
        documents.append_segments(tx, body_doc(sid), body)
    return sid


def create_from_template(tx: Tx, template: Template, fields: Mapping[str, Any],
                         question_ids: Iterable[str] = ()) -> str:
    """A new proposal with one section per template section (nested ones too, in tree order),
    titled in the proposal's language, all to do; returns the proposal's id.

    ``fields`` may hold PROPOSAL_FIELDS. The language defaults to the template's first one, the
    citation style to the template's, the title to the template's name.
    """
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise ProposalError(_("A proposal has no field(s) {names}.").format(
            names=", ".join(sorted(unknown))))
    language = fields.get("language") or template.languages[0]
    if language not in LANGUAGES:
        raise ProposalError(_("The language of a proposal is one of {choices}, not {value}.")
                            .format(choices=", ".join(LANGUAGES), value=repr(language)))
    questions = list(dict.fromkeys(question_ids))
    for qid in questions:
        question = tx.session.get(PracticeQuestion, qid)
        if question is None or question.deleted:
            raise ProposalError(_("There is no practice question with the id {id}.").format(
                id=qid))
    _check_member(tx.session, fields.get("lead_member_id"))
    pid = create_proposal(tx, {
        **fields, "language": language,
        "title": fields.get("title") or template.name_in(language),
        "citation_style": fields.get("citation_style") or template.citation.style,
        "template_id": template.id, "template_version": template.version,
    }, questions)
    for position, section in enumerate(template.walk()):
        add_section(tx, pid, {
            "template_section_id": section.id, "number": section.number,
            "title": section.title_in(language), "position": float(position),
            "status": "to_do"})
    return pid


def update_section(tx: Tx, section_id: str, values: Mapping[str, Any]) -> list[str]:
    """Change a section's title, number, position, status or owner (a member's id or None);
    returns the names of the fields that changed."""
    unknown = set(values) - set(SECTION_EDITABLE)
    if unknown:
        raise ProposalError(_("A section's {names} cannot be changed here.").format(
            names=", ".join(sorted(unknown))))
    section = tx.session.get(Section, section_id)
    if section is None or section.deleted:
        raise ProposalError(_("There is no section with the id {id}.").format(id=section_id))
    _check_section_values(tx.session, {"status": section.status, **values})
    return tx.update(Section, section_id, values)


# -- finding what a user names -----------------------------------------------------------------

def _pick(ref: str, candidates: Sequence[tuple[str, Sequence[str], str]]) -> list[str]:
    """The candidates ``ref`` names, trying each way of naming in turn: the first way that
    names any decides (one: found; more: ambiguous).

    ``candidates`` are (id, exact names, title); a name matches exactly (case-insensitive), a
    title also by its start. The id wins over a name, a name over a title, a title over a start.
    """
    given = ref.strip()
    wanted = given.casefold()
    tries: list[Callable[[tuple[str, Sequence[str], str]], bool]] = [
        lambda c: c[0] == given,
        lambda c: any(wanted == n.casefold() for n in c[1] if n),
        lambda c: c[2].casefold() == wanted,
        lambda c: bool(wanted) and c[2].casefold().startswith(wanted),
    ]
    for matches in tries:
        found = [c for c in candidates if matches(c)]
        if found:
            return [c[0] for c in found]
    return []


def _titles(ids: Sequence[str], candidates: Sequence[tuple[str, Sequence[str], str]]) -> str:
    return "; ".join(c[2] for c in candidates if c[0] in ids)


def find_proposal(session: Session, ref: str) -> str:
    """The id of the proposal ``ref`` names: its id, its acronym, its title or a unique start
    of its title (letter case aside)."""
    candidates = [(pid, [acronym], title) for pid, acronym, title in session.execute(
        select(Proposal.id, Proposal.acronym, Proposal.title).where(
            Proposal.deleted.is_(False))).tuples()]
    found = _pick(ref, candidates)
    if not found:
        raise ProposalError(_("There is no proposal {ref} (give its id, acronym or title).")
                            .format(ref=repr(ref)))
    if len(found) > 1:
        raise ProposalError(_("{ref} names more than one proposal: {titles}.").format(
            ref=repr(ref), titles=_titles(found, candidates)))
    return found[0]


def find_section(session: Session, proposal_id: str, ref: str) -> str:
    """The id of the proposal's section ``ref`` names: its id, number ("2.1"), template section
    id, title or a unique start of its title (letter case aside)."""
    candidates = [(sid, [number, template_id], title)
                  for sid, number, template_id, title in session.execute(
                      select(Section.id, Section.number, Section.template_section_id,
                             Section.title)
                      .where(Section.proposal_id == proposal_id, Section.deleted.is_(False))
                      .order_by(Section.position, Section.number)).tuples()]
    found = _pick(ref, candidates)
    if len(found) == 1:
        return found[0]
    proposal = session.get(Proposal, proposal_id)
    name = (proposal.acronym or proposal.title) if proposal is not None else proposal_id
    if not found:
        raise ProposalError(_("{proposal} has no section {ref} (give its number, title or id).")
                            .format(proposal=name, ref=repr(ref)))
    raise ProposalError(_("{ref} names more than one section of {proposal}: {titles}.").format(
        ref=repr(ref), proposal=name, titles=_titles(found, candidates)))


# -- rows for lists ----------------------------------------------------------------------------

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


def citation_marker(session: Session,
                    prefetch: Iterable[str] = ()) -> Callable[[dict[str, Any]], str]:
    """Labels citation embeds as neutral markers ``[Noy & Zhang 2023]`` (not a citation style).

    The references of ``prefetch`` are read at once, in one query (a section cites hundreds)."""
    cache: dict[str, str] = {}
    wanted = list(dict.fromkeys(prefetch))
    if wanted:
        for ref in session.execute(select(Reference).where(Reference.id.in_(wanted))).scalars():
            cache[ref.id] = f"{short_authors(ref.authors)} {ref.year or 'n.d.'}"

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


def member_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Member.id, Member.name)).tuples().all())


def section_rows(session: Session, proposal_id: str) -> list[SectionRow]:
    label = citation_marker(session)
    names = member_names(session)
    out = []
    for sid in section_ids(session, proposal_id):
        s = session.get(Section, sid)
        assert s is not None
        text = documents.plain_text(documents.segments(session, body_doc(sid)), label)
        # A citation counts as the words of its marker, as in the limit checks (``progress``).
        out.append(SectionRow(s.id, s.number, s.title, names.get(s.owner_member_id or "", ""),
                              s.status, documents.count_words(text), text))
    return out
