"""Adding and editing actions in a team's action plan."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required

from ..access import action_or_404, team_or_404
from ..forms import ActionForm
from ..frameworks import Framework, default_framework, get_framework
from ..models import ActionStatus, Team
from ..services.actions import ActionFields, add_action, update_action
from ..services.assessments import ConflictError
from ..services.organisation import current_round

bp = Blueprint("actions", __name__, url_prefix="/teams/<int:team_id>/actions")


def _framework(team: Team) -> Framework:
    round_ = current_round(team.organisation_id)
    return get_framework(round_.framework_key) if round_ else default_framework()


def _form(team: Team, **kwargs) -> ActionForm:
    challenges = [(c.id, f"{c.number}. {c.title}") for c in _framework(team).challenges]
    return ActionForm(challenges, **kwargs)


def _fields(form: ActionForm) -> ActionFields:
    return ActionFields(
        challenge_id=form.challenge_id.data,
        title=form.title.data,
        description=form.description.data or "",
        lead=form.lead.data or "",
        coproduction=form.coproduction.data or "",
        starts_on=form.starts_on.data,
        due_on=form.due_on.data,
        status=ActionStatus(form.status.data),
        success_measure=form.success_measure.data or "",
        review_note=form.review_note.data or "",
    )


def _team_page(team: Team):
    return redirect(url_for("teams.show", team_id=team.id) + "#action-plan")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(team_id: int):
    team = team_or_404(team_id)
    form = _form(team)
    form.version.data = "1"
    if form.validate_on_submit():
        add_action(team, _fields(form))
        flash(f"Action '{form.title.data}' added to the action plan.", "success")
        return _team_page(team)
    return render_template("actions/form.html", team=team, form=form, action=None,
                           heading="Add an action"), 400 if form.is_submitted() else 200


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit(team_id: int, action_id: int):
    team = team_or_404(team_id)
    action = action_or_404(team, action_id)
    form = _form(team, obj=action)
    status = 200
    if form.validate_on_submit():
        try:
            update_action(action, _fields(form), int(form.version.data))
        except ConflictError as error:
            form.title.errors.append(str(error))
            form.version.data = str(action.version)
            status = 409
        else:
            flash(f"Action '{form.title.data}' saved.", "success")
            return _team_page(team)
    elif form.is_submitted():
        status = 400
    return render_template("actions/form.html", team=team, form=form, action=action,
                           heading="Edit an action"), status
