"""The only writer of users and role grants."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from initiatives.auth import passwords
from initiatives.auth.models import RoleGrant, User
from initiatives.core import contacts
from initiatives.core.db import utcnow
from initiatives.core.enums import Role
from initiatives.extensions import db
from workflows.i18n import N_

TAKEN = N_("an account with this e-mail or phone already exists")


class AccountError(ValueError):
    """A translatable message id explaining why an account cannot be made or changed."""


def normalise_login(login: str) -> tuple[str | None, str | None]:
    """(email, phone) from what a person typed: an address with @, or a phone number, in
    the one spelling they are stored in (``core.contacts``)."""
    try:
        return contacts.split_login(login)
    except contacts.ContactError as refused:
        raise AccountError(str(refused)) from None


def find_by_login(login: str) -> User | None:
    """The account of a login in any spelling: "0555 123 456" finds "+996555123456", and
    an address is compared without regard to case."""
    email, phone = contacts.lookup_login(login)
    if email:
        return db.session.scalar(select(User).where(User.email == email))
    if phone:
        return db.session.scalar(select(User).where(User.phone == phone))
    return None


def create_user(
    *,
    login: str,
    full_name: str,
    password: str,
    locale: str = "ky",
    roles: list[tuple[Role, int | None]] = (),
) -> User:
    """A taken number is refused in the same words as a taken address: the refusal says
    no more about who has an account whichever way the login was typed."""
    try:
        passwords.check(password, login=login, name=full_name)
    except passwords.PasswordRefused as refused:
        raise AccountError(str(refused)) from None
    email, phone = normalise_login(login)
    if find_by_login(email or phone) is not None:
        raise AccountError(TAKEN)
    user = User(email=email, phone=phone, full_name=full_name.strip(), locale=locale)
    user.set_password(password)
    for role, municipality_id in roles:
        grant(user, role, municipality_id)
    try:
        with db.session.begin_nested():  # two registrations of one number at once
            db.session.add(user)
    except IntegrityError:
        raise AccountError(TAKEN) from None
    return user


def grant(user: User, role: Role, municipality_id: int | None) -> None:
    role = Role(role)
    national = role in (Role.OVERSIGHT, Role.ADMIN)
    if national != (municipality_id is None):
        raise AccountError(
            N_("oversight and administrator roles are national; others need a municipality")
        )
    if not any(g.role == role and g.municipality_id == municipality_id for g in user.grants):
        user.grants.append(RoleGrant(role=role, municipality_id=municipality_id))


def end_sessions(user: User) -> None:
    """Every session and remember-me cookie of the user stops working (``auth.loader``)."""
    user.session_generation = (user.session_generation or 0) + 1


def change_password(user: User, password: str) -> None:
    """A new password, checked like one chosen at registration; sessions opened with the old
    one end, so a password changed after a theft locks the thief out."""
    try:
        passwords.check(password, login=user.login, name=user.full_name)
    except passwords.PasswordRefused as refused:
        raise AccountError(str(refused)) from None
    user.set_password(password)
    end_sessions(user)


def deactivate(user: User) -> None:
    user.active = False
    end_sessions(user)


def record_login(user: User) -> None:
    user.last_login_at = utcnow()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
