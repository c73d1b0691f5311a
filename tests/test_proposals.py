"""Proposals: creation from funder templates, section text with citation markers, the citation
trail both ways, progress against the template's limits, and the proposal/section commands."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.cli import main
from desktop.models.entities import (Match, Member, PracticeQuestion, Proposal, ProposalQuestion,
                                     Reference, Section)
from desktop.models.local import ChangeLog, DocumentUpdate
from desktop.services import documents, progress, proposals, section_bodies
from desktop.services import templates as tp
from desktop.services.proposals import ProposalError
from desktop.services.workspace import Workspace


def ref_id(ws: Workspace, key: str) -> str:
    with ws.session() as s:
        return s.execute(select(Reference.id).where(Reference.citation_key == key)).scalar_one()


def new_proposal(ws: Workspace, template_id: str, **fields: str) -> str:
    template = tp.load_templates().get(template_id)
    with ws.transaction() as tx:
        return proposals.create_from_template(tx, template, fields)


def log_size(ws: Workspace) -> tuple[int, int]:
    with ws.session() as s:
        return (s.execute(select(func.count()).select_from(ChangeLog)).scalar_one(),
                s.execute(select(func.count()).select_from(DocumentUpdate)).scalar_one())


# -- creation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("template", tp.load_templates().templates, ids=lambda t: t.id)
def test_creation_from_each_shipped_template(workspace: Workspace,
                                             template: tp.Template) -> None:
    pid = new_proposal(workspace, template.id, acronym="T")
    tree = list(template.walk())
    with workspace.session() as s:
        p = s.get(Proposal, pid)
        assert (p.template_id, p.template_version) == (template.id, template.version)
        assert p.citation_style == template.citation.style
        assert p.language == template.languages[0]
        assert p.title == template.name_in(p.language)
        sections = [s.get(Section, sid) for sid in proposals.section_ids(s, pid)]
    assert len(sections) == len(tree)
    for made, wanted in zip(sections, tree):
        assert made.template_section_id == wanted.id
        assert made.number == wanted.number
        assert made.title == wanted.title_in(p.language)
        assert made.status == "to_do" and made.owner_member_id is None
    assert [m.position for m in sections] == sorted(m.position for m in sections)


def test_section_titles_follow_the_proposal_language(workspace: Workspace) -> None:
    pid = new_proposal(workspace, "generic", language="nl", title="Leren met AI")
    with workspace.session() as s:
        titles = [s.get(Section, sid).title for sid in proposals.section_ids(s, pid)]
    assert titles[:2] == [tp.load_templates().get("generic").section(i).title.nl
                          for i in ("gen.summary", "gen.practice")]
    assert titles[0] != "Summary"


def test_creation_refuses_unknown_questions_fields_and_languages(workspace: Workspace) -> None:
    template = tp.load_templates().get("generic")
    before = log_size(workspace)
    for fields, questions, named in (({}, ["no-such-question"], "no-such-question"),
                                     ({"budget": 5}, [], "budget"),
                                     ({"language": "de"}, [], "de")):
        with pytest.raises(ProposalError, match=named), workspace.transaction() as tx:
            proposals.create_from_template(tx, template, fields, questions)
    assert log_size(workspace) == before


# -- section text ------------------------------------------------------------------------------

def test_markers_round_trip_with_prefix_and_locator() -> None:
    ids = {"a": "ID-A", "b": "ID-B"}
    text = "As shown [see @a, p. 4; @b] and in [@b]. Mail [me@x.nl] or see [figure 2]."
    parts = documents.parse_markers(text, ids.get)
    assert parts[1] == {"citation": {"items": [{"id": "ID-A", "prefix": "see",
                                                "locator": "p. 4"}, {"id": "ID-B"}]}}
    assert sum(isinstance(p, dict) for p in parts) == 2
    keys = {v: k for k, v in ids.items()}
    again = documents.plain_text(parts, lambda e: documents.marker(
        (keys[i["id"]], i) for i in e["citation"]["items"]))
    assert again == text


def test_append_and_read_with_dutch_diacritics_emoji_and_citations(demo: Workspace) -> None:
    with demo.session() as s:
        pid = proposals.find_proposal(s, "FREED")
    text = ("Cliënten ervaren één ‘tijdsdividend’ 😀 [@noy2023, p. 4].\n"
            "Tweede alinea: zorg — 中文 — en coördinatie [see @beane2019; @pugh2024]")
    with demo.transaction() as tx:
        sid = section_bodies.append_text(tx, pid, "impact", text)
    with demo.session() as s:
        assert section_bodies.section_text(s, pid, "5") == text + "\n"
        assert s.get(Section, sid).title == "Impact and knowledge utilisation"
        runs = documents.segments(s, proposals.body_doc(sid))
    cited = [i["id"] for r in runs if isinstance(r, dict) for i in r["citation"]["items"]]
    assert cited == [ref_id(demo, k) for k in ("noy2023", "beane2019", "pugh2024")]
    # Appending again starts a new paragraph after the last one and keeps the text intact.
    with demo.transaction() as tx:
        section_bodies.append_text(tx, pid, "5", "Derde alinea.")
    with demo.session() as s:
        assert section_bodies.section_text(s, pid, "5") == text + "\nDerde alinea.\n"


def test_appended_text_does_not_inherit_formatting(workspace: Workspace) -> None:
    pid = new_proposal(workspace, "generic")
    with workspace.session() as s:
        sid = proposals.find_section(s, pid, "1")
    with workspace.transaction() as tx:
        documents.edit(tx, proposals.body_doc(sid),
                       lambda t: t.insert(0, "Kop", {"bold": True}) or t.insert(3, "\n",
                                                                                  {"header": 1}))
    with workspace.transaction() as tx:
        section_bodies.append_text(tx, pid, "1", "Gewone tekst 😀")
    with workspace.transaction() as tx:
        # Text without a final newline (typed elsewhere) gets one before the new paragraph.
        documents.edit(tx, proposals.body_doc(sid), lambda t: t.insert(len(t), "open"))
        section_bodies.append_text(tx, pid, "1", "Nog een alinea")
    with workspace.session() as s:
        runs = documents.text_of(documents.load(s, proposals.body_doc(sid))).diff()
    assert runs[0] == ("Kop", {"bold": True})
    assert runs[1] == ("\n", {"header": 1})
    assert all(not attrs for _value, attrs in runs[2:])
    assert "".join(v for v, _a in runs[2:]) == "Gewone tekst 😀\nopen\nNog een alinea\n"


def test_unknown_citation_key_errors_without_changing_anything(demo: Workspace) -> None:
    with demo.session() as s:
        pid = proposals.find_proposal(s, "freed")
        before_text = section_bodies.section_text(s, pid, "3")
    before = log_size(demo)
    with pytest.raises(ProposalError, match="nobody2099") as caught, \
            demo.transaction() as tx:
        section_bodies.append_text(tx, pid, "3", "Known [@noy2023] and not [@nobody2099].")
    assert "State of the art" in str(caught.value)
    assert log_size(demo) == before
    with demo.session() as s:
        assert section_bodies.section_text(s, pid, "3") == before_text


def test_finding_proposals_and_sections(demo: Workspace) -> None:
    with demo.session() as s:
        pid = proposals.find_proposal(s, "freed")
        assert proposals.find_proposal(s, pid) == pid
        assert proposals.find_proposal(s, "learning and caring") == pid
        with pytest.raises(ProposalError, match="NOPE"):
            proposals.find_proposal(s, "NOPE")
        ids = proposals.section_ids(s, pid)
        assert proposals.find_section(s, pid, "3") == ids[2]
        assert proposals.find_section(s, pid, "state of") == ids[2]
        assert proposals.find_section(s, pid, "gen.references") == ids[-1]
        assert proposals.find_section(s, pid, ids[4]) == ids[4]
        with pytest.raises(ProposalError, match="9"):
            proposals.find_section(s, pid, "9")
        # "Re" starts "Research questions …" and "References".
        with pytest.raises(ProposalError, match="more than one"):
            proposals.find_section(s, pid, "re")


# -- the citation trail ------------------------------------------------------------------------

def test_where_cited_runs_both_ways(demo: Workspace) -> None:
    with demo.session() as s:
        pid = proposals.find_proposal(s, "FREED")
        per_section = section_bodies.citations_in_proposal(s, pid)
        assert [c.section_id for c in per_section] == proposals.section_ids(s, pid)
        by_number = {c.number: c.reference_ids for c in per_section}
        noy = ref_id(demo, "noy2023")
        assert noy in by_number["3"] and not by_number["5"]
        pairs = {(c.section_id, rid) for c in per_section for rid in c.reference_ids}
        assert len({rid for _sid, rid in pairs}) >= 5
        for _sid, rid in pairs:
            cited_in = section_bodies.where_cited(s, rid)
            assert all(c.proposal_id == pid for c in cited_in)
            assert {c.section_id for c in cited_in} == {sid for sid, r in pairs if r == rid}
        where = section_bodies.where_cited(s, noy)
        assert [(c.proposal_acronym, c.section_number, c.citations) for c in where] == [
            ("FREED", "3", 1)]
        uncited = s.execute(select(Reference.id).where(Reference.id.notin_(
            [r for _s, r in pairs]))).scalars().first()
        assert section_bodies.where_cited(s, uncited) == []


# -- owner and status --------------------------------------------------------------------------

def test_update_section_validates_status_and_owner(demo: Workspace) -> None:
    with demo.session() as s:
        pid = proposals.find_proposal(s, "FREED")
        sid = proposals.find_section(s, pid, "5")
        member = s.execute(select(Member.id).where(Member.name.like("Ilse%"))).scalar_one()
    before = log_size(demo)
    for values, named in (({"status": "finished"}, "finished"),
                          ({"owner_member_id": "nobody"}, "nobody"),
                          ({"proposal_id": "x"}, "proposal_id")):
        with pytest.raises(ProposalError, match=named), demo.transaction() as tx:
            proposals.update_section(tx, sid, values)
    assert log_size(demo) == before
    with demo.transaction() as tx:
        changed = proposals.update_section(tx, sid, {"status": "done",
                                                     "owner_member_id": member})
    assert sorted(changed) == ["owner_member_id", "status"]
    with demo.session() as s:
        summary = progress.proposal_summary(s, pid)
    assert summary.totals.done == 1
    assert summary.sections[4].owner.startswith("Ilse")


# -- progress ----------------------------------------------------------------------------------

def test_demo_summary(demo: Workspace) -> None:
    with demo.session() as s:
        summary = progress.proposal_summary(s, proposals.find_proposal(s, "FREED"))
        rows = proposals.section_rows(s, summary.id)
    assert summary.template_name and not summary.problems
    assert len(summary.questions) == 2
    assert summary.totals.sections == 7 and summary.totals.done == 0
    assert [r.words for r in rows] == [r.words for r in summary.sections]
    assert summary.totals.words == sum(r.words for r in rows) > 900
    assert summary.totals.words_allowed is None  # the generic template sets no limits
    references = summary.sections[-1]
    assert references.content_type == "bibliography" and references.words == 0
    assert references.reference_words > 100  # what the other sections cite, listed once
    assert summary.totals.empty_required == 2  # impact and team; the bibliography is generated


def test_limits_and_totals_against_a_funder_template(demo: Workspace) -> None:
    vpid = new_proposal(demo, "nwo-veni-2021", acronym="V")
    words = " ".join(["woord"] * 320)
    with demo.transaction() as tx:
        section_bodies.append_text(tx, vpid, "1c", words + " [@noy2023]")
        section_bodies.append_text(tx, vpid, "2a1", "Aim [@beane2019].")
    with demo.session() as s:
        summary = progress.proposal_summary(s, vpid)
    by_id = {r.template_section_id: r for r in summary.sections}
    check = by_id["veni.1.summary"].limits[0]
    # 320 words and the marker [Noy & Zhang 2023]; the entry is listed under the references.
    assert (check.used, check.state, check.blocking) == (323, "over", True)
    assert by_id["veni.1.summary"].depth == 1 and by_id["veni.1"].depth == 0
    assert by_id["veni.references"].reference_words > 20
    assert [c.limit.scope for c in by_id["veni.2a"].limits] == ["with_children"] * 2
    totals = summary.totals
    assert totals.over == totals.blocking == 1
    assert totals.words == 323 + 3  # "Aim [Beane 2019]."
    # Outermost word maxima: 300 + 50 + 50 + 2000 + 700 + 700 + 700 + 100; the references
    # are listed under "Literature references", which no word limit covers.
    assert totals.words_allowed == 4600
    assert totals.words_counted == 323 + 3


def test_group_limits_are_the_summary_s(workspace: Workspace) -> None:
    pid = new_proposal(workspace, "he-ria-ia-part-b-v5.1")
    with workspace.session() as s:
        summary = progress.proposal_summary(s, pid)
    assert [(c.subject, c.limit.kind, c.limit.max) for c in summary.group_limits] == [
        ("part-b", "pages", 45)]
    assert all(c.limit.scope != "group" for r in summary.sections for c in r.limits)


def test_missing_template_and_unlinked_sections_are_reported(workspace: Workspace) -> None:
    pid = new_proposal(workspace, "generic")
    with workspace.transaction() as tx:
        proposals.add_section(tx, pid, {"number": "7", "title": "Extra", "position": 99.0})
    with workspace.session() as s:
        summary = progress.proposal_summary(s, pid)
        assert any("Extra" in p for p in summary.problems)
        gone = progress.proposal_summary(
            s, pid, tp.LoadedTemplates(templates=(), problems=()))
    assert any("generic" in p for p in gone.problems)
    assert gone.totals.limits == 0 and gone.totals.sections == 8


def test_counting_a_long_section_reads_each_body_once(workspace: Workspace,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pid = new_proposal(workspace, "nwo-veni-2021")
    sentence = "Verpleegkundigen in opleiding leren nu klinisch redeneren met één AI-assistent. "
    with workspace.transaction() as tx:
        for _n in range(100):  # 100 appends of 100 words: a 10,000-word section
            section_bodies.append_text(tx, pid, "2a2", sentence * 10 + "\n")
    loads: list[str] = []
    real = documents.load
    monkeypatch.setattr(documents, "load", lambda s, d: loads.append(d) or real(s, d))
    with workspace.session() as s:
        start = time.perf_counter()
        summary = progress.proposal_summary(s, pid)
        elapsed = time.perf_counter() - start
    assert len(loads) == len(set(loads)) == summary.totals.sections
    plan = next(r for r in summary.sections if r.template_section_id == "veni.2a2")
    assert plan.words == 10_000
    assert elapsed < 2.0, elapsed


# -- the commands ------------------------------------------------------------------------------

def test_cli_round_trip(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = ["--workspace", str(demo_path)]
    with Workspace.open(demo_path, readonly=True) as w, w.session() as s:
        question = s.execute(select(PracticeQuestion.id)).scalars().first()
    assert main(["proposal", "new", "--template", "nwo-veni-2021", "--acronym", "RT",
                 "--title", "Tijd voor leren", "--question", question, *ws]) == 0
    pid = capsys.readouterr().out.strip()
    text = "Startende verpleegkundigen 😀 leren minder [@noy2023, p. 4]."
    assert main(["section", "append", "RT", "1c", "--text", text, *ws]) == 0
    assert main(["section", "text", "tijd voor", "summary", *ws]) == 0
    assert capsys.readouterr().out == text + "\n"
    assert main(["proposal", "list", "--json", *ws]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {p["acronym"] for p in listed} == {"FREED", "RT"}
    assert main(["proposal", "show", pid, "--json", *ws]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["questions"][0]["id"] == question
    summary = next(sec for sec in shown["sections"] if sec["number"] == "1c")
    assert summary["words"] == 9  # 4 words, and 5 in the marker "[Noy & Zhang 2023, p. 4]"
    assert summary["limits"][0] | {"source": None} == summary["limits"][0] | {
        "kind": "words", "max": 300, "used": 9, "state": "ok", "source": None}
    assert shown["totals"]["words_allowed"] == 4600
    assert main(["proposal", "show", "RT", *ws]) == 0
    out = capsys.readouterr().out
    assert "Tijd voor leren" in out and "9 words of ≤ 300 words: within the limit" in out


def test_cli_errors_name_what_was_not_found(demo_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    ws = ["--workspace", str(demo_path)]
    for argv, named in ((["proposal", "show", "NOPE"], "NOPE"),
                        (["proposal", "new", "--template", "nope"], "nope"),
                        (["proposal", "new", "--template", "generic", "--question", "q9"], "q9"),
                        (["section", "text", "FREED", "12"], "12"),
                        (["section", "append", "FREED", "3", "--text", "[@nobody2099]"],
                         "nobody2099")):
        assert main([*argv, *ws]) == 1, argv
        err = capsys.readouterr().err
        assert named in err and "Traceback" not in err, err
    assert main(["proposal", "list", *ws]) == 0
    assert capsys.readouterr().out.count("\n") == 1  # nothing was created


def test_literature_trail_from_questions_to_sections(demo: Workspace) -> None:
    with demo.session() as s:
        pid = proposals.find_proposal(s, "FREED")
        trail = section_bodies.literature_trail(s, pid)
        question_ids = set(s.execute(select(ProposalQuestion.question_id).where(
            ProposalQuestion.proposal_id == pid)).scalars())
        screened = {(m.question_id, m.reference_id) for m in s.execute(select(Match).where(
            Match.question_id.in_(question_ids),
            Match.decision.in_(["relevant", "maybe"]))).scalars()}
        cited = {rid for c in section_bodies.citations_in_proposal(s, pid)
                 for rid in c.reference_ids}
    by_ref = {e.reference_id: e for e in trail}
    assert len(by_ref) == len(trail)
    assert set(by_ref) == {rid for _q, rid in screened} | cited
    for qid, rid in screened:
        assert qid in by_ref[rid].question_ids and by_ref[rid].decision
    for rid in cited:
        assert by_ref[rid].section_ids
    decisions = [e.decision for e in trail]
    assert decisions == sorted(decisions, key=["relevant", "maybe", ""].index)
    # The demo's screening and writing meet: some screened literature is cited already.
    assert any(e.decision == "relevant" and e.section_ids for e in trail)
