"""Matching quality and speed: Cranfield through the normal import and the batch CLI, beside a
plain BM25 baseline computed in the same run; the Dutch-English set; latency at 100,000, and
the index saved, then read by a fresh process (time, memory, first question) beside building it.

    python bench/matching.py [--size 100000]

Cranfield: documents become a CSL-JSON library imported with ``import_files``; every judged
query goes through ``python -m desktop match --queries ... --json``. Relevance: grades 1-4
count as relevant, -1 and 5 do not (binary, as the reference figures in testdata/README).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CRAN = ROOT.parent / "shared" / "testdata" / "ir" / "cranfield"
DATA = ROOT / "bench" / "data"  # Dutch-English sets: nl-en (ours), nl-en-b, -c, -d (see READMEs)

from desktop.services.library_import import import_files  # noqa: E402
from desktop.services.textproc import terms  # noqa: E402
from desktop.services.workspace import Workspace  # noqa: E402


def read_marked(path: Path) -> list[dict[str, str]]:
    """Records of the SMART format: '.I n' starts one, '.X' lines open a field."""
    records, current, field = [], None, None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(".I "):
            current = {"I": line[3:].strip()}
            records.append(current)
            field = None
        elif re.fullmatch(r"\.[A-Z]", line.strip()):
            field = line.strip()[1]
            assert current is not None
            current.setdefault(field, "")
        elif current is not None and field:
            current[field] += line + "\n"
    return records


def cranfield() -> tuple[list[dict], list[tuple[str, str]], dict[str, dict[str, int]]]:
    docs = read_marked(CRAN / "cran.all.1400")
    queries = [(str(n), q.get("W", "").strip()) for n, q in
               enumerate(read_marked(CRAN / "cran.qry"), 1)]  # cranqrel numbers them 1..225
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (CRAN / "cranqrel").read_text().split("\n"):
        parts = line.split()
        if len(parts) >= 3:
            qrels[parts[0]][parts[1]] = int(parts[2])
    return docs, queries, qrels


def relevant(grades: dict[str, int]) -> set[str]:
    return {d for d, g in grades.items() if 1 <= g <= 4}


def metrics(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    aps, ndcgs, p10s = [], [], []
    for qid, grades in qrels.items():
        rel = relevant(grades)
        if not rel:
            continue
        ranked = runs.get(qid, [])
        hits, total = 0, 0.0
        for i, doc in enumerate(ranked, 1):
            if doc in rel:
                hits += 1
                total += hits / i
        aps.append(total / len(rel))
        p10s.append(sum(1 for d in ranked[:10] if d in rel) / 10)
        dcg = sum(1 / math.log2(i + 1) for i, d in enumerate(ranked[:10], 1) if d in rel)
        ideal = sum(1 / math.log2(i + 1) for i in range(1, min(10, len(rel)) + 1))
        ndcgs.append(dcg / ideal)
    return {"MAP": statistics.mean(aps), "nDCG@10": statistics.mean(ndcgs),
            "P@10": statistics.mean(p10s), "queries": len(aps)}


def plain_bm25(docs: list[dict], queries: list[tuple[str, str]], top: int = 100,
               k1: float = 1.5, b: float = 0.75) -> dict[str, list[str]]:
    """The baseline: one field (title + abstract), English stop words and stems, BM25."""
    ids = [d["I"] for d in docs]
    bags = [Counter(terms(d.get("T", "") + " " + d.get("W", ""), "en")) for d in docs]
    lengths = np.array([sum(b.values()) for b in bags], dtype=float)
    avg = lengths.mean()
    postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, bag in enumerate(bags):
        for term, tf in bag.items():
            postings[term].append((i, tf))
    n = len(docs)
    runs = {}
    for qid, text in queries:
        scores = np.zeros(n)
        for term in set(terms(text, "en")):
            plist = postings.get(term)
            if not plist:
                continue
            idf = math.log(1 + (n - len(plist) + 0.5) / (len(plist) + 0.5))
            for i, tf in plist:
                scores[i] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[i] / avg))
        order = np.argsort(-scores, kind="stable")[:top]
        runs[qid] = [ids[i] for i in order if scores[i] > 0]
    return runs


def run_cli(workspace: Path, queries: list[tuple[str, str]], top: int) -> dict[str, list[str]]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        for qid, text in queries:
            fh.write(json.dumps({"id": qid, "text": text}) + "\n")
    # Its own data folder: the saved matching index goes there, not into the user's.
    env = {**os.environ, "TANDEM_DATA_DIR": str(workspace.parent / "data")}
    out = subprocess.run([sys.executable, "-m", "desktop", "match", "--queries", fh.name,
                          "--top", str(top), "--json", "--workspace", str(workspace)],
                         cwd=ROOT, capture_output=True, text=True, check=True, env=env)
    os.unlink(fh.name)
    runs = {}
    for line in out.stdout.splitlines():
        result = json.loads(line)
        runs[str(result["id"])] = [r["key"] for r in result["results"]]
    return runs


def library(tmp: str, name: str, items: list[dict]) -> Path:
    source = Path(tmp) / f"{name}.json"
    source.write_text(json.dumps(items), encoding="utf-8")
    path = Path(tmp) / f"{name}.tandem"
    with Workspace.create(path, name=name) as ws:
        report = import_files(ws, [source])
    assert report.files[0].imported + report.files[0].duplicates == len(items), report
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description="matching benchmark")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--docs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--question", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load_fresh(args.load, args.docs, args.question)
        return
    with tempfile.TemporaryDirectory() as tmp:
        if CRAN.exists():
            docs, queries, qrels = cranfield()
            items = [{"id": d["I"], "type": "article-journal",
                      "title": " ".join(d.get("T", "").split()) or f"Document {d['I']}",
                      "author": [{"literal": " ".join(d.get("A", "").split())}]
                      if d.get("A", "").strip() else [],
                      "abstract": " ".join(d.get("W", "").split())} for d in docs]
            path = library(tmp, "cranfield", items)
            judged = [(q, t) for q, t in queries if relevant(qrels.get(q, {}))]
            t = time.perf_counter()
            ours = run_cli(path, judged, 100)
            took = time.perf_counter() - t
            base = plain_bm25(docs, judged)
            a, b = metrics(ours, qrels), metrics(base, qrels)
            print(f"Cranfield ({len(docs)} documents, {a['queries']} judged queries; "
                  f"batch CLI {took:.1f} s)")
            for name in ("MAP", "nDCG@10", "P@10"):
                gain = (a[name] - b[name]) / b[name] * 100
                print(f"  {name:8s} Tandem {a[name]:.3f}   plain BM25 {b[name]:.3f}   "
                      f"{gain:+.1f}%")
            ok = a["nDCG@10"] >= 1.10 * b["nDCG@10"]
            print(f"  target nDCG@10 >= +10% over plain BM25: {'OK' if ok else 'MISSED'}")
        for folder in sorted(DATA.glob("nl-en*")):
            if (folder / "references.json").exists():
                dutch_english(tmp, folder)
        latency(args.size)


def dutch_english(tmp: str, folder: Path) -> None:
    """A Dutch-English set through the batch CLI: recall@10 (the share of each question's
    relevant papers in its top 10), graded nDCG@10 (gain 2^grade - 1), complete questions."""
    items = json.loads((folder / "references.json").read_text(encoding="utf-8"))
    path = library(tmp, folder.name, items)
    questions = [json.loads(line) for line in
                 (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (folder / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            q, r, g = line.split("\t")
            grades[q][r] = int(g)
    runs = run_cli(path, [(q["id"], q["text"]) for q in questions], 10)
    found, ndcgs = [], []
    for q in questions:
        graded, ranked = grades[q["id"]], runs.get(q["id"], [])
        got = len(set(graded) & set(ranked))
        found.append(got / len(graded))
        dcg = sum((2 ** graded.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked))
        ideal = sum((2 ** g - 1) / math.log2(i + 2)
                    for i, g in enumerate(sorted(graded.values(), reverse=True)[:10]))
        ndcgs.append(dcg / ideal)
        if got < len(graded):
            missed = ", ".join(f"{d} (grade {g})" for d, g in graded.items() if d not in ranked)
            print(f"  {q['id']}: {got}/{len(graded)} in the top 10; missed {missed}")
    print(f"Dutch questions, English papers ({folder.name}, {len(items)} papers): recall@10 "
          f"{statistics.mean(found):.2f}, graded nDCG@10 {statistics.mean(ndcgs):.3f}; all "
          f"found for {sum(1 for f in found if f == 1)}/{len(found)} questions")


def latency(size: int) -> None:
    import random

    from desktop.services import matching
    sys.path.insert(0, str(ROOT / "bench"))
    from library import synthetic_bibtex  # noqa: E402

    from desktop.services.bibtex import parse_bibtex
    text, titles = synthetic_bibtex(size)
    entries = parse_bibtex(text).entries
    docs = [matching.Doc(str(i), e.key, e.csl.get("title", ""), e.csl.get("abstract", ""),
                         e.csl.get("keyword", ""), "en") for i, e in enumerate(entries)]
    t = time.perf_counter()
    index = matching.MatchIndex(docs)
    built = time.perf_counter() - t
    rnd = random.Random(5)
    questions = [" ".join(rnd.choice(titles).split()[:8]) + " learning at work for nurses"
                 for _ in range(60)]
    times = []
    for question in questions:
        t = time.perf_counter()
        matching.rank(index, matching.build_query(question, "en"), 20)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95)]
    print(f"latency at {size}: index built in {built:.1f} s; one question p50 "
          f"{times[len(times) // 2]:.0f} ms, p95 {p95:.0f} ms (target < 200 ms) "
          f"{'OK' if p95 < 200 else 'MISSED'}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.npz"
        t = time.perf_counter()
        index.save(path)
        saved = time.perf_counter() - t
        # The app reads the references from the workspace in any case; the fresh process
        # gets them from a file here, so that only reading the saved index is timed.
        source = Path(tmp) / "docs.json"
        source.write_text(json.dumps([[d.reference_id, d.key, d.title, d.abstract, d.keywords,
                                       d.language] for d in docs]), encoding="utf-8")
        out = subprocess.run([sys.executable, __file__, "--load", str(path), "--docs",
                              str(source), "--question", questions[0]],
                             capture_output=True, text=True, check=True)
        fresh = json.loads(out.stdout)
        print(f"persisted index at {size}: built in {built:.1f} s, saved in {saved:.2f} s "
              f"({path.stat().st_size / 2 ** 20:.0f} MB file); fresh process: loaded in "
              f"{fresh['load']:.2f} s, first question {fresh['first'] * 1000:.0f} ms; "
              f"the index holds {fresh['memory']:.0f} MB (tracemalloc)")


def load_fresh(path: Path, source: Path, question: str) -> None:
    """In a fresh process: read the saved index and answer one question, timed; then read it
    again under tracemalloc for the memory it holds (NumPy arrays included)."""
    import tracemalloc

    from desktop.services import matching

    docs = [matching.Doc(*d) for d in json.loads(source.read_text(encoding="utf-8"))]
    t = time.perf_counter()
    index = matching.MatchIndex.load(path, docs)
    loaded = time.perf_counter() - t
    assert index is not None, "the saved index was not accepted"
    t = time.perf_counter()
    matching.rank(index, matching.build_query(question, "en"), 20)
    first = time.perf_counter() - t
    del index
    tracemalloc.start()
    index = matching.MatchIndex.load(path, docs)
    held = tracemalloc.get_traced_memory()[0] / 2 ** 20
    print(json.dumps({"load": loaded, "memory": held, "first": first}))


if __name__ == "__main__":
    main()
