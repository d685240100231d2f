"""`make bench`: the organisation views at the scale of a large trust, against baselines
measured in the same run on the same machine.

Builds 1,000 teams in 40 units with 10 rounds (100,000 ratings, 5,000 actions) in a scratch
SQLite database, then measures:

- dashboard: the dashboard page (test client GET, server time) against one raw SQL query of
  the round's ratings rendered as a bare HTML table, served the same way;
- radar_cold / radar_cached: the organisation radar through the chart cache, first render and
  repeat, against a bare matplotlib polar plot of the same size;
- org_workbook: the organisation workbook (its queries included) against writing the same
  cells with bare openpyxl.

Times are medians of several runs; peak_mb is the peak of Python allocations (tracemalloc)
during one run. Writes bench/results.json and prints a table with the goals.
"""

from __future__ import annotations

import html
import io
import json
import math
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from sqlalchemy import text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from assessment import create_app  # noqa: E402
from assessment.charts import ChartCache  # noqa: E402
from assessment.extensions import db  # noqa: E402
from assessment.models import Round  # noqa: E402
from assessment.org_excel import OrgWorkbook  # noqa: E402
from assessment.services.dashboard import dashboard, make_scope, organisation_radar  # noqa: E402
from assessment.services.org_exports import org_workbook, org_workbook_bytes  # noqa: E402
from tests.bulk import build_organisation  # noqa: E402

TEAMS, UNITS, ROUNDS, ACTIONS_PER_TEAM = 1000, 40, 10, 5
PASSWORD = "bench-password-1"
RESULTS = Path(__file__).resolve().parent / "results.json"
GOALS = {
    "dashboard": "ratio <= 3 and < 300 ms",
    "radar_cold": "(measured only)",
    "radar_cached": "< 5 ms",
    "org_workbook": "ratio <= 2, < 10 s, peak < 500 MB",
}

BASELINE_SQL = text(
    "SELECT t.name, r.challenge_id, r.level FROM ratings r "
    "JOIN assessments a ON a.id = r.assessment_id JOIN teams t ON t.id = a.team_id "
    "WHERE a.round_id = :round_id ORDER BY t.name, r.id"
)


def median_ms(run: Callable[[], object], times: int) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def peak_mb(run: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 1_000_000
    finally:
        tracemalloc.stop()


def result(ms: float, baseline_ms: float, peak: float) -> dict[str, float]:
    return {"ms": round(ms, 3), "baseline_ms": round(baseline_ms, 3),
            "ratio": round(ms / baseline_ms, 3), "peak_mb": round(peak, 1)}


def make_app(database: Path) -> Flask:
    app = create_app({
        "TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
    })

    @app.get("/bench/baseline")
    def baseline() -> str:
        """The bare minimum for the same round: one query, one table, no template."""
        rows = db.session.execute(BASELINE_SQL, {"round_id": app.config["BENCH_ROUND"]})
        cells = "".join(
            f"<tr><td>{html.escape(team)}</td><td>{challenge}</td><td>{level or ''}</td></tr>"
            for team, challenge, level in rows
        )
        return f"<!doctype html><title>Ratings</title><table>{cells}</table>"

    return app


def bare_polar_png(values: list[float]) -> bytes:
    """What a radar costs with none of ours: one polar line, saved as a 7 x 7 in PNG."""
    fig = Figure(figsize=(7, 7))
    ax = fig.add_subplot(projection="polar")
    angles = [2 * math.pi * i / len(values) for i in range(len(values))]
    ax.plot([*angles, angles[0]], [*values, values[0]])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def bare_workbook(data: OrgWorkbook) -> bytes:
    """The workbook's cells with bare openpyxl: values appended row by row, nothing else."""
    workbook = Workbook()
    workbook.active.append(["Organisation", data.organisation, data.round])
    matrix = workbook.create_sheet("Matrix")
    for row in data.matrix:
        matrix.append([row.team, row.unit, row.status, *row.levels, row.mean])
    distribution = workbook.create_sheet("Distribution")
    for label, spread in zip(data.challenge_labels, data.spreads, strict=True):
        distribution.append([label, spread.rated, spread.median, spread.lower_quartile,
                             spread.upper_quartile, *spread.counts, spread.not_rated]
                            if spread else [label])
    trend = workbook.create_sheet("Trend")
    for name, medians in zip(data.trend_rounds, data.trend_medians, strict=True):
        trend.append([name, *medians])
    actions = workbook.create_sheet("Actions")
    for item in data.actions:
        a = item.action
        actions.append([item.team, item.unit, a.challenge_title, a.title, a.description, a.lead,
                        a.coproduction, a.starts_on, a.due_on, a.status, item.overdue,
                        a.success_measure, a.review_note])
    completion = workbook.create_sheet("Completion")
    for row in data.matrix:
        completion.append([row.team, row.unit, row.status, row.rated, row.mean])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build(app: Flask) -> tuple[Any, float]:
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        built = build_organisation("Bench Trust", TEAMS, UNITS, ROUNDS, ACTIONS_PER_TEAM,
                                   generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"),
                                   not_started=0.0)
        ratings = db.session.scalar(text("SELECT count(*) FROM ratings"))
        actions = db.session.scalar(text("SELECT count(*) FROM actions"))
    seconds = time.perf_counter() - started
    print(f"Built {TEAMS} teams in {UNITS} units, {ROUNDS} rounds, {ratings:,} ratings, "
          f"{actions:,} actions in {seconds:.1f} s")
    return built, seconds


def measure_dashboard(app: Flask, lead_email: str) -> dict[str, float]:
    client = app.test_client()
    signed_in = client.post("/sign-in", data={"email": lead_email, "password": PASSWORD})
    assert signed_in.status_code == 302, "bench sign-in failed"

    def page() -> None:
        response = client.get("/dashboard/")
        assert response.status_code == 200, response.status_code

    def bare() -> None:
        assert client.get("/bench/baseline").status_code == 200

    page(), bare()  # warm templates, caches and the SQLite page cache
    return result(median_ms(page, 9), median_ms(bare, 9), peak_mb(page))


def measure_radar(app: Flask, round_id: int) -> tuple[dict[str, float], dict[str, float]]:
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        chart = organisation_radar(dashboard(make_scope(round_, None, named=True)))
    values = [v or 0.0 for v in chart.series[0].values]
    bare_polar_png(values)
    baseline = median_ms(lambda: bare_polar_png(values), 5)
    cold = median_ms(lambda: ChartCache().get_or_render(chart, "png"), 5)
    cache = ChartCache()
    cache.get_or_render(chart, "png")
    cached = median_ms(lambda: cache.get_or_render(chart, "png"), 200)
    return (result(cold, baseline, peak_mb(lambda: ChartCache().get_or_render(chart, "png"))),
            result(cached, baseline, peak_mb(lambda: cache.get_or_render(chart, "png"))))


def measure_workbook(app: Flask, round_id: int) -> dict[str, float]:
    with app.app_context():
        scope = make_scope(db.session.get(Round, round_id), None, named=True)
        data = org_workbook(scope)
        baseline = median_ms(lambda: bare_workbook(data), 3)
        ours = median_ms(lambda: org_workbook_bytes(scope), 3)
        peak = peak_mb(lambda: org_workbook_bytes(scope))
    return result(ours, baseline, peak)


def print_table(results: dict[str, dict[str, float]]) -> None:
    print(f"\n{'measure':<14}{'ms':>10}{'baseline ms':>13}{'ratio':>8}{'peak MB':>9}  goal")
    for name, row in results.items():
        print(f"{name:<14}{row['ms']:>10.2f}{row['baseline_ms']:>13.2f}{row['ratio']:>8.2f}"
              f"{row['peak_mb']:>9.1f}  {GOALS[name]}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="assessment-bench-") as folder:
        app = make_app(Path(folder) / "bench.db")
        built, _ = build(app)
        newest = built.round_ids[-1]
        app.config["BENCH_ROUND"] = newest
        results = {"dashboard": measure_dashboard(app, built.lead_email)}
        results["radar_cold"], results["radar_cached"] = measure_radar(app, newest)
        results["org_workbook"] = measure_workbook(app, newest)
        with app.app_context():
            db.engine.dispose()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")
    met = (results["dashboard"]["ratio"] <= 3 and results["dashboard"]["ms"] < 300
           and results["radar_cached"]["ms"] < 5
           and results["org_workbook"]["ratio"] <= 2 and results["org_workbook"]["ms"] < 10_000
           and results["org_workbook"]["peak_mb"] < 500)
    print("All goals met." if met else "Some goals are NOT met.")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
