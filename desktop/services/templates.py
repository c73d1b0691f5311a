"""Funder templates: the data model, reading and validating the JSON files, user copies, and the
limit checker.

A template describes what a funder's proposal form asks for: nested sections with English and
Dutch titles and guidance, word/character/page/item limits on a section, a section with its
subsections, or a named group of sections, the export format profile and the default citation
style. Funders change their forms every round, so every number carries its source, a verification
status (``verified``/``secondary``/``unverified``) and, where known, the date it was last checked.

Shipped templates live in ``resources/templates/`` and are read-only; the user's own templates
(clones edited for a new round) live in ``<data folder>/templates/``. Each file is one template,
named ``<id>.json``. A file that fails validation is reported with its name and the field at fault
and skipped; it never stops the other templates from loading.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal, cast

from .. import resources_dir
from ..atomic import write_text
from ..i18n import N_, _, current_language
from ..paths import data_dir
from ..settings import CITATION_STYLES
from .documents import count_words

FILE_FORMAT = 1
Status = Literal["verified", "secondary", "unverified"]
Kind = Literal["words", "characters", "pages", "items"]
Scope = Literal["section", "with_children", "group"]
Enforcement = Literal["hard", "indicative"]
State = Literal["ok", "warning", "over", "under"]
Origin = Literal["shipped", "user"]

STATUSES: tuple[Status, ...] = ("verified", "secondary", "unverified")
KINDS: tuple[Kind, ...] = ("words", "characters", "pages", "items")
SECTION_SCOPES: tuple[Scope, ...] = ("section", "with_children")
ENFORCEMENTS: tuple[Enforcement, ...] = ("hard", "indicative")
CONTENT_TYPES = ("narrative", "table", "form", "budget", "bibliography")
SUBMISSION_FORMATS = ("pdf", "docx", "webform")
PAGE_SIZES_MM = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# A limit at or above this share of its maximum is "warning": close enough to plan cuts.
NEAR = 0.9

KIND_LABELS = {"words": N_("words"), "characters": N_("characters"), "pages": N_("pages"),
               "items": N_("items")}
SCOPE_LABELS = {"section": N_("this section"), "with_children": N_("with its subsections"),
                "group": N_("group of sections")}
ENFORCEMENT_LABELS = {"hard": N_("hard"), "indicative": N_("indicative")}
STATUS_LABELS = {"verified": N_("verified"), "secondary": N_("secondary"),
                 "unverified": N_("unverified")}
STATE_LABELS = {"ok": N_("within the limit"), "warning": N_("near the limit"),
                "over": N_("over the limit"), "under": N_("under the minimum")}


def describe_bounds(kind: str, low: float | None, high: float | None) -> str:
    """Bounds in the user's language: "≤ 300 words", "400–700 words", "≥ 400 words"."""
    unit = _(KIND_LABELS.get(kind, kind))
    if low is not None and high is not None:
        return f"{low:g}–{high:g} {unit}"
    if high is not None:
        return f"≤ {high:g} {unit}"
    return f"≥ {low:g} {unit}" if low is not None else unit


class TemplateError(ValueError):
    """A template file or value that does not fit the model; the message names file and field."""


@dataclass(frozen=True)
class Localized:
    """A text in English and Dutch; either may be empty, the other then stands in."""

    en: str = ""
    nl: str = ""

    def get(self, language: str | None = None) -> str:
        language = language or current_language()
        first, second = (self.nl, self.en) if language == "nl" else (self.en, self.nl)
        return first or second

    def __bool__(self) -> bool:
        return bool(self.en or self.nl)


@dataclass(frozen=True)
class Provenance:
    """Where a number comes from: a URL or a named document, and how sure we are of it."""

    source: str
    status: Status
    checked: date | None = None


@dataclass(frozen=True)
class SourcedNumber:
    value: float
    provenance: Provenance


@dataclass(frozen=True)
class Fact:
    """A number about the call that is not a text limit (maximum budget, duration, partners)."""

    id: str
    label: Localized
    unit: str
    number: SourcedNumber


@dataclass(frozen=True)
class Limit:
    """A minimum and/or maximum on a section, a section with its subsections, or a group.

    ``counts_references`` is ``None`` where the funder's rule is unknown; the checker then counts
    the references, so that an unknown rule errs towards an early warning.
    """

    kind: Kind
    max: float | None
    provenance: Provenance
    min: float | None = None
    scope: Scope = "section"
    group: str | None = None
    enforcement: Enforcement = "hard"
    counts_references: bool | None = None
    note: Localized = Localized()

    @property
    def hard(self) -> bool:
        return self.enforcement == "hard"

    def describe(self) -> str:
        return describe_bounds(self.kind, self.min, self.max)


@dataclass(frozen=True)
class TemplateSection:
    id: str
    number: str
    title: Localized
    guidance: Localized = Localized()
    required: bool = True
    content_type: str = "narrative"
    weight_percent: SourcedNumber | None = None
    limits: tuple[Limit, ...] = ()
    children: tuple[TemplateSection, ...] = ()

    def title_in(self, language: str | None = None) -> str:
        return self.title.get(language)

    def guidance_in(self, language: str | None = None) -> str:
        return self.guidance.get(language)

    def heading(self, language: str | None = None) -> str:
        return f"{self.number} {self.title_in(language)}" if self.number else self.title_in(
            language)

    def walk(self) -> Iterator[TemplateSection]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class SectionGroup:
    """Sections that share a limit (e.g. the whole of a Part B); each brings its subsections."""

    id: str
    title: Localized
    sections: tuple[str, ...]


@dataclass(frozen=True)
class Margins:
    top: float
    right: float
    bottom: float
    left: float


@dataclass(frozen=True)
class FormatProfile:
    """How the export should look. Empty fields mean the funder sets no rule (or none is known).

    ``provenance`` covers every number in the profile; it is required as soon as there is one.
    """

    page_size: str | None = None
    margins_mm: Margins | None = None
    font_family: str | None = None
    font_size_pt: float | None = None
    min_font_size_other_pt: float | None = None
    line_spacing: float | None = None
    heading_numbering: str | None = None
    header_text: str | None = None
    footer_text: str | None = None
    toc: bool = False
    submission_format: str | None = None
    page_counting: Localized = Localized()
    notes: Localized = Localized()
    provenance: Provenance | None = None


@dataclass(frozen=True)
class CitationProfile:
    style: str = "apa"
    note: Localized = Localized()


@dataclass(frozen=True)
class Template:
    id: str
    version: str
    name: Localized
    funder: Localized
    scheme: Localized
    round: str = ""
    languages: tuple[str, ...] = ("en",)
    sections: tuple[TemplateSection, ...] = ()
    groups: tuple[SectionGroup, ...] = ()
    limits: tuple[Limit, ...] = ()
    format: FormatProfile = FormatProfile()
    citation: CitationProfile = CitationProfile()
    facts: tuple[Fact, ...] = ()
    notes: Localized = Localized()
    sources: tuple[str, ...] = ()
    last_verified: date | None = None
    based_on: str | None = None
    origin: Origin = field(default="user", compare=False)

    @property
    def read_only(self) -> bool:
        return self.origin == "shipped"

    def name_in(self, language: str | None = None) -> str:
        return self.name.get(language)

    def walk(self) -> Iterator[TemplateSection]:
        for section in self.sections:
            yield from section.walk()

    def section(self, section_id: str) -> TemplateSection:
        for s in self.walk():
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def group(self, group_id: str) -> SectionGroup:
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(group_id)

    def all_limits(self) -> Iterator[tuple[str, Limit]]:
        """Every limit with the id of what it limits (a section id or a group id)."""
        for s in self.walk():
            for limit in s.limits:
                yield s.id, limit
        for limit in self.limits:
            yield cast(str, limit.group), limit


@dataclass(frozen=True)
class TemplateProblem:
    path: Path
    message: str


@dataclass(frozen=True)
class LoadedTemplates:
    templates: tuple[Template, ...]
    problems: tuple[TemplateProblem, ...]

    def get(self, template_id: str) -> Template:
        found = self.find(template_id)
        if found is None:
            raise KeyError(template_id)
        return found

    def find(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)


# ---------------------------------------------------------------------------------------------
# Reading and validation

class _Reader:
    """Turns one file's JSON into a Template, raising TemplateError naming the file and field."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, where: str, message: str) -> TemplateError:
        return TemplateError(f"{self.file}: {where}: {message}")

    def obj(self, value: Any, where: str, allowed: Sequence[str],
            required: Sequence[str] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, _("must be a JSON object"))
        for key in value:
            if key not in allowed:
                raise self.fail(f"{where}.{key}" if where else key, _("unknown field"))
        for key in required:
            if value.get(key) in (None, ""):
                raise self.fail(f"{where}.{key}" if where else key, _("is required"))
        return value

    def text(self, value: Any, where: str, optional: bool = True) -> str:
        if value is None and optional:
            return ""
        if not isinstance(value, str):
            raise self.fail(where, _("must be text"))
        return value

    def choice(self, value: Any, where: str, choices: Sequence[str]) -> Any:
        if value not in choices:
            raise self.fail(where, _("must be one of: {choices}").format(
                choices=", ".join(choices)))
        return value

    def number(self, value: Any, where: str, optional: bool = True) -> float | None:
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise self.fail(where, _("must be a positive number"))
        return float(value)

    def flag(self, value: Any, where: str, default: bool | None) -> bool | None:
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(where, _("must be true or false"))
        return value

    def listing(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(where, _("must be a list"))
        return value

    def ident(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            raise self.fail(where, _("must be an id of lower-case letters, digits, '.', '-' "
                                     "or '_'"))
        return value

    def localized(self, value: Any, where: str, required: bool = False) -> Localized:
        if value is None and not required:
            return Localized()
        data = self.obj(value, where, ("en", "nl"))
        result = Localized(self.text(data.get("en"), f"{where}.en"),
                           self.text(data.get("nl"), f"{where}.nl"))
        if required and not result:
            raise self.fail(where, _("needs an English or Dutch text"))
        return result

    def day(self, value: Any, where: str) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(self.text(value, where))
        except ValueError:
            raise self.fail(where, _("must be a date like 2025-01-31")) from None

    def provenance(self, data: dict[str, Any], where: str) -> Provenance:
        source = self.text(data.get("source"), f"{where}.source")
        if not source.strip():
            raise self.fail(f"{where}.source", _("every number needs its source"))
        status = self.choice(data.get("status"), f"{where}.status", STATUSES)
        return Provenance(source, status, self.day(data.get("checked"), f"{where}.checked"))

    def sourced(self, value: Any, where: str) -> SourcedNumber:
        data = self.obj(value, where, ("value", "source", "status", "checked"), ("value",))
        return SourcedNumber(cast(float, self.number(data["value"], f"{where}.value", False)),
                             self.provenance(data, where))

    def limit(self, value: Any, where: str, group: bool) -> Limit:
        keys = ("kind", "min", "max", "enforcement", "counts_references", "note", "source",
                "status", "checked", "group" if group else "scope")
        data = self.obj(value, where, keys, ("kind",) + (("group",) if group else ()))
        low = self.number(data.get("min"), f"{where}.min")
        high = self.number(data.get("max"), f"{where}.max")
        if low is None and high is None:
            raise self.fail(f"{where}.max", _("a limit needs a minimum or a maximum"))
        if low is not None and high is not None and low > high:
            raise self.fail(f"{where}.min", _("is larger than the maximum"))
        return Limit(
            kind=self.choice(data["kind"], f"{where}.kind", KINDS), max=high, min=low,
            provenance=self.provenance(data, where),
            scope="group" if group else self.choice(data.get("scope", "section"),
                                                    f"{where}.scope", SECTION_SCOPES),
            group=self.ident(data["group"], f"{where}.group") if group else None,
            enforcement=self.choice(data.get("enforcement", "hard"), f"{where}.enforcement",
                                    ENFORCEMENTS),
            counts_references=self.flag(data.get("counts_references"),
                                        f"{where}.counts_references", None),
            note=self.localized(data.get("note"), f"{where}.note"))

    def section(self, value: Any, where: str) -> TemplateSection:
        data = self.obj(value, where, ("id", "number", "title", "guidance", "required",
                                       "content_type", "weight_percent", "limits", "children"),
                        ("id", "title"))
        weight = data.get("weight_percent")
        return TemplateSection(
            id=self.ident(data["id"], f"{where}.id"),
            number=self.text(data.get("number"), f"{where}.number"),
            title=self.localized(data["title"], f"{where}.title", required=True),
            guidance=self.localized(data.get("guidance"), f"{where}.guidance"),
            required=bool(self.flag(data.get("required"), f"{where}.required", True)),
            content_type=self.choice(data.get("content_type", "narrative"),
                                     f"{where}.content_type", CONTENT_TYPES),
            weight_percent=None if weight is None else self.sourced(
                weight, f"{where}.weight_percent"),
            limits=tuple(self.limit(v, f"{where}.limits[{i}]", group=False)
                         for i, v in enumerate(self.listing(data.get("limits"),
                                                            f"{where}.limits"))),
            children=tuple(self.section(v, f"{where}.children[{i}]")
                           for i, v in enumerate(self.listing(data.get("children"),
                                                              f"{where}.children"))))

    def format(self, value: Any) -> FormatProfile:
        where = "format"
        if value is None:
            return FormatProfile()
        data = self.obj(value, where, (
            "page_size", "margins_mm", "font_family", "font_size_pt", "min_font_size_other_pt",
            "line_spacing", "heading_numbering", "header_text", "footer_text", "toc",
            "submission_format", "page_counting", "notes", "source", "status", "checked"))
        margins = None
        if data.get("margins_mm") is not None:
            m = self.obj(data["margins_mm"], f"{where}.margins_mm",
                         ("top", "right", "bottom", "left"), ("top", "right", "bottom", "left"))
            margins = Margins(*(cast(float, self.number(m[k], f"{where}.margins_mm.{k}", False))
                                for k in ("top", "right", "bottom", "left")))
        page_size = data.get("page_size")
        if page_size is not None:
            self.choice(page_size, f"{where}.page_size", tuple(PAGE_SIZES_MM))
        submission = data.get("submission_format")
        if submission is not None:
            self.choice(submission, f"{where}.submission_format", SUBMISSION_FORMATS)
        numbers = {k: self.number(data.get(k), f"{where}.{k}")
                   for k in ("font_size_pt", "min_font_size_other_pt", "line_spacing")}
        has_numbers = margins is not None or page_size is not None or any(
            v is not None for v in numbers.values())
        provenance = None
        if has_numbers or data.get("source") or data.get("status"):
            provenance = self.provenance(data, where)
        return FormatProfile(
            page_size=page_size, margins_mm=margins,
            font_family=self.text(data.get("font_family"), f"{where}.font_family") or None,
            heading_numbering=self.text(data.get("heading_numbering"),
                                        f"{where}.heading_numbering") or None,
            header_text=self.text(data.get("header_text"), f"{where}.header_text") or None,
            footer_text=self.text(data.get("footer_text"), f"{where}.footer_text") or None,
            toc=bool(self.flag(data.get("toc"), f"{where}.toc", False)),
            submission_format=submission,
            page_counting=self.localized(data.get("page_counting"), f"{where}.page_counting"),
            notes=self.localized(data.get("notes"), f"{where}.notes"),
            provenance=provenance, **numbers)

    def template(self, value: Any, origin: Origin) -> Template:
        data = self.obj(value, "", (
            "file_format", "id", "version", "round", "name", "funder", "scheme", "languages",
            "sections", "groups", "limits", "format", "citation", "facts", "notes", "sources",
            "last_verified", "based_on"), ("file_format", "id", "version", "name", "sections"))
        if data["file_format"] != FILE_FORMAT:
            raise self.fail("file_format", _("this version of the app reads format {n}").format(
                n=FILE_FORMAT))
        languages = self.listing(data.get("languages", ["en"]), "languages")
        for i, code in enumerate(languages):
            self.choice(code, f"languages[{i}]", ("en", "nl"))
        citation = self.obj(data.get("citation", {}), "citation", ("style", "note"))
        sections = tuple(self.section(v, f"sections[{i}]")
                         for i, v in enumerate(self.listing(data["sections"], "sections")))
        groups = []
        for i, v in enumerate(self.listing(data.get("groups"), "groups")):
            g = self.obj(v, f"groups[{i}]", ("id", "title", "sections"), ("id", "sections"))
            groups.append(SectionGroup(
                self.ident(g["id"], f"groups[{i}].id"),
                self.localized(g.get("title"), f"groups[{i}].title", required=True),
                tuple(self.ident(s, f"groups[{i}].sections[{j}]")
                      for j, s in enumerate(self.listing(g["sections"],
                                                         f"groups[{i}].sections")))))
        facts = []
        for i, v in enumerate(self.listing(data.get("facts"), "facts")):
            where = f"facts[{i}]"
            f = self.obj(v, where, ("id", "label", "unit", "value", "source", "status",
                                    "checked"), ("id", "label", "unit", "value"))
            facts.append(Fact(self.ident(f["id"], f"{where}.id"),
                              self.localized(f["label"], f"{where}.label", required=True),
                              self.text(f["unit"], f"{where}.unit", False),
                              SourcedNumber(cast(float, self.number(f["value"], f"{where}.value",
                                                                    False)),
                                            self.provenance(f, where))))
        template = Template(
            id=self.ident(data["id"], "id"),
            version=self.text(data["version"], "version", False),
            round=self.text(data.get("round"), "round"),
            name=self.localized(data["name"], "name", required=True),
            funder=self.localized(data.get("funder"), "funder"),
            scheme=self.localized(data.get("scheme"), "scheme"),
            languages=tuple(languages),
            sections=sections, groups=tuple(groups),
            limits=tuple(self.limit(v, f"limits[{i}]", group=True)
                         for i, v in enumerate(self.listing(data.get("limits"), "limits"))),
            format=self.format(data.get("format")),
            citation=CitationProfile(
                self.choice(citation.get("style", "apa"), "citation.style", CITATION_STYLES),
                self.localized(citation.get("note"), "citation.note")),
            facts=tuple(facts),
            notes=self.localized(data.get("notes"), "notes"),
            sources=tuple(self.text(s, f"sources[{i}]", False)
                          for i, s in enumerate(self.listing(data.get("sources"), "sources"))),
            last_verified=self.day(data.get("last_verified"), "last_verified"),
            based_on=self.text(data.get("based_on"), "based_on") or None,
            origin=origin)
        self.check_references(template)
        return template

    def check_references(self, template: Template) -> None:
        """Ids unique; groups name existing sections; group limits name existing groups."""
        seen: set[str] = set()
        for s in template.walk():
            if s.id in seen:
                raise self.fail("sections", _("section id {id} is used twice").format(id=s.id))
            seen.add(s.id)
        group_ids = [g.id for g in template.groups]
        for i, g in enumerate(template.groups):
            if g.id in group_ids[:i]:
                raise self.fail(f"groups[{i}].id", _("group id {id} is used twice").format(
                    id=g.id))
            for j, sid in enumerate(g.sections):
                if sid not in seen:
                    raise self.fail(f"groups[{i}].sections[{j}]",
                                    _("no section has the id {id}").format(id=sid))
        for i, limit in enumerate(template.limits):
            if limit.group not in group_ids:
                raise self.fail(f"limits[{i}].group", _("no group has the id {id}").format(
                    id=limit.group))


def parse_template(data: Any, file: str, origin: Origin = "user") -> Template:
    """Validate decoded JSON as a template; ``file`` names it in error messages."""
    return _Reader(file).template(data, origin)


def read_template(path: Path, origin: Origin = "user") -> Template:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path.name}: {exc}") from exc
    except ValueError as exc:
        raise TemplateError(_("{file}: not valid JSON: {reason}").format(
            file=path.name, reason=exc)) from exc
    template = parse_template(data, path.name, origin)
    if path.stem != template.id:
        raise TemplateError(_("{file}: id: {id} does not match the file name; name the file "
                              "{id}.json").format(file=path.name, id=template.id))
    return template


def shipped_dir() -> Path:
    return resources_dir() / "templates"


def user_dir() -> Path:
    return data_dir() / "templates"


def load_templates(user_folder: Path | None = None) -> LoadedTemplates:
    """The shipped templates, then the user's own, sorted by name; broken files are reported.

    A user template may not reuse the id of a shipped one: shipped templates are read-only, and
    a silent override would hide a funder update.
    """
    templates: dict[str, Template] = {}
    problems: list[TemplateProblem] = []
    folders: list[tuple[Path, Origin]] = [(shipped_dir(), "shipped"),
                                          (user_folder or user_dir(), "user")]
    for folder, origin in folders:
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                template = read_template(path, origin)
            except TemplateError as exc:
                problems.append(TemplateProblem(path, str(exc)))
                continue
            if template.id in templates:
                problems.append(TemplateProblem(path, _(
                    "{file}: id: {id} is already used by another template").format(
                    file=path.name, id=template.id)))
                continue
            templates[template.id] = template
    ordered = sorted(templates.values(), key=lambda t: (t.origin != "shipped", t.name.get()))
    return LoadedTemplates(tuple(ordered), tuple(problems))


# ---------------------------------------------------------------------------------------------
# Writing

def _localized_json(text: Localized) -> dict[str, str]:
    return {"en": text.en, "nl": text.nl}


def _provenance_json(p: Provenance) -> dict[str, Any]:
    return {"source": p.source, "status": p.status,
            "checked": p.checked.isoformat() if p.checked else None}


def _limit_json(limit: Limit) -> dict[str, Any]:
    where = {"group": limit.group} if limit.scope == "group" else {"scope": limit.scope}
    return {"kind": limit.kind, "min": limit.min, "max": limit.max, **where,
            "enforcement": limit.enforcement, "counts_references": limit.counts_references,
            "note": _localized_json(limit.note), **_provenance_json(limit.provenance)}


def _section_json(s: TemplateSection) -> dict[str, Any]:
    weight = None if s.weight_percent is None else {
        "value": s.weight_percent.value, **_provenance_json(s.weight_percent.provenance)}
    return {"id": s.id, "number": s.number, "title": _localized_json(s.title),
            "guidance": _localized_json(s.guidance), "required": s.required,
            "content_type": s.content_type, "weight_percent": weight,
            "limits": [_limit_json(x) for x in s.limits],
            "children": [_section_json(c) for c in s.children]}


def template_json(t: Template) -> dict[str, Any]:
    """The file form of a template (what ``parse_template`` reads back)."""
    f = t.format
    margins = None if f.margins_mm is None else {
        "top": f.margins_mm.top, "right": f.margins_mm.right,
        "bottom": f.margins_mm.bottom, "left": f.margins_mm.left}
    fmt: dict[str, Any] = {
        "page_size": f.page_size, "margins_mm": margins, "font_family": f.font_family,
        "font_size_pt": f.font_size_pt, "min_font_size_other_pt": f.min_font_size_other_pt,
        "line_spacing": f.line_spacing, "heading_numbering": f.heading_numbering,
        "header_text": f.header_text, "footer_text": f.footer_text, "toc": f.toc,
        "submission_format": f.submission_format,
        "page_counting": _localized_json(f.page_counting), "notes": _localized_json(f.notes)}
    if f.provenance is not None:
        fmt.update(_provenance_json(f.provenance))
    return {
        "file_format": FILE_FORMAT, "id": t.id, "version": t.version, "round": t.round,
        "name": _localized_json(t.name), "funder": _localized_json(t.funder),
        "scheme": _localized_json(t.scheme), "languages": list(t.languages),
        "based_on": t.based_on,
        "last_verified": t.last_verified.isoformat() if t.last_verified else None,
        "notes": _localized_json(t.notes), "sources": list(t.sources),
        "citation": {"style": t.citation.style, "note": _localized_json(t.citation.note)},
        "format": fmt,
        "facts": [{"id": x.id, "label": _localized_json(x.label), "unit": x.unit,
                   "value": x.number.value, **_provenance_json(x.number.provenance)}
                  for x in t.facts],
        "sections": [_section_json(s) for s in t.sections],
        "groups": [{"id": g.id, "title": _localized_json(g.title), "sections": list(g.sections)}
                   for g in t.groups],
        "limits": [_limit_json(x) for x in t.limits],
    }


def save_template(template: Template, user_folder: Path | None = None) -> Path:
    """Validate and write a user template to ``<id>.json``, atomically; returns the path.

    Shipped templates and ids that a shipped template uses are refused: clone first.
    """
    if template.read_only:
        raise TemplateError(_("{id} is a shipped template and cannot be changed; clone it "
                              "first").format(id=template.id))
    if (shipped_dir() / f"{template.id}.json").exists():
        raise TemplateError(_("{id} is the id of a shipped template; choose another id").format(
            id=template.id))
    folder = user_folder or user_dir()
    path = folder / f"{template.id}.json"
    data = template_json(template)
    parse_template(data, path.name)  # the file must read back: never write what cannot load
    write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return path


def clone_template(template_id: str, new_id: str, name: str | Localized,
                   user_folder: Path | None = None) -> Template:
    """Copy a template (shipped or user) to a new user template and save it."""
    loaded = load_templates(user_folder)
    try:
        original = loaded.get(template_id)
    except KeyError:
        raise TemplateError(_("there is no template {id}").format(id=template_id)) from None
    if not ID_PATTERN.fullmatch(new_id):
        raise TemplateError(_("{id} is not a valid id: use lower-case letters, digits, '.', '-' "
                              "or '_'").format(id=new_id))
    folder = user_folder or user_dir()
    if any(t.id == new_id for t in loaded.templates) or (folder / f"{new_id}.json").exists():
        raise TemplateError(_("a template with the id {id} already exists").format(id=new_id))
    title = Localized(name, name) if isinstance(name, str) else name
    copy = replace(original, id=new_id, name=title, based_on=original.id, origin="user")
    save_template(copy, folder)
    return copy


# ---------------------------------------------------------------------------------------------
# Limit checking

@dataclass(frozen=True)
class Measure:
    """How much a section holds. ``reference_*`` counts the references that belong to it (for
    funders that count them); ``items`` is the number of list entries (keywords, outputs)."""

    words: int = 0
    characters: int = 0
    reference_words: int = 0
    reference_characters: int = 0
    items: int = 0


def measure(text: str, references: str = "") -> Measure:
    """Counts for a section's text; items are its non-empty lines (one keyword or output each)."""
    return Measure(count_words(text), len(text), count_words(references), len(references),
                   sum(1 for line in text.splitlines() if line.strip()))


@dataclass(frozen=True)
class LimitCheck:
    limit: Limit
    subject: str            # the section or group id
    title: Localized        # its title, for display
    used: float             # words, characters, items, or estimated pages
    state: State
    estimated: bool = False  # pages are estimated from words (see words_per_page)

    @property
    def blocking(self) -> bool:
        """Over a hard limit: the funder rejects or cuts; indicative limits only warn."""
        return self.state == "over" and self.limit.hard


# Page estimate assumptions, used where the format profile is silent: A4, 2.5 cm margins, 11 pt,
# single spacing. A proportional body font averages about half an em per character, a word with
# its space and punctuation about 6 characters, and Word's single line is about 1.2 × the font
# size. Headings, paragraph breaks, figures and tables take the rest: 85 % of the page is text.
# Worked example, ERC (A4, margins 20/20/15/15 mm, 11 pt, single): 170 × 267 mm = 482 × 757 pt;
# 482 / 5.5 = 87.6 characters = 14.6 words a line; 757 / 13.2 = 57 lines; × 0.85 ≈ 711 words.
DEFAULT_MARGIN_MM = 25.0
DEFAULT_FONT_PT = 11.0
EM_PER_CHARACTER = 0.5
CHARACTERS_PER_WORD = 6.0
LINE_HEIGHT = 1.2
TEXT_SHARE = 0.85
MM_PER_PT = 25.4 / 72


def words_per_page(profile: FormatProfile) -> float:
    """An estimate of how many words of running text fit on a page of this profile."""
    width, height = PAGE_SIZES_MM[profile.page_size or "A4"]
    m = profile.margins_mm or Margins(*(DEFAULT_MARGIN_MM,) * 4)
    font = profile.font_size_pt or DEFAULT_FONT_PT
    text_width_pt = (width - m.left - m.right) / MM_PER_PT
    text_height_pt = (height - m.top - m.bottom) / MM_PER_PT
    words_per_line = text_width_pt / (font * EM_PER_CHARACTER) / CHARACTERS_PER_WORD
    lines = text_height_pt / (font * LINE_HEIGHT * (profile.line_spacing or 1.0))
    return words_per_line * lines * TEXT_SHARE


def scope_sections(template: Template, subject: str, limit: Limit) -> list[TemplateSection]:
    """The sections a limit counts: the section, with its subsections, or the group's."""
    if limit.scope == "group":
        sections: dict[str, TemplateSection] = {}
        for sid in template.group(subject).sections:
            sections.update((s.id, s) for s in template.section(sid).walk())
        return list(sections.values())
    section = template.section(subject)
    return list(section.walk()) if limit.scope == "with_children" else [section]


def _amount(limit: Limit, sections: Sequence[TemplateSection], measures: Mapping[str, Measure],
            profile: FormatProfile) -> tuple[float, bool]:
    words = characters = items = 0
    for s in sections:
        m = measures.get(s.id, Measure())
        # A bibliography section is all references, whatever the caller filed it under.
        own_words, own_chars = (0, 0) if s.content_type == "bibliography" else (
            m.words, m.characters)
        ref_words = m.reference_words + (m.words if s.content_type == "bibliography" else 0)
        ref_chars = m.reference_characters + (
            m.characters if s.content_type == "bibliography" else 0)
        counted = limit.counts_references is not False
        words += own_words + (ref_words if counted else 0)
        characters += own_chars + (ref_chars if counted else 0)
        items += m.items
    if limit.kind == "words":
        return float(words), False
    if limit.kind == "characters":
        return float(characters), False
    if limit.kind == "items":
        return float(items), False
    return words / words_per_page(profile), True


def check_limits(template: Template,
                 texts: Mapping[str, str | Measure]) -> list[LimitCheck]:
    """Every limit of the template against the sections' texts (or counts), by section id.

    Sections missing from ``texts`` count as empty. State: ``over`` above the maximum,
    ``under`` below the minimum, ``warning`` from 90 % of the maximum, else ``ok``.
    """
    measures = {k: measure(v) if isinstance(v, str) else v for k, v in texts.items()}
    results = []
    for subject, limit in template.all_limits():
        title = (template.group(subject).title if limit.scope == "group"
                 else template.section(subject).title)
        used, estimated = _amount(limit, scope_sections(template, subject, limit), measures,
                                  template.format)
        state: State = "ok"
        if limit.max is not None and used > limit.max:
            state = "over"
        elif limit.min is not None and used < limit.min:
            state = "under"
        elif limit.max is not None and used >= NEAR * limit.max:
            state = "warning"
        results.append(LimitCheck(limit, subject, title, round(used, 2), state, estimated))
    return results
