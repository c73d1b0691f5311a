"""The section editor's binding of a QTextDocument to a pycrdt Y.Text: both directions,
formats, embeds, undo of one's own edits only, and persistence of every edit."""
from __future__ import annotations

import random
from typing import Any

import pycrdt
import pytest
from PySide6.QtGui import QFont, QTextCharFormat, QTextCursor, QTextListFormat
from PySide6.QtWidgets import QTextEdit

from desktop.services.textpos import OBJECT, index_to_utf16, index_to_y
from desktop.views.text_binding import (BLOCK, CITATION_OBJECT, INLINE, TextBinding,
                                       block_attrs, clean, inline_attrs)

CITE = {"citation": {"items": [{"id": "ref-1", "locator": "12"}]}}


def build(text: pycrdt.Text, runs: list[tuple[Any, dict[str, Any]]]) -> None:
    """Append runs with every attribute explicit (Y text would inherit them otherwise)."""
    for value, attrs in runs:
        full = {k: attrs.get(k) for k in INLINE + BLOCK}
        if isinstance(value, str):
            text.insert(len(text), value, full)
        else:
            text.insert_embed(len(text), value)


def y_chars(text: pycrdt.Text) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for value, attrs in text.diff():
        if isinstance(value, str):
            out += [(ch, clean(attrs, BLOCK if ch == "\n" else INLINE)) for ch in value]
        else:
            out.append((OBJECT, {}))
    return out


def qt_chars(binding: TextBinding) -> list[tuple[str, dict[str, Any]]]:
    """Qt's document in the same per-character form, the last paragraph's newline included."""
    doc = binding.qdoc
    out = []
    block = doc.begin()
    while block.isValid():
        for _b, a, b, fmt in binding._fragments(block.position(),
                                                block.position() + block.length() - 1):
            if fmt.objectType() == CITATION_OBJECT:
                out += [(OBJECT, {})] * (b - a)
                continue
            cursor = QTextCursor(doc)
            cursor.setPosition(a)
            cursor.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
            chars = cursor.selectedText()
            out += [(ch, clean(inline_attrs(fmt), INLINE)) for ch in chars]
        out.append(("\n", clean(block_attrs(block), BLOCK)))
        block = block.next()
    return out


def agree(binding: TextBinding) -> None:
    y = y_chars(binding.ytext)
    q = qt_chars(binding)
    if binding.virtual:
        q = q[:-1]
        if not y and q == []:
            return
    assert "".join(c for c, _a in q) == "".join(c for c, _a in y)
    assert q == y
    assert binding.shadow[:-1] == binding._qt_text()


@pytest.fixture
def editor(qtbot) -> QTextEdit:  # noqa: ANN001
    widget = QTextEdit()
    qtbot.addWidget(widget)
    return widget


def bind(editor: QTextEdit, doc: pycrdt.Doc, stored: list[bytes] | None = None) -> TextBinding:
    return TextBinding(editor.document(), doc, (stored if stored is not None else []).append,
                       lambda value: "[Noy 2023]")


def sample() -> pycrdt.Doc:
    doc = pycrdt.Doc()
    build(doc.get("text", type=pycrdt.Text), [
        ("Inleiding", {}), ("\n", {"header": 1}),
        ("Één café 😀 日本語 ", {}), (CITE, {}), (" vet", {"bold": True}), (" en ", {}),
        ("link", {"link": "https://example.org"}), (" H", {}), ("2", {"script": "sub"}),
        ("O\n", {}),
        ("eerste punt", {}), ("\n", {"list": "bullet"}),
        ("genest", {"italic": True}), ("\n", {"list": "bullet", "indent": 1}),
        ("stap", {}), ("\n", {"list": "ordered"}),
    ])
    return doc


def test_opening_shows_text_formats_lists_and_citations(editor: QTextEdit) -> None:
    binding = bind(editor, sample())
    agree(binding)
    doc = editor.document()
    assert doc.begin().blockFormat().headingLevel() == 1
    lists = [doc.findBlockByNumber(n).textList() for n in (2, 3, 4)]
    assert lists[0].format().style() == QTextListFormat.Style.ListDisc
    assert lists[1].format().indent() == 2
    assert lists[2].format().style() == QTextListFormat.Style.ListDecimal
    assert OBJECT in doc.toRawText()


def test_typing_with_diacritics_emoji_and_cjk_reaches_y(editor: QTextEdit) -> None:
    doc = sample()
    binding = bind(editor, doc)
    cursor = editor.textCursor()
    for position, text in ((12, "ë"), (14, "😀x"), (0, "日本"), (20, "\u00a0")):
        cursor.setPosition(position)
        cursor.insertText(text)
        agree(binding)
    cursor.setPosition(3)
    cursor.setPosition(9, QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()
    agree(binding)
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertBlock()
    cursor.insertText("laatste regel")
    agree(binding)


def test_formatting_a_selection_and_a_paragraph(editor: QTextEdit) -> None:
    binding = bind(editor, sample())
    cursor = editor.textCursor()
    cursor.setPosition(12)
    cursor.setPosition(16, QTextCursor.MoveMode.KeepAnchor)
    bold = QTextCharFormat()
    bold.setFontWeight(QFont.Weight.Bold)
    cursor.mergeCharFormat(bold)
    agree(binding)
    block_cursor = QTextCursor(editor.document().findBlockByNumber(1))
    fmt = block_cursor.blockFormat()
    fmt.setHeadingLevel(2)
    block_cursor.setBlockFormat(fmt)
    agree(binding)
    assert y_chars(binding.ytext)[
        len(binding.qdoc.findBlockByNumber(1).text()) + 10][1] == {"header": 2}
    list_cursor = QTextCursor(editor.document().findBlockByNumber(0))
    list_cursor.createList(QTextListFormat.Style.ListDecimal)
    agree(binding)


def test_remote_edits_appear_and_undo_takes_back_only_ones_own(editor: QTextEdit) -> None:
    doc = sample()
    binding = bind(editor, doc)
    other = pycrdt.Doc()
    other.apply_update(doc.get_update())
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.insertText("Mijn ")
    other_text = other.get("text", type=pycrdt.Text)
    other_text.insert(len(other_text) - 1, " (van de ander)", {k: None for k in INLINE + BLOCK})
    other_text.format(0, 3, {"italic": True})
    binding.apply_remote(other.get_update(doc.get_state()))
    agree(binding)
    assert "(van de ander)" in editor.toPlainText()
    assert binding.undo()
    agree(binding)
    assert not editor.toPlainText().startswith("Mijn ")
    assert "(van de ander)" in editor.toPlainText()


def test_each_edit_is_handed_on_for_storage_and_reloads_the_same(editor: QTextEdit,
                                                                 qtbot) -> None:  # noqa: ANN001
    stored: list[bytes] = []
    doc = pycrdt.Doc()
    binding = bind(editor, doc, stored)
    cursor = editor.textCursor()
    cursor.insertText("Hallo wereld")
    cursor.insertBlock()
    cursor.insertText("tweede")
    qtbot.waitUntil(lambda: bool(stored), timeout=2000)
    again = pycrdt.Doc()
    for update in stored:
        again.apply_update(update)
    assert str(again.get("text", type=pycrdt.Text)) == "Hallo wereld\ntweede\n"
    assert binding.text() == "Hallo wereld\ntweede\n"


def test_text_appended_without_a_last_newline(editor: QTextEdit) -> None:
    doc = pycrdt.Doc()
    text = doc.get("text", type=pycrdt.Text)
    build(text, [("een\n", {}), ("zonder einde", {})])
    binding = bind(editor, doc)
    agree(binding)
    other = pycrdt.Doc()
    other.apply_update(doc.get_update())
    other_text = other.get("text", type=pycrdt.Text)
    build(other_text, [(" en meer\nnieuw", {})])
    binding.apply_remote(other.get_update(doc.get_state()))
    agree(binding)
    cursor = editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText("!")
    agree(binding)
    assert str(text).endswith("nieuw!\n")


@pytest.mark.parametrize("seed", range(4))
def test_random_local_and_remote_edits_keep_both_sides_equal(editor: QTextEdit,
                                                             seed: int) -> None:
    rng = random.Random(seed)
    doc = sample()
    binding = bind(editor, doc)
    other = pycrdt.Doc()
    other.apply_update(doc.get_update())
    other_text = other.get("text", type=pycrdt.Text)
    alphabet = ["a", "é", "😀", "日", " ", "\n"]
    def spot(low: int = 0, high: int | None = None) -> int:
        # A position a writer's cursor can reach: never inside a surrogate pair.
        text = binding._qt_text()
        top = len(text) if high is None else min(high, len(text))
        return index_to_utf16(text, rng.randint(min(low, top), top))

    for _step in range(120):
        roll = rng.random()
        length = len(binding._qt_text())
        cursor = editor.textCursor()
        if roll < 0.4:
            cursor.setPosition(spot())
            cursor.insertText("".join(rng.choice(alphabet) for _n in range(rng.randint(1, 3)))
                              .replace("\n", "\u2029"))
        elif roll < 0.55 and length > 2:
            a = rng.randint(0, length - 1)
            cursor.setPosition(spot(a, a))
            cursor.setPosition(spot(a + 1, a + 4), QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        elif roll < 0.65 and length > 2:
            a = rng.randint(0, length - 1)
            cursor.setPosition(spot(a, a))
            cursor.setPosition(spot(a + 1, a + 5), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setFontItalic(rng.random() < 0.5)
            cursor.mergeCharFormat(fmt)
        elif roll < 0.7:
            cursor.setPosition(spot())
            block_fmt = cursor.blockFormat()
            block_fmt.setHeadingLevel(rng.choice([0, 1, 2]))
            cursor.setBlockFormat(block_fmt)
        else:
            # A co-author types somewhere (the two docs exchange updates both ways).
            other.apply_update(doc.get_update(other.get_state()))
            size = len(other_text)
            chars = "".join(c if isinstance(c, str) else OBJECT for c, _a in other_text.diff())
            at = index_to_y(chars, rng.randint(0, len(chars)))
            if rng.random() < 0.7 or size < 3:
                other_text.insert(at, rng.choice(["x", "ü", "\n", "🙂"]),
                                  {k: None for k in INLINE + BLOCK})
            else:
                i = rng.randint(0, len(chars) - 2)
                a, b = index_to_y(chars, i), index_to_y(chars, i + 1)
                del other_text[a:b]
            binding.apply_remote(other.get_update(doc.get_state()))
        agree(binding)
    other.apply_update(doc.get_update(other.get_state()))
    assert y_chars(other_text) == y_chars(binding.ytext)


def test_a_failed_store_keeps_the_edits_and_tries_again(editor: QTextEdit, qtbot) -> None:  # noqa: ANN001
    stored: list[bytes] = []
    failures: list[str] = []
    broken = [True]

    def persist(update: bytes) -> None:
        if broken[0]:
            raise OSError("disk full")
        stored.append(update)

    doc = pycrdt.Doc()
    binding = TextBinding(editor.document(), doc, persist, lambda value: "[x]")
    binding.sig_store_failed.connect(failures.append)
    editor.textCursor().insertText("niet kwijt")
    assert not binding.flush() and failures == ["disk full"] and not stored
    editor.textCursor().insertText(" raken")
    broken[0] = False
    assert binding.flush()
    again = pycrdt.Doc()
    for update in stored:
        again.apply_update(update)
    assert str(again.get("text", type=pycrdt.Text)) == "niet kwijt raken\n"
