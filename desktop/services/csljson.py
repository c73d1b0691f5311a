"""Reading CSL-JSON (as Zotero, Better BibTeX, pandoc and Tandem write it), item by item.

Each item is decoded on its own from its position in the array, so one malformed item is
rejected with its line while the rest are read, and each item's original JSON text is kept.
"""
from __future__ import annotations

import json
import re
from typing import Any

from ..i18n import _
from .bibentry import ParsedEntry, ParseResult, Rejected

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[\s,]*")


class NotCslJson(ValueError):
    """The text is not a CSL-JSON array (or object of items) at all."""


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def normalise_date(value: Any) -> Any:
    """Date parts as integers where they are numbers ("2011" -> 2011), other forms untouched."""
    if not isinstance(value, dict) or "date-parts" not in value:
        return value
    parts = []
    for part in value.get("date-parts") or []:
        if not isinstance(part, list):
            continue
        numbers = []
        for piece in part:
            try:
                numbers.append(int(piece))
            except (TypeError, ValueError):
                break
        if numbers:
            parts.append(numbers)
    fixed = {k: v for k, v in value.items() if k != "date-parts"}
    if parts:
        fixed["date-parts"] = parts
    return fixed


def parse_csljson(text: str) -> ParseResult:
    result = ParseResult()
    start = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if text.startswith("{", start):
        try:
            whole, _end = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            raise NotCslJson(_("not valid JSON at line {line}, column {col}: {reason}").format(
                line=exc.lineno, col=exc.colno, reason=exc.msg)) from exc
        items = whole.get("items") if isinstance(whole, dict) else None
        if not isinstance(items, list):
            raise NotCslJson(_("a JSON object without an \"items\" list is not CSL-JSON"))
        text = json.dumps(items, ensure_ascii=False, indent=1)
        start = 0
    if not text.startswith("[", start):
        raise NotCslJson(_("CSL-JSON must be a JSON array of items"))
    pos = start + 1
    while True:
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            result.rejected.append(Rejected(_line(text, pos), None,
                                            _("the array is not closed by ]")))
            break
        if text[pos] == "]":
            break
        line = _line(text, pos)
        try:
            item, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            result.rejected.append(Rejected(exc.lineno, None, _(
                "not valid JSON at line {line}, column {col}: {reason}; the rest of the file "
                "cannot be read").format(line=exc.lineno, col=exc.colno, reason=exc.msg)))
            break
        raw = text[pos:end]
        pos = end
        if not isinstance(item, dict):
            result.rejected.append(Rejected(line, None, _("an item must be a JSON object")))
            continue
        key = str(item.get("citation-key") or item.get("id") or "")
        warnings: list[str] = []
        if not item.get("type"):
            warnings.append(_("no type; kept as a document"))
            item["type"] = "document"
        for var in ("issued", "accessed", "original-date", "event-date", "submitted"):
            if var in item:
                item[var] = normalise_date(item[var])
        if "DOI" not in item and "doi" in item:
            item["DOI"] = item.pop("doi")
        item.pop("id", None)
        result.entries.append(ParsedEntry(line, key, item, raw, warnings))
    return result
