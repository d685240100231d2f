"""Organisation set-up for leads: units, teams and rounds."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..access import require_lead, round_or_404
from ..forms import AssignFacilitatorForm, ConfirmForm, RoundForm, TeamForm, UnitForm
from ..models import Role
from ..services.organisation import (
    DuplicateNameError,
    add_team,
    add_unit,
    assign_facilitator,
    close_round,
    open_round,
    organisation_people,
    rounds_for,
)
from ..services.workshops import close_workshops_in_round

bp = Blueprint("organisation", __name__, url_prefix="/organisation")


@bp.before_request
@login_required
def leads_only() -> None:
    require_lead()


def _team_form() -> TeamForm:
    form = TeamForm()
    units = current_user.organisation.units
    form.unit_id.choices = [("", "No unit"), *[(str(u.id), u.name) for u in units]]
    return form


def _status(form) -> int:
    """A form sent back with errors is a 400, so that scripts and tests can tell."""
    return 400 if form.is_submitted() else 200


@bp.get("/")
def index():
    return render_template(
        "organisation/index.html",
        organisation=current_user.organisation,
        rounds=rounds_for(current_user.organisation_id),
        people=organisation_people(current_user.organisation_id),
    )


@bp.route("/units/new", methods=["GET", "POST"])
def new_unit():
    form = UnitForm()
    if form.validate_on_submit():
        try:
            add_unit(current_user.organisation_id, form.name.data)
        except DuplicateNameError as error:
            form.name.errors.append(str(error))
        else:
            flash(f"Unit '{form.name.data}' added.", "success")
            return redirect(url_for(".index"))
    return render_template("organisation/form.html", form=form, heading="Add a unit",
                           button="Add unit"), _status(form)


@bp.route("/teams/new", methods=["GET", "POST"])
def new_team():
    form = _team_form()
    if form.validate_on_submit():
        unit_id = int(form.unit_id.data) if form.unit_id.data else None
        try:
            add_team(current_user.organisation_id, form.name.data, unit_id)
        except DuplicateNameError as error:
            form.name.errors.append(str(error))
        else:
            flash(f"Team '{form.name.data}' added.", "success")
            return redirect(url_for(".index"))
    return render_template("organisation/form.html", form=form, heading="Add a team",
                           button="Add team"), _status(form)


@bp.route("/rounds/new", methods=["GET", "POST"])
def new_round():
    form = RoundForm()
    if form.validate_on_submit():
        try:
            open_round(current_user.organisation_id, form.name.data, form.starts_on.data,
                       form.ends_on.data)
        except DuplicateNameError as error:
            form.name.errors.append(str(error))
        else:
            flash(f"Round '{form.name.data}' is open.", "success")
            return redirect(url_for(".index"))
    return render_template("organisation/form.html", form=form, heading="Open a new round",
                           button="Open round"), _status(form)


@bp.route("/rounds/<int:round_id>/close", methods=["GET", "POST"])
def close(round_id: int):
    """Closing cannot be undone, so the lead confirms it on a page of its own."""
    round_ = round_or_404(round_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        close_round(round_)
        close_workshops_in_round(round_.id)  # their codes stop working with the round
        flash(f"Round '{round_.name}' is closed. Its assessments are now read-only.", "success")
        return redirect(url_for(".index"))
    return render_template("organisation/close.html", round=round_, form=form)




@bp.route("/facilitators/assign", methods=["GET", "POST"])
def assign():
    people = organisation_people(current_user.organisation_id)
    form = AssignFacilitatorForm()
    form.user_id.choices = [("", "Choose a facilitator")] + [
        (str(p.id), p.email) for p in people if p.role is Role.FACILITATOR]
    form.team_id.choices = [("", "Choose a team")] + [
        (str(t.id), t.name) for t in current_user.organisation.teams]
    if form.validate_on_submit():
        user, team = assign_facilitator(current_user.organisation_id, int(form.user_id.data),
                                        int(form.team_id.data))
        flash(f"{user.email} can now rate and plan for {team.name}.", "success")
        return redirect(url_for(".index"))
    return render_template("organisation/assign.html", form=form), 400 if form.errors else 200
