"""Comments in the export: the parts of a commented passage carry the comment's id, cut where
the passage begins and ends, in pycrdt offsets (an embed is one, a character its UTF-8 bytes).
"""
from __future__ import annotations

from desktop.services.proposal_content import Citation, Inline, paragraphs_of
from tests.test_export import cite


def test_passages_cut_the_parts_at_their_ends() -> None:
    # "Zoë " is five pycrdt positions (ë takes two bytes), the citation one: "writes " is
    # 5..12, the citation 12, " well." 13..19, the newline 19, "Next line" from 20.
    runs = [("Zoë writes ", {"bold": True}), (cite("r1"), None), (" well.\nNext line", None)]
    paragraphs = paragraphs_of(runs, "s", {"a": (5, 18), "b": (16, 21)})
    first, second = (p.parts for p in paragraphs)
    assert [(p.text, p.comment_ids) for p in first if isinstance(p, Inline)] == [
        ("Zoë ", ()), ("writes ", ("a",)), (" we", ("a",)), ("ll", ("a", "b")),
        (".", ("b",))]
    assert [p.comment_ids for p in first if isinstance(p, Citation)] == [("a",)]
    assert first[0].bold and first[1].bold and not first[3].bold
    assert [(p.text, p.comment_ids) for p in second if isinstance(p, Inline)] == [
        ("N", ("b",)), ("ext line", ())]
    assert paragraphs_of(runs, "s") == paragraphs_of(runs, "s", {})
