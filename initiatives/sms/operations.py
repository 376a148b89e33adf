"""The only writer of the SMS outbox: queueing, claiming, sending, delivery reports.

``queue_sms`` adds a row in the caller's transaction (the caller commits), and the commit
starts the background sender (``worker``). ``deliver_pending_sms`` sends what is due:
it claims each row by a conditional UPDATE first, as the e-mail outbox does, so that two
senders (two workers, the cron job) never send one message twice.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from initiatives.core.db import utcnow
from initiatives.extensions import db
from initiatives.sms import backends
from initiatives.sms.models import SmsDay, SmsMessage, SmsStatus
from initiatives.sms.segments import segments

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_SECONDS = 300  # a claim older than this belongs to a sender that died: taken again
BACKOFF_SECONDS = 60  # the first retry waits a minute, each next one four times longer
DEFAULT_DAILY_CAP = 2000
QUEUED_FLAG = "sms_queued"  # on the session: its commit starts the background sender


def queue_sms(phone: str, text: str, *, purpose: str, user_id: int | None = None) -> SmsMessage:
    """Put a message in the outbox, in the current transaction; the caller commits.

    ``phone`` is E.164 (+996...), ``text`` already in the reader's language."""
    now = utcnow()
    message = SmsMessage(
        phone=phone,
        text=text,
        segments=segments(text),
        purpose=purpose,
        user_id=user_id,
        status=SmsStatus.QUEUED,
        provider_id=secrets.token_hex(12),
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(message)
    db.session.info[QUEUED_FLAG] = True
    return message


def deliver_pending_sms(limit: int = 100, *, now: datetime | None = None) -> int:
    """Send the messages that are due; returns how many the provider accepted.

    Never raises: it runs after someone's work is committed, and a gateway that is down
    must not turn that into an error. Commits its own changes."""
    try:
        return _deliver(limit, now or utcnow())
    except Exception:
        log.exception("sending SMS failed")
        db.session.rollback()
        return 0


def _due(now: datetime):
    waiting = SmsMessage.status.in_([SmsStatus.QUEUED, SmsStatus.CAPPED, SmsStatus.SENDING])
    return waiting, SmsMessage.next_attempt_at <= now


def _deliver(limit: int, now: datetime) -> int:
    waiting, due = _due(now)
    candidates = db.session.execute(
        select(SmsMessage.id, SmsMessage.attempts, SmsMessage.status)
        .where(waiting, due)
        .order_by(SmsMessage.next_attempt_at, SmsMessage.id)
        .limit(limit)
    ).all()
    claimed = []
    for mid, attempts, status in candidates:
        # A sender that read the same rows finds attempts or status changed and skips them.
        result = db.session.execute(
            update(SmsMessage)
            .where(
                SmsMessage.id == mid,
                SmsMessage.attempts == attempts,
                SmsMessage.status == status,
                SmsMessage.next_attempt_at <= now,
            )
            .values(
                status=SmsStatus.SENDING,
                attempts=attempts + 1,
                next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS),
            ),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount == 1:
            claimed.append(mid)
    db.session.commit()
    if not claimed:
        return 0
    provider = backends.configured()
    sent = 0
    for mid in claimed:
        message = db.session.get(SmsMessage, mid)
        if provider.capped and not _reserve(now.date()):
            _hold_for_tomorrow(message, now)
            db.session.commit()
            continue
        try:
            provider.send(message)
        except backends.Retry as exc:
            if provider.capped and not exc.reached:
                _release(now.date())
            _retry_later(message, now, str(exc))
        except backends.Refused as exc:
            if provider.capped:
                _release(now.date())
            _give_up(message, str(exc))
        else:
            message.status = SmsStatus.SENT
            message.sent_at = now
            message.error = None
            sent += 1
        db.session.commit()
    return sent


def _retry_later(message: SmsMessage, now: datetime, error: str) -> None:
    log.warning(
        "SMS %s: try %s of %s failed: %s", message.id, message.attempts, MAX_ATTEMPTS, error
    )
    if message.attempts >= MAX_ATTEMPTS:
        _give_up(message, error)
        return
    message.status = SmsStatus.QUEUED
    message.error = error[:500]
    wait = BACKOFF_SECONDS * 4 ** (message.attempts - 1)
    message.next_attempt_at = now + timedelta(seconds=wait)


def _give_up(message: SmsMessage, error: str) -> None:
    log.warning("SMS %s given up: %s", message.id, error)
    message.status = SmsStatus.FAILED
    message.error = error[:500]


def _hold_for_tomorrow(message: SmsMessage, now: datetime) -> None:
    """The day's cap is used: the message waits for the next UTC day, and the try it was
    claimed with does not count."""
    message.status = SmsStatus.CAPPED
    message.attempts = max(0, message.attempts - 1)
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)
    message.next_attempt_at = tomorrow


def daily_cap() -> int:
    return int(current_app.config.get("SMS_DAILY_CAP") or DEFAULT_DAILY_CAP)


def _reserve(day: date) -> bool:
    """Take one place under the day's cap, atomically; False once the cap is reached."""
    cap = daily_cap()
    for _ in range(2):
        result = db.session.execute(
            update(SmsDay).where(SmsDay.day == day, SmsDay.sent < cap).values(sent=SmsDay.sent + 1),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount == 1:
            db.session.commit()
            return True
        if db.session.get(SmsDay, day) is not None:
            return False
        try:  # the first message of the day: make its counter, then take the place
            db.session.add(SmsDay(day=day, sent=0))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another sender made it first
    return False


def _release(day: date) -> None:
    """Give back a place the gateway certainly did not use."""
    db.session.execute(
        update(SmsDay).where(SmsDay.day == day, SmsDay.sent > 0).values(sent=SmsDay.sent - 1),
        execution_options={"synchronize_session": False},
    )


def sent_today(day: date | None = None) -> int:
    row = db.session.get(SmsDay, day or utcnow().date())
    return row.sent if row is not None else 0


# --- the gateway's delivery reports ---------------------------------------------------------

DELIVERED_WORDS = {"delivered", "delivrd", "ok"}
FAILED_WORDS = {"failed", "undelivered", "undeliv", "rejected", "expired"}


def report_delivery(provider_id: str, outcome: str, *, now: datetime | None = None):
    """Record what the gateway says became of a message; returns the message, or None when
    the id is none of ours or the outcome is not a final one.

    Idempotent: a report repeated changes nothing more. A delivered message stays
    delivered; a failed one may still be reported delivered (reports come out of order)."""
    outcome = (outcome or "").strip().lower()
    message = db.session.scalar(select(SmsMessage).where(SmsMessage.provider_id == provider_id))
    if message is None:
        return None
    now = now or utcnow()
    if outcome in DELIVERED_WORDS:
        if message.status != SmsStatus.DELIVERED:
            message.status = SmsStatus.DELIVERED
            message.delivered_at = now
            message.error = None
    elif outcome in FAILED_WORDS:
        if message.status not in (SmsStatus.DELIVERED, SmsStatus.FAILED):
            message.status = SmsStatus.FAILED
            message.error = f"delivery report: {outcome}"
    else:
        return None
    return message


# --- the operator's page ----------------------------------------------------------------------


def listing(status: SmsStatus | None = None):
    """The outbox, newest first (a select for the page; the view pages it)."""
    stmt = select(SmsMessage).order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
    if status is not None:
        stmt = stmt.where(SmsMessage.status == status)
    return stmt


def pending_exists(now: datetime | None = None) -> bool:
    waiting, due = _due(now or utcnow())
    return db.session.scalar(select(SmsMessage.id).where(waiting, due).limit(1)) is not None
