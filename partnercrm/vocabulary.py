"""The domain's fixed vocabularies: sectors, conversation stages, channels, kinds, statuses and
lawful bases.

No database here: the command line reads these for its choices without loading SQLAlchemy.
`partnercrm.models` uses them for its columns (and they are found there too, as `m.Stage`).
"""

from __future__ import annotations

import enum


class Sector(enum.StrEnum):
    BUSINESS = "business"
    PUBLIC_SECTOR = "public_sector"
    HIGHER_EDUCATION = "higher_education"
    VCS = "vcs"
    SOCIAL_ACTION = "social_action"
    CULTURE = "culture"


class Stage(enum.StrEnum):
    """Stage of a warm conversation."""

    INITIATED = "initiated"
    EXPLORING = "exploring"
    COMMITTED = "committed"
    PARKED = "parked"
    DECLINED = "declined"


OPEN_STAGES = (Stage.INITIATED, Stage.EXPLORING)


class Channel(enum.StrEnum):
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    EVENT = "event"
    OTHER = "other"


class CommitmentKind(enum.StrEnum):
    """Ways partners can contribute (the strategy report's Figure 3)."""

    RECOGNITION = "recognition"
    ADVOCACY = "advocacy"
    SPONSORSHIP_FINANCIAL = "sponsorship_financial"
    SPONSORSHIP_IN_KIND = "sponsorship_in_kind"
    OPPORTUNITIES = "opportunities"
    HOSTING = "hosting"
    RESEARCH = "research"
    INVESTMENT = "investment"


class CommitmentStatus(enum.StrEnum):
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    LAPSED = "lapsed"


OPEN_COMMITMENT_STATUSES = (CommitmentStatus.AGREED, CommitmentStatus.IN_PROGRESS)


class AmbassadorStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class EventKind(enum.StrEnum):
    SUMMIT = "summit"
    ROUNDTABLE = "roundtable"
    OTHER = "other"


class AttendanceRole(enum.StrEnum):
    ATTENDEE = "attendee"
    SPEAKER = "speaker"
    HOST = "host"


class LawfulBasis(enum.StrEnum):
    """The lawful basis for holding a contact's personal data (UK GDPR art. 6)."""

    LEGITIMATE_INTERESTS = "legitimate_interests"
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    PUBLIC_TASK = "public_task"
    VITAL_INTERESTS = "vital_interests"


class RelationshipStage(enum.StrEnum):
    """An organisation's stage, derived from its record (never stored)."""

    PROSPECT = "prospect"
    INITIATE = "initiate"
    CONVERT = "convert"
    GROW = "grow"
    SUSTAIN = "sustain"
