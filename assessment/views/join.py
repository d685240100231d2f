"""The participants' side of a live workshop: joining with a code and voting, no account.

There is no CSRF token and no Flask session here, because a participant's page may stay open
for the whole workshop (two hours or more) and nothing on it may expire. Instead:

- the participant's browser holds a signed cookie with a random 256-bit token (only its hash
  is stored), HttpOnly and SameSite=Lax, so another site's form cannot send it along;
- every POST must come from this site: an Origin (or Referer) naming another host, or
  Sec-Fetch-Site: cross-site, is refused with 403 before anything is read;
- a vote can only change the sender's own vote on an open challenge.

Wrong join codes are rate-limited per address, counting failures only, so a whole room behind
one NHS address can join while guessing codes stays hopeless (votes.JOIN_CODE_ALPHABET).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeSerializer

from ..extensions import csrf, limiter
from ..forms import JoinForm
from ..services.workshops import (
    CodeFormatError,
    CodeNotFoundError,
    NotJoinedError,
    NotOnScaleError,
    ParticipantView,
    Pass,
    UnknownChallengeError,
    VotesRevealedError,
    VotingNotOpenError,
    WorkshopClosedError,
    WorkshopError,
    cast_vote,
    join_workshop,
    participant_view,
    workshop_state,
)
from ..votes import Perspective, describe_vote

bp = Blueprint("join", __name__, url_prefix="/join")
bp.add_app_template_global(describe_vote)
csrf.exempt(bp)
log = logging.getLogger(__name__)

# Failures per address before joining is refused for a while (reliability.md 2.4).
JOIN_RATE_LIMIT = "30 per 10 minutes"
COOKIE_MAX_AGE = 24 * 60 * 60  # a workshop day; closing the workshop ends the pass sooner
COOKIE_SALT = "workshop-participant"
STATUS = {
    CodeFormatError: 400, CodeNotFoundError: 404, WorkshopClosedError: 410,
    NotJoinedError: 403, UnknownChallengeError: 404, NotOnScaleError: 400,
    VotingNotOpenError: 409, VotesRevealedError: 409,
}
FAILED_JOIN = frozenset({400, 404, 410})
# Errors after which there is no vote page to show again, and the heading of the page instead.
CANNOT_VOTE_HERE = (NotJoinedError, WorkshopClosedError, UnknownChallengeError)
HEADINGS = {NotJoinedError: "Join the workshop first",
            WorkshopClosedError: "This workshop has ended",
            UnknownChallengeError: "Page not found"}


def _cookie_name() -> str:
    """__Host- (only over HTTPS, whole site, no Domain) when cookies are marked Secure."""
    secure = current_app.config.get("SESSION_COOKIE_SECURE")
    return "__Host-participant" if secure else "participant"


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=COOKIE_SALT)


def held_pass() -> Pass | None:
    """The participant's pass from their cookie; None when missing or not signed by us."""
    raw = request.cookies.get(_cookie_name())
    if not raw:
        return None
    try:
        data = _signer().loads(raw)
        return Pass(int(data["w"]), str(data["t"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        log.info("Refused a participant cookie that is not ours")
        return None


def _give_pass(response: Response, held: Pass) -> Response:
    response.set_cookie(
        _cookie_name(), _signer().dumps({"w": held.workshop_id, "t": held.token}),
        max_age=COOKIE_MAX_AGE, path="/", httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


def _from_this_site() -> bool:
    """False when the browser says the request comes from another site.

    Browsers send Origin on every POST; Referer is the fallback. With neither (a privacy
    tool stripped them) the request is let through: the SameSite cookie still keeps other
    sites from voting as anyone.
    """
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return False
    source = request.headers.get("Origin") or request.referrer
    if not source:
        return True
    return urlsplit(source).netloc == request.host


@bp.before_request
def same_site_posts_only() -> None:
    if request.method == "POST" and not _from_this_site():
        log.warning("Refused a cross-site POST to %s", request.path)
        abort(403)


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) \
        == "application/json"


def _join_limit() -> str:
    return current_app.config.get("JOIN_RATE_LIMIT", JOIN_RATE_LIMIT)


@bp.route("", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"],
               deduct_when=lambda response: response.status_code in FAILED_JOIN)
def join():
    """The join form; a correct code answers with the vote page itself, not a redirect:
    on a weak mobile signal every round trip costs seconds (the page's script puts the
    vote page's address in the address bar)."""
    form = JoinForm()
    status = 200
    if form.validate_on_submit():
        perspective = Perspective(form.perspective.data or Perspective.OTHER)
        try:
            held = join_workshop(form.code.data, perspective, held_pass())
        except WorkshopError as error:
            log.info("Failed workshop join: %s", type(error).__name__)
            form.code.errors.append(str(error))
            status = STATUS.get(type(error), 400)
        else:
            return _give_pass(make_response(_vote_page(participant_view(held), None)), held)
    elif form.is_submitted():
        status = 400
    else:
        form.code.data = request.args.get("code", "")
    return render_template("workshop/join.html", form=form), status


def _message(error: WorkshopError):
    """A page (or JSON for the page's script) for a participant who cannot vote here."""
    status = STATUS.get(type(error), 400)
    if _wants_json():
        return jsonify(ok=False, message=str(error)), status
    return render_template("workshop/message.html", error=error,
                           heading=HEADINGS.get(type(error), "Sorry, that did not work"),
                           ended=isinstance(error, WorkshopClosedError)), status


def _vote_page(view: ParticipantView, challenge_id: str | None, error: str | None = None):
    """The page for one challenge (challenge_id), or for the one the room is on (None)."""
    shown = challenge_id or view.current
    challenge = None
    if shown is not None:
        try:
            challenge = view.framework.challenge(shown)
        except KeyError:
            abort(404)
    view_url = url_for(".vote_page", challenge_id=challenge_id)
    return render_template("workshop/vote.html", view=view, challenge=challenge,
                           view_url=view_url, error=error)


def _page_for(held: Pass, challenge_id: str | None, error: WorkshopError | None = None):
    """The vote page (with the error that stopped a vote, if any), or the reason there is
    none: not joined, or the workshop has ended."""
    try:
        view = participant_view(held)
    except WorkshopError as gone:
        return _message(gone)
    if error is None:
        return _vote_page(view, challenge_id)
    return _vote_page(view, challenge_id, str(error)), STATUS.get(type(error), 400)


@bp.get("/vote", defaults={"challenge_id": None})
@bp.get("/vote/<challenge_id>")
def vote_page(challenge_id: str | None):
    held = held_pass()
    if held is None:
        return redirect(url_for(".join"))
    return _page_for(held, challenge_id)


@bp.post("/vote/<challenge_id>")
def vote(challenge_id: str):
    """Record a vote. The page's script sends it in the background and reads JSON; without
    the script the form posts and the browser is sent back to the challenge."""
    held = held_pass()
    try:
        if held is None:
            raise NotJoinedError("You have not joined this workshop. Enter the code on the "
                                 "screen to join")
        cast = cast_vote(held, challenge_id, request.form.get("level"))
    except WorkshopError as error:
        if _wants_json() or isinstance(error, CANNOT_VOTE_HERE):
            return _message(error)
        return _page_for(held, challenge_id, error)
    if _wants_json():
        return jsonify(ok=True, level=cast.form_value, message=describe_vote(cast.label))
    return redirect(url_for(".vote_page", challenge_id=challenge_id), 303)


@bp.get("/state")
def state():
    """A fingerprint of the workshop's state that the vote page polls; when it changes the
    page fetches itself again. Small and cheap: a hundred phones ask every few seconds."""
    held = held_pass()
    try:
        if held is None:
            raise NotJoinedError("You have not joined a workshop")
        fingerprint = workshop_state(held.workshop_id)
    except NotJoinedError as error:
        return jsonify(ok=False, message=str(error)), 403
    response = jsonify(state=fingerprint)
    response.headers["Cache-Control"] = "no-store"
    return response
