"""Schema versions and the steps between them, applied when a workspace is opened.

Each step is a SQL script in ``migrations/NNNN_name.sql``, frozen once released: the models
describe the latest schema, and a test checks that running every step on an empty file yields
exactly the tables the models declare. The version lives in ``PRAGMA user_version``; each step
runs in one transaction together with the version bump, so an interrupted migration leaves the
workspace at the version before it.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

# "TNDM": marks a SQLite file as a Tandem workspace (PRAGMA application_id).
APPLICATION_ID = 0x544E444D
_FOLDER = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Step:
    version: int
    name: str
    sql: str


def steps() -> list[Step]:
    found = []
    for path in sorted(_FOLDER.glob("*.sql")):
        match = _NAME.match(path.name)
        if match:
            found.append(Step(int(match.group(1)), match.group(2), path.read_text("utf-8")))
    versions = [s.version for s in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration steps must be numbered 1..n without gaps: {versions}")
    return found


LATEST_VERSION = len(steps())


def migrate(conn: sqlite3.Connection, current: int, target: int = LATEST_VERSION) -> list[int]:
    """Apply the steps after ``current`` up to ``target``; returns the versions applied.

    ``conn`` must be in autocommit mode (isolation_level=None) so that the explicit
    transaction below is the only one.
    """
    applied = []
    for step in steps():
        if current < step.version <= target:
            script = (f"BEGIN IMMEDIATE;\n{step.sql}\n"
                      f"PRAGMA application_id = {APPLICATION_ID};\n"
                      f"PRAGMA user_version = {step.version};\nCOMMIT;")
            try:
                conn.executescript(script)
            except sqlite3.Error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            applied.append(step.version)
    return applied
