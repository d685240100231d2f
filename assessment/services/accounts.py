"""Accounts: creating users, checking passwords, loading the signed-in user."""

from __future__ import annotations

from sqlalchemy import func, select

from ..database import begin_write
from ..extensions import db
from ..models import Organisation, Role, User

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A user cannot be created as asked; the message says why in plain words."""


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the id carries the session epoch, so old cookies stop working."""
    try:
        raw_id, raw_epoch = user_id.split(":")
        user = db.session.get(User, int(raw_id))
        epoch = int(raw_epoch)
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def end_sessions(user: User) -> None:
    """Sign the user out of every browser (the epoch is part of the login cookie)."""
    begin_write(db.session)
    user.session_epoch += 1
    db.session.commit()


def get_or_create_organisation(name: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name)
        db.session.add(organisation)
        db.session.flush()
    return organisation


def create_user(
    email: str, password: str, organisation_name: str, role: Role, name: str = ""
) -> User:
    """Create a user in an organisation (created if new). AccountError if the email is taken."""
    email = email.strip().lower()
    begin_write(db.session)
    if "@" not in email:
        raise AccountError(f"'{email}' is not an email address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise AccountError(f"There is already an account for {email}")
    user = User(
        email=email,
        name=name or email.split("@")[0],
        organisation=get_or_create_organisation(organisation_name),
        role=role,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user
