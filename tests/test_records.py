"""Model invariants of replicated data: UUID ids, stamps and a log entry for every write,
tombstones instead of deletes, and no replicated write outside a transaction object."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import String, delete, func, select

from desktop.models.entities import REPLICATED_ENTITIES, Member, PracticeQuestion, Reference
from desktop.models.hlc import Stamp
from desktop.models.local import ChangeLog, LocalMeta
from desktop.services.records import HLC_KEY, WHOLE_ROW, ReplicationError, stamp_of
from desktop.services.workspace import Workspace


@pytest.mark.parametrize("entity", REPLICATED_ENTITIES, ids=lambda e: e.entity_name())
def test_replicated_tables_have_text_uuid_ids(entity) -> None:  # noqa: ANN001
    id_column = entity.__table__.columns["id"]
    assert isinstance(id_column.type, String) and id_column.type.length == 36
    assert id_column.autoincrement is not True
    assert "deleted" in entity.__table__.columns


def test_created_ids_are_uuids(demo: Workspace) -> None:
    with demo.session() as s:
        for entity in REPLICATED_ENTITIES:
            for row_id in s.execute(select(entity.id)).scalars():
                assert str(uuid.UUID(row_id)) == row_id


def log_for(ws: Workspace, row_id: str) -> list[ChangeLog]:
    with ws.session() as s:
        return list(s.execute(select(ChangeLog).where(ChangeLog.row_id == row_id)
                              .order_by(ChangeLog.seq)).scalars())


def test_every_write_is_stamped_and_logged(workspace: Workspace) -> None:
    with workspace.transaction() as tx:
        mid = tx.create(Member, {"name": "Sanne", "role": "researcher", "expertise": ["HRM"]})
    created = log_for(workspace, mid)
    # A creation is one write of the whole record: one entry, whose values are the record's.
    assert [c.field for c in created] == [WHOLE_ROW]
    assert created[0].value is None
    assert created[0].replica == workspace.replica_id
    with workspace.transaction() as tx:
        changed = tx.update(Member, mid, {"name": "Sanne de Vries", "role": "researcher"})
    assert changed == ["name"]  # unchanged fields are neither stamped nor logged again
    after = log_for(workspace, mid)
    assert len(after) == 2
    assert after[-1].field == "name" and after[-1].value == "Sanne de Vries"
    with workspace.session() as s:
        assert stamp_of(s, "member", mid, "name") == (after[-1].hlc, workspace.replica_id)
        assert stamp_of(s, "member", mid, "role") == (created[0].hlc, workspace.replica_id)
    assert after[0].hlc < after[1].hlc


def test_bulk_creation_logs_each_record(workspace: Workspace) -> None:
    rows = [{"name": f"M{i}", "role": "researcher", "expertise": [str(i)]} for i in range(50)]
    with workspace.transaction() as tx:
        ids = tx.create_many(Member, rows)
    assert len(set(ids)) == 50
    with workspace.session() as s:
        logged = s.execute(select(ChangeLog.row_id, ChangeLog.hlc)
                           .where(ChangeLog.entity == "member")).all()
        assert sorted(r for r, _h in logged) == sorted(ids)
        assert len({h for _r, h in logged}) == 50
        assert [m.expertise for m in s.execute(select(Member).order_by(Member.name)).scalars()
                if m.name == "M7"] == [["7"]]


def test_delete_is_a_tombstone(workspace: Workspace) -> None:
    with workspace.transaction() as tx:
        mid = tx.create(Member, {"name": "Tom", "role": "practitioner"})
    with workspace.transaction() as tx:
        assert tx.delete(Member, mid)
    with workspace.session() as s:
        row = s.get(Member, mid)
        assert row is not None and row.deleted
    assert log_for(workspace, mid)[-1].field == "deleted"
    assert workspace.info().counts["member"] == 0


def test_writes_outside_a_tx_are_refused(workspace: Workspace) -> None:
    with workspace.transaction() as tx:
        mid = tx.create(Member, {"name": "Eva", "role": "researcher"})
    with workspace.session() as s:
        s.add(Member(id=str(uuid.uuid4()), name="Sneaky", deleted=False))
        with pytest.raises(ReplicationError):
            s.flush()
        s.rollback()
        member = s.get(Member, mid)
        member.name = "Changed behind the log's back"
        with pytest.raises(ReplicationError):
            s.flush()
        s.rollback()
        s.delete(s.get(Member, mid))
        with pytest.raises(ReplicationError, match="tombstoned"):
            s.flush()


def test_a_failed_transaction_leaves_nothing(workspace: Workspace) -> None:
    before = workspace.info()
    with pytest.raises(RuntimeError):
        with workspace.transaction() as tx:
            tx.create(PracticeQuestion, {"title": "Half written"})
            raise RuntimeError("disk full")
    after = workspace.info()
    assert after.counts == before.counts and after.changes == before.changes


def test_unknown_fields_are_refused(workspace: Workspace) -> None:
    with pytest.raises(ValueError, match="colour"):
        with workspace.transaction() as tx:
            tx.create(Reference, {"title": "x", "colour": "red"})


def test_clock_stays_monotonic_across_restarts_with_a_clock_set_back(tmp_path: Path) -> None:
    path = tmp_path / "clock.tandem"
    ws = Workspace.create(path, name="Clock", now=lambda: 5_000_000)
    with ws.transaction() as tx:
        tx.create(Member, {"name": "A", "role": "researcher"})
    with ws.session() as s:
        last_before = s.execute(select(func.max(ChangeLog.hlc))).scalar_one()
    ws.close()
    # The computer's clock is now an hour behind.
    ws = Workspace.open(path, now=lambda: 5_000_000 - 3_600_000)
    with ws.transaction() as tx:
        mid = tx.create(Member, {"name": "B", "role": "researcher"})
    stamps = [c.hlc for c in log_for(ws, mid)]
    ws.close()
    assert min(stamps) > last_before
    assert Stamp.parse(min(stamps)).wall_ms == 5_000_000


def test_clock_restores_from_the_log_if_the_saved_stamp_is_behind(tmp_path: Path) -> None:
    path = tmp_path / "clock2.tandem"
    ws = Workspace.create(path, name="Clock", now=lambda: 7_000)
    with ws.transaction() as tx:
        tx.create(Member, {"name": "A", "role": "researcher"})
    with ws.session() as s:
        s.execute(delete(LocalMeta).where(LocalMeta.key == HLC_KEY))
        s.commit()
    ws.close()
    ws = Workspace.open(path, now=lambda: 10)
    assert ws.clock.tick() > Stamp(7_000, 0)
    ws.close()

