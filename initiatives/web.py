"""What every page shares: the language switch, template helpers, security headers, the
icon, and static files kept by browsers under URLs that change with their content."""

from __future__ import annotations

import hashlib
import os
from decimal import Decimal
from functools import cache

from babel.numbers import NumberPattern, parse_pattern
from flask import Flask, abort, redirect, request, send_from_directory, session, url_for
from flask_babel import (
    format_date,
    format_datetime,
    get_locale,
    gettext,
    refresh,
)
from flask_login import current_user

from initiatives.applications.access import public_state, standing
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


def percent(value, places: int = 2) -> str:
    """A share given in per cent (``Decimal("12.50")``), as the locale writes one: "12,5%"
    in Kyrgyz, "12,5\u00a0%" in Russian, "12.5%" in English. Not ``money()``: a share is
    no amount of som."""
    if value is None:
        return "—"
    locale = get_locale()
    written = locale.percent_formats[None].pattern.replace("#,##0", "#,##0." + "#" * places, 1)
    return _pattern(written).apply(Decimal(value) / 100, locale)


def file_size(size: int | None) -> str:
    """A file's size as the user's language writes it ("47 КБ", "1,5 МБ"), the format the
    documents' receipts print; pages wrote "47 KB" beside "10.0 МБ"."""
    if size is None:
        return "—"
    if size < 1024:
        return _("%(n)s B", n=size)
    if size < 1024 * 1024:
        return _("%(n)s KB", n=number(round(Decimal(size) / 1024, 1), 1))
    return _("%(n)s MB", n=number(round(Decimal(size) / (1024 * 1024), 1), 1))


# Fingerprinted static URLs (``?v=``) are kept this long; a new content is a new URL.
STATIC_MAX_AGE = 365 * 24 * 3600


@cache
def _digest(path: str, mtime_ns: int, size: int) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


def static_version(folder: str, filename: str) -> str | None:
    """A short hash of a static file's content; read again only when the file changes (its
    modification time or size), so a page costs one stat per asset."""
    path = os.path.join(folder, filename)
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _digest(path, st.st_mtime_ns, st.st_size)


def _fingerprint_static(app: Flask) -> None:
    """``url_for('static', ...)`` carries the file's content hash, and a request with the
    current hash may be kept by the browser for a year without asking again.

    Before, ``site.css`` was sent ``no-cache``: every page view asked for it again, a round
    trip each time on a slow line. A stale or missing hash gets the file as before
    (revalidated each time), so an old page still finds its stylesheet."""

    @app.url_defaults
    def add_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def keep_fingerprinted(response):
        if request.endpoint == "static" and response.is_streamed:
            # A few kilobytes each: read now (the file is closed with the response), so
            # Flask-Compress can compress them.
            response.direct_passthrough = False
            response.make_sequence()
        if request.endpoint == "static" and response.status_code == 200:
            filename = (request.view_args or {}).get("filename", "")
            wanted = request.args.get("v")
            if wanted and wanted == static_version(app.static_folder, filename):
                response.cache_control.public = True
                response.cache_control.max_age = STATIC_MAX_AGE
                response.cache_control.immutable = True
                response.cache_control.no_cache = None
        return response

    @app.get("/favicon.ico")
    def favicon():
        """Browsers ask for it whatever a page links; without it every page logged a 404."""
        return send_from_directory(
            app.static_folder, "favicon.ico", mimetype="image/x-icon", max_age=24 * 3600
        )


def register(app: Flask) -> None:
    _fingerprint_static(app)

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
            "percent": percent,
            "file_size": file_size,
            "datetime": lambda v, f="d MMMM y, HH:mm": format_datetime(v, f) if v else "—",
            "day": lambda v: format_date(v, "d MMMM y") if v else "—",
            "public_state_titles": {s.value: s.public_title for s in CompetitionState},
            "state_titles": {s.value: s.title for s in CompetitionState},
            "app_state_titles": {s.value: s.title for s in ApplicationState},
            "app_state_public": {s.value: s.public_title for s in ApplicationState},
            "public_state": public_state,
            "standing": standing,
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
