"""Every error is a page with a reason in the user's language, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from initiatives.api import views as api
from initiatives.audit import operations as audit
from initiatives.core.errors import Locked, Refused
from initiatives.extensions import db
from initiatives.i18n import _, explain
from initiatives.lifecycle.errors import NotPermitted, stage_of
from initiatives.lifecycle.waiting import refused_role
from workflows import GuardsFailed, InvalidTrigger
from workflows.i18n import N_

TITLES = {  # marked for extraction; translated when shown
    400: N_("The request could not be understood"),
    403: N_("You may not do this"),
    404: N_("Not found"),
    405: N_("Not allowed here"),
    409: N_("This step cannot be taken now"),
    413: N_("The file is too large"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
}


def _page(status: int, reasons: list[str] | None = None, description: str | None = None):
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=_(TITLES.get(status, TITLES[400])),
            reasons=reasons or [],
            description=description,
        ),
        status,
    )


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        if exc.response is not None:  # a page made for this case (the login limit's)
            return exc.response
        if api.is_api_request():  # programs read the open data: JSON, as documented
            return api.error_response(exc)
        body, status = _page(exc.code or 400, description=_describe(exc))
        # A 405 says which methods the address takes (RFC 9110), as Werkzeug's own does.
        return body, status, [(k, v) for k, v in exc.get_headers() if k == "Allow"]

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        db.session.rollback()
        return _page(
            400,
            [
                _(
                    "the form's security token is missing or out of date (the page was open "
                    "for very long, or the form came from another site): go back, reload the "
                    "page and send it again"
                )
            ],
        )

    @app.errorhandler(InvalidTrigger)
    def invalid_trigger(exc: InvalidTrigger):
        db.session.rollback()
        return _page(409, [_("this step is not possible in the current state"), *stage_of(exc)])

    @app.errorhandler(GuardsFailed)
    def guards_failed(exc: GuardsFailed):
        db.session.rollback()
        return _page(409, [explain(r) for r in exc.reasons])

    @app.errorhandler(NotPermitted)
    def not_permitted(exc: NotPermitted):
        db.session.rollback()
        return _page(403, [explain(refused_role(exc.needed))])

    @app.errorhandler(Refused)
    def refused(exc: Refused):
        db.session.rollback()
        if isinstance(exc, Locked):  # the attempt is kept, though the change is not
            audit.record_refused(exc.attempt)
            db.session.commit()
        return _page(exc.status, [explain(exc.reason)])

    @app.errorhandler(IntegrityError)
    def conflict(exc: IntegrityError):
        """A race the code did not foresee (two requests inserting the same unique row):
        refused like any other meanwhile-change, never a 500."""
        db.session.rollback()
        return _page(409, [_("someone else changed this record meanwhile; reload the page")])

    @app.errorhandler(StaleDataError)
    def stale(exc: StaleDataError):
        db.session.rollback()
        return _page(409, [_("someone else changed this record meanwhile; reload the page")])


def _describe(exc: HTTPException) -> str | None:
    """Only our own translated descriptions are shown; Werkzeug's are English."""
    return getattr(exc, "user_message", None)
