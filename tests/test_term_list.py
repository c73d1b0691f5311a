"""The Dutch–English term list: the user's own entries beside the shipped ones, a broken own
file, saving, and the dialog that edits it."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from desktop import atomic
from desktop.cli import main as cli
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


def test_entries_are_found_in_the_forms_a_question_writes() -> None:
    """Snowball stems some Dutch inflections apart from the word ('wensen' → 'wens', 'wens'
    → 'wen'; 'betrekt' stays whole): an entry is still found, and switched off, in them."""
    assert stem("wensen", "nl") != stem("wens", "nl")
    shipped = [TermEntry("wens", "wish | preference"), TermEntry("betrekken", "involve"),
               TermEntry("digitaal", "digital")]
    terms = matching.TermList.combined(shipped)
    found = terms.translations("hoe betrekt zij hun wensen bij digitale keuzes".split(), "nl")
    assert {("wensen", "wish"), ("wensen", "preference"), ("betrekt", "involve"),
            ("digitale", "digital")} <= set(found)
    # The own stem comes first: a word the list has as it is written is not read as another.
    assert term_list.lookup_keys("wensen", "nl")[0] == stem("wensen", "nl")
    off = matching.TermList.combined(shipped, [TermEntry("wensen", "-")])
    assert not off.translations(["wens"], "nl") and off.silences("wensen", "nl")
    assert off.silences("wens", "nl")
    query = matching.build_query("Wat zijn hun wensen?", "nl", off)
    assert set(query.weights) == {stem("wensen", "nl")}  # no guess at it either


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


def test_the_command_line_lists_adds_and_removes(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["terms", "add", "fietsenstalling", "bicycle parking | bike shed"]) == 0
    assert cli(["terms", "add", "werkdruk", "-"]) == 0
    assert cli(["terms", "add", "werkdruk", ""]) == 1
    assert "English term is missing" in capsys.readouterr().err
    assert stem("bicycle", "en") in query_stems("Waar is de fietsenstalling?")
    assert cli(["terms", "list", "--own"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "fietsenstalling\tbicycle parking | bike shed\tyours",
        "werkdruk\t-\tyours, switches off"]
    assert cli(["terms", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"dutch": "werkdruk", "english": "workload | work intensification | work pressure",
            "source": "switched_off"} in listed
    assert len(listed) == 2 + len(term_list.read_file(term_list.shipped_path()).entries)
    assert cli(["terms", "remove", "Fietsenstalling"]) == 0
    assert cli(["terms", "remove", "fietsenstalling"]) == 1
    assert "terms add “fietsenstalling” -" in capsys.readouterr().err
    assert term_list.read_file(term_list.own_path()).entries == (TermEntry("werkdruk", "-"),)
    # A file that cannot be read is not rewritten (here its last line would lose a byte).
    with term_list.own_path().open("ab") as fh:
        fh.write("fietsenstalling\tbike shed, ".encode() + "vélo".encode("latin-1") + b"\n")
    before = term_list.own_path().read_bytes()
    assert cli(["terms", "add", "werkdruk", "job strain"]) == 1
    last = before.count(b"\n")
    assert f"{term_list.own_path()}:{last}: not UTF-8 text" in capsys.readouterr().err
    assert term_list.own_path().read_bytes() == before


# -- the dialog -------------------------------------------------------------------------------
def open_dialog(qtbot):  # noqa: ANN001, ANN201
    from PySide6.QtWidgets import QDialog

    from desktop.views.term_list_dialog import TermListDialog

    dialog = TermListDialog()
    # Closed at the end without the question about unsaved changes, which would wait forever.
    qtbot.addWidget(dialog, before_close_func=QDialog.reject)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # for the keyboard shortcuts
    return dialog


def shown(dialog) -> list[tuple[str, str, str]]:  # noqa: ANN001
    proxy = dialog.proxy
    return [tuple(proxy.index(r, c).data() for c in range(3)) for r in range(proxy.rowCount())]


def select(dialog, dutch: str, source: str) -> None:  # noqa: ANN001
    from PySide6.QtCore import QItemSelectionModel

    row = next(r for r, (d, _e, s) in enumerate(shown(dialog)) if d == dutch and s == source)
    dialog.table.selectionModel().select(
        dialog.proxy.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)


def test_the_dialog_adds_filters_removes_and_saves(qtbot) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLineEdit

    dialog = open_dialog(qtbot)
    shipped = term_list.read_file(term_list.shipped_path()).entries
    assert dialog.proxy.rowCount() == len(shipped)
    # Shipped rows are read-only.
    first = dialog.model.index(0, 1)
    assert not dialog.model.flags(first) & Qt.ItemFlag.ItemIsEditable
    assert not dialog.model.setData(first, "something else")
    assert dialog.model.entry(0) == shipped[0]

    # Insert adds a row and opens its Dutch cell; Enter ends the edit, not the dialog.
    qtbot.keyClick(dialog.table, Qt.Key.Key_Insert)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "fietsenstalling")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.own == [TermEntry("fietsenstalling", "")])
    assert dialog.isVisible()
    # A row needs both sides: saving stops at the missing one and says so.
    assert "English term is missing" in dialog.problem_label.text()
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.isVisible() and not term_list.own_path().exists()
    current = dialog.proxy.mapToSource(dialog.table.currentIndex())
    assert (current.row(), current.column()) == (0, 1)
    # An unfinished row shows whatever the filter says.
    dialog.filter_edit.setText("no such term")
    assert [r[0] for r in shown(dialog)] == ["fietsenstalling"]
    dialog.filter_edit.clear()
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_F2)
    qtbot.keyClicks(QApplication.focusWidget(), "bicycle")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.own == [TermEntry("fietsenstalling", "bicycle")])
    assert dialog.problem_label.text() == ""
    # Enter in the editor of a row that could be saved still only ends the edit.
    qtbot.keyClick(dialog.table, Qt.Key.Key_F2)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_End)  # the editor selects all
    qtbot.keyClicks(QApplication.focusWidget(), " parking")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.own == [TermEntry("fietsenstalling",
                                                           "bicycle parking")])
    assert dialog.isVisible()

    # Ctrl+N adds another; Delete removes own rows only.
    qtbot.keyClick(dialog.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(dialog.model.own) == 2
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # ends the edit only
    assert dialog.isVisible()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert dialog.model.own == [TermEntry("fietsenstalling", "bicycle parking")]

    # The filter looks at both sides, ignoring case and accents; Ctrl+F goes there.
    qtbot.keyClick(dialog.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert dialog.filter_edit.hasFocus()
    dialog.filter_edit.setText("WORKLOAD")
    assert {"werkdruk", "werkbelasting"} <= {r[0] for r in shown(dialog)}
    assert all("workload" in r[1] for r in shown(dialog))
    dialog.filter_edit.setText("werkdruk")
    assert shown(dialog) == [("werkdruk", "workload | work intensification | work pressure",
                              "shipped")]
    select(dialog, "werkdruk", "shipped")
    assert not dialog.remove_button.isEnabled()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert len(dialog.model.own) == 1
    dialog.off_button.click()
    assert [(r[1], r[2]) for r in shown(dialog)] == [
        ("-", "yours, switches off"),
        ("workload | work intensification | work pressure", "shipped, switched off")]

    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted
    assert term_list.read_file(term_list.own_path()).entries == (
        TermEntry("fietsenstalling", "bicycle parking"), TermEntry("werkdruk", "-"))
    assert stem("bicycle", "en") in query_stems("Waar is de fietsenstalling?")
    assert stem("workload", "en") not in query_stems("Hoe verminderen we de werkdruk?")


def test_a_row_added_while_filtering_stays_in_sight(qtbot) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    dialog = open_dialog(qtbot)
    dialog.filter_edit.setText("meldkamer")
    dialog.add_row()
    assert dialog.filter_edit.text() == ""
    qtbot.keyClicks(QApplication.focusWidget(), "centralist")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "dispatcher")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.own == [TermEntry("centralist", "dispatcher")])
    assert ("centralist", "dispatcher", "yours") in shown(dialog)


def test_the_dialog_shows_a_broken_file_to_be_fixed(qtbot) -> None:  # noqa: ANN001
    path = term_list.own_path()
    path.parent.mkdir(parents=True)
    path.write_text("fietsenstalling\tbicycle parking\nwerkdruk job strain\n", encoding="utf-8")
    dialog = open_dialog(qtbot)
    assert dialog.load_error.isVisible()
    assert f"{path}:2: " in dialog.load_error.text()
    assert shown(dialog)[:2] == [("fietsenstalling", "bicycle parking", "yours"),
                                 ("werkdruk job strain", "", "yours")]
    dialog.model.setData(dialog.model.index(1, 0), "werkdruk")
    dialog.model.setData(dialog.model.index(1, 1), "job strain")
    dialog.accept()
    assert term_list.read_file(path).error == ""
    assert stem("strain", "en") in query_stems("Hoe verminderen we de werkdruk?")


def test_closing_with_unsaved_terms_asks(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    answers: list[QMessageBox.StandardButton] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: answers.pop(0))
    dialog = open_dialog(qtbot)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing changed: no question
    assert not dialog.isVisible() and not answers

    dialog = open_dialog(qtbot)
    dialog.model.add([TermEntry("fietsenstalling", "bicycle parking")])
    answers[:] = [QMessageBox.StandardButton.Cancel]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and not answers
    answers[:] = [QMessageBox.StandardButton.Discard]
    dialog.close()
    assert not dialog.isVisible() and not term_list.own_path().exists()

    dialog = open_dialog(qtbot)
    dialog.model.add([TermEntry("fietsenstalling", "bicycle parking")])
    answers[:] = [QMessageBox.StandardButton.Save]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert term_list.read_file(term_list.own_path()).entries == (
        TermEntry("fietsenstalling", "bicycle parking"),)


def test_the_edit_menu_opens_the_dialog(tandem, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from desktop.views import term_list_dialog

    opened = []
    monkeypatch.setattr(term_list_dialog.TermListDialog, "exec",
                        lambda self: opened.append(self) or 1)
    window = tandem.window
    refreshed = []
    monkeypatch.setattr(window.pages["questions"], "refresh", lambda: refreshed.append(1))
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    action = next(a for a in edit.actions() if a.text() == "Dutch–English &terms…")
    action.trigger()
    # Saved: the question shown gets suggestions matched with the new terms.
    assert len(opened) == 1 and refreshed
