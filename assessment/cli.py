"""Flask commands: thin wrappers over services. Registered by create_app via COMMANDS."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .frameworks import FrameworkError, load_framework
from .models import Role
from .services.accounts import AccountError, create_user
from .services.demo import DemoLogin, SeededTeam, demo_logins, has_organisations, seed_demo
from .services.exports import ExportError, plan_exports
from .services.org_exports import export_organisations


@click.command("check-framework")
@click.argument("path", type=click.Path(path_type=Path))
def check_framework_command(path: Path) -> None:
    """Validate a framework file and say what is wrong with it, if anything."""
    try:
        framework = load_framework(path)
    except FrameworkError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"{path}: OK - {framework.name} version {framework.version}, "
        f"{len(framework.challenges)} challenges, {len(framework.levels)} levels"
    )


@click.command("create-user")
@click.argument("email")
@click.option("--org", "organisation", required=True, help="Organisation name (created if new)")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="", help="The person's name")
@click.password_option(help="At least 10 characters")
@with_appcontext
def create_user_command(email: str, organisation: str, role: str, name: str, password: str) -> None:
    """Create a user account in an organisation."""
    try:
        user = create_user(email, password, organisation, Role(role), name)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role.label.lower()} {user.email} in {organisation}")


def _echo_logins(logins: list[DemoLogin]) -> None:
    if not logins:
        return
    click.echo("\nDemo logins (fixed demo passwords: use them with demo data only)")
    rows = [(login.email, login.password, login.role.label, login.organisation)
            for login in logins]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        click.echo("  " + "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[3]]
        ))


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing if the database already has any organisation")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load two made-up NHS trusts with teams, rounds, ratings and actions, and print logins.

    Safe to run again: a trust that already exists is left as it is.
    """
    if if_empty and has_organisations():
        click.echo("The database already has organisations, so no demo data was added.")
        _echo_logins(demo_logins())
        return
    started = time.perf_counter()
    current = ""

    def show(seeded: SeededTeam) -> None:
        nonlocal current
        if seeded.organisation != current:
            current = seeded.organisation
            click.echo(current)
        click.echo(
            f"  {seeded.team}: {seeded.assessments}/{seeded.rounds} rounds assessed, "
            f"open round {seeded.finish.value}, {seeded.actions} actions"
        )

    results = seed_demo(on_team=show)
    for result in results:
        if not result.created:
            click.echo(f"{result.organisation} already exists: left as it is.")
    if any(r.created for r in results):
        click.echo(f"Demo data created in {time.perf_counter() - started:.1f} s.")
    _echo_logins(demo_logins())


@click.command("export-plan")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write to (default: the EXPORTS_DIR setting, normally exports/)")
@click.option("--team", "team_name", help="Only the team with this name")
@click.option("--round", "round_name",
              help="The round with this name, instead of each organisation's current round")
@with_appcontext
def export_plan_command(out_dir: Path | None, team_name: str | None,
                        round_name: str | None) -> None:
    """Write each team's action plan workbook (.xlsx), a folder per organisation.

    The paths written go to standard output, the progress bar to standard error, so the
    output can be piped to another command.
    """
    folder = out_dir or Path(current_app.config["EXPORTS_DIR"])
    try:
        exports = plan_exports(folder, team_name, round_name)
    except ExportError as error:
        raise click.ClickException(str(error)) from error
    if not exports:
        click.echo("Nothing to export: no organisation has a round yet.", err=True)
        return
    written = []
    with click.progressbar(exports, label="Writing action plans",
                           file=sys.stderr) as bar:
        for export in bar:
            try:
                written.append(export.write())
            except OSError as error:
                raise click.ClickException(
                    f"Cannot write {export.path}: {error.strerror or error}") from error
    for path in written:
        click.echo(path)


@click.command("export-org")
@click.option("--round", "round_name",
              help="The round with this name, instead of each organisation's current round")
@click.option("--org", "organisation_name", help="Only the organisation with this name")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write to (default: the EXPORTS_DIR setting, normally exports/)")
@click.option("--hide-team-names", is_flag=True,
              help="Write the viewers' version: figures for groups of teams, no team names")
@with_appcontext
def export_org_command(round_name: str | None, organisation_name: str | None,
                       out_dir: Path | None, hide_team_names: bool) -> None:
    """Write each organisation's workbook (.xlsx) and ratings (.csv) for a round.

    One folder per organisation; the paths written go to standard output.
    """
    folder = out_dir or Path(current_app.config["EXPORTS_DIR"])
    try:
        exports = export_organisations(folder, round_name, organisation_name,
                                       named=not hide_team_names)
    except ExportError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(f"Cannot write to {folder}: {error.strerror or error}"
                                   ) from error
    if not exports:
        click.echo("Nothing to export: no organisation has a round yet.", err=True)
    for export in exports:
        for path in export.paths:
            click.echo(path)


COMMANDS = [check_framework_command, create_user_command, seed_demo_command, export_plan_command,
            export_org_command]
