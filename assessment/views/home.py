"""The start page: the user's teams grouped by unit, with their progress in the open round."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..services.organisation import current_round, rounds_for, team_overview

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    round_ = current_round(current_user.organisation_id)
    return render_template(
        "home/index.html",
        round=round_,
        rounds=rounds_for(current_user.organisation_id),
        groups=team_overview(current_user, round_),
    )
