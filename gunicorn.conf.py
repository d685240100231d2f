"""Gunicorn settings, read automatically when gunicorn starts in the repository root.

The app is built once in the master (preload) with every template compiled, so a new worker
answers its first request as fast as its hundredth: a room of people joining a workshop at
once would otherwise wait while each worker compiles the NHS.UK templates.
"""

import os

os.environ.setdefault("FLASK_PRECOMPILE_TEMPLATES", "true")
preload_app = True


def post_fork(server, worker):
    """Workers must not share the master's database connections (none are expected, but a
    pool inherited across fork corrupts connections silently)."""
    from assessment.extensions import db

    app = getattr(server.app, "callable", None)
    if app is not None:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)
