"""Build a one-folder desktop bundle of Tandem with PyInstaller (``dist/Tandem/``).

    .venv/bin/python -m pip install "pyinstaller>=6.10,<7"
    .venv/bin/python build_installer.py

The bundle carries ``resources/`` (demo workspace, translations), the schema migrations, and the
citation engine's files from ``.cache/csl`` (run ``./dev.sh setup`` first); mini-racer's V8
library is collected whole, since PyInstaller does not find it on its own.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> int:
    try:
        import PyInstaller.__main__ as pyinstaller
    except ImportError:
        print("PyInstaller is not installed: pip install 'pyinstaller>=6.10,<7'", file=sys.stderr)
        return 1
    sep = os.pathsep
    csl = ROOT / ".cache" / "csl"
    if not (csl / "citeproc_commonjs.js").is_file():
        print(f"{csl} is missing: run ./dev.sh setup first", file=sys.stderr)
        return 1
    entry = ROOT / "build" / "tandem_entry.py"
    entry.parent.mkdir(exist_ok=True)
    entry.write_text("import sys\nfrom desktop.__main__ import main\nsys.exit(main())\n")
    pyinstaller.run([
        str(entry), "--name", "Tandem", "--noconfirm", "--windowed", "--onedir",
        "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "build" / "pyinstaller"),
        "--paths", str(ROOT),
        "--add-data", f"{ROOT / 'resources'}{sep}resources",
        "--add-data", f"{ROOT / 'desktop' / 'models' / 'migrations'}{sep}desktop/models/migrations",
        "--add-data", f"{csl}{sep}.cache/csl",
        "--collect-all", "py_mini_racer",
        # Imported by snowballstemmer only if present; their versions go into the matching
        # index's digest.
        "--hidden-import", "Stemmer",
        "--copy-metadata", "snowballstemmer", "--copy-metadata", "PyStemmer",
    ])
    # --add-data puts resources/ and .cache/csl beside the bundled package, where
    # resources_dir() and paths.csl_dir() look.
    print(f"built {ROOT / 'dist' / 'Tandem'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
