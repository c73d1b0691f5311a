"""Funder templates: the shipped files, validation, user copies, the limit checker, the CLI and the
editor dialog."""
from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.services import templates as tp
from desktop.services.templates import Localized, Measure, Provenance

SHIPPED = {"generic", "sia-raak-publiek-2024-06", "nwo-veni-2021", "he-ria-ia-part-b-v5.1",
           "erc-stg-2026"}


def shipped_json(template_id: str) -> dict:
    return json.loads((tp.shipped_dir() / f"{template_id}.json").read_text(encoding="utf-8"))


def write_user(name: str, data: object) -> Path:
    path = tp.user_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_shipped_templates_load_without_problems() -> None:
    loaded = tp.load_templates()
    assert not loaded.problems
    assert {t.id for t in loaded.templates} >= SHIPPED
    assert all(t.read_only for t in loaded.templates)


def test_every_section_has_english_and_dutch_titles() -> None:
    for t in tp.load_templates().templates:
        assert t.name.en and t.name.nl, t.id
        for s in t.walk():
            assert s.title.en and s.title.nl, (t.id, s.id)
            assert bool(s.guidance.en) == bool(s.guidance.nl), (t.id, s.id)


def test_every_number_has_a_source_and_a_status() -> None:
    for t in tp.load_templates().templates:
        provenances = [limit.provenance for _subject, limit in t.all_limits()]
        provenances += [f.number.provenance for f in t.facts]
        provenances += [s.weight_percent.provenance for s in t.walk() if s.weight_percent]
        if t.format.provenance is not None:
            provenances.append(t.format.provenance)
        for p in provenances:
            assert p.source.strip(), t.id
            assert p.status in tp.STATUSES, t.id
        has_format_numbers = any(v is not None for v in (
            t.format.page_size, t.format.margins_mm, t.format.font_size_pt,
            t.format.line_spacing, t.format.min_font_size_other_pt))
        assert not has_format_numbers or t.format.provenance is not None, t.id


def test_the_shipped_numbers_from_the_research() -> None:
    loaded = tp.load_templates()
    veni = loaded.get("nwo-veni-2021")
    [words, pages] = veni.section("veni.2a").limits
    assert (words.kind, words.max, words.scope) == ("words", 2000, "with_children")
    assert (pages.kind, pages.max) == ("pages", 6)
    assert veni.section("veni.4a").limits[0].min == 400
    he = loaded.get("he-ria-ia-part-b-v5.1")
    [total] = he.limits
    assert (total.max, total.hard, total.counts_references) == (45, True, True)
    assert not he.section("he.1.1").limits[0].hard
    erc = loaded.get("erc-stg-2026")
    assert erc.section("erc.b2.part2").limits[0].counts_references is False
    assert erc.format.margins_mm == tp.Margins(15, 20, 15, 20)
    sia = loaded.get("sia-raak-publiek-2024-06")
    assert not list(sia.all_limits())  # SIA's form limits were not found: none invented
    assert sia.languages == ("nl",)


def test_localized_accessors_pick_the_language() -> None:
    section = tp.load_templates().get("sia-raak-publiek-2024-06").section("raak.netwerkvorming")
    assert section.title_in("nl") == "Netwerkvorming"
    assert section.title_in("en") == "Network formation"
    assert section.guidance_in("nl").startswith("Welke partijen")
    assert Localized(en="Only English").get("nl") == "Only English"


def test_broken_user_template_is_reported_and_the_others_load() -> None:
    broken = shipped_json("nwo-veni-2021")
    broken["id"] = "broken-veni"
    broken["sections"][1]["limits"][0]["max"] = -5
    write_user("broken-veni.json", broken)
    write_user("not-json.json", "{ nope")
    good = shipped_json("generic")
    good["id"] = "mine"
    write_user("mine.json", good)
    loaded = tp.load_templates()
    messages = {p.path.name: p.message for p in loaded.problems}
    assert "sections[1].limits[0].max" in messages["broken-veni.json"]
    assert messages["broken-veni.json"].startswith("broken-veni.json:")
    assert "not valid JSON" in messages["not-json.json"]
    assert {t.id for t in loaded.templates} == SHIPPED | {"mine"}


@pytest.mark.parametrize("change, field", [
    (lambda d: d["sections"][0]["limits"][0].pop("source"), "limits[0].source"),
    (lambda d: d["sections"][0]["limits"][0].update(status="maybe"), "limits[0].status"),
    (lambda d: d["sections"][0]["limits"][0].update(kind="lines"), "limits[0].kind"),
    (lambda d: d["sections"][0].update(colour="red"), "sections[0].colour"),
    (lambda d: d["limits"][0].update(group="nowhere"), "limits[0].group"),
    (lambda d: d["groups"][0]["sections"].append("he.9"), "groups[0].sections[5]"),
    (lambda d: d["sections"][1]["children"].append(d["sections"][1]["children"][0]),
     "section id he.1.1 is used twice"),
    (lambda d: d["format"].pop("source"), "format.source"),
])
def test_validation_names_the_field(change, field: str) -> None:  # noqa: ANN001
    data = shipped_json("he-ria-ia-part-b-v5.1")
    change(data)
    with pytest.raises(tp.TemplateError, match=field.replace("[", r"\[").replace("]", r"\]")):
        tp.parse_template(data, "he.json")


def test_file_name_must_match_the_id() -> None:
    data = shipped_json("generic")
    data["id"] = "other"
    write_user("wrong-name.json", data)
    [problem] = tp.load_templates().problems
    assert "wrong-name.json" in problem.message and "other.json" in problem.message


def test_clone_and_save_round_trip() -> None:
    copy = tp.clone_template("nwo-veni-2021", "veni-2026", "Veni 2026")
    assert copy.based_on == "nwo-veni-2021" and not copy.read_only
    assert (tp.user_dir() / "veni-2026.json").exists()
    loaded = tp.load_templates()
    assert loaded.get("veni-2026") == copy
    summary = copy.section("veni.1.summary")
    new_limit = replace(summary.limits[0], max=250.0,
                        provenance=Provenance("NWO Veni 2026 call text", "unverified"))
    sections = list(copy.sections)
    general = sections[0]
    sections[0] = replace(general, children=(replace(summary, limits=(new_limit,)),
                                             *general.children[1:]))
    tp.save_template(replace(copy, sections=tuple(sections)))
    again = tp.load_templates().get("veni-2026")
    assert again.section("veni.1.summary").limits[0].max == 250
    assert again.section("veni.1.summary").limits[0].provenance.status == "unverified"
    assert again.section("veni.2a").limits == copy.section("veni.2a").limits


def test_shipped_templates_and_their_ids_are_not_overwritten() -> None:
    veni = tp.load_templates().get("nwo-veni-2021")
    with pytest.raises(tp.TemplateError, match="shipped"):
        tp.save_template(veni)
    with pytest.raises(tp.TemplateError, match="shipped"):
        tp.save_template(replace(veni, origin="user"))
    with pytest.raises(tp.TemplateError, match="already exists"):
        tp.clone_template("generic", "erc-stg-2026", "Clash")
    with pytest.raises(tp.TemplateError, match="no template"):
        tp.clone_template("missing", "new-one", "New")
    with pytest.raises(tp.TemplateError, match="not a valid id"):
        tp.clone_template("generic", "Has Spaces", "New")


# -- the limit checker --------------------------------------------------------------------------

def states(checks: list[tp.LimitCheck]) -> dict[tuple[str, str], str]:
    return {(c.subject, c.limit.kind): c.state for c in checks}


def test_per_section_limits_ok_warning_over_under() -> None:
    veni = tp.load_templates().get("nwo-veni-2021")
    checks = tp.check_limits(veni, {
        "veni.1.summary": "word " * 280,        # 93 % of 300
        "veni.1.public-nl": "woord " * 51,      # over 50
        "veni.1.public-en": "word " * 10,
        "veni.4a": "word " * 100,               # under the 400 minimum
        "veni.1.keywords": "ai\nwork\ncare\n",  # 3 of 5 items
    })
    got = states(checks)
    assert got[("veni.1.summary", "words")] == "warning"
    assert got[("veni.1.public-nl", "words")] == "over"
    assert got[("veni.1.public-en", "words")] == "ok"
    assert got[("veni.4a", "words")] == "under"
    assert got[("veni.1.keywords", "items")] == "ok"
    over = next(c for c in checks if c.subject == "veni.1.public-nl")
    assert over.blocking and over.used == 51


def test_section_with_children_and_group_limits() -> None:
    veni = tp.load_templates().get("nwo-veni-2021")
    checks = tp.check_limits(veni, {"veni.2a1": Measure(words=800), "veni.2a2": Measure(words=900),
                                    "veni.2a3": Measure(words=400)})
    words = next(c for c in checks if c.subject == "veni.2a" and c.limit.kind == "words")
    assert (words.used, words.state) == (2100, "over")
    he = tp.load_templates().get("he-ria-ia-part-b-v5.1")
    per_page = tp.words_per_page(he.format)
    texts = {"he.1.1": Measure(words=int(per_page * 20)),
             "he.3.1b": Measure(words=int(per_page * 26))}
    checks = tp.check_limits(he, texts)
    total = next(c for c in checks if c.subject == "part-b")
    assert total.estimated and total.state == "over" and total.blocking
    assert 45 < total.used < 46.1
    objectives = next(c for c in checks if c.subject == "he.1.1")
    assert objectives.state == "over" and not objectives.blocking  # indicative: warn only
    work_plan = next(c for c in checks if c.subject == "he.3.1")  # includes table 3.1b
    assert work_plan.state == "over"


def test_references_count_only_where_the_funder_counts_them() -> None:
    he = tp.load_templates().get("he-ria-ia-part-b-v5.1")
    erc = tp.load_templates().get("erc-stg-2026")
    he_page = tp.words_per_page(he.format)
    erc_page = tp.words_per_page(erc.format)
    he_checks = tp.check_limits(he, {"he.1.1": Measure(words=int(he_page * 3),
                                                       reference_words=int(he_page * 2))})
    assert states(he_checks)[("he.1.1", "pages")] == "over"
    erc_checks = tp.check_limits(erc, {"erc.b2.part2": Measure(words=int(erc_page * 6),
                                                               reference_words=int(erc_page * 4)),
                                       "erc.b2.references": "Author. Title. " * 2000})
    assert states(erc_checks)[("erc.b2.part2", "pages")] == "ok"
    # A bibliography section inside a counted group counts as references.
    bib = tp.check_limits(he, {"he.references": "Author A. A title. 2020. " * 10000})
    assert states(bib)[("part-b", "pages")] == "over"


def test_unknown_reference_rule_counts_them_to_be_safe() -> None:
    veni = tp.load_templates().get("nwo-veni-2021")
    assert veni.section("veni.2b").limits[0].counts_references is None
    checks = tp.check_limits(veni, {"veni.2b": Measure(words=600, reference_words=200)})
    assert states(checks)[("veni.2b", "words")] == "over"


def test_words_per_page_follows_the_format_profile() -> None:
    default = tp.words_per_page(tp.FormatProfile())
    smaller_font = tp.words_per_page(tp.FormatProfile(font_size_pt=9.5))
    double = tp.words_per_page(tp.FormatProfile(line_spacing=2.0))
    wide = tp.words_per_page(tp.FormatProfile(margins_mm=tp.Margins(15, 15, 15, 15)))
    assert 500 < default < 800
    assert smaller_font > default > double
    assert wide > default
    assert double == pytest.approx(default / 2)


# -- CLI ----------------------------------------------------------------------------------------

def test_cli_templates_json(capsys: pytest.CaptureFixture[str]) -> None:
    write_user("broken.json", "[]")
    assert main(["templates", "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    by_id = {t["id"]: t for t in data["templates"]}
    assert set(by_id) == SHIPPED
    he = by_id["he-ria-ia-part-b-v5.1"]
    assert {"number": "1.1", "id": "he.1.1"}.items() <= he["sections"][2].items()
    total = next(x for x in he["limits"] if x["subject"] == "part-b")
    assert total["kind"] == "pages" and total["max"] == 45 and total["scope"] == "group"
    assert total["enforcement"] == "hard" and total["status"] == "verified"
    assert "heria" in total["source"]
    assert data["problems"][0]["file"].endswith("broken.json")
    assert "broken.json" in captured.err


def test_cli_templates_human_output_in_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(os.environ["TANDEM_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.json").write_text(json.dumps({"language": "nl"}), encoding="utf-8")
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    assert "Netwerkvorming" in out and "Doelstellingen en ambitie" in out
    assert "indicatief" in out and "geverifieerd" in out


# -- the editor dialog --------------------------------------------------------------------------

def test_editor_clone_edit_limit_save_and_reload(qtbot) -> None:  # noqa: ANN001
    from desktop.views.template_editor import TemplateEditorDialog

    dialog = TemplateEditorDialog()
    qtbot.addWidget(dialog)
    dialog.select_template("nwo-veni-2021")
    assert not dialog.save_button.isEnabled()  # shipped: read-only
    assert dialog.clone("veni-2026", "Veni 2026") is not None
    assert dialog.current_template_id() == "veni-2026" and dialog.save_button.isEnabled()
    dialog.tree.setCurrentItem(dialog.section_item("veni.1.summary"))
    assert dialog.limits.item(0, 2).text() == "300"
    dialog.limits.item(0, 2).setText("250")
    status = dialog.limits.cellWidget(0, 7)
    status.setCurrentIndex(status.findData("unverified"))
    assert "Unverified" in dialog.limits.item(0, 2).toolTip()
    dialog.name_nl.setText("Veni 2026 (eigen)")
    dialog.tree.setCurrentItem(dialog.section_item("veni.2b"))
    dialog.add_section()
    dialog.title_en.setText("Ethics")
    dialog.title_nl.setText("Ethiek")
    dialog.move_section(-1)
    assert dialog.save()

    reopened = TemplateEditorDialog()
    qtbot.addWidget(reopened)
    reopened.select_template("veni-2026")
    assert reopened.name_nl.text() == "Veni 2026 (eigen)"
    item = reopened.section_item("veni.1.summary")
    assert "(unverified)" in item.text(2)
    reopened.tree.setCurrentItem(item)
    assert reopened.limits.item(0, 2).text() == "250"
    saved = tp.load_templates().get("veni-2026")
    top = [s.title.en for s in saved.sections]
    assert top.index("Ethics") == top.index("Knowledge utilisation") - 1
    assert saved.section("veni.1.summary").limits[0].provenance.status == "unverified"


def test_editor_reports_a_bad_value_and_keeps_the_file(qtbot, monkeypatch) -> None:  # noqa: ANN001
    from desktop.views import template_editor
    from desktop.views.template_editor import TemplateEditorDialog

    warnings: list[str] = []
    monkeypatch.setattr(template_editor.QMessageBox, "warning",
                        lambda _parent, _title, text: warnings.append(text))
    tp.clone_template("generic", "mine", "Mine")
    dialog = TemplateEditorDialog()
    qtbot.addWidget(dialog)
    dialog.select_template("mine")
    dialog.tree.setCurrentItem(dialog.section_item("gen.summary"))
    dialog.limits.add_limit()
    dialog.limits.item(0, 2).setText("lots")
    assert not dialog.save()
    assert "sections[0].limits[0].max" in warnings[0]
    assert not list(tp.load_templates().get("mine").all_limits())
