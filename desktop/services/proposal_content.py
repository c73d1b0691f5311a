"""A proposal read whole, in document order, as frozen data: what the compliance report checks and
what the Word export writes.

Reading happens once, inside a database session; everything returned is plain dataclasses, so
the slow part of an export (citations, Word, PDF) can run on another thread without the ORM.
Section bodies are turned from the delta model (DESIGN §4) into paragraphs: inline attributes on
characters, block attributes (heading, list kind, indent) on the newline that ends a paragraph,
and citation embeds as :class:`Citation` parts with their items as data. A section's open
comments come along; the parts of a commented passage carry the comment's id, cut where the
passage begins and ends, so that a writer can anchor the comment on exactly those words.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pycrdt
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import _
from ..models.entities import (Member, PracticeQuestion, Proposal, ProposalQuestion,
                               Reference)
from ..models.entities import Section as SectionRow
from . import documents, templates
from .comments import CommentRow, comments_for, resolve_anchor
from .matches import decisions_by_reference
from .proposals import ProposalError, body_doc, section_ids
from .references import csl_item
from .textpos import y_length, y_to_index


@dataclass(frozen=True)
class Inline:
    """Text with the section editor's inline formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    script: str = ""  # "super", "sub" or ""
    link: str = ""
    comment_ids: tuple[str, ...] = ()  # the open comments whose passage holds this text


@dataclass(frozen=True)
class CitedItem:
    """One reference inside a citation embed, with the writer's additions as data."""

    reference_id: str
    locator: str = ""
    label: str = "page"
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False


@dataclass(frozen=True)
class Citation:
    """A citation embed; ``id`` is stable within one reading (section id and position)."""

    id: str
    items: tuple[CitedItem, ...]
    comment_ids: tuple[str, ...] = ()


Part = Inline | Citation


@dataclass(frozen=True)
class Paragraph:
    parts: tuple[Part, ...]
    heading: int = 0  # 1..3 inside a section body; 0 for body text
    list_kind: str = ""  # "bullet", "ordered" or ""
    indent: int = 0  # list level, 0-based

    def plain(self, citation_text: Mapping[str, str] | None = None) -> str:
        """The text, citations given as ``citation_text[id]`` (empty when not known)."""
        known = citation_text or {}
        return "".join(p.text if isinstance(p, Inline) else known.get(p.id, "")
                       for p in self.parts)


@dataclass(frozen=True)
class SectionContent:
    id: str
    number: str
    title: str
    level: int  # 1 for a top-level section, 2 for a subsection of the template ...
    template_section: templates.TemplateSection | None
    paragraphs: tuple[Paragraph, ...]
    # Open (unresolved) comments, oldest first. One whose id no part carries belongs to the
    # section as a whole: it has no passage, or its passage was deleted.
    comments: tuple[CommentRow, ...] = ()

    @property
    def required(self) -> bool:
        return self.template_section is not None and self.template_section.required

    @property
    def is_bibliography(self) -> bool:
        return (self.template_section is not None
                and self.template_section.content_type == "bibliography")

    def citations(self) -> Iterable[Citation]:
        for paragraph in self.paragraphs:
            yield from (p for p in paragraph.parts if isinstance(p, Citation))

    def plain(self, citation_text: Mapping[str, str] | None = None) -> str:
        return "\n".join(p.plain(citation_text) for p in self.paragraphs)


@dataclass(frozen=True)
class Person:
    name: str
    organisation: str
    role: str


@dataclass(frozen=True)
class ProposalContent:
    id: str
    title: str
    acronym: str
    language: str
    citation_style: str
    deadline: str
    template: templates.Template | None
    template_id: str
    people: tuple[Person, ...]  # the lead first, then the pairs of the proposal's questions
    question_ids: tuple[str, ...]
    sections: tuple[SectionContent, ...]
    # Cited reference id → its CSL-JSON item, whose id is the reference's (or, for a merged
    # duplicate, the id of the reference it was merged into); a missing or deleted one is absent.
    references: Mapping[str, Mapping[str, Any]]
    # Reference id → the screening decisions on it for the proposal's questions.
    decisions: Mapping[str, frozenset[str]]

    def citations(self) -> Iterable[Citation]:
        for section in self.sections:
            yield from section.citations()

    def unresolved(self) -> list[tuple[SectionContent, Citation, tuple[str, ...]]]:
        """Citations with references that do not exist (any more), with the missing ids."""
        out = []
        for section in self.sections:
            for citation in section.citations():
                missing = tuple(i.reference_id for i in citation.items
                                if i.reference_id not in self.references)
                if missing or not citation.items:
                    out.append((section, citation, missing))
        return out


# --- the delta model → paragraphs ----------------------------------------------------------------

def _cited_item(data: Mapping[str, Any]) -> CitedItem:
    return CitedItem(reference_id=str(data.get("id", "")), locator=str(data.get("locator") or ""),
                     label=str(data.get("label") or "page"), prefix=str(data.get("prefix") or ""),
                     suffix=str(data.get("suffix") or ""),
                     suppress_author=bool(data.get("suppress-author")))


Passages = Mapping[str, tuple[int, int]]  # comment id → pycrdt offsets start, end


def _covering(passages: Passages, at: int) -> tuple[str, ...]:
    return tuple(cid for cid, (start, end) in passages.items() if start <= at < end)


def _cut(chunk: str, at: int, passages: Passages) -> list[tuple[str, tuple[str, ...]]]:
    """A text chunk starting at pycrdt offset ``at``, cut where a passage begins or ends, each
    piece with the comments whose passage holds it."""
    if not passages:
        return [(chunk, ())]
    end = at + y_length(chunk)
    pieces = []
    index, offset = 0, at
    for edge in sorted({e for span in passages.values() for e in span if at < e < end}):
        to = y_to_index(chunk, edge - at)
        pieces.append((chunk[index:to], _covering(passages, offset)))
        index, offset = to, edge
    pieces.append((chunk[index:], _covering(passages, offset)))
    return pieces


def paragraphs_of(runs: Sequence[tuple[Any, Mapping[str, Any] | None]],
                  citation_prefix: str, passages: Passages | None = None
                  ) -> tuple[Paragraph, ...]:
    """``Y.Text.diff()`` runs → paragraphs. A text that does not end with a newline still ends
    its last paragraph; citation ids are ``citation_prefix`` and their position. Parts inside
    a commented passage of ``passages`` carry the comment's id."""
    passages = passages or {}
    out: list[Paragraph] = []
    parts: list[Part] = []
    count = 0
    at = 0  # pycrdt offset of the chunk
    for chunk, attrs in runs:
        attrs = attrs or {}
        if isinstance(chunk, dict):
            data = chunk.get("citation")
            if isinstance(data, dict):
                items = tuple(_cited_item(i) for i in data.get("items", [])
                              if isinstance(i, Mapping))
                parts.append(Citation(f"{citation_prefix}#{count}", items,
                                      _covering(passages, at)))
                count += 1
            at += 1  # any embed is one position
            continue
        chunk = str(chunk)
        inline = dict(bold=bool(attrs.get("bold")), italic=bool(attrs.get("italic")),
                      underline=bool(attrs.get("underline")),
                      script=str(attrs.get("script") or ""), link=str(attrs.get("link") or ""))
        for piece, comment_ids in _cut(chunk, at, passages):
            lines = piece.split("\n")
            for n, line in enumerate(lines):
                if line:
                    parts.append(Inline(line, **inline,  # type: ignore[arg-type]
                                        comment_ids=comment_ids))
                if n < len(lines) - 1:
                    # The newline carries the paragraph's block attributes.
                    out.append(Paragraph(tuple(parts), heading=int(attrs.get("header") or 0),
                                         list_kind=str(attrs.get("list") or ""),
                                         indent=int(attrs.get("indent") or 0)))
                    parts = []
        at += y_length(chunk)
    if parts:
        out.append(Paragraph(tuple(parts)))
    return tuple(out)


# --- reading a proposal -------------------------------------------------------------------------

def _depths(template: templates.Template) -> dict[str, int]:
    depth: dict[str, int] = {}

    def visit(sections: Sequence[templates.TemplateSection], level: int) -> None:
        for s in sections:
            depth[s.id] = level
            visit(s.children, level + 1)
    visit(template.sections, 1)
    return depth


def template_section_for(template: templates.Template | None, template_section_id: str,
                         number: str) -> templates.TemplateSection | None:
    """The template's section by id, else by its number (older workspaces stored numbers)."""
    if template is None:
        return None
    try:
        return template.section(template_section_id)
    except KeyError:
        pass
    for candidate in (template_section_id, number):
        if candidate:
            for s in template.walk():
                if s.number == candidate:
                    return s
    return None


def load_template(template_id: str) -> templates.Template | None:
    """The proposal's template, or None when it is not installed: the export then uses defaults."""
    return templates.load_templates().find(template_id)


def _people(session: Session, proposal: Proposal, question_ids: Sequence[str]) -> list[Person]:
    ids: list[str] = [proposal.lead_member_id] if proposal.lead_member_id else []
    for qid in question_ids:
        q = session.get(PracticeQuestion, qid)
        if q is not None:
            ids += [i for i in (q.researcher_id, q.practitioner_id) if i]
    people = []
    for mid in dict.fromkeys(ids):
        m = session.get(Member, mid)
        if m is not None and not m.deleted:
            people.append(Person(m.name, m.organisation, m.role))
    return people


def _surviving(session: Session, reference_id: str) -> Reference | None:
    """The reference, or the one it was merged into as a duplicate; None if it is gone."""
    ref = session.get(Reference, reference_id)
    seen = set()
    while ref is not None and ref.deleted and ref.merged_into and ref.id not in seen:
        seen.add(ref.id)
        ref = session.get(Reference, ref.merged_into)
    return ref if ref is not None and not ref.deleted else None


def _open_comments(session: Session, section_id: str, text: pycrdt.Text
                   ) -> tuple[tuple[CommentRow, ...], dict[str, tuple[int, int]]]:
    """The section's unresolved comments, and where their passages are now in ``text``."""
    rows = tuple(c for c in comments_for(session, section_id) if not c.resolved)
    passages = {}
    for row in rows:
        where = resolve_anchor(text, row.anchor) if row.anchor else None
        if where is not None:
            passages[row.id] = where
    return rows, passages


def load_proposal(session: Session, proposal_id: str,
                  template: templates.Template | None = None) -> ProposalContent:
    """Read a proposal whole. ``template`` None: load the proposal's own template, if any."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.deleted:
        raise ProposalError(_("There is no proposal {ref} (give its id, acronym or title).")
                            .format(ref=repr(proposal_id)))
    template = template or load_template(proposal.template_id)
    depths = _depths(template) if template is not None else {}
    question_ids = tuple(session.execute(
        select(ProposalQuestion.question_id).where(ProposalQuestion.proposal_id == proposal_id,
                                                   ProposalQuestion.deleted.is_(False))
    ).scalars())
    sections = []
    for sid in section_ids(session, proposal_id):
        row = session.get(SectionRow, sid)
        assert row is not None
        ts = template_section_for(template, row.template_section_id, row.number)
        level = depths.get(ts.id, 1) if ts is not None else row.number.count(".") + 1
        text = documents.text_of(documents.load(session, body_doc(sid)))
        open_comments, passages = _open_comments(session, sid, text)
        sections.append(SectionContent(
            id=sid, number=row.number or (ts.number if ts else ""),
            title=row.title or (ts.title.get(proposal.language) if ts else ""),
            level=level, template_section=ts,
            paragraphs=paragraphs_of(text.diff(), sid, passages), comments=open_comments))
    cited = {i.reference_id for s in sections for c in s.citations() for i in c.items}
    references: dict[str, Mapping[str, Any]] = {}
    for rid in sorted(cited):
        ref = _surviving(session, rid)
        if ref is not None:
            references[rid] = {**csl_item(ref), "id": ref.id}
    decisions = {rid: set(by_question.values())
                 for rid, by_question in decisions_by_reference(session, question_ids).items()}
    return ProposalContent(
        id=proposal.id, title=proposal.title, acronym=proposal.acronym,
        language=proposal.language or "en", citation_style=proposal.citation_style or "",
        deadline=proposal.deadline, template=template, template_id=proposal.template_id,
        people=tuple(_people(session, proposal, question_ids)), question_ids=question_ids,
        sections=tuple(sections), references=references,
        decisions={k: frozenset(v) for k, v in decisions.items()})
