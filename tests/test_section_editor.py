"""The section editor in the app, used as a writer would: type, format, cite, comment, undo;
the text reaches the database and the counts follow."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QTextCursor
from sqlalchemy import select

from desktop.app import TandemApp
from desktop.models.entities import Reference
from desktop.services import comments, documents, proposals
from desktop.services.textpos import OBJECT


def stored_text(tandem: TandemApp, section_id: str) -> str:
    with tandem.workspace.session() as s:
        return documents.plain_text(documents.segments(s, proposals.body_doc(section_id)),
                                    lambda e: f"[{e['citation']['items'][0]['id'][:4]}]")


def open_page(tandem: TandemApp):  # noqa: ANN201
    window = tandem.window
    window.nav.setCurrentRow(2)
    page = window.pages["proposals"]
    assert page.editor.section is not None, "the first section opens by itself"
    return page


def test_typing_reaches_the_database_and_counts_follow(tandem: TandemApp, qtbot) -> None:  # noqa: ANN001
    page = open_page(tandem)
    editor = page.editor
    section_id = editor.section.section_id
    words = editor.words()
    editor.text.setFocus()
    cursor = editor.text.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.text.setTextCursor(cursor)
    qtbot.keyClicks(editor.text, " Nieuwe zin met")
    # QTest types ASCII only; accented text arrives as an input method would send it.
    editor.text.textCursor().insertText(" één woord.")
    assert editor.words() == words + 5
    assert "words" in editor.count.text()
    qtbot.waitUntil(lambda: "met één woord." in stored_text(tandem, section_id), timeout=2000)
    # Ctrl+Z in the text undoes the typing, not a record edit of the window's.
    qtbot.keyClick(editor.text, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Nieuwe zin" not in editor.text.toPlainText()
    editor.binding.flush()
    assert "Nieuwe zin" not in stored_text(tandem, section_id)


def test_bold_heading_list_and_citation(tandem: TandemApp, qtbot, monkeypatch) -> None:  # noqa: ANN001
    page = open_page(tandem)
    editor = page.editor
    section_id = editor.section.section_id
    with tandem.workspace.session() as s:
        reference_id = s.execute(select(Reference.id).limit(1)).scalar_one()
    cursor = editor.text.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(9, QTextCursor.MoveMode.KeepAnchor)
    editor.text.setTextCursor(cursor)
    editor.actions["bold"].trigger()
    editor.set_heading(2)
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.text.setTextCursor(cursor)
    editor.text.insertPlainText("\nPunt een")
    editor.actions["bullets"].trigger()
    editor.pick_citation = lambda _pid: {"citation": {"items": [
        {"id": reference_id, "locator": "12", "label": "page"}]}}
    editor.actions["cite"].trigger()
    editor.binding.flush()
    with tandem.workspace.session() as s:
        doc = documents.load(s, proposals.body_doc(section_id))
    runs = documents.text_of(doc).diff()
    assert any(attrs and attrs.get("bold") for _v, attrs in runs)
    assert any(v == "\n" or (isinstance(v, str) and "\n" in v) and attrs
               and attrs.get("header") == 2 for v, attrs in runs)
    assert any(attrs and attrs.get("list") == "bullet" for _v, attrs in runs)
    embeds = [v for v, _a in runs if isinstance(v, dict)]
    assert embeds[-1]["citation"]["items"][0]["id"] == reference_id
    assert OBJECT in editor.text.toPlainText() or OBJECT in editor.binding.text()
    assert reference_id in editor.cited.toHtml()


def test_paste_keeps_formatting_and_drops_the_rest(tandem: TandemApp) -> None:
    editor = open_page(tandem).editor
    cursor = editor.text.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.text.setTextCursor(cursor)
    data = QMimeData()
    data.setHtml("<p style='color:red;font-family:Comic Sans MS'>Geplakt <b>vet</b> en "
                 "<a href='https://example.org'>link</a></p>")
    editor.text.insertFromMimeData(data)
    editor.binding.flush()
    runs = documents.text_of(editor.binding.ydoc).diff()
    assert ("vet", {"bold": True}) in [(v, {k: x for k, x in (a or {}).items() if x})
                                      for v, a in runs]
    assert any((a or {}).get("link") == "https://example.org" for _v, a in runs)
    assert not any("color" in str(a) or "Comic" in str(a) for _v, a in runs)


def test_comment_on_a_passage_with_reply_and_resolve(tandem: TandemApp, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QInputDialog
    editor = open_page(tandem).editor
    cursor = editor.text.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(8, QTextCursor.MoveMode.KeepAnchor)
    editor.text.setTextCursor(cursor)
    quote = cursor.selectedText()
    answers = iter([("Klopt dit cijfer?", True), ("Ja, zie de bron.", True)])
    monkeypatch.setattr(QInputDialog, "getMultiLineText",
                        staticmethod(lambda *a, **k: next(answers)))
    asked: list[str] = []

    def who(_parent, _title, _label, names, *_rest):  # noqa: ANN001, ANN202
        asked.append(names[1])
        return names[1], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(who))
    editor.add_comment()
    assert editor.comments.topLevelItemCount() == 1
    top = editor.comments.topLevelItem(0)
    editor.comments.setCurrentItem(top)
    editor.reply()
    editor.toggle_resolved()
    with tandem.workspace.session() as s:
        rows = comments.comments_for(s, editor.section.section_id)
    assert rows[0].body == "Klopt dit cijfer?" and rows[0].resolved
    assert len(asked) == 1, "asked who is writing once, then remembered"
    assert asked[0].startswith(rows[0].author) and rows[0].replies[0].author == rows[0].author
    assert rows[0].anchor["quote"] == quote
    assert [r.body for r in rows[0].replies] == ["Ja, zie de bron."]
    # Text typed before the passage does not move the comment off its words.
    cursor.setPosition(0)
    cursor.insertText("Vooraf. ")
    editor._comment_clicked(editor.comments.topLevelItem(0), 0)
    assert editor.text.textCursor().selectedText() == quote


def test_a_cited_reference_shows_its_trail_both_ways(tandem: TandemApp) -> None:
    from desktop.services import section_bodies
    from desktop.views.reference_popup import reference_html
    with tandem.workspace.session() as s:
        pid = proposals.proposal_ids(s)[0]
        cited = [r for sec in section_bodies.citations_in_proposal(s, pid)
                 for r in sec.reference_ids]
        trail = {t.reference_id: t for t in section_bodies.literature_trail(s, pid)}
    both = next(r for r in cited if r in trail and trail[r].decision)
    html = reference_html(tandem.workspace, both)
    assert "Cited in" in html and "FREED" in html
    assert "Screened for" in html


def test_citations_follow_an_edited_reference(tandem: TandemApp) -> None:
    page = open_page(tandem)
    editor = page.editor
    page.tree.setCurrentItem(page.tree.topLevelItem(2))   # 3 State of the art, with citations
    embeds = [v for v, _a in editor.binding.ytext.diff() if isinstance(v, dict)]
    assert embeds, "the demo's state of the art cites"
    first = embeds[0]
    reference_id = first["citation"]["items"][0]["id"]
    before = editor.labels(first)
    assert editor.labels.engine is not None, "the proposal's style is ready"
    library = tandem.window.pages["library"]
    assert library.edit_record(reference_id, "year", "1999")
    after = editor.labels(first)
    assert "1999" in after and after != before


def test_new_proposal_from_the_page_opens_for_writing_and_undoes(tandem: TandemApp,
                                                                 monkeypatch) -> None:  # noqa: ANN001
    from desktop.views import new_proposal_dialog
    page = open_page(tandem)

    def fill(self: new_proposal_dialog.NewProposalDialog) -> int:
        self.select_template("sia-raak-publiek-2024-06")
        self.title.setText("Leren met AI-notities")
        self.question_list.item(0).setCheckState(Qt.CheckState.Checked)
        return 1

    monkeypatch.setattr(new_proposal_dialog.NewProposalDialog, "exec", fill)
    page.new_proposal()
    assert page.model.rowCount() == 2
    assert page.model.record(page.model.row_of(page.current_id())).title == \
        "Leren met AI-notities"
    assert page.editor.section is not None
    assert page.editor.section.proposal_id == page.current_id()
    tandem.undo_stack.undo()
    assert page.model.rowCount() == 1


def test_editor_keys_win_over_the_window_and_lists_nest_and_unnest(tandem: TandemApp,
                                                                  qtbot) -> None:  # noqa: ANN001
    window = tandem.window
    window.show()
    qtbot.waitExposed(window)
    page = open_page(tandem)
    editor = page.editor
    editor.text.setFocus()
    cursor = editor.text.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.text.setTextCursor(cursor)
    imports: list[bool] = []
    window.sig_import_requested.connect(lambda: imports.append(True))
    qtbot.keyClick(editor.text, Qt.Key.Key_Return)
    qtbot.keyClick(editor.text, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.text, "schuin")
    assert not imports, "Ctrl+I in the text is italic, not File › Import"
    assert editor.actions["italic"].isChecked()
    qtbot.keyClick(editor.text, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert editor.text.textCursor().block().textList() is not None
    qtbot.keyClick(editor.text, Qt.Key.Key_Return)
    qtbot.keyClick(editor.text, Qt.Key.Key_Tab)
    nested = editor.text.textCursor().block()
    assert nested.textList().format().indent() == 2
    qtbot.keyClick(editor.text, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    back = editor.text.textCursor().block()
    assert back.textList().format().indent() == 1 and back.blockFormat().indent() == 0
    assert back.textList() == back.previous().textList(), "one list again, numbered on"
    window.hide()


def test_numeric_style_numbers_citations_across_the_proposal(tandem: TandemApp) -> None:
    import re

    from desktop.export.citeproc import ENGINES
    page = open_page(tandem)
    editor = page.editor
    page.tree.setCurrentItem(page.tree.topLevelItem(3))   # 4, after 3 State of the art
    editor.set_engine(ENGINES.get("vancouver", "en-US"))
    labels = [editor.labels(v) for v, _a in editor.binding.ytext.diff() if isinstance(v, dict)]
    numbers = [int(n) for label in labels for n in re.findall(r"\d+", label)]
    assert numbers and len(set(numbers)) > 1, labels
    # Numbered in order of first citation: a new number is always the next one.
    seen: list[int] = []
    for n in numbers:
        if n not in seen:
            assert not seen or n == max(seen) + 1, labels
            seen.append(n)
    assert seen[0] > 1, "the state of the art, before this section, cites first"


def test_changing_the_citation_style_reformats_the_citations(tandem: TandemApp,
                                                             monkeypatch) -> None:  # noqa: ANN001
    from desktop.views import proposal_settings
    page = open_page(tandem)
    page.tree.setCurrentItem(page.tree.topLevelItem(2))   # 3 State of the art (APA)
    first = next(v for v, _a in page.editor.binding.ytext.diff() if isinstance(v, dict))
    assert page.editor.labels(first).startswith("(")

    def vancouver(self: proposal_settings.ProposalSettingsDialog) -> int:
        self.style.set_value("vancouver")
        return 1

    monkeypatch.setattr(proposal_settings.ProposalSettingsDialog, "exec", vancouver)
    page.edit_settings()
    assert page.editor.labels(first).strip("()").isdigit(), page.editor.labels(first)
    tandem.undo_stack.undo()
    assert not page.editor.labels(first).strip("()").isdigit()


def test_copy_and_paste_inside_the_editor_keeps_citations_and_formats(tandem: TandemApp) -> None:
    page = open_page(tandem)
    editor = page.editor
    page.tree.setCurrentItem(page.tree.topLevelItem(2))   # 3 State of the art, with citations
    text = editor.text
    before = [v for v, _a in editor.binding.ytext.diff() if isinstance(v, dict)]
    cursor = text.textCursor()
    cursor.setPosition(0)
    block = text.document().begin()
    cursor.setPosition(block.position() + block.length() - 1, QTextCursor.MoveMode.KeepAnchor)
    text.setTextCursor(cursor)
    copied = text.createMimeDataFromSelection()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    text.setTextCursor(cursor)
    text.insertFromMimeData(copied)
    after = [v for v, _a in editor.binding.ytext.diff() if isinstance(v, dict)]
    first_paragraph = [v for v in before[:len(after) - len(before)]]
    assert len(after) > len(before) and after[len(before):] == first_paragraph


def test_a_proposal_started_from_a_question_answers_it(tandem: TandemApp, monkeypatch) -> None:  # noqa: ANN001
    from desktop.services import proposals as proposal_service
    from desktop.views import new_proposal_dialog
    questions_page = tandem.window.pages["questions"]
    question_id = questions_page.current_id()
    ticked: list[str] = []

    def create(self: new_proposal_dialog.NewProposalDialog) -> int:
        ticked.extend(self.values().question_ids)
        self.title.setText("Van vraag naar voorstel")
        return 1

    monkeypatch.setattr(new_proposal_dialog.NewProposalDialog, "exec", create)
    questions_page.proposal_button.click()
    assert tandem.window.current_page() == "proposals"
    assert ticked == [question_id]
    page = tandem.window.pages["proposals"]
    with tandem.workspace.session() as s:
        new_id = page.current_id()
        assert proposal_service.proposal_rows(s, [new_id])[new_id].title == \
            "Van vraag naar voorstel"


def test_selecting_a_long_title_keeps_the_numbers_in_sight(tandem: TandemApp, qtbot) -> None:  # noqa: ANN001
    page = open_page(tandem)
    tree = page.tree
    tree.setFixedWidth(150)  # narrower than its columns, as beside a wide editor
    tandem.window.show()  # Qt scrolls to the current item only in a visible view
    qtbot.waitExposed(tandem.window)
    qtbot.waitUntil(lambda: tree.horizontalScrollBar().maximum() > 0, timeout=2000)
    item = tree.topLevelItem(2)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(tree.columnViewportPosition(1) + 40, rect.center().y()))
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert tree.currentItem() is tree.topLevelItem(3)
    assert tree.horizontalScrollBar().value() == 0
