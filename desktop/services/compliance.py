"""The compliance report shown before an export: limits, empty required sections, citations that
do not resolve, references the citation style cannot format, and cited references nobody
screened for the proposal's questions.

Hard problems (a hard limit exceeded or not reached, a required section empty, a citation without
its reference) block an export only in strict mode; everything else is a warning. The report is
plain data, for the CLI, the app's export dialog and JSON alike.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..i18n import N_, _
from . import templates
from .proposal_content import ProposalContent
from .references import short_authors, year_of

Severity = Literal["hard", "warning"]
KINDS = {"limit": N_("Limit"), "empty_section": N_("Empty section"),
         "unresolved_citation": N_("Citation without reference"),
         "unformatted_reference": N_("Reference the style cannot format"),
         "unscreened_reference": N_("Cited but not screened"),
         "rejected_reference": N_("Cited but screened as not relevant"),
         "template": N_("Template")}
STATE_LABELS = {"ok": N_("ok"), "warning": N_("near the limit"), "over": N_("over the limit"),
                "under": N_("under the minimum")}


@dataclass(frozen=True)
class Problem:
    kind: str  # a key of KINDS
    severity: Severity
    message: str  # in the user's language
    subject: str = ""  # section id, group id or reference id


@dataclass(frozen=True)
class ComplianceReport:
    proposal_id: str
    limits: tuple[templates.LimitCheck, ...]
    problems: tuple[Problem, ...]  # limits that are not ok come first, as problems too

    @property
    def hard(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "hard")

    def blocks(self, strict: bool) -> bool:
        """Whether an export must stop: only in strict mode, and only for hard problems."""
        return strict and bool(self.hard)

    def to_json(self) -> dict[str, Any]:
        return {
            "proposal": self.proposal_id,
            "limits": [{"subject": c.subject, "title": c.title.get(), "kind": c.limit.kind,
                        "min": c.limit.min, "max": c.limit.max, "used": c.used,
                        "estimated": c.estimated, "state": c.state,
                        "enforcement": c.limit.enforcement, "scope": c.limit.scope,
                        "counts_references": c.limit.counts_references}
                       for c in self.limits],
            "problems": [{"kind": p.kind, "severity": p.severity, "message": p.message,
                          "subject": p.subject} for p in self.problems],
            "hard_problems": len(self.hard),
        }


def describe_limit(check: templates.LimitCheck) -> str:
    """"State of the art: 812 words of ≤ 800 words (over the limit)", in the user's language."""
    used = f"{check.used:.1f}" if check.estimated else f"{check.used:g}"
    unit = _(templates.KIND_LABELS[check.limit.kind])
    if check.estimated:
        used = _("about {amount}").format(amount=used)
    return _("{title}: {used} {unit} of {bounds} ({state})").format(
        title=check.title.get(), used=used, unit=unit, bounds=check.limit.describe(),
        state=_(STATE_LABELS[check.state]))


def _limit_problems(checks: list[templates.LimitCheck]) -> list[Problem]:
    out = []
    for c in checks:
        if c.state == "ok":
            continue
        hard = c.limit.hard and c.state in ("over", "under")
        out.append(Problem("limit", "hard" if hard else "warning", describe_limit(c), c.subject))
    return out


def compliance_report(content: ProposalContent,
                      citation_text: Mapping[str, str] | None = None,
                      bibliography_text: str = "",
                      unformatted: Mapping[str, str] | None = None) -> ComplianceReport:
    """Check a proposal read with :func:`~.proposal_content.load_proposal`.

    ``citation_text`` (citation id → formatted text) and ``bibliography_text`` make word counts
    exact where citations and references count; without them citations count as nothing and
    references only where the template has a bibliography section with text.
    ``unformatted``: cited references the citation style could not format (reference id →
    the engine's message).
    """
    problems: list[Problem] = []
    checks: list[templates.LimitCheck] = []
    template = content.template
    if template is None:
        problems.append(Problem("template", "warning", _(
            "The template {id} is not installed: no limits were checked").format(
            id=content.template_id)))
    else:
        texts: dict[str, str] = {}
        for s in content.sections:
            if s.template_section is not None:
                key = s.template_section.id
                texts[key] = "\n".join(filter(None, (texts.get(key, ""),
                                                     s.plain(citation_text))))
        if bibliography_text:
            # The formatted references belong to the template's bibliography section, so that
            # limits count them or not as the template says.
            biblio = next((t for t in template.walk() if t.content_type == "bibliography"), None)
            if biblio is not None:
                texts[biblio.id] = bibliography_text
        checks = templates.check_limits(template, texts)
        problems += _limit_problems(checks)
        filled = {s.template_section.id for s in content.sections
                  if s.template_section is not None and s.plain().strip()}
        for ts in template.walk():
            if ts.required and ts.content_type != "bibliography" and ts.id not in filled:
                problems.append(Problem("empty_section", "hard", _(
                    "The required section {title} is empty").format(
                    title=ts.heading(content.language)), ts.id))
    for section, _citation, missing in content.unresolved():
        problems.append(Problem("unresolved_citation", "hard", _(
            "A citation in {section} refers to a reference that is not in the library: {ids}"
        ).format(section=f"{section.number} {section.title}".strip(),
                 ids=", ".join(missing) or _("no reference at all")), section.id))
    for cited_id, message in (unformatted or {}).items():
        item = content.references.get(cited_id)
        problems.append(Problem("unformatted_reference", "hard", _(
            "{reference} could not be formatted in the citation style, so it is shown as "
            "missing; correct it in the library. {message}").format(
            reference=_item_label(item) if item is not None else cited_id, message=message),
            cited_id))
    problems += _screening_problems(content)
    return ComplianceReport(content.id, tuple(checks), tuple(problems))


def _screening_problems(content: ProposalContent) -> list[Problem]:
    if not content.question_ids:
        return []
    out = []
    for cited_id, item in content.references.items():
        # A merged duplicate may carry the decision under either id.
        decisions = (content.decisions.get(cited_id, frozenset())
                     | content.decisions.get(str(item["id"]), frozenset()))
        name = _item_label(item)
        if not decisions:
            out.append(Problem("unscreened_reference", "warning", _(
                "{reference} is cited but was never screened for the proposal's questions"
            ).format(reference=name), cited_id))
        elif decisions == {"not_relevant"}:
            out.append(Problem("rejected_reference", "warning", _(
                "{reference} is cited but was screened as not relevant").format(
                reference=name), cited_id))
    return out


def _item_label(item: Mapping[str, Any]) -> str:
    """'Noy & Zhang 2023: Experimental evidence …' — enough to find it in the library."""
    year = year_of(item.get("issued") or {}) or "n.d."
    title = str(item.get("title") or "")
    title = title if len(title) <= 60 else title[:57] + "…"
    return f"{short_authors(item.get('author') or [])} {year}: {title}".strip()
