"""The domain model: typed SQLAlchemy 2.x declarative classes, one per noun in DESIGN.md."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    WriteOnlyMapped,
    declared_attr,
    mapped_column,
    relationship,
)

# the vocabularies the columns speak, found here too (m.Stage, m.Sector ...); `X as X` says
# so to mypy, and isort would split it into one import a name
# isort: off
from partnercrm.vocabulary import (
    OPEN_COMMITMENT_STATUSES as OPEN_COMMITMENT_STATUSES,
    OPEN_STAGES as OPEN_STAGES,
    AmbassadorStatus as AmbassadorStatus,
    AttendanceRole as AttendanceRole,
    Channel as Channel,
    CommitmentKind as CommitmentKind,
    CommitmentStatus as CommitmentStatus,
    EventKind as EventKind,
    RelationshipStage as RelationshipStage,
    Sector as Sector,
    Stage as Stage,
)

# isort: on

# Alembic's recommended naming convention, so constraints have stable names on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """Optimistic concurrency and who-touched-it-last for every editable record."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    updated_by: Mapped[str | None] = mapped_column(String(200))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def changed(table: Any, now: datetime, actor: str | None) -> dict[str, Any]:
    """What a Core UPDATE of a versioned row also sets (the ORM does it for mapped objects):
    the next version, so a copy read before it conflicts, and when and by whom."""
    return {"version": table.c.version + 1, "updated_at": now, "updated_by": actor}


class VersionedRow(Versioned):
    """Versioned, for tables the bulk paths also write: what they leave out has a default."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    created_at: Mapped[datetime | None] = mapped_column(  # type: ignore[assignment]
        DateTime(timezone=True), default=utcnow
    )
    updated_at: Mapped[datetime | None] = mapped_column(  # type: ignore[assignment]
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class Colleague(Versioned, Base):
    """A council officer or leader who talks to partners."""

    __tablename__ = "colleague"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    team: Mapped[str | None] = mapped_column(String(200))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # their database login (PostgreSQL) or operating-system login (SQLite): who they are
    login: Mapped[str | None] = mapped_column(String(63), unique=True, index=True)

    roles: Mapped[list[ColleagueRole]] = relationship(
        back_populates="colleague", cascade="all, delete-orphan", order_by="ColleagueRole.role"
    )


class AccessRole(enum.StrEnum):
    """What a colleague may do (DESIGN.md, Role (access))."""

    VIEWER = "viewer"
    EDITOR = "editor"
    PRIVACY = "privacy"
    ADMIN = "admin"


class ColleagueRole(Base):
    """One access role held by one colleague; a colleague may hold several."""

    __tablename__ = "colleague_role"
    id: Mapped[int] = mapped_column(primary_key=True)
    colleague_id: Mapped[int] = mapped_column(
        ForeignKey("colleague.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    colleague: Mapped[Colleague] = relationship(back_populates="roles")

    __table_args__ = (
        UniqueConstraint("colleague_id", "role", name="uq_colleague_role_colleague_role"),
        CheckConstraint("role in ('viewer','editor','privacy','admin')", name="role"),
    )


class Organisation(Versioned, Base):
    """A partner or prospect."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # casefolded, punctuation-free form: "Arsenal F.C." and "arsenal fc" share one key
    name_key: Mapped[str] = mapped_column(String(300), unique=True)
    sector: Mapped[str] = mapped_column(String(40), index=True)
    anchor: Mapped[bool] = mapped_column(Boolean, default=False)
    ward: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("colleague.id"), index=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    lead: Mapped[Colleague | None] = relationship()
    aliases: Mapped[list[OrganisationAlias]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationAlias.id"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="organisation", order_by="Contact.name"
    )


class OrganisationAlias(Base):
    __tablename__ = "organisation_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(300))
    alias_key: Mapped[str] = mapped_column(String(300), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="aliases")


class Contact(Versioned, Base):
    """A person at an organisation (personal data: UK GDPR applies)."""

    __tablename__ = "contact"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(60))
    job_title: Mapped[str | None] = mapped_column(String(200))
    senior: Mapped[bool] = mapped_column(Boolean, default=False)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # lawful basis for holding the data (UK GDPR art. 6), where it came from, and consent dates
    lawful_basis: Mapped[str | None] = mapped_column(String(40))
    consent_source: Mapped[str | None] = mapped_column(String(300))
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_expires: Mapped[date | None] = mapped_column(Date)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation | None] = relationship(back_populates="contacts")
    other_emails: Mapped[list[ContactEmail]] = relationship(
        back_populates="contact", cascade="all, delete-orphan"
    )


class ContactEmail(Base):
    """A secondary address of a contact (kept when two contacts are merged)."""

    __tablename__ = "contact_email"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)

    contact: Mapped[Contact] = relationship(back_populates="other_emails")


class Mission(Base):
    """A long-term goal partners can contribute to."""

    __tablename__ = "mission"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    statement: Mapped[str] = mapped_column(Text, default="")
    target_year: Mapped[int | None] = mapped_column(Integer)
    # retired: kept with its history and in reports of its period, not offered for new records
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class AmbassadorRole(Base):
    """A role a partner can take (the strategy report's Figure 2)."""

    __tablename__ = "ambassador_role"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    ask_of_partner: Mapped[str] = mapped_column(Text, default="")
    value_for_council: Mapped[str] = mapped_column(Text, default="")
    value_for_partner: Mapped[str] = mapped_column(Text, default="")
    # the commitment kinds that fulfil this role, space-separated (used to suggest asks)
    commitment_kinds: Mapped[str] = mapped_column(String(300), default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Ambassadorship(Versioned, Base):
    """An organisation in an ambassador role, for a mission."""

    __tablename__ = "ambassadorship"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("ambassador_role.id"), index=True)
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("mission.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=AmbassadorStatus.PROPOSED)
    since: Mapped[date] = mapped_column(Date)
    status_changed_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    organisation: Mapped[Organisation] = relationship()
    role: Mapped[AmbassadorRole] = relationship()
    mission: Mapped[Mission | None] = relationship()


conversation_contact = Table(
    "conversation_contact",
    Base.metadata,
    Column("conversation_id", ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "contact_id", ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)

conversation_mission = Table(
    "conversation_mission",
    Base.metadata,
    Column("conversation_id", ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True),
    Column("mission_id", ForeignKey("mission.id"), primary_key=True, index=True),
)

commitment_mission = Table(
    "commitment_mission",
    Base.metadata,
    Column("commitment_id", ForeignKey("commitment.id", ondelete="CASCADE"), primary_key=True),
    Column("mission_id", ForeignKey("mission.id"), primary_key=True, index=True),
)


class Conversation(Versioned, Base):
    """A warm conversation: a thread with one organisation about one possible ask."""

    __tablename__ = "conversation"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("colleague.id"), index=True)
    # the ask: an ambassador role, or a kind of commitment
    ask_role_id: Mapped[int | None] = mapped_column(ForeignKey("ambassador_role.id"))
    ask_kind: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(300))
    stage: Mapped[str] = mapped_column(String(20), default=Stage.INITIATED, index=True)
    started_on: Mapped[date] = mapped_column(Date)
    # kept by the touchpoint service so stale lists and sorting need no aggregate at scale
    last_touch_on: Mapped[date] = mapped_column(Date, index=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    organisation: Mapped[Organisation] = relationship()
    lead: Mapped[Colleague] = relationship()
    ask_role: Mapped[AmbassadorRole | None] = relationship()
    contacts: Mapped[list[Contact]] = relationship(secondary=conversation_contact)
    missions: Mapped[list[Mission]] = relationship(
        secondary=conversation_mission, order_by="Mission.id"
    )
    touchpoints: WriteOnlyMapped[Touchpoint] = relationship(
        back_populates="conversation", passive_deletes=True
    )
    stage_changes: WriteOnlyMapped[StageChange] = relationship(passive_deletes=True)
    steps: Mapped[list[Step]] = relationship(back_populates="conversation", order_by="Step.due_on")

    __table_args__ = (
        Index("ix_conversation_org_stage", "organisation_id", "stage"),
        # counts by stage (the dashboard, the reports) read this index alone, not every row
        Index(
            "ix_conversation_stage_live", "stage", "archived", "organisation_id", "last_touch_on"
        ),
    )

    @property
    def ask(self) -> str | None:
        """The ask in words: the role's key, or the commitment kind."""
        if self.ask_role is not None:
            return self.ask_role.key
        return self.ask_kind


class StageChange(Base):
    """One move of a conversation between stages, dated, so time-to-commitment can be measured."""

    __tablename__ = "stage_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    changed_on: Mapped[date] = mapped_column(Date, index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(200))


class Touchpoint(VersionedRow, Base):
    """One dated interaction inside a conversation."""

    __tablename__ = "touchpoint"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    happened_on: Mapped[date] = mapped_column(Date, index=True)
    channel: Mapped[str] = mapped_column(String(20), default=Channel.MEETING)
    colleague_id: Mapped[int | None] = mapped_column(ForeignKey("colleague.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    # a touchpoint logged by mistake is archived: out of the thread and its last touch, kept in history
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # where a captured touchpoint came from: an email's Message-ID, or a meeting's UID and
    # occurrence; logging the same message again finds it here and changes nothing
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)

    conversation: Mapped[Conversation] = relationship(back_populates="touchpoints")
    colleague: Mapped[Colleague | None] = relationship()
    contact: Mapped[Contact | None] = relationship()

    __table_args__ = (
        Index("uq_touchpoint_conversation_message", "conversation_id", "message_id", unique=True),
    )


class Step(Versioned, Base):
    """A next action that moves a conversation on."""

    __tablename__ = "step"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("colleague.id"))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)

    conversation: Mapped[Conversation] = relationship(back_populates="steps")
    owner: Mapped[Colleague] = relationship()

    __table_args__ = (Index("ix_step_owner_open", "owner_id", "done_on", "due_on"),)


class Commitment(Versioned, Base):
    """What a conversation converted into."""

    __tablename__ = "commitment"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    beneficiary: Mapped[str | None] = mapped_column(String(300))
    promised_gbp: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    promised_hours: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    promised_opportunities: Mapped[int | None] = mapped_column(Integer)
    promised_people: Mapped[int | None] = mapped_column(Integer)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=CommitmentStatus.AGREED, index=True)
    agreed_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)

    organisation: Mapped[Organisation] = relationship()
    conversation: Mapped[Conversation | None] = relationship()
    missions: Mapped[list[Mission]] = relationship(
        secondary=commitment_mission, order_by="Mission.id"
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="commitment", order_by="Delivery.delivered_on"
    )


class Delivery(VersionedRow, Base):
    """What a commitment actually delivered: figures and, where there is one, a story."""

    __tablename__ = "delivery"
    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitment.id", ondelete="CASCADE"), index=True
    )
    delivered_on: Mapped[date] = mapped_column(Date, index=True)
    opportunities: Mapped[int | None] = mapped_column(Integer)
    people: Mapped[int | None] = mapped_column(Integer)
    gbp: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    story: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(200))

    commitment: Mapped[Commitment] = relationship(back_populates="deliveries")


class Event(Versioned, Base):
    """A summit, anchor roundtable or other gathering."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("colleague.id"))

    host: Mapped[Organisation | None] = relationship()
    owner: Mapped[Colleague | None] = relationship()


attendance_mission = Table(
    "attendance_mission",
    Base.metadata,
    Column("attendance_id", ForeignKey("attendance.id", ondelete="CASCADE"), primary_key=True),
    Column("mission_id", ForeignKey("mission.id"), primary_key=True, index=True),
)

attendance_role = Table(
    "attendance_role",
    Base.metadata,
    Column("attendance_id", ForeignKey("attendance.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("ambassador_role.id"), primary_key=True, index=True),
)


class Attendance(VersionedRow, Base):
    """A contact at an event, with the interest they expressed there."""

    __tablename__ = "attendance"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    # the organisation the person came for, kept so counts survive a contact moving on
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=AttendanceRole.ATTENDEE)
    registered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # answers given at registration that name no mission or role ("yes", free text)
    note: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event] = relationship()
    contact: Mapped[Contact] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    interest_missions: Mapped[list[Mission]] = relationship(secondary=attendance_mission)
    interest_roles: Mapped[list[AmbassadorRole]] = relationship(secondary=attendance_role)

    __table_args__ = (
        UniqueConstraint("event_id", "contact_id", name="uq_attendance_event_contact"),
    )


class HistoryEntry(Base):
    """One change to one record: when, who, what, and which fields moved from what to what."""

    __tablename__ = "history"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the tamper-evident chain (partnercrm.chain): position, and a digest over this entry's
    # content and its predecessor's digest; `redacted` keeps the digests of erased values
    login: Mapped[str | None] = mapped_column(String(200))
    seq: Mapped[int | None] = mapped_column(Integer, unique=True, index=True)
    digest: Mapped[str | None] = mapped_column(String(64))
    redacted: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # the change this entry is part of: every entry one command or one TUI action wrote shares
    # it (the `seq` of the change's first entry), so the change can be undone as one
    change_id: Mapped[int | None] = mapped_column(Integer, index=True)

    __table_args__ = (Index("ix_history_entity", "entity", "entity_id"),)


class NotDuplicate(Base):
    """A pair a person decided are not the same, so dedupe does not suggest it again."""

    __tablename__ = "not_duplicate"
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))
    low_id: Mapped[int] = mapped_column(Integer)
    high_id: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("entity", "low_id", "high_id", name="uq_not_duplicate_pair"),
    )


class ErasedEmail(Base):
    """A one-way digest of an erased person's address, so an import does not bring them back."""

    __tablename__ = "erased_email"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ImportRun(Base):
    """One attendee import: what file, for which event, when, and how it ended."""

    __tablename__ = "import_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(500))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="running")
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (CheckConstraint("status in ('running','done','failed')", name="status"),)
