"""The SMS copy of a notification, for the people e-mail does not reach.

Most residents have a phone and no e-mail. A person without an e-mail address, or who
chose SMS (``User.prefers_sms``), gets a short text of the notifications that matter to an
applicant: the receipt of the application, admitted or not, a winner, the report due or
overdue, the report returned. Each text is written for SMS: the registration number and a
link, in the account's language, at most two UCS-2 parts (134 characters), because
aggregators bill per part and Kyrgyz and Russian go as UCS-2.

The copy is queued in the transaction of the step, with the notification, so it exists
exactly when the step does; it is sent after the commit (``initiatives.sms``).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from initiatives.i18n import _
from initiatives.sms.operations import queue_sms
from initiatives.sms.segments import fit, segments
from workflows.i18n import N_

SMS_SUBMITTED = N_("Application No. %(number)s is registered. Keep this number.")
SMS_ADMITTED = N_("Application No. %(number)s is admitted to scoring.")
SMS_REJECTED = N_("Application No. %(number)s is not admitted. The reason is on the site.")
SMS_WINNER = N_("Application No. %(number)s is among the winners. Grant: %(amount)s.")
SMS_REPORT_DUE = N_("The report on initiative No. %(number)s is due on %(date)s.")
SMS_REPORT_OVERDUE = N_("The report on initiative No. %(number)s was due on %(date)s.")
SMS_REPORT_RETURNED = N_("The report on initiative No. %(number)s is returned for corrections.")

# A notification's step and state -> its SMS text.
BY_KIND = {
    "application.submit": SMS_SUBMITTED,
    "reminder.report": SMS_REPORT_DUE,
    "reminder.report_overdue": SMS_REPORT_OVERDUE,
}
BY_STATE = {  # APPLICATION_STATE notifications, by the state reached
    "admitted": SMS_ADMITTED,
    "rejected": SMS_REJECTED,
    "returned": SMS_REPORT_RETURNED,
}
MAX_PARTS = 2


def wants_sms(user) -> bool:
    return bool(user is not None and user.active and user.phone) and (
        not user.email or bool(user.prefers_sms)
    )


def sms_message_of(n) -> str | None:
    """The SMS message id for this notification, or None when it goes by no SMS."""
    from initiatives.notifications.operations import APPLICATION_STATE, WINNER

    if n.kind in BY_KIND:
        return BY_KIND[n.kind]
    if n.message == WINNER:
        return SMS_WINNER
    if n.message == APPLICATION_STATE:
        return BY_STATE.get((n.params or {}).get("state"))
    return None


def sms_text(n, user) -> str | None:
    """The text in the account's language: the message and a link, cut to two parts (the
    link goes first if it does not fit: the number is what the person needs)."""
    from initiatives.notifications.operations import _day, _money, path

    message = sms_message_of(n)
    if message is None:
        return None
    config = current_app.config
    base = (config.get("PUBLIC_URL") or config["PUBLIC_BASE_URL"]).rstrip("/")
    params = dict(n.params or {})
    with force_locale(user.locale or config["DEFAULT_LOCALE"]):
        if "amount" in params:
            params["amount"] = _money(params["amount"])
        if "date" in params:
            params["date"] = _day(params["date"])
        text = _(message, **{k: v for k, v in params.items() if isinstance(v, str | int)})
    with_link = f"{text} {base}{path(n)}"
    if segments(with_link) <= MAX_PARTS:
        return with_link
    return fit(text, MAX_PARTS)


def copy_by_sms(n, user):
    """Queue the SMS copy of ``n`` for ``user`` if they are to have one; the caller commits.
    Returns the queued message, or None."""
    if n.sms_id is not None or getattr(n, "sms", None) is not None or not wants_sms(user):
        return None
    text = sms_text(n, user)
    if not text:
        return None
    message = queue_sms(user.phone, text, purpose="notification", user_id=user.id)
    n.sms = message
    return message
