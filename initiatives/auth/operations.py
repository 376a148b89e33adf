"""The only writer of users and role grants."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from initiatives.auth import passwords, sessions
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
    """Every session and remember-me cookie of the user stops working (``auth.loader``),
    and the list of the account's sessions says so."""
    user.session_generation = (user.session_generation or 0) + 1
    sessions.end_all(user)


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


# --- a person's own account (issue 22): profile, password, phone proof, recovery ------------

WRONG_CURRENT = N_("the current password is wrong")
NEEDS_A_LOGIN = N_("keep an e-mail address or a phone number: you log in with it")


def _audit(user: User, action: str, *, actor: User | None = None, municipality_id=None, **data):
    from initiatives.audit.operations import record_edit

    return record_edit(municipality_id, user, actor or user, action, **data)


def _taken_by_another(user: User, *, email=None, phone=None) -> bool:
    other = find_by_login(email or phone)
    return other is not None and other.id != user.id


def update_profile(user: User, *, full_name: str, locale: str, email: str | None) -> None:
    """Name, language and e-mail. A taken address is refused in the words of registration
    (``TAKEN``). The phone changes only through ``confirm_new_phone``."""
    email = email or None
    if email is None and not user.phone:
        raise AccountError(NEEDS_A_LOGIN)
    if email and email != user.email and _taken_by_another(user, email=email):
        raise AccountError(TAKEN)
    changed = sorted(
        name
        for name, old, new in (
            ("full_name", user.full_name, full_name.strip()),
            ("locale", user.locale, locale),
            ("email", user.email, email),
        )
        if old != new
    )
    user.full_name, user.locale, user.email = full_name.strip(), locale, email
    if changed:
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            raise AccountError(TAKEN) from None
        _audit(user, "account.profile", fields=changed)


def check_new_phone(user: User, phone: str) -> None:
    """Refuse a number that is another account's login before an SMS is spent on it."""
    if _taken_by_another(user, phone=phone):
        raise AccountError(TAKEN)


def confirm_new_phone(user: User, phone: str) -> None:
    """The number the code was sent to becomes the login: proved by the code just typed."""
    check_new_phone(user, phone)
    old = user.phone
    user.phone, user.phone_confirmed_at = phone, utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise AccountError(TAKEN) from None
    _audit(user, "account.phone", changed=old != phone)


def confirm_registered_phone(user: User) -> None:
    user.phone_confirmed_at = utcnow()
    _audit(user, "account.phone_proved")


def change_own_password(user: User, current: str, new: str) -> None:
    """The person's own change: the current password first, so a browser left open is not
    enough to take the account over. Every session ends (``change_password``); the view
    logs this browser in again."""
    if not user.check_password(current):
        raise AccountError(WRONG_CURRENT)
    change_password(user, new)
    _audit(user, "account.password")


def reset_password(user: User, new: str, *, how: str) -> None:
    """A new password by a code or a link: every session of the account ends, wherever
    it is (whoever forgot may have been locked out by someone who did not)."""
    change_password(user, new)
    _audit(user, "account.password_reset", how=how)


def office_may_reset(user: User) -> bool:
    """Only a citizen's account: no staff or national role and no commission seat, so a
    code printed at one counter never opens a colleague's, a member's or the operator's."""
    from initiatives.competitions.models import CommissionSeat

    if not user.active or any(g.role != Role.APPLICANT for g in user.grants):
        return False
    seat = db.session.scalar(select(CommissionSeat.id).where(CommissionSeat.user_id == user.id))
    return seat is None


def record_office_code(user: User, specialist: User, municipality_id: int, passport_tail: str):
    """Who printed a reset code for whom, and the passport's last characters they saw."""
    _audit(
        user,
        "account.office_reset_code",
        actor=specialist,
        municipality_id=municipality_id,
        passport_tail=passport_tail,
    )
