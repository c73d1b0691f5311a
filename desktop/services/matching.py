"""Ranking the library for a practice question, and saying why each reference ranks.

BM25F over title, keywords and abstract (field weights, Snowball stems, stop words per
language), queries in Dutch or English expanded across the two languages with the curated
term list (``term_list``: the shipped list with the user's own; a translation matched in all
the forms papers write it in, as one term) and, for words no list holds, guesses: their
English spelling (``cognates``), the word itself as a loanword; and feedback: the terms of
references screened as relevant (or, before any screening, of the top hits) join the
query; terms of references screened as not relevant are held back. Numbers below are
textbook BM25 values, not fitted to any test collection.
"""
from __future__ import annotations

import bisect
import hashlib
import importlib.metadata
import json
import logging
import math
import os
import time
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from ..atomic import write_with
from ..i18n import _
from ..paths import cache_dir
from .cognates import compound_heads, english_spellings
from .tasks import NO_CONTROL, TaskControl
from .term_list import TermList, default_terms
from .textproc import LANGUAGES, STEMMERS, detect_language, stem, stopwords, terms, words

log = logging.getLogger(__name__)

K1 = 1.2
# (field, weight, length normalisation b): a title word says more about a paper than an
# abstract word; keywords are chosen words, so their length says little (low b).
FIELDS = (("title", 2.0, 0.75), ("keywords", 1.5, 0.3), ("abstract", 1.0, 0.75))
TRANSLATION_WEIGHT = 0.8   # a translated word counts a little less than the asker's own
LOANWORD_WEIGHT = 0.5      # the asker's word stemmed as the other language ('feedback')
COMPOUND_WEIGHT = 0.5      # a part of a Dutch compound ('rooster' in 'roostersysteem')
COGNATE_WEIGHT = 0.5       # the Dutch word in English spelling ('kwaliteit' → 'quality')
# Relevance model feedback (RM3) with its usual settings from the literature: the words of
# the 10 best references (or of those screened as relevant) make up half of the final query.
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 20
ORIGINAL_WEIGHT = 0.5
PHRASE_CANDIDATES = 200
CACHE_DAYS = 30  # an index file no workspace has used for this long is removed
# A term list gives one form of a translation ('representation', 'introduce'); papers use
# others that Snowball keeps apart ('representatives' → repres, 'introduction' → introduct).
# A translated stem also matches the stems it begins or that begin it, down to five letters,
# the common truncation length for English; all forms of one translation count as one term.
TRUNCATION = 5
# A guess (a loanword, an English spelling) cut short needs a letter more: 'eventueel' is no
# 'event', while 'routinetaken' is 'routine' work.
GUESS_TRUNCATION = 6


@dataclass(frozen=True)
class Doc:
    reference_id: str
    key: str
    title: str
    abstract: str
    keywords: str
    language: str = ""


@dataclass(frozen=True)
class Hit:
    reference_id: str
    key: str
    score: float
    matched: tuple[str, ...]   # the question's words (and translations) found in it


def related_stems(a: str, b: str, shortest: int = TRUNCATION) -> bool:
    """Whether two stems are forms of one word by truncation: one begins the other and the
    shorter has at least ``shortest`` letters."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return short == long or (len(short) >= shortest and long.startswith(short))


# Of the saved index (``MatchIndex.save``): raise it whenever the analysis (``textproc``) or
# the layout of the file changes, so that an index saved by an older Tandem is built again.
FORMAT = 1


class MatchIndex:
    """An in-memory BM25F index of the library (rebuilt when the library changes).

    Term ids stand for the words: per field, the ids and counts of each reference's words
    (in the order they first occur, compressed rows as in a sparse matrix), and per word the
    references that have it with its field-weighted frequency. A dictionary per reference
    took nearly three times the memory (274 MB against 99 MB at 100,000 references). ``save`` and ``load`` keep
    these arrays in a NumPy ``.npz`` file between runs.
    """

    def __init__(self, docs: Sequence[Doc], control: TaskControl = NO_CONTROL) -> None:
        self.docs = list(docs)
        n = len(self.docs)
        term_ids: dict[str, int] = {}
        languages: list[str] = []
        # Typed arrays, not lists: a list of millions of entries takes twice the memory.
        rows = [(array("q", [0]), array("i"), array("I")) for _f in FIELDS]
        lengths = [np.zeros(n, dtype=np.float32) for _f in FIELDS]
        for i, doc in enumerate(self.docs):
            if i % 500 == 0:
                control.progress(i, n, _("Indexing the library for matching"))
            language = doc.language[:2].lower() if doc.language[:2].lower() in LANGUAGES \
                else detect_language(f"{doc.title} {doc.abstract}")
            languages.append(language)
            for (name, _w, _b), (starts, ids, tfs), length in zip(FIELDS, rows, lengths):
                found = terms(getattr(doc, name), language)
                length[i] = len(found)
                counted = Counter(found)
                ids.extend([term_ids.setdefault(t, len(term_ids)) for t in counted])
                tfs.extend(counted.values())
                starts.append(len(ids))
        fields = [(np.asarray(starts, dtype=np.int64), np.asarray(ids, dtype=np.int32),
                   _narrow(np.asarray(tfs, dtype=np.uint32))) for starts, ids, tfs in rows]
        self._adopt(list(term_ids), languages, fields, *_postings(fields, lengths, len(term_ids)))

    def _adopt(self, vocabulary: list[str], languages: list[str],
               fields: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
               starts: np.ndarray, docs: np.ndarray, weights: np.ndarray) -> None:
        self.vocabulary = vocabulary
        # For ``forms``, made when first asked: the stems sorted, each reference's language.
        self._sorted: list[str] | None = None
        self._language_codes = np.zeros(0, dtype=np.uint8)
        self.term_ids = {t: k for k, t in enumerate(vocabulary)}
        self.languages = languages
        self.fields = fields
        self.posting_starts, self.posting_docs, self.posting_weights = starts, docs, weights
        n = len(self.docs)
        self.idf = [_idf(n, df) for df in np.diff(starts).tolist()]

    def save(self, path: Path) -> None:
        """Write the index to ``path`` as a whole (never half a file), for ``load``."""
        arrays = {"header": _utf8(json.dumps({"format": FORMAT, "digest": _digest(self.docs)})),
                  "vocabulary": _utf8("\n".join(self.vocabulary)),  # stems have no spaces
                  "languages": np.asarray([LANGUAGES.index(x) for x in self.languages],
                                          dtype=np.uint8),
                  "postings.starts": self.posting_starts, "postings.docs": self.posting_docs,
                  "postings.weights": self.posting_weights}
        for (name, _w, _b), (starts, ids, tfs) in zip(FIELDS, self.fields):
            arrays.update({f"{name}.starts": starts, f"{name}.terms": ids, f"{name}.tfs": tfs})
        write_with(path, lambda fh: np.savez(fh, **arrays))

    @classmethod
    def load(cls, path: Path, docs: Sequence[Doc]) -> "MatchIndex | None":
        """The index saved at ``path`` if it was built from exactly ``docs`` (same texts, in
        the same order) with this version of the analysis; None if it is missing, stale,
        from another version or damaged, and the index must be built again."""
        index = cls.__new__(cls)
        index.docs = list(docs)
        n = len(index.docs)
        try:
            with np.load(path, allow_pickle=False) as saved:
                header = json.loads(saved["header"].tobytes().decode("utf-8"))
                if header != {"format": FORMAT, "digest": _digest(index.docs)}:
                    return None
                # Reading every member checks its CRC: a damaged file fails here.
                arrays = {name: saved[name] for name in saved.files}
            text = arrays["vocabulary"].tobytes().decode("utf-8")
            vocabulary = text.split("\n") if text else []
            size = len(vocabulary)
            fields = [(arrays[f"{name}.starts"], arrays[f"{name}.terms"], arrays[f"{name}.tfs"])
                      for name, _w, _b in FIELDS]
            codes = arrays["languages"]
            starts, docs_of, weights = (arrays["postings.starts"], arrays["postings.docs"],
                                        arrays["postings.weights"])
            sound = (len(set(vocabulary)) == size and codes.shape == (n,)
                     and (not n or int(codes.max()) < len(LANGUAGES))
                     and all(_rows(s, ids, n, size) and tfs.shape == ids.shape
                             and tfs.dtype.kind == "u" for s, ids, tfs in fields)
                     and _rows(starts, docs_of, size, n) and weights.shape == docs_of.shape
                     and weights.dtype == np.float32)
        except FileNotFoundError:
            return None
        except Exception:  # whatever is wrong with the file, building again answers it
            log.warning("unreadable matching index %s; building it again", path, exc_info=True)
            return None
        if not sound:
            log.warning("inconsistent matching index %s; building it again", path)
            return None
        index._adopt(vocabulary, [LANGUAGES[c] for c in codes.tolist()], fields,
                     starts, docs_of, weights)
        return index

    def scores(self, query: Mapping[str, float],
               groups: Mapping[tuple[str, ...], float] | None = None) -> np.ndarray:
        """BM25F scores of every reference for weighted terms, and for weighted sets of forms
        of one word counted as one term (Pirkola's structured queries): their frequencies
        added, and the references having any of them as its document frequency, so that a
        word found in three forms weighs no more than a word found in one."""
        total = np.zeros(len(self.docs), dtype=np.float32)
        for term, weight in query.items():
            k = self.term_ids.get(term)
            if k is None:
                continue
            start, end = self.posting_starts[k], self.posting_starts[k + 1]
            docs_of, tfw = self.posting_docs[start:end], self.posting_weights[start:end]
            total[docs_of] += weight * self.idf[k] * tfw * (K1 + 1) / (tfw + K1)
        for members, weight in (groups or {}).items():
            docs_of, tfw = self._merged(members)
            if len(docs_of):
                idf = _idf(len(self.docs), len(docs_of))
                total[docs_of] += weight * idf * tfw * (K1 + 1) / (tfw + K1)
        return total

    def forms(self, term: str, language: str, shortest: int = TRUNCATION) -> tuple[str, ...]:
        """The index's stems that are forms of ``term`` by truncation (``related_stems``),
        found in references in ``language``: Dutch 'effectief' is no form of English 'effect'."""
        if len(term) < TRUNCATION:
            return (term,)
        if self._sorted is None:
            self._sorted = sorted(self.vocabulary)
            self._language_codes = np.asarray([LANGUAGES.index(x) for x in self.languages],
                                              dtype=np.uint8)
        found = [term[:n] for n in range(shortest, len(term)) if term[:n] in self.term_ids]
        at = bisect.bisect_left(self._sorted, term)
        while at < len(self._sorted) and self._sorted[at].startswith(term):
            found.append(self._sorted[at])
            at += 1
        code = LANGUAGES.index(language)
        def used_in_language(form: str) -> bool:
            k = self.term_ids[form]
            docs_of = self.posting_docs[self.posting_starts[k]:self.posting_starts[k + 1]]
            return bool(np.any(self._language_codes[docs_of] == code))
        return tuple(sorted({term, *(f for f in found if f != term and used_in_language(f))}))

    def _merged(self, members: Collection[str]) -> tuple[np.ndarray, np.ndarray]:
        """The references having any of the forms ``members``, with their weighted
        frequencies added."""
        ranges = [(self.posting_starts[k], self.posting_starts[k + 1])
                  for k in (self.term_ids.get(t) for t in members) if k is not None]
        if not ranges:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        docs_of, where = np.unique(np.concatenate([self.posting_docs[a:b] for a, b in ranges]),
                                   return_inverse=True)
        tfw = np.bincount(where, weights=np.concatenate(
            [self.posting_weights[a:b] for a, b in ranges])).astype(np.float32)
        return docs_of, tfw

    def idf_of(self, forms: Collection[str]) -> float:
        """The idf of a word found in any of ``forms``."""
        return _idf(len(self.docs), len(self._merged(forms)[0]))

    def top(self, scores: np.ndarray, n: int) -> list[int]:
        if n <= 0 or not len(scores):
            return []
        n = min(n, len(scores))
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [int(i) for i in best if scores[i] > 0]

    def phrase_counts(self, i: int, phrases: Mapping[tuple[str, ...], Sequence[Collection[str]]]
                      ) -> dict[tuple[str, ...], float]:
        """How often each phrase occurs in reference ``i``, weighted by field as the index
        weighs its words (positions are not indexed: the text is read again). A phrase is
        given with the forms each of its words may take: 'employee representation' is found
        in 'employee representatives', as its words are alone."""
        present = self.doc_terms(i)
        wanted = {p: forms for p, forms in phrases.items()
                  if all(any(f in present for f in word) for word in forms)}
        found: dict[tuple[str, ...], float] = {}
        if not wanted:
            return found
        doc = self.docs[i]
        for name, weight, _b in FIELDS:
            run = terms(getattr(doc, name), self.languages[i])
            for phrase, forms in wanted.items():
                size = len(forms)
                tf = sum(1 for k in range(len(run) - size + 1)
                         if all(run[k + j] in forms[j] for j in range(size)))
                if tf:
                    found[phrase] = found.get(phrase, 0.0) + weight * tf
        return found

    def words_of(self, i: int, stems: set[str]) -> dict[str, str]:
        """The (folded) word reference ``i`` first writes for each of ``stems``."""
        found: dict[str, str] = {}
        if not stems:
            return found
        doc, language = self.docs[i], self.languages[i]
        for name, _w, _b in FIELDS:
            for word in words(getattr(doc, name)):
                term = stem(word, language)
                if term in stems and term not in found:
                    found[term] = word
        return found

    def doc_terms(self, i: int) -> Counter[str]:
        """The words of reference ``i`` with their counts over all fields (title first)."""
        merged: Counter[str] = Counter()
        for starts, ids, tfs in self.fields:
            start, end = starts[i], starts[i + 1]
            for k, tf in zip(ids[start:end].tolist(), tfs[start:end].tolist()):
                merged[self.vocabulary[k]] += tf
        return merged

    def feedback_model(self, docs: Sequence[int], weights: Sequence[float],
                       exclude: Iterable[int] = ()) -> dict[str, float]:
        """A relevance model: each word's share of the given references' text, weighted per
        reference, without the words of references judged not relevant; top terms, sum 1."""
        model: Counter[str] = Counter()
        for i, weight in zip(docs, weights):
            counts = self.doc_terms(i)
            length = sum(counts.values()) or 1
            for term, tf in counts.items():
                model[term] += weight * tf / length
        for i in exclude:
            for term in self.doc_terms(i):
                model.pop(term, None)
        chosen = model.most_common(FEEDBACK_TERMS)
        total = sum(w for _t, w in chosen) or 1.0
        return {t: w / total for t, w in chosen}


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else 0.0


def _postings(fields: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
              lengths: Sequence[np.ndarray],
              size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per term id, the references that have it (ascending) and its BM25F weighted term
    frequency there: (where each term's run starts, references, weights)."""
    n = len(lengths[0])
    m = max(n, 1)

    def doc_of(starts: np.ndarray) -> np.ndarray:
        return np.repeat(np.arange(n, dtype=np.int64), np.diff(starts))

    # One key per (term, reference) and field; sorted, equal keys are one posting. Arrays go
    # as soon as they have served: at 100,000 references each is tens of megabytes.
    key = np.empty(sum(len(ids) for _s, ids, _t in fields), dtype=np.int64)
    offset = 0
    for starts, ids, _tfs in fields:
        np.multiply(ids, m, out=key[offset:offset + len(ids)], dtype=np.int64)
        key[offset:offset + len(ids)] += doc_of(starts)
        offset += len(ids)
    order = np.argsort(key)
    key = key[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    unique = key[first]
    del key
    posting_of = np.empty(len(order), dtype=np.int32)
    posting_of[order] = np.cumsum(first, dtype=np.int32)
    posting_of -= 1
    del order, first
    # Field by field in a fixed order, so that every sum is rounded exactly as the same
    # additions in plain Python: the ranking must not depend on how the index was built.
    total = np.zeros(len(unique))
    offset = 0
    for (_name, weight, b), (starts, ids, tfs), length in zip(FIELDS, fields, lengths):
        average = float(length.mean()) or 1.0 if n else 1.0
        norm = 1 - b + b * length.astype(np.float64) / average
        part = tfs.astype(np.float64)
        part *= weight
        part /= norm[doc_of(starts)]
        total[posting_of[offset:offset + len(ids)]] += part
        offset += len(ids)
    starts = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(unique // m, minlength=size), out=starts[1:])
    return starts, (unique % m).astype(np.int32), total.astype(np.float32)


def _narrow(counts: np.ndarray) -> np.ndarray:
    """Counts as 16-bit numbers when they fit, as they nearly always do."""
    return counts.astype(np.uint16) if not len(counts) or int(counts.max()) < 2 ** 16 else counts


def _rows(starts: np.ndarray, values: np.ndarray, rows: int, limit: int) -> bool:
    """Whether ``starts`` and ``values`` are well-formed compressed rows: ``rows`` rows of
    values in ``range(limit)``."""
    return (starts.shape == (rows + 1,) and values.ndim == 1 and starts.dtype.kind in "iu"
            and values.dtype.kind in "iu" and int(starts[0]) == 0
            and int(starts[-1]) == len(values) and bool(np.all(np.diff(starts) >= 0))
            and (not len(values) or (int(values.min()) >= 0 and int(values.max()) < limit)))


def _utf8(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _version(distribution: str) -> str:
    """An installed package's version ('' when it is not installed, or its metadata was
    not bundled): PyStemmer is the compiled form of snowballstemmer's stemmers."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _digest(docs: Sequence[Doc]) -> str:
    """What an index is built from: the texts of the references and how they are analysed."""
    digest = hashlib.sha256(repr((
        FORMAT, FIELDS, STEMMERS, _version("snowballstemmer"), _version("PyStemmer"),
        [sorted(stopwords(language)) for language in LANGUAGES])).encode("utf-8"))
    for d in docs:
        digest.update(repr((d.reference_id, d.key, d.title, d.abstract, d.keywords,
                            d.language)).encode("utf-8"))
    return digest.hexdigest()


@dataclass
class Query:
    weights: dict[str, float]
    surface: dict[str, str]   # term -> the word (or translation) it came from
    language: str
    # Translations of several words ('works council'), as runs of stems with their weight:
    # their words alone are weak evidence, the phrase itself is strong.
    phrases: dict[tuple[str, ...], float] = field(default_factory=dict)
    # How a phrase found whole is shown ('ondernemingsraad → works council'), and the terms
    # shown as a word of a phrase ('ondernemingsraad → council (works council)').
    phrase_surface: dict[tuple[str, ...], str] = field(default_factory=dict)
    parts: set[str] = field(default_factory=set)
    # Terms that are translations (not the asker's own words): matched in all their forms.
    translated: set[str] = field(default_factory=set)
    # Of those, the guesses (loanwords, English spellings) rather than a list's translations,
    # each with the asker's word it guesses at.
    guessed: dict[str, str] = field(default_factory=dict)
    # The asker's own stems that a translation has too, each with how that translation is
    # shown (in a paper of the other language).
    as_translation: dict[str, str] = field(default_factory=dict)

    def shortest(self, term: str) -> int:
        """How short a form of the translated ``term`` may be."""
        return GUESS_TRUNCATION if term in self.guessed else TRUNCATION

    def forms_in(self, index: MatchIndex) -> dict[str, tuple[str, ...]]:
        """Each term with the forms it is matched in: a translation in its forms in
        ``index``, the asker's own word as it is."""
        other = "en" if self.language == "nl" else "nl"
        return {term: index.forms(term, other, self.shortest(term))
                if term in self.translated else (term,) for term in self.weights}

    def terms_and_groups(self, forms: Mapping[str, tuple[str, ...]]
                         ) -> tuple[dict[str, float], dict[tuple[str, ...], float]]:
        """The weights to score: the asker's words as terms, each translation as the set
        of its ``forms``."""
        plain: dict[str, float] = {}
        groups: dict[tuple[str, ...], float] = {}
        for term, weight in self.weights.items():
            if len(forms[term]) == 1:
                plain[term] = weight
            else:
                groups[forms[term]] = max(groups.get(forms[term], 0.0), weight)
        return plain, groups

    def phrase_forms(self, forms: Mapping[str, tuple[str, ...]]
                     ) -> dict[tuple[str, ...], tuple[frozenset[str], ...]]:
        """Each phrase with the ``forms`` each of its words may take (its words are terms
        of the query)."""
        return {phrase: tuple(frozenset(forms[t]) for t in phrase) for phrase in self.phrases}


def build_query(text: str, language: str = "", terms_list: TermList | None = None) -> Query:
    """Weighted terms for a question: its own words, their translations, and guesses at
    the others (loanwords, English spellings)."""
    terms_list = terms_list or default_terms()
    language = language[:2].lower() if language[:2].lower() in LANGUAGES \
        else detect_language(text)
    other = "en" if language == "nl" else "nl"
    tokens = words(text)
    weights: dict[str, float] = {}
    surface: dict[str, str] = {}
    phrases: dict[tuple[str, ...], float] = {}
    phrase_surface: dict[tuple[str, ...], str] = {}
    parts: set[str] = set()

    translated: set[str] = set()
    from_list: set[str] = set()  # the translated terms the term list gave, not guesses
    guesses: dict[str, str] = {}  # a guessed term → the asker's word

    own: set[str] = set()  # the stems of the asker's words
    as_translation: dict[str, str] = {}

    def add(term: str, weight: float, shown: str, translation: bool = False,
            guess: str = "") -> None:
        if not term:
            return
        if translation:
            # Also when the asker wrote the same stem ('exoskeletten'): its other forms
            # ('exoskeleton') are found in papers of the other language.
            translated.add(term)
            if guess:
                guesses.setdefault(term, guess)
            else:
                from_list.add(term)
        if weight > weights.get(term, 0.0):
            weights[term] = weight
            surface.setdefault(term, shown)
        elif translation and not guess and term in own:
            # The asker's stem is also the translation's ('systeem', 'system'), now matched
            # in all the translation's forms ('systematic'): in a paper of the other language
            # it is shown as the translation.
            as_translation.setdefault(term, shown)

    stops = stopwords(language)
    kept = [t for t in tokens if len(t) > 1 and t not in stops]
    for token in kept:
        own.add(stem(token, language))
        add(stem(token, language), 1.0, token)
    # A Dutch word the user switched off in the term list ('-') is not guessed at either.
    guessable = [t for t in kept if not terms_list.silences(t, language)]
    for token in guessable:
        if language == "nl" and token not in stopwords(other):
            # Dutch practice text borrows English words ('feedback', 'workload', 'routinetaken'
            # for routine), matched in English papers in all their forms as translations are.
            add(stem(token, other), LOANWORD_WEIGHT, token, translation=True, guess=token)
    found = [(p, t, TRANSLATION_WEIGHT) for p, t in terms_list.translations(tokens, language)
             if not all(w in stops for w in p.split())]
    if language == "nl":
        covered = {w for p, _t, _w in found for w in p.split()}  # the list translates them
        found += [(part, t, COMPOUND_WEIGHT) for token in kept if token not in covered
                  for part, t in terms_list.compound_translations(token)]
        # A word the list does not know may be the English word in Dutch spelling, or
        # begin with one ('preventiemedewerker').
        for token in guessable:
            if token not in covered:
                for spelling in english_spellings(token):
                    add(stem(spelling, other), COGNATE_WEIGHT, f"{token} → {spelling}",
                        translation=True, guess=token)
                for spelling in compound_heads(token):
                    add(stem(spelling, other), COMPOUND_WEIGHT, f"{token} → {spelling}",
                        translation=True, guess=token)
    for phrase, translation, weight in found:
        # A translation of several words shares the weight: 'works council' must not make
        # every text about work a match for 'ondernemingsraad'.
        kept_words = [w for w in translation.split() if w not in stopwords(other) and len(w) > 1]
        if len(kept_words) > 1:
            run = tuple(stem(w, other) for w in kept_words)
            phrases[run] = max(weight, phrases.get(run, 0.0))
            phrase_surface.setdefault(run, f"{phrase} → {translation}")
        for word in kept_words:
            # A word found without the rest of its phrase says which phrase it is from.
            if len(kept_words) > 1 and stem(word, other) not in surface:
                parts.add(stem(word, other))
            add(stem(word, other), weight / len(kept_words),
                f"{phrase} → {word} ({translation})" if len(kept_words) > 1
                else f"{phrase} → {translation}",
                translation=True)
    return Query(weights, surface, language, phrases, phrase_surface, parts, translated,
                 {t: w for t, w in guesses.items() if t not in from_list}, as_translation)


def rank(index: MatchIndex, query: Query, top: int = 20, relevant: Sequence[int] = (),
         not_relevant: Sequence[int] = (), pseudo_feedback: bool = True,
         also: Sequence[int] = ()) -> list[Hit]:
    """The best ``top`` references for the query, with the words that matched each; then
    those of ``also`` that are not among them (screened ones, wherever they rank now).

    With screening decisions, their references steer the ranking (relevance feedback);
    without any, the first hits do (pseudo-relevance feedback).
    """
    forms = query.forms_in(index)
    plain, groups = query.terms_and_groups(forms)
    first = index.scores(plain, groups)
    if relevant:
        docs, shares = list(relevant), [1.0] * len(relevant)
    elif pseudo_feedback:
        docs = index.top(first, FEEDBACK_DOCS)
        # BM25 is a sum of log-odds term weights (Robertson-Sparck Jones), so exp(score) is
        # proportional to a reference's odds of relevance: the relevance model's P(D|Q).
        best = float(first[docs[0]]) if docs else 0.0
        shares = [math.exp(float(first[i]) - best) for i in docs]
    else:
        docs, shares = [], []
    share = 1.0
    if docs:
        model = index.feedback_model(docs, shares, not_relevant)
        # The question's half of the mix is shared by the terms some reference has: the
        # Dutch words of a question put to an English library match nothing, and counting
        # them would leave its translations a sliver beside the feedback terms.
        share = ORIGINAL_WEIGHT / (sum(w for t, w in plain.items() if t in index.term_ids)
                                   + sum(groups.values()) or 1.0)
        mixed = {t: w * share for t, w in plain.items()}
        for term, w in model.items():
            mixed[term] = mixed.get(term, 0.0) + (1 - ORIGINAL_WEIGHT) * w
        final = index.scores(mixed, {g: w * share for g, w in groups.items()})
    else:
        final = first
    whole_in: dict[int, dict[tuple[str, ...], float]] = {}
    phrases = query.phrase_forms(forms)
    if phrases:
        final, whole_in = _with_phrases(index, query, phrases, final, top, share)
    # Each of the query's terms, with the forms it was matched in.
    asked = {t: (t,) for t in plain} | {f: g for g in groups for f in g}
    hits = []
    best = index.top(final, top)
    shown = set(best)
    for i in best + [i for i in dict.fromkeys(also) if i not in shown]:
        present = index.doc_terms(i)
        found = {t: [f for f in asked.get(t, (t,)) if f in present] for t in query.weights}
        # A guess is shown by the word the paper uses: it may be no word itself ('informated').
        written = index.words_of(i, {f for t, fs in found.items() if t in query.guessed
                                     for f in fs})
        # A translated phrase found whole is shown whole, instead of its words.
        whole = list(whole_in[i] if i in whole_in else index.phrase_counts(i, phrases))
        within = {t for p in whole for t in p}
        crossed = query.as_translation if index.languages[i] != query.language else {}
        matched = tuple(dict.fromkeys(
            [query.phrase_surface[p] for p in whole] + [
                _shown(query.guessed[t], written[fs[0]])
                if t in query.guessed and fs[0] in written else crossed.get(t, query.surface[t])
                for t, fs in found.items() if fs and not (t in within and t in query.parts)]))
        doc = index.docs[i]
        hits.append(Hit(doc.reference_id, doc.key, round(float(final[i]), 4), matched))
    return hits


def _shown(asked: str, written: str) -> str:
    return asked if asked == written else f"{asked} → {written}"


def _with_phrases(index: MatchIndex, query: Query,
                  phrases: Mapping[tuple[str, ...], Sequence[Collection[str]]],
                  scores: np.ndarray, top: int, share: float
                  ) -> tuple[np.ndarray, dict[int, dict[tuple[str, ...], float]]]:
    """Scores of the best candidates raised where a translated phrase occurs whole: it then
    counts as much as a single translated word would (its weight times ``share``, the scale
    of the question's terms in ``scores``), on top of what its words had; and the phrases
    found in each candidate, for the explanations.

    Only the first candidates are read again (positions are not indexed), enough to reorder
    the part of the ranking anyone looks at."""
    scores = scores.copy()
    found = {i: index.phrase_counts(i, phrases)
             for i in index.top(scores, max(PHRASE_CANDIDATES, top))}
    # A phrase is at least as rare as its rarest word.
    idf = {p: max(index.idf_of(forms) for forms in phrases[p])
           for p in {p for counts in found.values() for p in counts}}
    for i, counts in found.items():
        for phrase, tf in counts.items():
            scores[i] += share * query.phrases[phrase] * idf[phrase] * tf * (K1 + 1) / (tf + K1)
    return scores, found


def highlight_words(query: Query, text: str, language: str) -> set[str]:
    """The (folded) words of ``text`` whose stems the query asked for."""
    wanted = set(query.weights)
    stops = stopwords("en") | stopwords("nl")

    # Translations are matched in all their forms, in the language they were translated to.
    translated = query.translated if language != query.language else set()

    def asked(found: str) -> bool:
        return found in wanted or any(related_stems(found, t, query.shortest(t))
                                      for t in translated)
    return {w for w in words(text) if w not in stops and asked(stem(w, language))}


# -- the workspace's library ------------------------------------------------------------------
_CACHE: dict[tuple[str, str], tuple[tuple[int, ...], MatchIndex]] = {}


def cached_index(session: Session, kind: str, version: tuple[int, ...],
                 build: Callable[[], MatchIndex]) -> MatchIndex:
    """An index of this workspace, built again only when ``version`` (what it was built
    from) has changed since."""
    key = (str(session.get_bind().url), kind)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    index = build()
    _CACHE[key] = (version, index)
    return index


def library_index(session: Session, control: TaskControl = NO_CONTROL) -> MatchIndex:
    """The index of the live library, rebuilt only when a reference changed since (which
    takes a while for a large library: run it as a task).

    Between runs the index is kept in the data folder's cache, one file per workspace: a
    later process (the app after a restart, the command line) reads it instead of building
    it again when the library's indexed texts are still those it was built from.
    """
    from sqlalchemy import func, select

    from ..models.entities import Reference
    from ..models.local import ChangeLog

    version = (session.execute(select(func.count()).select_from(Reference)).scalar_one(),
               session.execute(select(func.max(ChangeLog.seq)).where(
                   ChangeLog.entity == "reference")).scalar() or 0)

    def build() -> MatchIndex:
        rows = session.execute(select(
            Reference.id, Reference.citation_key, Reference.title, Reference.abstract,
            Reference.keywords, Reference.language).where(Reference.deleted.is_(False))
            .order_by(Reference.citation_key))
        docs = [Doc(r.id, r.citation_key, r.title, r.abstract, " ".join(r.keywords or []),
                    r.language or "") for r in rows]
        path = index_file(session)
        index = MatchIndex.load(path, docs) if path else None
        if index is not None and path is not None:
            _touch(path)
        elif path is not None:
            index = MatchIndex(docs, control)
            try:
                index.save(path)
            except OSError:
                # Only the next start is slower: matching itself goes on.
                log.warning("could not save the matching index to %s", path, exc_info=True)
            _prune(path.parent, keep=path)
        else:
            index = MatchIndex(docs, control)
        return index

    return cached_index(session, "library", version, build)


def _touch(path: Path) -> None:
    try:
        os.utime(path)  # in use: ``_prune`` goes by when an index was last used
    except OSError:
        pass


def _prune(folder: Path, keep: Path) -> None:
    """Remove the indexes no workspace has used for ``CACHE_DAYS`` (a deleted or moved
    workspace leaves its file behind; at 100,000 references it holds 90 MB), and pieces of
    writes a crash interrupted."""
    now = time.time()
    for file in folder.iterdir():
        stale = CACHE_DAYS * 86400 if file.suffix == ".npz" else 86400
        try:
            if file != keep and now - file.stat().st_mtime > stale:
                file.unlink()
        except OSError:
            log.warning("could not remove the old matching index %s", file, exc_info=True)


def index_file(session: Session) -> Path | None:
    """Where the library index of the session's workspace is kept between runs (named after
    the workspace file's path); None for a database that is not a file."""
    listed = session.connection().exec_driver_sql("PRAGMA database_list").all()
    file = next((row[2] for row in listed if row[1] == "main"), "")
    if not file:
        return None
    name = hashlib.sha256(str(Path(file).resolve()).encode("utf-8")).hexdigest()[:32]
    return cache_dir() / "matching" / f"{name}.npz"


def question_text(session: Session, question_id: str) -> tuple[str, str]:
    """(text, language) of a practice question: title, question and case description."""
    from ..models.entities import PracticeQuestion
    from . import questions

    q = session.get(PracticeQuestion, question_id)
    if q is None or q.deleted:
        raise KeyError(f"no practice question with id {question_id}")
    case = questions.case_text(session, q.id)
    return f"{q.title}\n{q.question_text}\n{q.reformulated_question}\n{case}", q.language


