"""Languages: Kyrgyz first, then Russian and English; times shown in Asia/Bishkek.

The chosen language is remembered in the session and, for a logged-in user, on the account.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask import current_app, request, session
from flask_babel import format_date, gettext, lazy_gettext
from flask_login import current_user

from workflows.i18n import Reason

_ = gettext
_l = lazy_gettext

LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}
# A parameter that its message follows with a per cent sign ("%(share)s%%") is a share.
SHARE = re.compile(r"%\((\w+)\)s\s?%%")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or current_app.config["DEFAULT_LOCALE"]


def _term(message: str) -> str:
    """A message id, or a code of the domain's vocabularies (a document kind), translated."""
    from initiatives.core.enums import EXTRA_ATTACHMENTS, REQUIRED_DOCUMENTS

    return gettext(REQUIRED_DOCUMENTS.get(message) or EXTRA_ATTACHMENTS.get(message) or message)


def explain(reason: Reason) -> str:
    """A workflow's untranslated reason, in the user's language; an amount in its format
    ("4 000,00 сом", not "4000.00"), a date as the reader writes it (not ISO), a share as a
    number that the message's own per cent sign follows ("2,5%", which read "2,50 сом%"
    when every Decimal was money)."""
    from initiatives.web import money, number

    if any(isinstance(v, date) for v in reason.params.values()):  # "30 окт. 2026 г."
        reason = Reason(
            reason.message,
            {k: format_date(v) if isinstance(v, date) else v for k, v in reason.params.items()},
        )
    if any(isinstance(v, Decimal) for v in reason.params.values()):
        shares = set(SHARE.findall(reason.message))
        params = {
            k: (number(v) if k in shares else money(v)) if isinstance(v, Decimal) else v
            for k, v in reason.params.items()
        }
        reason = Reason(reason.message, params)
    return reason.format(_term)
