"""Exporting a proposal: citations in document order, the compliance report, the Word file and,
where LibreOffice is installed, the PDF. No Qt; the app runs :func:`export_content` on a worker.

Steps, each reported through the ``TaskControl`` and cancellable between them:
1. the proposal is read whole (:func:`~desktop.services.proposal_content.load_proposal`), inside
   a database session; everything after works on that frozen data;
2. every citation is processed in document order by one citeproc-js engine, so that year
   suffixes (2020a/2020b) and numbers in order of first citation come out as the style says;
   the final text of each citation is used, and the bibliography lists the cited references;
3. the compliance report is made with the formatted texts (exact word counts); in strict mode a
   hard problem stops the export before anything is written;
4. the document is written atomically; the PDF is made from it with its indexes updated.

Texts of the document (title page, "Page X of Y", "References") are in the proposal's language,
not the user's.

With the comments option, each open comment becomes a Word comment with its replies: on its
passage while the passage exists, else on its section's heading.
"""
from __future__ import annotations

import datetime
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session

from ..i18n import N_, _, translator
from ..services.comments import CommentRow
from ..services.compliance import ComplianceReport, compliance_report
from ..services.proposal_content import (Inline, Part, ProposalContent, SectionContent,
                                         load_proposal)
from ..services.tasks import NO_CONTROL, TaskControl
from . import docx_writer as dw
from . import pdf
from .citeproc import Bibliography, CitationEngine, CiteItem, Cluster, Run

DEFAULT_STYLE = "apa"
# Texts of the document itself, translated into the proposal's language.
PAGE_X_OF_Y = N_("Page {PAGE} of {NUMPAGES}")
CONTENTS = N_("Contents")
TOC_PLACEHOLDER = N_("Update this field to show the table of contents.")
REFERENCES = N_("References")
MISSING = N_("[reference missing]")
FUNDER_LINE = N_("Funder: {funder}")
SCHEME_LINE = N_("Scheme: {scheme}")
DATE_LINE = N_("Date: {date}")
# Placeholders a template's header or footer may use besides {PAGE} and {NUMPAGES}.
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Word requires an author; a comment by no known member is signed by the app.
UNKNOWN_AUTHOR = "Tandem"


class ExportBlocked(Exception):
    """Strict mode and the compliance report has hard problems; nothing was written."""

    def __init__(self, report: ComplianceReport) -> None:
        super().__init__(f"{len(report.hard)} hard problems")
        self.report = report


@dataclass(frozen=True)
class ExportOptions:
    style: str = ""  # a style name or .csl path; empty: the proposal's, else the template's
    locale: str = ""  # a CSL locale; empty: nl-NL for Dutch proposals, else the style's own
    pdf: bool = False
    strict: bool = False
    toc: bool | None = None  # None: as the template's format profile says
    comments: bool = False  # the open comments as Word comments; resolved ones never


@dataclass(frozen=True)
class ExportResult:
    docx: Path
    pdf: Path | None
    report: ComplianceReport
    style: str
    locale: str
    citations: int  # citation clusters in the text
    references: int  # entries in the bibliography
    unresolved: int  # citations shown with the missing-reference marker


@dataclass(frozen=True)
class RenderedCitations:
    texts: Mapping[str, tuple[Run, ...]]  # citation id → its runs, marker included
    bibliography: Bibliography | None
    unresolved: int
    failed: Mapping[str, str] = field(default_factory=dict)  # reference id → engine's message


def style_for(content: ProposalContent, options: ExportOptions) -> str:
    if options.style:
        return options.style
    if content.citation_style:
        return content.citation_style
    return content.template.citation.style if content.template is not None else DEFAULT_STYLE


def locale_for(content: ProposalContent, options: ExportOptions) -> str | None:
    if options.locale:
        return options.locale
    return "nl-NL" if content.language == "nl" else None


def render_citations(content: ProposalContent, engine: CitationEngine,
                     control: TaskControl = NO_CONTROL) -> RenderedCitations:
    """Every citation of the proposal through ``engine``, in document order, and the
    bibliography of the cited references. The engine is reset first: it must not be in use
    elsewhere meanwhile. A reference the engine fails on is left out, named with the engine's
    message, and shown as missing where it is cited: it does not stop the others."""
    items = {str(item["id"]): item for item in content.references.values()}
    if items:
        engine.register(items.values())
    control.progress(0, 0, _("Formatting citations"))
    return engine.despite_broken(list(items), lambda: _rendered(content, engine))


def _rendered(content: ProposalContent, engine: CitationEngine) -> RenderedCitations:
    tr = translator(content.language)
    texts: dict[str, tuple[Run, ...]] = {}
    clusters: list[Cluster] = []
    partly: set[str] = set()
    unresolved = 0
    marker = Run(tr(MISSING), bold=True)
    failed: dict[str, str] = {}
    for citation in content.citations():
        cite_items = []
        for i in citation.items:
            item = content.references.get(i.reference_id)
            if item is not None and str(item["id"]) in engine.failed:
                failed[i.reference_id] = engine.failed[str(item["id"])]
            elif item is not None:
                cite_items.append(CiteItem(str(item["id"]), i.locator, i.label, i.prefix,
                                           i.suffix, i.suppress_author))
        if len(cite_items) < len(citation.items) or not citation.items:
            unresolved += 1
            texts[citation.id] = (marker,)
            if cite_items:
                partly.add(citation.id)
        if cite_items:
            clusters.append(Cluster(citation.id, tuple(cite_items)))
    # One pass over the document in order: year suffixes and numbers as the style assigns them.
    for update in engine.process_document(clusters):
        texts[update.cluster_id] = update.formatted.runs + (
            (Run(" "), marker) if update.cluster_id in partly else ())
    bibliography = engine.bibliography() if clusters else None
    return RenderedCitations(texts, bibliography, unresolved, failed)


def _runs(parts: tuple[Part, ...], citations: Mapping[str, tuple[Run, ...]]
          ) -> tuple[tuple[Run, ...], tuple[dw.CommentSpan, ...]]:
    """The runs of a paragraph's parts, and the runs each comment in them is on."""
    out: list[Run] = []
    reach: dict[str, tuple[int, int]] = {}  # comment id → its first and last run
    for part in parts:
        first = len(out)
        if isinstance(part, Inline):
            out.append(Run(part.text, italic=part.italic, bold=part.bold,
                           underline=part.underline, superscript=part.script == "super",
                           subscript=part.script == "sub", link=part.link))
        else:
            out.extend(citations.get(part.id, ()))
        if len(out) > first:
            for cid in part.comment_ids:
                start = reach[cid][0] if cid in reach else first
                reach[cid] = (start, len(out) - 1)
    return tuple(out), tuple(dw.CommentSpan(cid, a, b) for cid, (a, b) in reach.items())


def _section_blocks(section: SectionContent, citations: Mapping[str, tuple[Run, ...]],
                    comments: bool) -> tuple[dw.Block, list[dw.Block]]:
    """A section's heading and body; with ``comments``, a comment that is on no words written
    (its passage deleted, or none) is on the heading."""
    body: list[dw.Block] = []
    for p in () if section.is_bibliography else section.paragraphs:
        runs, spans = _runs(p.parts, citations)
        if not runs and not p.list_kind:
            continue  # spacing between paragraphs is the style's job, not empty lines
        body.append(dw.Block(runs, level=min(section.level + p.heading, 9) if p.heading
                             else 0, list_kind=p.list_kind, indent=p.indent,
                             comments=spans if comments else ()))
    on_words = {span.comment_id for block in body for span in block.comments}
    on_heading = tuple(dw.CommentSpan(c.id, 0, 0) for c in section.comments
                       if c.id not in on_words) if comments else ()
    heading = dw.Block((Run(section.title),), level=min(section.level, 9),
                       number=section.number, comments=on_heading)
    return heading, body


def _blocks(content: ProposalContent, citations: Mapping[str, tuple[Run, ...]],
            references_title: str, comments: bool
            ) -> tuple[tuple[dw.Block, ...], dw.Block]:
    """The body, and the heading the bibliography goes under: the template's bibliography
    section where the proposal has one (it then ends the document), else a level-1 heading."""
    blocks: list[dw.Block] = []
    bibliography_heading = dw.Block((Run(references_title),), level=1)
    for section in content.sections:
        heading, body = _section_blocks(section, citations, comments)
        if section.is_bibliography:
            bibliography_heading = heading
            continue
        blocks += [heading, *body]
    return tuple(blocks), bibliography_heading


def _when(created_at: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(created_at)
    except ValueError:
        return None  # a copy that stored no date, or another format: Word gets the export's


def _word_comment(row: CommentRow) -> dw.Comment:
    """The comment and, as further paragraphs, its replies signed "Name: text"."""
    replies = tuple((Run(f"{r.author or UNKNOWN_AUTHOR}: ", bold=True), Run(r.body))
                    for r in row.replies)
    return dw.Comment(row.id, row.author or UNKNOWN_AUTHOR, _when(row.created_at),
                      ((Run(row.body),), *replies))


def _fill(text: str, values: Mapping[str, str]) -> str:
    """Template placeholders filled; {PAGE} and {NUMPAGES} stay for the writer's fields."""
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return match.group(0) if name in ("PAGE", "NUMPAGES") else values.get(name, "")
    return _PLACEHOLDER.sub(value, text)


def document_spec(content: ProposalContent, rendered: RenderedCitations,
                  options: ExportOptions, today: datetime.date | None = None) -> dw.DocumentSpec:
    """What the document holds and how it looks, from the proposal and its template."""
    tr = translator(content.language)
    language = content.language
    template = content.template
    profile = template.format if template is not None else None
    layout = dw.Layout()
    if profile is not None:
        m = profile.margins_mm
        layout = dw.Layout(
            page_size=profile.page_size or layout.page_size,
            margins_mm=(m.top, m.right, m.bottom, m.left) if m else layout.margins_mm,
            font=profile.font_family or layout.font,
            font_size_pt=profile.font_size_pt or layout.font_size_pt,
            line_spacing=profile.line_spacing or layout.line_spacing)
    lines = [f"{p.name} ({p.organisation})" if p.organisation else p.name
             for p in content.people]
    values = {"acronym": content.acronym, "title": content.title}
    if template is not None:
        funder, scheme = template.funder.get(language), template.scheme.get(language)
        values.update(call_id=template.round or template.id, call_name=scheme)
        lines += [""] if lines else []
        lines += [tr(FUNDER_LINE).format(funder=funder)] if funder else []
        lines += [tr(SCHEME_LINE).format(scheme=scheme)] if scheme else []
    lines.append(tr(DATE_LINE).format(date=(today or datetime.date.today()).isoformat()))
    title_page = dw.TitlePage(content.title, content.acronym, tuple(lines))
    header = _fill(profile.header_text, values) if profile and profile.header_text else (
        content.acronym or content.title)
    footer = _fill(profile.footer_text, values) if profile and profile.footer_text else (
        tr(PAGE_X_OF_Y))
    toc = options.toc if options.toc is not None else bool(profile and profile.toc)
    references_title = tr(REFERENCES)
    blocks, bibliography_heading = _blocks(content, rendered.texts, references_title,
                                           options.comments)
    if rendered.bibliography is None and bibliography_heading.comments:
        # Nothing cited yet, but comments on the references: the heading keeps them.
        blocks += (bibliography_heading,)
    comments = tuple(_word_comment(c) for s in content.sections for c in s.comments) \
        if options.comments else ()
    return dw.DocumentSpec(
        layout=layout, title_page=title_page, header=header, footer=footer,
        toc_title=tr(CONTENTS) if toc else "", toc_placeholder=tr(TOC_PLACEHOLDER),
        blocks=blocks,
        bibliography_heading=bibliography_heading if rendered.bibliography else None,
        bibliography=rendered.bibliography,
        language="nl-NL" if language == "nl" else "en-GB" if language == "en" else language,
        core_title=content.title,
        core_author="; ".join(p.name for p in content.people),
        comments=comments)


def export_content(content: ProposalContent, output: Path,
                   options: ExportOptions = ExportOptions(),
                   control: TaskControl = NO_CONTROL,
                   engine: CitationEngine | None = None) -> ExportResult:
    """Export a proposal read with ``load_proposal``; safe to run on a worker thread.

    ``engine`` None builds one for the style and locale (about a second); an engine passed in is
    reset and used, so it must not serve the editor meanwhile. Raises :class:`ExportBlocked` in
    strict mode when the report has hard problems, ``Cancelled`` when cancelled (the previous
    file, if any, is left as it was), ``CitationError`` or ``MissingAssetError`` when citations
    cannot be formatted, and :class:`~.pdf.PdfError` when the PDF cannot be made.
    """
    output = Path(output)
    style = style_for(content, options)
    locale = locale_for(content, options)
    control.progress(0, 0, _("Preparing the citation style"))
    own_engine = engine is None
    engine = engine or CitationEngine(style, locale)
    try:
        control.check()
        rendered = render_citations(content, engine, control)
    finally:
        if own_engine:
            engine.close()
    citation_text = {cid: "".join(r.text for r in runs) for cid, runs in rendered.texts.items()}
    bibliography_text = "\n".join(e.text for e in rendered.bibliography.entries) \
        if rendered.bibliography else ""
    report = compliance_report(content, citation_text, bibliography_text, rendered.failed)
    if report.blocks(options.strict):
        raise ExportBlocked(report)
    control.progress(0, 0, _("Writing the Word document"))
    spec = document_spec(content, rendered, options)
    dw.write(spec, output, control)
    pdf_path = None
    if options.pdf:
        control.progress(0, 0, _("Making the PDF"))
        pdf_path = _pdf(spec, output, control)
    return ExportResult(output, pdf_path, report, engine.style, engine.locale,
                        len(rendered.texts), len(rendered.bibliography.entries)
                        if rendered.bibliography else 0, rendered.unresolved)


def _pdf(spec: dw.DocumentSpec, output: Path, control: TaskControl) -> Path:
    """The PDF beside ``output``, made from the document without its comments: LibreOffice's
    PDF leaves comments out anyway, and a LibreOffice without its GUI files (Debian's -nogui
    packages) aborts when it opens a document with comments to update its indexes."""
    target = output.with_suffix(".pdf")
    if not spec.comments:
        return pdf.convert(output, target)
    with tempfile.TemporaryDirectory(prefix="tandem-pdf-") as tmp:
        source = Path(tmp) / output.name
        dw.write(replace(spec, comments=()), source, control)
        return pdf.convert(source, target)


def export_proposal(session: Session, proposal_id: str, output: Path,
                    options: ExportOptions = ExportOptions(),
                    control: TaskControl = NO_CONTROL,
                    engine: CitationEngine | None = None) -> ExportResult:
    """Read and export in one go (the CLI); the app reads on its own thread and calls
    :func:`export_content` on a worker."""
    control.progress(0, 0, _("Reading the proposal"))
    return export_content(load_proposal(session, proposal_id), output, options, control, engine)
