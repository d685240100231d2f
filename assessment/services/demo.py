"""Demo data: two fictional NHS mental-health trusts to try the toolkit with, and their logins.

The first trust is big enough to make charts, comparisons and action plans worth looking at
(3 units, 12 teams, 3 rounds); the second is small and exists so that separation between
organisations can be seen and tested. Everything that varies (levels, evidence notes, actions)
comes from small phrase lists drawn with random.Random seeded by the trust's name, so a run
on a given day always writes the same data.

Rounds are dated from today, so that the newest round is always the current, open one and
"overdue" actions are overdue whenever the demo is loaded.

Rows are built with the models and written in one commit per trust: going through the
save_rating service (one locked transaction per rating) would take seconds for a few hundred
ratings, and would refuse to write closed rounds at all.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from ..database import begin_write
from ..extensions import db
from ..frameworks import Framework, default_framework
from ..models import (
    Action,
    ActionStatus,
    Assessment,
    AssessmentStatus,
    Organisation,
    Rating,
    Role,
    Round,
    RoundStatus,
    Team,
    Unit,
    User,
)
from ..scoring import MAX_PRIORITIES


class Story(enum.Enum):
    """How a team's ratings move from round to round."""

    IMPROVING = "improving"
    STEADY = "steady"
    DIP = "dip"  # mostly steady, but one challenge drops in the team's latest assessment


class Finish(enum.Enum):
    """How far a team got with its assessment in the open round."""

    AGREED = "agreed"
    IN_PROGRESS = "in progress"
    NOT_STARTED = "not started"


@dataclass(frozen=True)
class TeamPlan:
    name: str
    story: Story
    finish: Finish
    facilitated: bool = False  # assigned to the trust's demo facilitator


@dataclass(frozen=True)
class UnitPlan:
    name: str
    teams: tuple[TeamPlan, ...]


@dataclass(frozen=True)
class DemoLogin:
    """A demo account: the password is fixed and printed, which is fine for made-up data only."""

    organisation: str
    name: str
    email: str
    password: str
    role: Role


@dataclass(frozen=True)
class TrustPlan:
    name: str
    units: tuple[UnitPlan, ...]
    rounds: int
    lead: DemoLogin
    facilitator: DemoLogin
    viewer: DemoLogin | None = None  # sees the dashboard's aggregates only


@dataclass(frozen=True)
class SeededTeam:
    """What was written for one team, for progress output."""

    organisation: str
    team: str
    assessments: int
    rounds: int
    finish: Finish
    actions: int


@dataclass(frozen=True)
class SeedResult:
    organisation: str
    created: bool  # False: the organisation already existed and was left untouched


LEAD_PASSWORD = "demo-lead-2027"
FACILITATOR_PASSWORD = "demo-facilitator-2027"
VIEWER_PASSWORD = "demo-viewer-2027"

_NORTHBROOK = "Northbrook Mental Health NHS Foundation Trust"
_EASTMERE = "Eastmere Community Health NHS Trust"

# Short names so that each team of the plan fits on one line.
_UP, _SAME, _DIP = Story.IMPROVING, Story.STEADY, Story.DIP
_AGREED, _RATING, _NOT_STARTED = Finish.AGREED, Finish.IN_PROGRESS, Finish.NOT_STARTED

DEMO_TRUSTS: tuple[TrustPlan, ...] = (
    TrustPlan(
        name=_NORTHBROOK,
        rounds=3,
        units=(
            UnitPlan("Adult community services", (
                TeamPlan("Riverside Community Mental Health Team", _UP, _AGREED, facilitated=True),
                TeamPlan("Northgate Community Mental Health Team", _SAME, _RATING),
                TeamPlan("Early Intervention in Psychosis", _UP, _AGREED, facilitated=True),
                TeamPlan("Crisis Resolution and Home Treatment", _DIP, _RATING),
            )),
            UnitPlan("Inpatient and acute care", (
                TeamPlan("Aurora Ward", _UP, _AGREED, facilitated=True),
                TeamPlan("Willow Ward", _SAME, _AGREED),
                TeamPlan("Beacon Psychiatric Intensive Care Unit", _DIP, _NOT_STARTED),
                TeamPlan("Harbour House Rehabilitation Unit", _UP, _RATING),
            )),
            UnitPlan("Specialist services", (
                TeamPlan("Perinatal Mental Health Team", _SAME, _AGREED),
                TeamPlan("Eating Disorders Service", _UP, _NOT_STARTED),
                TeamPlan("Complex Emotional Needs Service", _SAME, _RATING),
                TeamPlan("Forensic Community Team", _UP, _AGREED),
            )),
        ),
        lead=DemoLogin(_NORTHBROOK, "Priya Shah", "lead@northbrook.example",
                       LEAD_PASSWORD, Role.LEAD),
        facilitator=DemoLogin(_NORTHBROOK, "Tom Okafor", "facilitator@northbrook.example",
                              FACILITATOR_PASSWORD, Role.FACILITATOR),
        viewer=DemoLogin(_NORTHBROOK, "Ann Marsh", "viewer@northbrook.example",
                         VIEWER_PASSWORD, Role.VIEWER),
    ),
    TrustPlan(
        name=_EASTMERE,
        rounds=1,
        units=(
            UnitPlan("Mental health services", (
                TeamPlan("Eastmere Community Mental Health Team", _UP, _AGREED, facilitated=True),
                TeamPlan("Kestrel Ward", _SAME, _RATING, facilitated=True),
                TeamPlan("Home Treatment Team", _SAME, _NOT_STARTED),
            )),
        ),
        lead=DemoLogin(_EASTMERE, "Grace Whitfield", "lead@eastmere.example",
                       LEAD_PASSWORD, Role.LEAD),
        facilitator=DemoLogin(_EASTMERE, "Marek Nowak", "facilitator@eastmere.example",
                              FACILITATOR_PASSWORD, Role.FACILITATOR),
    ),
)

# Chance that a challenge goes up a level between rounds; priorities get the bonus on top.
IMPROVE_CHANCE = {Story.IMPROVING: 0.4, Story.STEADY: 0.1, Story.DIP: 0.1}
PRIORITY_BONUS = 0.4
# Baseline levels: mostly the bottom two, the odd one a step higher.
BASELINE_WEIGHTS = (4, 5, 1)


@dataclass(frozen=True)
class Phrases:
    """Sentences a team might write about one challenge: what works, and what does not yet."""

    working: tuple[str, ...]
    gaps: tuple[str, ...]


EVIDENCE: dict[str, Phrases] = {
    "interactions": Phrases(
        (
            "Most of us now ask people what matters to them before we talk about medication.",
            "Care plan reviews start with the person's own goals, and people say they notice.",
            "Feedback cards show people feel listened to and treated with respect.",
        ),
        (
            "Conversations still slip back to symptoms and risk when the team is under pressure.",
            "Families tell us they are often left out of conversations about care.",
            "Notes and handovers still use words people find off-putting, like 'non-compliant'.",
        ),
    ),
    "coproduced_learning": Phrases(
        (
            "Half the team have done the co-delivered recovery course with Recovery College "
            "trainers.",
            "Our induction now includes a session run by a trainer with lived experience.",
            "People using the service and staff went on the safety planning course together.",
        ),
        (
            "Training is still mostly e-learning, written and delivered by professionals.",
            "Night and bank staff are rarely released to go on training.",
            "No trainer with lived experience is involved in our team training yet.",
        ),
    ),
    "recovery_college": Phrases(
        (
            "We suggest Recovery College courses every month and several people now volunteer "
            "there.",
            "Two of the team co-facilitate the 'Understanding anxiety' course with a peer "
            "trainer.",
            "The college prospectus comes up at every care plan review.",
        ),
        (
            "Few of the team know which courses the Recovery College runs this term.",
            "People on the ward cannot easily get to courses and there is no online option yet.",
            "We mention the college but rarely check whether people went or how it was.",
        ),
    ),
    "leadership_culture": Phrases(
        (
            "Recovery is a standing item at the team meeting and the manager reports on it.",
            "The team plan has recovery goals agreed with the service user forum.",
            "Our service manager came to the workshop and took two actions away.",
        ),
        (
            "Team meetings are mostly about caseloads and targets; recovery rarely comes up.",
            "Nobody in the team has a named lead role for recovery.",
            "Senior leaders talk about recovery, but it does not show in how we are measured.",
        ),
    ),
    "personalisation": Phrases(
        (
            "Personal budgets are discussed with everyone who is eligible.",
            "People choose when and where appointments happen, including evenings.",
            "Shared decisions about medication are now routine in outpatient reviews.",
        ),
        (
            "Most people are offered the same package of care whatever their goals.",
            "Choosing a care coordinator is rarely possible because of caseloads.",
            "People say they are not given options about medication and side effects.",
        ),
    ),
    "risk_safety": Phrases(
        (
            "Safety plans are written with the person, in their words, and they keep a copy.",
            "Positive risk-taking is talked about in supervision and backed by the consultant.",
            "Families help with safety planning when the person wants them to.",
        ),
        (
            "Risk assessments are still mostly forms filled in without the person.",
            "Decisions about leave tend to become defensive after an incident.",
            "People rarely see what has been written about their risks.",
        ),
    ),
    "involvement": Phrases(
        (
            "Two people who use the service sit on our interview panels.",
            "The service user forum co-chairs the quarterly service review.",
            "Changes to the daily routine were designed with patients at community meetings.",
        ),
        (
            "Involvement is mostly the yearly feedback survey.",
            "People are asked for their views after decisions have already been made.",
            "There is no budget to pay people for their time, so few get involved.",
        ),
    ),
    "workforce": Phrases(
        (
            "We have two peer support workers who get regular peer supervision.",
            "Interview questions now test recovery values, not only clinical knowledge.",
            "Staff with their own lived experience feel able to draw on it in their work.",
        ),
        (
            "Our peer support worker post has been vacant for six months.",
            "Peer workers are often asked to cover observations instead of their own role.",
            "Recruitment still looks at qualifications more than values.",
        ),
    ),
    "staff_wellbeing": Phrases(
        (
            "Supervision includes a wellbeing check-in, and it actually happens.",
            "Adjustments were made quickly when a colleague came back from sick leave.",
            "The team makes time for people to use the trust's wellbeing hub.",
        ),
        (
            "Vacancies mean people work extra shifts and many feel exhausted.",
            "Staff do not feel safe talking about their own mental health at work.",
            "Reflective practice is often cancelled when the team is busy.",
        ),
    ),
    "life_beyond_illness": Phrases(
        (
            "Our employment specialist is part of the team and has helped several people into "
            "work.",
            "We have good links with the local college, housing providers and faith groups.",
            "Care plans usually include goals about work, study, housing and friendships.",
        ),
        (
            "We rarely ask people about work or education goals.",
            "Housing problems hold people back and we have few contacts with housing providers.",
            "Activities are mostly groups run by the service rather than ordinary places.",
        ),
    ),
}

# Frameworks are data and a trust may add challenges; those get general-purpose sentences.
GENERAL_EVIDENCE = Phrases(
    (
        "The team gave several recent examples of this working well.",
        "People using the service at the workshop agreed this is a strength.",
    ),
    (
        "The team agreed this is not yet consistent across the service.",
        "Few examples came up at the workshop, so there is work to do here.",
    ),
)

VOICES = (
    "People using the service at the workshop agreed with this rating.",
    "Two people who use the service felt we had rated ourselves a little generously.",
    "Staff and people using the service disagreed at first; we settled on this after "
    "discussion.",
    "The peer worker pointed out that this varies a lot between shifts.",
    "A carer at the workshop said families would rate this lower.",
    "We agreed this quickly: everyone had similar examples.",
)
RISEN = (
    "Clear progress since the last round.",
    "This has moved on since last time, though it is not yet the same for everyone.",
    "Better than last round, largely thanks to the actions we agreed then.",
)
UNCHANGED = (
    "No real change since the last round.",
    "Much the same as last time; other priorities took our attention.",
)
DROPPED = (
    "Lower than last round: two experienced staff left and we rely on agency cover.",
    "We have slipped since last time because the peer worker post has been vacant since the "
    "summer.",
    "Down since the last round after a difficult few months with high demand.",
)
NOT_YET_RATED = (
    "We ran out of time at the first session; we will come back to this.",
    "Parked until the peer support workers can join the discussion.",
    "",
)


@dataclass(frozen=True)
class ActionIdea:
    title: str
    description: str
    success_measure: str


ACTIONS: dict[str, tuple[ActionIdea, ...]] = {
    "interactions": (
        ActionIdea("Start every review with the person's own goals",
                   "Change the review template so that the first section is what matters to "
                   "the person, in their words.",
                   "Audit of 20 care plans shows personal goals in the person's own words."),
        ActionIdea("Language audit of notes and letters",
                   "Review a sample of letters together and agree plain, respectful wording.",
                   "A short guide on wording is in use and letters are re-audited."),
    ),
    "coproduced_learning": (
        ActionIdea("Book the team on co-delivered recovery training",
                   "Work with the Recovery College to run the recovery course for the team.",
                   "80% of the team have attended, including night and bank staff."),
    ),
    "recovery_college": (
        ActionIdea("Recovery College taster session in the team base",
                   "Invite college trainers to run a taster for people using the service.",
                   "At least ten people enrol on a course within three months."),
    ),
    "leadership_culture": (
        ActionIdea("Name a recovery lead for the team",
                   "Agree a recovery lead and a lived-experience co-lead with protected time.",
                   "Recovery is reported at every team meeting."),
    ),
    "personalisation": (
        ActionIdea("Offer choice of appointment times",
                   "Pilot evening and home appointments for people who ask for them.",
                   "Did-not-attend rate falls and people report more choice."),
    ),
    "risk_safety": (
        ActionIdea("Co-written safety plans",
                   "Replace the risk form with a safety plan written with the person.",
                   "Nine in ten people have a copy of a safety plan they helped to write."),
        ActionIdea("Positive risk-taking in supervision",
                   "Add positive risk-taking to the supervision template and team reflection.",
                   "Staff survey shows more confidence in supporting positive risks."),
    ),
    "involvement": (
        ActionIdea("Pay people for their involvement",
                   "Use the trust's involvement payment policy for everyone who helps.",
                   "Involvement payments made promptly; more people take part."),
        ActionIdea("People who use the service on interview panels",
                   "Recruit and train two panel members with lived experience.",
                   "Every interview panel includes a member with lived experience."),
    ),
    "workforce": (
        ActionIdea("Recruit a second peer support worker",
                   "Make the case for a second peer post and recruit with values-based "
                   "questions.",
                   "Post filled and peer supervision in place."),
    ),
    "staff_wellbeing": (
        ActionIdea("Protect reflective practice",
                   "Book monthly reflective practice a term ahead and cover it on the rota.",
                   "Fewer than one session in six cancelled."),
        ActionIdea("Wellbeing check-ins in supervision",
                   "Add a short wellbeing conversation to every supervision.",
                   "Staff survey wellbeing score improves."),
    ),
    "life_beyond_illness": (
        ActionIdea("Link with local employment and housing services",
                   "Invite the employment specialist and housing officer to a team meeting "
                   "each month.",
                   "More care plans include work, study or housing goals."),
    ),
}
GENERAL_ACTION = ActionIdea(
    "Agree next steps with people who use the service",
    "Hold a co-produced session to choose one change the team can make this term.",
    "The change is made and reviewed at the next round.",
)

ACTION_LEADS = (
    "Jo Adebayo, team manager",
    "Sam Reid, peer support worker",
    "Dr Helen Marsh, consultant psychiatrist",
    "Kamal Hussain, occupational therapist",
    "Rachel Evans, ward manager",
    "Lewis Grant, senior nurse",
    "Amira Khan, clinical psychologist",
    "Dan Cole, social worker",
)
COPRODUCTION = (
    "Co-led with a peer support worker; two people who use the service help plan each step.",
    "Designed with the service user forum, which reviews progress every quarter.",
    "A carer from the carers' group is part of the working group.",
    "Developed with patients at the weekly community meeting.",
    "Co-delivered with a Recovery College trainer with lived experience.",
    "Agreed with the lived-experience advisory group; members are paid for their time.",
)
REVIEW_NOTES = {
    ActionStatus.DONE: (
        "Finished. People told us they noticed the difference.",
        "Done, and now part of how the team works.",
    ),
    ActionStatus.IN_PROGRESS: (
        "Going well but slower than hoped because of staffing.",
        "Halfway there; next review at the team away day.",
        "",
    ),
    ActionStatus.NOT_STARTED: (
        "Waiting for the peer worker post to be filled.",
        "",
    ),
    ActionStatus.STOPPED: (
        "Stopped: the trust-wide programme now covers this.",
    ),
}


def demo_round_periods(today: date, count: int) -> list[tuple[str, date, date]]:
    """Names and dates of `count` six-monthly rounds, oldest first, the last one holding today.

    Rounds are "Spring" (March to August) and "Autumn" (September to February), so the open
    round always includes today whenever the demo is loaded.
    """
    if today.month >= 9:
        start = date(today.year, 9, 1)
    elif today.month >= 3:
        start = date(today.year, 3, 1)
    else:
        start = date(today.year - 1, 9, 1)
    starts = [start]
    for _ in range(count - 1):
        previous = starts[-1]
        starts.append(date(previous.year, 3, 1) if previous.month == 9
                      else date(previous.year - 1, 9, 1))
    starts.reverse()
    periods = []
    for begin in starts:
        if begin.month == 3:
            name, end = f"Spring {begin.year}", date(begin.year, 8, 31)
        else:
            name, end = f"Autumn {begin.year}", date(begin.year + 1, 3, 1) - timedelta(days=1)
        periods.append((name, begin, end))
    return periods


def has_organisations() -> bool:
    """True when the database holds any organisation, demo or real."""
    return db.session.scalar(select(Organisation.id).limit(1)) is not None


def demo_logins() -> list[DemoLogin]:
    """The demo logins whose accounts exist (emails are stored in lower case)."""
    wanted = [login for trust in DEMO_TRUSTS
              for login in (trust.lead, trust.facilitator, trust.viewer) if login is not None]
    present = set(db.session.scalars(
        select(User.email).where(User.email.in_([login.email for login in wanted]))
    ))
    return [login for login in wanted if login.email in present]


def seed_demo(
    today: date | None = None,
    on_team: Callable[[SeededTeam], None] | None = None,
) -> list[SeedResult]:
    """Create each demo trust that does not exist yet; existing ones are left untouched.

    A trust is recognised by its organisation name, so running this again writes nothing.
    Commits once per trust created. `on_team` is called after each team is built (for
    progress output); `today` fixes the dates, for tests.
    """
    today = today or date.today()
    framework = default_framework()
    hashes: dict[str, str] = {}
    results = []
    for plan in DEMO_TRUSTS:
        begin_write(db.session)
        if db.session.scalar(select(Organisation.id).where(Organisation.name == plan.name)):
            results.append(SeedResult(plan.name, created=False))
            continue
        with db.session.no_autoflush:  # nothing is read back until the single commit
            _build_trust(plan, framework, today, hashes, on_team)
        db.session.commit()
        results.append(SeedResult(plan.name, created=True))
    return results


def _build_trust(
    plan: TrustPlan,
    framework: Framework,
    today: date,
    hashes: dict[str, str],
    on_team: Callable[[SeededTeam], None] | None,
) -> None:
    rng = random.Random(f"seed-demo:{plan.name}")
    organisation = Organisation(name=plan.name)
    periods = demo_round_periods(today, plan.rounds)
    rounds = [
        Round(
            organisation=organisation,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            framework_key=framework.key,
            status=RoundStatus.OPEN if number == len(periods) else RoundStatus.CLOSED,
            closed_at=None if number == len(periods) else _at(ends_on, hour=17),
        )
        for number, (name, starts_on, ends_on) in enumerate(periods, start=1)
    ]
    db.session.add_all([organisation, *rounds])
    facilitator = _new_user(plan.facilitator, organisation, hashes)
    _new_user(plan.lead, organisation, hashes)
    if plan.viewer is not None:
        _new_user(plan.viewer, organisation, hashes)
    facilitated: list[Team] = []
    for unit_plan in plan.units:
        unit = Unit(organisation=organisation, name=unit_plan.name)
        db.session.add(unit)
        for team_plan in unit_plan.teams:
            team = Team(organisation=organisation, unit=unit, name=team_plan.name)
            if team_plan.facilitated:
                facilitated.append(team)
            author = plan.facilitator.name if team_plan.facilitated else plan.lead.name
            assessments = _build_assessments(rng, framework, team, team_plan, rounds, today, author)
            actions = _build_actions(rng, team, assessments, today)
            db.session.add_all([team, *assessments, *actions])
            if on_team is not None:
                on_team(SeededTeam(plan.name, team.name, len(assessments), len(rounds),
                                   team_plan.finish, len(actions)))
    if facilitator is not None:
        facilitator.teams = facilitated


def _new_user(login: DemoLogin, organisation: Organisation, hashes: dict[str, str]) -> User | None:
    """The demo user, or None when the email is already used (emails are unique site-wide).

    Hashing is deliberately slow and most of a seed run's time, so users sharing a demo
    password share its hash (`hashes`, by password).
    """
    taken = db.session.scalar(select(User.id).where(func.lower(User.email) == login.email))
    if taken is not None:
        return None
    user = User(email=login.email, name=login.name, organisation=organisation, role=login.role)
    if login.password in hashes:
        user.password_hash = hashes[login.password]
    else:
        user.set_password(login.password)
        hashes[login.password] = user.password_hash
    db.session.add(user)
    return user


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _build_assessments(
    rng: random.Random,
    framework: Framework,
    team: Team,
    plan: TeamPlan,
    rounds: Sequence[Round],
    today: date,
    author: str,
) -> list[Assessment]:
    """One assessment per round the team took part in: agreed in closed rounds, and in the
    open round as far as the plan says. Levels drift upwards by the team's story."""
    taking_part = [r for r in rounds if not (r.is_open and plan.finish is Finish.NOT_STARTED)]
    assessments: list[Assessment] = []
    levels: dict[str, int] = {}
    priorities: set[str] = set()
    for index, round_ in enumerate(taking_part):
        previous = dict(levels)
        if index == 0:
            levels = _baseline(rng, framework)
        else:
            levels = _next_levels(rng, framework, previous, priorities, plan.story)
        dropped = None
        if plan.story is Story.DIP and previous and index == len(taking_part) - 1:
            dropped = _drop_one(rng, framework, previous, levels)
        finished = not round_.is_open or plan.finish is Finish.AGREED
        shown: dict[str, int | None] = dict(levels)
        if not finished:  # a few challenges still to discuss, but not the one that dropped
            open_ids = sorted(c for c in shown if c != dropped)
            for challenge_id in rng.sample(open_ids, k=min(len(open_ids), rng.randint(2, 4))):
                shown[challenge_id] = None
        priorities = _choose_priorities(rng, shown, finished)
        # Days into the round: the workshop within the first weeks, agreement up to 3 weeks on,
        # neither after today.
        span = (min(today, round_.ends_on) - round_.starts_on).days
        started = rng.randint(min(7, span), min(40, span))
        settled = min(started + rng.randint(0, 21), span)
        created = _at(round_.starts_on + timedelta(days=started), hour=10)
        agreed = _at(round_.starts_on + timedelta(days=settled), hour=16) if finished else None
        assessment = Assessment(
            team=team,
            round=round_,
            status=AssessmentStatus.AGREED if finished else AssessmentStatus.IN_PROGRESS,
            created_at=created,
            agreed_at=agreed,
        )
        assessment.ratings = [
            _rating(rng, framework, challenge_id, shown[challenge_id], previous.get(challenge_id),
                    challenge_id in priorities, challenge_id == dropped, finished,
                    agreed or created, author)
            for challenge_id in framework.challenge_ids
        ]
        assessments.append(assessment)
    return assessments


def _baseline(rng: random.Random, framework: Framework) -> dict[str, int]:
    values = framework.level_values[: len(BASELINE_WEIGHTS)]
    weights = BASELINE_WEIGHTS[: len(values)]
    return {c: rng.choices(values, weights)[0] for c in framework.challenge_ids}


def _next_levels(
    rng: random.Random,
    framework: Framework,
    previous: dict[str, int],
    priorities: set[str],
    story: Story,
) -> dict[str, int]:
    levels = {}
    for challenge_id, level in previous.items():
        chance = IMPROVE_CHANCE[story] + (PRIORITY_BONUS if challenge_id in priorities else 0)
        levels[challenge_id] = _step(framework, level, +1) if rng.random() < chance else level
    return levels


def _step(framework: Framework, level: int, steps: int) -> int:
    """The level `steps` places along the scale, stopping at either end."""
    values = framework.level_values
    position = min(max(values.index(level) + steps, 0), len(values) - 1)
    return values[position]


def _drop_one(
    rng: random.Random, framework: Framework, previous: dict[str, int], levels: dict[str, int]
) -> str | None:
    """Make one challenge a level lower than last round; returns its id."""
    candidates = sorted(c for c, level in previous.items() if level > framework.min_level)
    if not candidates:
        return None
    challenge_id = rng.choice(candidates)
    levels[challenge_id] = _step(framework, previous[challenge_id], -1)
    return challenge_id


def _choose_priorities(
    rng: random.Random, levels: dict[str, int | None], finished: bool
) -> set[str]:
    """The lowest-rated challenges, ties broken at random: 2-3 once agreed, 0-2 while rating."""
    count = rng.choice((2, MAX_PRIORITIES, MAX_PRIORITIES)) if finished else rng.randint(0, 2)
    rated = [c for c, level in levels.items() if level is not None]
    order = sorted(rated, key=lambda c: (levels[c], rng.random()))
    return set(order[:count])


def _rating(
    rng: random.Random,
    framework: Framework,
    challenge_id: str,
    level: int | None,
    previous: int | None,
    priority: bool,
    dropped: bool,
    finished: bool,
    when: datetime,
    author: str,
) -> Rating:
    if level is None:
        return Rating(challenge_id=challenge_id, evidence=rng.choice(NOT_YET_RATED),
                      updated_at=when, updated_by=author)
    if priority:
        target = _step(framework, level, 2 if level == framework.min_level else 1)
    elif finished or rng.random() < 0.6:
        target = _step(framework, level, rng.choice((0, 1)))
    else:
        target = None
    return Rating(
        challenge_id=challenge_id,
        level=level,
        target=target,
        evidence=_evidence(rng, framework, challenge_id, level, previous, dropped),
        priority=priority,
        updated_at=when,
        updated_by=author,
    )


def _evidence(
    rng: random.Random,
    framework: Framework,
    challenge_id: str,
    level: int,
    previous: int | None,
    dropped: bool,
) -> str:
    """One to four plain sentences: what works or is missing, the change, a voice from the room."""
    phrases = EVIDENCE.get(challenge_id, GENERAL_EVIDENCE)
    middle = (framework.min_level + framework.max_level) // 2
    if level <= middle:
        sentences = [rng.choice(phrases.gaps)]
        if level > framework.min_level and rng.random() < 0.6:
            sentences.insert(0, rng.choice(phrases.working))
    else:
        sentences = [rng.choice(phrases.working)]
        if level < framework.max_level:
            sentences.append(rng.choice(phrases.gaps))
    if dropped:
        sentences.append(rng.choice(DROPPED))
    elif previous is not None and level > previous:
        sentences.append(rng.choice(RISEN))
    elif previous is not None and rng.random() < 0.3:
        sentences.append(rng.choice(UNCHANGED))
    if rng.random() < 0.5:
        sentences.append(rng.choice(VOICES))
    return " ".join(sentences)


def _build_actions(
    rng: random.Random, team: Team, assessments: Sequence[Assessment], today: date
) -> list[Action]:
    """Two to four actions on the team's priorities (newest first), with mixed statuses.

    Every action has started by today; about half were due before today, so some of the ones
    not done are overdue.
    """
    chosen: list[str] = []
    for assessment in reversed(assessments):
        chosen += sorted(r.challenge_id for r in assessment.ratings if r.priority)
    chosen += rng.sample(sorted(ACTIONS), len(ACTIONS))  # for teams with few priorities yet
    challenge_ids = list(dict.fromkeys(chosen))[: rng.randint(2, 4)]
    actions = []
    for challenge_id in challenge_ids:
        idea = rng.choice(ACTIONS.get(challenge_id, (GENERAL_ACTION,)))
        starts_on = today - timedelta(days=rng.randint(14, 240))
        due_on = starts_on + timedelta(days=rng.randint(60, 240))
        if due_on < today:
            status = rng.choices(
                (ActionStatus.DONE, ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED,
                 ActionStatus.STOPPED),
                (45, 30, 15, 10),
            )[0]
        else:
            status = rng.choices(
                (ActionStatus.DONE, ActionStatus.IN_PROGRESS, ActionStatus.NOT_STARTED),
                (15, 50, 35),
            )[0]
        actions.append(
            Action(
                team=team,
                challenge_id=challenge_id,
                title=idea.title,
                description=idea.description,
                lead=rng.choice(ACTION_LEADS),
                coproduction=rng.choice(COPRODUCTION),
                starts_on=starts_on,
                due_on=due_on,
                status=status,
                success_measure=idea.success_measure,
                review_note=rng.choice(REVIEW_NOTES[status]),
            )
        )
    return actions
