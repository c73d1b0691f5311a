"""Undoable edits: each command wraps one service change and knows how to reverse it."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtGui import QUndoCommand

from ..models.entities import Member, PracticeQuestion
from ..services import library_edit, matches, members, questions, references
from ..services.workspace import Workspace


class EditReference(QUndoCommand):
    """Change some fields of a reference; undo writes the old values back (as new edits, so
    the change log and other replicas see the undo too)."""

    def __init__(self, workspace: Workspace, ref_id: str, after: Mapping[str, Any],
                 before: Mapping[str, Any], text: str,
                 changed: Callable[[str], None]) -> None:
        super().__init__(text)
        self.workspace, self.ref_id = workspace, ref_id
        self.after, self.before = dict(after), dict(before)
        self.changed = changed

    def _apply(self, values: Mapping[str, Any]) -> None:
        with self.workspace.transaction() as tx:
            references.update_reference(tx, self.ref_id, values)
        self.changed(self.ref_id)

    def redo(self) -> None:
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)


class MergeReferences(QUndoCommand):
    """Merge two references into one; undo brings the second back with its matches and tags."""

    def __init__(self, workspace: Workspace, keep_id: str, drop_id: str,
                 choices: Mapping[str, str], text: str, changed: Callable[[], None]) -> None:
        super().__init__(text)
        self.workspace, self.keep_id, self.drop_id = workspace, keep_id, drop_id
        self.choices = dict(choices)
        self.changed = changed
        self.change: library_edit.MergeChange | None = None

    def redo(self) -> None:
        with self.workspace.transaction() as tx:
            if self.change is None:
                self.change = library_edit.merge(tx, self.keep_id, self.drop_id, self.choices)
            else:
                library_edit.redo_merge(tx, self.change)
        self.changed()

    def undo(self) -> None:
        assert self.change is not None
        with self.workspace.transaction() as tx:
            library_edit.unmerge(tx, self.change)
        self.changed()


class TagReferences(QUndoCommand):
    """Add or remove a tag on references; undo reverses it for exactly those it changed."""

    def __init__(self, workspace: Workspace, ref_ids: list[str], name: str, present: bool,
                 text: str, changed: Callable[[], None]) -> None:
        super().__init__(text)
        self.workspace, self.ref_ids, self.name, self.present = workspace, ref_ids, name, present
        self.changed = changed
        self.touched: list[str] | None = None

    def redo(self) -> None:
        with self.workspace.transaction() as tx:
            touched = library_edit.set_tag(tx, self.touched if self.touched is not None
                                           else self.ref_ids, self.name, self.present)
        if self.touched is None:
            self.touched = touched
        self.changed()

    def undo(self) -> None:
        with self.workspace.transaction() as tx:
            library_edit.set_tag(tx, self.touched or [], self.name, not self.present)
        self.changed()


class ScreenReference(QUndoCommand):
    """A screening decision on a reference for a question; undo restores the previous one."""

    def __init__(self, workspace: Workspace, question_id: str, ref_id: str,
                 after: tuple[str, str], before: tuple[str, str], text: str,
                 changed: Callable[[], None]) -> None:
        super().__init__(text)
        self.workspace, self.question_id, self.ref_id = workspace, question_id, ref_id
        self.after, self.before = after, before
        self.changed = changed

    def _apply(self, decision: tuple[str, str]) -> None:
        with self.workspace.transaction() as tx:
            matches.record_decision(tx, self.question_id, self.ref_id, decision[0], decision[1])
        self.changed()

    def redo(self) -> None:
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)


class EditQuestion(QUndoCommand):
    """Change a practice question's fields and case description; undo writes the old ones."""

    def __init__(self, workspace: Workspace, question_id: str, after: Mapping[str, Any],
                 before: Mapping[str, Any], text: str, changed: Callable[[str], None]) -> None:
        super().__init__(text)
        self.workspace, self.question_id = workspace, question_id
        self.after, self.before, self.changed = dict(after), dict(before), changed

    def _apply(self, values: Mapping[str, Any]) -> None:
        with self.workspace.transaction() as tx:
            questions.update_question(tx, self.question_id, values)
        self.changed(self.question_id)

    def redo(self) -> None:
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)


class AddQuestion(QUndoCommand):
    """A new practice question; undo removes it (a tombstone), redo brings it back."""

    def __init__(self, workspace: Workspace, values: Mapping[str, Any], text: str,
                 changed: Callable[[str], None]) -> None:
        super().__init__(text)
        self.workspace, self.values, self.changed = workspace, dict(values), changed
        self.question_id: str | None = None

    def redo(self) -> None:
        with self.workspace.transaction() as tx:
            if self.question_id is None:
                fields = {k: v for k, v in self.values.items() if k != questions.CASE}
                self.question_id = questions.add_question(
                    tx, fields, str(self.values.get(questions.CASE, "")))
            else:
                tx.update(PracticeQuestion, self.question_id, {"deleted": False})
        self.changed(self.question_id)

    def undo(self) -> None:
        assert self.question_id is not None
        with self.workspace.transaction() as tx:
            tx.delete(PracticeQuestion, self.question_id)
        self.changed(self.question_id)


class EditMember(QUndoCommand):
    def __init__(self, workspace: Workspace, member_id: str, after: Mapping[str, Any],
                 before: Mapping[str, Any], text: str, changed: Callable[[], None]) -> None:
        super().__init__(text)
        self.workspace, self.member_id = workspace, member_id
        self.after, self.before, self.changed = dict(after), dict(before), changed

    def _apply(self, values: Mapping[str, Any]) -> None:
        with self.workspace.transaction() as tx:
            members.update_member(tx, self.member_id, values)
        self.changed()

    def redo(self) -> None:
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)


class AddMember(QUndoCommand):
    def __init__(self, workspace: Workspace, values: Mapping[str, Any], text: str,
                 changed: Callable[[], None]) -> None:
        super().__init__(text)
        self.workspace, self.values, self.changed = workspace, dict(values), changed
        self.member_id: str | None = None

    def redo(self) -> None:
        with self.workspace.transaction() as tx:
            if self.member_id is None:
                self.member_id = members.add_member(tx, self.values)
            else:
                tx.update(Member, self.member_id, {"deleted": False})
        self.changed()

    def undo(self) -> None:
        assert self.member_id is not None
        with self.workspace.transaction() as tx:
            tx.delete(Member, self.member_id)
        self.changed()
