"""What every bibliography reader (BibTeX, RIS, CSL-JSON) hands to the importer.

A reader turns a file's text into ``ParsedEntry`` values (CSL-JSON meaning plus the original
record, verbatim) and ``Rejected`` values (an entry it could not read, with where and why). A
reader never drops an entry silently: every entry in the file ends up in one of the two lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


FORMATS = {"bibtex": "BibTeX", "ris": "RIS", "csl-json": "CSL-JSON"}  # as people name them


@dataclass
class ParsedEntry:
    line: int                # 1-based line where the entry starts in the (decoded) file
    key: str                 # citation key / id as written in the file ('' when it has none)
    csl: dict[str, Any]      # CSL-JSON item; its "id" is set by the importer, not the reader
    raw: str                 # the original record text, verbatim
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rejected:
    line: int
    key: str | None
    reason: str


@dataclass
class ParseResult:
    entries: list[ParsedEntry] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    # Entries a worker process has already made ready for storing (prepared.Wire tuples).
    prepared: list[Any] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.entries) + len(self.prepared) + len(self.rejected)
