"""Pasted HTML (from Word, a web page, a PDF viewer) turned into the section text's delta model:
the formatting a proposal uses is kept (bold, italic, underline, super- and subscript, links,
headings, bullet and numbered lists with their depth), the rest (fonts, colours, sizes, images,
scripts, Word's own markup) is dropped.

Word does not write lists as ``<ul>``/``<ol>``: it writes paragraphs styled ``mso-list: l0
level2 lfo1`` whose bullet or number is typed text inside ``<![if !supportLists]>``; those
become list paragraphs of that depth, numbered when the typed marker was a number or letter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

Run = tuple[str, dict[str, Any]]

_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre",
           "dt", "dd", "section", "article", "header", "footer", "table", "ul", "ol"}
_SKIP = {"script", "style", "head", "title", "noscript", "template", "svg", "object"}
_INLINE_TAGS = {"b": ("bold", True), "strong": ("bold", True), "i": ("italic", True),
                "em": ("italic", True), "cite": ("italic", True), "u": ("underline", True),
                "ins": ("underline", True), "sup": ("script", "super"),
                "sub": ("script", "sub")}
_MSO_LIST = re.compile(r"mso-list:\s*l\d+\s+level(\d+)", re.I)
_ORDERED_MARKER = re.compile(r"^\s*(\d+|[a-zA-Z]|[ivxlcIVXLC]+)[.)]")
_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")


def _style_attrs(style: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for part in style.split(";"):
        name, _sep, value = part.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "font-weight":
            if value in ("bold", "bolder") or (value.isdigit() and int(value) >= 600):
                found["bold"] = True
            elif value in ("normal", "lighter") or value.isdigit():
                found["bold"] = None
        elif name == "font-style":
            found["italic"] = True if value in ("italic", "oblique") else None
        elif name == "text-decoration" or name == "text-decoration-line":
            if "underline" in value:
                found["underline"] = True
            elif value == "none":
                found["underline"] = None
        elif name == "vertical-align":
            found["script"] = "super" if value == "super" else "sub" if value == "sub" else None
    return found


@dataclass
class _Frame:
    tag: str
    attrs: dict[str, Any]


@dataclass
class _Paragraph:
    runs: list[Run] = field(default_factory=list)
    block: dict[str, Any] = field(default_factory=dict)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Frame] = []
        self.lists: list[str] = []   # 'bullet' / 'ordered' of the open <ul>/<ol>
        self.paragraphs: list[_Paragraph] = []
        self.current = _Paragraph()
        self.skip = 0
        self.in_marker = False       # inside Word's typed bullet or number
        self.marker = ""
        self.pre = 0

    # -- structure ------------------------------------------------------------------------
    def _close_paragraph(self) -> None:
        if any(text.strip() for text, _a in self.current.runs):
            runs = self.current.runs
            first_text, first_attrs = runs[0]
            runs[0] = (first_text.lstrip(), first_attrs)
            last_text, last_attrs = runs[-1]
            runs[-1] = (last_text.rstrip(), last_attrs)
            self.paragraphs.append(_Paragraph([r for r in runs if r[0]], self.current.block))
        self.current = _Paragraph()

    def _inline(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        for frame in self.stack:
            attrs.update(frame.attrs)
        return {k: v for k, v in attrs.items() if v is not None}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        style = values.get("style", "")
        if tag in ("ul", "ol"):
            self._close_paragraph()
            self.lists.append("ordered" if tag == "ol" else "bullet")
        elif tag in _BLOCKS or tag == "br":
            self._close_paragraph()
        if tag == "br":
            return
        if tag == "pre":
            self.pre += 1
        level = re.fullmatch(r"h([1-6])", tag)
        if level:
            self.current.block = {"header": min(3, int(level.group(1)))}
        elif tag == "li" and self.lists:
            self.current.block = {"list": self.lists[-1]}
            if len(self.lists) > 1:
                self.current.block["indent"] = len(self.lists) - 1
        word_list = _MSO_LIST.search(style)
        if word_list and tag == "p":
            depth = int(word_list.group(1)) - 1
            self.current.block = {"list": "bullet", **({"indent": depth} if depth else {})}
        inline = dict(_style_attrs(style))
        if tag in _INLINE_TAGS:
            key, value = _INLINE_TAGS[tag]
            inline[key] = value
        if tag == "a" and values.get("href", "").startswith(("http://", "https://", "mailto:")):
            inline["link"] = values["href"]
        if tag in ("td", "th") and self.current.runs:
            self.current.runs.append((" ", self._inline()))
        if tag not in ("img", "hr", "input", "meta", "link", "wbr"):
            self.stack.append(_Frame(tag, inline))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        for n in range(len(self.stack) - 1, -1, -1):
            if self.stack[n].tag == tag:
                del self.stack[n:]
                break
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in ("ul", "ol"):
            self._close_paragraph()
            if self.lists:
                self.lists.pop()
        elif tag in _BLOCKS:
            self._close_paragraph()

    def unknown_decl(self, data: str) -> None:
        # Word's conditional markup: <![if !supportLists]> ... <![endif]>
        text = data.strip().strip("[]").strip().lower()
        if text.startswith("if") and "supportlists" in text:
            self.in_marker, self.marker = True, ""
        elif text.startswith("endif") and self.in_marker:
            self.in_marker = False
            if _ORDERED_MARKER.match(self.marker) and self.current.block.get("list"):
                self.current.block["list"] = "ordered"

    def handle_comment(self, data: str) -> None:
        # The same markers, as Word writes them in clipboard HTML.
        self.unknown_decl(data)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.in_marker:
            self.marker += data
            return
        text = data if self.pre else _SPACE.sub(" ", data)
        if not text:
            return
        if self.pre:
            lines = text.split("\n")
            for n, line in enumerate(lines):
                if n:
                    self._close_paragraph()
                if line:
                    self.current.runs.append((line, self._inline()))
            return
        # HTML shows a run of spaces as one, also across tags.
        if text.startswith(" ") and (not self.current.runs
                                     or self.current.runs[-1][0].endswith(" ")):
            text = text.lstrip(" ")
        if text:
            self.current.runs.append((text, self._inline()))

    def close(self) -> None:
        super().close()
        self._close_paragraph()


def html_to_runs(html: str) -> list[Run]:
    """The paragraphs of ``html`` as runs; each paragraph ends with a newline that carries its
    block attributes. Neighbouring runs with the same attributes are joined."""
    reader = _Reader()
    # Word's fragment markers are comments; everything outside them is context, not content.
    body = re.search(r"<!--StartFragment-->(.*)<!--EndFragment-->", html, re.S)
    reader.feed(body.group(1) if body else html)
    reader.close()
    runs: list[Run] = []
    for paragraph in reader.paragraphs:
        for text, attrs in paragraph.runs:
            if runs and runs[-1][1] == attrs and runs[-1][0] != "\n":
                runs[-1] = (runs[-1][0] + text, attrs)
            else:
                runs.append((text, attrs))
        runs.append(("\n", dict(paragraph.block)))
    return runs
