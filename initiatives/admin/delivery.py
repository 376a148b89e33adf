"""How an invitation's secret reaches its person: a link by e-mail, a code by SMS.

The e-mail goes through the application's SMTP server, as notifications do, after the
invitation is committed: a mail server that is down must not undo the invitation, and the
inviter is told to invite again later. The SMS is written to the outbox in the invitation's
own transaction (``sms.operations.queue_sms``), and the SMS channel delivers it after the
commit. Both are written in the language the inviter chose for the person, who may have
no account (and so no language of their own) yet.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale

from initiatives.admin.models import StaffInvitation
from initiatives.core.enums import Role
from initiatives.i18n import _
from workflows.i18n import N_

log = logging.getLogger(__name__)

EMAIL_BODY = N_(
    "You are invited to work in the local initiatives service as %(role)s%(place)s. "
    "To accept or decline, open this link (it works once, until %(until)s):"
)
SMS_TEXT = N_("Code %(code)s: you are invited as %(role)s%(place)s. Enter it at %(url)s")


def _base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def _path(endpoint: str, **values) -> str:
    """Built from the URL map, so it works outside a request (the CLI, the tests)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def link(token: str) -> str:
    return _base() + _path("staff.join_link", token=token)


def _place(invitation: StaffInvitation, locale: str) -> str:
    m = invitation.municipality
    return f" ({m.name(locale)})" if m is not None else ""


def _role(invitation: StaffInvitation) -> str:
    return _(Role(invitation.role).title)


def compose(invitation: StaffInvitation, token: str) -> EmailMessage:
    config = current_app.config
    from flask_babel import format_date

    from initiatives.core.db import local_day

    locale = invitation.locale or config["DEFAULT_LOCALE"]
    with force_locale(locale):
        body = _(
            EMAIL_BODY,
            role=_role(invitation),
            place=_place(invitation, locale),
            until=format_date(local_day(invitation.expires_at), "d MMMM y"),
        )
        lines = [_("Hello!"), "", body, "", link(token), ""]
        lines.append(
            _(
                "If you have no account yet, register with this e-mail address first: "
                "the link then takes you back to the invitation."
            )
        )
        lines += ["", "-- ", _("Local initiatives")]
        subject = _("Local initiatives") + ": " + _("an invitation to a role")
    from initiatives.notifications.operations import outgoing

    return outgoing(
        to=invitation.login,
        subject=subject,
        body="\n".join(lines),
        locale=locale,
        key=f"invitation.{invitation.id}",
    )


def send_link(invitation: StaffInvitation, token: str) -> bool | None:
    """Send the e-mail now (after the commit). True when sent, False when the server
    refused or was down, None when no mail server is configured (the inviter then hands
    the link over)."""
    if not current_app.config.get("MAIL_SERVER"):
        return None
    from initiatives.notifications.operations import _connect

    try:
        message = compose(invitation, token)
        with _connect() as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("invitation %s could not be e-mailed: %s", invitation.id, exc)
        return False
    return True


def sms_text(invitation: StaffInvitation, code: str) -> str:
    locale = invitation.locale or current_app.config["DEFAULT_LOCALE"]
    with force_locale(locale):
        return _(
            SMS_TEXT,
            code=code,
            role=_role(invitation).lower(),
            place=_place(invitation, locale),
            url=_base() + _path("staff.join_code"),
        )


def queue_code(invitation: StaffInvitation, code: str) -> None:
    """The SMS with the code, written to the outbox in the invitation's transaction."""
    from initiatives.sms.operations import queue_sms

    queue_sms(invitation.login, sms_text(invitation, code), purpose="invitation")
