"""The Word document: a :class:`DocumentSpec` (plain data) written with python-docx. No Qt, no
database: the caller has already resolved citations and texts.

What it makes, and why in this way:
- Page size, margins, body font, size and line spacing from the funder's format profile.
- Styles are taken by their built-in names ("Heading 1", "Title", "List Paragraph"): Word keeps
  the structure in localised installs, where the same styles show as "Kop 1" and so on. Styles
  the default template lacks ("Hyperlink", "Bibliography") are added under Word's own names.
- Lists are real Word numbering: one multi-level bullet definition and one multi-level ordered
  definition, and every ordered list its own instance, so that each list restarts at 1.
- Page numbers, the page count and the table of contents are fields, which Word and LibreOffice
  compute; the table of contents needs an update (Word asks on opening; the PDF step updates it).
- Bibliography entries get a hanging indent; numeric styles get the label, a tab and the text,
  with the hanging indent at the tab stop (the study's integration outline).
- Comments are Word comments (python-docx's own), anchored from the first run of their passage
  to the last, which may lie in a later paragraph. Word's reply threads need a part python-docx
  does not write (commentsExtended), so replies are further paragraphs of the comment.
"""
from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run as DocxRun

from ..atomic import write_bytes
from ..services.tasks import NO_CONTROL, TaskControl
from .citeproc import Bibliography, Run

PAGE_SIZES_MM = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
HANGING_INDENT_MM = 12.7  # 0.5 inch, the hanging indent APA and Word's bibliography use
LIST_INDENT_TWIPS = 360  # each list level indents a quarter inch
BULLETS = ("•", "◦", "▪")
ORDERED_FORMATS = (("decimal", "%{n}."), ("lowerLetter", "%{n}."), ("lowerRoman", "%{n}."))
# Field placeholders a format profile's header and footer may contain.
FIELD_PLACEHOLDER = re.compile(r"\{(PAGE|NUMPAGES)\}")
# Word's own comment styles, under the ids its comments refer to (python-docx's default
# template lacks them): comment text 10 pt, the reference mark 8 pt.
COMMENT_STYLES = (
    ('<w:style {ns} w:type="paragraph" w:styleId="CommentText"><w:name w:val="annotation text"/>'
     '<w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
     '<w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>'),
    ('<w:style {ns} w:type="character" w:styleId="CommentReference">'
     '<w:name w:val="annotation reference"/><w:basedOn w:val="DefaultParagraphFont"/>'
     '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>'
     '<w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>'))


@dataclass(frozen=True)
class Layout:
    page_size: str = "A4"
    margins_mm: tuple[float, float, float, float] = (25.0, 25.0, 25.0, 25.0)  # top right bottom left
    font: str = "Calibri"
    font_size_pt: float = 11.0
    line_spacing: float = 1.0


@dataclass(frozen=True)
class TitlePage:
    title: str
    subtitle: str = ""  # the acronym
    lines: tuple[str, ...] = ()  # applicants and organisations, funder and scheme, date


@dataclass(frozen=True)
class CommentSpan:
    """The runs ``first..last`` (inclusive indexes into a block's runs) a comment is on."""

    comment_id: str
    first: int
    last: int


@dataclass(frozen=True)
class Block:
    """A paragraph of the body: a heading (``level`` 1..9) or text, perhaps in a list."""

    runs: tuple[Run, ...]
    level: int = 0  # heading level; 0 for body text
    number: str = ""  # the template's heading number, written before the title
    list_kind: str = ""  # "bullet", "ordered" or ""
    indent: int = 0  # list level, 0-based
    comments: tuple[CommentSpan, ...] = ()


@dataclass(frozen=True)
class Comment:
    """A Word comment, on the runs its spans mark in the blocks."""

    id: str
    author: str
    date: datetime.datetime | None  # None: the time of writing
    paragraphs: tuple[tuple[Run, ...], ...]  # the comment, then its replies


@dataclass(frozen=True)
class DocumentSpec:
    layout: Layout
    title_page: TitlePage | None
    header: str  # may hold {PAGE} and {NUMPAGES}
    footer: str
    toc_title: str  # empty: no table of contents
    toc_placeholder: str  # shown until the table of contents is updated
    blocks: tuple[Block, ...]
    bibliography_heading: Block | None = None
    bibliography: Bibliography | None = None
    language: str = "en-US"  # the document's proofing language
    core_title: str = ""
    core_author: str = ""
    comments: tuple[Comment, ...] = ()


# --- fields and runs ----------------------------------------------------------------------------

def add_field(paragraph: Paragraph, instruction: str, shown: str = "") -> None:
    """A complex field (begin, instruction, separate, shown result, end) at the paragraph's end.

    The shown result is what readers display until the field is updated.
    """
    def char(kind: str) -> None:
        run = paragraph.add_run()
        run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="{kind}"/>'))

    char("begin")
    run = paragraph.add_run()
    instr = parse_xml(f'<w:instrText {nsdecls("w")} xml:space="preserve"/>')
    instr.text = f" {instruction} "
    run._r.append(instr)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def add_text_with_fields(paragraph: Paragraph, text: str) -> None:
    """Text in which ``{PAGE}`` and ``{NUMPAGES}`` become fields."""
    pos = 0
    for match in FIELD_PLACEHOLDER.finditer(text):
        if match.start() > pos:
            paragraph.add_run(text[pos:match.start()])
        add_field(paragraph, match.group(1), "1")
        pos = match.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


def _format_run(run: docx.text.run.Run, fmt: Run) -> None:
    font = run.font
    if fmt.bold:
        font.bold = True
    if fmt.italic:
        font.italic = True
    if fmt.underline:
        font.underline = True
    if fmt.small_caps:
        font.small_caps = True
    if fmt.superscript:
        font.superscript = True
    elif fmt.subscript:
        font.subscript = True


def _add_text(paragraph: Paragraph, fmt: Run) -> list[DocxRun]:
    made = []
    # A newline inside a run (the engine's csl-block) is a line break, not a new paragraph.
    for n, line in enumerate(fmt.text.split("\n")):
        if n:
            made.append(paragraph.add_run())
            made[-1].add_break(WD_BREAK.LINE)
        if line:
            made.append(_plain_run(paragraph, line))
            _format_run(made[-1], fmt)
    return made


def _plain_run(paragraph: Paragraph, text: str) -> DocxRun:
    """A run of ``text``. python-docx's own setter reads the text a character at a time (for
    tabs and breaks); text without them goes into one ``w:t`` at once (an eighth less
    writing time for a 30-page proposal)."""
    if "\t" in text or "\r" in text:
        return paragraph.add_run(text)
    run = paragraph.add_run()
    run._r.add_t(text)
    return run


def _add_link(paragraph: Paragraph, fmt: Run) -> list[DocxRun]:
    rid = paragraph.part.relate_to(fmt.link, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}" w:history="1"/>')
    paragraph._p.append(link)
    run = paragraph.add_run(fmt.text, style="Hyperlink")
    _format_run(run, fmt)
    link.append(run._r)  # moved from the paragraph into the hyperlink
    return [run]


def add_runs(paragraph: Paragraph, runs: Sequence[Run]) -> list[list[DocxRun]]:
    """Write ``runs``; for each, the Word runs it became (none for an empty one)."""
    return [_add_link(paragraph, fmt) if fmt.link and fmt.text else _add_text(paragraph, fmt)
            for fmt in runs]


# --- styles and page ----------------------------------------------------------------------------

def _set_font(style_font: docx.text.font.Font, name: str) -> None:
    style_font.name = name
    # python-docx sets ascii/hAnsi; complex scripts and East Asian text need it too.
    rfonts = style_font.element.rPr.find(qn("w:rFonts"))  # type: ignore[union-attr]
    for attr in ("w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), name)


def _styles(doc: Document, layout: Layout, language: str) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _set_font(normal.font, layout.font)
    normal.font.size = Pt(layout.font_size_pt)
    normal.paragraph_format.line_spacing = layout.line_spacing
    normal.paragraph_format.space_after = Pt(layout.font_size_pt * 0.5)
    rpr = normal.element.get_or_add_rPr()
    rpr.append(parse_xml(f'<w:lang {nsdecls("w")} w:val="{language}"/>'))
    sizes = {1: 4.0, 2: 2.0, 3: 1.0}
    for level in range(1, 10):
        heading = styles[f"Heading {level}"]
        _set_font(heading.font, layout.font)
        heading.font.size = Pt(layout.font_size_pt + sizes.get(level, 0.0))
        heading.font.bold = True
        heading.font.italic = False
        # The default template's headings are blue and light; funders expect plain black.
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.paragraph_format.space_before = Pt(layout.font_size_pt * (1.2 if level == 1
                                                                          else 0.8))
        heading.paragraph_format.space_after = Pt(layout.font_size_pt * 0.4)
    for name, extra in (("Title", 10.0), ("Subtitle", 4.0)):
        style = styles[name]
        _set_font(style.font, layout.font)
        style.font.size = Pt(layout.font_size_pt + extra)
        style.font.color.rgb = RGBColor(0, 0, 0)
        ppr = style.element.pPr
        border = ppr.find(qn("w:pBdr")) if ppr is not None else None
        if border is not None:
            ppr.remove(border)  # the default template's blue rule under the title
    if "Hyperlink" not in [s.name for s in styles]:
        link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        link.font.underline = True
        link.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    if "Bibliography" not in [s.name for s in styles]:
        bib = styles.add_style("Bibliography", WD_STYLE_TYPE.PARAGRAPH)
        bib.base_style = normal


def _page(doc: Document, layout: Layout) -> None:
    section = doc.sections[0]
    width, height = PAGE_SIZES_MM.get(layout.page_size, PAGE_SIZES_MM["A4"])
    section.page_width, section.page_height = Mm(width), Mm(height)
    top, right, bottom, left = layout.margins_mm
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    # Header and footer sit inside the margins (funders count margins without them).
    section.header_distance = section.footer_distance = Mm(min(top, bottom) / 2)


# --- numbering ------------------------------------------------------------------------------------

class _Numbering:
    """The document's two list definitions, and a new instance for every ordered list."""

    BULLET_ID, ORDERED_ID = 90, 91

    def __init__(self, doc: Document) -> None:
        self.root = doc.part.numbering_part.element
        self._abstract(self.BULLET_ID, [("bullet", BULLETS[i % len(BULLETS)]) for i in range(9)])
        self._abstract(self.ORDERED_ID, [
            (ORDERED_FORMATS[i % 3][0], ORDERED_FORMATS[i % 3][1].format(n=i + 1))
            for i in range(9)])
        self.bullet = self._instance(self.BULLET_ID)

    def _abstract(self, abstract_id: int, levels: list[tuple[str, str]]) -> None:
        lvls = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{LIST_INDENT_TWIPS * (i + 1)}" '
            f'w:hanging="{LIST_INDENT_TWIPS}"/></w:pPr></w:lvl>'
            for i, (fmt, text) in enumerate(levels))
        element = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
                            f'<w:multiLevelType w:val="hybridMultilevel"/>{lvls}</w:abstractNum>')
        # Schema order: every abstractNum before the first num.
        first_num = self.root.find(qn("w:num"))
        if first_num is None:
            self.root.append(element)
        else:
            first_num.addprevious(element)

    def _instance(self, abstract_id: int) -> int:
        num = self.root.add_num(abstract_id)
        return int(num.numId)

    def new_ordered(self, level: int) -> int:
        """A new instance that starts counting at 1 on ``level``."""
        num_id = self._instance(self.ORDERED_ID)
        num = self.root.num_having_numId(num_id)
        num.append(parse_xml(f'<w:lvlOverride {nsdecls("w")} w:ilvl="{min(level, 8)}">'
                             f'<w:startOverride w:val="1"/></w:lvlOverride>'))
        return num_id


def _set_list(paragraph: Paragraph, num_id: int, level: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{min(level, 8)}"/>'
                         f'<w:numId w:val="{num_id}"/></w:numPr>'))


# --- the document ---------------------------------------------------------------------------------

def _title_page(doc: Document, page: TitlePage) -> None:
    doc.add_paragraph(page.title, style="Title")
    if page.subtitle:
        doc.add_paragraph(page.subtitle, style="Subtitle")
    for line in page.lines:
        doc.add_paragraph(line)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _toc(doc: Document, title: str, placeholder: str) -> None:
    doc.add_paragraph(title, style="TOC Heading")
    # \o "1-3": heading levels 1-3; \h: entries are links; \z \u: as Word inserts it. The
    # shown text must not be empty: LibreOffice imports an empty TOC field as no index at all.
    add_field(doc.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u', placeholder)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    # Word updates the fields (the table of contents) when it opens the file.
    settings = doc.settings.element
    settings.append(parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>'))


def _header_footer(doc: Document, header: str, footer: str) -> None:
    section = doc.sections[0]
    if header:
        paragraph = section.header.paragraphs[0]
        add_text_with_fields(paragraph, header)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if footer:
        paragraph = section.footer.paragraphs[0]
        add_text_with_fields(paragraph, footer)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


Anchors = dict[str, list[DocxRun]]  # comment id → the first and the last Word run it is on


def _block(doc: Document, block: Block, list_id: int | None, anchors: Anchors) -> None:
    if block.level:
        paragraph = doc.add_paragraph(style=f"Heading {min(block.level, 9)}")
        if block.number:
            paragraph.add_run(f"{block.number}\t")
    elif block.list_kind and list_id is not None:
        paragraph = doc.add_paragraph(style="List Paragraph")
        _set_list(paragraph, list_id, block.indent)
    else:
        paragraph = doc.add_paragraph()
    made = add_runs(paragraph, block.runs)
    for span in block.comments:
        covered = [r for runs in made[span.first:span.last + 1] for r in runs]
        # A heading without a title still holds its section's comments.
        covered = covered or [paragraph.add_run()]
        ends = anchors.setdefault(span.comment_id, [covered[0], covered[-1]])
        ends[-1] = covered[-1]  # a passage over several paragraphs ends in the last


def _bibliography(doc: Document, bibliography: Bibliography, layout: Layout) -> None:
    spec = bibliography.layout
    numeric = bool(spec.second_field_align) and any(e.label for e in bibliography.entries)
    # The label column fits the widest label (in characters, about half an em each) plus a gap.
    label_width = Pt(max(spec.max_offset, 3) * layout.font_size_pt * 0.55 + layout.font_size_pt)
    for entry in bibliography.entries:
        paragraph = doc.add_paragraph(style="Bibliography")
        fmt = paragraph.paragraph_format
        if spec.entry_spacing:
            fmt.space_after = Pt(layout.font_size_pt * spec.entry_spacing)
        if numeric:
            fmt.left_indent, fmt.first_line_indent = label_width, -label_width
            fmt.tab_stops.add_tab_stop(label_width)
            add_runs(paragraph, _strip(entry.label))
            paragraph.add_run("\t")
            add_runs(paragraph, _strip(entry.runs))
        else:
            if spec.hanging_indent:
                fmt.left_indent, fmt.first_line_indent = (Mm(HANGING_INDENT_MM),
                                                          -Mm(HANGING_INDENT_MM))
            add_runs(paragraph, _strip(entry.label + entry.runs))


def initials(name: str) -> str:
    """"Anna de Vries" → "AdV", as Word abbreviates its user's name."""
    return "".join(word[0] for word in name.split())


def _comments(doc: Document, comments: Sequence[Comment], anchors: Anchors) -> None:
    """The comments on the runs their spans marked; one with nothing written to be on (its
    section was left out) is left out too."""
    styles = doc.styles.element
    for xml in COMMENT_STYLES:
        styles.append(parse_xml(xml.format(ns=nsdecls("w"))))
    for given in comments:
        ends = anchors.get(given.id)
        if ends is None:
            continue
        comment = doc.add_comment(ends, author=given.author, initials=initials(given.author))
        if given.date is not None:
            comment._comment_elm.date = given.date  # python-docx stamps the time of writing
        for n, runs in enumerate(given.paragraphs):
            add_runs(comment.paragraphs[0] if n == 0 else comment.add_paragraph(), runs)


def _strip(runs: Sequence[Run]) -> list[Run]:
    """Runs without the engine's surrounding spaces (a tab or the indent does the spacing)."""
    out = list(runs)
    if out:
        out[0] = replace(out[0], text=out[0].text.lstrip())
        out[-1] = replace(out[-1], text=out[-1].text.rstrip())
    return [r for r in out if r.text]


def build(spec: DocumentSpec, control: TaskControl = NO_CONTROL) -> Document:
    """The python-docx document of ``spec`` (not yet saved)."""
    doc = docx.Document()
    _styles(doc, spec.layout, spec.language)
    _page(doc, spec.layout)
    _header_footer(doc, spec.header, spec.footer)
    doc.core_properties.title = spec.core_title
    doc.core_properties.author = spec.core_author
    if spec.title_page is not None:
        _title_page(doc, spec.title_page)
    if spec.toc_title:
        _toc(doc, spec.toc_title, spec.toc_placeholder)
    numbering = _Numbering(doc)
    ordered: dict[int, int] = {}  # list level → numbering instance of the list being written
    anchors: Anchors = {}
    for n, block in enumerate(spec.blocks):
        if block.list_kind == "ordered":
            # A new ordered list starts where the previous block was no list; deeper levels
            # restart under each new parent item.
            if n == 0 or not spec.blocks[n - 1].list_kind:
                ordered.clear()
            for deeper in [k for k in ordered if k > block.indent]:
                del ordered[deeper]
            if block.indent not in ordered:
                ordered[block.indent] = numbering.new_ordered(block.indent)
            list_id: int | None = ordered[block.indent]
        elif block.list_kind == "bullet":
            list_id = numbering.bullet
        else:
            list_id = None
            ordered.clear()
        _block(doc, block, list_id, anchors)
        if n % 200 == 0:
            control.check()
    if spec.bibliography_heading is not None and spec.bibliography is not None:
        _block(doc, spec.bibliography_heading, None, anchors)
        _bibliography(doc, spec.bibliography, spec.layout)
    if spec.comments:
        _comments(doc, spec.comments, anchors)
    return doc


def write(spec: DocumentSpec, path: Path, control: TaskControl = NO_CONTROL) -> None:
    """Build and save atomically: the previous file stays whole until the new one is complete."""
    document = build(spec, control)
    buffer = io.BytesIO()
    document.save(buffer)
    control.check()
    write_bytes(path, buffer.getvalue())
