"""Text analysis for matching: words, stop words, Snowball stems and the language of a text,
for Dutch and English.

Stop-word lists live in ``resources/matching/stopwords-<lang>.txt`` so that they can be read
and edited. Stems are cached: a library repeats the same words endlessly.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache

import snowballstemmer

from .. import resources_dir

LANGUAGES = ("en", "nl")
# Snowball's Porter-style Dutch: its newer 'dutch' takes 'ge' off inside words, and so makes
# one stem of unrelated words ('begeleiding' and 'beleid', 'gemeente' and 'mening').
STEMMERS = {"en": "english", "nl": "dutch_porter"}
_WORD = re.compile(r"[^\W_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(run: re.Match[str]) -> str:
    return "".join(c for c in run.group() if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lowercase without diacritics: 'Cliënten' -> 'clienten' (as people type in a search)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    # Most text is ASCII, and no ASCII character is a mark: only the rest is looked at,
    # which makes indexing a large library markedly faster.
    return decomposed if decomposed.isascii() else _NON_ASCII.sub(_without_marks, decomposed)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded word) of each word of ``text``, without the punctuation around it:
    where a highlight starts and ends ('Management:' marks 'Management')."""
    for match in _WORD.finditer(text):
        folded = words(match.group())
        if folded:
            yield match.start(), match.end(), folded[0]


@lru_cache(maxsize=None)
def stopwords(language: str) -> frozenset[str]:
    path = resources_dir() / "matching" / f"stopwords-{language}.txt"
    if not path.exists():
        return frozenset()
    return frozenset(fold(line.strip()) for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=None)
def _stemmer(language: str) -> Callable[[str], str]:
    """The language's stemmer, with its own cache (one argument: indexing a large library
    calls it for every word, and a cache keyed on one string is cheaper to consult)."""
    stemmer = snowballstemmer.stemmer(STEMMERS.get(language, "english"))
    return lru_cache(maxsize=200_000)(lambda word: str(stemmer.stemWord(word)))


def stem(word: str, language: str) -> str:
    return _stemmer(language)(word)


def detect_language(text: str, default: str = "en") -> str:
    """'nl' or 'en' by which language's function words the text uses more (a few words
    decide it reliably for these two languages); ``default`` when there is no evidence."""
    tokens = words(text)
    scores = {lang: sum(1 for t in tokens if t in stopwords(lang)) for lang in LANGUAGES}
    best = max(scores, key=lambda lang: scores[lang])
    others = [s for lang, s in scores.items() if lang != best]
    if scores[best] == 0 or scores[best] == max(others, default=0):
        return default
    return best


def terms(text: str, language: str) -> list[str]:
    """Index terms of a text: words that are not stop words, stemmed in its language."""
    stops = stopwords(language)
    stem_of = _stemmer(language)
    return [stem_of(w) for w in words(text) if len(w) > 1 and w not in stops]


_VOWELS = "aeiou"
_DIGRAPHS = ("aa", "ee", "oo", "uu", "ie", "oe", "eu", "ei", "ij", "ou", "au", "ui")


def dutch_bases(token: str, shortest: int = 4) -> list[str]:
    """The words a Dutch ``token`` of more than ``shortest`` letters may be a regular
    inflection of, the likeliest first: without a plural, adjective, verb or participle
    ending, with the spelling changes those endings bring ('wensen' → 'wens', 'taken' →
    'taak', 'digitale' → 'digitaal', 'betrekt' → 'betrek', 'geautomatiseerde' →
    'automatiseerd'). Snowball stems some of them apart from the word itself."""
    if len(token) <= shortest or not token.isalpha():
        return []
    bases: list[str] = []
    if token.startswith("ge") and token.endswith(("eerd", "eerde")):
        bases.append(token[2:].removesuffix("e"))
    elif token.endswith("en"):
        base = token[:-2]
        if base.endswith("hed"):  # mogelijkheden
            bases.append(base[:-3] + "heid")
        elif len(base) > 2 and base[-1] == base[-2] and base[-1] not in _VOWELS:
            bases.append(base[:-1])  # stemmen → stem
        else:
            bases += [base, _lengthened(base)]
    elif token.endswith("e"):
        bases += [token[:-1], _lengthened(token[:-1])]
    elif token.endswith("s") or (token.endswith("t") and token[-2] not in _VOWELS):
        bases.append(token[:-1])
    # A Dutch word does not end in v or z: 'brieven' → 'brief', 'reizen' → 'reis'.
    bases = [b[:-1] + {"v": "f", "z": "s"}[b[-1]] if b[-1:] in ("v", "z") else b
             for b in bases]
    return [b for b in dict.fromkeys(bases) if b and b != token]


def _lengthened(base: str) -> str:
    """The vowel of an open syllable written double again when the ending goes ('tak' from
    'taken' → 'taak'); '' when the spelling does not call for it."""
    if len(base) < 3 or base[-1] in _VOWELS or base[-2] not in _VOWELS \
            or base[-3:-1] in _DIGRAPHS or base[-2] == "i":
        return ""
    return base[:-1] + base[-2] + base[-1]
