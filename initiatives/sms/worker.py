"""Sending after the commit, in a background thread: a slow gateway never holds a request.

In a request, any commit of a session that queued a message starts the sender (a
SQLAlchemy ``after_commit`` hook, so every writer of the outbox gets it without wiring);
steps also start it when older messages wait for a retry (``lifecycle.after``). Outside a
request (a command, a script) nothing starts in the background, because the process ends
with its command: commands send in the foreground (``flask sms send``, ``competitions
tick``, ``notifications remind``). One sender runs at a
time per process and application; a start asked for while it runs makes it go round once
more, so nothing queued meanwhile waits for the next start. A process that ends while its
sender works leaves claimed rows, which the next sender takes again once their claim is
old (``operations.CLAIM_SECONDS``); cron's ``flask sms send`` does it in any case.
"""

from __future__ import annotations

import threading

from flask import current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from initiatives.extensions import db

_lock = threading.Lock()


class _Sender:
    def __init__(self):
        self.thread: threading.Thread | None = None
        self.again = False


def _sender_of(app) -> _Sender:
    with _lock:
        return app.extensions.setdefault("sms_sender", _Sender())


def kick(app=None) -> threading.Thread:
    """Start the background sender, or ask the running one to go round once more."""
    app = app or current_app._get_current_object()
    sender = _sender_of(app)
    with _lock:
        if sender.thread is not None and sender.thread.is_alive():
            sender.again = True
            return sender.thread
        sender.again = False
        sender.thread = threading.Thread(
            target=_run, args=(app, sender), name="sms-sender", daemon=True
        )
        sender.thread.start()
        return sender.thread


def _run(app, sender: _Sender) -> None:
    from initiatives.sms.operations import deliver_pending_sms

    while True:
        with app.app_context():
            try:
                deliver_pending_sms()
            finally:
                db.session.remove()
        with _lock:
            if not sender.again:
                sender.thread = None
                return
            sender.again = False


def kick_if_pending() -> None:
    """Start the sender when messages wait (a retry come due, a capped day over)."""
    from initiatives.sms.operations import pending_exists

    if has_request_context() and pending_exists():
        kick()


def wait(app=None, timeout: float = 30) -> bool:
    """Wait for the background sender to finish (tests, and commands before they exit);
    True when it has."""
    app = app or current_app._get_current_object()
    sender = _sender_of(app)
    while True:
        with _lock:
            thread = sender.thread
        if thread is None:
            return True
        thread.join(timeout)
        if thread.is_alive():
            return False


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    from initiatives.sms.operations import QUEUED_FLAG

    if session.info.pop(QUEUED_FLAG, False) and has_request_context():
        kick()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    from initiatives.sms.operations import QUEUED_FLAG

    session.info.pop(QUEUED_FLAG, None)
