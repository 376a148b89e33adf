"""Who hears about a step, and how: in-app rows written with the step, e-mail after commit.

``on_step`` is called by ``lifecycle.operations.fire`` inside the step's transaction, so a
notification exists exactly when its step does. Rows keep a message id and parameters; the
text is rendered in the reader's language when it is read (``text``), and the e-mail in the
language of the account. ``deliver_pending`` sends the outbox after the commit.

Who is concerned:

- an application's step: its owner (a paper application without an account: nobody);
  ``award`` and ``not_award`` stay quiet until the head announces the winners, and a step
  that does not change the public title (admitted -> scored: "Under review") says nothing;
- ``close_applications``: owners of submitted applications;
- ``start_screening``, ``finish_screening``: commission members who have an account;
- ``announce_winners``: owners of awarded and of not awarded applications;
- ``cancel``, ``declare_failed``: owners of submitted applications (and of drafts, for a
  cancelled competition: their draft can no longer be submitted) and commission members.

Nobody is told about their own action, except the owner who submits their application: the
confirmation with the registration number is worth having.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from flask_babel import force_locale, get_locale
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from initiatives.applications.models import Application
from initiatives.auth.models import User
from initiatives.competitions.models import Competition
from initiatives.core.db import utcnow
from initiatives.core.enums import SeatRole
from initiatives.extensions import db
from initiatives.i18n import _
from initiatives.notifications.models import Notification
from initiatives.notifications.sms_copies import copy_by_sms
from workflows import ApplicationState
from workflows.competition import SUBMITTED_OR_LATER
from workflows.i18n import N_

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # an e-mail that failed this often is given up (the in-app row stays)
SMTP_TIMEOUT = 10  # seconds; delivery runs after a step's commit, inside the request
ALL = "all"

# --- the messages (message ids; rendered in the reader's language) ---------------------------

SUBMITTED = N_(
    'Your application No. %(number)s "%(title)s" is registered. '
    "Keep this number: it is on your receipt."
)
APPLICATION_STATE = N_('Your application No. %(number)s "%(title)s" is now: %(state)s')
INTAKE_CLOSED = N_(
    'The intake of applications for "%(competition)s" is closed. '
    "Your application No. %(number)s goes to screening."
)
SCREENING_STARTED = N_(
    'Screening of the applications for "%(competition)s" has started: '
    "please check the admissibility of each application."
)
SCORING_OPEN = N_(
    'Screening of "%(competition)s" is approved and scoring is open: '
    "please score the admitted applications."
)
WINNER = N_(
    'Results of "%(competition)s": your application No. %(number)s "%(title)s" is among the '
    "winners. Grant from the local budget: %(amount)s."
)
NOT_WINNER = N_(
    'Results of "%(competition)s": your application No. %(number)s "%(title)s" '
    "was not selected this time."
)
CANCELLED = N_('The competition "%(competition)s" is cancelled.')
WITHDRAWAL_RECORDED = N_(
    '%(staff)s recorded the withdrawal of your application No. %(number)s "%(title)s" '
    "at your written request."
)
DRAFT_WITHDRAWAL_RECORDED = N_(
    '%(staff)s recorded the withdrawal of your draft application "%(title)s" at your '
    "written request."
)
FAILED = N_('The competition "%(competition)s" did not take place: no application was admitted.')
SEAT_OFFERED = N_(
    'You are invited to sit on the commission of "%(competition)s" as %(role)s. '
    "Accept or decline the seat on the page of your invitations."
)

PUBLIC_TITLES = {s.value: s.public_title for s in ApplicationState}
SEAT_ROLE_TITLES = {r.value: r.title for r in SeatRole}
# Application steps whose news waits for the announcement of the winners.
HELD_UNTIL_ANNOUNCED = {"award", "not_award", "reconsider"}
# Steps whose reason (typed by a person) goes with the message as its note.
WITH_REASON = {
    "reject",
    "return_report",
    "terminate",
    "cancel",
    "declare_failed",
    "record_withdrawal",
}


# --- writing: called by fire() inside the step's transaction -------------------------------


def on_step(subject, trigger, from_state, to_state, actor, now: datetime, data: dict) -> list:
    """Add the notifications of one step to the session (the caller commits)."""
    from_state, to_state = str(from_state), str(to_state)
    reason = None
    if trigger in WITH_REASON:
        reason = str(data.get("reason") or "").strip() or None
    if isinstance(subject, Application):
        kind = f"application.{trigger}"
        wanted = _application_step(subject, trigger, from_state, to_state, actor)
    elif isinstance(subject, Competition):
        kind = f"competition.{trigger}"
        wanted = _competition_step(subject, trigger)
    else:
        return []
    actor_id = actor.id if actor is not None else None
    made, seen = [], set()
    for user_id, message, params, application_id in wanted:
        own_submission = kind == "application.submit"
        if user_id is None or (user_id == actor_id and not own_submission):
            continue
        key = (user_id, message, application_id)
        if key in seen:
            continue
        seen.add(key)
        n = Notification(
            user_id=user_id,
            created_at=now,
            kind=kind,
            message=message,
            params=params,
            note=reason,
            competition_id=subject.competition_id
            if isinstance(subject, Application)
            else subject.id,
            application_id=application_id,
        )
        db.session.add(n)
        copy_by_sms(n, db.session.get(User, user_id))
        made.append(n)
    return made


def _about(a: Application) -> dict:
    return {"number": a.number, "title": a.title}


def _titles(c: Competition) -> dict:
    return {"ky": c.title_ky, "ru": c.title_ru, "en": c.title_en}


def _application_step(a: Application, trigger, from_state, to_state, actor=None):
    if a.owner_id is None or trigger in HELD_UNTIL_ANNOUNCED:
        return []
    if trigger == "submit":
        return [(a.owner_id, SUBMITTED, _about(a), a.id)]
    if trigger == "record_withdrawal":  # she reads who acted on her request, not "withdrawn"
        message = WITHDRAWAL_RECORDED if a.number else DRAFT_WITHDRAWAL_RECORDED
        staff = actor.full_name if actor is not None else ""
        return [(a.owner_id, message, {**_about(a), "staff": staff}, a.id)]
    if PUBLIC_TITLES[from_state] == PUBLIC_TITLES[to_state]:
        return []  # nothing the applicant would see as a change
    return [(a.owner_id, APPLICATION_STATE, {**_about(a), "state": to_state}, a.id)]


def _owners(c: Competition, states) -> list[Application]:
    return [a for a in c.applications if a.owner_id is not None and a.state in states]


def _members(c: Competition, message: str, params: dict):
    return [(s.user_id, message, params, None) for s in c.seats if s.user_id is not None]


def _competition_step(c: Competition, trigger):
    title = {"competition": _titles(c)}
    if trigger == "close_applications":
        return [
            (a.owner_id, INTAKE_CLOSED, {**title, **_about(a)}, a.id)
            for a in _owners(c, {"submitted"})
        ]
    if trigger == "start_screening":
        return _members(c, SCREENING_STARTED, title)
    if trigger == "finish_screening":
        return _members(c, SCORING_OPEN, title)
    if trigger == "announce_winners":
        winners = [
            (
                a.owner_id,
                WINNER,
                {**title, **_about(a), "amount": str(a.awarded_amount)},
                a.id,
            )
            for a in _owners(c, {"awarded"})
        ]
        others = [
            (a.owner_id, NOT_WINNER, {**title, **_about(a)}, a.id)
            for a in _owners(c, {"not_awarded"})
        ]
        return winners + others
    if trigger in ("cancel", "declare_failed"):
        message = CANCELLED if trigger == "cancel" else FAILED
        states = SUBMITTED_OR_LATER | ({"draft"} if trigger == "cancel" else set())
        owners = [(a.owner_id, message, title, a.id) for a in _owners(c, states)]
        return owners + _members(c, message, title)
    return []


def seat_offered(seat, now: datetime | None = None) -> Notification | None:
    """Tell the person a seat is offered to, if they have an account: the one chosen from
    the municipality's people, or the one whose e-mail or phone the specialist typed. Only
    the invited person reads it; the specialist's page says the same either way."""
    user_id = seat.user_id
    if user_id is None and seat.invited_login:
        user_id = db.session.scalar(
            select(User.id).where(
                (User.email == seat.invited_login) | (User.phone == seat.invited_login),
                User.active.is_(True),
            )
        )
    if user_id is None:
        return None
    c = seat.competition
    n = Notification(
        user_id=user_id,
        created_at=now or utcnow(),
        kind="competition.invite",
        message=SEAT_OFFERED,
        params={"competition": _titles(c), "role": str(seat.seat_role)},
        competition_id=c.id,
    )
    db.session.add(n)
    return n


# --- reading --------------------------------------------------------------------------------


def text(n: Notification) -> str:
    """The message in the current language (a page's, or the one ``force_locale`` set).

    Templates have it as ``notification_text(n)``: a state is shown by its public title, a
    competition by its title in that language, an amount as money."""
    locale = str(get_locale() or "ky")
    params = {}
    for key, value in (n.params or {}).items():
        if key == "state" and value in PUBLIC_TITLES:
            value = _(PUBLIC_TITLES[value])
        elif key == "role" and value in SEAT_ROLE_TITLES:
            value = _(SEAT_ROLE_TITLES[value]).lower()
        elif key == "amount":
            value = _money(value)
        elif key == "date":
            value = _day(value)
        elif isinstance(value, dict):  # a title in each language
            value = value.get(locale) or value.get("ru") or value.get("ky") or ""
        params[key] = value
    try:
        return _(n.message, **params)
    except (KeyError, ValueError, TypeError):  # a translation with a broken placeholder
        try:
            return n.message % params
        except (KeyError, ValueError, TypeError):
            return n.message


def _money(value) -> str:
    from initiatives.web import money

    try:
        return money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def _day(value) -> str:
    """An ISO date (a reminder's due date) in the reader's language."""
    from datetime import date

    from flask_babel import format_date

    try:
        return format_date(date.fromisoformat(str(value)), "d MMMM y")
    except ValueError:
        return str(value)


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def for_user(user, limit: int = 100) -> list[Notification]:
    """The user's notifications, newest first."""
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


def for_application(application: Application) -> list[Notification]:
    """What its owner was told about this application, newest first (for its page)."""
    if application.owner_id is None:
        return []
    return db.session.scalars(
        select(Notification)
        .where(
            Notification.application_id == application.id,
            Notification.user_id == application.owner_id,
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    ).all()


def mark_read(user, ids: Iterable[int] | str = ALL, *, now: datetime | None = None) -> int:
    """Mark the user's notifications read (``ids``, or all); only their own. The caller
    commits. Returns how many changed."""
    stmt = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
    )
    if ids != ALL:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    return db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount


# --- e-mail: the outbox, sent after the commit ---------------------------------------------


def deliver_pending(limit: int = 100) -> int:
    """Send the e-mail copies not sent yet; returns how many were sent.

    Does nothing without MAIL_SERVER. Never raises: it runs after a step is committed, and
    a mail server that is down must not turn a done step into an error page. Each try is
    counted on the row; after MAX_ATTEMPTS the e-mail is given up (the in-app row stays).
    Commits its own changes, and rolls back on an unexpected error: call it only after the
    request's commit (``lifecycle.after.after_commit`` does).
    """
    if not current_app.config.get("MAIL_SERVER"):
        return 0
    try:
        return _deliver(limit)
    except Exception:
        log.exception("sending notification e-mails failed")
        db.session.rollback()
        return 0


def _deliver(limit: int) -> int:
    candidates = db.session.execute(
        select(Notification.id, Notification.email_attempts)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.emailed_at.is_(None),
            Notification.email_attempts < MAX_ATTEMPTS,
            User.email.is_not(None),
            User.email != "",
            User.active.is_(True),
        )
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    # Claim each row by counting the attempt first: a concurrent sender that read the same
    # rows finds the count changed and leaves them alone, so nothing is sent twice.
    claimed = []
    for nid, attempts in candidates:
        result = db.session.execute(
            update(Notification)
            .where(
                Notification.id == nid,
                Notification.emailed_at.is_(None),
                Notification.email_attempts == attempts,
            )
            .values(email_attempts=attempts + 1),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount == 1:
            claimed.append(nid)
    db.session.commit()
    if not claimed:
        return 0
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.id.in_(claimed))
        .options(selectinload(Notification.user))
        .order_by(Notification.id)
    ).all()
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        _failed(rows, exc)
        return 0
    sent = 0
    try:
        with smtp:
            for i, n in enumerate(rows):
                try:
                    message = compose(n)
                except Exception:  # one bad row must not hold up the others
                    log.exception("e-mail of notification %s could not be composed", n.id)
                    continue
                try:
                    smtp.send_message(message)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                    # this message or address only: the connection is still good
                    _failed([n], exc)
                    continue
                except (OSError, smtplib.SMTPException) as exc:  # the connection is gone
                    _failed(rows[i:], exc)
                    break
                n.emailed_at = utcnow()
                sent += 1
    finally:
        db.session.commit()
    return sent


def _failed(rows, exc) -> None:
    for n in rows:
        log.warning(
            "e-mail of notification %s to user %s failed (attempt %s of %s): %s",
            n.id,
            n.user_id,
            n.email_attempts,
            MAX_ATTEMPTS,
            exc,
        )
        if n.email_attempts >= MAX_ATTEMPTS:
            log.warning("e-mail of notification %s given up", n.id)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def link(n: Notification) -> str:
    """The absolute address of what the notification is about (PUBLIC_BASE_URL)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + path(n)


def path(n: Notification) -> str:
    """The page of the application, else the competition, else the notifications list.

    Built from the URL map, so it works without a request (the CLI sends mail too)."""
    adapter = current_app.url_map.bind("localhost")
    if n.kind == "competition.invite":  # no role in the competition before accepting
        endpoint, values = "invitations.index", {}
    elif n.application_id is not None and n.kind.startswith("reminder."):
        endpoint, values = "grants.application", {"application_id": n.application_id}
    elif n.application_id is not None:
        endpoint, values = "applications.view", {"application_id": n.application_id}
    elif n.competition_id is not None:
        endpoint, values = "competitions.detail", {"competition_id": n.competition_id}
    else:
        endpoint, values = "notifications.index", {}
    try:
        return adapter.build(endpoint, values)
    except BuildError:
        return adapter.build("notifications.index", {})


def compose(n: Notification) -> EmailMessage:
    """The e-mail of one notification, in the language of its reader's account."""
    config = current_app.config
    user = n.user
    base = config["PUBLIC_BASE_URL"].rstrip("/")
    locale = user.locale or config["DEFAULT_LOCALE"]
    with force_locale(locale):
        body_text = text(n)
        lines = [_("Hello, %(name)s!", name=user.full_name), "", body_text, ""]
        if n.note:
            lines += [_("Comment:"), n.note, ""]
        lines += [_("Open:") + " " + link(n), ""]
        lines += [
            "-- ",
            _("Local initiatives"),
            _("All your notifications:") + " " + base + path_to_list(),
        ]
        subject = _("Local initiatives") + ": " + _shorten(body_text)
    return outgoing(
        to=user.email,
        subject=subject,
        body="\n".join(lines),
        locale=locale,
        key=f"notification.{n.id}",
    )


def outgoing(*, to: str, subject: str, body: str, locale: str, key: str) -> EmailMessage:
    """An automatic e-mail of the service, with the headers every one of them carries
    (``key`` names what it is about in its Message-ID: a notification, an invitation)."""
    sender = current_app.config["MAIL_SENDER"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(key, domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    message["Content-Language"] = locale  # after set_content, which clears Content-* headers
    return message


def path_to_list() -> str:
    return current_app.url_map.bind("localhost").build("notifications.index", {})


def _shorten(value: str, size: int = 120) -> str:
    value = " ".join(value.split())
    return value if len(value) <= size else value[: size - 1].rstrip() + "…"
