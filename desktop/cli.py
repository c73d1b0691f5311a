"""Headless commands: the same services as the app, for scripting, tests and evaluation.

Every command takes ``--workspace PATH`` (default: ``TANDEM_WORKSPACE``, else the workspace in
the data folder). Messages go to stderr in the user's language; results go to stdout.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import APP_NAME, __version__, i18n, settings
from .i18n import _
from .paths import default_workspace

if TYPE_CHECKING:
    from .services import progress
    from .services import templates as tp

ENTITY_LABELS = {
    "workspace": i18n.N_("Workspaces"), "member": i18n.N_("Members"),
    "practice_question": i18n.N_("Practice questions"), "reference": i18n.N_("References"),
    "tag": i18n.N_("Tags"), "reference_tag": i18n.N_("Tag assignments"),
    "match": i18n.N_("Matches"), "proposal": i18n.N_("Proposals"),
    "proposal_question": i18n.N_("Proposal questions"), "section": i18n.N_("Sections"),
    "comment": i18n.N_("Comments"),
}


def _workspace_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a subcommand's unset option must not hide one given before the subcommand.
    parser.add_argument("--workspace", metavar="PATH", default=argparse.SUPPRESS,
                        help=_("workspace file (default: $TANDEM_WORKSPACE, else the workspace "
                               "in the data folder)"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tandem",
        description=_("{app}: practice questions, literature and joint proposals. Without a "
                      "command, the app starts.").format(app=APP_NAME))
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    _workspace_option(parser)
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    gui = sub.add_parser("gui", help=_("start the app (the default)"))
    _workspace_option(gui)
    demo = sub.add_parser("demo", help=_("create the demo workspace of the AI@Work community"))
    _workspace_option(demo)
    info = sub.add_parser("info", help=_("summarise a workspace: counts and schema version"))
    _workspace_option(info)
    info.add_argument("--json", action="store_true", help=_("print one JSON object"))
    imp = sub.add_parser("import", help=_("import BibTeX, BibLaTeX, RIS or CSL-JSON files into "
                                          "the library"))
    _workspace_option(imp)
    imp.add_argument("files", nargs="+", metavar=_("FILE"))
    imp.add_argument("--json", action="store_true", help=_("print the report as one JSON object"))
    search = sub.add_parser("search", help=_("search the library (title, authors, abstract, "
                                             "keywords, venue, year)"))
    _workspace_option(search)
    search.add_argument("query", metavar=_("QUERY"))
    search.add_argument("--limit", type=int, default=20, help=_("at most this many results"))
    search.add_argument("--json", action="store_true", help=_("print a JSON list"))
    match = sub.add_parser("match", help=_("rank the library for a question or a text"))
    _workspace_option(match)
    what = match.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help=_("the question, as text"))
    what.add_argument("--question", metavar="ID", help=_("a practice question's id"))
    what.add_argument("--queries", metavar=_("FILE"),
                      help=_("JSON lines {\"id\": ..., \"text\": ...}; one result line each"))
    match.add_argument("--top", type=int, default=20, help=_("how many references"))
    match.add_argument("--language", default="", help=_("nl or en (default: detected)"))
    match.add_argument("--json", action="store_true", help=_("print JSON"))
    exp = sub.add_parser("export-library", help=_("write the library to a BibTeX or CSL-JSON "
                                                  "file"))
    _workspace_option(exp)
    exp.add_argument("--format", choices=["bibtex", "csljson"], default="bibtex")
    exp.add_argument("-o", "--output", required=True, metavar=_("FILE"))
    tpl = sub.add_parser("templates", help=_("list the funder templates: sections and limits, "
                                             "each limit with its source"))
    tpl.add_argument("--json", action="store_true", help=_("print one JSON object"))
    terms = sub.add_parser("terms", help=_("list, add to and remove from your own "
                                           "Dutch–English terms for matching"))
    what_terms = terms.add_subparsers(dest="action", metavar=_("ACTION"), required=True)
    terms_list = what_terms.add_parser("list", help=_("list the shipped terms and your own, "
                                                      "one per line: Dutch, English, source"))
    terms_list.add_argument("--own", action="store_true", help=_("only your own"))
    terms_list.add_argument("--json", action="store_true", help=_("print a JSON list"))
    terms_add = what_terms.add_parser("add", help=_("add a term of your own; “-” as the "
                                                    "English term switches off the shipped "
                                                    "translations of the Dutch term"))
    terms_add.add_argument("dutch", metavar=_("DUTCH"),
                           help=_("alternatives separated by “|”"))
    terms_add.add_argument("english", metavar=_("ENGLISH"),
                           help=_("alternatives separated by “|”, or “-”"))
    terms_remove = what_terms.add_parser("remove", help=_("remove your own rows for a Dutch "
                                                          "term"))
    terms_remove.add_argument("dutch", metavar=_("DUTCH"))
    proposal = sub.add_parser("proposal", help=_("create, list and show proposals"))
    what_proposal = proposal.add_subparsers(dest="action", metavar=_("ACTION"), required=True)
    new = what_proposal.add_parser("new", help=_("create a proposal from a funder template; "
                                                 "prints its id"))
    _workspace_option(new)
    new.add_argument("--template", required=True, metavar="ID",
                     help=_("the template's id (see the templates command)"))
    new.add_argument("--question", action="append", default=[], metavar="ID",
                     help=_("a practice question the proposal addresses (repeatable)"))
    new.add_argument("--title", default="", help=_("default: the template's name"))
    new.add_argument("--acronym", default="", help=_("a short name, e.g. FREED"))
    new.add_argument("--language", choices=sorted(i18n.LANGUAGES), default=None,
                     help=_("language of the section titles (default: the template's first)"))
    new.add_argument("--deadline", default="", help=_("a date like 2027-03-16"))
    listing = what_proposal.add_parser("list", help=_("list the proposals"))
    _workspace_option(listing)
    listing.add_argument("--json", action="store_true", help=_("print a JSON list"))
    show = what_proposal.add_parser("show", help=_("show a proposal: sections, owners, status, "
                                                   "counts against the template's limits"))
    _workspace_option(show)
    show.add_argument("proposal", metavar=_("PROPOSAL"), help=_("its id, acronym or title"))
    show.add_argument("--json", action="store_true", help=_("print one JSON object"))
    section = sub.add_parser("section", help=_("read or add to a section's text"))
    what_section = section.add_subparsers(dest="action", metavar=_("ACTION"), required=True)
    for name, text in (("text", _("print a section's text, citations as [@key] markers")),
                       ("append", _("append paragraphs to a section; [@key, p. 4] markers "
                                    "become citations"))):
        action = what_section.add_parser(name, help=text)
        _workspace_option(action)
        action.add_argument("proposal", metavar=_("PROPOSAL"),
                            help=_("its id, acronym or title"))
        action.add_argument("section", metavar=_("SECTION"),
                            help=_("its number, title (or its start) or id"))
        if name == "append":
            action.add_argument("--text", required=True, help=_("the text to append"))
    bib = sub.add_parser("bibliography", help=_("print the formatted bibliography of a CSL-JSON "
                                                "file, one entry per line"))
    bib.add_argument("--style", required=True, metavar=_("NAME|FILE.csl"),
                     help=_("a citation style: apa, vancouver, harvard-cite-them-right, "
                            "chicago-author-date, ieee, ... or a .csl file"))
    bib.add_argument("--items", required=True, metavar=_("FILE"), help=_("a CSL-JSON file"))
    bib.add_argument("--locale", default=None,
                     help=_("language of the terms, e.g. en-US, en-GB, nl-NL, de-DE (default: "
                            "the style's own)"))
    bib.add_argument("--format", choices=["text", "html"], default="text",
                     help=_("plain text, or the citation engine's HTML"))
    export = sub.add_parser("export", help=_("export a proposal as a Word document (and PDF) "
                                             "after printing its compliance report"))
    _workspace_option(export)
    export.add_argument("proposal", metavar=_("PROPOSAL"),
                        help=_("the proposal's id, or its acronym or title if only one has it"))
    export.add_argument("-o", "--output", required=True, metavar=_("FILE.docx"))
    export.add_argument("--style", default="", metavar=_("NAME|FILE.csl"),
                        help=_("citation style (default: the proposal's): apa, vancouver, "
                               "harvard, chicago, ieee, ... or a .csl file"))
    export.add_argument("--locale", default="",
                        help=_("language of the citation terms, e.g. en-US, nl-NL (default: "
                               "the proposal's language)"))
    export.add_argument("--pdf", action="store_true",
                        help=_("also write a PDF beside the Word file (needs LibreOffice)"))
    export.add_argument("--toc", action=argparse.BooleanOptionalAction, default=None,
                        help=_("a table of contents (default: as the template says)"))
    export.add_argument("--comments", action="store_true",
                        help=_("include the open comments as Word comments (resolved ones "
                               "are left out)"))
    export.add_argument("--strict", action="store_true",
                        help=_("do not export when the compliance report has hard problems"))
    export.add_argument("--json", action="store_true",
                        help=_("print the report and the result as one JSON object"))
    return parser


def workspace_path(args: argparse.Namespace) -> Path:
    given = getattr(args, "workspace", None)
    if given:
        return Path(given).expanduser()
    prefs, _problem = settings.load()
    return default_workspace(prefs.data_folder or None)


def cmd_demo(args: argparse.Namespace) -> int:
    from .services.demo import build_demo
    from .services.tasks import TaskControl

    path = workspace_path(args)
    last = [-1]

    def report(done: int, total: int, message: str) -> None:
        percent = done * 100 // max(total, 1)
        if percent // 10 != last[0] and sys.stderr.isatty():
            last[0] = percent // 10
            print(f"\r{message}… {percent}%", end="", file=sys.stderr, flush=True)

    build_demo(path, TaskControl(on_progress=report))
    if last[0] >= 0:
        print(file=sys.stderr)
    print(_("Demo workspace created: {path}").format(path=path.resolve()))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from .models.migrations import LATEST_VERSION
    from .services.workspace import Workspace

    with Workspace.open(workspace_path(args), readonly=True) as ws:
        info = ws.info()
    if args.json:
        print(json.dumps({
            "path": info.path, "name": info.name, "schema_version": info.schema_version,
            "latest_schema_version": LATEST_VERSION, "replica_id": info.replica_id,
            "counts": info.counts, "changes": info.changes,
        }, ensure_ascii=False, indent=2))
        return 0
    print(_("Workspace: {name}").format(name=info.name))
    print(_("File: {path}").format(path=info.path))
    print(_("Schema version: {version} (latest {latest})").format(
        version=info.schema_version, latest=LATEST_VERSION))
    for entity, count in info.counts.items():
        print(f"  {_(ENTITY_LABELS.get(entity, entity))}: {count}")
    print(_("Changes in the log: {count}").format(count=info.changes))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .services.library_import import FORMATS, import_files
    from .services.workspace import Workspace

    path = workspace_path(args)
    with Workspace.open(path, create=not path.exists()) as ws:
        report = import_files(ws, [Path(f) for f in args.files])
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        for f in report.files:
            if f.error:
                print(_("{file}: not imported: {reason}").format(file=f.path, reason=f.error))
                continue
            print(_("{file} ({format}, {encoding}): {found} entries: {imported} imported, "
                    "{duplicates} merged into duplicates, {rejected} rejected").format(
                file=f.path, format=FORMATS.get(f.format, f.format), encoding=f.encoding,
                found=f.entries_found,
                imported=f.imported, duplicates=f.duplicates, rejected=f.rejected))
            for p in f.problems:
                where = _("line {line}").format(line=p.line) if p.line else ""
                key = f" [{p.key}]" if p.key else ""
                print(f"  {where}{key}: {p.reason}")
    return 1 if any(not f.readable for f in report.files) else 0


def cmd_search(args: argparse.Namespace) -> int:
    from .services import references
    from .services.workspace import Workspace

    with Workspace.open(workspace_path(args), readonly=True) as ws, ws.session() as s:
        ids = references.search(s, args.query, limit=args.limit)
        rows = references.reference_rows(s, ids)
    hits = [rows[i] for i in ids]
    if args.json:
        print(json.dumps([{"id": r.id, "key": r.citation_key, "authors": r.authors,
                           "year": r.year, "title": r.title, "venue": r.venue, "doi": r.doi}
                          for r in hits], ensure_ascii=False, indent=2))
    else:
        for r in hits:
            print(f"{r.citation_key}\t{r.authors} ({r.year or 'n.d.'})\t{r.title}")
    return 0


def cmd_export_library(args: argparse.Namespace) -> int:
    from .services.library_export import export
    from .services.workspace import Workspace

    with Workspace.open(workspace_path(args), readonly=True) as ws, ws.session() as s:
        count = export(s, Path(args.output), args.format)
    print(_("{count} references written to {file}").format(count=count, file=args.output))
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    from .services import matching
    from .services.references import reference_rows
    from .services.workspace import Workspace

    with Workspace.open(workspace_path(args), readonly=True) as ws, ws.session() as s:
        index = matching.library_index(s)
        if args.queries:
            try:
                lines = Path(args.queries).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                print(_("Error: {message}").format(message=f"{args.queries}: {exc}"),
                      file=sys.stderr)
                return 1
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    query = json.loads(line)
                    text = str(query["text"])
                except (ValueError, KeyError, TypeError) as exc:
                    print(_("Error: {message}").format(
                        message=f"{args.queries}:{number}: {exc}"), file=sys.stderr)
                    return 1
                hits = matching.rank(index, matching.build_query(
                    text, str(query.get("language", args.language))), args.top)
                print(json.dumps({"id": query.get("id"), "results": [
                    {"reference": h.reference_id, "key": h.key, "score": h.score}
                    for h in hits]}, ensure_ascii=False))
            return 0
        if args.question:
            try:
                text, language = matching.question_text(s, args.question)
            except KeyError as exc:
                print(_("Error: {message}").format(message=exc.args[0]), file=sys.stderr)
                return 1
        else:
            text, language = args.text, args.language
        query = matching.build_query(text, language)
        hits = matching.rank(index, query, args.top)
        rows = reference_rows(s, [h.reference_id for h in hits])
    if args.json:
        print(json.dumps({"language": query.language, "results": [
            {"reference": h.reference_id, "key": h.key, "score": h.score,
             "matched": list(h.matched), "title": rows[h.reference_id].title}
            for h in hits]}, ensure_ascii=False, indent=2))
    else:
        for h in hits:
            r = rows[h.reference_id]
            print(f"{h.score:8.2f}  {r.citation_key}  {r.authors} ({r.year or 'n.d.'}) {r.title}")
            print(f"          {', '.join(h.matched)}")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from .services import templates as tp

    loaded = tp.load_templates()
    for problem in loaded.problems:
        print(_("Template not loaded: {message}").format(message=problem.message),
              file=sys.stderr)
    if args.json:
        print(json.dumps({
            "templates": [_template_summary(t) for t in loaded.templates],
            "problems": [{"file": str(p.path), "message": p.message} for p in loaded.problems],
        }, ensure_ascii=False, indent=2))
        return 0
    for t in loaded.templates:
        kind = _("shipped, read-only") if t.read_only else _("your own")
        print(f"{t.id} — {t.name_in()} ({kind})")
        print("  " + _("Funder: {funder}; citation style: {style}").format(
            funder=t.funder.get() or "—", style=t.citation.style))
        _print_sections(t.sections, 1)
        for limit in t.limits:
            group = t.group(limit.group or "")
            print(f"  {group.title.get()}: " + _limit_line(limit))
    return 0


def _print_sections(sections: Sequence[tp.TemplateSection], depth: int) -> None:
    for s in sections:
        print(f"{'  ' * depth}{s.number or '·'} {s.title_in()}")
        for limit in s.limits:
            print(f"{'  ' * (depth + 2)}{_limit_line(limit)}")
        _print_sections(s.children, depth + 1)


def _limit_line(limit: tp.Limit) -> str:
    from .services import templates as tp

    return _("{bounds} ({scope}, {enforcement}) — {source} [{status}]").format(
        bounds=limit.describe(), scope=_(tp.SCOPE_LABELS[limit.scope]),
        enforcement=_(tp.ENFORCEMENT_LABELS[limit.enforcement]),
        source=limit.provenance.source, status=_(tp.STATUS_LABELS[limit.provenance.status]))


def _limit_summary(subject: str, limit: tp.Limit) -> dict[str, object]:
    p = limit.provenance
    return {"subject": subject, "kind": limit.kind, "min": limit.min, "max": limit.max,
            "scope": limit.scope, "enforcement": limit.enforcement,
            "counts_references": limit.counts_references, "source": p.source,
            "status": p.status, "checked": p.checked.isoformat() if p.checked else None}


def _template_summary(t: tp.Template) -> dict[str, object]:
    return {
        "id": t.id, "version": t.version, "round": t.round, "origin": t.origin,
        "name": {"en": t.name.en, "nl": t.name.nl},
        "funder": {"en": t.funder.en, "nl": t.funder.nl}, "languages": list(t.languages),
        "citation_style": t.citation.style,
        "sections": [{"id": s.id, "number": s.number, "title": {"en": s.title.en,
                                                                 "nl": s.title.nl},
                      "required": s.required} for s in t.walk()],
        "limits": [_limit_summary(subject, limit) for subject, limit in t.all_limits()],
    }


def cmd_terms(args: argparse.Namespace) -> int:
    from .services import term_list as tl

    own = tl.read_file(tl.own_path())
    if own.error:
        print(_("Your terms could not be read, so matching uses only the shipped ones: "
                "{error}").format(error=own.error), file=sys.stderr)
    if args.action == "list":
        off = tl.switched_off(own.entries)
        rows = [(e, tl.source(e, True, off)) for e in own.entries]
        if not args.own:
            rows += [(e, tl.source(e, False, off))
                     for e in tl.read_file(tl.shipped_path()).entries]
        if args.json:
            print(json.dumps([{"dutch": e.dutch, "english": e.english, "source": key}
                              for e, key in rows], ensure_ascii=False, indent=2))
        else:
            for e, key in rows:
                print(f"{e.dutch}\t{e.english}\t{_(tl.SOURCES[key])}")
        return 1 if own.error else 0
    if own.error:
        return 1  # saving would rewrite what could not be read
    entries = list(own.entries)
    if args.action == "add":
        entries.append(tl.TermEntry(args.dutch, args.english))
    else:
        wanted = tl.TermEntry(args.dutch, "").dutch_terms()
        entries = [e for e in own.entries if e.dutch_terms() != wanted]
        if len(entries) == len(own.entries):
            print(_("None of your terms has the Dutch term “{term}”. To switch off a shipped "
                    "one: terms add “{term}” -").format(term=args.dutch), file=sys.stderr)
            return 1
    try:
        path = tl.save_own(entries)
    except (ValueError, OSError) as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 1
    print(_("Saved in {file}").format(file=path), file=sys.stderr)
    return 0


def cmd_proposal(args: argparse.Namespace) -> int:
    from .services import proposals
    from .services.templates import load_templates
    from .services.workspace import Workspace

    if args.action == "new":
        loaded = load_templates()
        try:
            template = loaded.get(args.template)
        except KeyError:
            raise proposals.ProposalError(_("There is no template {id}; the templates are: "
                                            "{ids}.").format(
                id=repr(args.template), ids=", ".join(t.id for t in loaded.templates))) from None
        fields = {"title": args.title, "acronym": args.acronym, "language": args.language,
                  "deadline": args.deadline}
        with Workspace.open(workspace_path(args)) as ws, ws.transaction() as tx:
            pid = proposals.create_from_template(
                tx, template, {k: v for k, v in fields.items() if v}, args.question)
        print(pid)
        return 0
    with Workspace.open(workspace_path(args), readonly=True) as ws, ws.session() as s:
        if args.action == "list":
            ids = proposals.proposal_ids(s)
            rows = proposals.proposal_rows(s, ids)
            if args.json:
                print(json.dumps([dataclasses.asdict(rows[i]) for i in ids], ensure_ascii=False,
                                 indent=2))
                return 0
            for row in (rows[i] for i in ids):
                print("\t".join((row.id, row.acronym or "—", row.title, row.template_id,
                                 row.deadline or "—")))
            return 0
        from .services.progress import proposal_summary

        summary = proposal_summary(s, proposals.find_proposal(s, args.proposal))
    if args.json:
        print(json.dumps(_summary_json(summary), ensure_ascii=False, indent=2))
    else:
        _print_summary(summary)
    return 0


def _check_json(check: tp.LimitCheck) -> dict[str, object]:
    return {**_limit_summary(check.subject, check.limit), "used": check.used,
            "state": check.state, "estimated": check.estimated, "blocking": check.blocking,
            "bounds": check.limit.describe()}


def _summary_json(summary: progress.ProposalSummary) -> dict[str, object]:
    # The limit checks by hand: they hold dates and bilingual texts that JSON does not take.
    data = dataclasses.asdict(dataclasses.replace(summary, sections=(), group_limits=()))
    data["sections"] = [{**{k: v for k, v in dataclasses.asdict(sec).items() if k != "limits"},
                         "references": list(sec.references),
                         "limits": [_check_json(c) for c in sec.limits]}
                        for sec in summary.sections]
    data["group_limits"] = [_check_json(c) for c in summary.group_limits]
    return data


def _print_summary(summary: progress.ProposalSummary) -> None:
    from .services.proposals import SECTION_STATUSES

    t = summary.totals
    print(f"{summary.acronym} — {summary.title}" if summary.acronym else summary.title)
    print("  " + _("Template: {template} ({id}, version {version}); citation style: {style}; "
                   "language: {language}; deadline: {deadline}").format(
        template=summary.template_name or "?", id=summary.template_id,
        version=summary.template_version, style=summary.citation_style,
        language=summary.language, deadline=summary.deadline or "—"))
    for q in summary.questions:
        print("  " + _("Question: {title}").format(title=q.title))
    print("  " + _("Sections done: {done} of {total}; {words} words").format(
        done=t.done, total=t.sections, words=t.words)
        + ("; " + _("{counted} of {allowed} words under the word limits").format(
            counted=t.words_counted, allowed=t.words_allowed)
           if t.words_allowed is not None else ""))
    if t.limits:
        print("  " + _("Limits: {over} over ({blocking} hard), {warning} near, {under} under, "
                       "of {total}").format(over=t.over, blocking=t.blocking,
                                            warning=t.warning, under=t.under, total=t.limits))
    for sec in summary.sections:
        indent = "  " * (sec.depth + 1)
        print(f"{indent}{sec.number or '·'} {sec.title} — {sec.owner or _('no owner')} — "
              f"{_(SECTION_STATUSES.get(sec.status, sec.status))} — "
              + _("{words} words, {characters} characters").format(
                  words=sec.words, characters=sec.characters)
              + (" " + _("(references: about {words} words)").format(words=sec.reference_words)
                 if sec.reference_words else ""))
        for check in sec.limits:
            print(f"{indent}    {_check_line(check)}")
    for check in summary.group_limits:
        print(f"  {check.title.get(summary.language)}: {_check_line(check)}")
    for problem in summary.problems:
        print(_("Note: {message}").format(message=problem), file=sys.stderr)


def _check_line(check: tp.LimitCheck) -> str:
    from .services import templates as tp

    used = f"{'~' if check.estimated else ''}{check.used:g}"
    return _("{used} {unit} of {bounds}: {state}").format(
        used=used, unit=_(tp.KIND_LABELS[check.limit.kind]), bounds=check.limit.describe(),
        state=_(tp.STATE_LABELS[check.state]))


def cmd_section(args: argparse.Namespace) -> int:
    from .services import proposals, section_bodies
    from .services.workspace import Workspace

    if args.action == "text":
        with Workspace.open(workspace_path(args), readonly=True) as ws, ws.session() as s:
            text = section_bodies.section_text(s, proposals.find_proposal(s, args.proposal),
                                               args.section)
        sys.stdout.write(text)
        return 0
    with Workspace.open(workspace_path(args)) as ws, ws.transaction() as tx:
        pid = proposals.find_proposal(tx.session, args.proposal)
        section_bodies.append_text(tx, pid, args.section, args.text)
    return 0


def cmd_bibliography(args: argparse.Namespace) -> int:
    from .export.citeproc import CitationEngine, CitationError, engine_item
    from .export.csl_assets import MissingAssetError
    from .services.csljson import NotCslJson, parse_csljson
    from .services.textdecode import decode

    path = Path(args.items)

    def error(message: str) -> int:
        print(_("Error: {message}").format(message=message), file=sys.stderr)
        return 1

    try:
        parsed = parse_csljson(decode(path.read_bytes()).text)
    except OSError as exc:
        return error(f"{path}: {exc.strerror or exc}")
    except NotCslJson as exc:
        return error(_("{file} is not CSL-JSON: {reason}").format(file=path, reason=exc))
    for rejected in parsed.rejected:
        error(_("{file}, line {line}: {reason}").format(
            file=path, line=rejected.line, reason=rejected.reason))
    items = [{**entry.csl, "id": entry.key or f"line-{entry.line}"} for entry in parsed.entries]
    changed = {str(item["id"]): engine_item(item)[1] for item in items}
    for item_id, problems in changed.items():
        if problems:
            error(_("{file}, item {id}: {reason}").format(file=path, id=item_id,
                                                         reason="; ".join(problems)))
    try:
        engine = CitationEngine(args.style, args.locale)
        bibliography, broken = engine.bibliography_of(engine.register(items))
    except (CitationError, MissingAssetError) as exc:
        return error(str(exc))
    for item_id, message in broken.items():
        error(_("{file}, item {id}: {reason}").format(file=path, id=item_id, reason=message))
    for item_id in bibliography.omitted:
        error(_("{file}, item {id}: the style {style} prints nothing for it (it needs at least "
                "a title, an author or a date)").format(file=path, id=item_id,
                                                        style=engine.style))
    for entry in bibliography.entries:
        # The engine's newlines only lay out its divs; one entry per line keeps it scriptable.
        print("".join(line.strip() for line in entry.html.splitlines())
              if args.format == "html" else entry.text)
    return 1 if parsed.rejected or broken or bibliography.omitted or any(changed.values()) else 0


def cmd_export(args: argparse.Namespace) -> int:
    from .export.citeproc import CitationError
    from .export.csl_assets import MissingAssetError
    from .export.pdf import PdfError
    from .export.proposal_export import ExportBlocked, ExportOptions, export_proposal
    from .services.compliance import ComplianceReport, describe_limit
    from .services.proposals import ProposalError, find_proposal
    from .services.workspace import Workspace

    options = ExportOptions(style=args.style, locale=args.locale, pdf=args.pdf,
                            strict=args.strict, toc=args.toc, comments=args.comments)

    def show(report: ComplianceReport, result: dict[str, object]) -> None:
        if args.json:
            print(json.dumps({**report.to_json(), **result}, ensure_ascii=False, indent=2))
            return
        print(_("Compliance report"))
        for check in report.limits:
            print("  " + describe_limit(check))
        for problem in report.problems:
            if problem.kind != "limit":
                mark = _("problem") if problem.severity == "hard" else _("warning")
                print(f"  [{mark}] {problem.message}")
        if not report.limits and not report.problems:
            print("  " + _("no problems found"))

    try:
        with Workspace.open(workspace_path(args), readonly=True) as ws, ws.session() as s:
            pid = find_proposal(s, args.proposal)
            result = export_proposal(s, pid, Path(args.output), options)
    except ProposalError as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 1
    except ExportBlocked as blocked:
        show(blocked.report, {"written": False})
        print(_("Not exported: {count} hard problems, and --strict was given").format(
            count=len(blocked.report.hard)), file=sys.stderr)
        return 2
    except (CitationError, MissingAssetError, PdfError) as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 1
    show(result.report, {"written": True, "docx": str(result.docx),
                         "pdf": str(result.pdf) if result.pdf else None, "style": result.style,
                         "locale": result.locale, "citations": result.citations,
                         "references": result.references, "unresolved": result.unresolved})
    if not args.json:
        print(_("Written: {file} ({style}, {locale}; {citations} citations, {references} "
                "references)").format(file=result.docx, style=result.style, locale=result.locale,
                                      citations=result.citations,
                                      references=result.references))
        if result.pdf:
            print(_("Written: {file}").format(file=result.pdf))
    return 0


COMMANDS = {"demo": cmd_demo, "info": cmd_info, "import": cmd_import, "search": cmd_search,
            "export-library": cmd_export_library, "match": cmd_match,
            "templates": cmd_templates, "bibliography": cmd_bibliography,
            "proposal": cmd_proposal, "section": cmd_section, "export": cmd_export,
            "terms": cmd_terms}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    prefs, _problem = settings.load()
    i18n.set_language(prefs.language)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui"):
        from .app import run_app
        return run_app(getattr(args, "workspace", None))
    from .models.database import WorkspaceError
    from .services.proposals import ProposalError

    try:
        return COMMANDS[args.command](args)
    except (WorkspaceError, ProposalError) as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 1
