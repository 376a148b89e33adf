"""The operator's filter of the SMS outbox (a GET form: it changes nothing, so no CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from forms.base import Form, option

# The outbox's statuses, in the order the operator looks for them (initiatives/sms/models.py).
STATUSES = (
    ("queued", _l("Queued")),
    ("sending", _l("Sending")),
    ("sent", _l("Sent")),
    ("delivered", _l("Delivered")),
    ("failed", _l("Failed")),
    ("capped", _l("Held by the daily cap")),
)


class SmsFilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        [Optional()],
        choices=[option("", _l("All statuses")), *(option(v, t) for v, t in STATUSES)],
        default="",
    )
