"""Citation engine timings: engine build per style, one citation, a 150-reference bibliography.

The 150 references are the twenty of ``tests/data/csl_twenty.json``, repeated with new ids,
numbered titles and a few shared surnames (so APA has year suffixes to assign). Prints medians
of ``--runs`` repetitions; needs the set-up files (``./dev.sh setup``). Engine builds are shown
with the bridge's macro index and, as the baseline, with citeproc-js's own tree walks.

    python bench/citeproc.py [--runs N]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.export import citeproc  # noqa: E402
from desktop.export.citeproc import CitationEngine, CiteItem, Cluster  # noqa: E402

STYLES = ["apa", "vancouver", "harvard-cite-them-right", "chicago-author-date", "ieee"]
SURNAMES = ["Jansen", "de Vries", "Bakker", "Visser", "Smit"]


def references(count: int) -> list[dict[str, Any]]:
    base = json.loads((ROOT / "tests" / "data" / "csl_twenty.json").read_text(encoding="utf-8"))
    refs = []
    for n in range(count):
        item = json.loads(json.dumps(base[n % len(base)]))
        item["id"] = f"r{n:03d}"
        item["title"] = f"{item['title']} ({n})"
        if n >= len(base) and item.get("author") and "family" in item["author"][0]:
            item["author"][0] = {"family": SURNAMES[n % len(SURNAMES)], "given": "Anna"}
        refs.append(item)
    return refs


def median_seconds(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _run in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def document(engine: CitationEngine, refs: list[dict[str, Any]]) -> list[Cluster]:
    """Cite every reference once, in order, as an editor would (document-aware calls)."""
    engine.reset()
    clusters: list[Cluster] = []
    for ref in refs:
        cluster = Cluster(f"c{len(clusters)}", (CiteItem(ref["id"]),))
        engine.process_citation(cluster, clusters)
        clusters.append(cluster)
    return clusters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    CitationEngine("ieee")
    print(f"V8 context + citeproc-js + locales, then the IEEE engine: "
          f"{time.perf_counter() - start:.2f} s")
    runtime = citeproc._shared_runtime()
    print(f"{'engine build':<36} {'macro index':>12} {'tree walks':>12}")
    for style in STYLES:
        def build(style: str = style) -> None:
            CitationEngine(style).close()
        indexed = median_seconds(args.runs, build)
        runtime.call("setMacroIndex", False)
        walked = median_seconds(args.runs, build)
        runtime.call("setMacroIndex", True)
        print(f"  {style:<34} {indexed * 1000:9.1f} ms {walked * 1000:9.1f} ms")
    refs = references(150)
    for style in ("apa", "vancouver"):
        engine = CitationEngine(style)
        engine.register(refs)
        cite_all = median_seconds(args.runs, lambda engine=engine: document(engine, refs))
        clusters = document(engine, refs)
        bib = median_seconds(args.runs, engine.bibliography)
        preview = median_seconds(200, lambda engine=engine: engine.preview(
            [CiteItem("r042", locator="12")]))
        extra = Cluster("extra", (CiteItem("r007"),))
        inserts = []
        for _run in range(50):
            engine.process_document(clusters)  # the document without it again, untimed
            start = time.perf_counter()
            engine.process_citation(extra, clusters[:75], clusters[75:])
            inserts.append(time.perf_counter() - start)
        update = statistics.median(inserts)
        whole = median_seconds(args.runs, lambda engine=engine, clusters=clusters: (
            engine.reset(), engine.process_document(clusters)))
        print(f"{style}: cite 150 references one by one {cite_all:.2f} s; bibliography of 150 "
              f"{bib * 1000:.0f} ms; one citation (preview) {preview * 1000:.2f} ms; "
              f"one citation inserted mid-document (150 citations) {update * 1000:.1f} ms, "
              f"against the whole document formatted again {whole * 1000:.0f} ms")
        engine.close()


if __name__ == "__main__":
    main()
