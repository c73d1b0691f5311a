"""A proposal's progress as a picture: how many sections are done, and for each section a bar
of its length against its limit, coloured by how close it is, beside its status."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..i18n import _
from ..services import proposals

STATE_FILL = {"ok": "#66bb6a", "warning": "#ffb74d", "over": "#e57373", "under": "#ffb74d",
              "": "#b0bec5"}
STATUS_FILL = {"to_do": "#eceff1", "drafting": "#fff3e0", "in_review": "#e3f2fd",
               "done": "#e8f5e9"}
ROW = 26
LABEL_WIDTH = 0.42


@dataclass(frozen=True)
class Bar:
    label: str       # '2.1 Research question'
    used: float      # words (or the limit's unit)
    limit: float     # 0 when the section has no limit
    unit: str        # translated: 'words', 'pages', ...
    state: str       # 'ok', 'warning', 'over', 'under', or '' without a limit
    status: str      # section status key


class ProposalDashboard(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.setMinimumHeight(self.sizeHint().height())
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(520, 44 + ROW * max(1, len(self.bars)))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(300, self.sizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = self.width() - 8
        done = sum(1 for b in self.bars if b.status == "done")
        total = len(self.bars)
        title = QFont(self.font())
        title.setBold(True)
        painter.setFont(title)
        painter.drawText(QRectF(4, 2, width * 0.5, 20), Qt.AlignmentFlag.AlignVCenter,
                         _("{done} of {total} sections done").format(done=done, total=total))
        # One segment per section, filled when done: progress at a glance.
        seg_left, seg_width = 4 + width * 0.5, width * 0.5
        for n, bar in enumerate(self.bars):
            w = seg_width / max(1, total)
            rect = QRectF(seg_left + n * w + 1, 6, w - 2, 12)
            painter.fillRect(rect, QColor("#43a047" if bar.status == "done" else
                                          "#90caf9" if bar.status == "in_review" else
                                          "#ffcc80" if bar.status == "drafting" else "#e0e0e0"))
        painter.setFont(self.font())
        bar_left = 4 + width * LABEL_WIDTH
        bar_width = width * (1 - LABEL_WIDTH) - 150
        widest = max((b.used for b in self.bars if not b.limit), default=0) or 1
        for n, bar in enumerate(self.bars):
            top = 32 + n * ROW
            painter.fillRect(QRectF(0, top - 2, self.width(), ROW - 2),
                             QColor(STATUS_FILL.get(bar.status, "#ffffff")))
            painter.setPen(QPen(QColor("#212121")))
            metrics = painter.fontMetrics()
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight,
                                       int(width * LABEL_WIDTH) - 8)
            painter.drawText(QRectF(4, top, width * LABEL_WIDTH - 8, ROW - 6),
                             Qt.AlignmentFlag.AlignVCenter, label)
            track = QRectF(bar_left, top + 5, bar_width, ROW - 16)
            painter.fillRect(track, QColor("#eeeeee"))
            share = min(1.0, bar.used / bar.limit) if bar.limit else bar.used / widest
            painter.fillRect(QRectF(track.left(), track.top(), track.width() * share,
                                    track.height()), QColor(STATE_FILL.get(bar.state, "#b0bec5")))
            if bar.limit:
                painter.setPen(QPen(QColor("#424242"), 1, Qt.PenStyle.DashLine))
                painter.drawLine(track.right(), track.top() - 2, track.right(),
                                 track.bottom() + 2)
            painter.setPen(QPen(QColor("#212121")))
            used = f"{bar.used:.1f}" if bar.used % 1 else f"{int(bar.used):,}"
            text = f"{used} / {int(bar.limit):,} {bar.unit}" if bar.limit else \
                f"{used} {bar.unit}"
            painter.drawText(QRectF(track.right() + 6, top, 90, ROW - 6),
                             Qt.AlignmentFlag.AlignVCenter, text)
            painter.drawText(QRectF(track.right() + 96, top, 60, ROW - 6),
                             Qt.AlignmentFlag.AlignVCenter,
                             _(proposals.SECTION_STATUSES.get(bar.status, bar.status)))
        painter.end()
