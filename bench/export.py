"""Proposal export timing beside pandoc: a 30-page proposal with 150 citations, in APA.

The proposal is generated: six sections of about 3,000 words (18,000 words, about 30 pages of
the generic template's A4 at 11 pt), 150 citations of 60 references (``bench/citeproc.py``'s
items). Tandem exports it to Word (citations in document order, bibliography, compliance report);
pandoc (the system's, ``--citeproc``) converts the same text from Markdown with the same
references as CSL-JSON and the same pinned CSL style to Word. Both are timed in the same run.
Tandem is timed four ways: as the app exports (with the engine the section editor formats the
proposal's citations with, having done so), with that engine built but the citations still to
format, with a new engine for the style (a style nothing has used yet in this process), and as
a new command-line process (Python start-up, imports and a new V8 included).

    python bench/export.py [--runs N] [--style apa]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the editor's citation labels import Qt

from desktop.export.citeproc import CitationEngine, load_style  # noqa: E402
from desktop.export.proposal_export import ExportOptions, export_proposal  # noqa: E402
from desktop.paths import csl_dir  # noqa: E402
from desktop.services import proposals, references  # noqa: E402
from desktop.services.documents import parse_markers, segments  # noqa: E402
from desktop.services.workspace import Workspace  # noqa: E402
from desktop.views.section_editor import CitationLabels  # noqa: E402

SECTIONS = [("gen.summary", "1", "Summary"), ("gen.practice", "2", "Problem from practice"),
            ("gen.state-of-the-art", "3", "State of the art"),
            ("gen.approach", "4", "Research questions and approach"),
            ("gen.impact", "5", "Impact and knowledge utilisation"),
            ("gen.team", "6", "Team and consortium")]
WORDS = ("practice research nurses learning work documentation time care team novice "
         "assistant organisation evidence design study interview observation data analysis "
         "outcome professional development support quality patient client handover record "
         "reasoning feedback workload schedule partner knowledge method").split()
WORDS_PER_SECTION = 3000
CITATIONS = 150
REFERENCES = 60


def _bench_references() -> list[dict[str, object]]:
    # The citation benchmark's generator, loaded by path: "citeproc" is also a PyPI name.
    spec = importlib.util.spec_from_file_location("bench_citeproc", ROOT / "bench" / "citeproc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.references(REFERENCES))


def sections_text(keys: list[str]) -> list[str]:
    """Six sections of paragraphs with pandoc-style markers, 25 citations each."""
    rng = random.Random(7)
    per_section = CITATIONS // len(SECTIONS)
    out = []
    cited = 0
    for _s in SECTIONS:
        paragraphs = []
        words = 0
        marks = 0
        while words < WORDS_PER_SECTION:
            sentence = " ".join(rng.choice(WORDS) for _w in range(15)).capitalize()
            words += 15
            if marks < per_section and words % 120 == 0:
                key = keys[cited % len(keys)]
                locator = f", p. {rng.randint(1, 99)}" if cited % 5 == 0 else ""
                sentence += f" [@{key}{locator}]"
                marks += 1
                cited += 1
            paragraphs.append(sentence + ".")
        text = ""
        for n in range(0, len(paragraphs), 8):
            text += " ".join(paragraphs[n:n + 8]) + "\n"
        out.append(text)
    assert cited == CITATIONS, cited
    return out


def build_workspace(path: Path, items: list[dict[str, object]], texts: list[str]) -> str:
    with Workspace.create(path, name="Export benchmark") as ws, ws.transaction() as tx:
        ids = {str(i["id"]): references.add_csl_item(tx, i) for i in items}
        pid = proposals.create_proposal(tx, {"title": "A generated proposal", "acronym": "BENCH",
                                             "template_id": "generic", "citation_style": "apa"})
        for position, ((tid, number, title), text) in enumerate(zip(SECTIONS, texts)):
            proposals.add_section(tx, pid, {"template_section_id": tid, "number": number,
                                            "title": title, "position": float(position)},
                                  parse_markers(text, ids.get))
    return pid


def markdown(texts: list[str]) -> str:
    body = ""
    for (_tid, number, title), text in zip(SECTIONS, texts):
        body += f"# {number} {title}\n\n" + text.replace("\n", "\n\n")
    return body + "\n# References\n\n::: {#refs}\n:::\n"


def timed(runs: int, action: object) -> float:
    seconds = []
    for _n in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--style", default="apa")
    args = parser.parse_args()
    items = _bench_references()
    texts = sections_text([str(i["id"]) for i in items])
    style_file = csl_dir() / "styles" / f"{Path(load_style(args.style).name).stem}.csl"
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        work = Path(tmp)
        pid = build_workspace(work / "bench.tandem", items, texts)
        options = ExportOptions(style=args.style)
        with Workspace.open(work / "bench.tandem", readonly=True) as ws, ws.session() as s:
            cold = timed(args.runs, lambda: export_proposal(s, pid, work / "cold.docx", options))
            engine = CitationEngine(args.style)
            def formatting_again() -> None:
                engine.reset()  # forgets the formatted document: the export formats it again
                export_proposal(s, pid, work / "built.docx", options, engine=engine)
            built = timed(args.runs, formatting_again)
            # The app: the editor has formatted the proposal's citations with this engine.
            labels = CitationLabels(ws)
            labels.set_engine(engine)
            values = [p for sid in proposals.section_ids(s, pid)
                      for p in segments(s, proposals.body_doc(sid)) if isinstance(p, dict)]
            def as_the_app() -> None:
                labels.compute_document(values)
                start = time.perf_counter()
                export_proposal(s, pid, work / "app.docx", options, engine=engine)
                app_seconds.append(time.perf_counter() - start)
            app_seconds: list[float] = []
            for _run in range(args.runs):
                engine.reset()
                as_the_app()
            app = statistics.median(app_seconds)
            result = export_proposal(s, pid, work / "check.docx", options, engine=engine)
        cli = timed(args.runs, lambda: subprocess.run(
            [sys.executable, "-m", "desktop", "--workspace", str(work / "bench.tandem"),
             "export", pid, "-o", str(work / "cli.docx"), "--style", args.style],
            check=True, capture_output=True, cwd=ROOT))
        words = sum(len(t.split()) for t in texts)
        print(f"proposal: {words} words in {len(SECTIONS)} sections, {result.citations} "
              f"citations of {result.references} references, style {result.style}")
        print(f"tandem, as the app (the editor has formatted the citations): {app:.2f} s")
        print(f"tandem, style engine built, citations formatted by the export: {built:.2f} s")
        print(f"tandem, new style engine (a style nothing has used yet): {cold:.2f} s")
        print(f"tandem command line, a new process: {cli:.2f} s")
        pandoc = shutil.which("pandoc")
        if pandoc is None:
            print("pandoc: not installed (apt-get install pandoc)")
            return
        (work / "in.md").write_text(markdown(texts), encoding="utf-8")
        (work / "refs.json").write_text(json.dumps(items), encoding="utf-8")
        command = [pandoc, str(work / "in.md"), "--citeproc", "--csl", str(style_file),
                   "--bibliography", str(work / "refs.json"), "-o", str(work / "pandoc.docx")]
        seconds = timed(args.runs, lambda: subprocess.run(command, check=True))
        version = subprocess.run([pandoc, "--version"], capture_output=True,
                                 text=True).stdout.splitlines()[0]
        print(f"{version} --citeproc, Markdown + CSL-JSON → Word: {seconds:.2f} s")
        print(f"tandem/pandoc: {app / seconds:.2f} (app), {built / seconds:.2f} (engine built), "
              f"{cold / seconds:.2f} (new engine), {cli / seconds:.2f} (new process)")


if __name__ == "__main__":
    main()
