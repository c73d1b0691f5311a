"""Undoable edits: each command wraps one service change and knows how to reverse it.

Undo writes the old values back as new edits, so the change log and the other replicas see
the undo as well.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtGui import QUndoCommand

from ..models.base import Replicated
from ..services import library_edit
from ..services.records import Tx
from ..services.workspace import Workspace


class ChangeValues(QUndoCommand):
    """Write ``after`` with ``write``; undo writes ``before`` the same way."""

    def __init__(self, workspace: Workspace, write: Callable[[Tx, Any], object], after: Any,
                 before: Any, text: str, changed: Callable[[], None]) -> None:
        super().__init__(text)
        self.workspace, self.write = workspace, write
        self.after, self.before, self.changed = after, before, changed

    def _apply(self, values: Any) -> None:
        with self.workspace.transaction() as tx:
            self.write(tx, values)
        self.changed()

    def redo(self) -> None:
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)


class AddRecord(QUndoCommand):
    """A new record made by ``create``; undo tombstones it, redo brings it back."""

    def __init__(self, workspace: Workspace, entity: type[Replicated],
                 create: Callable[[Tx], str], text: str,
                 changed: Callable[[str], None]) -> None:
        super().__init__(text)
        self.workspace, self.entity, self.create = workspace, entity, create
        self.changed = changed
        self.record_id: str | None = None

    def redo(self) -> None:
        with self.workspace.transaction() as tx:
            if self.record_id is None:
                self.record_id = self.create(tx)
            else:
                tx.update(self.entity, self.record_id, {"deleted": False})
        self.changed(self.record_id)

    def undo(self) -> None:
        assert self.record_id is not None
        with self.workspace.transaction() as tx:
            tx.delete(self.entity, self.record_id)
        self.changed(self.record_id)


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
