"""Reading RIS (EndNote, Zotero, Mendeley, Scopus, Web of Science, publisher exports) into
CSL-JSON meaning, record by record, losing nothing.

Lines are ``XX  - value``: two characters, two spaces, a hyphen, a space. Other spacing before
the hyphen (one space, three) is accepted only for tags in the RIS vocabulary, so that a wrapped
abstract line such as ``US - based firms`` stays text; a tag starts its line (an indented one is
text). A record runs from ``TY`` to ``ER``; a line that is not a tag continues the previous tag's
value (joined by a space, by a newline in AB/N2). CRLF, CR and a byte-order mark are fine.
A ``TY`` inside an open record starts a new record: the open one is kept, with the warning that
no ER closed it (a lost ER line must not merge two references into one).

Everything ends up somewhere: records become ``ParsedEntry`` values; empty records, tags without
a TY and text between records (an export's "Provider:" header too) become ``Rejected`` values
with their line. Values with no CSL home (unmapped tags, further values of one-value tags, dates
that disagree with the one used) are kept under ``_ris`` in the item as ``{tag: [values]}`` and
named in the warnings, and the record is kept verbatim, so an export can give them back.

TY → CSL type (unknown or missing: ``document``, with a warning):

    JOUR JFULL EJOUR INPR ABST → article-journal    MGZN → article-magazine
    NEWS → article-newspaper                       BOOK EBOOK EDBOOK CTLG → book
    CHAP ECHAP → chapter                           CONF CPAPER → paper-conference
    THES → thesis                                  RPRT GOVDOC → report
    ELEC WEB → webpage                             BLOG → post-weblog
    PAT → patent                                   DATA AGGR → dataset
    COMP → software                                UNPB MANSCPT → manuscript
    PCOMM ICOMM → personal_communication           DICT → entry-dictionary
    ENCYC → entry-encyclopedia                     MAP → map
    ART → graphic                                  FIGURE → figure
    VIDEO MPCT ADVS → motion_picture               SOUND MUSIC → song
    PAMP → pamphlet                                SLIDE → speech
    CASE → legal_case                              STAT → legislation
    BILL → bill                                    HEAR → hearing
    STAND → standard                               CLSWK ANCIENT → classic
    GEN → document

Tags → CSL variables:

    AU A1 → author (editor for EDBOOK, whose AU are its editors); ED → editor;
    A2 → editor for books, chapters and conference papers (elsewhere it is a secondary author
    with no CSL home); A3 → collection-editor; "Family, Given[, Suffix]" is a person, a value
    without a comma a literal (corporate) name, ";" separates names on one line.
    TI T1 → title (first in the file; BT for a book without TI, CT as a last resort);
    T2 JF JO BT → container-title, in that order; J2 JA J1, else a JO that differs from the
    container title → container-title-short; T3 → collection-title (for books T2 is the series);
    PY Y1 DA → issued (see ``_issued``); VL → volume; IS → issue; C7, else an M1 that looks like
    an identifier → number (article number); SP EP → page "SP–EP" (SP alone on a book or thesis
    is its number-of-pages); PB → publisher; CY PP → publisher-place; SN → ISBN or ISSN by its
    shape, else ISBN for books and chapters and ISSN for the rest; DO → DOI (without a resolver
    prefix); UR, else a web L2 or L1 → URL; AB N2 → abstract; KW → keyword (", "-joined);
    N1 → note; LA → language; ET → edition; ST → title-short; M3 → genre for theses and reports;
    AN (accession number) → archive_location, as Zotero does; DB, else DP → source;
    CN → call-number; NV → number-of-volumes; SE → section; ID → the entry's key.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Any

from ..i18n import _
from .bibentry import ParsedEntry, ParseResult, Rejected

EXTRA = "_ris"

TYPES: dict[str, str] = {
    "JOUR": "article-journal", "JFULL": "article-journal", "EJOUR": "article-journal",
    "INPR": "article-journal", "ABST": "article-journal", "MGZN": "article-magazine",
    "NEWS": "article-newspaper", "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
    "CTLG": "book", "CHAP": "chapter", "ECHAP": "chapter", "CONF": "paper-conference",
    "CPAPER": "paper-conference", "THES": "thesis", "RPRT": "report", "GOVDOC": "report",
    "ELEC": "webpage", "WEB": "webpage", "BLOG": "post-weblog", "PAT": "patent",
    "DATA": "dataset", "AGGR": "dataset", "COMP": "software", "UNPB": "manuscript",
    "MANSCPT": "manuscript", "PCOMM": "personal_communication",
    "ICOMM": "personal_communication", "DICT": "entry-dictionary",
    "ENCYC": "entry-encyclopedia", "MAP": "map", "ART": "graphic", "FIGURE": "figure",
    "VIDEO": "motion_picture", "MPCT": "motion_picture", "ADVS": "motion_picture",
    "SOUND": "song", "MUSIC": "song", "PAMP": "pamphlet", "SLIDE": "speech",
    "CASE": "legal_case", "STAT": "legislation", "BILL": "bill", "HEAR": "hearing",
    "STAND": "standard", "CLSWK": "classic", "ANCIENT": "classic", "GEN": "document",
}
_BOOKS = {"BOOK", "EBOOK", "EDBOOK", "CTLG"}
_CHAPTERS = {"CHAP", "ECHAP"}
_HAS_EDITORS = _BOOKS | _CHAPTERS | {"CONF", "CPAPER"}
_PAGE_COUNT = _BOOKS | {"THES"}  # where a lone SP is the length, not a start page

# The RIS vocabulary (RefMan 2011 spec plus the older tags exporters still write): only these
# may be written with other spacing than the standard two spaces.
_KNOWN_TAGS = frozenset(
    "TY ER A1 A2 A3 A4 AB AD AN AU AV BT C1 C2 C3 C4 C5 C6 C7 C8 CA CN CP CT CY DA DB DO DP ED "
    "EP ET ID IS J1 J2 JA JF JO KW L1 L2 L3 L4 LA LB LK M1 M2 M3 N1 N2 NV OP PB PP PY RI RN RP "
    "SE SN SP ST T1 T2 T3 TA TI TT U1 U2 U3 U4 U5 UR VL VO Y1 Y2".split())
_TAG = re.compile(r"([A-Z][A-Z0-9])( +)-(?:[ \t](.*))?")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NEWLINE_TAGS = {"AB", "N2"}  # their continuation lines are paragraphs, not wrapped words
_SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
_WEB = re.compile(r"^(?:https?|ftp)://|^//", re.I)
_ISSN = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")
_ISBN = re.compile(r"\d{9}[\dXx]|\d{13}")
_IDENTIFIER = re.compile(r"[A-Za-z]?\d[\w.\-]{0,19}")  # e1002345, 034708, S12-3
_RANGE = re.compile(r"[-–—]")


# -- lines --------------------------------------------------------------------------------------
def _tag_of(probe: str) -> tuple[str, str] | None:
    """(tag, value) when the line is a tag line, else None."""
    match = _TAG.fullmatch(probe)
    if not match:
        return None
    tag, spaces, value = match.groups()
    if len(spaces) != 2 and tag not in _KNOWN_TAGS:
        return None
    return tag, (value or "").strip()


@dataclass
class _Field:
    tag: str
    value: str
    used: bool = False
    why: str | None = None  # said in the warning when the value is left unused on purpose


@dataclass
class _Record:
    line: int
    lines: list[str]
    fields: list[_Field]
    end: str = ""  # text after ER, if any


@dataclass
class _Stray:
    """Lines outside any record, up to the next TY, ER or the end of the file."""
    first: int
    last: int
    tags: int = 0
    text: str = ""
    key: str | None = None


def _span(first: int, last: int) -> str:
    if first == last:
        return _("line {n}").format(n=first)
    return _("lines {first}–{last}").format(first=first, last=last)


def _short(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def parse_ris(text: str) -> ParseResult:
    result = ParseResult()
    record: _Record | None = None
    stray: _Stray | None = None
    lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))
    for number, line in enumerate(lines, start=1):
        # A BOM can also start a later line when files were concatenated.
        probe = line.lstrip("\ufeff").rstrip()
        blank = not probe.strip(" \t\ufeff")
        tag = None if blank else _tag_of(probe)
        if record is not None:
            if tag and tag[0] == "TY":
                _finish(record, result, closed=False, next_ty=number)
                record = _Record(number, [line], [_Field("TY", tag[1])])
            elif tag and tag[0] == "ER":
                record.lines.append(line)
                record.end = tag[1]
                _finish(record, result, closed=True)
                record = None
            elif tag:
                record.lines.append(line)
                record.fields.append(_Field(*tag))
            else:
                record.lines.append(line)
                if not blank:
                    last = record.fields[-1]
                    sep = "\n" if last.tag in _NEWLINE_TAGS else " "
                    last.value = f"{last.value}{sep}{probe.strip()}" if last.value \
                        else probe.strip()
            continue
        if blank:
            continue
        if tag and tag[0] == "TY":
            if stray:
                _reject_stray(stray, result, ended_by_er=False)
                stray = None
            record = _Record(number, [line], [_Field("TY", tag[1])])
            continue
        if stray and tag and not stray.tags:
            # Text, then tags: a header line, then a record that lost its TY, are two things.
            _reject_stray(stray, result, ended_by_er=False)
            stray = None
        stray = stray or _Stray(number, number)
        stray.last = number
        if tag and tag[0] == "ER":
            _reject_stray(stray, result, ended_by_er=True)
            stray = None
        elif tag:
            stray.tags += 1
            if tag[0] == "ID" and stray.key is None and tag[1]:
                stray.key = tag[1]
        elif not stray.text:
            stray.text = probe.strip()
    if record is not None:
        _finish(record, result, closed=False)
    if stray:
        _reject_stray(stray, result, ended_by_er=False)
    return result


def _reject_stray(stray: _Stray, result: ParseResult, *, ended_by_er: bool) -> None:
    span = _span(stray.first, stray.last)
    if stray.tags and ended_by_er:
        reason = _("RIS tags without a TY line ({span}); not read as a record").format(span=span)
    elif stray.tags:
        reason = _("RIS tags outside any record ({span}): no TY before them and no ER after them"
                   ).format(span=span)
    elif stray.text:
        reason = _("text outside any record ({span}): {text}").format(
            span=span, text=_short(stray.text))
    else:
        reason = _("ER without a TY record ({span})").format(span=span)
    result.rejected.append(Rejected(stray.first, stray.key, reason))


def _finish(record: _Record, result: ParseResult, *, closed: bool,
            next_ty: int | None = None) -> None:
    lines = record.lines
    if not closed:
        while len(lines) > 1 and not lines[-1].strip(" \t\ufeff"):
            lines.pop()
    if not any(f.value for f in record.fields[1:]):
        result.rejected.append(Rejected(record.line, None, _("empty record")))
        return
    warnings: list[str] = []
    if not closed and next_ty is None:
        warnings.append(_("record not closed by ER"))
    elif not closed:
        warnings.append(_("record not closed by ER (a new TY starts at line {line})").format(
            line=next_ty))
    if record.end:
        warnings.append(_("text after ER ignored: {text}").format(text=_short(record.end)))
    csl, key = _to_csl(record.fields, warnings)
    result.entries.append(ParsedEntry(record.line, key, csl, "\n".join(lines), warnings))


# -- fields -------------------------------------------------------------------------------------
def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class _Fields:
    """A record's non-empty values, each used at most once; the unused ones go to ``_ris``."""

    def __init__(self, fields: list[_Field]) -> None:
        self.all = [f for f in fields if f.value]  # an empty value carries nothing to keep
        self.asked: set[str] = set()

    def of(self, *tags: str) -> list[_Field]:
        self.asked.update(tags)
        return [f for f in self.all if f.tag in tags]

    def field(self, *tags: str, by_file: bool = False) -> _Field | None:
        """The first unused value of the first tag present (``by_file``: earliest in the file)."""
        free = [f for f in self.of(*tags) if not f.used]
        if by_file:
            return free[0] if free else None
        for tag in tags:
            for f in free:
                if f.tag == tag:
                    return f
        return None

    def first(self, *tags: str, by_file: bool = False) -> str | None:
        """That value; repeats of it under the same tags are used up with it, values that differ
        are not (they end up in ``_ris``)."""
        chosen = self.field(*tags, by_file=by_file)
        if chosen is None:
            return None
        for f in self.of(*tags):
            if _same(f.value, chosen.value):
                f.used = True
        return chosen.value

    def every(self, *tags: str) -> list[str]:
        """All values of the tags, in file order, repeats dropped."""
        values: list[str] = []
        for f in self.of(*tags):
            f.used = True
            if not any(_same(f.value, v) for v in values):
                values.append(f.value)
        return values

    def leftovers(self, warnings: list[str]) -> dict[str, list[str]]:
        extra: dict[str, list[str]] = {}
        for f in self.all:
            if f.used:
                continue
            extra.setdefault(f.tag, []).append(f.value)
            if f.why:
                warnings.append(f.why)
            elif f.tag in self.asked:
                warnings.append(_("RIS tag {tag} not used (another value was), kept aside: "
                                  "{value}").format(tag=f.tag, value=_short(f.value)))
        for tag in extra:
            if tag not in self.asked:
                warnings.append(_("unmapped RIS tag {tag}").format(tag=tag))
        return extra


def _names(values: list[str]) -> list[dict[str, str]]:
    names: list[dict[str, str]] = []
    for value in values:
        for one in value.split(";"):
            one = " ".join(one.split())
            if not one:
                continue
            family, _comma, rest = one.partition(",")
            if not _comma or not family.strip():
                names.append({"literal": one})
                continue
            name = {"family": family.strip()}
            given, _comma, suffix = rest.partition(",")
            if given.strip():
                name["given"] = given.strip()
            if suffix.strip():
                name["suffix"] = suffix.strip()
            names.append(name)
    return names


def _to_csl(fields: list[_Field], warnings: list[str]) -> tuple[dict[str, Any], str]:
    """A record's fields (TY first) to a CSL-JSON item and the record's key."""
    kind = fields[0].value.upper()
    fields[0].used = True
    f = _Fields(fields[1:])
    csl: dict[str, Any] = {"type": TYPES.get(kind, "document")}
    if not kind:
        warnings.append(_("record has an empty TY, kept as a document"))
    elif kind not in TYPES:
        warnings.append(_("unknown RIS type {kind}, kept as a document").format(kind=kind))

    def put(var: str, value: Any) -> None:
        if value:
            csl[var] = value

    put("title", f.first("TI", "T1", by_file=True) or (f.first("BT") if kind in _BOOKS else None)
        or f.first("CT"))
    if kind in _BOOKS:
        put("collection-title", f.first("T2", "T3"))
    else:
        put("container-title", f.first("T2", "JF", "JO", "BT"))
        # JO is the full name in some exports and the abbreviation in others: when a fuller
        # container title was found above, a JO that differs from it is the short form.
        put("container-title-short", f.first("J2", "JA", "J1", "JO"))
        put("collection-title", f.first("T3"))

    authors = _names(f.every("AU", "A1"))
    editors = _names(f.every("ED") + (f.every("A2") if kind in _HAS_EDITORS else []))
    if kind == "EDBOOK":
        authors, editors = [], authors + editors
    put("author", authors)
    put("editor", editors)
    put("collection-editor", _names(f.every("A3")))

    put("issued", _issued(f))
    put("volume", f.first("VL"))
    put("issue", f.first("IS"))
    put("number", _number(f))
    _pages(f, kind, csl)
    put("publisher", f.first("PB"))
    put("publisher-place", f.first("CY", "PP"))
    _serials(f, kind, csl)
    doi = f.first("DO")
    put("DOI", _DOI_PREFIX.sub("", doi).strip() if doi else None)
    put("URL", _url(f))
    put("abstract", "\n".join(f.every("AB", "N2")))
    put("keyword", ", ".join(f.every("KW")))
    put("note", "\n".join(f.every("N1")))
    put("language", f.first("LA"))
    put("edition", f.first("ET"))
    put("title-short", f.first("ST"))
    if csl["type"] in ("thesis", "report"):
        put("genre", f.first("M3"))
    put("archive_location", f.first("AN"))
    put("source", f.first("DB", "DP"))
    put("call-number", f.first("CN"))
    put("number-of-volumes", f.first("NV"))
    put("section", f.first("SE"))
    key = f.first("ID") or ""
    put(EXTRA, f.leftovers(warnings))
    return csl, key


def _number(f: _Fields) -> str | None:
    number = f.first("C7")
    for m1 in f.of("M1"):
        if number is not None and _same(m1.value, number):
            m1.used = True
        elif number is None and _IDENTIFIER.fullmatch(m1.value):
            m1.used, number = True, m1.value
        else:
            # M1 is "miscellaneous": SciFinder puts its copyright line there, for one.
            m1.why = _("RIS tag M1 is not an article number, kept aside: {value}").format(
                value=_short(m1.value))
    return number


def _pages(f: _Fields, kind: str, csl: dict[str, Any]) -> None:
    start, end = f.field("SP"), f.field("EP")
    if start is None:
        if end is not None:
            end.why = _("RIS tag EP without SP, kept aside: {value}").format(value=end.value)
        return
    start.used = True
    if end is None:
        if kind in _PAGE_COUNT and start.value.isdigit():
            csl["number-of-pages"] = start.value
        else:
            csl["page"] = start.value
        return
    end.used = True
    if _RANGE.search(start.value):
        csl["page"] = start.value
        if not start.value.endswith(end.value):
            end.used = False
            end.why = _("RIS tag EP {value} disagrees with the page range in SP, kept aside"
                        ).format(value=end.value)
    elif _same(start.value, end.value):
        csl["page"] = start.value
    else:
        csl["page"] = f"{start.value}–{end.value}"


def _serials(f: _Fields, kind: str, csl: dict[str, Any]) -> None:
    """SN holds an ISBN or an ISSN; its shape decides, the type only when the shape does not."""
    isbn: list[str] = []
    issn: list[str] = []
    for value in f.every("SN"):
        if _ISBN.fullmatch(re.sub(r"[\s-]", "", value)):
            isbn.append(value)
        elif _ISSN.search(value):
            issn.append(value)
        elif kind in _BOOKS or kind in _CHAPTERS:
            isbn.append(value)
        else:
            issn.append(value)
    if isbn:
        csl["ISBN"] = ", ".join(isbn)
    if issn:
        csl["ISSN"] = ", ".join(issn)


def _url(f: _Fields) -> str | None:
    url = f.first("UR")
    if url:
        return url
    # L1 is "file attachments" and L2 "URL to full text": local paths there are no URL.
    for tag in ("L2", "L1"):
        for link in f.of(tag):
            if link.used:
                continue
            if _WEB.match(link.value):
                link.used = True
                return link.value
            link.why = _("RIS tag {tag} is not a web address, kept aside: {value}").format(
                tag=tag, value=_short(link.value))
    return None


# -- dates --------------------------------------------------------------------------------------
@dataclass
class _Date:
    parts: list[int]
    season: int | None = None
    exact: bool = True  # everything in the value was understood


def _parse_date(value: str) -> _Date | None:
    """``2010``, ``2010/05/17/``, ``2010/05//``, ``2010///Spring``, ``2010-05-17``; zeros and
    empty parts are unknown parts, a fourth part is a season or other text."""
    text = value.strip()
    iso = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    other = ""
    if iso:
        pieces = [p or "" for p in iso.groups()]
    elif "/" in text:
        pieces = text.split("/", 3)
        if len(pieces) == 4:
            other = pieces.pop().strip()
        pieces += [""] * (3 - len(pieces))
    else:
        return None
    if not re.fullmatch(r"\d{4}", pieces[0].strip()) or int(pieces[0]) == 0:
        return None
    date = _Date([int(pieces[0])])
    month_text, day_text = pieces[1].strip(), pieces[2].strip()
    month = int(month_text) if month_text.isdigit() else None
    day = int(day_text) if day_text.isdigit() else None
    if (month_text and month is None) or (day_text and day is None):
        date.exact = False
    if month:
        if month <= 12:
            date.parts.append(month)
            if day:
                if day <= calendar.monthrange(date.parts[0], month)[1]:
                    date.parts.append(day)
                else:
                    date.exact = False
        else:
            date.exact = False
    elif day:
        date.exact = False  # a day without a month says nothing usable
    if other:
        date.season = _SEASONS.get(other.lower())
        if date.season is None:
            date.exact = False
    return date


def _issued(f: _Fields) -> dict[str, Any] | None:
    """The publication date from PY, Y1 and DA.

    The year comes from PY (Y1, the older spelling, else DA): DA is sometimes the online or
    conference date, a year off from the volume's. Among the dates of that year the most precise
    one is used, DA first on a tie; dates that add nothing are used up, dates that disagree are
    kept aside with a warning.
    """
    dates: list[tuple[_Field, _Date]] = []
    for tag in ("DA", "PY", "Y1"):
        for src in f.of(tag):
            if not src.value.strip(" /"):
                src.used = True  # "///" says nothing
                continue
            date = _parse_date(src.value)
            if date is None:
                src.why = _("RIS tag {tag} is not a date, kept aside: {value}").format(
                    tag=tag, value=_short(src.value))
                continue
            dates.append((src, date))
    if not dates:
        return None
    year = next(d.parts[0] for tag in ("PY", "Y1", "DA") for src, d in dates if src.tag == tag)
    # max() keeps the first of equals, and DA comes first in ``dates``.
    best = max((d for _src, d in dates if d.parts[0] == year),
               key=lambda d: (len(d.parts), d.season is not None))
    for src, date in dates:
        agrees = best.parts[: len(date.parts)] == date.parts and date.season in (None,
                                                                                 best.season)
        if date is best or agrees:
            src.used = date.exact
            if not date.exact:
                src.why = _("RIS tag {tag} date only partly read, kept aside: {value}").format(
                    tag=src.tag, value=src.value)
        else:
            src.why = _("RIS tag {tag} date {value} disagrees with the date used, kept aside"
                        ).format(tag=src.tag, value=src.value)
    issued: dict[str, Any] = {"date-parts": [best.parts]}
    if best.season is not None:
        issued["season"] = best.season
    return issued
