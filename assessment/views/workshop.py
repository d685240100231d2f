"""The facilitator's side of a live workshop: the join screen for the projector, opening and
revealing challenges, recording what the team agrees, closing.

Only people who may use the team (team_or_404) drive its workshop; everyone else gets 403 or
404 like on every other team page. Forms here are CSRF-protected as usual: facilitators are
signed in, and their session outlives the workshop.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ..access import round_or_404, team_or_404
from ..frameworks import Challenge
from ..models import Assessment, Rating, Round, Team, Workshop
from ..services.assessments import framework_of, load_assessment, start_assessment
from ..services.organisation import RoundClosedError
from ..services.workshops import (
    WorkshopError,
    challenge_results,
    close_workshop,
    kept_counts,
    latest_workshop,
    live_counts,
    open_challenges,
    reveal_challenge,
    start_workshop,
    workshop_view,
)
from ..votes import describe_spread, format_join_code, format_median
from .assessments import READ_ONLY_ERRORS, fill_rating_form, rating_form, save_rating_form

bp = Blueprint("workshop", __name__,
               url_prefix="/teams/<int:team_id>/rounds/<int:round_id>/workshop")
bp.add_app_template_global(format_median)
bp.add_app_template_global(describe_spread)


@bp.before_request
@login_required
def signed_in() -> None:
    """Every page here is for signed-in facilitators and leads."""


@dataclass(frozen=True)
class Loaded:
    team: Team
    round: Round
    assessment: Assessment
    workshop: Workshop


@dataclass(frozen=True)
class JoinInfo:
    """What the room needs to join: the address to type, the code, the address in the QR."""

    address: str
    code: str
    url: str


def _load(team_id: int, round_id: int) -> Loaded:
    """The team's workshop in the round: 404 if it has none, 403 if not the user's team."""
    team, round_ = team_or_404(team_id), round_or_404(round_id)
    assessment = load_assessment(team.id, round_.id)
    workshop = latest_workshop(assessment) if assessment else None
    if assessment is None or workshop is None:
        abort(404)
    return Loaded(team, round_, assessment, workshop)


def _challenge(loaded: Loaded, challenge_id: str) -> Challenge:
    try:
        return framework_of(loaded.round).challenge(challenge_id)
    except KeyError:
        abort(404)


def _join_info(workshop: Workshop) -> JoinInfo:
    return JoinInfo(
        address=request.host + url_for("join.join"),
        code=format_join_code(workshop.join_code),
        url=url_for("join.join", code=workshop.join_code, _external=True),
    )


def _here(loaded: Loaded, challenge_id: str | None = None, anchor: str = ""):
    """Back to the workshop's screen, or to one challenge's."""
    ids = {"team_id": loaded.team.id, "round_id": loaded.round.id}
    if challenge_id is None:
        return redirect(url_for(".show", **ids) + anchor)
    return redirect(url_for(".challenge", challenge_id=challenge_id, **ids) + anchor)


@bp.post("/start")
def start(team_id: int, round_id: int):
    """Start a workshop (and the assessment, if need be), or go back to the open one."""
    team, round_ = team_or_404(team_id), round_or_404(round_id)
    try:
        start_workshop(start_assessment(team, round_), current_user.email)
    except (RoundClosedError, WorkshopError) as error:
        flash(str(error))
        return redirect(url_for("teams.show", team_id=team.id, round=round_.id))
    return redirect(url_for(".show", team_id=team.id, round_id=round_.id))


@bp.get("")
def show(team_id: int, round_id: int):
    """The join screen for the projector, with the facilitator's controls below it."""
    loaded = _load(team_id, round_id)
    kept = {} if loaded.workshop.is_open else kept_counts(loaded.round, [loaded.team.id])
    return render_template("workshop/show.html", loaded=loaded,
                           view=workshop_view(loaded.workshop), join=_join_info(loaded.workshop),
                           kept=kept.get(loaded.team.id, {}))


@bp.get("/challenges/<challenge_id>")
def challenge(team_id: int, round_id: int, challenge_id: str):
    loaded = _load(team_id, round_id)
    form = rating_form(loaded.round)
    fill_rating_form(form, _rating(loaded, _challenge(loaded, challenge_id).id))
    return _challenge_page(loaded, challenge_id, form)


def _rating(loaded: Loaded, challenge_id: str) -> Rating:
    return next(r for r in loaded.assessment.ratings if r.challenge_id == challenge_id)


def _challenge_page(loaded: Loaded, challenge_id: str, form, status: int = 200):
    view = workshop_view(loaded.workshop)
    state = view.state(challenge_id)
    results = challenge_results(loaded.workshop, view.framework, challenge_id) \
        if state.revealed else None
    return render_template(
        "workshop/challenge.html", loaded=loaded, view=view, state=state, results=results,
        form=form, join=_join_info(loaded.workshop),
        editable=loaded.round.is_open and not loaded.assessment.is_agreed,
        hints={str(level): text for level, text in state.challenge.descriptors.items()},
    ), status


@bp.post("/challenges/<challenge_id>/agree")
def agree(team_id: int, round_id: int, challenge_id: str):
    """Record the level, target and evidence the team agreed: the assessment's rating."""
    loaded = _load(team_id, round_id)
    challenge_ = _challenge(loaded, challenge_id)
    form = rating_form(loaded.round)
    status = 400
    if form.validate_on_submit():
        try:
            status = save_rating_form(form, loaded.assessment, _rating(loaded, challenge_id))
        except READ_ONLY_ERRORS as error:
            flash(str(error))
            return _here(loaded, challenge_id)
        if status == 200:
            flash(f"Saved what the team agreed for {challenge_.number}. {challenge_.title}.",
                  "success")
            return _here(loaded, challenge_id)
    return _challenge_page(loaded, challenge_id, form, status)


def _act(loaded: Loaded, action, challenge_id: str | None, anchor: str = ""):
    """Run a workshop action; a refusal (e.g. the workshop was closed) becomes a message."""
    try:
        action()
    except WorkshopError as error:
        flash(str(error))
    return _here(loaded, challenge_id, anchor)


@bp.post("/challenges/<challenge_id>/open")
def open_challenge(team_id: int, round_id: int, challenge_id: str):
    """Open voting on the challenge and make it the one everyone's phone shows."""
    loaded = _load(team_id, round_id)
    _challenge(loaded, challenge_id)
    return _act(loaded, lambda: open_challenges(loaded.workshop, [challenge_id], challenge_id),
                challenge_id)


@bp.post("/challenges/<challenge_id>/reveal")
def reveal(team_id: int, round_id: int, challenge_id: str):
    loaded = _load(team_id, round_id)
    _challenge(loaded, challenge_id)
    return _act(loaded, lambda: reveal_challenge(loaded.workshop, challenge_id), challenge_id,
                "#results")


@bp.post("/open-all")
def open_all(team_id: int, round_id: int):
    """Let people vote on every challenge at their own pace."""
    loaded = _load(team_id, round_id)
    ids = framework_of(loaded.round).challenge_ids
    first = None if loaded.workshop.current_challenge_id else ids[0]
    return _act(loaded, lambda: open_challenges(loaded.workshop, ids, first), None)


@bp.post("/close")
def close(team_id: int, round_id: int):
    loaded = _load(team_id, round_id)
    close_workshop(loaded.workshop)
    flash("The workshop is closed and its code no longer works. The vote counts are kept "
          "with the assessment; who voted for what is not.", "success")
    return _here(loaded)


@bp.get("/live")
def live(team_id: int, round_id: int):
    """Counts the facilitator's screens poll: people joined, votes per challenge."""
    loaded = _load(team_id, round_id)
    counts = live_counts(loaded.workshop.id)
    response = jsonify(joined=counts.joined, votes=counts.votes, open=loaded.workshop.is_open)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/qr.svg")
def qr_code(team_id: int, round_id: int):
    """The join address, code included, as a QR code drawn here: no outside service."""
    loaded = _load(team_id, round_id)
    buffer = BytesIO()
    segno.make(_join_info(loaded.workshop).url, error="m").save(
        buffer, kind="svg", border=2, omitsize=True, xmldecl=False, dark="#000000",
        light="#ffffff", title="QR code of the join address")
    return Response(buffer.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=3600"})
