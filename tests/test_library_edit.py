"""Duplicates on demand, merging (and undoing it), tags, and the library's order and index."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from desktop.models.entities import Match, PracticeQuestion, Reference
from desktop.services import library_edit, matches, references
from desktop.services.library_import import import_files
from desktop.services.workspace import Workspace

ITEMS = [
    {"id": "beane", "type": "article-journal", "title": "Shadow learning: Building robotic "
     "surgical skill when approved means fail", "author": [{"family": "Beane", "given": "M."}],
     "issued": {"date-parts": [[2019]]}, "container-title": "Administrative Science Quarterly"},
    {"id": "other", "type": "book", "title": "Ironies of automation",
     "author": [{"family": "Bainbridge", "given": "Lisanne"}], "issued": {"date-parts": [[1983]]}},
]


def load(ws: Workspace, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "items.json"
    path.write_text(json.dumps(ITEMS))
    import_files(ws, [path])
    # A second copy of Beane, added by hand with a DOI and a year one off (online first).
    with ws.transaction() as tx:
        references.add_csl_item(tx, {"id": "beane_b", "type": "article-journal",
                                     "title": "Shadow Learning: Building Robotic Surgical Skill "
                                     "When Approved Means Fail", "DOI": "10.1177/0001839217751692",
                                     "author": [{"family": "Beane", "given": "Matthew"}],
                                     "issued": {"date-parts": [[2018]]}})
    with ws.session() as s:
        return references.key_index(s)


def test_duplicates_are_found_on_demand(workspace: Workspace, tmp_path: Path) -> None:
    ids = load(workspace, tmp_path)
    with workspace.session() as s:
        assert library_edit.duplicate_pairs(s) == [(ids["beane"], ids["beane_b"])]


def test_merge_keeps_chosen_values_moves_matches_and_undoes(workspace: Workspace,
                                                            tmp_path: Path) -> None:
    ids = load(workspace, tmp_path)
    with workspace.transaction() as tx:
        qid = tx.create(PracticeQuestion, {"title": "Q"})
        matches.record_decision(tx, qid, ids["beane_b"], "relevant", "key paper")
        library_edit.set_tag(tx, [ids["beane_b"]], "robots", True)
    with workspace.session() as s:
        keep = s.get(Reference, ids["beane"])
        drop = s.get(Reference, ids["beane_b"])
        choices = {f: library_edit.richer(getattr(keep, f), getattr(drop, f))
                   for f in library_edit.MERGE_FIELDS}
    assert choices["doi"] == "b" and choices["container_title"] == "a"
    with workspace.transaction() as tx:
        change = library_edit.merge(tx, ids["beane"], ids["beane_b"], choices)
    with workspace.session() as s:
        keep = s.get(Reference, ids["beane"])
        assert keep.doi == "10.1177/0001839217751692"
        assert keep.container_title == "Administrative Science Quarterly"
        dropped = s.get(Reference, ids["beane_b"])
        assert dropped.deleted and dropped.merged_into == ids["beane"]
        live = s.execute(select(Match).where(Match.deleted.is_(False))).scalars().all()
        assert [(m.reference_id, m.decision, m.note) for m in live] == [
            (ids["beane"], "relevant", "key paper")]
        assert references.reference_rows(s, [ids["beane"]])[ids["beane"]].tags == "robots"
        assert library_edit.duplicate_pairs(s) == []
    with workspace.transaction() as tx:
        library_edit.unmerge(tx, change)
    with workspace.session() as s:
        assert s.get(Reference, ids["beane"]).doi == ""
        assert not s.get(Reference, ids["beane_b"]).deleted
        live = s.execute(select(Match).where(Match.deleted.is_(False))).scalars().all()
        assert [m.reference_id for m in live] == [ids["beane_b"]]
        assert references.reference_rows(s, [ids["beane"]])[ids["beane"]].tags == ""
    with workspace.transaction() as tx:
        library_edit.redo_merge(tx, change)
    with workspace.session() as s:
        assert s.get(Reference, ids["beane_b"]).deleted
        assert references.search(s, "shadow") == [ids["beane"]]


def test_tags_add_remove_and_filter(workspace: Workspace, tmp_path: Path) -> None:
    ids = load(workspace, tmp_path)
    with workspace.transaction() as tx:
        assert library_edit.set_tag(tx, [ids["beane"], ids["other"]], "Key papers", True) == \
            [ids["beane"], ids["other"]]
        assert library_edit.set_tag(tx, [ids["beane"]], "key  papers", True) == []
    with workspace.session() as s:
        (tag_id, name), = library_edit.all_tags(s)
        assert name == "Key papers"
        assert set(references.reference_ids(s, tag_id=tag_id)) == {ids["beane"], ids["other"]}
        assert references.reference_ids(s, query="ironies", tag_id=tag_id) == [ids["other"]]
    with workspace.transaction() as tx:
        assert library_edit.set_tag(tx, [ids["other"]], "key papers", False) == [ids["other"]]
    with workspace.session() as s:
        assert references.reference_ids(s, tag_id=tag_id) == [ids["beane"]]


def test_default_order_uses_the_first_author_index(workspace: Workspace, tmp_path: Path) -> None:
    load(workspace, tmp_path)
    with workspace.session() as s:
        ordered = references.reference_rows(s, references.reference_ids(s))
        names = [r.authors for r in (ordered[i] for i in references.reference_ids(s))]
        assert names == sorted(names, key=str.lower)
        plan = " ".join(str(r) for r in s.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(
                select(Reference.id).where(Reference.deleted.is_(False))
                .order_by(references.FIRST_AUTHOR).compile(
                    compile_kwargs={"literal_binds": True}))).all())
    assert "ix_reference_first_author" in plan
