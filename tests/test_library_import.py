"""Importing real bibliography files: every entry accounted for, encodings decided, LaTeX
decoded, keys repaired, duplicates merged, atomic, and round trips that keep every field."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.cli import main as cli
from desktop.models.entities import Reference
from desktop.services import library_export, references
from desktop.services.library_import import import_files
from desktop.services.tasks import Cancelled, TaskControl
from desktop.services.workspace import Workspace

TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"
needs_testdata = pytest.mark.skipif(not TESTDATA.exists(),
                                    reason="../shared/testdata is not beside the checkout")
ALL_FILES = sorted([*TESTDATA.glob("bib/*/*.bib"), *TESTDATA.glob("ris/*/*.ris"),
                    *TESTDATA.glob("csl-json/*/*.json")]) if TESTDATA.exists() else []
_ENTRY = re.compile(r"(?m)^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]")


def independent_count(path: Path, text: str) -> int:
    """How many entries the file holds, counted without the importer's readers."""
    if path.suffix == ".json":
        data = json.loads(text)
        return len(data if isinstance(data, list) else data.get("items", []))
    if path.suffix == ".ris":
        return len(re.findall(r"(?m)^TY  -", text))
    return sum(1 for m in _ENTRY.finditer(text)
               if m.group(1).lower() not in ("string", "comment", "preamble"))


def refs_by_key(ws: Workspace) -> dict[str, Reference]:
    with ws.session() as s:
        return {r.citation_key: r for r in s.execute(
            select(Reference).where(Reference.deleted.is_(False))).scalars()}


@needs_testdata
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(TESTDATA)))
def test_every_file_imports_and_every_entry_is_accounted_for(path: Path,
                                                             workspace: Workspace) -> None:
    report = import_files(workspace, [path])
    f = report.files[0]
    assert f.readable, f.error
    assert f.imported + f.duplicates + f.rejected == f.entries_found
    from desktop.services.textdecode import decode
    expected = independent_count(path, decode(path.read_bytes()).text)
    assert f.entries_found >= expected
    assert len([p for p in f.problems if p.severity == "error"]) == f.rejected
    assert all(p.line for p in f.problems if p.severity == "error")
    assert workspace.info().counts["reference"] == f.imported


@needs_testdata
def test_encodings_are_decided_per_file_and_said(workspace: Workspace) -> None:
    jabref = TESTDATA / "bib" / "jabref"
    report = import_files(workspace, [
        jabref / "encoding-windows-1252-with-header.bib",
        jabref / "encoding-windows-1252-but-utf-8-declared--decoding-fails.bib",
        jabref / "encoding-utf-16BE-with-header.bib",
        jabref / "tiny-LE-withBOM.bib",
        TESTDATA / "bib" / "bibtexparser" / "gbk_test.bib",
    ])
    notes = [f.encoding for f in report.files]
    assert "1252" in notes[0] and "declares UTF-8" in notes[1]
    assert "UTF-16-BE" in notes[2] and "UTF-16-LE" in notes[3] and "GB18030" in notes[4]
    with workspace.session() as s:
        abstracts = list(s.execute(select(Reference.abstract)).scalars())
        authors = [a for r in s.execute(select(Reference.authors)).scalars() for a in r]
    assert any("25° C" in a for a in abstracts)
    assert {"family": "Last", "given": "Test\u00a0I."} in authors or \
        any(a.get("family") == "Last" and "Test" in a.get("given", "") for a in authors)
    assert any(a.get("family") == "凯撒" or a.get("literal") == "凯撒" for a in authors)
    # Empty citation keys were replaced, each with a warning.
    warned = [p for f in report.files for p in f.problems if "no citation key" in p.reason]
    assert len(warned) >= 2


@needs_testdata
def test_latex_macros_crossref_and_corporate_authors(workspace: Workspace) -> None:
    import_files(workspace, [TESTDATA / "bib" / "biblatex" / "biblatex-examples.bib"])
    refs = refs_by_key(workspace)
    westfahl = refs["westfahl:space"]
    assert westfahl.container_title.startswith("Space and Beyond")  # from its crossref parent
    assert westfahl.publisher == "Greenwood"
    assert "\n" not in westfahl.title and "  " not in westfahl.title
    vangennep = refs["vangennep"]
    assert vangennep.authors == [{"family": "Gennep", "given": "Arnold",
                                  "non-dropping-particle": "van"}]
    assert refs["kullback"].language == "en"
    for ref in refs.values():
        for text in (ref.title, ref.container_title, ref.publisher):
            assert not re.search(r"\\[\"'`^~=.uvHckr]\{?\w", text), (ref.citation_key, text)
    assert refs["cms"].original_record.lstrip().lower().startswith("@manual")


def test_broken_entry_does_not_take_its_neighbours(tmp_path: Path,
                                                   workspace: Workspace) -> None:
    bib = tmp_path / "mixed.bib"
    bib.write_text(
        '@string{acm = "ACM Press"}\n'
        "@article{good1, title={First}, author={{World Health Organization}}, year=2001}\n"
        "@article{broken, title={Unclosed {brace}, year=2001,\n}\n"
        '@book{good2, title="Second", publisher=acm # " NY", month=jan, year=2002,\n'
        "  author={de Vries, Anna and Bakker, Jan}}\n"
        "@article{good1, title={Same key, other work}, year=2003}\n"
        "@article{, title={No key at all}, author={Smith, J.}, year=2004}\n",
        encoding="utf-8")
    report = import_files(workspace, [bib])
    f = report.files[0]
    assert (f.entries_found, f.imported, f.rejected) == (5, 4, 1)
    rejected = [p for p in f.problems if p.severity == "error"]
    assert rejected[0].line == 3 and rejected[0].key == "broken"
    refs = refs_by_key(workspace)
    assert refs["good1"].authors == [{"literal": "World Health Organization"}]
    assert refs["good2"].publisher == "ACM Press NY"
    assert refs["good2"].issued == {"date-parts": [[2002, 1]]}
    assert refs["good1a"].title == "Same key, other work"
    assert refs["Smith2004"].title == "No key at all"
    reasons = " | ".join(p.reason for p in f.problems)
    assert "good1 is already used; stored as good1a" in reasons or "duplicate" in reasons
    assert "no citation key; stored as Smith2004" in reasons


def test_importing_twice_merges_instead_of_duplicating(tmp_path: Path,
                                                       workspace: Workspace) -> None:
    first = tmp_path / "a.json"
    first.write_text(json.dumps([
        {"id": "noy", "type": "article-journal", "title": "Experimental evidence on the "
         "productivity effects of generative artificial intelligence",
         "author": [{"family": "Noy", "given": "Shakked"}],
         "issued": {"date-parts": [[2023]]}, "DOI": "10.1126/science.adh2586"}]))
    second = tmp_path / "b.bib"
    second.write_text("@article{noy_other, title={Experimental Evidence on the Productivity "
                      "Effects of Generative Artificial Intelligence}, author={Noy, S. and "
                      "Zhang, W.}, year={2024}, journal={Science}, volume={381}}\n")
    report = import_files(workspace, [first, second])
    assert [f.imported for f in report.files] == [1, 0]
    assert report.files[1].duplicates == 1
    ref = refs_by_key(workspace)["noy"]
    assert ref.container_title == "Science" and ref.volume == "381"  # richer values kept
    again = import_files(workspace, [first])
    assert again.files[0].duplicates == 1 and workspace.info().counts["reference"] == 1
    with workspace.session() as s:  # indexed once, with the merged values
        assert len(references.search(s, "productivity generative")) == 1
        assert len(references.search(s, "Science")) == 1


@needs_testdata
def test_cancel_and_failure_leave_the_workspace_as_it_was(workspace: Workspace) -> None:
    before = workspace.info()
    control = TaskControl()

    def stop_midway(done: int, total: int, _msg: str) -> None:
        if total and done >= 400:
            control.cancel()

    control.on_progress = stop_midway
    with pytest.raises(Cancelled):
        import_files(workspace, [TESTDATA / "bib" / "large" / "cdl.bib"], control)
    after = workspace.info()
    assert after.counts == before.counts and after.changes == before.changes
    # The search index is back to indexing row by row.
    with workspace.transaction() as tx:
        references.add_csl_item(tx, {"id": "z", "type": "book", "title": "Zebra studies"})
    with workspace.session() as s:
        assert len(references.search(s, "zebra")) == 1


def test_after_an_import_new_references_are_indexed_one_by_one_again(workspace: Workspace,
                                                                    tmp_path: Path) -> None:
    source = tmp_path / "two.ris"
    source.write_text("TY  - JOUR\nTI  - Aardvark habits\nAU  - Doe, Jane\nPY  - 2020\nER  - \n"
                      "TY  - JOUR\nTI  - Badger habits\nAU  - Roe, Jim\nPY  - 2021\nER  - \n")
    import_files(workspace, [source])
    with workspace.transaction() as tx:
        references.add_csl_item(tx, {"id": "z", "type": "book", "title": "Zebra studies"})
    with workspace.session() as s:
        assert len(references.search(s, "zebra")) == 1
        assert len(references.search(s, "badger")) == 1
        triggers = s.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars().all()
    assert references.INSERT_TRIGGER in triggers


def test_unreadable_files_are_named_and_do_not_stop_the_others(tmp_path: Path,
                                                               workspace: Workspace) -> None:
    good = tmp_path / "good.ris"
    good.write_text("TY  - JOUR\nTI  - A title\nAU  - Doe, Jane\nPY  - 2020\nER  - \n")
    junk = tmp_path / "notes.txt"
    junk.write_text("just some notes, no references here\n")
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "a", "title": "x"}, {"id": "b", "title": ]')
    report = import_files(workspace, [good, junk, tmp_path / "missing.bib", broken])
    assert [f.readable for f in report.files] == [True, False, False, True]
    assert report.files[0].imported == 1
    assert "not a BibTeX" in report.files[1].error
    assert "cannot open" in report.files[2].error
    assert report.files[3].imported == 1 and report.files[3].rejected == 1


@needs_testdata
@pytest.mark.parametrize("fmt", ["bibtex", "csljson"])
def test_export_then_import_gives_the_same_references(fmt: str, tmp_path: Path,
                                                      workspace: Workspace) -> None:
    sources = [TESTDATA / "bib" / "biblatex" / "biblatex-examples.bib",
               TESTDATA / "bib" / "jabref" / "jabref-authors.bib",
               TESTDATA / "ris" / "jabref" / "RisImporterTestScopus.ris"]
    import_files(workspace, sources)
    out = tmp_path / ("library.bib" if fmt == "bibtex" else "library.json")
    with workspace.session() as s:
        count = library_export.export(s, out, fmt)
    assert count == workspace.info().counts["reference"]
    with Workspace.create(tmp_path / "again.tandem", name="again") as again:
        report = import_files(again, [out])
        assert report.files[0].imported == count and report.files[0].rejected == 0
        first, second = refs_by_key(workspace), refs_by_key(again)
    assert set(first) == set(second)
    fields = ["csl_type", "title", "authors", "editors", "issued", "container_title", "volume",
              "issue", "page", "publisher", "doi", "url", "isbn", "abstract", "keywords",
              "language", "note"]
    for key, ref in first.items():
        for name in fields:
            assert getattr(second[key], name) == getattr(ref, name), (key, name)


def test_cli_import_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bib = tmp_path / "x.bib"
    bib.write_text("@article{a, title={One}, year=2020}\n@article{b title={Two}}\n")
    code = cli(["import", str(bib), str(tmp_path / "nothing.bib"), "--json",
                "--workspace", str(tmp_path / "w.tandem")])
    data = json.loads(capsys.readouterr().out)
    assert code == 1  # one file could not be read at all
    ok, missing = data["files"]
    assert (ok["entries_found"], ok["imported"], ok["duplicates"], ok["rejected"]) == (2, 1, 0, 1)
    assert ok["problems"][0]["line"] == 2 and ok["problems"][0]["reason"]
    assert missing["readable"] is False
    assert cli(["search", "one", "--json", "--workspace", str(tmp_path / "w.tandem")]) == 0
    assert json.loads(capsys.readouterr().out)[0]["key"] == "a"
    out = tmp_path / "lib.json"
    assert cli(["export-library", "--format", "csljson", "-o", str(out),
                "--workspace", str(tmp_path / "w.tandem")]) == 0
    assert json.loads(out.read_text())[0]["title"] == "One"


def test_search_ranks_title_hits_and_prefixes(workspace: Workspace, tmp_path: Path) -> None:
    data = [{"id": f"r{i}", "type": "article-journal", "title": t,
             "author": [{"family": f}], "issued": {"date-parts": [[2000 + i]]}}
            for i, (t, f) in enumerate([("Nurses and algorithmic rostering", "Jansen"),
                                        ("Teachers and feedback", "Nurse"),
                                        ("Ironies of automation", "Bainbridge")])]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    import_files(workspace, [path])
    with workspace.session() as s:
        hits = references.reference_rows(s, references.search(s, "nurse"))
        assert {h.citation_key for h in hits.values()} == {"r0", "r1"}
        assert [references.reference_rows(s, [i])[i].citation_key
                for i in references.search(s, "ironi autom")] == ["r2"]
        assert references.search(s, "2001") and references.search(s, '"; DROP') == []


def test_parallel_reading_equals_sequential_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large files are read in worker processes; the result must not depend on it: macros
    defined in one piece, crossref parents in another, broken entries, empty keys."""
    from desktop.services import bibtex

    parts = ['@string{pub = "Polity Press"}\n',
             "@incollection{child, title={A chapter}, crossref={parent}, pages={1--10}}\n",
             "@article{, title={No key}, author={Nobody, N.}, year=1999}\n",
             "@article{broken, title={Unclosed, year=2000,\n}\n"]
    parts += [f"@article{{k{i}, title={{Paper {i} on {{DNA}} \\& work}}, "
              f"author={{M{{\\\"u}}ller, Anna and van den Berg, Jan}}, year={{{2000 + i % 20}}}, "
              f"journal={{J}}, abstract={{{'words ' * 40}}}}}\n" for i in range(4000)]
    parts.append("@book{parent, title={The Book}, publisher=pub, year=2019, "
                 "editor={Editor, E.}}\n")
    text = "".join(parts)
    monkeypatch.setattr(bibtex, "PARALLEL_MIN_BYTES", 10_000)
    sequential = bibtex.parse_bibtex(text)
    batches = list(bibtex.iter_bibtex(text, workers=2))
    assert len(batches) > 2
    from desktop.services.prepared import loaded, to_wire
    parallel = [w for b in batches for w in (*b.prepared, *map(to_wire, b.entries))]
    parallel_rejected = [r for b in batches for r in b.rejected]
    assert sorted((r.line, r.reason) for r in parallel_rejected) == \
        sorted((r.line, r.reason) for r in sequential.rejected)

    def shape(wire: tuple) -> tuple:
        line, key, raw, warnings, fields, dup, fallback = wire
        return line, key, raw, tuple(warnings), sorted(loaded(fields).items(), key=str), dup

    assert sorted(map(shape, parallel)) == sorted(map(shape, map(to_wire, sequential.entries)))
    child = next(loaded(w[4]) for w in parallel if w[1] == "child")
    assert child["container_title"] == "The Book" and child["publisher"] == "Polity Press"


def test_parallel_reading_survives_letters_that_lowercase_to_two(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.services import bibtex

    text = ("@STRING{j = {Journal}}\n" + "".join(
        f"@article{{k{i}, author={{İnce, Ayşe}}, title={{T{i}}}, journal=j, year=2001}}\n"
        for i in range(3000)))
    monkeypatch.setattr(bibtex, "PARALLEL_MIN_BYTES", 10_000)
    wires = [w for b in bibtex.iter_bibtex(text, workers=2) for w in b.prepared]
    assert len(wires) == 3000 and all(w[4]["container_title"] == "Journal" for w in wires)


@needs_testdata
def test_jabref_groups_become_tags(workspace: Workspace) -> None:
    from desktop.services import library_edit

    import_files(workspace, [TESTDATA / "bib" / "jabref" / "testjabref.bib"])
    with workspace.session() as s:
        tags = dict((name, tag_id) for tag_id, name in library_edit.all_tags(s))
        assert "Covid subgroup" in tags
        tagged = references.reference_ids(s, tag_id=tags["Covid subgroup"])
        rows = references.reference_rows(s, tagged)
    assert tagged and all("Covid subgroup" in r.tags for r in rows.values())


def test_same_title_with_different_abstracts_is_not_a_duplicate(tmp_path: Path,
                                                                 workspace: Workspace) -> None:
    """Parts of a report series share title and author but not their abstract."""
    items = [{"id": f"part{i}", "type": "report", "title": "Heat transfer in hypersonic flow",
              "author": [{"family": "Smith"}], "abstract": text}
             for i, text in enumerate(["Part one measures the boundary layer.",
                                       "Part two treats the shock interaction."])]
    items.append({"id": "copy", "type": "report", "title": "Heat Transfer in Hypersonic Flow",
                  "author": [{"family": "Smith"}], "abstract": "Part one measures the "
                  "boundary layer."})
    path = tmp_path / "series.json"
    path.write_text(json.dumps(items))
    f = import_files(workspace, [path]).files[0]
    assert (f.imported, f.duplicates) == (2, 1)
