"""Flask commands: thin wrappers over services. Registered by create_app via COMMANDS."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from .frameworks import FrameworkError, load_framework
from .models import Role
from .services.accounts import AccountError, create_user


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


COMMANDS = [check_framework_command, create_user_command]
