"""Rating a team's assessment, one challenge at a time, then agreeing it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..access import round_or_404, team_or_404
from ..forms import NOT_RATED, ConfirmForm, RatingForm
from ..models import Assessment, Rating, Round, Team
from ..scoring import MAX_PRIORITIES, RatingValue, rated_count
from ..services.assessments import (
    AssessmentAgreedError,
    ConflictError,
    RatingError,
    agree_assessment,
    framework_of,
    load_assessment,
    rating_values,
    reopen_assessment,
    save_rating,
    start_assessment,
    team_summary,
)
from ..services.organisation import RoundClosedError

bp = Blueprint("assessments", __name__, url_prefix="/teams/<int:team_id>/rounds/<int:round_id>")

READ_ONLY_ERRORS = (RoundClosedError, AssessmentAgreedError)


def _load(team_id: int, round_id: int) -> tuple[Team, Round]:
    return team_or_404(team_id), round_or_404(round_id)


def _assessment_or_404(team: Team, round_: Round) -> Assessment:
    assessment = load_assessment(team.id, round_.id)
    if assessment is None:
        abort(404)
    return assessment


@bp.post("/assessment/start")
@login_required
def start(team_id: int, round_id: int):
    team, round_ = _load(team_id, round_id)
    if ConfirmForm().validate_on_submit():
        try:
            start_assessment(team, round_)
        except RoundClosedError as error:
            flash(str(error))
            return redirect(url_for("teams.show", team_id=team.id, round=round_.id))
    return redirect(url_for(".overview", team_id=team.id, round_id=round_.id))


@bp.get("/assessment")
@login_required
def overview(team_id: int, round_id: int):
    team, round_ = _load(team_id, round_id)
    summary = team_summary(team, round_)
    if summary.assessment is None:
        abort(404)
    return render_template(
        "assessments/overview.html",
        summary=summary,
        rated=rated_count(rating_values(summary.assessment)),
        priorities=sum(1 for row in summary.rows if row.priority),
        max_priorities=MAX_PRIORITIES,
        form=ConfirmForm(),
    )


def rating_form(round_: Round, **kwargs) -> RatingForm:
    """The rating form with the round's scale (also used on the workshop screen)."""
    framework = framework_of(round_)
    levels = [(str(level.value), f"{level.value}. {level.label}") for level in framework.levels]
    return RatingForm(levels, **kwargs)


def fill_rating_form(form: RatingForm, rating: Rating) -> None:
    """Show what is saved, with the version that a later save must still match."""
    form.level.data = str(rating.level) if rating.level else NOT_RATED
    form.target.data = str(rating.target) if rating.target else NOT_RATED
    form.evidence.data = rating.evidence
    form.priority.data = rating.priority
    form.version.data = str(rating.version)


def save_rating_form(form: RatingForm, assessment: Assessment, rating: Rating) -> int:
    """Save a validated rating form: 200 when saved, else 409 or 400 with the error on the
    form and the typed values kept. READ_ONLY_ERRORS are left to the caller."""
    try:
        save_rating(assessment, rating.challenge_id, rating_value(form),
                    int(form.version.data), current_user.email)
    except ConflictError as error:
        # The other person's version is shown beside ours; saving again means "keep mine".
        form.level.errors.append(str(error))
        form.version.data = str(rating.version)
        return 409
    except RatingError as error:
        form.priority.errors.append(str(error))
        return 400
    return 200


def rating_value(form: RatingForm) -> RatingValue:
    return RatingValue(
        level=int(form.level.data) if form.level.data != NOT_RATED else None,
        target=int(form.target.data) if form.target.data != NOT_RATED else None,
        evidence=form.evidence.data or "",
        priority=bool(form.priority.data),
    )


@bp.route("/assessment/<challenge_id>", methods=["GET", "POST"])
@login_required
def rate(team_id: int, round_id: int, challenge_id: str):
    team, round_ = _load(team_id, round_id)
    assessment = _assessment_or_404(team, round_)
    framework = framework_of(round_)
    try:
        challenge = framework.challenge(challenge_id)
    except KeyError:
        abort(404)
    rating = next(r for r in assessment.ratings if r.challenge_id == challenge_id)
    form = rating_form(round_)
    status = 200
    if form.validate_on_submit():
        try:
            status = save_rating_form(form, assessment, rating)
        except READ_ONLY_ERRORS as error:
            flash(str(error))
            return redirect(url_for(".overview", team_id=team.id, round_id=round_.id))
        if status == 200:
            return redirect(_next_url(team, round_, framework.challenge_ids, challenge_id))
    elif form.is_submitted():
        status = 400
    else:
        fill_rating_form(form, rating)
    editable = round_.is_open and not assessment.is_agreed
    return render_template(
        "assessments/rate.html",
        team=team, round=round_, framework=framework, challenge=challenge, rating=rating,
        assessment=assessment, form=form, editable=editable,
        hints={str(level): text for level, text in challenge.descriptors.items()},
    ), status


def _next_url(team: Team, round_: Round, ids: tuple[str, ...], current: str) -> str:
    """After saving, go to the next challenge; after the last one, back to the overview."""
    position = ids.index(current)
    if position + 1 < len(ids):
        return url_for(".rate", team_id=team.id, round_id=round_.id, challenge_id=ids[position + 1])
    return url_for(".overview", team_id=team.id, round_id=round_.id)


@bp.post("/assessment/agree")
@login_required
def agree(team_id: int, round_id: int):
    return _change_status(team_id, round_id, agree_assessment,
                          "The assessment is agreed. Well done to the whole team.")


@bp.post("/assessment/reopen")
@login_required
def reopen(team_id: int, round_id: int):
    return _change_status(team_id, round_id, reopen_assessment,
                          "The assessment is open for changes again.")


def _change_status(team_id: int, round_id: int, change, success: str):
    team, round_ = _load(team_id, round_id)
    assessment = _assessment_or_404(team, round_)
    if ConfirmForm().validate_on_submit():
        try:
            change(assessment)
        except (RatingError, *READ_ONLY_ERRORS) as error:
            flash(str(error))
        else:
            flash(success, "success")
    return redirect(url_for(".overview", team_id=team.id, round_id=round_.id))
