"""Keeps a QTextDocument and a section's Y.Text (pycrdt) equal, in both directions.

The delta model of DESIGN §4: inline attributes (bold, italic, underline, script, link) on
characters, block attributes (header, list, indent) on the newline that ends a paragraph, and a
citation as an embed shown in Qt as one object character. The design follows
``domain/local-first.md`` §4: echo suppression both ways; ``contentsChange`` taken as a hint
and checked against a shadow string in Y form; positions converted only in
``services.textpos``; explicit formats on every insertion; undo through pycrdt's UndoManager,
so that a writer undoes only their own edits.

The shadow is the Y text plus, when the Y text does not end with a newline (text appended from
elsewhere), a *virtual* final newline: Qt's last paragraph has no separator, so Qt always shows
``shadow[:-1]``.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pycrdt
from PySide6.QtCore import QObject, QSizeF, QTimer, Signal
from PySide6.QtGui import (QBrush, QColor, QFont, QFontMetricsF, QPainter, QPyTextObject,
                           QTextBlock, QTextBlockFormat, QTextCharFormat, QTextCursor,
                           QTextDocument, QTextFormat, QTextListFormat)

from ..services import documents
from ..services.textpos import (OBJECT, advance_utf16, index_to_utf16, index_to_y,
                                utf16_to_index, y_length, y_to_index)

CITATION_OBJECT = QTextFormat.ObjectTypes.UserObject + 1
CITATION_DATA = QTextFormat.Property.UserProperty + 1
INLINE = documents.INLINE_ATTRIBUTES
BLOCK = documents.BLOCK_ATTRIBUTES
HEADING_SCALE = {1: 1.6, 2: 1.35, 3: 1.15}
ORDERED = {QTextListFormat.Style.ListDecimal, QTextListFormat.Style.ListLowerAlpha,
           QTextListFormat.Style.ListUpperAlpha, QTextListFormat.Style.ListLowerRoman,
           QTextListFormat.Style.ListUpperRoman}
BULLETS = (QTextListFormat.Style.ListDisc, QTextListFormat.Style.ListCircle,
           QTextListFormat.Style.ListSquare)
FLUSH_MS = 250     # edits reach the database within this (the promise is one second)
RETRY_MS = 2000    # after a failed store
Attrs = dict[str, Any]


# -- formats: attributes <-> Qt ----------------------------------------------------------------
def inline_attrs(fmt: QTextCharFormat) -> Attrs:
    """The inline attributes of a Qt character format, every key present (None when off)."""
    link = fmt.anchorHref() if fmt.isAnchor() and fmt.anchorHref() else None
    align = fmt.verticalAlignment()
    script = ("super" if align == QTextCharFormat.VerticalAlignment.AlignSuperScript else
              "sub" if align == QTextCharFormat.VerticalAlignment.AlignSubScript else None)
    return {"bold": True if fmt.fontWeight() >= QFont.Weight.Bold else None,
            "italic": True if fmt.fontItalic() else None,
            # A link is drawn underlined; that is not an underline of the writer's.
            "underline": True if fmt.fontUnderline() and not link else None,
            "script": script, "link": link}


def block_attrs(block: QTextBlock) -> Attrs:
    """The block attributes of a Qt paragraph, every key present (None when off)."""
    level = block.blockFormat().headingLevel()
    found = block.textList()
    kind = indent = None
    if found is not None:
        kind = "ordered" if found.format().style() in ORDERED else "bullet"
        indent = found.format().indent() - 1 or None
    return {"header": level or None, "list": kind, "indent": indent}


def clean(attrs: Attrs | None, keys: tuple[str, ...]) -> Attrs:
    """Attributes as compared and stored: only ``keys``, whole numbers as int, no Nones."""
    out = {}
    for key in keys:
        value = (attrs or {}).get(key)
        if value is None or value is False:
            continue
        out[key] = int(value) if isinstance(value, float) else value
    return out


def char_format(attrs: Attrs, heading: int, base_size: float) -> QTextCharFormat:
    """An explicit format, so that inserted text never inherits a neighbour's bold."""
    fmt = QTextCharFormat()
    fmt.setFontWeight(QFont.Weight.Bold if attrs.get("bold") else QFont.Weight.Normal)
    fmt.setFontItalic(bool(attrs.get("italic")))
    link = attrs.get("link")
    fmt.setFontUnderline(bool(attrs.get("underline") or link))
    fmt.setVerticalAlignment(
        QTextCharFormat.VerticalAlignment.AlignSuperScript if attrs.get("script") == "super"
        else QTextCharFormat.VerticalAlignment.AlignSubScript if attrs.get("script") == "sub"
        else QTextCharFormat.VerticalAlignment.AlignNormal)
    fmt.setAnchor(bool(link))
    fmt.setAnchorHref(str(link or ""))
    if link:
        fmt.setForeground(QBrush(QColor("#1a5fb4")))
    if heading:
        fmt.setFontPointSize(base_size * HEADING_SCALE.get(heading, 1.0))
    return fmt


def embed_format(value: Any) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setObjectType(CITATION_OBJECT)
    # Bottom on the line's bottom, so the label's baseline sits on the text's.
    fmt.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignBottom)
    fmt.setProperty(CITATION_DATA, json.dumps(value, sort_keys=True, ensure_ascii=False))
    return fmt


def embed_value(fmt: QTextCharFormat) -> Any:
    raw = fmt.property(CITATION_DATA)
    return json.loads(raw) if raw else {}


class CitationObject(QPyTextObject):
    """Draws a citation embed as one atomic piece of text in a tinted box."""

    def __init__(self, label: Callable[[Any], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.label = label
        # Layout asks for every citation's size on each relayout: by its stored JSON, no
        # parsing or formatting twice.
        self._texts: dict[str, str] = {}

    def invalidate(self) -> None:
        """Labels change (another style, a reference edited): ask ``label`` again."""
        self._texts.clear()

    def _text(self, fmt: QTextFormat) -> str:
        raw = fmt.property(CITATION_DATA) or ""
        text = self._texts.get(raw)
        if text is None:
            text = self._texts[raw] = self.label(json.loads(raw) if raw else {})
        return text

    def intrinsicSize(self, doc: QTextDocument, pos: int, fmt: QTextFormat) -> QSizeF:  # noqa: N802
        metrics = QFontMetricsF(fmt.toCharFormat().font())
        return QSizeF(metrics.horizontalAdvance(self._text(fmt)) + 4, metrics.height())

    def drawObject(self, painter: QPainter, rect: Any, doc: QTextDocument, pos: int,  # noqa: N802
                   fmt: QTextFormat) -> None:
        painter.save()
        painter.fillRect(rect, QColor("#e8f0fb"))
        painter.setPen(QColor("#1c3d6e"))
        painter.setFont(fmt.toCharFormat().font())
        painter.drawText(rect.adjusted(2, 0, -2, 0), 0x0084, self._text(fmt))  # vcenter|left
        painter.restore()


def _common_suffix(a: str, b: str, limit: int) -> int:
    """How many characters ``a`` and ``b`` share at their ends (at most ``limit``): a binary
    search on slice comparisons, which run in C, instead of a character loop over a long text."""
    low, high = 0, limit
    while low < high:
        mid = (low + high + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            low = mid
        else:
            high = mid - 1
    return low


# -- the binding ------------------------------------------------------------------------------
class TextBinding(QObject):
    """Binds ``qdoc`` to the ``text`` of ``ydoc``; local edits are handed to ``persist`` as
    one merged Y update at most ``FLUSH_MS`` after they were made."""

    sig_changed = Signal()   # the text changed, from either side
    sig_stored = Signal()    # pending edits reached the database
    sig_store_failed = Signal(str)   # they did not (the reason); they stay pending

    def __init__(self, qdoc: QTextDocument, ydoc: pycrdt.Doc,
                 persist: Callable[[bytes], None], label: Callable[[Any], str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.qdoc = qdoc
        self.ydoc = ydoc
        self.ytext = documents.text_of(ydoc)
        self.persist = persist
        self.origin = f"local-{id(self)}"
        self._applying = False     # Qt is being changed from Y: ignore its signals
        self._receiving = False    # a remote update is applied: do not persist it
        self._pending: list[bytes] = []
        self.remote_changes = 0    # counts changes from elsewhere (for caches of the text)
        self.shadow = ""
        self.virtual = False
        self.base_size = qdoc.defaultFont().pointSizeF() if qdoc.defaultFont().pointSizeF() > 0 \
            else 11.0
        qdoc.setUndoRedoEnabled(False)
        qdoc.documentLayout()   # a QTextDocument emits nothing until it has a layout
        self.citations = CitationObject(label, self)
        qdoc.documentLayout().registerHandler(CITATION_OBJECT, self.citations)
        self.reload()
        self.undo_manager = pycrdt.UndoManager(scopes=[self.ytext], capture_timeout_millis=500)
        self.undo_manager.include_origin(self.origin)
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        self._subscriptions = [ydoc.observe(self._on_update), self.ytext.observe(self._remote)]
        qdoc.contentsChange.connect(self._local)

    def close(self) -> None:
        """Write what is pending and stop listening (before the documents go away)."""
        self.flush()
        self.qdoc.contentsChange.disconnect(self._local)
        self.ydoc.unobserve(self._subscriptions[0])
        self.ytext.unobserve(self._subscriptions[1])

    # -- persistence ----------------------------------------------------------------------
    def _on_update(self, event: Any) -> None:
        if not self._receiving and event.update != documents.NO_CHANGE:
            self._pending.append(event.update)
            if not self._flush_timer.isActive():
                self._flush_timer.start()

    def flush(self) -> bool:
        """Store what is pending; returns whether everything is stored. A failure (a full
        disk, a locked file) keeps the edits pending, says so, and tries again shortly."""
        if not self._pending:
            return True
        update = self._pending[0] if len(self._pending) == 1 \
            else pycrdt.merge_updates(*self._pending)
        try:
            self.persist(update)
        except Exception as exc:  # noqa: BLE001 - whatever it was, the text must not be lost
            self.sig_store_failed.emit(str(exc))
            self._flush_timer.start(RETRY_MS)
            return False
        self._pending.clear()
        self._flush_timer.stop()
        self.sig_stored.emit()
        return True

    def apply_remote(self, update: bytes) -> None:
        """Apply an update that came from another replica (already stored by whoever
        brought it)."""
        self._receiving = True
        try:
            self.ydoc.apply_update(update)
        finally:
            self._receiving = False

    # -- undo -----------------------------------------------------------------------------
    def undo(self) -> bool:
        return bool(self.undo_manager.undo())

    def redo(self) -> bool:
        return bool(self.undo_manager.redo())

    # -- Y -> Qt --------------------------------------------------------------------------
    def _runs(self) -> list[tuple[Any, Attrs]]:
        return [(value, attrs or {}) for value, attrs in self.ytext.diff()]

    def reload(self) -> None:
        """Fill Qt from Y anew (on opening, and should the two ever disagree)."""
        self._applying = True
        try:
            self.qdoc.clear()
            runs = self._runs()
            self.shadow = "".join(v if isinstance(v, str) else OBJECT for v, _a in runs)
            self.virtual = not self.shadow.endswith("\n")
            if self.virtual:
                self.shadow += "\n"
            cursor = QTextCursor(self.qdoc)
            cursor.beginEditBlock()
            self._write_runs(cursor, runs, final=not self.virtual)
            cursor.endEditBlock()
        finally:
            self._applying = False
        self.sig_changed.emit()

    def _heading(self, cursor: QTextCursor) -> int:
        return cursor.block().blockFormat().headingLevel()

    def _write_runs(self, cursor: QTextCursor, runs: list[tuple[Any, Attrs]],
                    final: bool) -> None:
        """Insert runs at the cursor. A newline ends the cursor's paragraph with its
        attributes; with ``final``, the runs end with the document's own last newline, which
        Qt does not store as a character."""
        for n, (value, attrs) in enumerate(runs):
            if not isinstance(value, str):
                cursor.insertText(OBJECT, embed_format(value))
                continue
            parts = value.split("\n")
            for k, part in enumerate(parts):
                if part:
                    cursor.insertText(part, char_format(attrs, self._heading(cursor),
                                                        self.base_size))
                if k == len(parts) - 1:
                    break
                block = cursor.block()
                if not (final and n == len(runs) - 1 and k == len(parts) - 2):
                    cursor.insertBlock()
                self._apply_block(block, attrs)

    def _remote(self, event: Any) -> None:
        if event.transaction.origin == self.origin:
            return
        self._applying = True
        try:
            ok = self._apply_delta(event.delta)
        except ValueError:
            ok = False
        finally:
            self._applying = False
        self.remote_changes += 1
        if not ok or self._qt_text() != self.shadow[:-1]:
            self.reload()
        else:
            self.sig_changed.emit()

    def _apply_delta(self, delta: list[dict[str, Any]]) -> bool:
        cursor = QTextCursor(self.qdoc)
        cursor.beginEditBlock()
        try:
            i = 0   # code point index in the shadow, which changes as the delta goes
            for op in delta:
                if "retain" in op:
                    j = y_to_index(self.shadow, index_to_y(self.shadow, i) + op["retain"])
                    if op.get("attributes"):
                        self._format_range(i, j, op["attributes"])
                    i = j
                elif "insert" in op:
                    value = op["insert"]
                    runs = [(value, op.get("attributes") or {})]
                    added = value if isinstance(value, str) else OBJECT
                    if not self.virtual and i == len(self.shadow):
                        # After the document's last newline: a new last paragraph.
                        cursor.movePosition(QTextCursor.MoveOperation.End)
                        cursor.insertBlock(QTextBlockFormat())
                        self._write_runs(cursor, runs, final=added.endswith("\n"))
                        self.shadow += added
                        self.virtual = not added.endswith("\n")
                        if self.virtual:
                            self.shadow += "\n"
                    else:
                        cursor.setPosition(index_to_utf16(self.shadow, i))
                        self._write_runs(cursor, runs, final=False)
                        self.shadow = self.shadow[:i] + added + self.shadow[i:]
                    i += len(added)
                elif "delete" in op:
                    j = y_to_index(self.shadow, index_to_y(self.shadow, i) + op["delete"])
                    self._delete_range(cursor, i, j)
            if self.virtual and self.shadow[:-1].endswith("\n"):
                # The Y text has its own last newline again: Qt's empty last paragraph goes.
                cursor.movePosition(QTextCursor.MoveOperation.End)
                cursor.deletePreviousChar()
                self.shadow = self.shadow[:-1]
                self.virtual = False
            self._reconcile_blocks()
        finally:
            cursor.endEditBlock()
        return True

    def _delete_range(self, cursor: QTextCursor, i: int, j: int) -> None:
        last = len(self.shadow) - 1   # the final newline, which Qt does not hold
        if j <= last:
            cursor.setPosition(index_to_utf16(self.shadow, i))
            cursor.setPosition(index_to_utf16(self.shadow, j), QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            self.shadow = self.shadow[:i] + self.shadow[j:]
            return
        # The Y text loses its last newline: what ends it now is the newline before (then
        # Qt drops that separator too), or nothing (a virtual newline from now on).
        start = i - 1 if i > 0 and self.shadow[i - 1] == "\n" else i
        cursor.setPosition(index_to_utf16(self.shadow, start))
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        if start < i:
            self.shadow = self.shadow[:i]
            self.virtual = False
        else:
            self.shadow = self.shadow[:i] + "\n"
            self.virtual = True

    def _format_range(self, i: int, j: int, changes: Attrs) -> None:
        """Merge inline attribute changes into Qt's characters ``i..j`` (newlines get their
        block attributes from ``_reconcile_blocks``)."""
        inline = {k: v for k, v in changes.items() if k in INLINE}
        if not inline:
            return
        start, end = index_to_utf16(self.shadow, i), index_to_utf16(self.shadow, j)
        for block, frag_start, frag_end, fmt in self._fragments(start, end):
            if fmt.objectType() == CITATION_OBJECT:
                continue
            attrs = {**inline_attrs(fmt), **inline}
            cursor = QTextCursor(self.qdoc)
            cursor.setPosition(frag_start)
            cursor.setPosition(frag_end, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(char_format(attrs, block.blockFormat().headingLevel(),
                                             self.base_size))

    def _reconcile_blocks(self) -> None:
        """Give every Qt paragraph the block attributes of its newline in Y."""
        wanted: list[Attrs] = []
        for value, attrs in self._runs():
            if isinstance(value, str):
                wanted.extend(clean(attrs, BLOCK) for _n in range(value.count("\n")))
        block = self.qdoc.begin()
        n = 0
        while block.isValid():
            want = wanted[n] if n < len(wanted) else {}
            if clean(block_attrs(block), BLOCK) != want:
                self._apply_block(block, want)
            block = block.next()
            n += 1

    # -- block formats in Qt --------------------------------------------------------------
    def _apply_block(self, block: QTextBlock, attrs: Attrs) -> None:
        attrs = clean(attrs, BLOCK)
        cursor = QTextCursor(block)
        level = int(attrs.get("header", 0))
        fmt = block.blockFormat()
        # Spacing is the editor's look only; Y holds the structure.
        top, bottom = (10, 4) if level else (0, 2) if attrs.get("list") else (0, 6)
        relevel = fmt.headingLevel() != level
        if relevel or fmt.topMargin() != top or fmt.bottomMargin() != bottom:
            fmt.setHeadingLevel(level)
            fmt.setTopMargin(top)
            fmt.setBottomMargin(bottom)
            cursor.setBlockFormat(fmt)
        if relevel:
            for _b, start, end, char in self._fragments(block.position(),
                                                        block.position() + block.length() - 1):
                if char.objectType() == CITATION_OBJECT:
                    continue
                span = QTextCursor(self.qdoc)
                span.setPosition(start)
                span.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
                span.setCharFormat(char_format(inline_attrs(char), level, self.base_size))
        self._apply_list(block, attrs.get("list"), int(attrs.get("indent", 0)) + 1)

    def _leave_list(self, block: QTextBlock) -> None:
        current = block.textList()
        if current is not None:
            current.remove(block)
            # Qt keeps a removed item where it stood by giving the paragraph the list's indent.
            fmt = block.blockFormat()
            fmt.setIndent(0)
            QTextCursor(block).setBlockFormat(fmt)

    def _apply_list(self, block: QTextBlock, kind: str | None, indent: int) -> None:
        current = block.textList()
        if kind is None:
            self._leave_list(block)
            return
        style = QTextListFormat.Style.ListDecimal if kind == "ordered" \
            else BULLETS[(indent - 1) % len(BULLETS)]
        if current is not None and current.format().style() == style \
                and current.format().indent() == indent:
            return
        self._leave_list(block)
        # Join the list of an earlier paragraph at the same depth, so numbering continues
        # past nested items.
        before = block.previous()
        while before.isValid() and before.textList() is not None:
            found = before.textList()
            depth = found.format().indent()
            if depth == indent and found.format().style() == style:
                found.add(block)
                return
            if depth < indent:
                break
            before = before.previous()
        fmt = QTextListFormat()
        fmt.setStyle(style)
        fmt.setIndent(indent)
        QTextCursor(block).createList(fmt)

    # -- Qt -> Y --------------------------------------------------------------------------
    def _qt_text(self) -> str:
        return self.qdoc.toRawText().replace("\u2029", "\n")

    def _fragments(self, start: int, end: int) -> Iterator[tuple[QTextBlock, int, int,
                                                                 QTextCharFormat]]:
        """(block, start, end, format) of each stretch of one format within Qt ``start..end``
        (paragraph separators left out)."""
        block = self.qdoc.findBlock(start)
        while block.isValid() and block.position() < end:
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.isValid():
                    a = max(start, fragment.position())
                    b = min(end, fragment.position() + fragment.length())
                    if a < b:
                        yield block, a, b, fragment.charFormat()
                it += 1
            block = block.next()

    def _qt_runs(self, text: str, start: int, end: int) -> list[tuple[Any, Attrs]]:
        """Qt's text ``start..end`` as Y runs with explicit attributes; ``text`` is Qt's
        text in Y form (the positions are Qt's)."""
        runs: list[tuple[Any, Attrs]] = []
        at = utf16_to_index(text, start)   # walked along, never converted from the start again
        block = self.qdoc.findBlock(start)
        while block.isValid() and block.position() < end:
            for _b, a, b, fmt in self._fragments(max(start, block.position()),
                                                 min(end, block.position() + block.length() - 1)):
                if fmt.objectType() == CITATION_OBJECT:
                    runs.extend((embed_value(fmt), {}) for _n in range(b - a))
                    at += b - a
                    continue
                upto = advance_utf16(text, at, b - a)
                runs.append((text[at:upto].replace(OBJECT, ""), inline_attrs(fmt)))
                at = upto
            separator = block.position() + block.length() - 1
            if start <= separator < end and block.next().isValid():
                runs.append(("\n", block_attrs(block)))
                at += 1
            block = block.next()
        return runs

    def _local(self, position: int, removed: int, added: int) -> None:
        if self._applying:
            return
        try:
            self._take_local(position, added)
        except ValueError:
            # Only a program can put Qt's cursor inside a character (a surrogate pair); the
            # broken text never reaches Y, Qt shows Y's text again.
            self.reload()
            return
        self.sig_changed.emit()

    def _take_local(self, position: int, added: int) -> None:
        old = self.shadow
        new = self._qt_text() + "\n"
        # The signal's range is a hint (Qt over-reports, and format changes look like
        # edits): the exact change is what differs from the shadow around it.
        # Both end with the last newline; it stays in the common end, so that text added at
        # the end goes before it.
        # Not past Qt's position: where text repeats ('aa'), it tells which copy is new, and
        # the new one may carry other formats.
        shorter = min(len(old), len(new)) - 1
        hint = min(utf16_to_index(new, position, exact=False), shorter)
        start = hint
        if old[:hint] != new[:hint]:
            start = 0
            while start < hint and old[start] == new[start]:
                start += 1
        end = _common_suffix(old, new, min(len(old), len(new)) - start)
        with self.ydoc.transaction(origin=self.origin):
            if self.virtual:
                # The first local edit gives the Y text its last newline.
                self.ytext.insert(index_to_y(old, len(old) - 1), "\n")
                self.virtual = False
            at = index_to_y(old, start)
            gone = index_to_y(old, len(old) - end) - at
            if gone:
                del self.ytext[at:at + gone]
            inserted_to = len(new) - end
            if inserted_to > start:
                y = at
                for value, attrs in self._qt_runs(new, index_to_utf16(new, start),
                                                  index_to_utf16(new, inserted_to)):
                    if isinstance(value, str):
                        if value:
                            # Every attribute explicit: Y text inherits its neighbour's
                            # otherwise (a word typed after a heading would become one).
                            keys = BLOCK if value == "\n" else INLINE
                            self.ytext.insert(y, value, {k: attrs.get(k) if k in keys else None
                                                         for k in INLINE + BLOCK})
                            y += index_to_y(value, len(value))
                    else:
                        self.ytext.insert_embed(y, value)
                        y += 1
            self.shadow = new
            # Formats the signal names, e.g. a selection made bold, or a paragraph made a
            # heading; unchanged ones cost nothing.
            q_start = min(position, len(new) - 1)
            q_end = max(q_start, min(position + added, index_to_utf16(new, len(new) - 1)))
            self._push_formats(new, q_start, q_end)

    def _push_formats(self, text: str, start: int, end: int) -> None:
        block = self.qdoc.findBlock(start)
        # The paragraphs touched, whole, so that a changed heading or list reaches Y.
        first = block.position()
        last_block = self.qdoc.findBlock(end)
        stop = last_block.position() + last_block.length()
        y = index_to_y(text, utf16_to_index(text, first))
        for value, attrs in self._qt_runs(text, first, stop):
            if not isinstance(value, str):
                y += 1
                continue
            length = y_length(value)
            keys = BLOCK if value == "\n" else INLINE
            self.ytext.format(y, y + length, {k: attrs.get(k) for k in keys})
            y += length
        last = self.qdoc.lastBlock()
        if stop >= last.position() + last.length() - 1 and len(text):
            # The last paragraph's attributes sit on the Y text's final newline.
            a = index_to_y(text, len(text) - 1)
            self.ytext.format(a, a + 1, block_attrs(last))

    # -- edits the editor makes (they reach Y as local edits) ----------------------------
    def insert_runs(self, cursor: QTextCursor, runs: list[tuple[Any, Attrs]]) -> None:
        """Insert pasted runs at the cursor, replacing its selection."""
        cursor.beginEditBlock()
        if cursor.hasSelection():
            cursor.removeSelectedText()
        self._write_runs(cursor, runs, final=False)
        cursor.endEditBlock()

    def _selected_blocks(self, cursor: QTextCursor) -> list[QTextBlock]:
        first = self.qdoc.findBlock(cursor.selectionStart())
        last = self.qdoc.findBlock(cursor.selectionEnd())
        blocks = [first]
        while blocks[-1] != last and blocks[-1].next().isValid():
            blocks.append(blocks[-1].next())
        return blocks

    def set_block(self, cursor: QTextCursor, changes: Attrs) -> None:
        """Change block attributes (heading, list, indent) of the paragraphs the cursor
        touches."""
        cursor.beginEditBlock()
        for block in self._selected_blocks(cursor):
            merged = {**clean(block_attrs(block), BLOCK), **changes}
            self._apply_block(block, {k: v for k, v in merged.items() if v is not None})
        cursor.endEditBlock()

    def shift_indent(self, cursor: QTextCursor, step: int) -> None:
        """Nest list paragraphs one level deeper (or shallower); a paragraph that is no list
        item becomes one."""
        cursor.beginEditBlock()
        for block in self._selected_blocks(cursor):
            attrs = clean(block_attrs(block), BLOCK)
            depth = max(0, int(attrs.get("indent", 0)) + step)
            attrs["list"] = attrs.get("list", "bullet")
            attrs.pop("header", None)
            if depth:
                attrs["indent"] = depth
            else:
                attrs.pop("indent", None)
            self._apply_block(block, attrs)
        cursor.endEditBlock()

    # -- reading --------------------------------------------------------------------------
    def text(self) -> str:
        """The text in Y form (embeds as ``OBJECT``), without a virtual last newline."""
        return self.shadow[:-1] if self.virtual else self.shadow
