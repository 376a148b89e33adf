"""One-time codes: six digits sent by SMS or printed at the office, and long tokens in
e-mailed links. The only writer of ``one_time_code``.

Only an HMAC of each code is stored, keyed with the application's SECRET_KEY: six digits
hashed plainly would be reversed by trying the million of them. A short code is found by
whom it was sent to (``user`` or ``login``) and compared; five wrong tries end it, so
guessing has 5 chances in a million per code sent. A link token is long and random, so it
is found by its hash alone. Issuing a new code for the same purpose and person ends the
earlier ones: only the last SMS received works.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from initiatives.auth.models import OneTimeCode
from initiatives.core.db import utcnow
from initiatives.extensions import db

MAX_ATTEMPTS = 5
LINK_PURPOSE = "reset_link"


def _hash(purpose: str, code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def _whose(query, user, login):
    if user is not None:
        query = query.where(OneTimeCode.user_id == user.id)
    if login is not None:
        query = query.where(OneTimeCode.login == login)
    return query


def issue_code(
    purpose: str,
    *,
    user=None,
    login: str | None = None,
    ttl_minutes: int = 15,
    digits: int = 6,
    created_by=None,
) -> tuple[OneTimeCode, str]:
    """A new code (the row, and the plain code to send or print once); the caller commits."""
    if user is None and login is None:
        raise ValueError("a code is issued to a user or a login")
    now = utcnow()
    db.session.execute(
        _whose(
            update(OneTimeCode).where(
                OneTimeCode.purpose == purpose, OneTimeCode.used_at.is_(None)
            ),
            user,
            login,
        ).values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    code = "".join(secrets.choice("0123456789") for _ in range(digits))
    row = OneTimeCode(
        purpose=purpose,
        user_id=user.id if user is not None else None,
        login=login,
        code_hash=_hash(purpose, code),
        created_at=now,
        expires_at=now + timedelta(minutes=ttl_minutes),
        created_by_id=created_by.id if created_by is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    return row, code


def redeem_code(purpose: str, code: str, *, user=None, login=None) -> OneTimeCode | None:
    """The code's row, now used, if ``code`` is the live code sent to this user or login;
    else None, and a wrong try counts against the code. The caller commits either way (a
    counted try must be kept even when the page refuses)."""
    code = (code or "").strip().replace(" ", "")
    if not code or (user is None and login is None):
        return None
    now = utcnow()
    row = db.session.scalars(
        _whose(select(OneTimeCode), user, login)
        .where(
            OneTimeCode.purpose == purpose,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.attempts < MAX_ATTEMPTS,
        )
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    ).first()
    if row is None or row.expires_at <= now:
        return None
    if not hmac.compare_digest(row.code_hash, _hash(purpose, code)):
        row.attempts += 1
        return None
    return _use(row, now)


def _use(row: OneTimeCode, now) -> OneTimeCode | None:
    """Mark used, unless a concurrent request did first (one code, one reset)."""
    taken = db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == row.id, OneTimeCode.used_at.is_(None))
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount
    if taken != 1:
        return None
    row.used_at = now
    return row


def issue_link_token(user, *, ttl_minutes: int = 60) -> tuple[OneTimeCode, str]:
    """A token for an e-mailed reset link (the URL carries it; only its hash is kept)."""
    now = utcnow()
    db.session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.purpose == LINK_PURPOSE,
            OneTimeCode.user_id == user.id,
            OneTimeCode.used_at.is_(None),
        )
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    token = secrets.token_urlsafe(32)
    row = OneTimeCode(
        purpose=LINK_PURPOSE,
        user_id=user.id,
        login=user.email,
        code_hash=_hash(LINK_PURPOSE, token),
        created_at=now,
        expires_at=now + timedelta(minutes=ttl_minutes),
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def live_link(token: str) -> OneTimeCode | None:
    """The live row of a link token, without using it: opening the link (or a mail
    scanner fetching it) only shows the form; the password sent with it uses the token."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalars(
        select(OneTimeCode).where(
            OneTimeCode.purpose == LINK_PURPOSE,
            OneTimeCode.code_hash == _hash(LINK_PURPOSE, token),
            OneTimeCode.used_at.is_(None),
        )
    ).first()
    if row is None or row.expires_at <= utcnow() or row.user_id is None:
        return None
    return row


def redeem_link(token: str) -> OneTimeCode | None:
    row = live_link(token)
    return _use(row, utcnow()) if row is not None else None
