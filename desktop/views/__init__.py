"""Everything that imports PySide6 widgets: windows, pages, dialogs, item models, task runner."""
