"""Signing in and out."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import csrf, limiter
from ..forms import LoginForm
from ..services.accounts import authenticate, end_sessions

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


def _safe_next(target: str | None) -> str:
    """Only follow a local path after sign-in, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home.index")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            log.info("Sign-in: user %s organisation %s", user.id, user.organisation_id)
            return redirect(_safe_next(request.args.get("next")))
        log.info("Failed sign-in")
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200


@bp.post("/sign-out")
@csrf.exempt  # the header's sign-out form has no token field; SameSite=Lax stops cross-site posts
@login_required
def logout():
    end_sessions(current_user._get_current_object())
    logout_user()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
