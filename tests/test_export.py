"""Proposal export: the delta model to Word structures, citations in document order, the
compliance report, atomic writing, and the file opened by real readers (LibreOffice, pandoc).

A small proposal is built with every structure the section editor can make: headings inside a
section, bold/italic/underline/super/subscript, a link, nested bullet and numbered lists, and
citations with a locator, a prefix, two same-author same-year works (2020a/2020b) and one whose
reference has been deleted.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pycrdt
import pytest
from docx.shared import Mm

from desktop.cli import main
from desktop.export import docx_writer, pdf
from desktop.export.proposal_export import (
    ExportBlocked,
    ExportOptions,
    export_content,
    export_proposal,
)
from desktop.models.entities import Reference
from desktop.services import documents, matches, proposals, questions, references
from desktop.services.compliance import compliance_report
from desktop.services.proposal_content import load_proposal, paragraphs_of
from desktop.services.proposals import find_proposal
from desktop.services.tasks import Cancelled, TaskControl
from desktop.services.workspace import Workspace

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
KEYS = ("bold", "italic", "underline", "script", "link", "header", "list", "indent")


def item(key: str, family: str, year: int, title: str) -> dict[str, Any]:
    return {"id": key, "type": "article-journal", "title": title,
            "author": [{"family": family, "given": "Anna"}],
            "issued": {"date-parts": [[year]]}, "container-title": "Journal of Work",
            "volume": "3", "page": "1-10"}


def write(text: pycrdt.Text, chunk: str | dict[str, Any], **attrs: Any) -> None:
    # Every attribute is given (None = off), so nothing is inherited from the previous character.
    full = {k: attrs.get(k) for k in KEYS}
    if isinstance(chunk, str):
        text.insert(len(text), chunk, full)
    else:
        text.insert_embed(len(text), chunk, full)


def cite(*ids: str, **extra: Any) -> dict[str, Any]:
    return {"citation": {"items": [{"id": i, **extra} for i in ids]}}


@pytest.fixture
def proposal(workspace: Workspace) -> Iterator[tuple[Workspace, str, dict[str, str]]]:
    refs = {}
    with workspace.transaction() as tx:
        for key, family, year, title in (
                ("smit2020x", "Smit", 2020, "Learning at work"),
                ("smit2020y", "Smit", 2020, "Learning by writing"),
                ("bakker2019", "Bakker", 2019, "Nurses and notes"),
                ("gone2018", "Visser", 2018, "A deleted work")):
            refs[key] = references.add_csl_item(tx, item(key, family, year, title))
        qid = questions.add_question(tx, {"title": "Novices and AI notes"})
        matches.record_decision(tx, qid, refs["smit2020x"], "relevant")
        matches.record_decision(tx, qid, refs["bakker2019"], "relevant")
        pid = proposals.create_proposal(tx, {"title": "Notes that teach", "acronym": "NOTES",
                                             "template_id": "generic", "citation_style": "apa",
                                             "language": "en"}, [qid])
        first = proposals.add_section(tx, pid, {"template_section_id": "gen.summary",
                                                "number": "1", "title": "Summary",
                                                "position": 0.0})
        second = proposals.add_section(tx, pid, {"template_section_id": "3", "number": "3",
                                                 "title": "State of the art", "position": 1.0})

        def summary(text: pycrdt.Text) -> None:
            write(text, "Plain, ")
            write(text, "bold", bold=True)
            write(text, ", ")
            write(text, "italic", italic=True)
            write(text, ", ")
            write(text, "under", underline=True)
            write(text, ", x")
            write(text, "2", script="super")
            write(text, " and H")
            write(text, "2", script="sub")
            write(text, "O, a ")
            write(text, "link", link="https://example.org/tandem")
            write(text, " and zorgvernieuwing ")
            write(text, cite(refs["smit2020x"], locator="45", label="page", prefix="see "))
            write(text, ".\n")
            write(text, "Background")
            write(text, "\n", header=1)
            write(text, "First point ")
            write(text, cite(refs["bakker2019"]))
            write(text, "\n", list="bullet")
            write(text, "Nested point")
            write(text, "\n", list="bullet", indent=1)
            write(text, "Step one")
            write(text, "\n", list="ordered")
            write(text, "Step two")
            write(text, "\n", list="ordered")
            write(text, "Between lists.\n")
            write(text, "Again one")
            write(text, "\n", list="ordered")

        def state(text: pycrdt.Text) -> None:
            write(text, "Two works of one year ")
            write(text, cite(refs["smit2020y"]))
            write(text, " and ")
            write(text, cite(refs["smit2020x"]))
            write(text, ", and a deleted one ")
            write(text, cite(refs["gone2018"]))
            write(text, ".\n")

        documents.edit(tx, proposals.body_doc(first), summary)
        documents.edit(tx, proposals.body_doc(second), state)
        tx.update(Reference, refs["gone2018"], {"deleted": True})
    yield workspace, pid, refs


def export(ws: Workspace, pid: str, out: Path, **options: Any) -> Any:
    with ws.session() as s:
        return export_proposal(s, pid, out, ExportOptions(**options))


def test_delta_becomes_paragraphs_with_block_attributes() -> None:
    runs = [("Title", {}), ("\n", {"header": 1.0}), ("a ", {"bold": True}),
            (cite("r1", locator="4"), {}), ("\nb", None), ("\n", {"list": "bullet", "indent": 2}),
            ("tail", {})]
    paragraphs = paragraphs_of(runs, "s1")
    assert [p.heading for p in paragraphs] == [1, 0, 0, 0]
    assert paragraphs[1].parts[0].bold  # type: ignore[union-attr]
    citation = paragraphs[1].parts[1]
    assert citation.id == "s1#0" and citation.items[0].locator == "4"  # type: ignore[union-attr]
    assert (paragraphs[2].list_kind, paragraphs[2].indent) == ("bullet", 2)
    assert paragraphs[3].plain() == "tail"


def test_word_structure(proposal: tuple[Workspace, str, dict[str, str]], tmp_path: Path) -> None:
    ws, pid, _refs = proposal
    result = export(ws, pid, tmp_path / "out.docx", toc=True)
    doc = docx.Document(str(result.docx))
    paragraphs = doc.paragraphs
    styles = [p.style.name for p in paragraphs]
    headings = [p.text for p in paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["1\tSummary", "Background", "3\tState of the art", "References"]
    assert styles[[p.text for p in paragraphs].index("Background")] == "Heading 2"
    assert "Title" in styles and "TOC Heading" in styles
    body = doc.element.body.xml
    assert 'TOC \\o "1-3"' in body
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert " PAGE " in footer and " NUMPAGES " in footer
    assert round(doc.sections[0].page_width.mm) == 210

    # Inline formatting is on runs, not typed characters.
    first = next(p for p in paragraphs if p.text.startswith("Plain"))
    runs = {r.text: r for r in first.runs}
    assert runs["bold"].bold and runs["italic"].italic and runs["under"].underline
    assert [bool(r.font.superscript) for r in first.runs if r.text == "2"] == [True, False]
    assert [bool(r.font.subscript) for r in first.runs if r.text == "2"] == [False, True]
    link = first._p.find(f"{W}hyperlink")
    assert link is not None
    assert doc.part.rels[link.get(f"{R}id")].target_ref == "https://example.org/tandem"
    # APA sorts one author's works of a year by title: "Learning at work" is 2020a.
    assert "zorgvernieuwing (see Smit, 2020a, p. 45)." in first.text

    # Lists are Word numbering: bullets share a definition, each ordered list restarts.
    numbering = doc.part.numbering_part.element

    def list_of(text: str) -> tuple[str, str, str]:
        p = next(p for p in paragraphs if p.text.startswith(text))
        num_id = p._p.pPr.numPr.numId.val
        level = p._p.pPr.numPr.ilvl.val
        num = numbering.num_having_numId(num_id)
        abstract = num.abstractNumId.val
        fmt = numbering.xpath(f'./w:abstractNum[@w:abstractNumId="{abstract}"]'
                              f'/w:lvl[@w:ilvl="{level}"]/w:numFmt/@w:val')[0]
        assert p.style.name == "List Paragraph"
        return str(num_id), str(level), fmt

    assert list_of("First point")[1:] == ("0", "bullet")
    assert list_of("Nested point")[1:] == ("1", "bullet")
    one, two, again = list_of("Step one"), list_of("Step two"), list_of("Again one")
    assert one[2] == "decimal" and one[0] == two[0] != again[0]

    # The bibliography: one entry per distinct cited reference that exists, hanging indent.
    assert result.references == 3 and result.citations == 5 and result.unresolved == 1
    start = [p.text for p in paragraphs].index("References") + 1
    entries = paragraphs[start:]
    assert len(entries) == 3
    for entry in entries:
        assert entry.style.name == "Bibliography"
        assert entry.paragraph_format.left_indent == Mm(docx_writer.HANGING_INDENT_MM)
        assert entry.paragraph_format.first_line_indent == -Mm(docx_writer.HANGING_INDENT_MM)
    assert [e.text[:21] for e in entries] == ["Bakker, A. (2019). Nu", "Smit, A. (2020a). Lea",
                                             "Smit, A. (2020b). Lea"]
    assert any(r.italic and r.text.startswith("Journal of Work") for r in entries[0].runs)
    state = next(p for p in paragraphs if p.text.startswith("Two works"))
    assert "(Smit, 2020b) and (Smit, 2020a)" in state.text
    assert "[reference missing]" in state.text


def test_numeric_style_numbers_in_order_of_first_citation(
        proposal: tuple[Workspace, str, dict[str, str]], tmp_path: Path) -> None:
    ws, pid, _refs = proposal
    result = export(ws, pid, tmp_path / "v.docx", style="vancouver")
    doc = docx.Document(str(result.docx))
    texts = [p.text for p in doc.paragraphs]
    entries = doc.paragraphs[texts.index("References") + 1:]
    assert [e.text.split("\t")[0] for e in entries] == ["1.", "2.", "3."]
    assert entries[0].text.split("\t")[1].startswith("Smit A. Learning at work")
    fmt = entries[0].paragraph_format
    assert fmt.first_line_indent == -fmt.left_indent and fmt.tab_stops[0].position == fmt.left_indent


def test_compliance_report(proposal: tuple[Workspace, str, dict[str, str]], tmp_path: Path) -> None:
    ws, pid, refs = proposal
    with ws.session() as s:
        content = load_proposal(s, pid)
        assert find_proposal(s, "notes") == pid
    report = compliance_report(content)
    kinds = {(p.kind, p.severity) for p in report.problems}
    assert ("unresolved_citation", "hard") in kinds
    assert ("empty_section", "hard") in kinds  # e.g. 2 Problem from practice
    unscreened = [p.subject for p in report.problems if p.kind == "unscreened_reference"]
    assert unscreened == [refs["smit2020y"]]
    assert report.blocks(strict=True) and not report.blocks(strict=False)
    out = tmp_path / "strict.docx"
    with pytest.raises(ExportBlocked):
        export_content(content, out, ExportOptions(strict=True))
    assert not out.exists()


def test_limits_count_words_and_pages(proposal: tuple[Workspace, str, dict[str, str]]) -> None:
    from desktop.services import templates as tp

    ws, pid, _refs = proposal
    base = tp.load_templates().get("generic")
    summary = base.sections[0]
    limit = tp.Limit("words", 10, tp.Provenance("test", "verified"))
    pages = tp.Limit("pages", 0.01, tp.Provenance("test", "verified"), enforcement="indicative")
    template = tp.Template(**{**base.__dict__, "sections": (
        tp.TemplateSection(**{**summary.__dict__, "limits": (limit, pages)}),)
        + base.sections[1:]})
    with ws.session() as s:
        content = load_proposal(s, pid, template)
    report = compliance_report(content, {c.id: "(Smit, 2020)" for c in content.citations()})
    words, estimate = report.limits
    assert words.state == "over" and words.used > 10 and not words.estimated
    assert estimate.estimated and estimate.state == "over"
    severities = {p.message: p.severity for p in report.problems if p.kind == "limit"}
    assert sorted(severities.values()) == ["hard", "warning"]


def test_cancel_leaves_the_previous_file(proposal: tuple[Workspace, str, dict[str, str]],
                                         tmp_path: Path) -> None:
    ws, pid, _refs = proposal
    out = tmp_path / "keep.docx"
    out.write_bytes(b"previous")
    seen: list[str] = []
    control = TaskControl()

    def progress(_done: int, _total: int, message: str) -> None:
        seen.append(message)
        if message == "Writing the Word document":
            control.cancel()
    control.on_progress = progress
    with ws.session() as s, pytest.raises(Cancelled):
        export_proposal(s, pid, out, ExportOptions(), control)
    assert out.read_bytes() == b"previous"
    assert "Formatting citations" in seen
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".keep")] == []


def test_dutch_proposal_speaks_dutch(proposal: tuple[Workspace, str, dict[str, str]],
                                     tmp_path: Path) -> None:
    from desktop.models.entities import Proposal

    ws, pid, _refs = proposal
    with ws.transaction() as tx:
        tx.update(Proposal, pid, {"language": "nl"})
    result = export(ws, pid, tmp_path / "nl.docx")
    assert result.locale == "nl-NL"
    doc = docx.Document(str(result.docx))
    assert "Pagina" in doc.sections[0].footer.paragraphs[0].text
    assert "Literatuur" in [p.text for p in doc.paragraphs]


def test_cli_export_prints_the_report(demo_path: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "freed.docx"
    code = main(["export", "FREED", "-o", str(out), "--json", "--workspace", str(demo_path)])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and out.exists() and data["written"]
    assert data["citations"] >= 5 and data["references"] >= 5 and data["unresolved"] == 0
    assert any(p["kind"] == "empty_section" for p in data["problems"])
    blocked = tmp_path / "blocked.docx"
    assert main(["export", "FREED", "-o", str(blocked), "--strict",
                 "--workspace", str(demo_path)]) == 2
    assert not blocked.exists()
    assert main(["export", "no such thing", "-o", str(blocked),
                 "--workspace", str(demo_path)]) == 1


READERS = pdf.available() is not None and all(shutil.which(t) for t in ("pdftotext", "pandoc"))


@pytest.mark.skipif(not READERS, reason="needs LibreOffice, poppler-utils and pandoc")
def test_real_readers_open_the_file(proposal: tuple[Workspace, str, dict[str, str]],
                                    tmp_path: Path) -> None:
    ws, pid, _refs = proposal
    result = export(ws, pid, tmp_path / "real.docx", toc=True, pdf=True)
    assert result.pdf is not None
    text = subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    numbers = re.findall(r"Page (\d+) of (\d+)", text)
    pages = len(numbers)
    assert pages >= 3 and numbers == [(str(n), str(pages)) for n in range(1, pages + 1)]
    assert "Notes that teach" in text and "Smit, A. (2020a)" in text
    # The table of contents was filled in (title, dot leaders, page number).
    toc = text[text.index("Contents"):text.index(f"Page 2 of {pages}")]
    assert "State of the art" in toc and "Update this field" not in toc
    plain = subprocess.run(["pandoc", "-f", "docx", "-t", "plain", "--wrap=none",
                            str(result.docx)],
                           capture_output=True, text=True, check=True).stdout
    assert "(see Smit, 2020a, p. 45)" in plain and "Bakker, A. (2019)" in plain
    assert "-   First point (Bakker, 2019)" in plain and "1.  Step one" in plain


def test_document_pass_equals_citations_one_by_one(
        proposal: tuple[Workspace, str, dict[str, str]]) -> None:
    from desktop.export.citeproc import CitationEngine, CiteItem, Cluster

    ws, pid, _refs = proposal
    with ws.session() as s:
        content = load_proposal(s, pid)
    engine = CitationEngine("apa")
    engine.register(content.references.values())
    clusters = [Cluster(c.id, tuple(CiteItem(i.reference_id, i.locator, i.label, i.prefix)
                                    for i in c.items if i.reference_id in content.references))
                for c in content.citations()]
    clusters = [c for c in clusters if c.items]
    one_by_one: dict[str, str] = {}
    for n, cluster in enumerate(clusters):
        for update in engine.process_citation(cluster, clusters[:n]):
            one_by_one[update.cluster_id] = update.formatted.text
    at_once = {u.cluster_id: u.formatted.text for u in engine.process_document(clusters)}
    assert at_once == one_by_one and "(Smit, 2020b)" in at_once.values()
    engine.close()


def editor_labels(ws: Workspace, pid: str, engine: Any) -> tuple[Any, list[Any], Any]:
    """The section editor's citation labels on ``engine``, the proposal's citations as the
    editor has them, and the proposal as the export reads it."""
    from desktop.views.section_editor import CitationLabels

    labels = CitationLabels(ws)
    labels.set_engine(engine)
    with ws.session() as s:
        values = [p for sid in proposals.section_ids(s, pid)
                  for p in documents.segments(s, proposals.body_doc(sid)) if isinstance(p, dict)]
        return labels, values, load_proposal(s, pid)


def test_export_reuses_the_editors_formatting(
        proposal: tuple[Workspace, str, dict[str, str]], tmp_path: Path) -> None:
    """The app's export takes the engine the editor formats with: when the editor has just
    formatted the whole proposal, the export prints those texts without formatting again."""
    from desktop.export.citeproc import CitationEngine

    ws, pid, _refs = proposal
    engine = CitationEngine("apa")
    labels, values, content = editor_labels(ws, pid, engine)
    assert labels.compute_document(values) is not None
    calls: list[str] = []
    call = engine._runtime.call
    engine._runtime.call = lambda name, *args: calls.append(name) or call(name, *args)  # type: ignore[method-assign]
    try:
        reused = export_content(content, tmp_path / "reused.docx", engine=engine)
    finally:
        engine._runtime.call = call  # type: ignore[method-assign]
        engine.close()
    assert "rebuild" not in calls and "bibliography" in calls
    fresh = export_content(content, tmp_path / "fresh.docx")
    assert (reused.citations, reused.references) == (fresh.citations, fresh.references)
    text = ["\n".join(p.text for p in docx.Document(str(f)).paragraphs)
            for f in (tmp_path / "reused.docx", tmp_path / "fresh.docx")]
    assert text[0] == text[1] and "(Smit, 2020b)" in text[0]


def test_a_reference_with_a_field_of_the_wrong_shape_exports(
        proposal: tuple[Workspace, str, dict[str, str]], tmp_path: Path) -> None:
    """Imported from another program's CSL-JSON with fields citeproc-js stops on (an object
    where text belongs, a name part that is a number): the export still formats everything."""
    ws, pid, refs = proposal
    with ws.transaction() as tx:
        odd = references.add_csl_item(tx, {
            **item("odd2021", "Odd", 2021, "An odd record"), "genre": {"x": 1},
            "author": [{"family": "Odd", "given": 7}]})
        section = proposals.section_ids(tx.session, pid)[0]
        documents.edit(tx, proposals.body_doc(section),
                       lambda text: write(text, cite(odd)))
    result = export(ws, pid, tmp_path / "odd.docx")
    text = "\n".join(p.text for p in docx.Document(str(result.docx)).paragraphs)
    assert "(Odd, 2021)" in text and "An odd record" in text


def test_a_reference_the_engine_fails_on_does_not_stop_the_export(
        proposal: tuple[Workspace, str, dict[str, str]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net behind the cleaning, in the export and the editor, which share an
    engine: a reference citeproc-js fails on is shown as missing and named in the report; the
    other citations and references are printed, and the shared engine works on."""
    from desktop.export import citeproc

    monkeypatch.setattr(citeproc, "engine_item", lambda i: ({**i, "id": str(i["id"])}, []))
    ws, pid, _refs = proposal
    with ws.transaction() as tx:
        odd = references.add_csl_item(tx, {**item("odd2021", "Odd", 2021, "An odd record"),
                                           "issued": {"date-parts": [[2014, 12, 31], [2015]]}})
        section = proposals.section_ids(tx.session, pid)[0]
        documents.edit(tx, proposals.body_doc(section), lambda text: write(text, cite(odd)))
    engine = citeproc.CitationEngine("apa")
    labels, values, content = editor_labels(ws, pid, engine)
    try:
        shown = labels.compute_document(values)
        assert shown is not None and "(Smit, 2020b)" in shown[1].values()
        assert set(engine.failed) == {odd}
        result = export_content(content, tmp_path / "odd.docx", engine=engine)
        problems = [p for p in result.report.problems if p.kind == "unformatted_reference"]
        assert [p.subject for p in problems] == [odd] and "date range" in problems[0].message
        text = "\n".join(p.text for p in docx.Document(str(result.docx)).paragraphs)
        assert "(Smit, 2020b)" in text and "An odd record" not in text
        assert result.unresolved == 2 and result.references == len(content.references) - 1
        own = export_content(content, tmp_path / "own.docx")  # an engine of its own
        assert own.unresolved == 2 and [p.subject for p in own.report.problems
                                         if p.kind == "unformatted_reference"] == [odd]
        # Corrected in the library, it is tried again.
        with ws.transaction() as tx:
            references.update_reference(tx, odd, {"issued": {"date-parts": [[2015]]}})
        with ws.session() as s:
            content = load_proposal(s, pid)
        again = export_content(content, tmp_path / "fixed.docx", engine=engine)
        assert again.unresolved == 1 and not engine.failed
    finally:
        engine.close()
