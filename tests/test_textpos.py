"""Position conversion between Qt, Python and pycrdt, with diacritics, emoji, CJK and embeds."""
from __future__ import annotations

import pycrdt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.services.textpos import (OBJECT, index_to_utf16, index_to_y, utf16_to_index,
                                      y_length, y_to_index)

SAMPLE = f"Één café 😀 日本語{OBJECT}\nnaïef 𝔸 test"


def test_offsets_agree_with_pycrdt_for_every_position() -> None:
    doc = pycrdt.Doc()
    text = doc.get("text", type=pycrdt.Text)
    for ch in SAMPLE:
        if ch == OBJECT:
            text.insert_embed(len(text), {"citation": {"items": [{"id": "r"}]}})
        else:
            text.insert(len(text), ch)
    assert len(text) == y_length(SAMPLE)
    for i in range(len(SAMPLE) + 1):
        offset = index_to_y(SAMPLE, i)
        assert y_to_index(SAMPLE, offset) == i
        # Inserting at the converted offset lands exactly before code point i.
        probe = pycrdt.Doc()
        probe_text = probe.get("text", type=pycrdt.Text)
        probe.apply_update(doc.get_update())
        probe_text.insert(offset, "|")
        chunks = "".join(c if isinstance(c, str) else OBJECT for c, _a in probe_text.diff())
        assert chunks == SAMPLE[:i] + "|" + SAMPLE[i:]


def test_utf16_positions_count_astral_characters_twice() -> None:
    assert index_to_utf16("😀a", 1) == 2
    assert utf16_to_index("😀a", 2) == 1
    for i in range(len(SAMPLE) + 1):
        assert utf16_to_index(SAMPLE, index_to_utf16(SAMPLE, i)) == i


def test_an_offset_inside_a_character_is_refused() -> None:
    with pytest.raises(ValueError, match="inside a character"):
        y_to_index("é", 1)
    with pytest.raises(ValueError, match="inside a character"):
        utf16_to_index("😀", 1)
    with pytest.raises(ValueError, match="outside"):
        y_to_index("ab", 3)


@given(st.text(alphabet=st.sampled_from(list("aé日😀\n" + OBJECT)), max_size=40))
def test_round_trips(text: str) -> None:
    for i in range(len(text) + 1):
        assert y_to_index(text, index_to_y(text, i)) == i
        assert utf16_to_index(text, index_to_utf16(text, i)) == i
