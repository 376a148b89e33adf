"""The only writer of municipalities' identities, staff invitations and departures.

A municipality's regulation parameters keep their own writer
(``municipalities.operations.update_regulation``); this module creates municipalities,
changes what names and places them, brings people into staff roles by invitation and
takes roles away when people leave. Every act leaves an audit event with who and when;
the caller commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from initiatives.admin.models import LIFETIME, MAX_CODE_ATTEMPTS, StaffInvitation
from initiatives.audit import operations as audit
from initiatives.auth import operations as accounts
from initiatives.auth.models import RoleGrant, User
from initiatives.core.db import utcnow
from initiatives.core.enums import Role
from initiatives.core.errors import Refused
from initiatives.extensions import db
from initiatives.municipalities import operations as regulations
from initiatives.municipalities.models import Municipality
from workflows.i18n import N_

IDENTITY = ("slug", "name_ky", "name_ru", "name_en", "region", "district")
NATIONAL = {Role.OVERSIGHT, Role.ADMIN}
INVITABLE = {Role.SPECIALIST, Role.HEAD, Role.OVERSIGHT, Role.ADMIN}
CODE_DIGITS = 6

SLUG_TAKEN = N_("a municipality with this slug already exists")
ALREADY_HOLDS = N_("this person already holds this role")
NOT_INVITABLE = N_("this role cannot be given by invitation")
NOT_YOURS = N_("this invitation is not addressed to you")
NOT_PENDING = N_("this invitation has been used, withdrawn or has expired")
OWN_ROLE = N_("you cannot end your own administrator role or close your own account")


# --- municipalities -------------------------------------------------------------------------


def _real(obj):
    """The object behind Flask-Login's ``current_user`` proxy (the trail reads its type)."""
    return obj._get_current_object() if hasattr(obj, "_get_current_object") else obj


def _audit(actor, municipality_id, subject, action: str, at: datetime | None = None, **data):
    actor, subject = _real(actor), _real(subject)
    roles = actor.roles_in(municipality_id) if actor is not None else set()
    return audit.record(
        actor=actor,
        roles=roles,
        municipality_id=municipality_id,
        subject=subject,
        action=action,
        at=at or utcnow(),
        data=data,
    )


def _slug_taken(slug: str, but: int | None = None) -> bool:
    query = select(Municipality.id).where(Municipality.slug == slug)
    if but is not None:
        query = query.where(Municipality.id != but)
    return db.session.scalar(query) is not None


def _split(values: dict) -> tuple[dict, dict]:
    """(identity, regulation) columns of a municipality from one set of values."""
    identity = {k: v for k, v in values.items() if k in IDENTITY}
    rest = {k: v for k, v in values.items() if k not in IDENTITY}
    return identity, rest


def create_municipality(actor, *, source: str = "form", **values) -> Municipality:
    identity, rest = _split(values)
    if _slug_taken(identity["slug"]):
        raise Refused(SLUG_TAKEN, status=422)
    m = Municipality(**identity)
    for name, value in rest.items():  # columns the regulation writer does not list
        if value is not None:
            setattr(m, name, value)
    db.session.add(m)
    db.session.flush()
    _audit(actor, m.id, m, "create_municipality", source=source, slug=m.slug)
    return m


def update_municipality(m: Municipality, actor, **values) -> None:
    """Identity through here, the regulation's parameters through their own writer."""
    identity, rest = _split(values)
    if "slug" in identity and _slug_taken(identity["slug"], but=m.id):
        raise Refused(SLUG_TAKEN, status=422)
    changed = sorted(k for k, v in identity.items() if getattr(m, k) != v)
    for name, value in identity.items():
        setattr(m, name, value)
    extra = {k: v for k, v in rest.items() if k not in regulations.REGULATION}
    for name, value in extra.items():  # a column added after the regulation writer's list
        setattr(m, name, value)
    db.session.flush()
    if changed or extra:
        _audit(actor, m.id, m, "update_municipality", fields=changed + sorted(extra))
    regular = {k: v for k, v in rest.items() if k in regulations.REGULATION}
    if regular:
        regulations.update_regulation(m, actor, **regular)


def import_municipalities(actor, rows: list[dict], *, filename: str = "") -> list[Municipality]:
    """The rows the operator confirmed. A slug taken since the preview is skipped (the
    import never overwrites); the trail keeps one event for the import besides one per
    municipality."""
    made, skipped = [], []
    for values in rows:
        if _slug_taken(values["slug"]):
            skipped.append(values["slug"])
            continue
        made.append(create_municipality(actor, source="import", **values))
    if actor is not None:
        _audit(
            actor,
            None,
            actor,
            "import_municipalities",
            filename=filename[:200],
            imported=[m.slug for m in made],
            skipped=skipped,
        )
    return made


# --- secrets of invitations ---------------------------------------------------------------


def _digest(kind: str, value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _new_secret(login: str, by_phone: bool) -> tuple[str, str]:
    """(secret, its hash): a code typed from an SMS, or a token carried by an e-mail link."""
    while True:
        if by_phone:
            secret = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            digest = _digest("code", f"{login}:{secret}")
        else:
            secret = secrets.token_urlsafe(32)
            digest = _digest("link", secret)
        taken = db.session.scalar(
            select(StaffInvitation.id).where(StaffInvitation.token_hash == digest)
        )
        if taken is None:
            return secret, digest


def find_by_token(token: str) -> StaffInvitation | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(StaffInvitation).where(StaffInvitation.token_hash == _digest("link", token))
    )


# --- invitations ------------------------------------------------------------------------------


def holds(login: str, role: Role, municipality_id: int | None) -> bool:
    user = accounts.find_by_login(login)
    return user is not None and any(
        g.role == role and g.municipality_id == municipality_id for g in user.grants
    )


def pending_for_municipality(municipality_id: int | None) -> list[StaffInvitation]:
    now = utcnow()
    rows = db.session.scalars(
        select(StaffInvitation)
        .where(
            StaffInvitation.municipality_id.is_(None)
            if municipality_id is None
            else StaffInvitation.municipality_id == municipality_id,
            StaffInvitation.accepted_at.is_(None),
            StaffInvitation.revoked_at.is_(None),
            StaffInvitation.declined_at.is_(None),
        )
        .order_by(StaffInvitation.created_at.desc(), StaffInvitation.id.desc())
    ).all()
    return [i for i in rows if not i.expired(now)]


def pending_for_user(user: User) -> list[StaffInvitation]:
    """Invitations addressed to the user's e-mail or phone, not answered nor expired."""
    logins = [v for v in (user.email, user.phone) if v]
    if not logins:
        return []
    now = utcnow()
    rows = db.session.scalars(
        select(StaffInvitation)
        .where(
            StaffInvitation.login.in_(logins),
            StaffInvitation.accepted_at.is_(None),
            StaffInvitation.revoked_at.is_(None),
            StaffInvitation.declined_at.is_(None),
        )
        .order_by(StaffInvitation.id)
    ).all()
    return [i for i in rows if not i.expired(now)]


def invite(
    actor,
    *,
    login: str,
    role: Role,
    municipality_id: int | None,
    locale: str = "ky",
    at: datetime | None = None,
) -> tuple[StaffInvitation, str]:
    """A new invitation and its secret (to send, never stored). ``login`` is already in its
    normal spelling. An earlier invitation still pending for the same person and role is
    withdrawn: inviting again is how a lost message is sent anew."""
    role = Role(role)
    if role not in INVITABLE:
        raise Refused(NOT_INVITABLE, status=422)
    if (role in NATIONAL) != (municipality_id is None):
        raise Refused(
            N_("oversight and administrator roles are national; others need a municipality"),
            status=422,
        )
    if holds(login, role, municipality_id):
        raise Refused(ALREADY_HOLDS, status=422)
    for earlier in pending_for_municipality(municipality_id):
        if earlier.login == login and earlier.role == role:
            revoke(earlier, actor, at=at, reason="invited again")
    by_phone = "@" not in login
    secret, digest = _new_secret(login, by_phone)
    invitation = StaffInvitation(
        municipality_id=municipality_id,
        role=role,
        login=login,
        token_hash=digest,
        locale=locale if locale in ("ky", "ru", "en") else "ky",
        created_at=at or utcnow(),
        invited_by_id=actor.id if actor is not None else None,
    )
    if at is not None:
        invitation.expires_at = at + LIFETIME
    db.session.add(invitation)
    db.session.flush()
    _audit(
        actor,
        municipality_id,
        invitation,
        "invite_staff",
        at,
        role=str(role),
        channel="sms" if by_phone else "email",
    )
    if by_phone:
        from initiatives.admin import delivery

        delivery.queue_code(invitation, secret)
    return invitation, secret


def revoke(invitation: StaffInvitation, actor, *, at=None, reason: str = "") -> None:
    if invitation.answered:
        raise Refused(NOT_PENDING, status=410)
    invitation.revoked_at = at or utcnow()
    invitation.revoked_by_id = actor.id if actor is not None else None
    db.session.flush()
    data = {"role": str(invitation.role)}
    if reason:
        data["reason"] = reason
    _audit(actor, invitation.municipality_id, invitation, "revoke_staff_invitation", at, **data)


def addressed_to(invitation: StaffInvitation, user: User) -> bool:
    return invitation.login in [v for v in (user.email, user.phone) if v]


def accept(invitation: StaffInvitation, user: User, *, at: datetime | None = None) -> None:
    """The person takes the role: from now on it is theirs (``auth.operations.grant``)."""
    if not invitation.pending(at):
        raise Refused(NOT_PENDING, status=410)
    if not addressed_to(invitation, user):
        raise Refused(NOT_YOURS, status=404)
    accounts.grant(user, invitation.role, invitation.municipality_id)
    invitation.accepted_at = at or utcnow()
    invitation.accepted_by_id = user.id
    db.session.flush()
    _audit(
        user,
        invitation.municipality_id,
        invitation,
        "accept_staff_invitation",
        at,
        role=str(invitation.role),
    )


def decline(invitation: StaffInvitation, user: User, *, at: datetime | None = None) -> None:
    if not invitation.pending(at):
        raise Refused(NOT_PENDING, status=410)
    if not addressed_to(invitation, user):
        raise Refused(NOT_YOURS, status=404)
    invitation.declined_at = at or utcnow()
    db.session.flush()
    _audit(
        user,
        invitation.municipality_id,
        invitation,
        "decline_staff_invitation",
        at,
        role=str(invitation.role),
    )


def redeem_code(user: User, code: str, *, at: datetime | None = None) -> StaffInvitation | None:
    """The pending invitation by SMS to the user's phone whose code this is, or None.

    A wrong code counts against every invitation pending for that phone; after
    MAX_CODE_ATTEMPTS one no longer answers to any code (the office invites again), so six
    digits cannot be guessed in the week an invitation lives."""
    if not user.phone:
        return None
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    candidates = [
        i
        for i in pending_for_user(user)
        if i.by_phone and i.login == user.phone and i.code_attempts < MAX_CODE_ATTEMPTS
    ]
    digest = _digest("code", f"{user.phone}:{code}")
    for invitation in candidates:
        if code and hmac.compare_digest(invitation.token_hash, digest):
            return invitation
    for invitation in candidates:
        invitation.code_attempts += 1
    db.session.flush()
    return None


# --- departure --------------------------------------------------------------------------------


def end_role(grant: RoleGrant, actor, *, at: datetime | None = None, reason: str = "") -> None:
    """The role ends; what the person signed, scored and did stays, under their name."""
    user = grant.user
    if actor is not None and user.id == actor.id and grant.role == Role.ADMIN:
        raise Refused(OWN_ROLE, status=409)
    municipality_id, role = grant.municipality_id, str(grant.role)
    user.grants.remove(grant)
    db.session.flush()
    data = {"role": role, "user": user.id}
    if reason:
        data["reason"] = reason
    _audit(actor, municipality_id, user, "end_role", at, **data)


def deactivate_account(user: User, actor, *, at: datetime | None = None) -> None:
    """The account can no longer log in, every session of it ends, and its roles end
    (each in the trail); its documents, scores and audit entries keep pointing at it."""
    if actor is not None and user.id == actor.id:
        raise Refused(OWN_ROLE, status=409)
    for grant in list(user.grants):
        end_role(grant, actor, at=at, reason="account closed")
    accounts.deactivate(user)
    db.session.flush()
    _audit(actor, None, user, "deactivate_account", at)
