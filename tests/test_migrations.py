"""Schema versions: a new file gets exactly the models' schema; an older file is migrated on
open; a newer or foreign file is refused; a failing step leaves the file as it was."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from desktop.models import migrations
from desktop.models.base import Base
from desktop.models.database import WorkspaceError
from desktop.services import references
from desktop.services.workspace import Workspace


def table_shapes(url: str) -> dict[str, set[tuple[str, bool]]]:
    insp = inspect(create_engine(url))
    return {t: {(c["name"], bool(c["nullable"])) for c in insp.get_columns(t)}
            for t in insp.get_table_names() if not t.startswith("reference_search")}


def test_migrated_schema_equals_the_models(tmp_path: Path) -> None:
    migrated = tmp_path / "migrated.db"
    conn = sqlite3.connect(migrated, isolation_level=None)
    assert migrations.migrate(conn, 0) == list(range(1, migrations.LATEST_VERSION + 1))
    conn.close()
    declared = tmp_path / "declared.db"
    engine = create_engine(f"sqlite:///{declared}")
    Base.metadata.create_all(engine)
    engine.dispose()
    assert table_shapes(f"sqlite:///{migrated}") == table_shapes(f"sqlite:///{declared}")


def make_version_1(path: Path) -> None:
    """A workspace as the first release wrote it: schema 1, with references in it."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, 0, target=1)
    conn.execute("INSERT INTO workspace (id, deleted, name, description, language, created_at)"
                 " VALUES ('9d0c7a52-0d7e-4c36-bb0e-5b7a4f1f0c11', 0, 'Old', '', 'nl', '')")
    for i, (title, family) in enumerate([("Shadow learning in robotic surgery", "Beane"),
                                         ("Ironies of automation", "Bainbridge")]):
        conn.execute(
            "INSERT INTO reference (id, deleted, citation_key, csl_type, title, authors, editors,"
            " issued, year, container_title, volume, issue, page, publisher, doi, url, isbn,"
            " abstract, keywords, language, note, csl, original_format, original_record,"
            " added_at) VALUES (?, 0, ?, 'article-journal', ?, ?, '[]', '{}', 2000, '', '', '',"
            " '', '', '', '', '', '', '[]', '', '', '{}', 'csl-json', '', '')",
            (f"00000000-0000-4000-8000-00000000000{i}", f"k{i}", title,
             json.dumps([{"family": family, "given": "X."}])))
    conn.close()


def test_an_older_workspace_is_migrated_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.tandem"
    make_version_1(path)
    with Workspace.open(path) as ws:
        assert ws.schema_version == migrations.LATEST_VERSION
        assert ws.name() == "Old"
        with ws.session() as s:
            found = references.search(s, "bainbr")
            assert found == ["00000000-0000-4000-8000-000000000001"]


def test_a_failing_step_leaves_the_file_at_its_version(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.tandem"
    make_version_1(path)
    real = migrations.steps()
    broken = migrations.Step(2, "broken", real[1].sql + "\nCREATE TABLE workspace (x);\n")
    monkeypatch.setattr(migrations, "steps", lambda: [real[0], broken])
    with pytest.raises(WorkspaceError, match="left as it was"):
        Workspace.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "reference_search" not in tables
    conn.close()


def test_a_newer_workspace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.tandem"
    Workspace.create(path, name="Future").close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(WorkspaceError, match="newer version of Tandem"):
        Workspace.open(path)


def test_foreign_files_are_refused_by_name(tmp_path: Path) -> None:
    text = tmp_path / "notes.tandem"
    text.write_text("not a database at all")
    with pytest.raises(WorkspaceError, match="notes.tandem.*not a database"):
        Workspace.open(text)
    other = tmp_path / "other.tandem"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(WorkspaceError, match="not a Tandem workspace"):
        Workspace.open(other)
    assert other.stat().st_size > 0


def test_missing_workspace_is_named(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="nowhere.tandem"):
        Workspace.open(tmp_path / "nowhere.tandem")


def test_search_index_follows_edits_and_tombstones(workspace: Workspace) -> None:
    from desktop.models.entities import Reference

    with workspace.transaction() as tx:
        rid = references.add_csl_item(tx, {"id": "b83", "type": "article-journal",
                                           "title": "Ironies of automation",
                                           "author": [{"family": "Bainbridge", "given": "Lisanne"}],
                                           "issued": {"date-parts": [[1983]]}})
    with workspace.session() as s:
        assert references.search(s, "lisanne ironies") == [rid]
    with workspace.transaction() as tx:
        tx.update(Reference, rid, {"title": "Paradoxes of automation"})
    with workspace.session() as s:
        assert references.search(s, "ironies") == []
        assert references.search(s, "paradox") == [rid]
    with workspace.transaction() as tx:
        tx.delete(Reference, rid)
    with workspace.session() as s:
        assert references.search(s, "paradox") == []
