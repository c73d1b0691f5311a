"""Start-up time: ``python -m desktop`` to its first window, beside a bare PySide6 window.

Runs each command N times (default 5) on a prepared demo workspace and prints the medians.
Both stop as soon as their first window is shown (``TANDEM_EXIT_WHEN_SHOWN``), so the figure is
process start to first window plus a quick exit. Uses the X display if ``DISPLAY`` is set,
otherwise Qt's offscreen platform.

    python bench/startup.py [--runs N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = ("import sys; from PySide6.QtCore import QTimer; "
        "from PySide6.QtWidgets import QApplication, QMainWindow; "
        "app = QApplication(sys.argv); w = QMainWindow(); w.resize(1280, 800); w.show(); "
        "QTimer.singleShot(0, app.quit); app.exec()")


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TANDEM_DATA_DIR": f"{tmp}/data", "TANDEM_CONFIG_DIR": f"{tmp}/cfg",
               "TANDEM_EXIT_WHEN_SHOWN": "1"}
        if not env.get("DISPLAY"):
            env["QT_QPA_PLATFORM"] = "offscreen"
        demo = f"{tmp}/demo.tandem"
        subprocess.run([sys.executable, "-m", "desktop", "demo", "--workspace", demo],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        app = [timed([sys.executable, "-m", "desktop", "--workspace", demo], env)
               for _ in range(args.runs)]
        bare = [timed([sys.executable, "-c", BARE], env) for _ in range(args.runs)]
    platform = "X11 " + env["DISPLAY"] if env.get("DISPLAY") else "offscreen"
    print(f"platform: {platform}, runs: {args.runs}")
    print(f"tandem  first window: median {statistics.median(app):.3f} s  "
          f"(min {min(app):.3f}, max {max(app):.3f})")
    print(f"bare Qt first window: median {statistics.median(bare):.3f} s  "
          f"(min {min(bare):.3f}, max {max(bare):.3f})")
    print(f"tandem / bare: {statistics.median(app) / statistics.median(bare):.2f}x")


if __name__ == "__main__":
    main()
