"""Members of a workspace: researchers and practitioners, with their expertise."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..i18n import N_
from ..models.entities import Member
from .records import Tx

ROLES = {"researcher": N_("Researcher"), "practitioner": N_("Practitioner")}


@dataclass(frozen=True)
class MemberRow:
    id: str
    name: str
    role: str
    organisation: str
    expertise: tuple[str, ...]


def add_member(tx: Tx, fields: Mapping[str, Any]) -> str:
    if fields.get("role") not in ROLES:
        raise ValueError(f"member role must be one of {sorted(ROLES)}, not {fields.get('role')!r}")
    return tx.create(Member, fields)


def members(session: Session) -> list[MemberRow]:
    rows = session.execute(select(Member).where(Member.deleted.is_(False))
                           .order_by(Member.name)).scalars()
    return [MemberRow(m.id, m.name, m.role, m.organisation, tuple(m.expertise)) for m in rows]


EDITABLE = ("name", "role", "organisation", "organisation_type", "email", "expertise", "bio",
            "language")


def member_values(session: Session, member_id: str) -> dict[str, Any]:
    member = session.get(Member, member_id)
    if member is None or member.deleted:
        raise KeyError(member_id)
    return {name: getattr(member, name) for name in EDITABLE}


def update_member(tx: Tx, member_id: str, values: Mapping[str, Any]) -> list[str]:
    if "role" in values and values["role"] not in ROLES:
        raise ValueError(f"member role must be one of {sorted(ROLES)}, not {values['role']!r}")
    if "name" in values and not str(values["name"]).strip():
        raise ValueError("a member needs a name")
    return tx.update(Member, member_id, values)
