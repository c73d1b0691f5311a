"""The demo workspace: who is in it, what it holds, and that it is built all-or-nothing."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models.entities import Member, PracticeQuestion, Reference, Section
from desktop.models.local import DocumentUpdate
from desktop.services import demo as demo_service
from desktop.services import documents, proposals, questions
from desktop.services.tasks import Cancelled, TaskControl
from desktop.services.templates import load_templates
from desktop.services.workspace import Workspace, WorkspaceError


def test_demo_has_the_community(demo: Workspace) -> None:
    counts = demo.info().counts
    assert counts["member"] == 4
    assert counts["practice_question"] == 5
    assert counts["reference"] >= 40
    assert counts["proposal"] == 1
    with demo.session() as s:
        roles = sorted(m.role for m in s.execute(select(Member)).scalars())
        assert roles == ["practitioner", "practitioner", "researcher", "researcher"]
        qs = list(s.execute(select(PracticeQuestion)).scalars())
        assert {q.sector for q in qs} >= {"healthcare", "education", "safety"}
        assert any(q.language == "nl" for q in qs)
        for q in qs:
            detail = questions.question_detail(s, q.id)
            assert detail is not None and len(detail.case_description) > 200


def test_demo_references_are_complete_records(demo: Workspace) -> None:
    with demo.session() as s:
        refs = list(s.execute(select(Reference)).scalars())
    for r in refs:
        assert r.title and r.year and r.authors, r.citation_key
        assert r.container_title or r.publisher, r.citation_key
        assert all(a.get("family") or a.get("literal") for a in r.authors), r.citation_key
        if r.doi:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", r.doi), r.doi
        assert json.loads(r.original_record)["id"] == r.citation_key


def test_demo_proposal_sections_are_drafted_with_resolving_citations(demo: Workspace) -> None:
    with demo.session() as s:
        pid = proposals.proposal_ids(s)[0]
        rows = proposals.section_rows(s, pid)
        drafted = [r for r in rows if r.words > 100]
        assert len(drafted) >= 3
        cited = set()
        for sid in proposals.section_ids(s, pid):
            for part in documents.segments(s, proposals.body_doc(sid)):
                if isinstance(part, dict):
                    cited.update(i["id"] for i in part["citation"]["items"])
        assert len(cited) >= 5
        for rid in cited:
            assert s.get(Reference, rid) is not None
        assert all(s.get(Section, r.id).owner_member_id for r in rows)
    assert any("[" in r.text and "20" in r.text for r in drafted)


def test_cancelling_the_demo_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "demo.tandem"
    control = TaskControl()
    seen: list[int] = []

    def progress(done: int, total: int, message: str) -> None:
        seen.append(done)
        if done == 30:
            control.cancel()

    control.on_progress = progress
    with pytest.raises(Cancelled):
        demo_service.build_demo(target, control)
    assert seen[-1] == 30
    assert list(tmp_path.iterdir()) == []


def test_broken_demo_data_is_reported_by_file(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "workspace.json").write_text("{ not json")
    (folder / "references.json").write_text("[]")
    with pytest.raises(WorkspaceError, match="workspace.json"):
        demo_service.build_demo(tmp_path / "x.tandem", folder=folder)
    assert not (tmp_path / "x.tandem").exists()


def test_unknown_citation_key_in_demo_text_names_the_section(tmp_path: Path) -> None:
    data, items = demo_service.load_demo_data()
    data["proposal"]["sections"][0]["text"] = "As shown before [@nobody2099]."
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "workspace.json").write_text(json.dumps(data))
    (folder / "references.json").write_text(json.dumps(items))
    with pytest.raises(WorkspaceError, match="nobody2099"):
        demo_service.build_demo(tmp_path / "x.tandem", folder=folder)
    assert not any(p.name.startswith("x.tandem") for p in tmp_path.iterdir())


def test_existing_file_is_never_overwritten(demo_path: Path) -> None:
    size = demo_path.stat().st_size
    with pytest.raises(WorkspaceError, match="already exists"):
        demo_service.build_demo(demo_path)
    assert demo_path.stat().st_size == size


def test_citation_markers() -> None:
    ids = {"a": "ID-A", "b": "ID-B"}
    parts = documents.parse_markers("See [@a, p. 4; @b] and [@b].", ids.get)
    assert parts == ["See ", {"citation": {"items": [{"id": "ID-A", "locator": "p. 4"},
                                                     {"id": "ID-B"}]}},
                     " and ", {"citation": {"items": [{"id": "ID-B"}]}}, "."]
    with pytest.raises(KeyError, match="zz"):
        documents.parse_markers("[@zz]", ids.get)


def test_replacing_text_keeps_what_did_not_change(workspace: Workspace) -> None:
    """A minimal edit (common start and end kept), at UTF-8 byte positions in pycrdt."""
    doc = "practice_question/x/case_description"
    with workspace.transaction() as tx:
        documents.append_segments(tx, doc, ["Cliënten 😀 en zorg\n"])
    with workspace.transaction() as tx:
        assert documents.replace_text(tx, doc, "Cliënten 😀 en goede zorg\n")
        assert not documents.replace_text(tx, doc, "Cliënten 😀 en goede zorg\n")
    with workspace.session() as s:
        assert documents.segments(s, doc) == ["Cliënten 😀 en goede zorg\n"]
        sizes = [len(u) for u in s.execute(
            select(DocumentUpdate.data).where(DocumentUpdate.doc_id == doc)).scalars()]
    assert sizes[1] < sizes[0]  # the second update carries the insertion, not the whole text


def test_demo_questions_have_pairs(demo: Workspace) -> None:
    with demo.session() as s:
        pairs = [questions.question_detail(s, q).pair for q in questions.question_ids(s)]
    assert sum(1 for p in pairs if all(p)) == 3


def test_demo_sections_are_the_sections_of_its_template(demo: Workspace) -> None:
    template = load_templates().get("generic")
    with demo.session() as s:
        pid = proposals.proposal_ids(s)[0]
        sections = [s.get(Section, sid) for sid in proposals.section_ids(s, pid)]
    assert [x.template_section_id for x in sections] == [t.id for t in template.walk()]
    for x in sections:
        linked = template.section(x.template_section_id)
        assert (x.number, x.title) == (linked.number, linked.title.en)
