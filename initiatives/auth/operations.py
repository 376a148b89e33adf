"""The only writer of users and role grants."""

from __future__ import annotations

import re

from sqlalchemy import or_, select

from initiatives.auth import passwords
from initiatives.auth.models import RoleGrant, User
from initiatives.core.db import utcnow
from initiatives.core.enums import Role
from initiatives.extensions import db
from workflows.i18n import N_

PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


class AccountError(ValueError):
    """A translatable message id explaining why an account cannot be made or changed."""


def normalise_login(login: str) -> tuple[str | None, str | None]:
    """(email, phone) from what a person typed: an address with @, or a phone number."""
    login = login.strip()
    if "@" in login:
        return login.lower(), None
    if PHONE.match(login):
        return None, re.sub(r"[^0-9+]", "", login)
    raise AccountError(N_("enter an e-mail address or a phone number"))


def find_by_login(login: str) -> User | None:
    try:
        email, phone = normalise_login(login)
    except AccountError:
        return None
    return db.session.scalar(
        select(User).where(
            or_(User.email == email, User.phone == phone)
            if email and phone
            else (User.email == email if email else User.phone == phone)
        )
    )


def create_user(
    *,
    login: str,
    full_name: str,
    password: str,
    locale: str = "ky",
    roles: list[tuple[Role, int | None]] = (),
) -> User:
    try:
        passwords.check(password, login=login, name=full_name)
    except passwords.PasswordRefused as refused:
        raise AccountError(str(refused)) from None
    email, phone = normalise_login(login)
    if find_by_login(login) is not None:
        raise AccountError(N_("an account with this e-mail or phone already exists"))
    user = User(email=email, phone=phone, full_name=full_name.strip(), locale=locale)
    user.set_password(password)
    for role, municipality_id in roles:
        grant(user, role, municipality_id)
    db.session.add(user)
    db.session.flush()
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
