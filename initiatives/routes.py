"""Small helpers for views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from initiatives.i18n import _
from workflows.i18n import N_


def local_redirect_target(target: str | None) -> str | None:
    """Only local paths: an open redirect would let a phishing link borrow our site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


# The largest id the database can compare with: PostgreSQL's ``integer`` (SQLite's are
# 64-bit). A larger number in a URL is no row of ours, but binding it fails in the driver
# (SQLite: OverflowError; PostgreSQL: integer out of range), a 500 instead of a 404.
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """Flask's ``<int:...>``, at most MAX_ID unless a route asks otherwise: a larger number
    matches no route, so it is a 404 like any id that does not exist."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install_converters(app) -> None:
    """Before the blueprints, whose rules are compiled with the converter they name."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def arg_int(name: str, default: int | None = None) -> int | None:
    """An integer of the query string (a page, a row, an id to edit), or ``default`` when it
    is missing or not a number, within +-MAX_ID so it never reaches the database out of
    range. A page beyond the last one then shows the last, as any page out of range does
    (``initiatives.paging``), and an id too large is one that does not exist."""
    value = request.args.get(name, type=int)
    if value is None:
        return default
    return max(-MAX_ID, min(value, MAX_ID))


NUL_REFUSED = N_("the address or the form holds a NUL character, which no text of ours can hold")


def refuse_nul_characters() -> None:
    """No text of ours holds a NUL, and PostgreSQL refuses to bind one (a 500 from any lookup
    by a slug, a token or a typed search), so a request carrying one in its path, query or
    form fields is refused whole, before any view: a 400 with the reason, the same on every
    database. Uploaded files are bytes and are not looked at."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH"):
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in v for v in values):
        exc = BadRequest()
        exc.user_message = _(NUL_REFUSED)
        raise exc


def install_request_checks(app) -> None:
    app.before_request(refuse_nul_characters)
