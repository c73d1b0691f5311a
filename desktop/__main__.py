"""``python -m desktop`` and the ``tandem`` script: the app, or a headless command."""
from __future__ import annotations

import sys


def main() -> int:
    import multiprocessing

    # Large imports parse in worker processes; a frozen (installer) build must let them start.
    multiprocessing.freeze_support()
    from .cli import main as cli_main
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
