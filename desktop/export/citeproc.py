"""Citation formatting with citeproc-js (Zotero's CSL engine) in an embedded V8 (mini-racer).

This module owns the bridge to the JS engine and the data that crosses it: CSL-JSON items go in;
citations and bibliography entries come out as the engine's HTML, as runs of text with their
formatting (for the Word writer), and as plain text. No Qt.

- One V8 context per process holds citeproc-js and the CSL locales; all calls into it are
  serialised by one lock, so engines can be built on a worker thread and used from another.
- A :class:`CitationEngine` is one ``CSL.Engine`` for a (style, locale). Building one takes up to
  a second (APA about 0.35 s, Chicago 0.7 s; ``bench/citeproc.py``), so :class:`EngineCache` keeps
  one per (style, locale) and can be asked from a worker.
- Styles are short names of the pinned styles (``apa``, ``vancouver``, ``ieee`` ...) or a path to
  a ``.csl`` file; a dependent style is resolved to its independent parent.
- Nothing is fetched here. Missing files or a missing mini-racer raise
  :class:`~desktop.export.csl_assets.MissingAssetError` saying what is missing and how to get it;
  there is no fallback formatting.
"""
from __future__ import annotations

import atexit
import itertools
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeVar

from ..i18n import _
from . import csl_assets

CSL_NS = "{http://purl.org/net/xbiblio/csl}"
DEFAULT_LOCALE = "en-US"
# Names people know a style by, mapped to the pinned file's name (without .csl).
STYLE_ALIASES = {"vancouver": "vancouver-nlm", "nlm": "nlm-citation-sequence",
                 "harvard": "harvard-cite-them-right", "chicago": "chicago-author-date"}


T = TypeVar("T")


class CitationError(Exception):
    """A style, locale, item or citation the engine cannot use; the message is for the user."""


class EngineFailure(CitationError):
    """citeproc-js itself failed (most often on an item it cannot read); the engine keeps
    failing until it is built again, which :meth:`CitationEngine.isolate` does."""


# --- data across the layer boundary ------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """A piece of text with one formatting, as a Word run would carry it."""

    text: str
    italic: bool = False
    bold: bool = False
    small_caps: bool = False
    underline: bool = False
    superscript: bool = False
    subscript: bool = False
    link: str = ""

    def same_format(self, other: Run) -> bool:
        return replace(self, text="") == replace(other, text="")


@dataclass(frozen=True)
class Formatted:
    """Engine output: its HTML fragment and the same as runs."""

    html: str
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class CiteItem:
    """One reference inside a citation, with what the writer added around it."""

    id: str
    locator: str = ""
    label: str = "page"  # a CSL locator term: page, chapter, section, figure, ...
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False

    def to_csl(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.id}
        if self.locator:
            item.update(locator=self.locator, label=self.label)
        if self.prefix:
            item["prefix"] = self.prefix
        if self.suffix:
            item["suffix"] = self.suffix
        if self.suppress_author:
            item["suppress-author"] = True
        return item


@dataclass(frozen=True)
class Cluster:
    """One citation in a document (one embed): its stable id, items and footnote number."""

    id: str
    items: tuple[CiteItem, ...]
    note_index: int = 0  # 0 for in-text citations; the footnote number in note styles


@dataclass(frozen=True)
class CitationUpdate:
    """A citation whose text is new or changed, at its position in the document."""

    index: int
    cluster_id: str
    formatted: Formatted


@dataclass(frozen=True)
class BibliographyLayout:
    """The layout the style asks for, as the engine reports it."""

    hanging_indent: bool
    second_field_align: str  # "" (none), "flush" or "margin": the label, a tab, then the text
    entry_spacing: int  # blank lines between entries
    line_spacing: int
    max_offset: int  # the widest label, in characters (where the tab stop goes)


@dataclass(frozen=True)
class BibEntry:
    """One bibliography entry; ``label`` is the number column of numeric styles, else empty."""

    ids: tuple[str, ...]
    html: str
    label: tuple[Run, ...]
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        label = "".join(r.text for r in self.label).strip()
        body = "".join(r.text for r in self.runs).strip()
        return f"{label} {body}" if label else body


@dataclass(frozen=True)
class Bibliography:
    """The formatted bibliography, in the style's order, with the layout to give it."""

    layout: BibliographyLayout
    entries: tuple[BibEntry, ...]
    # Items the style prints nothing for (no title, author or date it can use): left out.
    omitted: tuple[str, ...] = ()


# --- HTML from the engine → runs ---------------------------------------------------------------

_SPAN_STYLES = {
    "font-style:italic": ("italic", True), "font-style:normal": ("italic", False),
    "font-weight:bold": ("bold", True), "font-weight:normal": ("bold", False),
    "font-variant:small-caps": ("small_caps", True), "font-variant:normal": ("small_caps", False),
    "text-decoration:underline": ("underline", True),
    "text-decoration:none": ("underline", False),
}
_TAGS = {"i": ("italic", True), "em": ("italic", True), "b": ("bold", True),
         "sup": ("superscript", True), "sub": ("subscript", True)}


class _RunParser(HTMLParser):
    """citeproc-js's closed set of HTML (see the study's integration outline) → runs.

    The engine already resolves flip-flop (italic inside italic) into ``font-style:normal``, so a
    stack of run formats is enough. Text in a ``csl-left-margin`` div goes to ``label``.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, Run]] = [("", Run(""))]
        self.label: list[Run] = []
        self.body: list[Run] = []
        self.in_label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        current = self.stack[-1][1]
        values = dict(attrs)
        if tag in _TAGS:
            name, on = _TAGS[tag]
            current = replace(current, **{name: on})
        elif tag == "span":
            for decl in (values.get("style") or "").replace(" ", "").split(";"):
                if decl in _SPAN_STYLES:
                    name, on = _SPAN_STYLES[decl]
                    current = replace(current, **{name: on})
                elif decl == "baseline":
                    current = replace(current, superscript=False, subscript=False)
        elif tag == "a":
            current = replace(current, link=values.get("href") or "")
        elif tag == "div":
            css = values.get("class") or ""
            self.in_label = css == "csl-left-margin"
            # Blocks and indents start a new line inside the entry (python-docx: a break).
            if css in ("csl-block", "csl-indent") and self.body:
                self._add("\n", current)
        self.stack.append((tag, current))

    def handle_endtag(self, tag: str) -> None:
        if len(self.stack) > 1 and self.stack[-1][0] == tag:
            self.stack.pop()
        if tag == "div":
            self.in_label = False

    def handle_data(self, data: str) -> None:
        # Newlines only come from the engine's own layout around divs, never from the text.
        if "\n" in data and not data.strip():
            return
        self._add(data, self.stack[-1][1])

    def _add(self, text: str, fmt: Run) -> None:
        runs = self.label if self.in_label else self.body
        if runs and runs[-1].same_format(fmt):
            runs[-1] = replace(runs[-1], text=runs[-1].text + text)
        else:
            runs.append(replace(fmt, text=text))


def html_runs(html: str) -> tuple[tuple[Run, ...], tuple[Run, ...]]:
    """(label runs, body runs) of one fragment of engine HTML."""
    parser = _RunParser()
    parser.feed(html)
    parser.close()
    return tuple(parser.label), tuple(parser.body)


def _formatted(html: str) -> Formatted:
    label, body = html_runs(html)
    return Formatted(html, label + body)


# --- styles and locales ------------------------------------------------------------------------

def style_names() -> list[str]:
    """The short names accepted for the pinned styles."""
    files = [Path(f).stem for f in csl_assets.available("styles/")]
    return sorted(set(files) | set(STYLE_ALIASES))


def _parse_style(xml: str, source: str) -> ET.Element:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise CitationError(_("{file} is not a CSL style: {reason}").format(
            file=source, reason=exc)) from None
    if root.tag != f"{CSL_NS}style":
        raise CitationError(_("{file} is not a CSL style (its root element is not <style>)")
                            .format(file=source))
    return root


@dataclass(frozen=True)
class StyleSource:
    """An independent style's XML, under the name it was asked by, with the locale it prefers."""

    name: str
    xml: str
    default_locale: str  # "" when the style names none


def load_style(style: str | Path) -> StyleSource:
    """A short name or a .csl path → the independent style's XML (dependent styles resolved)."""
    as_path = Path(style)
    if isinstance(style, Path) or as_path.suffix == ".csl":
        try:
            xml = as_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CitationError(_("Cannot read the style {file}: {reason}").format(
                file=as_path, reason=exc.strerror if isinstance(exc, OSError) else exc)) from None
        name = str(as_path)
    else:
        name = STYLE_ALIASES.get(str(style), str(style))
        if f"styles/{name}.csl" not in csl_assets.FILES:
            raise CitationError(_("Unknown citation style {style}; known styles: {names}").format(
                style=style, names=", ".join(style_names())))
        xml = csl_assets.read(f"styles/{name}.csl")
    root = _parse_style(xml, name)
    default_locale = root.get("default-locale", "")
    parent = root.find(f"{CSL_NS}info/{CSL_NS}link[@rel='independent-parent']")
    if parent is None:
        return StyleSource(name, xml, default_locale)
    parent_name = (parent.get("href") or "").rstrip("/").rsplit("/", 1)[-1]
    if f"styles/{parent_name}.csl" not in csl_assets.FILES:
        raise CitationError(_("The style {style} depends on the style {parent}, which Tandem does "
                              "not have").format(style=name, parent=parent_name))
    parent_xml = csl_assets.read(f"styles/{parent_name}.csl")
    parent_root = _parse_style(parent_xml, parent_name)
    # A dependent style's default-locale overrides its parent's (CSL 1.0.2, "Dependent styles").
    return StyleSource(name, parent_xml, default_locale or parent_root.get("default-locale", ""))


def locale_names() -> list[str]:
    """The pinned CSL locales, as tags (``en-US``, ``nl-NL`` ...)."""
    return [Path(f).stem.removeprefix("locales-") for f in csl_assets.available("locales/")]


def resolve_locale(locale: str) -> str:
    """``nl-NL``, ``nl_NL`` or ``nl`` → a pinned locale tag such as ``nl-NL``."""
    wanted = locale.replace("_", "-")
    names = locale_names()
    for name in names:
        if name.lower() == wanted.lower():
            return name
    if "-" not in wanted:
        # A bare language takes a pinned region; en-US before en-GB, as citeproc-js would.
        for name in sorted(names, key=lambda n: n != DEFAULT_LOCALE):
            if name.split("-")[0].lower() == wanted.lower():
                return name
    raise CitationError(_("No CSL locale for {locale}; available: {names}").format(
        locale=locale, names=", ".join(names)))


# --- the JS runtime ----------------------------------------------------------------------------

# Every function returns a value: mini-racer's call() raises on undefined.
_BRIDGE = r"""
var CSL = module.exports;
var tandem = (function () {
  var locales = {};
  var engines = {};
  var indexMacros = true;
  function json(value) { return JSON.stringify(value === undefined ? null : value); }
  // Building a style expands every macro call inline, and sort keys expand whole macro trees:
  // APA asks for a macro by name about 8,000 times, and each ask walks the entire style tree.
  // While the token lists are built, the style's macros are found through an index made by one
  // such walk. The tree is not restructured during that phase, so the answers are the same
  // nodes in the same order (a test compares every pinned style's output with and without).
  var findNodes = CSL.XmlJSON.prototype.getNodesByName;
  var buildTokenLists = CSL.Engine.prototype.buildTokenLists;
  CSL.Engine.prototype.buildTokenLists = function () {
    var xml = this.cslXml;
    if (!indexMacros || !(xml instanceof CSL.XmlJSON)) {
      return buildTokenLists.apply(this, arguments);
    }
    var root = xml.dataObj;
    var index = null;
    xml.getNodesByName = function (node, name, value, ret) {
      if (node !== root || name !== "macro" || !value || ret) {
        return findNodes.apply(this, arguments);
      }
      if (index === null) {
        index = {};
        findNodes.call(this, root, "macro").forEach(function (macro) {
          var key = macro.attrs.name;
          (index[key] = index[key] || []).push(macro);
        });
      }
      return (index[value] || []).slice();
    };
    try {
      return buildTokenLists.apply(this, arguments);
    } finally {
      delete xml.getNodesByName;
    }
  };
  return {
    addLocale: function (lang, xml) { locales[lang] = xml; return true; },
    setMacroIndex: function (on) { indexMacros = on; return true; },
    build: function (key, style, lang, force) {
      var store = {};
      var sys = {
        retrieveItem: function (id) { return store[id]; },
        retrieveLocale: function (l) {
          if (!(l in locales)) { throw new Error("CSL locale " + l + " is not loaded"); }
          return locales[l];
        }
      };
      var engine = new CSL.Engine(sys, style, lang, force);
      engine.opt.development_extensions.wrap_url_and_doi = true;
      engine.setOutputFormat("html");
      engines[key] = {engine: engine, store: store};
      return true;
    },
    drop: function (key) { delete engines[key]; return true; },
    addItems: function (key, items) {
      var entry = engines[key];
      JSON.parse(items).forEach(function (item) {
        var id = String(item.id);
        entry.store[id] = item;
        // citeproc-js keeps an item once read: an edited reference must be read again.
        delete entry.engine.tmp.loadedItemIDs[id];
      });
      return true;
    },
    setUncited: function (key, ids) {
      var engine = engines[key].engine;
      // citeproc-js purges uncited items left out of the list only once something has been
      // cited; before that the list would only grow. An empty citation index makes it a "set".
      var reg = engine.registry.citationreg;
      if (!reg.citationsByItemId) { reg.citationsByItemId = {}; }
      engine.updateUncitedItems(JSON.parse(ids));
      return true;
    },
    reset: function (key) {
      // rebuildProcessorState([]) keeps the old citations' index; this starts a new registry.
      engines[key].engine.restoreProcessorState([]);
      return true;
    },
    process: function (key, citation, pre, post) {
      var out = engines[key].engine.processCitationCluster(
        JSON.parse(citation), JSON.parse(pre), JSON.parse(post));
      return json(out[1]);
    },
    rebuild: function (key, citations, uncited) {
      // Every citation of a document in one pass: [[citationID, noteIndex, html], ...].
      return json(engines[key].engine.rebuildProcessorState(
        JSON.parse(citations), "html", JSON.parse(uncited)));
    },
    preview: function (key, items) {
      return json(engines[key].engine.makeCitationCluster(JSON.parse(items)));
    },
    bibliography: function (key) {
      return json(engines[key].engine.makeBibliography());
    }
  };
})();
"""


class _Runtime:
    """The process's one V8 context with citeproc-js and every pinned locale loaded."""

    def __init__(self) -> None:
        try:
            from py_mini_racer import MiniRacer
        except ImportError:
            raise csl_assets.missing_error(_(
                "the JavaScript engine (the Python package mini-racer) is not installed"
            )) from None
        from py_mini_racer import JSEvalException

        self.js_error = JSEvalException
        self.lock = threading.RLock()
        self.ctx = MiniRacer()
        # Closed before the interpreter shuts down: left to the garbage collector at exit,
        # the context's teardown can wait forever for V8's thread, which can no longer run
        # Python (seen as a command line that printed its output and never ended, under load).
        atexit.register(self.close)
        self.ctx.eval("var module = {exports: {}}; var exports = module.exports;")
        self.ctx.eval(csl_assets.read(csl_assets.CITEPROC_JS))
        self.ctx.eval(_BRIDGE)
        for name in locale_names():
            self.ctx.call("tandem.addLocale", name,
                          csl_assets.read(f"locales/locales-{name}.xml"))

    def close(self) -> None:
        with self.lock:
            self.ctx.close()

    def call(self, function: str, *args: Any) -> Any:
        with self.lock:
            try:
                return self.ctx.call(f"tandem.{function}", *args)
            except self.js_error as exc:
                message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise EngineFailure(_("The citation engine failed: {message}").format(
                    message=message)) from None


_runtime: _Runtime | None = None
_runtime_lock = threading.Lock()


def _shared_runtime() -> _Runtime:
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = _Runtime()
        return _runtime


# --- the engine --------------------------------------------------------------------------------

def _date_range(parts: list[Any]) -> list[Any]:
    """A ``date-parts`` range citeproc-js accepts. It stops the whole document at a range whose
    ends differ in precision, which other programs write: Better BibTeX marks an open end as
    ``[0]`` (``[[1999, 9, 29], [0]]``). An open or empty end leaves the start; otherwise both
    ends keep the precision they share."""
    if len(parts) != 2 or not all(isinstance(p, list) for p in parts):
        return parts
    start, end = parts
    if not end or not any(str(v).strip("0 ") for v in end):
        return [start]
    if len(start) != len(end):
        size = min(len(start), len(end))
        return [start[:size], end[:size]]
    return parts


_NAMES = {"author", "editor", "translator", "director", "composer", "container-author",
          "collection-editor", "editorial-director", "illustrator", "interviewer",
          "original-author", "recipient", "reviewed-author", "script-writer", "performer",
          "chair", "compiler", "contributor", "curator", "executive-producer", "guest", "host",
          "narrator", "organizer", "producer", "series-creator"}
_DATES = {"issued", "accessed", "original-date", "event-date", "submitted", "available-date"}


# CSL 1.0.2's text and number variables (and older names still written): the fields the
# engine reads as text. Other fields (an application's own, such as "_bibtex") pass untouched.
_TEXT = set("""abstract annote archive archive_collection archive_location archive-place authority
    call-number chapter-number citation-key citation-label citation-number collection-number
    collection-title container-title container-title-short dimensions division DOI edition event
    event-place event-title first-reference-note-number genre ISBN ISSN issue jurisdiction
    keyword language license locator medium note number number-of-pages number-of-volumes
    original-publisher original-publisher-place original-title page page-first part-number
    part-title PMCID PMID printing-number publisher publisher-place references reviewed-genre
    reviewed-title scale section source status supplement-number title title-short type URL
    version volume volume-title year-suffix shortTitle journalAbbreviation""".split())
_NAME_PARTS = ("family", "given", "literal", "dropping-particle", "non-dropping-particle",
               "suffix")


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def engine_item(item: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The item as citeproc-js can take it, and what had to change, for the user.

    citeproc-js stops with a JavaScript error on a field of the wrong JSON shape (a title that
    is a list, a family name that is an object), and afterwards fails on every item. Other
    programs write such fields: a list of texts is joined, anything else is left out; names
    keep their parts that are text; dates their well-formed ``date-parts``."""
    entry: dict[str, Any] = {"id": str(item["id"])}
    problems: list[str] = []
    for name, value in item.items():
        if name == "id":
            continue
        if name in _NAMES:
            if not isinstance(value, list):
                problems.append(_("{field} should be {kind}; left out").format(
                    field=name, kind=_("a list of names")))
                continue
            names = []
            for person in value:
                if not isinstance(person, Mapping):
                    continue
                parts = {k: v if isinstance(v, str) else str(v) for k, v in person.items()
                         if _scalar(v) or k not in _NAME_PARTS}
                if len(parts) < len(person):
                    problems.append(_("{field}: a part of a name that is not text was left "
                                      "out").format(field=name))
                if any(k in parts for k in _NAME_PARTS):
                    names.append(parts)
            entry[name] = names
        elif name in _DATES:
            if isinstance(value, str):
                entry[name] = {"raw": value}
            elif isinstance(value, Mapping):
                date = dict(value)
                parts = date.get("date-parts")
                if parts is not None:
                    if isinstance(parts, list) and all(
                            isinstance(p, list) and all(_scalar(v) for v in p) for p in parts):
                        date["date-parts"] = _date_range(parts)
                    else:
                        del date["date-parts"]
                        problems.append(_("{field} should be {kind}; left out").format(
                            field=name, kind=_("a date")))
                entry[name] = date
            else:
                problems.append(_("{field} should be {kind}; left out").format(
                    field=name, kind=_("a date")))
        elif name not in _TEXT or _scalar(value):
            entry[name] = value
        elif isinstance(value, list) and value and all(_scalar(v) for v in value):
            entry[name] = ", ".join(str(v) for v in value)
            problems.append(_("{field} should be text; its parts were joined").format(
                field=name))
        else:
            problems.append(_("{field} should be {kind}; left out").format(
                field=name, kind=_("text")))
    return entry, problems


class CitationEngine:
    """One citeproc-js processor for a style and locale, with its own items and citations.

    Building can take up to a second: do it off the UI thread. The engine is stateful
    (registered items, the document's citations); :meth:`reset` forgets citations.
    """

    _keys = itertools.count(1)

    def __init__(self, style: str | Path = "apa", locale: str | None = None) -> None:
        """``locale`` None: the style's default-locale (a dependent style's wins), else en-US."""
        loaded = load_style(style)
        self.style = loaded.name
        self.locale = resolve_locale(locale or loaded.default_locale or DEFAULT_LOCALE)
        self._runtime = _shared_runtime()
        self._key = f"e{next(CitationEngine._keys)}"
        self._xml = loaded.xml
        self._next_id = itertools.count(1)
        self._items: dict[str, str] = {}  # id → the item as last registered (JSON)
        self._uncited: list[str] = []
        # Items the engine failed on (``isolate``), with its message, and as they were then:
        # the same item registered again is refused, a changed one is tried.
        self.failed: dict[str, str] = {}
        self._refused: dict[str, str] = {}
        # The document the engine holds: each citation's items, the engine's own id for it
        # and its text. None when the texts may be stale (an edited reference, uncited items
        # changed): the next document is then formatted whole.
        self._document: list[tuple[tuple[CiteItem, ...], int]] | None = []
        self._ids: list[str] = []
        self._texts: list[Formatted] = []
        self._build({})

    def close(self) -> None:
        """Free the JS engine; this object must not be used afterwards."""
        self._runtime.call("drop", self._key)

    def register(self, items: Iterable[Mapping[str, Any]]) -> list[str]:
        """Make CSL-JSON items citable (added to, or replacing, those with the same id), but
        for items the engine failed on (``failed``) that come again unchanged."""
        ids: list[str] = []
        changed: dict[str, str] = {}
        for number, item in enumerate(items, 1):
            if not isinstance(item, Mapping) or item.get("id") in (None, ""):
                raise CitationError(_("CSL-JSON item {number} has no id").format(number=number))
            entry, _changed = engine_item(item)
            data = json.dumps(entry, ensure_ascii=False, sort_keys=True)
            ids.append(entry["id"])
            if self._refused.get(entry["id"]) == data:
                continue
            if entry["id"] in self._refused:
                del self._refused[entry["id"]], self.failed[entry["id"]]
            if self._items.get(entry["id"]) != data:
                changed[entry["id"]] = data
        if changed:
            self._send(changed)
            self._document = None
        return ids

    def set_uncited(self, ids: Sequence[str]) -> None:
        """Registered items listed in the bibliography even though nothing cites them."""
        self._check_known(ids)
        self._runtime.call("setUncited", self._key, json.dumps(list(ids)))
        self._uncited = list(ids)
        self._document = None  # uncited items take part in disambiguation

    def reset(self) -> None:
        """Forget all citations and uncited items (registered items stay citable)."""
        self._runtime.call("reset", self._key)
        self._document, self._ids, self._texts, self._uncited = [], [], [], []

    def process_citation(self, cluster: Cluster, before: Sequence[Cluster] = (),
                         after: Sequence[Cluster] = ()) -> list[CitationUpdate]:
        """Add or change ``cluster`` between the document's ``before`` and ``after`` citations.

        Returns every citation whose text is new or changed, the edited one included: an APA
        "2020" elsewhere becomes "2020a", a numeric style renumbers.
        """
        clusters = [*before, cluster, *after]
        return [CitationUpdate(index, clusters[index].id, self._texts[index])
                for index in self._update(clusters)]

    def process_document(self, clusters: Sequence[Cluster]) -> list[CitationUpdate]:
        """All of a document's citations, in document order, as the editor shows them and the
        export prints them. The engine keeps the document it last formatted: one citation
        added, changed or removed since is one ``processCitationCluster`` call (about a
        millisecond), the same document again costs nothing, anything else is formatted whole
        in one pass. Cluster ids are only the caller's labels; the texts depend on the items
        and their order."""
        self._update(clusters)
        return [CitationUpdate(index, cluster.id, formatted) for index, (cluster, formatted)
                in enumerate(zip(clusters, self._texts, strict=True))]

    def _update(self, clusters: Sequence[Cluster]) -> list[int]:
        """Bring the engine's document to ``clusters``; the positions whose text changed."""
        for cluster in clusters:
            self._check_known([item.id for item in cluster.items])
        new = [(c.items, c.note_index) for c in clusters]
        old = self._document
        if old is None:
            return self._rebuild(new)
        if new == old:
            return []
        same = min(len(old), len(new))
        head = next((n for n in range(same) if old[n] != new[n]), same)
        tail = next((n for n in range(same - head) if old[-1 - n] != new[-1 - n]), same - head)
        added, removed = len(new) - head - tail, len(old) - head - tail
        if not new or added > 1 or removed > 1:
            return self._rebuild(new)
        self._document = None  # until the engine has answered: a failure leaves it unknown
        ids = self._ids[:head] + [self._ids[head] if removed else self._new_id()] * added \
            + self._ids[len(old) - tail:]
        # A removed citation leaves with the next (or previous) one processed again.
        target = head if added or head < len(new) else head - 1
        items, note = new[target]
        citation = {"citationID": ids[target], "citationItems": [i.to_csl() for i in items],
                    "properties": {"noteIndex": note}}
        out = json.loads(self._runtime.call(
            "process", self._key, json.dumps(citation, ensure_ascii=False),
            json.dumps([[ids[n], new[n][1]] for n in range(target)]),
            json.dumps([[ids[n], new[n][1]] for n in range(target + 1, len(new))])))
        texts: list[Formatted | None] = [*self._texts[:head], *[None] * added,
                                         *self._texts[len(old) - tail:]]
        for index, html, _citation_id in out:
            texts[index] = _formatted(html)
        if any(t is None for t in texts):
            return self._rebuild(new)
        self._document, self._ids, self._texts = new, ids, texts  # type: ignore[assignment]
        return sorted(index for index, _html, _citation_id in out)

    def _rebuild(self, new: list[tuple[tuple[CiteItem, ...], int]]) -> list[int]:
        """Format the whole document in one pass (uncited items kept)."""
        self._document = None
        self._runtime.call("reset", self._key)
        ids = [self._new_id() for _c in new]
        citations = [{"citationID": i, "citationItems": [item.to_csl() for item in items],
                      "properties": {"noteIndex": note}} for i, (items, note) in zip(ids, new)]
        out = self._runtime.call("rebuild", self._key, json.dumps(citations, ensure_ascii=False),
                                 json.dumps(self._uncited))
        self._texts = [_formatted(html) for _id, _note, html in json.loads(out)]
        self._document, self._ids = new, ids
        return list(range(len(new)))

    def _new_id(self) -> str:
        return f"t{next(self._next_id)}"

    def preview(self, items: Sequence[CiteItem]) -> Formatted:
        """A citation formatted on its own, outside any document (no year suffixes or numbers
        that depend on other citations)."""
        self._check_known([item.id for item in items])
        out = self._runtime.call("preview", self._key,
                                 json.dumps([i.to_csl() for i in items], ensure_ascii=False))
        return _formatted(json.loads(out))

    def bibliography(self) -> Bibliography:
        """The cited and uncited items, sorted and formatted as the style says."""
        out = json.loads(self._runtime.call("bibliography", self._key))
        if not out:
            raise CitationError(_("The style {style} has no bibliography").format(
                style=self.style))
        params, entries = out
        layout = BibliographyLayout(
            hanging_indent=bool(params.get("hangingindent")),
            second_field_align=str(params.get("second-field-align") or ""),
            entry_spacing=int(params.get("entryspacing") or 0),
            line_spacing=int(params.get("linespacing") or 0),
            max_offset=int(params.get("maxoffset") or 0))
        # citeproc-js leaves out an entry that renders empty but still lists its ids.
        empty = {int(e["index"]) for e in params.get("bibliography_errors") or ()}
        printed = [ids for n, ids in enumerate(params["entry_ids"]) if n not in empty]
        built = []
        for ids, html in zip(printed, entries, strict=True):
            html = html.strip()
            label, body = html_runs(html)
            built.append(BibEntry(tuple(str(i) for i in ids), html, label, body))
        omitted = tuple(str(i) for n in sorted(empty) for i in params["entry_ids"][n])
        return Bibliography(layout, tuple(built), omitted)

    def bibliography_of(self, ids: Sequence[str]) -> tuple[Bibliography, dict[str, str]]:
        """The bibliography of registered items, none of them cited (a reference list), and
        the items the engine fails on with its message: those are left out, so that one
        broken item does not take the others with it."""
        refused = {i: self.failed[i] for i in ids if i in self.failed}
        ids = [i for i in ids if i not in refused]
        try:
            self.set_uncited(ids)
            return self.bibliography(), refused
        except EngineFailure:
            broken = self.isolate(ids)
        self.set_uncited([i for i in ids if i not in broken])
        return self.bibliography(), refused | broken

    def despite_broken(self, ids: Sequence[str], work: Callable[[], T]) -> T:
        """``work`` done with this engine; after an :class:`EngineFailure`, once more without
        those of the registered items ``ids`` it fails on (``isolate``, ``failed``)."""
        try:
            return work()
        except EngineFailure:
            self.isolate(ids)
        return work()

    def isolate(self, ids: Sequence[str]) -> dict[str, str]:
        """After an :class:`EngineFailure`: which of the registered items ``ids`` the engine
        fails on, cited or listed, each with the engine's message. The engine is built again
        without them (its document forgotten) and refuses them from then on, until they are
        registered changed; the others work as before."""
        items = dict(self._items)

        def failing(group: Sequence[str]) -> dict[str, str]:
            # Halving finds a few broken items among many in a few tries (an engine each).
            self._build({i: items[i] for i in group})
            try:
                self._rebuild([((CiteItem(i),), 0) for i in group])
                self._runtime.call("bibliography", self._key)
                return {}
            except EngineFailure as exc:
                if len(group) == 1:
                    return {group[0]: str(exc)}
                half = len(group) // 2
                return failing(group[:half]) | failing(group[half:])

        wanted = list(dict.fromkeys(i for i in ids if i in items))
        half = len(wanted) // 2
        broken = failing(wanted[:half]) | failing(wanted[half:]) if half else failing(wanted)
        self._build({i: data for i, data in items.items() if i not in broken})
        self._refused |= {i: items[i] for i in broken}
        self.failed |= broken
        return broken

    def _build(self, items: Mapping[str, str]) -> None:
        """This engine's processor built again with ``items`` (id → JSON): after an error
        citeproc-js keeps the item it failed on, and every later call fails with it."""
        # Forced, because the parent's default-locale must not override the dependent's.
        self._runtime.call("build", self._key, self._xml, self.locale, True)
        self._document, self._ids, self._texts, self._uncited = [], [], [], []
        self._items = {}
        if items:
            self._send(items)

    def _send(self, items: Mapping[str, str]) -> None:
        """Items (id → JSON) to the JS engine, replacing any with the same id."""
        self._runtime.call("addItems", self._key, "[" + ",".join(items.values()) + "]")
        self._items.update(items)

    def _check_known(self, ids: Iterable[str]) -> None:
        unknown = [i for i in ids if i not in self._items]
        if unknown:
            raise CitationError(_("Unknown reference id: {ids}").format(ids=", ".join(unknown)))


class EngineCache:
    """One engine per (style, locale), built once; safe to ask from several threads."""

    def __init__(self) -> None:
        self._engines: dict[tuple[str, str | None], CitationEngine] = {}
        self._building: dict[tuple[str, str | None], threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, style: str | Path, locale: str | None = None) -> CitationEngine:
        key = (str(style), locale)
        with self._lock:
            if key in self._engines:
                return self._engines[key]
            building = self._building.setdefault(key, threading.Lock())
        # Two threads asking for the same (style, locale) build it once.
        with building:
            with self._lock:
                if key in self._engines:
                    return self._engines[key]
            engine = CitationEngine(style, locale)
            with self._lock:
                self._engines[key] = engine
                self._building.pop(key, None)
            return engine



# The process's engines, shared by the section editor and the export: building a style costs
# up to a second, so it is done once per style and locale.
ENGINES = EngineCache()
