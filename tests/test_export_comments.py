"""Comments in the Word export: open comments become Word comments on exactly their passage
(across a citation, across paragraphs), replies go inside them, a comment whose passage is gone
or that has none sits on its section's heading, resolved ones stay out, and without the option
the document has no comments at all. Real readers (pandoc, LibreOffice) must show them.
"""
from __future__ import annotations

import datetime
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pycrdt
import pytest

from desktop.cli import main
from desktop.export import pdf
from desktop.export.docx_writer import initials
from desktop.export.proposal_export import ExportOptions, export_proposal
from desktop.models.entities import Comment
from desktop.services import comments, documents, members, proposals, references
from desktop.services.proposal_content import Citation, Inline, paragraphs_of
from desktop.services.textpos import OBJECT, index_to_y
from desktop.services.workspace import Workspace
from tests.test_export import READERS, W, cite, export, item, write

Proposal = tuple[Workspace, str]  # the workspace and the proposal id


def where(text: pycrdt.Text, words: str) -> tuple[int, int]:
    """pycrdt offsets of the first ``words`` in ``text`` (an embed is written as OBJECT)."""
    shared = "".join(v if isinstance(v, str) else OBJECT for v, _a in text.diff())
    start = shared.index(words)
    return index_to_y(shared, start), index_to_y(shared, start + len(words))


def passage(text: pycrdt.Text, words: str) -> dict[str, Any]:
    return comments.anchor_for(text, *where(text, words), words)


@pytest.fixture
def commented(workspace: Workspace) -> Iterator[Proposal]:
    anchors: dict[str, dict[str, Any]] = {}
    with workspace.transaction() as tx:
        smit = references.add_csl_item(tx, item("smit2020", "Smit", 2020, "Learning at work"))
        anna = members.add_member(tx, {"name": "Anna de Vries", "role": "researcher"})
        bart = members.add_member(tx, {"name": "Bart Jansen", "role": "practitioner"})
        pid = proposals.create_proposal(tx, {"title": "Notes that teach", "acronym": "NOTES",
                                             "template_id": "generic", "citation_style": "apa",
                                             "language": "en"}, [])
        summary = proposals.add_section(tx, pid, {"template_section_id": "gen.summary",
                                                  "number": "1", "title": "Summary",
                                                  "position": 0.0})
        state = proposals.add_section(tx, pid, {"template_section_id": "3", "number": "3",
                                                "title": "State of the art", "position": 1.0})

        def body(text: pycrdt.Text) -> None:
            write(text, "Nurses write notes. The café pilot ")
            write(text, cite(smit))
            write(text, " showed ")
            write(text, "gains", bold=True)
            write(text, ".\nSecond paragraph starts here. Words soon deleted stand here.\n")
            anchors["reply"] = passage(text, "write notes")
            anchors["citation"] = passage(text, "café pilot " + OBJECT + " showed")
            anchors["paragraphs"] = passage(text, "gains.\nSecond")
            anchors["deleted"] = passage(text, "soon deleted ")
            anchors["resolved"] = passage(text, "Nurses")

        def later(text: pycrdt.Text) -> None:
            start, end = where(text, "soon deleted ")
            del text[start:end]

        documents.edit(tx, proposals.body_doc(summary), body)
        documents.edit(tx, proposals.body_doc(state), lambda t: write(t, "Little is known.\n"))
        ids = {
            "reply": comments.add_comment(tx, summary, "Is this right?", anchors["reply"],
                                          author_id=anna),
            "citation": comments.add_comment(tx, summary, "Which pilot?\nAnd when?",
                                             anchors["citation"], author_id=bart),
            "paragraphs": comments.add_comment(tx, summary, "Split these.",
                                               anchors["paragraphs"], author_id=anna),
            "deleted": comments.add_comment(tx, summary, "Cut this?", anchors["deleted"],
                                            author_id=bart),
            "section": comments.add_comment(tx, summary, "Too long overall.", author_id=anna),
            "unknown": comments.add_comment(tx, state, "Add recent work."),
            "resolved": comments.add_comment(tx, summary, "Done already.", anchors["resolved"],
                                             author_id=anna),
        }
        replies = [comments.add_comment(tx, summary, "Yes, see the source.",
                                        parent_id=ids["reply"], author_id=bart),
                   comments.add_comment(tx, summary, "Checked it too.", parent_id=ids["reply"])]
        # Written a minute apart, so that the order does not hang on the clock's resolution.
        for n, cid in enumerate([*ids.values(), *replies]):
            tx.update(Comment, cid, {"created_at": f"2025-03-01T09:{n:02}:00+00:00"})
        comments.set_resolved(tx, ids["resolved"], True)
        documents.edit(tx, proposals.body_doc(summary), later)
    yield workspace, pid


def commented_words(path: Path) -> dict[str, str]:
    """Word comment id → the document text between its range start and end; paragraphs are
    joined by a newline."""
    body = docx.Document(str(path)).element.body
    inside: dict[str, str] = {}
    open_ids: set[str] = set()
    for element in body.iter():
        if element.tag == f"{W}commentRangeStart":
            open_ids.add(element.get(f"{W}id"))
            inside[element.get(f"{W}id")] = ""
        elif element.tag == f"{W}commentRangeEnd":
            open_ids.discard(element.get(f"{W}id"))
        elif element.tag == f"{W}p":
            for cid in open_ids:
                inside[cid] += "\n"
        elif element.tag == f"{W}t":
            for cid in open_ids:
                inside[cid] += element.text or ""
    return inside


def test_passages_cut_the_parts_at_their_ends() -> None:
    # "Zoë " is five pycrdt positions (ë takes two bytes), the citation one: "writes " is
    # 5..12, the citation 12, " well." 13..19, the newline 19, "Next line" from 20.
    runs = [("Zoë writes ", {"bold": True}), (cite("r1"), None), (" well.\nNext line", None)]
    paragraphs = paragraphs_of(runs, "s", {"a": (5, 18), "b": (16, 21)})
    first, second = (p.parts for p in paragraphs)
    assert [(p.text, p.comment_ids) for p in first if isinstance(p, Inline)] == [
        ("Zoë ", ()), ("writes ", ("a",)), (" we", ("a",)), ("ll", ("a", "b")),
        (".", ("b",))]
    assert [p.comment_ids for p in first if isinstance(p, Citation)] == [("a",)]
    assert first[0].bold and first[1].bold and not first[3].bold
    assert [(p.text, p.comment_ids) for p in second if isinstance(p, Inline)] == [
        ("N", ("b",)), ("ext line", ())]
    assert paragraphs_of(runs, "s") == paragraphs_of(runs, "s", {})


def test_open_comments_become_word_comments(commented: Proposal, tmp_path: Path) -> None:
    ws, pid = commented
    result = export(ws, pid, tmp_path / "commented.docx", comments=True)
    doc = docx.Document(str(result.docx))
    found = {c.text.splitlines()[0]: c for c in doc.comments}
    assert set(found) == {"Is this right?", "Which pilot?", "Split these.", "Cut this?",
                          "Too long overall.", "Add recent work."}, "the resolved one is left out"
    reply = found["Is this right?"]
    assert reply.author == "Anna de Vries" and reply.initials == "AdV"
    assert reply.text.splitlines() == ["Is this right?", "Bart Jansen: Yes, see the source.",
                                       "Tandem: Checked it too."]
    assert found["Add recent work."].author == "Tandem"
    # A comment keeps the time it was written, not the time of the export.
    assert reply.timestamp == datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.timezone.utc)
    words = {c.text.splitlines()[0]: commented_words(result.docx)[str(c.comment_id)]
             for c in doc.comments}
    assert words == {
        "Is this right?": "write notes",
        "Which pilot?": "café pilot (Smit, 2020) showed",
        "Split these.": "gains.\nSecond",
        "Cut this?": "Summary",
        "Too long overall.": "Summary",
        "Add recent work.": "State of the art",
    }
    # The commented words are the same words, cut into runs at the passage's ends.
    paragraphs = [p.text for p in doc.paragraphs]
    assert "Nurses write notes. The café pilot (Smit, 2020) showed gains." in paragraphs
    assert "Second paragraph starts here. Words stand here." in paragraphs
    assert [s.name for s in doc.styles if s.style_id in ("CommentText", "CommentReference")] \
        == ["annotation text", "annotation reference"]


def test_without_the_option_the_document_has_no_comments(commented: Proposal,
                                                          tmp_path: Path) -> None:
    ws, pid = commented
    result = export(ws, pid, tmp_path / "clean.docx")
    with zipfile.ZipFile(result.docx) as package:
        assert "word/comments.xml" not in package.namelist()
        assert b"commentRange" not in package.read("word/document.xml")
    assert "Nurses write notes. The café pilot (Smit, 2020) showed gains." in [
        p.text for p in docx.Document(str(result.docx)).paragraphs]


def test_cli_comments_flag(commented: Proposal, tmp_path: Path) -> None:
    ws, _pid = commented
    path = ws.path
    ws.close()
    out = tmp_path / "cli.docx"
    assert main(["export", "NOTES", "-o", str(out), "--comments", "--workspace", str(path)]) == 0
    assert len(docx.Document(str(out)).comments) == 6


def test_initials_as_word_makes_them() -> None:
    assert [initials(n) for n in ("Anna de Vries", "Tandem", " ", "Jan-Willem  Smit")] == [
        "AdV", "T", "", "JS"]


@pytest.mark.skipif(not READERS, reason="needs LibreOffice, poppler-utils and pandoc")
def test_real_readers_show_the_comments(commented: Proposal, tmp_path: Path) -> None:
    ws, pid = commented
    # With the PDF too: LibreOffice without its GUI files aborts on a document with comments.
    result = export(ws, pid, tmp_path / "readers.docx", comments=True, pdf=True)
    plain = subprocess.run(["pandoc", "--track-changes=all", "-f", "docx", "-t", "plain",
                            "--wrap=none", str(result.docx)],
                           capture_output=True, text=True, check=True).stdout
    # pandoc writes each comment just before the words it is on.
    assert "Bart Jansen: Yes, see the source. ¶ Tandem: Checked it too.write notes" in plain
    assert "And when?café pilot (Smit, 2020) showed" in plain
    assert "Add recent work.State of the art" in plain and "Done already." not in plain
    assert result.pdf is not None
    text = subprocess.run(["pdftotext", "-layout", str(result.pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Nurses write notes. The café pilot (Smit, 2020) showed gains." in text
    # LibreOffice reads each comment with both ends of its passage (its flat format says so).
    support = pdf.available()
    assert support is not None
    subprocess.run([support.soffice, "--headless", "--norestore",
                    f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--convert-to", "fodt", "--outdir", str(tmp_path / "flat"),
                    str(result.docx)],
                   capture_output=True, check=True, timeout=pdf.TIMEOUT_SECONDS)
    flat = (tmp_path / "flat" / "readers.fodt").read_text(encoding="utf-8")
    starts = re.findall(r'<office:annotation office:name="([^"]+)"', flat)
    ends = re.findall(r'<office:annotation-end office:name="([^"]+)"', flat)
    assert len(starts) == 6 and sorted(starts) == sorted(ends)


def test_comments_on_the_references_stay_when_nothing_is_cited(workspace: Workspace,
                                                               tmp_path: Path) -> None:
    with workspace.transaction() as tx:
        pid = proposals.create_proposal(tx, {"title": "Uncited", "template_id": "generic",
                                             "citation_style": "apa", "language": "en"}, [])
        summary = proposals.add_section(tx, pid, {"template_section_id": "gen.summary",
                                                  "number": "1", "title": "Summary",
                                                  "position": 0.0})
        refs = proposals.add_section(tx, pid, {"template_section_id": "gen.references",
                                               "number": "", "title": "References",
                                               "position": 1.0})
        documents.edit(tx, proposals.body_doc(summary), lambda t: write(t, "No sources.\n"))
        comments.add_comment(tx, refs, "Cite the pilot reports here.")
    with workspace.session() as s:
        result = export_proposal(s, pid, tmp_path / "u.docx", ExportOptions(comments=True))
    document = docx.Document(str(result.docx))
    assert [c.text for c in document.comments] == ["Cite the pilot reports here."]
    assert list(commented_words(result.docx).values()) == ["References"]
