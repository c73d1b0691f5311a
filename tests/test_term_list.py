"""The Dutch–English term list: the user's own entries beside the shipped ones, a broken own
file, saving, and the dialog that edits it."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from desktop import atomic
from desktop.services import matching, term_list
from desktop.services.term_list import TermEntry
from desktop.services.textproc import stem


@pytest.fixture(autouse=True)
def fresh_terms() -> None:
    """Each test reads the lists from its own config folder, not a list cached before."""
    term_list.default_terms.cache_clear()


def query_stems(text: str, language: str = "nl") -> set[str]:
    return set(matching.build_query(text, language).weights)


def test_the_shipped_list_reads_without_errors() -> None:
    shipped = term_list.read_file(term_list.shipped_path())
    assert shipped.error == ""
    assert TermEntry("werkdruk", "workload | work intensification | work pressure") \
        in shipped.entries


def test_own_entries_are_used_at_once_after_saving() -> None:
    question = "Waar laten medewerkers hun fiets in de fietsenstalling?"
    assert stem("bicycle", "en") not in query_stems(question)  # and the list is now cached
    path = term_list.save_own([TermEntry("fietsenstalling", "bicycle parking | bike shed")])
    assert path == Path(os.environ["TANDEM_CONFIG_DIR"]) / "terms-nl-en.tsv"
    assert {stem("bicycle", "en"), stem("parking", "en"), stem("shed", "en")} \
        <= query_stems(question)
    # Both ways: the English word finds the Dutch one, and the shipped entries still count.
    assert stem("fietsenstalling", "nl") in query_stems("bike shed capacity", "en")
    assert stem("workload", "en") in query_stems("Hoe verminderen we de werkdruk?")


def test_a_dash_switches_off_shipped_translations_and_an_own_entry_replaces_them() -> None:
    term_list.save_own([TermEntry("werkdruk", "-"), TermEntry("werkdruk", "job strain")])
    dutch = query_stems("Hoe verminderen we de werkdruk?")
    assert stem("strain", "en") in dutch
    assert not {stem("workload", "en"), stem("pressure", "en")} & dutch
    # The other way too: 'workload' still finds the shipped 'werkbelasting', not 'werkdruk'.
    english = matching.default_terms().translations(["workload"], "en")
    assert ("workload", "werkbelasting") in english
    assert ("workload", "werkdruk") not in english
    shipped = term_list.read_file(term_list.shipped_path()).entries
    off = term_list.switched_off(term_list.read_file(term_list.own_path()).entries)
    assert [e.dutch for e in shipped if term_list.is_switched_off(e, off)] == ["werkdruk"]


def test_a_broken_own_file_leaves_matching_with_the_shipped_list(
        caplog: pytest.LogCaptureFixture) -> None:
    path = term_list.own_path()
    path.parent.mkdir(parents=True)
    path.write_text("# mine\nfietsenstalling\tbicycle parking\nwerkdruk job strain\n",
                    encoding="utf-8")
    read = term_list.read_file(path)
    assert read.error.startswith(f"{path}:3: ")
    # The wrong line is kept, to be fixed in the dialog.
    assert read.entries == (TermEntry("fietsenstalling", "bicycle parking"),
                            TermEntry("werkdruk job strain", ""))
    with caplog.at_level(logging.WARNING):
        dutch = query_stems("Werkdruk bij de fietsenstalling")
    assert f"{path}:3" in caplog.text
    assert stem("workload", "en") in dutch
    assert stem("bicycle", "en") not in dutch
    bad = path.with_name("other.tsv")
    bad.write_text("werkdruk workload\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"other.tsv:1: .*tab"):
        matching.TermList.load(bad)


def test_an_own_entry_needs_both_sides() -> None:
    assert TermEntry("", "workload").problem() == "The Dutch term is missing."
    assert "English term is missing" in TermEntry("werkdruk", " | ").problem()
    assert TermEntry("werkdruk", "-").problem() == ""
    with pytest.raises(ValueError, match="English term is missing"):
        term_list.save_own([TermEntry("fietsenstalling", "bicycle parking"),
                            TermEntry("werkdruk", "")])
    assert not term_list.own_path().exists()


def test_saving_cleans_entries_so_that_they_read_back() -> None:
    entries = [TermEntry("#  fiets\tstalling ", "bicycle\nparking|bike   shed |"),
               TermEntry("werkdruk", " - ")]
    term_list.save_own(entries)
    read = term_list.read_file(term_list.own_path())
    assert read.error == ""
    assert read.entries == (TermEntry("fiets stalling", "bicycle parking | bike shed"),
                            TermEntry("werkdruk", "-"))
    assert term_list.own_path().read_text(encoding="utf-8").startswith(term_list.OWN_HEADER)


def test_saving_is_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    term_list.save_own([TermEntry("fietsenstalling", "bicycle parking")])
    before = term_list.own_path().read_bytes()
    question = "Is er plek in de fietsenstalling?"
    assert stem("bicycle", "en") in query_stems(question)

    def crash(_source: object, _target: object) -> None:
        raise OSError("disk full")
    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError):
        term_list.save_own([TermEntry("fietsenstalling", "-")])
    assert term_list.own_path().read_bytes() == before
    assert [p.name for p in term_list.own_path().parent.iterdir()] == [term_list.FILE_NAME]
    assert stem("bicycle", "en") in query_stems(question)
