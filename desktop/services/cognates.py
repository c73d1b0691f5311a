"""Dutch words spelled the English way: 'discriminatie' → 'discrimination', 'kwaliteit' →
'quality', 'fysieke' → 'physical'.

Much of the vocabulary of work, care and technology is shared Latin and Greek in both
languages, written by regular correspondences of spelling (the transformation rules of
fuzzy cross-language matching). A question's word that the term list does not know is
still found in English papers through the words these rules make; matching checks that
the library has them. The rules are the regular correspondences of the two spellings, not
a list of words, so they reach words nobody listed.
"""
from __future__ import annotations

import re

from .textproc import dutch_bases

# Dutch endings and their English counterparts, the more specific first; the first that fits
# is used.
SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("isering", ("isation", "ization")),
    ("iseerd", ("ised", "ized")),
    ("iseren", ("ise", "ize")),
    ("eerd", ("ated", "ed")),
    ("eren", ("ate", "")),
    ("atie", ("ation",)),
    ("ering", ("ation",)),
    ("entie", ("ence", "ency", "ention")),
    ("antie", ("ance", "ancy")),
    ("ssie", ("ssion",)),
    ("sie", ("sion",)),
    ("tie", ("tion",)),
    ("iteit", ("ity",)),
    ("isch", ("ic", "ical")),
    ("iek", ("ic", "ics", "ical")),
    ("ief", ("ive",)),
    ("eel", ("al",)),
    ("aal", ("al",)),
    ("ele", ("al",)),
    ("ale", ("al",)),
    ("isme", ("ism",)),
    ("ie", ("y",)),
)
# Letters the two languages write differently (Dutch k and kw for Latin c and qu, f for ph).
LETTERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^kw"), "qu"),
    (re.compile(r"^k(?=[aoulr])"), "c"),
    (re.compile(r"kt"), "ct"),
    (re.compile(r"^fy"), "phy"),
    (re.compile(r"(?<=[aeiou])ks(?=[aeiou])"), "x"),
)
SHORTEST = 6  # shorter words are too often false friends ('rok', 'kort')
# Endings that mark a Latin word at the head of a Dutch compound: 'selectie' in
# 'selectieprocedure', 'migratie' in 'migratieachtergrond'.
HEADS = ("atie", "tie", "sie", "iteit", "isme", "entie", "antie")


def _spelled(base: str) -> tuple[list[str], bool]:
    """``base`` in English spelling, and whether an ending rule applied."""
    stem, english, ruled = base, ("",), False
    for nl, en in SUFFIXES:
        if base.endswith(nl) and len(base) > len(nl) + 2:
            stem, english, ruled = base[:-len(nl)], en, True
            break
    for pattern, replacement in LETTERS:
        stem = pattern.sub(replacement, stem)
    return [stem + ending for ending in english], ruled


def english_spellings(token: str) -> list[str]:
    """English words a Dutch word may be written as, best guess first (the word without its
    Dutch ending among them: 'sensoren' → 'sensor'); empty when none differs from it."""
    if len(token) < SHORTEST or not token.isalpha():
        return []
    found: list[str] = []
    for base in [token, *dutch_bases(token, SHORTEST)]:
        found += [w for w in _spelled(base)[0] if w != token and w not in found]
    return found


def compound_heads(token: str) -> list[str]:
    """English spellings of a Latin word at the head of a Dutch compound, found by its
    ending: 'preventiemedewerker' → 'prevention', 'informatiebeveiliging' → 'information'."""
    found: list[str] = []
    for end in range(SHORTEST, len(token) - 2):
        head = token[:end]
        if head.endswith(HEADS):
            spelled, ruled = _spelled(head)
            found += [w for w in spelled if ruled and w not in found]
    return found
