"""Positions in a section's text, the one place where they are converted.

Three ways of counting the same text (DESIGN §4): Qt counts UTF-16 code units, Python counts
code points, pycrdt 0.14 counts UTF-8 bytes, where an embedded object (a citation) counts one.
The text converted here is always in the shared form: paragraphs end with ``"\\n"`` and each
embed stands as one ``OBJECT`` character, which is how Qt shows it too. An offset that falls
inside a character is refused, because pycrdt would silently append at the end instead.
"""
from __future__ import annotations

OBJECT = "\ufffc"   # Qt's object replacement character; one embed
_OBJECT_BYTES = len(OBJECT.encode("utf-8"))


def y_length(text: str) -> int:
    """Length of ``text`` as pycrdt counts it."""
    return len(text.encode("utf-8")) - (_OBJECT_BYTES - 1) * text.count(OBJECT)


def index_to_y(text: str, index: int) -> int:
    """pycrdt offset of code point ``index`` in ``text``."""
    return y_length(text[:index])


def y_to_index(text: str, offset: int) -> int:
    """Code point index of pycrdt ``offset`` in ``text``."""
    if offset < 0 or offset > y_length(text):
        raise ValueError(f"offset {offset} is outside a text of {y_length(text)}")
    data = text.encode("utf-8")
    true = offset
    if OBJECT in text:
        # Each embed before the offset stands for one position but takes three bytes.
        marker = OBJECT.encode("utf-8")
        at = data.find(marker)
        while at != -1 and at < true:
            true += _OBJECT_BYTES - 1
            at = data.find(marker, at + _OBJECT_BYTES)
    try:
        return len(data[:true].decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"offset {offset} falls inside a character") from None


def index_to_utf16(text: str, index: int) -> int:
    """Qt position of code point ``index`` in ``text``."""
    head = text[:index]
    return index if head.isascii() else len(head.encode("utf-16-le")) // 2


def utf16_to_index(text: str, position: int, exact: bool = True) -> int:
    """Code point index of Qt ``position`` in ``text``. Not ``exact`` (for a position that is
    only a hint): clamped to the text and rounded down to a whole character."""
    if position < 0:
        raise ValueError(f"position {position} is negative")
    if text.isascii():
        if exact and position > len(text):
            raise ValueError(f"position {position} is outside a text of {len(text)}")
        return min(position, len(text))
    data = text.encode("utf-16-le")
    if exact and 2 * position > len(data):
        raise ValueError(f"position {position} is outside a text of {len(data) // 2}")
    try:
        return len(data[:2 * position].decode("utf-16-le", "strict" if exact else "ignore"))
    except UnicodeDecodeError:
        raise ValueError(f"position {position} falls inside a character") from None


def advance_utf16(text: str, index: int, units: int) -> int:
    """The code point index ``units`` UTF-16 units after ``index`` (walks only that stretch)."""
    end = index + units
    piece = text[index:end]
    if piece.isascii():
        return min(end, len(text))
    at = index
    while units > 0 and at < len(text):
        units -= 2 if ord(text[at]) > 0xFFFF else 1
        at += 1
    return at
