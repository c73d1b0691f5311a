"""Reading BibTeX and BibLaTeX into CSL-JSON meaning, entry by entry, losing nothing.

bibtexparser (2.x) splits the file into blocks and reports broken ones; everything after that is
ours: @string macros and ``#`` concatenation, month macros, crossref inheritance (cascading,
cycle-safe), LaTeX to Unicode (``latex.py``, fast), names into CSL names (corporate authors kept
whole), and the BibTeX/BibLaTeX field and type vocabularies mapped to CSL. Fields with no CSL
meaning are kept under ``_bibtex`` in the item, and the original record verbatim, so an export
can give them back.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import bibtexparser
from bibtexparser import model

from .. import i18n
from ..i18n import _
from .bibentry import ParsedEntry, ParseResult, Rejected
from .latex import latex_to_unicode, split_names
from .prepared import Wire, to_wire
from .tasks import gc_paused

# bibtexparser logs every failed block; the import report already says it, with the line.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

EXTRA = "_bibtex"
_START = re.compile(r"(?m)^([ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(])[ \t]*(?=,)")
_NO_KEY = "tandemNoKey"
_NOT_ENTRIES = {"string", "comment", "preamble"}

TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "booklet": "pamphlet",
    "bookinbook": "chapter", "inbook": "chapter", "incollection": "chapter",
    "suppbook": "chapter", "suppcollection": "chapter", "collection": "book",
    "mvcollection": "book", "reference": "book", "mvreference": "book", "inreference": "entry",
    "proceedings": "book", "mvproceedings": "book", "inproceedings": "paper-conference",
    "conference": "paper-conference", "phdthesis": "thesis", "mastersthesis": "thesis",
    "thesis": "thesis", "techreport": "report", "report": "report", "manual": "report",
    "misc": "document", "online": "webpage", "electronic": "webpage", "www": "webpage",
    "patent": "patent", "periodical": "periodical", "suppperiodical": "article-journal",
    "unpublished": "manuscript", "software": "software", "softwareversion": "software",
    "softwaremodule": "software", "codefragment": "software", "dataset": "dataset",
    "artwork": "graphic", "audio": "song", "video": "motion_picture", "movie": "motion_picture",
    "music": "song", "image": "graphic", "letter": "personal_communication",
    "legislation": "legislation", "jurisdiction": "legal_case", "standard": "standard",
    "set": "document", "xdata": "document",
}
GENRES = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}
CONTAINED = {"inbook", "incollection", "inproceedings", "bookinbook", "suppbook",
             "suppcollection", "inreference", "conference"}

_PLAIN = {  # BibTeX field -> CSL variable, LaTeX decoded
    "volume": "volume", "edition": "edition", "abstract": "abstract", "note": "note",
    "annote": "annote", "annotation": "annote", "shortjournal": "container-title-short",
    "shorttitle": "title-short", "series": "collection-title", "chapter": "chapter-number",
    "pagetotal": "number-of-pages", "volumes": "number-of-volumes", "version": "version",
    "howpublished": "medium", "titleaddon": "title-addon", "eventtitle": "event-title",
    "venue": "event-place", "origlanguage": "original-language",
}
_VERBATIM = {"doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN", "pmid": "PMID",
             "pmcid": "PMCID"}
_NAMES = {"author": "author", "editor": "editor", "translator": "translator",
          "bookauthor": "container-author", "commentator": "commentator",
          "introduction": "introduction"}
_HANDLED = set(_PLAIN) | set(_VERBATIM) | set(_NAMES) | {
    "title", "subtitle", "journal", "journaltitle", "journalsubtitle", "booktitle",
    "booksubtitle", "maintitle", "mainsubtitle", "number", "issue", "pages", "year", "date",
    "month", "urldate", "publisher", "institution", "school", "organization", "address",
    "location", "keywords", "language", "langid", "type", "crossref", "eprint",
    "eprinttype", "archiveprefix"}
_INHERIT_NEVER = {"crossref", "xref", "ids", "entryset", "label", "shorthand", "sortkey",
                  "title", "subtitle", "titleaddon"}
MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTH_NAMES = {
    "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12, "sept": 9,
}
_LANGIDS = {
    "english": "en", "american": "en-US", "usenglish": "en-US", "british": "en-GB",
    "ukenglish": "en-GB", "australian": "en-AU", "canadian": "en-CA", "dutch": "nl",
    "flemish": "nl-BE", "german": "de", "ngerman": "de", "austrian": "de-AT",
    "naustrian": "de-AT", "swissgerman": "de-CH", "french": "fr", "spanish": "es",
    "italian": "it", "portuguese": "pt", "brazil": "pt-BR", "danish": "da",
    "norwegian": "nb", "swedish": "sv", "finnish": "fi", "polish": "pl", "czech": "cs",
    "russian": "ru", "greek": "el", "latin": "la", "turkish": "tr", "japanese": "ja",
    "chinese": "zh", "catalan": "ca", "hungarian": "hu", "croatian": "hr", "slovene": "sl",
}
_PARAGRAPHS = {"abstract", "annote", "note", "annotation"}
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.I)
_DATE = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


# -- values -----------------------------------------------------------------------------------
def _pieces(value: str) -> Iterator[str]:
    """Split a raw value on ``#`` outside braces and quotes."""
    depth, quoted, start = 0, False, 0
    for i, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0 and (i == 0 or value[i - 1] != "\\"):
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            yield value[start:i].strip()
            start = i + 1
    yield value[start:].strip()


def resolve(raw: str, strings: dict[str, str]) -> str:
    """A raw field value (with its delimiters) to its text: macros expanded, pieces joined."""
    if "#" not in raw:
        return _piece(raw.strip(), strings)
    return "".join(_piece(p, strings) for p in _pieces(raw))


def _piece(piece: str, strings: dict[str, str]) -> str:
    if len(piece) >= 2 and ((piece[0] == "{" and piece[-1] == "}")
                            or (piece[0] == '"' and piece[-1] == '"')):
        return piece[1:-1]
    if piece.isdigit():
        return piece
    lower = piece.lower()
    if lower in strings:
        return strings[lower]
    if lower in MONTHS:
        return str(MONTHS[lower])
    return piece


# -- dates --------------------------------------------------------------------------------------
def _month_number(text: str) -> int | None:
    text = text.strip().lower().rstrip(".")
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return MONTHS.get(text[:3]) if text[:3] in MONTHS else _MONTH_NAMES.get(text)


def parse_date(text: str) -> dict[str, Any] | None:
    """``2020``, ``2020-05-17``, ranges ``2001/2002``, open ``2001/`` to CSL date parts."""
    parts = []
    for side in text.strip().split("/")[:2]:
        match = _DATE.match(side.strip())
        if not match:
            if side.strip() == "" and parts:
                continue
            return None
        parts.append([int(g) for g in match.groups() if g])
    return {"date-parts": parts} if parts else None


# -- entries ------------------------------------------------------------------------------------
def _inherit(key: str, fields: dict[str, dict[str, str]], types: dict[str, str],
             warnings: dict[str, list[str]], done: set[str], trail: tuple[str, ...] = ()) -> None:
    """Resolve ``crossref`` for one entry in place, parents first (cycle-safe)."""
    if key in done:
        return
    own = fields[key]
    parent_key = own.get("crossref", "").strip().lower()
    if not parent_key:
        done.add(key)
        return
    if parent_key in trail or parent_key == key:
        warnings[key].append(_("crossref cycle through {keys}; not inherited").format(
            keys=" → ".join(trail + (key, parent_key))))
        done.add(key)
        return
    if parent_key not in fields:
        warnings[key].append(_("crossref {parent} is not in this file; nothing inherited")
                             .format(parent=own["crossref"]))
        done.add(key)
        return
    _inherit(parent_key, fields, types, warnings, done, trail + (key,))
    parent = fields[parent_key]
    contained = types[key] in CONTAINED
    for name, value in parent.items():
        if name not in _INHERIT_NEVER and name not in own:
            own[name] = value
    if contained:
        for src, dst in (("title", "booktitle"), ("subtitle", "booksubtitle")):
            if src in parent and dst not in own:
                own[dst] = parent[src]
    done.add(key)


# Compiled once: in a loop over thousands of entries, re's own pattern cache lookup costs more
# than the match.
_BLANK_LINE = re.compile(r"\n\s*\n")
_YEAR = re.compile(r"(\d{4})[a-z]?")


def field_text(value: str, paragraphs: bool = False) -> str:
    """Decoded field text with BibTeX's line wrapping undone (blank lines kept as breaks)."""
    # Short values (journals, publishers, places) repeat across a bibliography: cache them;
    # long ones (abstracts) are unique and would only fill the cache.
    if len(value) < 200:
        return _short_text(value, paragraphs)
    return _text(value, paragraphs)


@lru_cache(maxsize=16384)
def _short_text(value: str, paragraphs: bool) -> str:
    return _text(value, paragraphs)


def _text(value: str, paragraphs: bool) -> str:
    decoded = latex_to_unicode(value)
    if paragraphs:
        return "\n".join(" ".join(p.split()) for p in _BLANK_LINE.split(decoded)
                         if p.strip())
    return " ".join(decoded.split())


@lru_cache(maxsize=16384)  # a lab's bibliography names the same people again and again
def _parsed_names(value: str) -> tuple[dict[str, str], ...]:
    return tuple({k: " ".join(v.split()) for k, v in name.items() if v and v.strip()}
                 for name in split_names(value))


def _names(value: str) -> list[dict[str, str]]:
    return [dict(name) for name in _parsed_names(value)]


def _title(main: str | None, sub: str | None) -> str | None:
    if main is None:
        return None
    main = field_text(main)
    if sub:
        sep = "" if main.endswith(("?", "!", ":", ".")) else ":"
        main = f"{main}{sep} {field_text(sub)}"
    return main


def to_csl(entry_type: str, fields: dict[str, str], warnings: list[str]) -> dict[str, Any]:
    """One entry's resolved fields (macros expanded, crossref applied) to a CSL-JSON item."""
    kind = entry_type.lower()
    csl: dict[str, Any] = {"type": TYPES.get(kind, "document")}
    if kind not in TYPES:
        warnings.append(_("unknown entry type @{kind}, kept as a document").format(kind=kind))
    f = fields
    title = _title(f.get("title"), f.get("subtitle"))
    if title:
        csl["title"] = title
    container = (_title(f.get("journaltitle") or f.get("journal"), f.get("journalsubtitle"))
                 or _title(f.get("booktitle"), f.get("booksubtitle"))
                 or (_title(f.get("maintitle"), f.get("mainsubtitle")) if kind in CONTAINED
                     else None))
    if container:
        csl["container-title"] = container
    # Walk the entry's own fields (a dozen) rather than every name the tables know (forty).
    for name, value in f.items():
        if not value.strip():
            continue
        if name in _PLAIN:
            csl[_PLAIN[name]] = field_text(value, paragraphs=name in _PARAGRAPHS)
        elif name in _VERBATIM:
            csl[_VERBATIM[name]] = value.strip() if name == "url" else "".join(value.split())
        elif name in _NAMES:
            csl[_NAMES[name]] = _names(value)
    if "DOI" in csl:
        csl["DOI"] = _DOI_PREFIX.sub("", csl["DOI"])
    number = f.get("number", "").strip()
    issue = f.get("issue", "").strip()
    if csl["type"] == "article-journal":
        if issue or number:
            csl["issue"] = field_text(issue or number)
    elif number:
        csl["number"] = field_text(number)
    if f.get("pages", "").strip():
        csl["page"] = field_text(f["pages"]).replace(" ", "")
    publisher = f.get("publisher") or f.get("school") or f.get("institution") \
        or f.get("organization")
    if publisher:
        csl["publisher"] = field_text(publisher)
    place = f.get("location") or f.get("address")
    if place:
        csl["publisher-place"] = field_text(place)
    if f.get("keywords", "").strip():
        csl["keyword"] = field_text(f["keywords"])
    language = f.get("langid") or f.get("language")
    if language:
        language = field_text(language)
        csl["language"] = _LANGIDS.get(language.lower(), language)
    genre = f.get("type", "").strip() or GENRES.get(kind)
    if genre:
        csl["genre"] = field_text(genre)
    if f.get("eprint", "").strip():
        prefix = (f.get("eprinttype") or f.get("archiveprefix") or "").strip()
        csl["archive_location"] = f"{prefix}:{f['eprint'].strip()}" if prefix \
            else f["eprint"].strip()
    issued = _issued(f, warnings)
    if issued:
        csl["issued"] = issued
    if f.get("urldate", "").strip():
        accessed = parse_date(f["urldate"])
        if accessed:
            csl["accessed"] = accessed
    extra = {k: v for k, v in f.items() if k not in _HANDLED}
    if extra:
        csl[EXTRA] = extra
    return csl


def _issued(f: dict[str, str], warnings: list[str]) -> dict[str, Any] | None:
    if f.get("date", "").strip():
        date = parse_date(f["date"])
        if date is None:
            warnings.append(_("date {value!r} is not a date; left out").format(value=f["date"]))
        return date
    year = field_text(f.get("year", ""))
    if not year:
        return None
    match = _YEAR.fullmatch(year)
    if not match:
        warnings.append(_("year {value!r} is not a year; kept as text").format(value=year))
        return {"literal": year}
    parts = [int(match.group(1))]
    month = _month_number(f.get("month", "")) if f.get("month") else None
    if month:
        parts.append(month)
    return {"date-parts": [parts]}


@dataclass
class _Raw:
    """An entry after macro expansion, before crossref inheritance and CSL mapping."""

    ident: str
    kind: str
    key: str
    line: int
    raw: str
    fields: dict[str, str]
    warnings: list[str]


def _read_blocks(text: str, strings: dict[str, str],
                 line_offset: int = 0) -> tuple[list[_Raw], list[Rejected]]:
    """Split ``text`` into entries with expanded values; ``strings`` gains its @string macros."""
    placeholders: dict[str, int] = {}

    def give_key(match: re.Match[str]) -> str:
        if match.group(2).lower() in _NOT_ENTRIES:
            return match.group(0)
        name = f"{_NO_KEY}{len(placeholders)}"
        placeholders[name] = text.count("\n", 0, match.start()) + 1 + line_offset
        return match.group(1) + name

    prepared = _START.sub(give_key, text) if "," in text else text
    library = bibtexparser.parse_string(prepared, parse_stack=[])
    for block in library.strings:
        strings[block.key.lower()] = resolve(block.value, strings)

    rejected: list[Rejected] = []
    entries: list[tuple[model.Entry, str | None]] = [(e, None) for e in library.entries]
    for block in library.failed_blocks:
        line = block.start_line + 1 + line_offset
        if isinstance(block, model.DuplicateBlockKeyBlock):
            entries.append((block.ignore_error_block, _("duplicate citation key {key}").format(
                key=block.key)))
        elif isinstance(block, model.DuplicateFieldKeyBlock) and block.ignore_error_block:
            entries.append((block.ignore_error_block, _("field(s) {fields} given twice; the "
                                                         "first value was kept").format(
                fields=", ".join(sorted(block.duplicate_keys)))))
        else:
            reason = getattr(block.error, "abort_reason", None) or str(block.error)
            key_match = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s]*)", block.raw)
            key = key_match.group(1) if key_match and key_match.group(1) else None
            rejected.append(Rejected(line, key if key and not key.startswith(_NO_KEY)
                                     else None, _("not readable as BibTeX: {reason}")
                                     .format(reason=reason.strip())))
    entries.sort(key=lambda pair: pair[0].start_line)

    raws = []
    for entry, note in entries:
        fields: dict[str, str] = {}
        for fld in entry.fields:
            name = fld.key.lower()
            if name not in fields:
                fields[name] = resolve(fld.value, strings)
        key, raw, line = entry.key, entry.raw, entry.start_line + 1 + line_offset
        if key.startswith(_NO_KEY):
            raw = raw.replace(key, "", 1)
            line = placeholders.get(key, line)
            key = ""
        ident = f"{key.lower()}\x00{line}" if note or not key else key.lower()
        raws.append(_Raw(ident, entry.entry_type.lower(), key, line, raw, fields,
                         [note] if note else []))
    return raws, rejected


def _convert(raws: list[_Raw], parents: dict[str, _Raw] | None = None) -> list[ParsedEntry]:
    """Crossref inheritance among ``raws`` (and ``parents``), then CSL mapping."""
    pool = {**(parents or {}), **{r.ident: r for r in raws}}
    fields = {i: r.fields for i, r in pool.items()}
    types = {i: r.kind for i, r in pool.items()}
    warnings = {i: r.warnings for i, r in pool.items()}
    done: set[str] = set()
    out = []
    for r in raws:
        if "crossref" in r.fields:
            _inherit(r.ident, fields, types, warnings, done)
        out.append(ParsedEntry(r.line, r.key, to_csl(r.kind, r.fields, r.warnings), r.raw,
                               r.warnings))
    return out


def parse_bibtex(text: str) -> ParseResult:
    """The whole file in this process (see ``iter_bibtex`` for large files)."""
    raws, rejected = _read_blocks(text, {})
    return ParseResult(_convert(raws), rejected)


# -- large files: several processes ----------------------------------------------------------
_BLOCK = re.compile(r"(?m)^[ \t]*@[ \t]*[A-Za-z]")
_STRING_BLOCK = re.compile(r"(?m)^[ \t]*@[ \t]*string[ \t]*[{(]")  # on lowercased text
_CROSSREF = re.compile(r"crossref\s*=\s*[{\"]?\s*([^}\",\s]+)")  # on lowercased text
PARALLEL_MIN_BYTES = 1_500_000
PIECE_BYTES = 250_000  # a few hundred entries: the first batch is stored early


def count_entries(text: str) -> int:
    """About how many entries the file holds (for progress): blocks that start a line."""
    return text.count("\n@") + text.lstrip().startswith("@")


def _chunk_job(text: str, line_offset: int, strings: dict[str, str], parents: set[str],
               language: str) -> tuple[list[Wire], list[Rejected], list[_Raw], list[_Raw]]:
    """Worker: entries without crossref converted and prepared for storing; crossref
    children and their possible parents returned raw."""
    i18n.set_language(language)
    with gc_paused():
        raws, rejected = _read_blocks(text, dict(strings), line_offset)
        plain = [r for r in raws if "crossref" not in r.fields]
        children = [r for r in raws if "crossref" in r.fields]
        found_parents = [r for r in raws if r.key.lower() in parents]
        return [to_wire(e) for e in _convert(plain)], rejected, children, found_parents


def iter_bibtex(text: str, workers: int | None = None) -> Iterator[ParseResult]:
    """Parse in batches, large files split at entry boundaries over worker processes.

    bibtexparser is pure Python and takes most of an import's time; spread over the cores, it
    runs beside the storing of earlier batches. Macros are collected first (they may be used
    in any piece) and crossref children are converted last, once every parent is known.
    Batches come out in file order, so the first of two duplicates is the one kept.
    """
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    if len(text) < PARALLEL_MIN_BYTES or workers < 1:
        yield parse_bibtex(text)
        return
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters lowercase to two (İ): offsets would shift
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    strings: dict[str, str] = {}
    string_text = "\n".join(text[m.start():_next_block(text, m.end())]
                            for m in _STRING_BLOCK.finditer(lowered))
    if string_text:
        _read_blocks(string_text, strings)
    parents = ({m.group(1) for m in _CROSSREF.finditer(lowered)} if "crossref" in lowered
               else set())
    # Small pieces: the first batch is ready to store soon, and no worker idles at the end
    # while another finishes a large last piece.
    cuts = _cuts(text, max(workers * 4, len(text) // PIECE_BYTES))
    offsets = [0]
    for a, b in zip(cuts, cuts[1:-1]):
        offsets.append(offsets[-1] + text.count("\n", a, b))
    pieces = [(text[a:b], offset) for (a, b), offset in zip(zip(cuts, cuts[1:]), offsets)]
    # fork is cheap but only safe while this process runs a single thread (the command line);
    # the app runs imports on a worker thread, so it spawns fresh interpreters instead.
    method = ("fork" if threading.active_count() == 1
              and "fork" in multiprocessing.get_all_start_methods() else "spawn")
    context = multiprocessing.get_context(method)
    language = i18n.current_language()
    children: list[_Raw] = []
    parent_raws: dict[str, _Raw] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        jobs = [pool.submit(_chunk_job, piece, offset, strings, parents, language)
                for piece, offset in pieces]
        stolen: dict[int, Any] = {}
        last = len(jobs) - 1
        # With a worker on every core, a piece read here would only take a core from them.
        steal = workers < (os.cpu_count() or 1)
        try:
            for number, job in enumerate(jobs):
                # Work stealing: rather than wait for this piece, read the last piece no
                # worker has started, so this process never idles while the workers are busy.
                while steal and number not in stolen and not job.done() and last > number:
                    if jobs[last].cancel():
                        stolen[last] = _chunk_job(*pieces[last], strings, parents, language)
                    last -= 1
                wires, rejected, kids, found = (stolen.pop(number) if number in stolen
                                                else job.result())
                children.extend(kids)
                for raw in found:
                    parent_raws.setdefault(raw.key.lower(), raw)
                yield ParseResult([], rejected, wires)
        finally:
            for job in jobs:
                job.cancel()
    if children:
        yield ParseResult(_convert(children, parent_raws), [])


def _next_block(text: str, pos: int) -> int:
    found = _BLOCK.search(text, pos)
    return found.start() if found else len(text)


def _cuts(text: str, pieces: int) -> list[int]:
    """Offsets that split ``text`` into about ``pieces`` parts, each cut at a block start."""
    cuts = [0]
    step = len(text) // pieces
    for i in range(1, pieces):
        found = _BLOCK.search(text, max(i * step, cuts[-1] + 1))
        if found is None:
            break
        if found.start() > cuts[-1]:
            cuts.append(found.start())
    cuts.append(len(text))
    return cuts
