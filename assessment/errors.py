"""Error pages: every error a user can meet gets a plain-English page and the right status."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Sorry, there is a problem with your request", "The request could not be understood. "
          "Go back, check what you entered and try again."),
    403: ("You do not have access to this page", "Your account cannot see or change this. "
          "Ask your organisation lead if you think you should."),
    404: ("Page not found", "If you typed the web address, check it is correct. "
          "If you pasted it, check you copied the whole address."),
    405: ("Sorry, there is a problem with your request", "This page cannot be used that way."),
    409: ("Someone else changed this", "Someone else saved a change while you were editing. "
          "Go back, reload the page and try again."),
    413: ("The file or form is too large", "Send less at once and try again."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. "
          "What you saved before this is safe."),
}


def render_error(status: int, detail: str | None = None):
    title, body = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", title=title, body=detail or body), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        log.warning("CSRF failure on %s: %s", request.path, error.description)
        return render_error(400, "This form has expired or was sent from somewhere else. "
                                 "Go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in (403, 404):
            log.info("Refused %s %s with %s", request.method, request.path, error.code)
        if error.code not in MESSAGES:
            return error
        return render_error(error.code, error.description if error.code == 409 else None)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        return render_error(500)
