"""Undoable edits: each command wraps one service change and knows how to reverse it."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtGui import QUndoCommand

from ..services import references
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
