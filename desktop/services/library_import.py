"""Importing bibliography files into the library, with a report that accounts for every entry.

One import is one transaction: cancelled or failed, the workspace is as it was. Each entry in
each file ends up in exactly one of: imported, merged into an existing duplicate, or rejected
(with its line and the reason). Entries whose citation key is empty or already taken get a new
key and a warning saying so.
"""
from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..i18n import _
from ..models.entities import Reference
from .bibentry import FORMATS, ParseResult  # noqa: F401 (FORMATS re-exported)
from .bibtex import EXTRA, count_entries, iter_bibtex
from .library_edit import MERGE_FIELDS, set_tag
from .csljson import NotCslJson, parse_csljson
from .duplicates import DuplicateIndex
from .records import new_id, now_iso
from .prepared import Wire, loaded, to_wire
from .references import deferred_search_index
from .ris import parse_ris
from .tasks import NO_CONTROL, TaskControl, gc_paused
from .textdecode import decode
from .workspace import Workspace

_RIS_TAG = re.compile(r"(?m)^[A-Z][A-Z0-9] {1,2}- ?")
_BIB_ENTRY = re.compile(r"(?m)^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]")


@dataclass(frozen=True)
class Problem:
    line: int | None
    key: str | None
    reason: str
    severity: str  # "error": the entry was not imported; "warning": imported, with a remark


@dataclass
class FileReport:
    path: str
    format: str = ""
    encoding: str = ""
    entries_found: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    error: str = ""  # set when the file could not be read at all

    @property
    def readable(self) -> bool:
        return not self.error


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"files": [{**asdict(f), "readable": f.readable} for f in self.files]}

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files)


class UnreadableFile(Exception):
    pass


def sniff(text: str) -> str | None:
    """Which reader fits the content (not the file name)."""
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if head in "[{" and head:
        return "csl-json"
    head_text = text[:20000]
    if re.search(r"(?m)^TY {1,2}-", head_text) or (
            len(_RIS_TAG.findall(head_text)) >= 3 and re.search(r"(?m)^ER {1,2}-", head_text)):
        return "ris"
    if _BIB_ENTRY.search(text) or "@" in text:
        return "bibtex"
    return None


@dataclass
class OpenedFile:
    format: str
    encoding: str
    estimate: int                    # entries expected, for progress
    batches: Iterator[ParseResult]   # read lazily: large BibTeX files parse while we store


def read_file(path: Path) -> OpenedFile:
    """Decode and recognise one file; ``UnreadableFile`` names why it cannot be read at all."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(_("cannot open the file: {reason}").format(
            reason=exc.strerror or exc)) from exc
    decoded = decode(data)
    text = decoded.text
    if not text.strip():
        return OpenedFile("bibtex", decoded.note, 0, iter([]))
    kind = sniff(text)
    if kind is None:
        raise UnreadableFile(_("not a BibTeX, BibLaTeX, RIS or CSL-JSON file"))
    if kind == "bibtex":
        return OpenedFile(kind, decoded.note, count_entries(text), iter_bibtex(text))
    if kind == "csl-json":
        try:
            result = parse_csljson(text)
        except NotCslJson as exc:
            raise UnreadableFile(str(exc)) from exc
    else:
        result = parse_ris(text)
    return OpenedFile(kind, decoded.note, len(result.entries), iter([result]))


class KeyRegistry:
    """Citation keys already taken (case-insensitively), and fresh ones on demand."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = {k.lower() for k in taken}

    def claim(self, wanted: str, fallback: str) -> tuple[str, str | None]:
        """The key to store, and a warning if it is not the one in the file."""
        if wanted and wanted.lower() not in self.taken:
            self.taken.add(wanted.lower())
            return wanted, None
        base = wanted or fallback
        candidate, suffix = base, 0
        while not candidate or candidate.lower() in self.taken:
            suffix += 1
            candidate = f"{base}{_letters(suffix)}"
        self.taken.add(candidate.lower())
        if wanted:
            return candidate, _("citation key {key} is already used; stored as {new}").format(
                key=wanted, new=candidate)
        return candidate, _("no citation key; stored as {new}").format(new=candidate)


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(97 + rem) + out
    return out


def _richer(existing: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """Fields of ``incoming`` that fill what ``existing`` lacks (never overwrites a value)."""
    return {k: v for k, v in incoming.items()
            if k in _FILLABLE and v not in (None, "", [], {})
            and existing.get(k) in (None, "", [], {})}


_FILLABLE = (*MERGE_FIELDS, "year")  # the fields a merge compares, and the year with issued


def import_files(workspace: Workspace, paths: Sequence[Path | str],
                 control: TaskControl = NO_CONTROL) -> ImportReport:
    report = ImportReport()
    opened: list[tuple[FileReport, OpenedFile]] = []
    for number, raw_path in enumerate(paths):
        path = Path(raw_path)
        file_report = FileReport(path=str(path))
        report.files.append(file_report)
        control.progress(number, len(paths), _("Reading {name}").format(name=path.name))
        try:
            source = read_file(path)
        except UnreadableFile as exc:
            file_report.error = str(exc)
            file_report.problems.append(Problem(None, None, str(exc), "error"))
            continue
        file_report.format = source.format
        file_report.encoding = source.encoding
        opened.append((file_report, source))

    total = max(1, sum(source.estimate for _report, source in opened))
    added = now_iso()
    done = 0
    with gc_paused(), workspace.transaction() as tx, \
            deferred_search_index(tx.session) as index_new:
        index = DuplicateIndex.load(tx.session)
        keys = KeyRegistry(set(tx.session.execute(select(Reference.citation_key)).scalars()))
        for file_report, source in opened:
            for batch in source.batches:
                file_report.entries_found += batch.count
                file_report.rejected += len(batch.rejected)
                file_report.problems.extend(Problem(r.line, r.key, r.reason, "error")
                                            for r in batch.rejected)
                pending: dict[str, dict[str, Any]] = {}
                rows: list[dict[str, Any]] = []
                ids: list[str] = []
                for wire in itertools.chain(batch.prepared, map(to_wire, batch.entries)):
                    done += 1
                    if done % 200 == 0:
                        control.progress(min(done, total), total, _("Importing references"))
                    _take(wire, source.format, tx, index, keys, pending, file_report, rows,
                          ids, added)
                tx.create_many(Reference, rows, ids)
                _tag_groups(tx, rows, ids)
                index_new()
        control.progress(total, total, _("Indexing for search"))
    return report


# Fields in which reference managers keep their groups or tags; they become Tandem tags.
_GROUP_FIELDS = ("groups", "mendeley-tags")


def _tag_groups(tx: Any, rows: list[dict[str, Any]], ids: list[str]) -> None:
    """JabRef groups and Mendeley tags of the new references, as tags."""
    tagged: dict[str, list[str]] = {}
    for ref_id, fields in zip(ids, rows):
        csl = fields["csl"]  # encoded JSON (see prepared.py): look before decoding
        if not any(f'"{name}"' in csl for name in _GROUP_FIELDS):
            continue
        extra = json.loads(csl).get(EXTRA) or {}
        for name in _GROUP_FIELDS:
            for group in str(extra.get(name, "")).split(","):
                if group.strip():
                    tagged.setdefault(" ".join(group.split()), []).append(ref_id)
    for group, members in tagged.items():
        set_tag(tx, members, group, True)


def _take(wire: Wire, kind: str, tx: Any, index: DuplicateIndex, keys: KeyRegistry,
          pending: dict[str, dict[str, Any]], file_report: FileReport,
          rows: list[dict[str, Any]], ids: list[str], stamp: str) -> None:
    line, file_key, raw, warnings, prepared_fields, duplicate_keys, fallback_key = wire
    for warning in warnings:
        file_report.problems.append(Problem(line, file_key or None, warning, "warning"))
    ref_id = new_id()
    duplicate = index.find_or_add(ref_id, duplicate_keys)
    if duplicate is not None:
        incoming = loaded(prepared_fields)
        if duplicate in pending:
            pending[duplicate].update(_richer(loaded(pending[duplicate]), incoming))
            other = pending[duplicate]["citation_key"]
        else:
            existing = tx.session.get(Reference, duplicate)
            current = {k: getattr(existing, k) for k in incoming if hasattr(existing, k)}
            tx.update(Reference, duplicate, _richer(current, incoming))
            other = existing.citation_key
        file_report.duplicates += 1
        file_report.problems.append(Problem(line, file_key or None, _(
            "same work as {other}; merged into it").format(other=other), "warning"))
        return
    key, warning = keys.claim(file_key, fallback_key)
    if warning:
        file_report.problems.append(Problem(line, file_key or None, warning, "warning"))
    fields = dict(prepared_fields)
    fields.update(citation_key=key, original_format=kind, original_record=raw, added_at=stamp)
    pending[ref_id] = fields
    rows.append(fields)
    ids.append(ref_id)
    file_report.imported += 1
