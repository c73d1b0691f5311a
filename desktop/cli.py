"""Headless commands: the same services as the app, for scripting, tests and evaluation.

Every command takes ``--workspace PATH`` (default: ``TANDEM_WORKSPACE``, else the workspace in
the data folder). Messages go to stderr in the user's language; results go to stdout.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import APP_NAME, __version__, i18n, settings
from .i18n import _
from .paths import default_workspace

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


COMMANDS = {"demo": cmd_demo, "info": cmd_info}


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

    try:
        return COMMANDS[args.command](args)
    except WorkspaceError as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 1
