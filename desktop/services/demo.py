"""The demo workspace of the AI@Work learning community, built from ``resources/demo``.

It goes through the same services as users' own data, into a temporary file that is renamed
into place only when complete: a failed or cancelled build leaves nothing behind.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .. import resources_dir
from ..i18n import _
from . import documents, matches, members, proposals, questions, references
from .tasks import NO_CONTROL, TaskControl
from .templates import load_templates
from .workspace import Workspace, WorkspaceError


def demo_dir() -> Path:
    return resources_dir() / "demo"


def load_demo_data(folder: Path | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    folder = folder or demo_dir()
    loaded = []
    for name in ("workspace.json", "references.json"):
        file = folder / name
        try:
            loaded.append(json.loads(file.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise WorkspaceError(_("The demo data {file} cannot be read: {reason}")
                                 .format(file=file, reason=exc)) from exc
    return loaded[0], loaded[1]


def _paragraphs(text: str) -> str:
    """Blank-line separated paragraphs to the delta model: one newline ends each paragraph."""
    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(p + "\n" for p in paras)


def build_demo(path: Path | str, control: TaskControl = NO_CONTROL,
               folder: Path | None = None) -> Path:
    """Create the demo workspace at ``path`` (which must not exist yet); returns the path."""
    path = Path(path).expanduser().resolve()
    if path.exists():
        raise WorkspaceError(_("{path} already exists; choose another file name.").format(path=path))
    data, items = load_demo_data(folder)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    total = len(items) + len(data["members"]) + len(data["questions"]) + len(data["matches"]) + 1
    done = 0
    meta = data["workspace"]
    ws = Workspace.create(partial, name=meta["name"], description=meta.get("description", ""),
                          language=meta.get("language", "en"))
    try:
        with ws.transaction() as tx:
            member_ids: dict[str, str] = {}
            for m in data["members"]:
                fields = {k: v for k, v in m.items() if k != "key"}
                member_ids[m["key"]] = members.add_member(tx, fields)
                done += 1
                control.progress(done, total, _("Adding members"))
            ref_ids: dict[str, str] = {}
            for item in items:
                ref_ids[item["id"]] = references.add_csl_item(tx, item)
                done += 1
                control.progress(done, total, _("Adding references"))
            question_ids: dict[str, str] = {}
            for q in data["questions"]:
                fields = {k: v for k, v in q.items()
                          if k not in ("key", "submitter", "case_description",
                                       "reformulated_research_question", "pair")}
                fields["reformulated_question"] = q.get("reformulated_research_question", "")
                fields["submitter_id"] = member_ids.get(q.get("submitter") or "")
                practitioner, researcher = q.get("pair") or (None, None)
                fields["practitioner_id"] = member_ids.get(practitioner or "")
                fields["researcher_id"] = member_ids.get(researcher or "")
                question_ids[q["key"]] = questions.add_question(
                    tx, fields, _paragraphs(q.get("case_description", "")))
                done += 1
                control.progress(done, total, _("Adding practice questions"))
            for m in data["matches"]:
                matches.record_decision(tx, question_ids[m["question"]], ref_ids[m["reference"]],
                                        m["decision"], m.get("note", ""),
                                        member_ids.get(m.get("by", "")))
                done += 1
                control.progress(done, total, _("Adding screening decisions"))
            p = data["proposal"]
            try:
                template = load_templates().get(p.get("template", "generic"))
            except KeyError:
                raise WorkspaceError(_("The demo proposal's template {id} is not installed.")
                                     .format(id=p.get("template", "generic"))) from None
            pid = proposals.create_from_template(tx, template, {
                "title": p["title"], "acronym": p.get("acronym", ""),
                "citation_style": p.get("citation_style", ""),
                "language": p.get("language", ""), "deadline": p.get("deadline", ""),
                "status": p.get("status", "drafting"),
                "lead_member_id": member_ids.get(p.get("lead", "")),
            }, [question_ids[k] for k in p.get("questions", [])])
            for s in p["sections"]:
                where = s["template_section"]
                try:
                    sid = proposals.find_section(tx.session, pid, where)
                    body = documents.parse_markers(_paragraphs(s.get("text", "")), ref_ids.get)
                except (KeyError, proposals.ProposalError) as exc:
                    raise WorkspaceError(f"demo section {where}: {exc}") from exc
                proposals.update_section(tx, sid, {
                    "status": s.get("status", "to_do"),
                    "owner_member_id": member_ids.get(s.get("owner", ""))})
                documents.append_segments(tx, proposals.body_doc(sid), body)
            done += 1
            control.progress(done, total, _("Adding the proposal"))
    except BaseException:
        ws.close()
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm"),
                         Path(f"{partial}.lock")):
            leftover.unlink(missing_ok=True)
        raise
    ws.close()
    os.replace(partial, path)
    Path(f"{partial}.lock").unlink(missing_ok=True)
    return path
