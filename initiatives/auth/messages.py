"""What the account pages send: a code by SMS, a reset link by e-mail, each in the
language of the person it goes to. SMS texts stay within one segment in Cyrillic (70
characters); the e-mail leaves in a thread of its own, so the answer to "I forgot" takes
as long whether or not an account was found."""

from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale

from initiatives.i18n import _
from workflows.i18n import N_

log = logging.getLogger(__name__)

PHONE_CODE = N_("Code %(code)s: it confirms your phone. Valid 15 min.")
RESET_CODE = N_("Password reset code %(code)s. Valid 15 min. Did not ask? Ignore it.")
RESET_SUBJECT = N_("Local initiatives: a new password")
RESET_BODY = N_(
    "Hello, %(name)s!\n\nSomebody (we hope you) asked for a new password for your account. "
    "Open this link within 60 minutes to choose one; it works once:\n\n%(link)s\n\n"
    "If you did not ask, ignore this message: your password stays as it is."
)

SMS_TEXTS = {"phone_proof": PHONE_CODE, "password_reset": RESET_CODE}


def send_code(phone: str, code: str, *, purpose: str, locale: str, user_id=None) -> None:
    """Queue the SMS in the current transaction (the caller commits)."""
    from initiatives.sms.operations import queue_sms

    with force_locale(locale or current_app.config["DEFAULT_LOCALE"]):
        text = _(SMS_TEXTS[purpose], code=code)
    queue_sms(phone, text, purpose=purpose, user_id=user_id)


def reset_email(user, link: str) -> EmailMessage:
    config = current_app.config
    with force_locale(user.locale or config["DEFAULT_LOCALE"]):
        subject = _(RESET_SUBJECT)
        body = _(RESET_BODY, name=user.full_name, link=link)
    from initiatives.notifications.operations import outgoing

    return outgoing(
        to=user.email,
        subject=subject,
        body=body,
        locale=user.locale or config["DEFAULT_LOCALE"],
        key="reset",
    )


def send_email_later(message: EmailMessage) -> threading.Thread | None:
    """Send through the notifications' SMTP connection, off the request; never raises."""
    if not current_app.config.get("MAIL_SERVER"):
        return None
    app = current_app._get_current_object()

    def send():
        from initiatives.notifications.operations import _connect

        with app.app_context():
            try:
                with _connect() as smtp:
                    smtp.send_message(message)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("password reset e-mail to %s failed: %s", message["To"], exc)

    thread = threading.Thread(target=send, name="reset-email", daemon=True)
    thread.start()
    return thread
