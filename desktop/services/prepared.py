"""A parsed entry made ready for storing: its columns (JSON already encoded), the keys that
find its duplicates, and the citation key it would get if it has none.

Import worker processes prepare entries this way, so that the process holding the database
only looks things up and writes.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..models.entities import Reference
from .bibentry import ParsedEntry
from .duplicates import DuplicateKeys, keys_of
from .records import dump
from .references import fields_from_csl

JSON_COLUMNS = tuple(c.name for c in Reference.__table__.columns  # type: ignore[attr-defined]
                     if c.type.__class__.__name__ == "JSON")
_KEY_CHARS = re.compile(r"[^A-Za-z0-9]+")


@dataclass
class Prepared:
    fields: dict[str, Any]
    duplicate_keys: DuplicateKeys
    base_key: str


def base_key(item: Mapping[str, Any]) -> str:
    """'Smith2004' from the first author's family name (ASCII) and the year."""
    names = item.get("author") or item.get("editor") or [{}]
    family = str(names[0].get("family") or names[0].get("literal") or "")
    ascii_family = unicodedata.normalize("NFKD", family).encode("ascii", "ignore").decode()
    family = _KEY_CHARS.sub("", ascii_family.split(" ")[-1] if ascii_family.strip() else "")
    try:
        year = str(item["issued"]["date-parts"][0][0])
    except (KeyError, IndexError, TypeError):
        year = ""
    return f"{family or 'ref'}{year}"


def prepare(item: Mapping[str, Any]) -> Prepared:
    fields = fields_from_csl(item)
    for name in JSON_COLUMNS:
        fields[name] = dump(fields[name]) or "null"  # see records.dump
    return Prepared(fields, keys_of(item), base_key(item))


# What a worker process sends for one entry. Plain tuples, strings and dicts: they cross the
# process boundary three times faster than dataclass instances.
Wire = tuple[int, str, str, list[str], dict[str, Any], DuplicateKeys, str]


def to_wire(entry: ParsedEntry) -> Wire:
    """(line, key, raw record, warnings, fields, duplicate keys, fallback key)."""
    ready = prepare(entry.csl)
    return (entry.line, entry.key, entry.raw, entry.warnings, ready.fields,
            ready.duplicate_keys, ready.base_key)


def loaded(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Prepared fields with JSON columns decoded again (for comparing and merging)."""
    return {k: json.loads(v) if k in JSON_COLUMNS and isinstance(v, str) else v
            for k, v in fields.items()}
