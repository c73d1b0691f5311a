"""The citation engine: citeproc-js through mini-racer, with the pinned styles and locales.

The twenty reference types and their APA 7 and Vancouver output are those of the engine study
(csl-engines.md §2); the items are ``tests/data/csl_twenty.json``. Engines are built once per
module, since APA takes about a second; each test starts from ``reset()``.
"""
from __future__ import annotations

import json
import random
import shutil
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from desktop.export import citeproc, csl_assets
from desktop.export.citeproc import (
    Bibliography,
    CitationEngine,
    CitationError,
    CiteItem,
    Cluster,
    EngineCache,
    html_runs,
    load_style,
)
from desktop.export.csl_assets import MissingAssetError
from desktop.paths import csl_dir

DATA = Path(__file__).resolve().parent / "data"
ITEMS: list[dict[str, Any]] = json.loads((DATA / "csl_twenty.json").read_text(encoding="utf-8"))
EXPECTED = json.loads((DATA / "csl_twenty_expected.json").read_text(encoding="utf-8"))
IDS = [item["id"] for item in ITEMS]


def build(style: str, locale: str | None = None) -> CitationEngine:
    """An engine with the twenty items; without the set-up files the run fails, never skips."""
    try:
        engine = CitationEngine(style, locale)
    except MissingAssetError as exc:
        pytest.fail(str(exc), pytrace=False)
    engine.register(ITEMS)
    return engine


@pytest.fixture(scope="module")
def apa() -> Iterator[CitationEngine]:
    engine = build("apa")
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def vancouver() -> Iterator[CitationEngine]:
    engine = build("vancouver")
    yield engine
    engine.close()


@pytest.fixture
def fresh_apa(apa: CitationEngine) -> CitationEngine:
    apa.reset()
    return apa


@pytest.fixture
def fresh_vancouver(vancouver: CitationEngine) -> CitationEngine:
    vancouver.reset()
    return vancouver


class Document:
    """Citations typed one after another at the end, or inserted, as an editor would."""

    def __init__(self, engine: CitationEngine) -> None:
        self.engine = engine
        self.clusters: list[Cluster] = []
        self.texts: dict[str, str] = {}

    def cite(self, *items: CiteItem, at: int | None = None) -> dict[str, str]:
        """Insert a citation; returns the text of every citation the engine says changed."""
        at = len(self.clusters) if at is None else at
        cluster = Cluster(f"c{len(self.texts)}", items)
        updates = self.engine.process_citation(cluster, self.clusters[:at], self.clusters[at:])
        self.clusters.insert(at, cluster)
        changed = {u.cluster_id: u.formatted.text for u in updates}
        self.texts.update(changed)
        for u in updates:
            assert self.clusters[u.index].id == u.cluster_id
        return changed

    def in_order(self) -> list[str]:
        return [self.texts[c.id] for c in self.clusters]


def study_document(engine: CitationEngine) -> tuple[list[str], Bibliography]:
    """The study's run: each item cited once in order, then Carter ×2, then Creswell p. 45."""
    doc = Document(engine)
    for item_id in IDS:
        doc.cite(CiteItem(item_id))
    doc.cite(CiteItem("carter2020motivation"), CiteItem("carter2020feedback"))
    doc.cite(CiteItem("creswell2018", locator="45"))
    return doc.in_order(), engine.bibliography()


@pytest.mark.parametrize("style", ["apa", "vancouver"])
def test_twenty_reference_types_as_in_the_study(style: str, request: pytest.FixtureRequest
                                                ) -> None:
    engine = request.getfixturevalue(f"fresh_{style}")
    citations, bibliography = study_document(engine)
    assert citations == EXPECTED[style]["citations"]
    assert [e.text for e in bibliography.entries] == EXPECTED[style]["bibliography"]
    assert sorted(i for e in bibliography.entries for i in e.ids) == sorted(IDS)


def test_apa_layout_and_runs(fresh_apa: CitationEngine) -> None:
    _citations, bibliography = study_document(fresh_apa)
    assert bibliography.layout.hanging_indent
    assert bibliography.layout.second_field_align == ""
    lim = next(e for e in bibliography.entries if e.ids == ("lim2010",))
    assert lim.label == ()
    italic = [r.text for r in lim.runs if r.italic]
    assert italic == ["Psychological Bulletin", "136"]
    assert lim.runs[-1].link == "https://doi.org/10.1037/a0018883"
    assert lim.html.startswith('<div class="csl-entry">') and "<i>136</i>" in lim.html


def test_vancouver_number_then_tab_layout(fresh_vancouver: CitationEngine) -> None:
    _citations, bibliography = study_document(fresh_vancouver)
    layout = bibliography.layout
    assert layout.second_field_align == "flush" and not layout.hanging_indent
    assert layout.max_offset == 3  # "20." is the widest label
    first = bibliography.entries[0]
    assert [r.text for r in first.label] == ["1."]
    assert first.runs[0].text.startswith("Lim J, Dinges DF.")


def test_apa_year_suffixes_reach_earlier_citations(fresh_apa: CitationEngine) -> None:
    doc = Document(fresh_apa)
    assert doc.cite(CiteItem("carter2020motivation")) == {"c0": "(Carter, 2020)"}
    changed = doc.cite(CiteItem("lim2010"))
    assert changed == {"c1": "(Lim & Dinges, 2010)"}
    # The second Carter 2020 makes the first one "2020b" (a/b go by title, as APA says).
    changed = doc.cite(CiteItem("carter2020feedback"))
    assert changed == {"c0": "(Carter, 2020b)", "c2": "(Carter, 2020a)"}
    assert doc.in_order() == ["(Carter, 2020b)", "(Lim & Dinges, 2010)", "(Carter, 2020a)"]


def test_prefix_locator_suffix_and_suppress_author(fresh_apa: CitationEngine,
                                                   fresh_vancouver: CitationEngine) -> None:
    doc = Document(fresh_apa)
    doc.cite(CiteItem("creswell2018", locator="45", prefix="see", suffix="for a review"))
    doc.cite(CiteItem("creswell2018", locator="3", label="chapter"))
    doc.cite(CiteItem("lim2010", suppress_author=True))
    doc.cite(CiteItem("vohs2016", locator="12-14"), CiteItem("lim2010", prefix="cf."))
    assert doc.in_order() == [
        "(see Creswell, 2018, p. 45 for a review)",
        "(Creswell, 2018, Chapter 3)",
        "(2010)",
        "(cf. Lim & Dinges, 2010; Vohs & Baumeister, 2016, pp. 12–14)",
    ]
    numeric = Document(fresh_vancouver)
    # The NLM style prints no locators in citations; affixes it keeps.
    numeric.cite(CiteItem("lim2010", locator="45", prefix="see", suffix="and more"),
                 CiteItem("vohs2016"))
    assert numeric.in_order() == ["(see 1 and more,2)"]


def test_numeric_style_numbers_by_first_citation(fresh_vancouver: CitationEngine) -> None:
    doc = Document(fresh_vancouver)
    doc.cite(CiteItem("freud2010"))
    doc.cite(CiteItem("lim2010"))
    doc.cite(CiteItem("freud2010"), CiteItem("kearney2005"))
    assert doc.in_order() == ["(1)", "(2)", "(1,3)"]
    # A citation inserted at the top renumbers every later one.
    changed = doc.cite(CiteItem("kearney2005"), at=0)
    assert doc.in_order() == ["(1)", "(2)", "(3)", "(1,2)"]
    assert set(changed) == {"c3", "c0", "c1", "c2"}
    entries = fresh_vancouver.bibliography().entries
    assert [e.ids for e in entries] == [("kearney2005",), ("freud2010",), ("lim2010",)]
    assert entries[0].text.startswith("1. Kearney PM")


def test_uncited_items_and_reset(fresh_vancouver: CitationEngine) -> None:
    fresh_vancouver.set_uncited(["lim2010", "vohs2016"])
    assert [e.ids for e in fresh_vancouver.bibliography().entries] == [
        ("lim2010",), ("vohs2016",)]
    fresh_vancouver.set_uncited(["vohs2016"])
    assert [e.ids for e in fresh_vancouver.bibliography().entries] == [("vohs2016",)]
    fresh_vancouver.reset()
    assert fresh_vancouver.bibliography().entries == ()


def _counting(engine: CitationEngine) -> tuple[list[str], Any]:
    calls: list[str] = []
    call = engine._runtime.call
    engine._runtime.call = lambda name, *args: calls.append(name) or call(name, *args)  # type: ignore[method-assign]
    return calls, call


def test_one_changed_citation_is_one_engine_call(fresh_apa: CitationEngine) -> None:
    calls, call = _counting(fresh_apa)
    try:
        clusters = [Cluster(f"c{n}", (CiteItem(i),)) for n, i in enumerate(IDS[:6])]
        first = [u.formatted.text for u in fresh_apa.process_document(clusters)]
        assert calls.count("rebuild") == 1
        # The same document under other ids (the export after the editor): nothing to do.
        again = fresh_apa.process_document([Cluster(f"x{n}", c.items)
                                            for n, c in enumerate(clusters)])
        assert [u.formatted.text for u in again] == first
        fresh_apa.register([i for i in ITEMS if i["id"] == IDS[0]])  # unchanged: not sent
        assert calls == ["reset", "rebuild"]
        # One citation inserted, changed or removed: one processCitationCluster.
        inserted = [*clusters[:3], Cluster("new", (CiteItem("carter2020feedback"),)),
                    *clusters[3:]]
        fresh_apa.process_document(inserted)
        inserted[1] = Cluster("c1", (CiteItem(IDS[1], locator="12"),))
        fresh_apa.process_document(inserted)
        del inserted[4]
        fresh_apa.process_document(inserted)
        assert calls.count("process") == 3 and calls.count("rebuild") == 1
        # An edited reference formats the whole document again.
        edited = next(dict(i) for i in ITEMS if i["id"] == IDS[0])
        fresh_apa.register([{**edited, "title": "Another title"}])
        fresh_apa.process_document(inserted)
        assert calls.count("rebuild") == 2
    finally:
        fresh_apa._runtime.call = call  # type: ignore[method-assign]
        fresh_apa.register([i for i in ITEMS if i["id"] == IDS[0]])


@pytest.mark.parametrize("style", ["apa", "vancouver"])
def test_edits_one_by_one_give_what_a_whole_pass_gives(style: str,
                                                       request: pytest.FixtureRequest) -> None:
    """Random insertions, changes, removals and bigger edits, each applied to the engine's
    document; after every step the texts equal a whole-document pass from scratch."""
    engine = request.getfixturevalue(f"fresh_{style}")
    whole = build(style)
    rng = random.Random(11)
    # Carter twice and Lim twice: year suffixes and repeated numbers come and go.
    pool = IDS[:8] + ["carter2020motivation", "carter2020feedback", "lim2010"]
    document: list[Cluster] = []
    try:
        for step in range(60):
            kind = rng.choice(["insert", "insert", "change", "remove", "many"])
            at = rng.randrange(len(document) + 1)
            cluster = Cluster(f"s{step}", tuple(CiteItem(i) for i in rng.sample(
                pool, rng.choice([1, 1, 2]))))
            if kind == "insert" or not document:
                document.insert(at, cluster)
            elif kind == "change":
                document[min(at, len(document) - 1)] = cluster
            elif kind == "remove":
                del document[min(at, len(document) - 1)]
            else:
                document[at:at + 2] = [cluster, Cluster(f"m{step}", (CiteItem(rng.choice(pool)),))]
            got = [u.formatted.html for u in engine.process_document(document)]
            whole.reset()
            assert got == [u.formatted.html for u in whole.process_document(document)], step
        assert [e.html for e in engine.bibliography().entries] == \
            [e.html for e in whole.bibliography().entries]
    finally:
        whole.close()


OTHER_PROGRAMS = [
    {"id": "good", "type": "book", "title": "A good book", "issued": {"date-parts": [[2001]]},
     "author": [{"family": "Aalders", "given": "Bea"}]},
    # Better BibTeX writes an open end as [0]; other programs mix precisions in a range.
    {"id": "open", "type": "book", "title": "Open ended",
     "issued": {"date-parts": [["1999", 9, 29], [0]]}},
    {"id": "mixed", "type": "book", "title": "Mixed precision",
     "issued": {"date-parts": [[2014, 12, 31], [2015]]}},
    {"id": "listed", "type": "book", "title": ["not", "text"]},
    {"id": "empty", "type": "entry-encyclopedia", "editor": [{"literal": "Xxx"}]},
]


def test_fields_of_the_wrong_shape_are_made_usable() -> None:
    entry, problems = citeproc.engine_item(
        {"id": 7, "title": ["not", "text"], "page": {"x": 1}, "custom": {"app": 1},
         "author": [{"family": {"x": 1}, "given": "Ann"}, {"family": "Berg", "given": 5}],
         "issued": {"date-parts": [["1999", 9, 29], [0]]}, "accessed": "2020-01-02"})
    assert entry == {"id": "7", "title": "not, text", "custom": {"app": 1},
                     "author": [{"given": "Ann"}, {"family": "Berg", "given": "5"}],
                     "issued": {"date-parts": [["1999", 9, 29]]},
                     "accessed": {"raw": "2020-01-02"}}
    assert problems == ["title should be text; its parts were joined",
                        "page should be text; left out",
                        "author: a part of a name that is not text was left out"]


def test_other_programs_items_do_not_stop_the_rest() -> None:
    """Date ranges citeproc-js refuses and fields of the wrong shape are made acceptable, so
    that every item is printed and the engine goes on working."""
    engine = build("harvard-cite-them-right")
    try:
        ids = engine.register(OTHER_PROGRAMS)
        bibliography, broken = engine.bibliography_of(ids)
        assert not broken
        texts = {e.ids[0]: e.text for e in bibliography.entries}
        assert set(texts) == {"good", "open", "mixed", "listed", "empty"}
        assert "(1999)" in texts["open"] and "(2014–2015)" in texts["mixed"]
        again = engine.process_document([Cluster("a", (CiteItem("good"),))])
        assert again[0].formatted.text == "(Aalders, 2001)"
    finally:
        engine.close()


def test_an_item_the_engine_still_fails_on_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net behind the cleaning: an item citeproc-js fails on is found, named with
    the engine's message and left out; the others are printed and the engine works on."""
    monkeypatch.setattr(citeproc, "engine_item",
                        lambda item: ({**item, "id": str(item["id"])}, []))
    engine = build("harvard-cite-them-right")
    try:
        ids = engine.register([i for i in OTHER_PROGRAMS if i["id"] != "open"])
        bibliography, broken = engine.bibliography_of(ids)
        # Both uncleaned items fail: the mixed-precision range and the list title.
        assert set(broken) == {"mixed", "listed"}
        assert "date range" in broken["mixed"] and "engine failed" in broken["listed"]
        assert {e.ids[0] for e in bibliography.entries} == {"good", "empty"}
        again = engine.process_document([Cluster("a", (CiteItem("good"),))])
        assert again[0].formatted.text == "(Aalders, 2001)"
    finally:
        engine.close()


def test_an_item_the_style_prints_nothing_for_is_named() -> None:
    engine = build("chicago")
    try:
        ids = engine.register([i for i in OTHER_PROGRAMS if i["id"] in ("good", "empty")])
        bibliography, broken = engine.bibliography_of(ids)
        assert not broken and bibliography.omitted == ("empty",)
        assert [e.ids for e in bibliography.entries] == [("good",)]
    finally:
        engine.close()


def test_preview_formats_one_citation_outside_the_document(apa: CitationEngine) -> None:
    preview = apa.preview([CiteItem("vaswani2017", locator="5")])
    assert preview.text == "(Vaswani et al., 2017, p. 5)"
    assert preview.html == "(Vaswani et al., 2017, p. 5)"


def test_unknown_reference_and_item_without_id(apa: CitationEngine) -> None:
    with pytest.raises(CitationError, match="nobody2020"):
        apa.preview([CiteItem("nobody2020")])
    with pytest.raises(CitationError, match="item 2 has no id"):
        apa.register([{"id": "x", "type": "book"}, {"type": "book"}])


def test_dutch_locale_terms() -> None:
    engine = build("apa", "nl-NL")
    try:
        engine.register([{"id": "undated", "type": "book", "title": "Werk zonder datum",
                          "author": [{"family": "Jansen", "given": "Piet"}],
                          "publisher": "Boom"}])
        doc = Document(engine)
        doc.cite(CiteItem("undated", locator="12"))
        doc.cite(CiteItem("vohs2016"))
        assert doc.in_order() == ["(Jansen, z.d., p. 12)", "(Vohs & Baumeister, 2016)"]
        texts = [e.text for e in engine.bibliography().entries]
        assert texts[0] == "Jansen, P. (z.d.). Werk zonder datum. Boom."
        assert texts[1].startswith("Vohs, K. D., & Baumeister, R. F. (Red.). (2016).")
        assert "(3de dr.)" in texts[1]
    finally:
        engine.close()
    harvard = build("harvard-cite-them-right", "nl")
    try:
        assert harvard.locale == "nl-NL"
        assert harvard.preview([CiteItem("vohs2016")]).text == "(Vohs en Baumeister, 2016)"
    finally:
        harvard.close()


@pytest.mark.parametrize(("style", "locale", "start"), [
    ("harvard-cite-them-right", "en-GB",
     ("Lim, J. and Dinges, D.F. (2010) ‘Effects of sleep deprivation on working memory: "
      "a meta-analysis’, Psychological Bulletin,")),
    ("chicago-author-date", None, "Lim, Julian, and David F. Dinges. 2010. “Effects of Sleep"),
    ("ieee", None, "[1] J. Lim and D. F. Dinges, “Effects of sleep deprivation on working"),
])
def test_other_required_styles(style: str, locale: str | None, start: str) -> None:
    engine = build(style, locale)
    try:
        engine.set_uncited(["lim2010"])
        assert engine.bibliography().entries[0].text.startswith(start)
    finally:
        engine.close()


def _study_html(style: str) -> tuple[list[str], list[str]]:
    """The study's citations and bibliography in ``style``, as the engine's HTML."""
    engine = build(style)
    try:
        clusters = [Cluster(f"c{n}", (CiteItem(i),)) for n, i in enumerate(IDS)]
        clusters.append(Cluster("pair", (CiteItem("carter2020motivation"),
                                         CiteItem("carter2020feedback"))))
        citations = [u.formatted.html for u in engine.process_document(clusters)]
        return citations, [e.html for e in engine.bibliography().entries]
    finally:
        engine.close()


@pytest.mark.parametrize("style", sorted(Path(f).stem for f in csl_assets.available("styles/")))
def test_macro_index_changes_no_output(style: str) -> None:
    """The bridge's index of a style's macros (a build-time shortcut) gives what citeproc-js's
    own tree walks give, for every pinned style."""
    runtime = citeproc._shared_runtime()
    runtime.call("setMacroIndex", False)
    try:
        walked = _study_html(style)
    finally:
        runtime.call("setMacroIndex", True)
    assert _study_html(style) == walked


def test_dependent_styles_resolve_to_their_parent(tmp_path: Path) -> None:
    vancouver = load_style("vancouver")
    assert vancouver.name == "vancouver-nlm"
    assert vancouver.xml == load_style("nlm-citation-sequence").xml
    dependent = tmp_path / "my-journal.csl"
    dependent.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="en-GB">'
        '<info><title>My journal</title><id>x</id>'
        '<link href="http://www.zotero.org/styles/apa" rel="independent-parent"/></info>'
        "</style>\n", encoding="utf-8")
    resolved = load_style(dependent)
    assert resolved.xml == load_style("apa").xml and resolved.default_locale == "en-GB"
    orphan = tmp_path / "orphan.csl"
    orphan.write_text(dependent.read_text().replace("styles/apa", "styles/no-such-style"))
    with pytest.raises(CitationError, match="no-such-style"):
        load_style(orphan)


def test_style_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(CitationError, match="missing.csl"):
        load_style(tmp_path / "missing.csl")
    html = tmp_path / "page.csl"
    html.write_text("<html><body>not a style</body></html>")
    with pytest.raises(CitationError, match="page.csl is not a CSL style"):
        load_style(html)
    with pytest.raises(CitationError, match="known styles: apa"):
        load_style("no-such-style")
    with pytest.raises(CitationError, match="No CSL locale for fr-FR"):
        citeproc.resolve_locale("fr-FR")


def test_html_runs_follow_the_engine_markup() -> None:
    label, runs = html_runs(
        '<div class="csl-entry">\n    <div class="csl-left-margin">[2]</div>'
        '<div class="csl-right-inline"><i>Title with <span style="font-style:normal;">Inner'
        '</span></i> &#38; <span style="font-variant:small-caps;">caps</span> x<sup>2</sup>'
        ' <b>bold</b> <a href="https://example.org/">https://example.org/</a></div>\n  </div>')
    assert label == (citeproc.Run("[2]"),)
    assert runs == (
        citeproc.Run("Title with ", italic=True), citeproc.Run("Inner & "),
        citeproc.Run("caps", small_caps=True), citeproc.Run(" x"),
        citeproc.Run("2", superscript=True), citeproc.Run(" "), citeproc.Run("bold", bold=True),
        citeproc.Run(" "), citeproc.Run("https://example.org/", link="https://example.org/"))


def test_engine_cache_builds_each_style_once_from_several_threads() -> None:
    cache = EngineCache()
    got: list[CitationEngine] = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("vancouver")))
               for _i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 3 and got[0] is got[1] is got[2]
    assert cache.get("vancouver", "nl-NL") is not got[0]


def run_cli(args: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_bibliography(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    items = str(DATA / "csl_twenty.json")
    code, out, _err = run_cli(["bibliography", "--style", "vancouver", "--items", items], capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 20
    assert lines[0] == EXPECTED["vancouver"]["bibliography"][0]
    code, out, _err = run_cli(["bibliography", "--style", str(csl_dir() / "styles" / "ieee.csl"),
                               "--items", items, "--format", "html"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 20
    assert lines[0].startswith('<div class="csl-entry"><div class="csl-left-margin">[1]</div>')
    assert "<i>Psychol Bull</i>" in lines[0]


def test_cli_bibliography_names_the_items_it_leaves_out(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    items = tmp_path / "others.json"
    items.write_text(json.dumps(OTHER_PROGRAMS), encoding="utf-8")
    code, out, err = run_cli(["bibliography", "--style", "harvard-cite-them-right",
                              "--items", str(items)], capsys)
    assert code == 1 and len(out.splitlines()) == 5
    assert f"{items}, item listed: title should be text; its parts were joined" in err
    assert out.startswith("Aalders, B. (2001) A good book.")


def test_cli_bibliography_errors_name_the_file(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    missing = tmp_path / "gone.json"
    code, out, err = run_cli(["bibliography", "--style", "apa", "--items", str(missing)], capsys)
    assert code == 1 and out == "" and "gone.json" in err
    not_csl = tmp_path / "refs.bib"
    not_csl.write_text("@article{a, title={T}}\n")
    code, out, err = run_cli(["bibliography", "--style", "apa", "--items", str(not_csl)], capsys)
    assert code == 1 and "refs.bib is not CSL-JSON" in err
    code, out, err = run_cli(["bibliography", "--style", "nope", "--items",
                              str(DATA / "csl_twenty.json")], capsys)
    assert code == 1 and "Unknown citation style nope" in err and "Traceback" not in err


def test_cached_files_are_complete_and_pinned() -> None:
    """The set-up cache holds every pinned file: fetching again has nothing to do."""
    assert csl_assets.fetch(csl_dir(), log=pytest.fail) == 0


def test_missing_or_altered_files_say_what_to_do(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    cache = csl_dir()
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("TANDEM_CSL_DIR", str(empty))
    with pytest.raises(MissingAssetError) as missing:
        CitationEngine("apa")
    message = str(missing.value)
    assert str(empty / "styles" / "apa.csl") in message and "./dev.sh setup" in message
    # A fresh runtime (as at start-up) names the missing JS file.
    monkeypatch.setattr(citeproc, "_runtime", None)
    style = tmp_path / "ieee.csl"
    shutil.copyfile(cache / "styles" / "ieee.csl", style)
    with pytest.raises(MissingAssetError, match="citeproc_commonjs.js is missing"):
        CitationEngine(style)
    altered = tmp_path / "altered"
    shutil.copytree(cache, altered)
    with open(altered / "locales" / "locales-nl-NL.xml", "a", encoding="utf-8") as fh:
        fh.write("<!-- edited -->\n")
    monkeypatch.setenv("TANDEM_CSL_DIR", str(altered))
    with pytest.raises(MissingAssetError, match="locales-nl-NL.xml is not the expected version"):
        CitationEngine(style)


def test_missing_js_engine_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(citeproc, "_runtime", None)
    monkeypatch.setitem(sys.modules, "py_mini_racer", None)
    with pytest.raises(MissingAssetError, match="mini-racer"):
        CitationEngine("vancouver")
