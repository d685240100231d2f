"""Database models: organisations, their units and teams, rounds, assessments, ratings, actions,
and live workshops (anonymous participants, their votes, and the vote counts kept afterwards).

Models hold data and small derived properties only; they never commit and never read the
request. Challenge ids and levels refer to the framework file named by the round.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .votes import JOIN_CODE_LENGTH, Perspective

NAME_LENGTH = 120
TEXT_LENGTH = 4000  # well under Excel's 32,767-character cell limit


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(enum.StrEnum):
    LEAD = "lead"
    FACILITATOR = "facilitator"
    # Sees the organisation's aggregates only (never a team name): e.g. a board member.
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return {"lead": "Organisation lead", "facilitator": "Facilitator",
                "viewer": "Viewer"}[self.value]


class RoundStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class AssessmentStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    AGREED = "agreed"


class ActionStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_open(self) -> bool:
        return self in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


def _enum(kind: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native ENUM type) so adding a value needs no type migration.
    return Enum(kind, name=name, native_enum=False, length=20,
                values_callable=lambda members: [m.value for m in members])


team_facilitators = Table(
    "team_facilitators",
    db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    units: Mapped[list[Unit]] = relationship(back_populates="organisation", order_by="Unit.name")
    teams: Mapped[list[Team]] = relationship(back_populates="organisation", order_by="Team.name")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class Unit(db.Model):
    """A directorate or service line grouping teams."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))

    organisation: Mapped[Organisation] = relationship(back_populates="units")
    teams: Mapped[list[Team]] = relationship(back_populates="unit", order_by="Team.name")

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name!r}>"


class Team(db.Model):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))

    organisation: Mapped[Organisation] = relationship(back_populates="teams")
    unit: Mapped[Unit | None] = relationship(back_populates="teams")
    facilitators: Mapped[list[User]] = relationship(
        secondary=team_facilitators, back_populates="teams"
    )
    actions: Mapped[list[Action]] = relationship(back_populates="team")

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the login cookie: bumping it signs the user out everywhere (logout, disable).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)

    organisation: Mapped[Organisation] = relationship()
    teams: Mapped[list[Team]] = relationship(
        secondary=team_facilitators, back_populates="facilitators"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_lead(self) -> bool:
        return self.role is Role.LEAD

    @property
    def is_viewer(self) -> bool:
        return self.role is Role.VIEWER

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r} {self.role}>"


class Round(db.Model):
    """One assessment period of an organisation, rated on one framework version."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    framework_key: Mapped[str] = mapped_column(String(80))
    status: Mapped[RoundStatus] = mapped_column(
        _enum(RoundStatus, "round_status"), default=RoundStatus.OPEN
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status is RoundStatus.OPEN

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.name!r} {self.status}>"


class Assessment(db.Model):
    """One team in one round: the agreed ratings live on its Rating rows."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("round_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    status: Mapped[AssessmentStatus] = mapped_column(
        _enum(AssessmentStatus, "assessment_status"), default=AssessmentStatus.IN_PROGRESS
    )
    agreed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    round: Mapped[Round] = relationship()
    team: Mapped[Team] = relationship()
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )

    @property
    def is_agreed(self) -> bool:
        return self.status is AssessmentStatus.AGREED

    def __repr__(self) -> str:
        return f"<Assessment {self.id} team={self.team_id} round={self.round_id}>"


class Rating(db.Model):
    """The team's agreed view of one challenge. level None means "not rated yet", never 0."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("assessment_id", "challenge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    challenge_id: Mapped[str] = mapped_column(String(60))
    level: Mapped[int | None] = mapped_column(Integer)
    target: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    updated_by: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")

    assessment: Mapped[Assessment] = relationship(back_populates="ratings")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Rating {self.challenge_id} level={self.level}>"


class Action(db.Model):
    """A local development project in a team's action plan; it carries across rounds."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    challenge_id: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    lead: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    coproduction: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        _enum(ActionStatus, "action_status"), default=ActionStatus.NOT_STARTED
    )
    success_measure: Mapped[str] = mapped_column(Text, default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    team: Mapped[Team] = relationship(back_populates="actions")

    __mapper_args__ = {"version_id_col": version}

    def is_overdue(self, today: date) -> bool:
        return self.status.is_open and self.due_on is not None and self.due_on < today

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.title!r} {self.status}>"


class WorkshopStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Workshop(db.Model):
    """A live session on an assessment: people join with the code and vote anonymously.

    Each challenge the facilitator opens gets a WorkshopChallenge row; current_challenge_id
    is the one the room is talking about, which participants' pages follow.
    """

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    join_code: Mapped[str] = mapped_column(String(JOIN_CODE_LENGTH), unique=True)
    status: Mapped[WorkshopStatus] = mapped_column(
        _enum(WorkshopStatus, "workshop_status"), default=WorkshopStatus.OPEN
    )
    current_challenge_id: Mapped[str | None] = mapped_column(String(60))
    started_by: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    assessment: Mapped[Assessment] = relationship()
    challenges: Mapped[list[WorkshopChallenge]] = relationship(
        cascade="all, delete-orphan", order_by="WorkshopChallenge.opened_at"
    )

    @property
    def is_open(self) -> bool:
        return self.status is WorkshopStatus.OPEN

    def __repr__(self) -> str:
        return f"<Workshop {self.id} {self.join_code} {self.status}>"


class WorkshopChallenge(db.Model):
    """A challenge opened for voting in a workshop; once revealed, its votes are final."""

    __tablename__ = "workshop_challenges"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    challenge_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<WorkshopChallenge {self.workshop_id} {self.challenge_id}>"


class Participant(db.Model):
    """One anonymous person in a workshop. Only a hash of the token in their cookie and the
    perspective they chose are kept: no name, address or join time. Deleted at closing."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    perspective: Mapped[Perspective] = mapped_column(
        _enum(Perspective, "perspective"), default=Perspective.OTHER
    )

    def __repr__(self) -> str:
        return f"<Participant {self.id} workshop={self.workshop_id}>"


class Vote(db.Model):
    """A participant's vote on one challenge; level None means "not sure". The primary key
    makes a repeated vote an update, never a second row."""

    __tablename__ = "votes"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    challenge_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    level: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<Vote {self.challenge_id} level={self.level}>"


class VoteTally(db.Model):
    """The vote counts kept with an assessment for one challenge, from its latest workshop
    reveal: counts per level (JSON, keyed by the level as text) and "not sure". No personal
    data, so it outlives the workshop's participants and votes."""

    __tablename__ = "vote_tallies"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    challenge_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    not_sure: Mapped[int] = mapped_column(Integer, default=0)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )
    counted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<VoteTally {self.assessment_id} {self.challenge_id} {self.counts}>"
