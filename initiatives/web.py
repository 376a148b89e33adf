"""What every page shares: the language switch, template helpers, security headers."""

from __future__ import annotations

from functools import cache

from babel.numbers import NumberPattern, parse_pattern
from flask import Flask, abort, redirect, request, session, url_for
from flask_babel import (
    format_date,
    format_datetime,
    get_locale,
    gettext,
    refresh,
)
from flask_login import current_user

from initiatives.applications.access import public_state
from initiatives.auth import operations as accounts
from initiatives.extensions import db
from initiatives.i18n import LANGUAGE_NAMES, _, explain
from initiatives.routes import local_redirect_target
from workflows import ApplicationState, CompetitionState


@cache
def _pattern(format: str) -> NumberPattern:
    """Babel parses a number format on every call; a ranking of a thousand rows formats
    some 15,000 numbers, so each format is parsed once (a third of the time per number)."""
    return parse_pattern(format)


def money(value) -> str:
    if value is None:
        return "—"
    return _pattern("#,##0.00").apply(value, get_locale()) + " " + _("som")


def number(value, places: int = 2) -> str:
    """A score or a mean in the user's locale, without trailing zeros."""
    if value is None:
        return "—"
    return _pattern("#,##0." + "#" * places).apply(value, get_locale())


def register(app: Flask) -> None:
    @app.post("/language/<code>")
    def set_language(code: str):
        if code not in app.config["LANGUAGES"]:
            abort(404)
        session["locale"] = code
        refresh()  # drop the locale Flask-Babel cached for this context
        if current_user.is_authenticated:
            accounts.set_locale(current_user, code)
            db.session.commit()
        return redirect(local_redirect_target(request.form.get("next")) or url_for("public.index"))

    @app.context_processor
    def helpers():
        return {
            "locale": str(get_locale()),
            "explain": explain,
            # A message id *or words someone typed* (a municipality's own participant group),
            # translated when it is a message id. Plain text, so Jinja escapes it: the
            # template's own _() would return it marked safe, unescaped.
            "term": lambda text: str(gettext(str(text))) if text else "",
            "language_names": LANGUAGE_NAMES,
            "money": money,
            "number": number,
            "datetime": lambda v, f="d MMMM y, HH:mm": format_datetime(v, f) if v else "—",
            "day": lambda v: format_date(v, "d MMMM y") if v else "—",
            "public_state_titles": {s.value: s.public_title for s in CompetitionState},
            "state_titles": {s.value: s.title for s in CompetitionState},
            "app_state_titles": {s.value: s.title for s in ApplicationState},
            "app_state_public": {s.value: s.public_title for s in ApplicationState},
            "public_state": public_state,
        }

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
            "form-action 'self'; base-uri 'none'",
        )
        if app.config["PRODUCTION"]:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
