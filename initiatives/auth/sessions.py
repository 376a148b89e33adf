"""The logged-in browsers of a person: the only writer of ``user_session``.

Flask-Login keeps ``User.get_id()`` ("id.generation") in the session and signs it into the
remember-me cookie. At login we append the session row's id ("id.generation.row"), so both
carry it: ending one row ends that browser, its remember-me cookie and any copy of either,
and leaves the person's other browsers alone. Bumping the generation still ends them all.

The list shows what a person needs to recognise a browser and no more: the browser and
system (not the whole user-agent string), the address with its last part masked.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from datetime import timedelta

from flask import g, request, session
from sqlalchemy import select, update

from initiatives.auth.models import User, UserSession
from initiatives.core.db import utcnow
from initiatives.extensions import db

# A row's "last seen" is written at most this often: not one write per request.
TOUCH_EVERY = timedelta(minutes=5)

_BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Yandex Browser", r"YaBrowser/"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux|X11"),
)


def describe_agent(agent: str) -> str:
    """ "Chrome, Android" from a user-agent string; "" when nothing is recognised."""
    agent = agent or ""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, agent)), "")
    return ", ".join(part for part in (browser, system) if part)[:80]


def mask_address(address: str | None) -> str:
    """The network, not the device: 212.42.101.0/24 (IPv6: the /48 of the site)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def start(user: User) -> UserSession:
    """A row for the browser that just logged in, named in its session (after
    ``login_user``, which wrote the bare "id.generation"). The caller commits."""
    now = utcnow()
    row = UserSession(
        id=secrets.token_urlsafe(16),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        user_agent=describe_agent(request.headers.get("User-Agent", "")),
        ip_address=mask_address(request.remote_addr),
    )
    db.session.add(row)
    session["_user_id"] = f"{user.get_id()}.{row.id}"
    return row


def current_id() -> str | None:
    """The row id of this browser's session, if it has one."""
    parts = str(session.get("_user_id") or "").split(".")
    return parts[2] if len(parts) == 3 else None


def check(user: User, row_id: str) -> bool:
    """Whether the row is the user's and not ended; notes a due "last seen" for
    ``touch_after_request`` (the loader runs before the view, which owns the transaction)."""
    row = db.session.get(UserSession, row_id)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return False
    if row.last_seen_at <= utcnow() - TOUCH_EVERY:
        g.session_to_touch = row_id
    return True


def touch_after_request(response):
    """Write the due "last seen" in a transaction of its own, after the view is done."""
    row_id = g.pop("session_to_touch", None)
    if row_id is not None:
        try:
            with db.engine.begin() as conn:
                conn.execute(
                    update(UserSession)
                    .where(UserSession.id == row_id, UserSession.ended_at.is_(None))
                    .values(last_seen_at=utcnow())
                )
        except Exception:  # a "last seen" is never worth an error page
            pass
    return response


def active(user: User) -> list[UserSession]:
    """The user's live sessions, the most recently used first."""
    return db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.created_at.desc())
    ).all()


def end(user: User, row_id: str) -> bool:
    """End one of the user's sessions; False if it is not theirs or already ended."""
    return (
        db.session.execute(
            update(UserSession)
            .where(
                UserSession.id == row_id,
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
            )
            .values(ended_at=utcnow()),
            execution_options={"synchronize_session": False},
        ).rowcount
        == 1
    )


def end_all(user: User, *, except_id: str | None = None) -> int:
    stmt = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if except_id is not None:
        stmt = stmt.where(UserSession.id != except_id)
    return db.session.execute(
        stmt.values(ended_at=utcnow()), execution_options={"synchronize_session": False}
    ).rowcount


def install(app) -> None:
    app.after_request(touch_after_request)
