"""The Dutch–English term list that matching expands questions with: its file format, the
shipped list and the user's own, how the two combine, and the lookup tables built from them.

The shipped list (``resources/matching/terms-nl-en.tsv``) is replaced by every update, so the
user's entries live in a file of the same format in the config folder. The user's entries add
translations; an entry whose English side is ``-`` switches off the shipped translations of its
Dutch term (matched by stem, as lookups are) and matching's guesses at it (``cognates``, the
word as a loanword), and an own entry for that term then replaces them. A user's file that
cannot be read leaves matching with the shipped list alone.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path

from .. import resources_dir
from ..atomic import write_text
from ..i18n import N_, _
from ..paths import config_dir
from .textproc import dutch_bases, stem, words

log = logging.getLogger(__name__)

FILE_NAME = "terms-nl-en.tsv"
SWITCH_OFF = "-"
# Where an entry comes from, and what a '-' does to it (``source``).
SOURCES = {"yours": N_("yours"), "switch_off": N_("yours, switches off"),
           "shipped": N_("shipped"), "switched_off": N_("shipped, switched off")}
OWN_HEADER = (
    "# Your own Dutch-English terms for Tandem's matching, added to the list Tandem ships.\n"
    "# Format: one entry per line, dutch<TAB>english; alternatives separated by ' | '.\n"
    "# An English side of '-' switches off the shipped translations of the Dutch term, and\n"
    "# the guesses at it (its English spelling, the word itself as an English word).\n"
    "# Tandem rewrites this file when you save your terms (in the app's Edit menu, or\n"
    "# with 'tandem terms'); other comments are not kept.\n")


@dataclass(frozen=True)
class TermEntry:
    """One line of a term list, its sides as written: alternatives separated by ' | '."""

    dutch: str
    english: str

    @property
    def switches_off(self) -> bool:
        return self.english.strip() == SWITCH_OFF

    def dutch_terms(self) -> list[str]:
        return _terms(self.dutch)

    def english_terms(self) -> list[str]:
        return _terms(self.english)

    def problem(self) -> str:
        """Why the entry cannot be used, in the user's language ('' when it can)."""
        if not self.dutch_terms():
            return _("The Dutch term is missing.")
        if not self.switches_off and not self.english_terms():
            return _("The English term is missing (or type “-” to switch off the shipped "
                     "translations of the Dutch term).")
        return ""

    def cleaned(self) -> TermEntry:
        """The entry as a file line holds it: one space between words and around ' | ', no
        tabs or line breaks, and no '#' in front (a line beginning with it is a comment)."""
        return TermEntry(_cleaned(self.dutch).lstrip("# "), _cleaned(self.english))


@dataclass(frozen=True)
class TermFile:
    """A term list file as read: its entries (a line that is wrong is kept as an entry with
    what could be read, to be fixed in an editor) and what is wrong with it ('' if nothing),
    naming the file and the first wrong line."""

    path: Path
    entries: tuple[TermEntry, ...]
    error: str = ""

    def checked_entries(self) -> tuple[TermEntry, ...]:
        """The entries of a file that must be right; ValueError (naming file and line) if not."""
        if self.error:
            raise ValueError(self.error)
        return self.entries


def shipped_path() -> Path:
    return resources_dir() / "matching" / FILE_NAME


def own_path() -> Path:
    return config_dir() / FILE_NAME


def read_file(path: Path) -> TermFile:
    """The entries of a term list file; a missing file has none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return TermFile(path, ())
    except OSError as exc:
        return TermFile(path, (), f"{path}: {exc.strerror or exc}")
    error = ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        at = data[:exc.start].count(b"\n") + 1
        error = f"{path}:{at}: " + _("not UTF-8 text")
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        dutch, tab, english = line.partition("\t")
        entry = TermEntry(dutch, english)
        entries.append(entry)
        problem = entry.problem() if tab else _("expected the Dutch term, a tab, and the "
                                               "English term")
        if problem and not error:
            error = f"{path}:{number}: {problem}"
    return TermFile(path, tuple(entries), error)


def save_own(entries: Iterable[TermEntry]) -> Path:
    """Write the user's entries (cleaned) as a whole, and make matching use them from now on.

    Raises ValueError, naming the first entry that cannot be used, before writing anything."""
    path = own_path()
    cleaned = [e.cleaned() for e in entries]
    for entry in cleaned:
        if entry.problem():
            raise ValueError(f"{entry.dutch or '…'} / {entry.english or '…'}: {entry.problem()}")
    write_text(path, OWN_HEADER + "".join(f"{e.dutch}\t{e.english}\n" for e in cleaned))
    # Queries are built from this per call and indexes do not depend on it: this is all the
    # state that knows the old list.
    default_terms.cache_clear()
    return path


def switched_off(own: Iterable[TermEntry]) -> set[str]:
    """The stems of the Dutch terms whose shipped translations the user's entries switch off
    (of the words they may inflect too: 'wensen' switches off 'wens')."""
    return {k for e in own if e.switches_off for t in e.dutch_terms()
            for k in lookup_keys(t, "nl")}


def is_switched_off(entry: TermEntry, off: set[str]) -> bool:
    """Whether none of a shipped entry's Dutch terms is left in use."""
    return all(_stems(t, "nl") in off for t in entry.dutch_terms())


def source(entry: TermEntry, own: bool, off: set[str]) -> str:
    """The key in ``SOURCES`` of an entry of the user's (``own``) or of the shipped list, with
    ``off`` from ``switched_off``."""
    if own:
        return "switch_off" if entry.switches_off else "yours"
    return "switched_off" if is_switched_off(entry, off) else "shipped"


@dataclass
class TermList:
    """Dutch -> English terms (one or more words each side); used both ways."""

    # The usable entries: their Dutch and their English terms.
    pairs: list[tuple[list[str], list[str]]] = field(default_factory=list)
    longest: int = 1
    # Stems of Dutch terms the user switched off: no translation, and no guess either.
    silenced: set[str] = field(default_factory=set)
    _tables: dict[str, dict[str, list[str]]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path) -> TermList:
        """The list of one file; ValueError naming the file and line if it cannot be read."""
        return cls.combined(read_file(path).checked_entries())

    @classmethod
    def combined(cls, shipped: Sequence[TermEntry],
                 own: Sequence[TermEntry] = ()) -> TermList:
        """The shipped entries less the Dutch terms ``own`` switches off, and ``own``'s."""
        off = switched_off(own)
        table = cls(silenced=off)
        for entries, skipped in ((shipped, off), (own, set())):
            for entry in entries:
                if entry.switches_off:
                    continue
                nl = [t for t in entry.dutch_terms() if _stems(t, "nl") not in skipped]
                if nl:
                    en = entry.english_terms()
                    table.pairs.append((nl, en))
                    table.longest = max(table.longest, *(len(t.split()) for t in nl + en))
        return table

    def table(self, language: str) -> dict[str, list[str]]:
        """The translations of the terms of ``language``, by their stems ('verpleegkundigen'
        finds the entry 'verpleegkundige'). Built on first use: an English question needs
        no Dutch table, and stemming a whole side takes a noticeable part of a first search."""
        if language not in self._tables:
            found: dict[str, list[str]] = {}
            for nl, en in self.pairs:
                source, target = (nl, en) if language == "nl" else (en, nl)
                for term in source:
                    found.setdefault(_stems(term, language), []).extend(target)
            self._tables[language] = found
        return self._tables[language]

    def compound_translations(self, word: str) -> list[tuple[str, str]]:
        """Dutch writes compounds as one word ('roostersysteem', 'verpleegafdeling'): the
        translations of its known parts, trying every split into parts of four letters or
        more (with the linking 's' or 'en' dropped). The part's stem must keep four letters
        too: 'orden' (from 'kernwoorden') stems to 'or', which is the works council."""
        found = []
        for cut in range(4, len(word) - 3):
            for left, right in ((word[:cut], word[cut:]),
                                (word[:cut - 1], word[cut:]) if word[cut - 1] == "s"
                                else ("", ""),
                                (word[:cut - 2], word[cut:]) if word[cut - 2:cut] == "en"
                                else ("", "")):
                for part in (left, right):
                    stemmed = stem(part, "nl")
                    if len(part) >= 4 and len(stemmed) >= 4:
                        for other in self.table("nl").get(stemmed, []):
                            found.append((part, other))
        return list(dict.fromkeys(found))

    def translations(self, tokens: Sequence[str], language: str) -> list[tuple[str, str]]:
        """(source phrase, translation) for every phrase of ``tokens`` the list knows."""
        table = self.table("nl" if language == "nl" else "en")
        found = []
        for size in range(self.longest, 0, -1):
            for i in range(len(tokens) - size + 1):
                phrase = " ".join(tokens[i:i + size])
                key = next((k for k in lookup_keys(phrase, language) if k in table), None)
                if key is not None:
                    found += [(phrase, other) for other in table[key]]
        return found

    def silences(self, token: str, language: str) -> bool:
        """Whether the user switched off the Dutch term ``token`` is a form of."""
        return any(key in self.silenced for key in lookup_keys(token, language))


def lookup_keys(phrase: str, language: str) -> list[str]:
    """The stems to look a phrase up by, its own first; for Dutch, also those of the words
    it may inflect ('wensen' finds the entry 'wens', which Snowball stems apart)."""
    return [" ".join(key) for key in product(*(_word_keys(w, language) for w in phrase.split()))]


def _word_keys(word: str, language: str) -> list[str]:
    own = stem(word, language)
    if language != "nl":
        return [own]
    return list(dict.fromkeys([own, *(s for s in (stem(b, "nl") for b in dutch_bases(word))
                                     if len(s) >= 3)]))


@lru_cache(maxsize=1)
def default_terms() -> TermList:
    """What matching uses: the shipped list with the user's own (``save_own`` renews it)."""
    own = read_file(own_path())
    if own.error:
        log.warning("%s; matching uses the shipped term list without your own entries",
                    own.error)
    return TermList.combined(read_file(shipped_path()).checked_entries(),
                             () if own.error else own.entries)


def _terms(side: str) -> list[str]:
    return [" ".join(words(p)) for p in side.split("|") if words(p)]


def _cleaned(side: str) -> str:
    return " | ".join(" ".join(p.split()) for p in side.split("|") if p.strip())


def _stems(phrase: str, language: str) -> str:
    return " ".join(stem(w, language) for w in phrase.split())
