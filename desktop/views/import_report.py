"""The dialog that shows what an import did: per file, and per entry that needs a remark."""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from ..i18n import _, ngettext
from ..services.bibentry import FORMATS
from ..services.library_import import ImportReport


class ImportReportDialog(QDialog):
    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Import report"))
        imported = report.imported
        summary = QLabel(ngettext("{n} reference imported.", "{n} references imported.",
                                  imported).format(n=imported))
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([_("File / line"), _("Citation key"), _("What happened")])
        self.tree.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for f in report.files:
            if f.error:
                text = _("not imported: {reason}").format(reason=f.error)
            else:
                text = _("{format}, {encoding}: {found} entries: {imported} imported, "
                         "{duplicates} merged into duplicates, {rejected} rejected").format(
                    format=FORMATS.get(f.format, f.format), encoding=f.encoding, found=f.entries_found,
                    imported=f.imported, duplicates=f.duplicates, rejected=f.rejected)
            top = QTreeWidgetItem([f.path, "", text])
            for p in f.problems:
                where = _("line {line}").format(line=p.line) if p.line else ""
                marker = "⚠ " if p.severity == "warning" else "✖ "
                top.addChild(QTreeWidgetItem([where, p.key or "", marker + p.reason]))
            self.tree.addTopLevelItem(top)
            top.setExpanded(len(f.problems) <= 50)
        self.tree.resizeColumnToContents(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(900, 480)
