"""A proposal's progress: each section's owner, status and counts against its funder template's
limits, the group limits, and the totals a dashboard shows (sections done, words against the
word limits). Read only; one pass over each section body.

Counting follows the template (``templates.check_limits``): a citation counts as the text of its
neutral marker ``[Noy & Zhang 2023, p. 4]``, about what an author–date style prints. The
references are counted as plain entries (authors, year, title, venue, DOI): the formatted
bibliography needs the citation engine (export layer), and a plain entry is close to its length.
A reference belongs to the bibliography section that will list it, the nearest one among the
citing section's siblings and its ancestors' (ERC's Part B1 and B2 each have one), counted once
there; where the template has none, to the citing section itself. Limits then count references
where they say so, or do not say.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import _
from ..models.entities import PracticeQuestion, Proposal, ProposalQuestion, Reference, Section
from . import documents, templates
from .proposals import ProposalError, body_doc, citation_marker, member_names
from .references import full_name


@dataclass(frozen=True)
class QuestionLink:
    id: str
    title: str


@dataclass(frozen=True)
class SectionProgress:
    id: str
    number: str
    title: str
    template_section_id: str
    depth: int                  # nesting in the template (0: top level), for indentation
    required: bool
    content_type: str           # narrative, table, form, budget, bibliography
    owner_id: str | None
    owner: str
    status: str
    words: int
    characters: int
    references: tuple[str, ...]  # ids of the references cited, in order of first citation
    # Words of the reference entries counted with this section: those a bibliography section
    # lists, or those a section cites where no bibliography section lists them.
    reference_words: int
    # Limits on this section, alone or with its subsections (group limits are the summary's).
    limits: tuple[templates.LimitCheck, ...]


@dataclass(frozen=True)
class Totals:
    sections: int
    done: int
    words: int
    characters: int
    reference_words: int
    # The outermost word maxima (one covering another counts once) and the words under them,
    # references counted as those limits say: "1,850 of 2,700 words".
    words_counted: int
    words_allowed: int | None   # None: the template sets no word maximum
    limits: int
    over: int
    warning: int
    under: int
    blocking: int               # over a hard limit
    empty_required: int


@dataclass(frozen=True)
class ProposalSummary:
    id: str
    title: str
    acronym: str
    language: str
    status: str
    deadline: str
    citation_style: str
    template_id: str
    template_version: str
    template_name: str          # empty when the template is not installed
    lead_id: str | None
    lead: str
    created_at: str
    questions: tuple[QuestionLink, ...]
    sections: tuple[SectionProgress, ...]
    group_limits: tuple[templates.LimitCheck, ...]
    totals: Totals
    problems: tuple[str, ...]   # why limits could not be checked, or not all of them


def reference_entry(ref: Reference) -> str:
    """A reference written out plainly, as long as a bibliography entry, for counting."""
    authors = ", ".join(full_name(a) for a in ref.authors)
    venue = ", ".join(p for p in (ref.container_title,
                                  ref.volume + (f"({ref.issue})" if ref.issue else ""),
                                  ref.page) if p)
    doi = f"https://doi.org/{ref.doi}" if ref.doi else ref.url
    parts = (authors, f"({ref.year or 'n.d.'})", ref.title, venue, ref.publisher, doi)
    return ". ".join(p for p in parts if p)


def _depths(template: templates.Template) -> dict[str, int]:
    out: dict[str, int] = {}

    def visit(sections: Sequence[templates.TemplateSection], depth: int) -> None:
        for s in sections:
            out[s.id] = depth
            visit(s.children, depth + 1)
    visit(template.sections, 0)
    return out


def _bibliography_of(template: templates.Template) -> dict[str, str | None]:
    """Template section id → the bibliography section that lists its references: the first
    among its siblings, else among its parent's, and so on up (None: no such section)."""
    out: dict[str, str | None] = {}

    def visit(sections: Sequence[templates.TemplateSection], inherited: str | None) -> None:
        here = next((s.id for s in sections if s.content_type == "bibliography"), inherited)
        for s in sections:
            out[s.id] = here
            visit(s.children, here)
    visit(template.sections, None)
    return out


def _plus(a: templates.Measure, b: templates.Measure) -> templates.Measure:
    return templates.Measure(*(getattr(a, f.name) + getattr(b, f.name) for f in fields(a)))


def _outermost_word_limits(template: templates.Template,
                           checks: Sequence[templates.LimitCheck]) -> list[templates.LimitCheck]:
    """Word maxima not inside another one's sections (of equal ones, the first)."""
    words = [c for c in checks if c.limit.kind == "words" and c.limit.max is not None]
    covered = [frozenset(s.id for s in templates.scope_sections(template, c.subject, c.limit))
               for c in words]
    return [c for i, c in enumerate(words)
            if not any(covered[i] < covered[j] or (covered[i] == covered[j] and j < i)
                       for j in range(len(words)))]


def proposal_summary(session: Session, proposal_id: str,
                     loaded: templates.LoadedTemplates | None = None) -> ProposalSummary:
    """Everything a progress dashboard shows about one proposal.

    ``loaded`` are the templates (read from disk when not given). A missing template, or a
    section that links to no section of it, is reported in ``problems``; counts still come.
    """
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.deleted:
        raise ProposalError(_("There is no proposal with the id {id}.").format(id=proposal_id))
    loaded = loaded or templates.load_templates()
    problems: list[str] = []
    template: templates.Template | None = None
    try:
        template = loaded.get(proposal.template_id)
    except KeyError:
        problems.append(_("The template {id} is not installed; limits are not checked.")
                        .format(id=proposal.template_id))
    if template is not None and template.version != proposal.template_version:
        problems.append(_("The proposal was made from version {old} of {template}; the limits "
                          "are those of version {new}.").format(
            old=proposal.template_version, template=template.id, new=template.version))
    template_sections = {s.id: s for s in template.walk()} if template else {}
    depths = _depths(template) if template else {}

    sections = list(session.execute(select(Section).where(
        Section.proposal_id == proposal_id, Section.deleted.is_(False))
        .order_by(Section.position, Section.number)).scalars())
    bodies = {s.id: documents.segments(session, body_doc(s.id)) for s in sections}
    cited = {sid: documents.citation_ids(parts) for sid, parts in bodies.items()}
    all_cited = {rid for ids in cited.values() for rid in ids}
    # One query; citation_marker's lookups then come from the session's identity map.
    refs = {r.id: r for r in session.execute(
        select(Reference).where(Reference.id.in_(all_cited))).scalars()}
    label = citation_marker(session)

    listed_in = _bibliography_of(template) if template else {}
    counts: dict[str, templates.Measure] = {}
    measures: dict[str, templates.Measure] = {}
    listed: dict[str, dict[str, None]] = {}  # template section id → references it lists
    for s in sections:
        counts[s.id] = templates.measure(documents.plain_text(bodies[s.id], label))
        ts = s.template_section_id
        if ts in template_sections:
            # Two sections filed under one template section (a copy) count together.
            measures[ts] = _plus(measures.get(ts, templates.Measure()), counts[s.id])
            listed.setdefault(listed_in.get(ts) or ts, {}).update(dict.fromkeys(cited[s.id]))
        elif template is not None:
            problems.append(_("Section {section} belongs to no section of the template {id}; "
                              "no limit applies to it.").format(
                section=" ".join(p for p in (s.number, s.title) if p), id=template.id))
    reference_words: dict[str, int] = {}
    for ts, ids in listed.items():
        entries = templates.measure(
            "", "\n".join(reference_entry(refs[rid]) for rid in ids if rid in refs))
        measures[ts] = _plus(measures.get(ts, templates.Measure()), entries)
        reference_words[ts] = entries.reference_words

    checks = templates.check_limits(template, measures) if template else []
    by_subject: dict[str, list[templates.LimitCheck]] = {}
    for check in checks:
        if check.limit.scope != "group":
            by_subject.setdefault(check.subject, []).append(check)
    names = member_names(session)
    rows = []
    for s in sections:
        ts = template_sections.get(s.template_section_id)
        rows.append(SectionProgress(
            id=s.id, number=s.number, title=s.title, template_section_id=s.template_section_id,
            depth=depths.get(s.template_section_id, 0),
            required=ts.required if ts else False,
            content_type=ts.content_type if ts else "narrative",
            owner_id=s.owner_member_id, owner=names.get(s.owner_member_id or "", ""),
            status=s.status, words=counts[s.id].words, characters=counts[s.id].characters,
            reference_words=reference_words.pop(s.template_section_id, 0),
            references=tuple(cited[s.id]),
            limits=tuple(by_subject.pop(s.template_section_id, ()))))

    outer = _outermost_word_limits(template, checks) if template else []
    totals = Totals(
        sections=len(rows), done=sum(1 for r in rows if r.status == "done"),
        words=sum(r.words for r in rows), characters=sum(r.characters for r in rows),
        reference_words=sum(r.reference_words for r in rows),
        words_counted=round(sum(c.used for c in outer)),
        words_allowed=round(sum(c.limit.max or 0 for c in outer)) if outer else None,
        limits=len(checks), over=sum(1 for c in checks if c.state == "over"),
        warning=sum(1 for c in checks if c.state == "warning"),
        under=sum(1 for c in checks if c.state == "under"),
        blocking=sum(1 for c in checks if c.blocking),
        # A bibliography is written by the export, so an empty one is no gap.
        empty_required=sum(1 for r in rows if r.required and not r.words
                           and r.content_type != "bibliography"))
    questions = session.execute(
        select(PracticeQuestion.id, PracticeQuestion.title)
        .join(ProposalQuestion, ProposalQuestion.question_id == PracticeQuestion.id)
        .where(ProposalQuestion.proposal_id == proposal_id,
               ProposalQuestion.deleted.is_(False), PracticeQuestion.deleted.is_(False))
        .order_by(PracticeQuestion.title)).tuples()
    return ProposalSummary(
        id=proposal.id, title=proposal.title, acronym=proposal.acronym,
        language=proposal.language, status=proposal.status, deadline=proposal.deadline,
        citation_style=proposal.citation_style, template_id=proposal.template_id,
        template_version=proposal.template_version,
        template_name=template.name_in(proposal.language) if template else "",
        lead_id=proposal.lead_member_id, lead=names.get(proposal.lead_member_id or "", ""),
        created_at=proposal.created_at,
        questions=tuple(QuestionLink(qid, title) for qid, title in questions),
        sections=tuple(rows),
        group_limits=tuple(c for c in checks if c.limit.scope == "group"),
        totals=totals, problems=tuple(problems))
