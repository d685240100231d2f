"""Live workshops: starting one, joining with a code, voting, revealing the votes, closing.

All workshop state lives in the database, never in a process's memory, so any number of
gunicorn workers serve the same workshop. A participant is known only by the hash of a random
token kept in their browser; nobody, the facilitator included, sees who voted for what.

Writes start with begin_write (the SQLite write lock, see database.py). On PostgreSQL a vote
share-locks its workshop and challenge rows, so revealing a challenge or closing the workshop
(which take those rows for update) waits for votes already being written and every vote that
starts later sees the new state: no vote lands after the counts were kept.

When a challenge is revealed its counts per level are copied into VoteTally, kept with the
assessment. Closing the workshop keeps counts for anything voted on but not revealed, then
deletes the participants and their votes: only the counts remain.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from sqlalchemy import Insert, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from ..database import begin_write
from ..extensions import db
from ..frameworks import Challenge, Framework, get_framework
from ..models import (
    Assessment,
    Participant,
    Rating,
    Round,
    Vote,
    VoteTally,
    Workshop,
    WorkshopChallenge,
    WorkshopStatus,
)
from ..votes import (
    GroupSummary,
    Perspective,
    VoteSummary,
    new_join_code,
    normalise_join_code,
    parse_vote,
    split_by_perspective,
    summarise,
    summarise_votes,
    vote_name,
    vote_value,
)
from .assessments import framework_of

CODE_ATTEMPTS = 5


class WorkshopError(ValueError):
    """A workshop request that cannot be carried out; the message says why in plain words."""


class CodeFormatError(WorkshopError):
    """What was typed cannot be a join code."""


class CodeNotFoundError(WorkshopError):
    """No workshop has this code."""


class WorkshopClosedError(WorkshopError):
    """The workshop has ended: its code no longer lets anyone in or vote."""


class NotJoinedError(WorkshopError):
    """The browser carries no token of a participant in this workshop."""


class UnknownChallengeError(WorkshopError):
    """The framework has no challenge with this id."""


class VotingNotOpenError(WorkshopError):
    """The facilitator has not opened this challenge for voting yet."""


class VotesRevealedError(WorkshopError):
    """The votes on this challenge have been shown, so they are final."""


class NotOnScaleError(WorkshopError):
    """The vote is neither a level of the scale nor "not sure"."""


@dataclass(frozen=True)
class Pass:
    """What a participant's browser holds (signed by the view): the workshop and a token."""

    workshop_id: int
    token: str


def token_hash(token: str) -> str:
    """Only this is stored, so a copy of the database cannot be used to vote as anyone."""
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


# A join code is a weak secret (6 characters), so it only works for one workshop day.
CODE_LIFETIME = timedelta(hours=24)


def _code_expired(workshop: Workshop) -> bool:
    started = workshop.created_at
    if started.tzinfo is None:  # SQLite hands back naive datetimes, stored in UTC
        started = started.replace(tzinfo=UTC)
    return _now() - started > CODE_LIFETIME


# --- facilitator ------------------------------------------------------------------------------


def latest_workshop(assessment: Assessment) -> Workshop | None:
    """The assessment's open workshop, else its most recently started one."""
    return db.session.scalar(
        select(Workshop)
        .where(Workshop.assessment_id == assessment.id)
        .order_by((Workshop.status == WorkshopStatus.OPEN).desc(), Workshop.id.desc())
        .limit(1)
    )


def start_workshop(assessment: Assessment, started_by: str) -> Workshop:
    """The assessment's open workshop, or a new one with a fresh join code.

    WorkshopError while the round is closed or the assessment agreed. Safe to call twice at
    once: the assessment row is locked while checking for an open workshop.
    """
    assessment_id = assessment.id
    for _ in range(CODE_ATTEMPTS):
        begin_write(db.session)
        locked = db.session.scalars(
            select(Assessment).where(Assessment.id == assessment_id).with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        try:
            existing = _open_workshop(assessment_id)
            if existing is not None:
                db.session.rollback()
                return existing
            if not locked.round.is_open:
                raise WorkshopError("This round is closed, so a workshop cannot be started")
            if locked.is_agreed:
                raise WorkshopError("This assessment has been agreed. Reopen it before "
                                    "running a workshop")
            workshop = Workshop(assessment_id=assessment_id, join_code=new_join_code(),
                                started_by=started_by)
            db.session.add(workshop)
            db.session.commit()
            return workshop
        except IntegrityError:
            db.session.rollback()  # the code was taken a moment ago: draw another
        except Exception:
            db.session.rollback()
            raise
    raise RuntimeError("Could not find an unused join code")


def _open_workshop(assessment_id: int) -> Workshop | None:
    return db.session.scalar(
        select(Workshop).where(Workshop.assessment_id == assessment_id,
                               Workshop.status == WorkshopStatus.OPEN)
    )


def _locked_workshop(workshop_id: int) -> Workshop:
    """Reload inside the write transaction; on PostgreSQL waits for votes being written."""
    return db.session.scalars(
        select(Workshop).where(Workshop.id == workshop_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _challenge_rows(workshop_id: int) -> dict[str, WorkshopChallenge]:
    rows = db.session.scalars(
        select(WorkshopChallenge).where(WorkshopChallenge.workshop_id == workshop_id)
    )
    return {row.challenge_id: row for row in rows}


def open_challenges(workshop: Workshop, challenge_ids: Iterable[str], current: str | None) -> None:
    """Let participants vote on these challenges (already revealed ones stay final), and make
    `current` the one the room is talking about (None leaves it as it is).

    WorkshopClosedError once closed, UnknownChallengeError for an id not in the framework.
    """
    workshop_id = workshop.id
    begin_write(db.session)
    locked = _locked_workshop(workshop_id)
    try:
        if not locked.is_open:
            raise WorkshopClosedError("This workshop has been closed")
        framework = framework_of(locked.assessment.round)
        opened = _challenge_rows(workshop_id)
        for challenge_id in challenge_ids:
            if challenge_id not in framework.challenge_ids:
                raise UnknownChallengeError("The framework has no such challenge")
            if challenge_id not in opened:
                db.session.add(WorkshopChallenge(workshop_id=workshop_id,
                                                 challenge_id=challenge_id))
        if current is not None:
            locked.current_challenge_id = current
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def reveal_challenge(workshop: Workshop, challenge_id: str) -> None:
    """End voting on the challenge and keep its counts with the assessment. Revealing twice
    changes nothing. VotingNotOpenError if it was never opened."""
    workshop_id = workshop.id
    begin_write(db.session)
    try:
        locked = _locked_workshop(workshop_id)
        if not locked.is_open:
            raise WorkshopClosedError("This workshop has been closed")
        row = db.session.scalars(
            select(WorkshopChallenge)
            .where(WorkshopChallenge.workshop_id == workshop_id,
                   WorkshopChallenge.challenge_id == challenge_id)
            .with_for_update()
        ).one_or_none()
        if row is None:
            raise VotingNotOpenError("Open voting on this challenge before showing the votes")
        if row.revealed_at is None:
            row.revealed_at = _now()
            _keep_counts(locked, [challenge_id])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def close_workshop(workshop: Workshop) -> None:
    """Close the workshop: its code stops working at once. Counts are kept for challenges
    voted on but not revealed, then every participant and vote is deleted."""
    workshop_id = workshop.id
    begin_write(db.session)
    try:
        locked = _locked_workshop(workshop_id)
        if not locked.is_open:
            db.session.rollback()
            return
        locked.status = WorkshopStatus.CLOSED
        locked.closed_at = _now()
        unrevealed = [row for row in _challenge_rows(workshop_id).values()
                      if row.revealed_at is None]
        for row in unrevealed:
            row.revealed_at = locked.closed_at
        _keep_counts(locked, [row.challenge_id for row in unrevealed])
        participants = select(Participant.id).where(Participant.workshop_id == workshop_id)
        db.session.execute(delete(Vote).where(Vote.participant_id.in_(participants)))
        db.session.execute(delete(Participant).where(Participant.workshop_id == workshop_id))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def close_workshops_in_round(round_id: int) -> int:
    """Close every open workshop of a round (when the round closes); returns how many."""
    open_workshops = list(db.session.scalars(
        select(Workshop).join(Assessment, Assessment.id == Workshop.assessment_id)
        .where(Assessment.round_id == round_id, Workshop.status == WorkshopStatus.OPEN)
    ))
    for workshop in open_workshops:
        close_workshop(workshop)
    return len(open_workshops)


def _keep_counts(workshop: Workshop, challenge_ids: list[str]) -> None:
    """Copy the counts per level of these challenges into VoteTally (inside the caller's
    transaction). A challenge nobody voted on keeps the counts of an earlier workshop."""
    if not challenge_ids:
        return
    rows = db.session.execute(
        select(Vote.challenge_id, Vote.level, func.count())
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Participant.workshop_id == workshop.id, Vote.challenge_id.in_(challenge_ids))
        .group_by(Vote.challenge_id, Vote.level)
    )
    counts: dict[str, Counter[int | None]] = defaultdict(Counter)
    for challenge_id, level, count in rows:
        counts[challenge_id][level] = count
    for challenge_id, by_level in counts.items():
        db.session.merge(VoteTally(
            assessment_id=workshop.assessment_id,
            challenge_id=challenge_id,
            counts={str(level): n for level, n in by_level.items() if level is not None},
            not_sure=by_level[None],
            workshop_id=workshop.id,
            counted_at=_now(),
        ))


@dataclass(frozen=True)
class ChallengeState:
    """One challenge as the facilitator's screens show it."""

    challenge: Challenge
    opened: bool
    revealed: bool
    votes: int
    agreed: int | None


@dataclass(frozen=True)
class WorkshopView:
    workshop: Workshop
    framework: Framework
    joined: int
    challenges: list[ChallengeState]

    def state(self, challenge_id: str) -> ChallengeState:
        return next(c for c in self.challenges if c.challenge.id == challenge_id)

    def next_after(self, challenge_id: str | None) -> Challenge | None:
        """The first challenge after this one (None: from the start) not yet revealed."""
        ids = [c.challenge.id for c in self.challenges]
        start = ids.index(challenge_id) + 1 if challenge_id in ids else 0
        return next((c.challenge for c in self.challenges[start:] if not c.revealed), None)


@dataclass(frozen=True)
class LiveCounts:
    """What the facilitator's screens refresh while people join and vote."""

    joined: int
    votes: dict[str, int]


def live_counts(workshop_id: int) -> LiveCounts:
    joined = db.session.scalar(
        select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop_id)
    )
    votes = db.session.execute(
        select(Vote.challenge_id, func.count())
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Participant.workshop_id == workshop_id)
        .group_by(Vote.challenge_id)
    )
    return LiveCounts(joined or 0, dict(votes.all()))


def workshop_view(workshop: Workshop) -> WorkshopView:
    """The workshop with each challenge's state, vote count and agreed level (four queries)."""
    framework = framework_of(workshop.assessment.round)
    opened = _challenge_rows(workshop.id)
    counts = live_counts(workshop.id)
    agreed = dict(db.session.execute(
        select(Rating.challenge_id, Rating.level).where(
            Rating.assessment_id == workshop.assessment_id)
    ).all())
    states = [
        ChallengeState(
            challenge=challenge,
            opened=challenge.id in opened,
            revealed=challenge.id in opened and opened[challenge.id].revealed_at is not None,
            votes=counts.votes.get(challenge.id, 0),
            agreed=agreed.get(challenge.id),
        )
        for challenge in framework.challenges
    ]
    return WorkshopView(workshop, framework, counts.joined, states)


@dataclass(frozen=True)
class Results:
    """A revealed challenge: everyone's votes, and the split by perspective when it is safe."""

    summary: VoteSummary
    groups: list[GroupSummary]


def challenge_results(workshop: Workshop, framework: Framework, challenge_id: str) -> Results:
    """The votes on a challenge. While the workshop is open they come from the votes (so the
    split by perspective can be shown); after closing only the kept counts remain."""
    levels = framework.level_values
    if not workshop.is_open:
        tally = db.session.get(VoteTally, (workshop.assessment_id, challenge_id))
        return Results(_tally_summary(levels, tally), [])
    votes = db.session.execute(
        select(Vote.level, Participant.perspective)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Participant.workshop_id == workshop.id, Vote.challenge_id == challenge_id)
    ).all()
    return Results(summarise_votes(levels, [level for level, _ in votes]),
                   split_by_perspective(levels, votes))


def _tally_summary(levels: tuple[int, ...], tally: VoteTally | None) -> VoteSummary:
    if tally is None:
        return summarise(levels, {})
    counts: dict[int | None, int] = {int(level): n for level, n in tally.counts.items()}
    counts[None] = tally.not_sure
    return summarise(levels, counts)


def kept_counts(round_: Round, team_ids: list[int]) -> dict[int, dict[str, VoteSummary]]:
    """team id -> challenge id -> the vote counts kept from the team's workshops this round.

    One query whatever the number of teams, for the workbooks."""
    levels = framework_of(round_).level_values
    rows = db.session.execute(
        select(Assessment.team_id, VoteTally)
        .join(VoteTally, VoteTally.assessment_id == Assessment.id)
        .where(Assessment.round_id == round_.id, Assessment.team_id.in_(team_ids))
    )
    kept: dict[int, dict[str, VoteSummary]] = defaultdict(dict)
    for team_id, tally in rows:
        kept[team_id][tally.challenge_id] = _tally_summary(levels, tally)
    return kept


# --- participants -----------------------------------------------------------------------------


def _workshop_by_code(code: str, lock: bool = False) -> Workshop:
    """The open workshop with this code; with lock, closing it waits until the join is done."""
    query = select(Workshop).where(Workshop.join_code == code)
    workshop = db.session.scalar(query.with_for_update(read=True) if lock else query)
    if workshop is None:
        raise CodeNotFoundError("There is no workshop with this code. Check the code on the "
                                "screen and try again")
    if not workshop.is_open or _code_expired(workshop):
        raise WorkshopClosedError("This workshop has ended, so its code no longer works. "
                                  "Thank you for taking part")
    return workshop


def join_workshop(code_text: str | None, perspective: Perspective, held: Pass | None) -> Pass:
    """Let someone into the workshop with this code and return the pass for their browser.

    A browser that has already joined keeps its token (and so its votes); only the
    perspective is updated. Raises CodeFormatError, CodeNotFoundError, WorkshopClosedError.
    """
    code = normalise_join_code(code_text)
    if code is None:
        raise CodeFormatError("Enter the 6-character code shown on the screen, like ABC 234")
    # Checked before taking the write lock: wrong codes (which may be guesses) cost a read.
    workshop_id = _workshop_by_code(code).id
    begin_write(db.session)
    try:
        _workshop_by_code(code, lock=True)  # still open now that the lock is held
        participant = None
        if held is not None and held.workshop_id == workshop_id:
            participant = db.session.scalar(
                select(Participant).where(Participant.token_hash == token_hash(held.token)))
        if participant is None:
            token = secrets.token_urlsafe(32)
            db.session.add(Participant(workshop_id=workshop_id, token_hash=token_hash(token),
                                       perspective=perspective))
        else:
            token = held.token
            participant.perspective = perspective
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return Pass(workshop_id, token)


def _raise_not_joined(workshop_id: int) -> NoReturn:
    status = db.session.scalar(select(Workshop.status).where(Workshop.id == workshop_id))
    if status is WorkshopStatus.CLOSED:
        raise WorkshopClosedError("This workshop has ended. Thank you for taking part")
    raise NotJoinedError("You have not joined this workshop. Enter the code on the screen "
                         "to join")


@dataclass(frozen=True)
class CastVote:
    """A vote as recorded: the level (None: not sure) and how the page names it."""

    level: int | None
    label: str

    @property
    def form_value(self) -> str:
        return vote_value(self.level)


# The vote path is the hot one (a room of people tapping at once): its statements are built
# once, and a vote is one lookup and one upsert in one transaction. On PostgreSQL the lookup
# share-locks the workshop row before the challenge row (the order of the FROM list), the
# order in which revealing and closing take them for update, so they cannot deadlock.
_BALLOT = (
    select(Participant.id, Workshop.status, Round.framework_key, WorkshopChallenge.revealed_at)
    .join(Workshop, Workshop.id == Participant.workshop_id)
    .join(WorkshopChallenge, (WorkshopChallenge.workshop_id == Workshop.id)
          & (WorkshopChallenge.challenge_id == bindparam("challenge_id")))
    .join(Assessment, Assessment.id == Workshop.assessment_id)
    .join(Round, Round.id == Assessment.round_id)
    .where(Participant.token_hash == bindparam("token_hash"))
    .with_for_update(read=True, of=[Workshop, WorkshopChallenge])
)


def _upsert(insert) -> Insert:
    """INSERT ... ON CONFLICT DO UPDATE: one statement, so two copies of the same request
    arriving together (a double tap, a retry) can never make two rows or fail."""
    statement = insert(Vote).values(participant_id=bindparam("participant_id"),
                                    challenge_id=bindparam("challenge_id"),
                                    level=bindparam("level"))
    return statement.on_conflict_do_update(
        index_elements=[Vote.participant_id, Vote.challenge_id],
        set_={"level": statement.excluded.level},
    )


_UPSERTS = {"postgresql": _upsert(postgresql_insert), "sqlite": _upsert(sqlite_insert)}


def cast_vote(held: Pass, challenge_id: str, raw_level: str | None) -> CastVote:
    """Record the participant's vote on a challenge, replacing their earlier one.

    Sending the same vote again changes nothing, so retries and double clicks are safe.
    Raises NotJoinedError, WorkshopClosedError, UnknownChallengeError, NotOnScaleError,
    VotingNotOpenError or VotesRevealedError; a vote already cast is never touched then.
    """
    begin_write(db.session)
    try:
        ballot = db.session.execute(_BALLOT, {"token_hash": token_hash(held.token),
                                              "challenge_id": challenge_id}).one_or_none()
        if ballot is None:
            _refuse_vote(held, challenge_id)
        participant_id, status, framework_key, revealed_at = ballot
        if status is WorkshopStatus.CLOSED:
            raise WorkshopClosedError("This workshop has ended. Thank you for taking part")
        framework = get_framework(framework_key)
        valid, level = parse_vote(raw_level, framework.level_values)
        if not valid:
            raise NotOnScaleError("Choose one of the levels, or 'Not sure'")
        if revealed_at is not None:
            raise VotesRevealedError("The votes on this challenge have been shown, so it is "
                                     "closed for voting. Any vote you sent before was counted")
        db.session.execute(_UPSERTS[db.session.get_bind().dialect.name], {
            "participant_id": participant_id, "challenge_id": challenge_id, "level": level})
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return CastVote(level, vote_name(level, framework.level_label))


def _refuse_vote(held: Pass, challenge_id: str) -> NoReturn:
    """Say why there is no open ballot for this participant and challenge."""
    row = db.session.execute(
        select(Workshop.status, Round.framework_key)
        .join(Participant, Participant.workshop_id == Workshop.id)
        .join(Assessment, Assessment.id == Workshop.assessment_id)
        .join(Round, Round.id == Assessment.round_id)
        .where(Participant.token_hash == token_hash(held.token))
    ).one_or_none()
    if row is None:
        _raise_not_joined(held.workshop_id)
    if row.status is WorkshopStatus.CLOSED:
        raise WorkshopClosedError("This workshop has ended. Thank you for taking part")
    if challenge_id not in get_framework(row.framework_key).challenge_ids:
        raise UnknownChallengeError("There is no such challenge")
    raise VotingNotOpenError("Voting on this challenge has not started yet. "
                             "Wait for the facilitator to open it")


@dataclass(frozen=True)
class ParticipantView:
    """What one participant's page shows: the workshop's state and their own votes only."""

    framework: Framework
    current: str | None
    open_ids: tuple[str, ...]  # opened and not yet revealed, in the framework's order
    revealed_ids: frozenset[str]
    my_votes: dict[str, int | None]
    state: str

    def is_open(self, challenge_id: str) -> bool:
        return challenge_id in self.open_ids

    def vote_label(self, challenge_id: str) -> str | None:
        """How the participant voted on the challenge, in words; None if they have not."""
        if challenge_id not in self.my_votes:
            return None
        return vote_name(self.my_votes[challenge_id], self.framework.level_label)

    def vote_value(self, challenge_id: str) -> str | None:
        """The form value of the participant's vote, to tick its radio."""
        if challenge_id not in self.my_votes:
            return None
        return vote_value(self.my_votes[challenge_id])


def _state_key(status: WorkshopStatus, current: str | None,
               rows: Iterable[tuple[str, datetime | None]]) -> str:
    """A short fingerprint of what participants' pages show: when it changes they refresh."""
    parts = [status.value, current or "-"]
    parts += sorted(f"{cid}:{'r' if revealed else 'o'}" for cid, revealed in rows)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


def workshop_state(workshop_id: int) -> str:
    """The state fingerprint pages poll for (two small queries, no write)."""
    row = db.session.execute(
        select(Workshop.status, Workshop.current_challenge_id).where(Workshop.id == workshop_id)
    ).one_or_none()
    if row is None:
        raise NotJoinedError("There is no such workshop")
    rows = db.session.execute(
        select(WorkshopChallenge.challenge_id, WorkshopChallenge.revealed_at)
        .where(WorkshopChallenge.workshop_id == workshop_id)
    ).all()
    return _state_key(row.status, row.current_challenge_id, rows)


def participant_view(held: Pass) -> ParticipantView:
    """The participant's view of their workshop; NotJoinedError or WorkshopClosedError."""
    participant = db.session.scalar(
        select(Participant).where(Participant.token_hash == token_hash(held.token)))
    if participant is None:
        _raise_not_joined(held.workshop_id)
    workshop = db.session.get(Workshop, participant.workshop_id)
    if not workshop.is_open:
        raise WorkshopClosedError("This workshop has ended. Thank you for taking part")
    framework = framework_of(workshop.assessment.round)
    rows = db.session.execute(
        select(WorkshopChallenge.challenge_id, WorkshopChallenge.revealed_at)
        .where(WorkshopChallenge.workshop_id == workshop.id)
    ).all()
    revealed = frozenset(cid for cid, at in rows if at is not None)
    opened = {cid for cid, _ in rows}
    my_votes = dict(db.session.execute(
        select(Vote.challenge_id, Vote.level).where(Vote.participant_id == participant.id)
    ).all())
    return ParticipantView(
        framework=framework,
        current=workshop.current_challenge_id,
        open_ids=tuple(c for c in framework.challenge_ids if c in opened and c not in revealed),
        revealed_ids=revealed,
        my_votes=my_votes,
        state=_state_key(workshop.status, workshop.current_challenge_id, rows),
    )
