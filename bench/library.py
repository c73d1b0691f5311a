"""Library benchmark: import speed beside bibtexparser's bare parse, search latency, memory,
and how fast the library view opens, at realistic (cdl.bib) and large (100,000) sizes.

    python bench/library.py [--size 100000] [--queries 300]

Each figure is measured in this run beside its baseline: the whole import (read, decode, parse,
normalise, store, index) against ``bibtexparser.parse_string`` of the same text; targets are
import <= 2x bare parse, search p95 <= 50 ms, view open < 1 s.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CDL = ROOT.parent / "shared" / "testdata" / "bib" / "large" / "cdl.bib"

FAMILIES = ["de Vries", "Jansen", "Bakker", "Visser", "Smith", "Müller", "García", "Nguyen",
            "Kowalski", "O'Brien", "van den Berg", "Li", "Okafor", "Rossi", "Dubois", "Öztürk"]
GIVEN = ["Anna", "Pieter", "José", "Chen", "Fatima", "Lars", "Ingrid", "Mohammed", "Eva", "Jan"]
WORDS = ("learning work artificial intelligence employees hospital nurses teachers automation "
         "algorithmic management productivity generative model organisational change "
         "participation safety training literacy skills wellbeing autonomy job design "
         "technology adoption evidence practice school care digital platform control "
         "meaningful connective labour feedback decision support trust transparency").split()
VENUES = ["Journal of Applied Psychology", "Human Relations", "Organization Science",
          "Computers & Education", "International Journal of Nursing Studies", "Safety Science",
          "New Technology, Work and Employment", "Academy of Management Journal"]


def vocabulary(size: int, rnd: random.Random) -> list[str]:
    """Pseudo-words for a Zipf-distributed text: a few words very common, most rare."""
    syllables = ["ka", "lo", "mi", "ne", "ro", "ta", "vi", "su", "de", "po", "ri", "an", "el",
                 "or", "um", "is", "ge", "ba", "fu", "che", "tra", "sk", "ol", "wen", "zy"]
    words = list(WORDS)
    seen = set(words)
    while len(words) < size:
        word = "".join(rnd.choice(syllables) for _ in range(rnd.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def synthetic_bibtex(n: int, seed: int = 7) -> tuple[str, list[str]]:
    """A BibTeX file of ``n`` articles, and the title of each (for realistic queries).

    Words follow Zipf's law over a 30,000-word vocabulary, as words in real titles and
    abstracts do; a tiny vocabulary would make every word match every record.
    """
    rnd = random.Random(seed)
    vocab = vocabulary(30_000, rnd)
    weights = [1 / (rank + 1) ** 1.07 for rank in range(len(vocab))]
    cum = list(itertools.accumulate(weights))

    def words(k: int) -> list[str]:
        return rnd.choices(vocab, cum_weights=cum, k=k)

    out, titles = [], []
    for i in range(n):
        authors = " and ".join(
            f"{rnd.choice(FAMILIES)}, {rnd.choice(GIVEN)}" for _ in range(rnd.randint(1, 5)))
        title = " ".join(words(rnd.randint(5, 12))).capitalize()
        titles.append(title)
        abstract = " ".join(words(rnd.randint(40, 120)))
        year = rnd.randint(1980, 2025)
        accent = "{\\\"u}ber " if i % 7 == 0 else ""
        out.append(
            f"@article{{key{i},\n  author = {{{authors}}},\n  title = {{{accent}{title}}},\n"
            f"  journal = {{{rnd.choice(VENUES)}}},\n  year = {{{year}}},\n"
            f"  volume = {{{rnd.randint(1, 80)}}},\n  number = {{{rnd.randint(1, 12)}}},\n"
            f"  pages = {{{rnd.randint(1, 500)}--{rnd.randint(501, 900)}}},\n"
            f"  doi = {{10.9999/bench.{i}}},\n  keywords = {{{', '.join(words(2))}}},\n"
            f"  abstract = {{{abstract}}}\n}}\n")
    return "\n".join(out), titles


def child(code: str, *args: str) -> dict:
    """Run a measurement in a fresh process, so peak memory (ru_maxrss) is its own."""
    wrapper = (code + "\nimport resource, json, sys\n"
               "print(json.dumps({**RESULT, 'peak_mb': resource.getrusage("
               "resource.RUSAGE_SELF).ru_maxrss / 1024}))")
    out = subprocess.run([sys.executable, "-c", wrapper, *args], cwd=ROOT, text=True,
                         capture_output=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


BARE = """
import sys, time, bibtexparser
text = open(sys.argv[1], encoding='utf-8').read()
t = time.perf_counter(); lib = bibtexparser.parse_string(text); s = time.perf_counter() - t
RESULT = {'seconds': s, 'entries': len(lib.entries)}
"""
IMPORT = """
import sys, time
from pathlib import Path
from desktop.services.workspace import Workspace
from desktop.services.library_import import import_files
Workspace.create(sys.argv[2], name='bench').close()  # the user's workspace exists already
with Workspace.open(sys.argv[2]) as ws:
    t = time.perf_counter()
    report = import_files(ws, [Path(sys.argv[1])])
    s = time.perf_counter() - t
f = report.files[0]
RESULT = {'seconds': s, 'imported': f.imported, 'duplicates': f.duplicates,
          'rejected': f.rejected, 'found': f.entries_found}
"""
SEARCH = """
import sys, time, random, json
from desktop.services.workspace import Workspace
from desktop.services import references
queries = json.loads(sys.argv[2])
times = []
with Workspace.open(sys.argv[1], readonly=True) as ws, ws.session() as s:
    references.search(s, 'warm up')
    for q in queries:
        t = time.perf_counter(); references.search(s, q, limit=50)
        times.append((time.perf_counter() - t) * 1000)
times.sort()
RESULT = {'p50_ms': times[len(times)//2], 'p95_ms': times[int(len(times)*0.95)],
          'max_ms': times[-1], 'n': len(times)}
"""
VIEW = """
import sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop.services.workspace import Workspace
from desktop.views.library_page import LibraryPage
ws = Workspace.open(sys.argv[1], readonly=True)
t = time.perf_counter()
page = LibraryPage(ws); page.resize(1200, 800); page.show(); app.processEvents()
opened = time.perf_counter() - t
rows = page.model.rowCount()
t = time.perf_counter(); page.filter_edit.setText('nurses autonomy'); app.processEvents()
filtered = time.perf_counter() - t
RESULT = {'open_s': opened, 'rows': rows, 'filter_s': filtered,
          'filtered_rows': page.model.rowCount()}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description="library import/search/view benchmark")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rnd = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        if CDL.exists():
            files.append(("cdl.bib", CDL))
        synthetic = Path(tmp) / f"synthetic-{args.size}.bib"
        bib_text, titles = synthetic_bibtex(args.size)
        synthetic.write_text(bib_text, encoding="utf-8")
        files.append((synthetic.name, synthetic))
        for label, path in files:
            bare = child(BARE, str(path))
            imp = child(IMPORT, str(path), f"{tmp}/{label}.tandem")
            ratio = imp["seconds"] / bare["seconds"]
            print(f"{label}: {bare['entries']} entries, {path.stat().st_size / 1e6:.1f} MB")
            print(f"  bare bibtexparser parse : {bare['seconds']:7.2f} s   "
                  f"peak {bare['peak_mb']:6.0f} MB")
            print(f"  Tandem whole import     : {imp['seconds']:7.2f} s   "
                  f"peak {imp['peak_mb']:6.0f} MB   ({imp['imported']} imported, "
                  f"{imp['duplicates']} merged, {imp['rejected']} rejected)")
            print(f"  import / bare parse     : {ratio:7.2f}x  (target <= 2.00x) "
                  f"{'OK' if ratio <= 2 else 'MISSED'}")
        big = f"{tmp}/{synthetic.name}.tandem"
        # What people type: a word or two from a title they remember (as typed so far, so
        # the last word may be cut short), a domain word, an author's name.
        queries = []
        for _ in range(args.queries // 3):
            title_words = rnd.choice(titles).lower().split()
            picked = rnd.sample(title_words, min(2, len(title_words)))
            picked[-1] = picked[-1][:max(3, len(picked[-1]) - rnd.randint(0, 3))]
            queries.append(" ".join(picked))
            queries.append(rnd.choice(WORDS))
            queries.append(rnd.choice(FAMILIES).split()[-1][:5])
        search = child(SEARCH, big, json.dumps(queries))
        print(f"search at {args.size}: p50 {search['p50_ms']:.1f} ms, p95 {search['p95_ms']:.1f} ms,"
              f" max {search['max_ms']:.1f} ms over {search['n']} queries (target p95 <= 50 ms) "
              f"{'OK' if search['p95_ms'] <= 50 else 'MISSED'}")
        view = child(VIEW, big)
        print(f"library view at {view['rows']} references: opens in {view['open_s']:.2f} s "
              f"(target < 1 s) {'OK' if view['open_s'] < 1 else 'MISSED'}; "
              f"filter-as-you-type {view['filter_s'] * 1000:.0f} ms ({view['filtered_rows']} rows); "
              f"peak {view['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
