"""The app on the demo workspace: every page, the menus' shortcuts, the language switch,
remembered geometry, first start, and the task runner."""
from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop import paths, settings
from desktop.app import TandemApp
from desktop.services.tasks import TaskControl
from desktop.views.main_window import PAGES, MainWindow
from desktop.views.workers import TaskRunner


def test_every_page_shows_the_demo(tandem: TandemApp, qtbot) -> None:  # noqa: ANN001
    window = tandem.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    for row, key in enumerate(PAGES):
        window.nav.setCurrentRow(row)
        page = window.stack.currentWidget()
        assert page is window.pages[key]
        if hasattr(page, "model"):
            assert page.model.rowCount() > 0, key
            assert page.current_id() is not None, key
            assert len(page.detail.toPlainText()) > 50, key
        else:
            assert "replica" in page.body.toPlainText()
    assert "56 references" in window.summary.text()


def test_shortcuts_switch_pages_and_find_focuses_the_filter(tandem: TandemApp, qtbot) -> None:  # noqa: ANN001
    window = tandem.window
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "library"
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    library = window.pages["library"]
    assert library.filter_edit.hasFocus()
    qtbot.keyClicks(library.filter_edit, "bainbrid")
    assert library.model.rowCount() == 1
    assert "Ironies of automation" in library.detail.toPlainText()


def test_question_detail_shows_the_screened_literature(tandem: TandemApp) -> None:
    page = tandem.window.pages["questions"]
    texts = []
    for row in range(page.model.rowCount()):
        page.table.selectRow(row)
        texts.append(page.detail.toPlainText())
    assert any("Relevant:" in t for t in texts)


def test_language_switch_rebuilds_in_dutch(tandem: TandemApp, monkeypatch) -> None:  # noqa: ANN001
    from desktop.views import dialogs

    class Chosen:
        def __init__(self, *_a: object) -> None: ...
        def exec(self) -> bool: return True
        def values(self) -> dialogs.Preferences: return dialogs.Preferences("nl", "apa", "")

    monkeypatch.setattr("desktop.app.PreferencesDialog", Chosen)
    tandem.edit_preferences()
    window = tandem.window
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == ["Vragen", "Bibliotheek", "Voorstellen", "Synchronisatie"]
    assert window.menuBar().actions()[0].text() != "&File"
    saved, _problem = settings.load()
    assert saved.language == "nl"


def test_geometry_and_page_are_remembered(tandem: TandemApp, qapp: QApplication,
                                          demo_path: Path) -> None:
    tandem.window.resize(640, 470)
    size = tandem.window.size()  # what the window allowed (its minimum may be wider)
    tandem.window.show_page("proposals")
    tandem._close_window()
    saved, _problem = settings.load()
    assert saved.window_geometry and saved.page == "proposals"
    tandem.settings = saved
    tandem.show_window()
    assert tandem.window.current_page() == "proposals"
    assert tandem.window.size() == size


def test_first_start_builds_and_opens_the_demo(qapp: QApplication) -> None:
    app = TandemApp(qapp, settings.Settings(language="en"), inline_tasks=True)
    try:
        app.start(None)
        assert app.workspace is not None
        assert app.workspace.path == paths.default_workspace().resolve()
        assert app.workspace.info().counts["reference"] >= 40
    finally:
        app._close_window()
        app.shutdown()


def test_runner_runs_off_the_ui_thread_and_reports_progress(qtbot) -> None:  # noqa: ANN001
    runner = TaskRunner()
    seen: list[tuple[int, int]] = []
    result: list[object] = []
    runner.sig_task_progress.connect(lambda d, t, _m: seen.append((d, t)))

    def work(control: TaskControl) -> str:
        for i in range(5):
            control.progress(i + 1, 5, "step")
        return threading.current_thread().name

    with qtbot.waitSignal(runner.sig_task_finished, timeout=5000):
        runner.run("work", work, result.append)
    assert result and result[0] != threading.main_thread().name
    assert seen[-1] == (5, 5)


def test_runner_cancel_and_errors(qtbot) -> None:  # noqa: ANN001
    runner = TaskRunner()
    started = threading.Event()
    done: list[object] = []
    errors: list[BaseException] = []

    def slow(control: TaskControl) -> None:
        started.set()
        while True:
            control.check()

    with qtbot.waitSignal(runner.sig_task_cancelled, timeout=5000) as cancelled:
        runner.run("slow", slow, done.append, errors.append)
        started.wait(5)
        runner.cancel()
    assert cancelled.args == ["slow"]
    assert not done and not errors  # a cancel is neither a result nor an error

    def broken(_control: TaskControl) -> None:
        raise ValueError("bad line 3")

    with qtbot.waitSignal(runner.sig_task_finished, timeout=5000):
        runner.run("broken", broken, done.append, errors.append)
    assert isinstance(errors[0], ValueError) and not done


def test_inline_runner_builds_the_demo_with_progress(inline_runner, tmp_path: Path) -> None:  # noqa: ANN001
    from desktop.services.demo import build_demo

    seen: list[int] = []
    built: list[Path] = []
    inline_runner.sig_task_progress.connect(lambda d, _t, _m: seen.append(d))
    inline_runner.run("demo", lambda c: build_demo(tmp_path / "d.tandem", c), built.append)
    assert built == [tmp_path / "d.tandem"] and built[0].exists()
    assert seen and seen == sorted(seen)


def test_library_edits_tags_and_merge_are_undoable(tandem: TandemApp, monkeypatch) -> None:  # noqa: ANN001
    from desktop.views import library_page as lp

    window = tandem.window
    page = window.pages["library"]
    window.show_page("library")
    stack = tandem.undo_stack
    warnings: list[object] = []
    monkeypatch.setattr(lp.QMessageBox, "warning", lambda *a, **k: warnings.append(a))
    # Inline edit of a title, then undo and redo.
    page.filter_edit.setText("ironies")
    row_id = page.model.id_at(0)
    index = page.model.index(0, 2)
    assert page.model.setData(index, "Ironies of automation (edited)")
    assert "edited" in page.model.data(index)
    stack.undo()
    assert page.model.data(index) == "Ironies of automation"
    stack.redo()
    assert "edited" in page.model.data(index)
    assert not page.model.setData(page.model.index(0, 1), "nineteen")  # year must be a year
    assert warnings and "nineteen" in str(warnings[0])
    # Tag two references, filter by the tag, undo.
    page.filter_edit.setText("")
    page.table.selectRow(0)
    page.table.selectionModel().select(
        page.model.index(1, 0), page.table.selectionModel().SelectionFlag.Select
        | page.table.selectionModel().SelectionFlag.Rows)
    monkeypatch.setattr(lp.QInputDialog, "getItem", lambda *a, **k: ("Key papers", True))
    page.ask_tag()
    page.tag_filter.setCurrentIndex(1)
    page.refresh()
    assert page.model.rowCount() == 2
    stack.undo()
    page.refresh()
    assert page.model.rowCount() == 0
    page.tag_filter.setCurrentIndex(0)
    page.refresh()
    # Merge two references chosen in the table; undo restores both.
    before = page.model.rowCount()
    monkeypatch.setattr(lp.MergeDialog, "exec", lambda self: True)
    a, b = page.model.id_at(0), page.model.id_at(1)
    assert page.merge_pair(a, b)
    assert page.model.rowCount() == before - 1
    stack.undo()
    assert page.model.rowCount() == before
    assert row_id


def test_screening_by_keyboard_feeds_back_and_undoes(tandem: TandemApp, qtbot) -> None:  # noqa: ANN001
    from desktop.services import screening
    from desktop.views.screening_dialog import ScreeningDialog

    page = tandem.window.pages["questions"]
    question_id = page.current_id()
    dialog = ScreeningDialog(tandem.workspace, question_id, tandem.undo_stack, top=20)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.candidates and dialog.detail.toPlainText()
    with tandem.workspace.session() as s:
        before = screening.progress(s, question_id, 20).screened
    first_open = next(c for c in dialog.candidates if not c.decision)
    dialog.list.setCurrentRow(dialog.candidates.index(first_open))
    dialog.list.setFocus()
    # Typing a note from the list: its first letter moves to the note field, and the note's
    # own r, m and n decide nothing; Enter goes back to the list, R decides.
    qtbot.keyClicks(dialog.list, "f")
    qtbot.keyClicks(dialog.note, "its the nursing case")
    assert dialog.note.text() == "fits the nursing case"
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert dialog.focusWidget() is dialog.list
    qtbot.keyClick(dialog.list, Qt.Key.Key_R)
    with tandem.workspace.session() as s:
        decided = screening.decisions(s, question_id)
        assert decided[first_open.reference_id] == ("relevant", "fits the nursing case")
        assert screening.progress(s, question_id, 20).screened == before + 1
    # The cursor moved on to a reference not screened yet.
    assert not dialog.current().decision
    tandem.undo_stack.undo()
    with tandem.workspace.session() as s:
        assert first_open.reference_id not in screening.decisions(s, question_id)


def test_screen_button_indexes_through_the_runner(tandem: TandemApp, monkeypatch) -> None:  # noqa: ANN001
    from desktop.views import screening_dialog

    opened: list[str] = []
    monkeypatch.setattr(screening_dialog.ScreeningDialog, "exec",
                        lambda self: opened.append(self.question_id))
    started: list[str] = []
    tandem.runner.sig_task_started.connect(started.append)
    page = tandem.window.pages["questions"]
    page.screen()  # the inline runner indexes, then the dialog opens
    assert started == ["Indexing the library for matching"]
    assert opened == [page.current_id()]


def test_question_editor_creates_edits_and_undoes(tandem: TandemApp, monkeypatch) -> None:  # noqa: ANN001
    from desktop.services import questions
    from desktop.views import questions_page
    from desktop.views.question_editor import QuestionEditor

    page = tandem.window.pages["questions"]
    stack = tandem.undo_stack
    before = page.model.rowCount()

    def fill(self: QuestionEditor) -> bool:
        self.edits["title"].setText("Onboarding met AI-buddy's")
        self.edits["question_text"].setPlainText("Helpt een AI-buddy nieuwe collega's?")
        self.edits[questions.CASE].setPlainText("Eerste alinea.\n\nTweede.")
        self.edits["sector"].setEditText("Logistiek")
        return True

    monkeypatch.setattr(questions_page.QuestionEditor, "exec", fill)
    page.new_question()
    assert page.model.rowCount() == before + 1
    new_id = page.current_id()
    with tandem.workspace.session() as s:
        values = questions.editable(s, new_id)
    assert values["title"] == "Onboarding met AI-buddy's" and values["sector"] == "Logistiek"
    assert values[questions.CASE] == "Eerste alinea.\n\nTweede."
    assert values["language"] == "en" and values["status"] == "new"

    def change(self: QuestionEditor) -> bool:
        self.edits[questions.CASE].setPlainText("Eerste alinea, herzien.\n\nTweede.")
        self.edits["breadth_of_support"].setValue(3)
        return True

    monkeypatch.setattr(questions_page.QuestionEditor, "exec", change)
    page.edit_question()
    with tandem.workspace.session() as s:
        values = questions.editable(s, new_id)
    assert values[questions.CASE].startswith("Eerste alinea, herzien.")
    assert values["breadth_of_support"] == 3
    stack.undo()
    with tandem.workspace.session() as s:
        assert questions.editable(s, new_id)[questions.CASE] == "Eerste alinea.\n\nTweede."
    stack.undo()
    assert page.model.rowCount() == before


def test_stakeholders_and_data_sources_are_edited_as_tables(tandem: TandemApp,
                                                            monkeypatch) -> None:  # noqa: ANN001
    from desktop.services import questions
    from desktop.views import questions_page
    from desktop.views.question_editor import QuestionEditor

    page = tandem.window.pages["questions"]
    question_id = page.current_id()
    with tandem.workspace.session() as s:
        before = questions.editable(s, question_id)
    assert before["stakeholders"] and before["data_available"]

    def edit(self: QuestionEditor) -> bool:
        people, data = self.edits["stakeholders"], self.edits["data_available"]
        assert people.rows() == before["stakeholders"]   # shown as stored, nothing lost
        assert data.rows() == before["data_available"]
        people.add_row({"name": "Cliëntenraad", "type": "client council",
                        "involvement": "advisor"})
        data.table.selectRow(0)
        data.remove_rows()
        self.edits["organisation_type"].set_value("municipality")
        return True

    monkeypatch.setattr(questions_page.QuestionEditor, "exec", edit)
    page.edit_question()
    with tandem.workspace.session() as s:
        after = questions.editable(s, question_id)
    assert after["stakeholders"][-1] == {"name": "Cliëntenraad", "type": "client council",
                                         "role": "", "involvement": "advisor"}
    assert after["data_available"] == before["data_available"][1:]
    assert after["organisation_type"] == "municipality"
    tandem.undo_stack.undo()
    with tandem.workspace.session() as s:
        assert questions.editable(s, question_id)["stakeholders"] == before["stakeholders"]


def test_question_register_filters(tandem: TandemApp) -> None:
    page = tandem.window.pages["questions"]
    assert page.model.rowCount() == 5
    sector = page.filters["sector"]
    sector.setCurrentIndex(sector.findData("healthcare"))
    page.refresh()
    assert page.model.rowCount() == 3
    language = page.filters["language"]
    language.setCurrentIndex(language.findData("nl"))
    page.refresh()
    rows = [page.model.record(r) for r in range(page.model.rowCount())]
    assert rows and all(r.sector == "healthcare" and r.language == "nl" for r in rows)
    sector.setCurrentIndex(0)
    language.setCurrentIndex(0)
    page.refresh()
    assert page.model.rowCount() == 5


def test_pairing_a_question(tandem: TandemApp, monkeypatch) -> None:  # noqa: ANN001
    from desktop.services import questions
    from desktop.views import questions_page
    from desktop.views.question_editor import QuestionEditor

    page = tandem.window.pages["questions"]
    question_id = page.current_id()

    def pair(self: QuestionEditor) -> bool:
        for name in ("practitioner_id", "researcher_id"):
            combo = self.edits[name]
            combo.setCurrentIndex(1)  # the first member of that role
        return True

    monkeypatch.setattr(questions_page.QuestionEditor, "exec", pair)
    page.edit_question()
    with tandem.workspace.session() as s:
        detail = questions.question_detail(s, question_id)
    assert all(detail.pair)
    assert " + ".join(detail.pair) in page.detail.toPlainText()
    tandem.undo_stack.undo()
    with tandem.workspace.session() as s:
        assert questions.question_detail(s, question_id).pair == ("", "")


def test_team_dialog_edits_and_adds_members(tandem: TandemApp) -> None:
    from desktop.services import members
    from desktop.views.team_dialog import TeamDialog

    dialog = TeamDialog(tandem.workspace, tandem.undo_stack)
    assert dialog.list.count() == 4
    dialog.list.setCurrentRow(0)
    member_id = dialog.current_id()
    dialog.expertise.setText("workplace learning, AI literacy")
    dialog.save()
    with tandem.workspace.session() as s:
        assert members.member_values(s, member_id)["expertise"] == ["workplace learning",
                                                                    "AI literacy"]
    tandem.undo_stack.undo()
    with tandem.workspace.session() as s:
        assert members.member_values(s, member_id)["expertise"] != ["workplace learning",
                                                                    "AI literacy"]
    dialog.add()
    assert dialog.list.count() == 5 and dialog.name.text() == "New member"
    tandem.undo_stack.undo()
    assert dialog.list.count() == 4


def test_question_detail_adds_suggestions_when_the_selection_settles(tandem: TandemApp,
                                                                     qtbot) -> None:  # noqa: ANN001
    page = tandem.window.pages["questions"]
    page.table.selectRow(3)
    assert "Researchers who fit" not in page.detail.toPlainText()  # not on the click itself
    qtbot.waitUntil(lambda: "Researchers who fit" in page.detail.toPlainText(), timeout=3000)
    assert "matches on" in page.detail.toPlainText()
