"""The start page: the user's teams grouped by unit, with their progress in the open round."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..services.organisation import current_round, rounds_for, team_overview

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    if current_user.is_viewer:  # viewers have no teams of their own: aggregates only
        return redirect(url_for("dashboard.index"))
    round_ = current_round(current_user.organisation_id)
    return render_template(
        "home/index.html",
        round=round_,
        rounds=rounds_for(current_user.organisation_id),
        groups=team_overview(current_user, round_),
    )
