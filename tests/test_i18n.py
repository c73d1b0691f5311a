"""Translations: every user-visible string is translated into Dutch, placeholders intact."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop import i18n
from tests.messages import extract

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


@pytest.fixture(scope="module")
def catalogue() -> tuple[dict[str, str], dict[str, list[str]]]:
    return i18n.parse_po(i18n.catalogue_path("nl"))


def test_every_string_is_translated_into_dutch(catalogue) -> None:  # noqa: ANN001
    messages, plurals = catalogue
    missing = [m.where + " " + m.msgid for m in extract().values()
               if not (messages.get(m.msgid) or all(plurals.get(m.msgid, [""])))]
    assert not missing, "untranslated (run python -m tests.messages):\n" + "\n".join(missing)


def test_placeholders_survive_translation(catalogue) -> None:  # noqa: ANN001
    messages, plurals = catalogue
    for msgid, text in messages.items():
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(text)), msgid
    for msgid, forms in plurals.items():
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) <= set(PLACEHOLDER.findall(msgid)) | {"{n}"}


def test_switching_language_changes_text_at_once() -> None:
    assert i18n.set_language("nl") == "nl"
    assert i18n._("Practice questions") == "Praktijkvragen"
    assert i18n.ngettext("{n} question", "{n} questions", 1).format(n=1) != "1 question"
    i18n.set_language("en")
    assert i18n._("Practice questions") == "Practice questions"


def test_system_language_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "nl_NL:en")
    assert i18n.resolve("system") == "nl"
    monkeypatch.setenv("LANGUAGE", "fr_FR")
    assert i18n.resolve("system") == "en"


def test_po_reader_handles_plurals_fuzzy_and_continuations(tmp_path: Path) -> None:
    po = tmp_path / "t.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: nl\\n"\n\n'
                  'msgid "One"\nmsgstr "Een"\n\n'
                  '#, fuzzy\nmsgid "Guess"\nmsgstr "Gok"\n\n'
                  'msgid "Long "\n"text"\nmsgstr "Lange "\n"tekst"\n\n'
                  'msgid "{n} file"\nmsgid_plural "{n} files"\n'
                  'msgstr[0] "{n} bestand"\nmsgstr[1] "{n} bestanden"\n', encoding="utf-8")
    messages, plurals = i18n.parse_po(po)
    assert messages == {"One": "Een", "Long text": "Lange tekst"}
    translation = i18n.PoTranslations(messages, plurals)
    assert translation.ngettext("{n} file", "{n} files", 3) == "{n} bestanden"
    assert translation.gettext("Guess") == "Guess"
    bad = tmp_path / "bad.po"
    bad.write_text('msgid "x"\nmsgstr unquoted\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.po:2"):
        i18n.parse_po(bad)
