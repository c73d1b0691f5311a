"""The export dialog (report, Word file, strict mode, cancel) and the new-proposal dialog
(template preview, validation, a proposal made from the NWO Veni template)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.export.proposal_export import export_content
from desktop.models.entities import Proposal, ProposalQuestion
from desktop.services import comments, proposals, questions, templates
from desktop.services.workspace import Workspace
from desktop.views.export_dialog import ExportDialog, default_file_name
from desktop.views.new_proposal_dialog import NewProposalDialog, create_proposal
from desktop.views.undo_commands import AddRecord
from desktop.views.workers import TaskRunner


@pytest.fixture
def proposal_id(demo: Workspace) -> str:
    with demo.session() as s:
        return proposals.proposal_ids(s)[0]


@pytest.fixture
def export_dialog(demo: Workspace, inline_runner: TaskRunner, proposal_id: str,
                  tmp_path: Path, qtbot) -> Iterator[ExportDialog]:  # noqa: ANN001
    dialog = ExportDialog(demo, inline_runner, proposal_id, folder=str(tmp_path / "out"))
    qtbot.addWidget(dialog)
    yield dialog


def test_export_dialog_shows_the_report_and_writes_the_document(
        export_dialog: ExportDialog, tmp_path: Path, qtbot, monkeypatch) -> None:  # noqa: ANN001
    dialog = export_dialog
    report = dialog.report_view.toPlainText()
    # The demo proposal leaves two required sections empty and cites unscreened literature.
    assert "The required section 5 Impact and knowledge utilisation is empty" in report
    assert "never screened for the proposal's questions" in report
    assert dialog.citation_style.value() == "apa"
    assert dialog.output_path() == tmp_path / "out" / "FREED.docx"
    assert dialog.export_button.isEnabled() and dialog.export_button.isDefault()
    started = []
    dialog.runner.sig_task_started.connect(started.append)
    dialog.show()

    qtbot.keyClick(dialog.output, Qt.Key.Key_Return)  # Enter exports

    assert started == ["Exporting FREED.docx"]
    written = tmp_path / "out" / "FREED.docx"
    assert dialog.result is not None and dialog.result.docx == written
    text = "\n".join(p.text for p in docx.Document(str(written)).paragraphs)
    assert "References" in text and "Bainbridge" in text
    assert "Saved FREED.docx" in dialog.message.text()
    assert not dialog.open_file.isHidden() and not dialog.busy()
    assert dialog.folder == str(written.parent)
    # The same file again needs no question: the user chose it here a moment ago.
    monkeypatch.setattr("desktop.views.export_dialog.QMessageBox.question",
                        lambda *a: pytest.fail("asked to replace"))
    dialog.export()
    assert dialog.result.docx == written


def test_export_dialog_takes_a_folder_as_no_file_yet(export_dialog: ExportDialog,
                                                     tmp_path: Path) -> None:
    """While the user types a path, a folder (or '/') is no file to write: no export yet."""
    dialog = export_dialog
    for typed in ("/", str(tmp_path) + "/", str(tmp_path)):
        dialog.output.setText(typed)
        assert dialog.output_path() is None and not dialog.export_button.isEnabled()
    dialog.output.setText(str(tmp_path / "plan"))
    assert dialog.output_path() == tmp_path / "plan.docx" and dialog.export_button.isEnabled()


def test_export_dialog_includes_comments_when_asked(
        demo: Workspace, inline_runner: TaskRunner, proposal_id: str, tmp_path: Path,
        qtbot) -> None:  # noqa: ANN001
    with demo.transaction() as tx:
        section = proposals.section_ids(tx.session, proposal_id)[0]
        comments.add_comment(tx, section, "Shorter, please.")
    dialog = ExportDialog(demo, inline_runner, proposal_id, folder=str(tmp_path))
    qtbot.addWidget(dialog)
    assert not dialog.comments.isChecked() and "Resolved" in dialog.comments.toolTip()
    dialog.export()
    assert len(docx.Document(str(dialog.result.docx)).comments) == 0
    dialog.comments.setChecked(True)
    dialog.export()
    assert [c.text for c in docx.Document(str(dialog.result.docx)).comments] == [
        "Shorter, please."]


def test_strict_mode_with_hard_problems_disables_export(export_dialog: ExportDialog) -> None:
    dialog = export_dialog
    assert dialog.report.hard
    dialog.strict.setChecked(True)
    assert not dialog.export_button.isEnabled()
    assert "2 hard problems" in dialog.reason.text() and dialog.export_button.toolTip()
    dialog.export()  # Enter on a disabled default button does nothing either
    assert dialog.result is None and not dialog.output_path().exists()
    dialog.strict.setChecked(False)
    assert dialog.export_button.isEnabled() and dialog.reason.isHidden()


def test_escape_cancels_a_running_export_and_leaves_no_file(
        demo: Workspace, proposal_id: str, tmp_path: Path, qtbot,  # noqa: ANN001
        monkeypatch) -> None:  # noqa: ANN001
    # The export waits on a real worker thread until Esc has been pressed, then runs for real.
    pressed = threading.Event()

    def gated(*args: Any) -> Any:
        assert pressed.wait(30)
        return export_content(*args)

    monkeypatch.setattr("desktop.views.export_dialog.export_content", gated)
    runner = TaskRunner()
    dialog = ExportDialog(demo, runner, proposal_id, folder=str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.export()
    assert dialog.busy() and not dialog.export_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # cancels, and keeps the dialog open
    pressed.set()
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=30_000)
    runner.wait()
    assert "cancelled" in dialog.message.text()
    assert dialog.result is None
    assert list(tmp_path.glob("*.docx*")) == [] and list(tmp_path.glob(".*.part")) == []
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # idle: Esc closes
    assert not dialog.isVisible()


def test_unwritable_folder_is_reported(export_dialog: ExportDialog, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    export_dialog.output.setText(str(blocker / "x.docx"))
    export_dialog.export()
    assert export_dialog.result is None
    assert "could not be written" in export_dialog.message.text()
    assert str(blocker / "x.docx") in export_dialog.message.text()


def test_default_file_name_is_safe() -> None:
    class Content:
        acronym, title = "", 'AI: "notes"/nurses?'
    assert default_file_name(Content()) == "AI notes nurses.docx"  # type: ignore[arg-type]


def test_new_proposal_from_the_veni_template_with_two_questions(demo: Workspace,
                                                                qtbot) -> None:  # noqa: ANN001
    dialog = NewProposalDialog(demo)
    qtbot.addWidget(dialog)
    dialog.select_template("nwo-veni-2021")
    veni = dialog.template()
    assert veni is not None and veni.id == "nwo-veni-2021"
    shown = []
    stack = [dialog.preview.topLevelItem(i) for i in range(dialog.preview.topLevelItemCount())]
    while stack:
        item = stack.pop()
        shown.append(item.text(0))
        stack += [item.child(i) for i in range(item.childCount())]
    assert len(shown) == len(list(veni.walk()))
    assert dialog.citation_style.value() == veni.citation.style
    assert dialog.create_button.isDefault()
    assert dialog.language.value() == veni.languages[0]

    # Validation: no title, no proposal; the title field gets the focus and says why.
    dialog.show()
    dialog.accept()
    assert dialog.result() == 0 and dialog.isVisible()
    assert not dialog.problem.isHidden() and dialog.focusWidget() is dialog.title

    dialog.title.setText("Learning with AI notes")
    dialog.acronym.setText("LAN")
    dialog.has_deadline.setChecked(True)
    chosen = [dialog.question_list.item(i) for i in (0, 1)]
    for item in chosen:
        item.setCheckState(Qt.CheckState.Checked)
    dialog.accept()
    assert dialog.result() == 1
    values = dialog.values()
    assert values.question_ids == tuple(item.data(Qt.ItemDataRole.UserRole) for item in chosen)
    assert values.fields["deadline"] == dialog.deadline.date().toString("yyyy-MM-dd")

    made = []
    command = AddRecord(demo, Proposal, lambda tx: create_proposal(tx, veni, values),
                        "New proposal", made.append)
    command.redo()
    with demo.session() as s:
        row = proposals.proposal_rows(s, [made[0]])[made[0]]
        linked = set(s.execute(select(ProposalQuestion.question_id).where(
            ProposalQuestion.proposal_id == made[0])).scalars())
    assert (row.title, row.acronym, row.template_id) == ("Learning with AI notes", "LAN",
                                                        "nwo-veni-2021")
    assert row.sections == len(list(veni.walk()))
    assert linked == set(values.question_ids)


def test_new_proposal_dialog_in_dutch_titles_sections_in_the_proposal_language(
        demo: Workspace, qtbot) -> None:  # noqa: ANN001
    from desktop import i18n
    i18n.set_language("nl")
    dialog = NewProposalDialog(demo)
    qtbot.addWidget(dialog)
    dialog.select_template("sia-raak-publiek-2024-06")
    sia = templates.load_templates().get("sia-raak-publiek-2024-06")
    first = dialog.preview.topLevelItem(0).text(1)
    assert first == sia.sections[0].title_in("nl")
    dialog.language.set_value("en")
    assert dialog.preview.topLevelItem(0).text(1) == sia.sections[0].title_in("en")
    # Numbers from a secondary source are marked as such, in the user's language.
    assert f"({i18n._('secondary')})" in dialog.preview_notes.text()
    assert i18n._("secondary") != "secondary"
    with demo.session() as s:
        assert dialog.question_list.count() == len(questions.question_ids(s))
