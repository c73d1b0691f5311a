"""The replicated entities of a workspace (DESIGN §3).

No foreign-key constraints: changes from other replicas may arrive in any order (a section before
its proposal), so references between records are plain id columns with indexes, checked by the
services. Ordered or structured values that must stay consistent as a whole (an author list, a
list of stakeholders) are single JSON fields: per-field last-writer-wins keeps them intact, where
one row per author would interleave two people's edits into a list nobody wrote.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Replicated

JsonList = list[Any]
JsonDict = dict[str, Any]


class Workspace(Replicated, Base):
    __tablename__ = "workspace"

    name: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[str] = mapped_column(String(32), default="")


class Member(Replicated, Base):
    __tablename__ = "member"

    name: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(32), default="researcher")
    organisation: Mapped[str] = mapped_column(Text, default="")
    organisation_type: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(Text, default="")
    expertise: Mapped[JsonList] = mapped_column(JSON, default=list)
    bio: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    public_keys: Mapped[JsonDict] = mapped_column(JSON, default=dict)


class PracticeQuestion(Replicated, Base):
    """A question from practice, with the metadata Dutch practice-research funders ask about.

    The long case description is a collaborative text document (``documents``), not a column.
    """

    __tablename__ = "practice_question"

    title: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="")
    question_text: Mapped[str] = mapped_column(Text, default="")
    reformulated_question: Mapped[str] = mapped_column(Text, default="")
    submitter_id: Mapped[str | None] = mapped_column(String(36), index=True, default=None)
    submitter_name: Mapped[str] = mapped_column(Text, default="")
    submitter_role: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(Text, default="")
    organisation_type: Mapped[str] = mapped_column(String(64), default="")
    sector: Mapped[str] = mapped_column(String(64), default="")
    theme: Mapped[str] = mapped_column(Text, default="")
    sub_theme: Mapped[str] = mapped_column(Text, default="")
    nwa_route: Mapped[str] = mapped_column(Text, default="")
    stakeholders: Mapped[JsonList] = mapped_column(JSON, default=list)
    how_articulated: Mapped[str] = mapped_column(String(32), default="")
    breadth_of_support: Mapped[int] = mapped_column(Integer, default=1)
    urgency: Mapped[str] = mapped_column(String(16), default="medium")
    urgency_driver: Mapped[str] = mapped_column(Text, default="")
    expected_use: Mapped[str] = mapped_column(String(32), default="")
    knowledge_gap_check: Mapped[str] = mapped_column(Text, default="")
    data_available: Mapped[JsonList] = mapped_column(JSON, default=list)
    resources_offered: Mapped[str] = mapped_column(Text, default="")
    constraints: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default="new")
    cluster_id: Mapped[str | None] = mapped_column(String(36), default=None)
    visibility: Mapped[str] = mapped_column(String(32), default="community")
    created_at: Mapped[str] = mapped_column(String(32), default="")
    # The pair working on the question (members' ids).
    practitioner_id: Mapped[str | None] = mapped_column(String(36), default=None)
    researcher_id: Mapped[str | None] = mapped_column(String(36), default=None)


class Reference(Replicated, Base):
    """A literature reference with CSL-JSON meaning; ``csl`` holds the whole CSL item."""

    __tablename__ = "reference"

    citation_key: Mapped[str] = mapped_column(Text, index=True, default="")
    csl_type: Mapped[str] = mapped_column(String(48), default="article-journal")
    title: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[JsonList] = mapped_column(JSON, default=list)
    editors: Mapped[JsonList] = mapped_column(JSON, default=list)
    issued: Mapped[JsonDict] = mapped_column(JSON, default=dict)
    year: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    container_title: Mapped[str] = mapped_column(Text, default="")
    volume: Mapped[str] = mapped_column(Text, default="")
    issue: Mapped[str] = mapped_column(Text, default="")
    page: Mapped[str] = mapped_column(Text, default="")
    publisher: Mapped[str] = mapped_column(Text, default="")
    doi: Mapped[str] = mapped_column(Text, index=True, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    isbn: Mapped[str] = mapped_column(Text, default="")
    abstract: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[JsonList] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    csl: Mapped[JsonDict] = mapped_column(JSON, default=dict)
    original_format: Mapped[str] = mapped_column(String(16), default="")
    original_record: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[str] = mapped_column(String(32), default="")
    merged_into: Mapped[str | None] = mapped_column(String(36), default=None)


class Tag(Replicated, Base):
    __tablename__ = "tag"

    name: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(16), default="")


class ReferenceTag(Replicated, Base):
    """Membership of a reference in a tag; the id is derived from both, so two replicas adding
    the same tag create the same row instead of two."""

    __tablename__ = "reference_tag"

    reference_id: Mapped[str] = mapped_column(String(36), index=True, default="")
    tag_id: Mapped[str] = mapped_column(String(36), index=True, default="")


class Match(Replicated, Base):
    """A reference matched to a practice question, and the screening decision on it."""

    __tablename__ = "match"

    question_id: Mapped[str] = mapped_column(String(36), index=True, default="")
    reference_id: Mapped[str] = mapped_column(String(36), index=True, default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    decision: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(36), default=None)
    decided_at: Mapped[str] = mapped_column(String(32), default="")


class Proposal(Replicated, Base):
    __tablename__ = "proposal"

    title: Mapped[str] = mapped_column(Text, default="")
    acronym: Mapped[str] = mapped_column(Text, default="")
    template_id: Mapped[str] = mapped_column(String(64), default="generic")
    template_version: Mapped[str] = mapped_column(String(32), default="1")
    citation_style: Mapped[str] = mapped_column(String(64), default="apa")
    language: Mapped[str] = mapped_column(String(8), default="en")
    deadline: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(32), default="drafting")
    lead_member_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[str] = mapped_column(String(32), default="")


class ProposalQuestion(Replicated, Base):
    """A practice question that a proposal addresses (id derived from both, like ReferenceTag)."""

    __tablename__ = "proposal_question"

    proposal_id: Mapped[str] = mapped_column(String(36), index=True, default="")
    question_id: Mapped[str] = mapped_column(String(36), index=True, default="")


class Section(Replicated, Base):
    """A section of a proposal; its body is a collaborative text document (``documents``)."""

    __tablename__ = "section"

    proposal_id: Mapped[str] = mapped_column(String(36), index=True, default="")
    template_section_id: Mapped[str] = mapped_column(String(64), default="")
    number: Mapped[str] = mapped_column(String(16), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[float] = mapped_column(Float, default=0.0)
    owner_member_id: Mapped[str | None] = mapped_column(String(36), default=None)
    status: Mapped[str] = mapped_column(String(16), default="to_do")


class Comment(Replicated, Base):
    __tablename__ = "comment"

    section_id: Mapped[str] = mapped_column(String(36), index=True, default="")
    parent_id: Mapped[str | None] = mapped_column(String(36), default=None)
    author_member_id: Mapped[str | None] = mapped_column(String(36), default=None)
    body: Mapped[str] = mapped_column(Text, default="")
    anchor: Mapped[JsonDict] = mapped_column(JSON, default=dict)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(32), default="")


REPLICATED_ENTITIES: tuple[type[Replicated], ...] = (
    Workspace, Member, PracticeQuestion, Reference, Tag, ReferenceTag, Match,
    Proposal, ProposalQuestion, Section, Comment,
)
ENTITY_BY_NAME: dict[str, type[Replicated]] = {e.entity_name(): e for e in REPLICATED_ENTITIES}
