"""The operator's outbox page and the gateway's delivery reports.

The outbox page shows full phone numbers: the operator is the one who helps a person whose
code did not arrive, and needs the number to do it. So it is the national administrator's
page only; anyone else is told it does not exist.

The delivery report comes from the gateway, not from a browser: no session, no CSRF, a
shared secret (``SMS_DELIVERY_TOKEN``) in the ``X-SMS-Token`` header or the ``token``
query parameter instead. Without the right token, or with no token configured, the
address does not exist (404).
"""

from __future__ import annotations

import hmac
from xml.etree import ElementTree

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from forms.sms import SmsFilterForm
from initiatives.extensions import csrf, db
from initiatives.paging import Page
from initiatives.routes import arg_int
from initiatives.sms import operations
from initiatives.sms.models import STATUS_TITLES, SmsStatus

bp = Blueprint("sms", __name__)

PAGE_SIZE = 50


@bp.get("/admin/sms")
@login_required
def outbox():
    if not current_user.is_admin:
        abort(404)
    form = SmsFilterForm(request.args)
    if not form.validate():
        return render_template("sms/outbox.html", form=form, page=None, titles=STATUS_TITLES), 422
    status = SmsStatus(form.status.data) if form.status.data else None
    stmt = operations.listing(status)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(arg_int("page", 1) or 1, 1), pages)
    items = db.session.scalars(stmt.offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    page = Page(number, pages, total, PAGE_SIZE, list(items))
    return render_template(
        "sms/outbox.html",
        form=form,
        page=page,
        status=status.value if status else "",
        titles=STATUS_TITLES,
        sent_today=operations.sent_today(),
        daily_cap=operations.daily_cap(),
    )


def _token_ok() -> bool:
    expected = current_app.config.get("SMS_DELIVERY_TOKEN") or ""
    given = request.headers.get("X-SMS-Token") or request.args.get("token") or ""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _reports() -> list[tuple[str, str]]:
    """(our id, outcome) pairs: from form fields ``id`` and ``status``, or from an XML body
    ``<report><id/><status/></report>`` (one or many, under any root)."""
    if request.form.get("id"):
        return [(request.form["id"], request.form.get("status", ""))]
    body = request.get_data(cache=False)[: 256 * 1024]
    if not body.strip():
        return []
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        abort(400)
    found = [root] if root.find("id") is not None else root.findall(".//report")
    return [((r.findtext("id") or "").strip(), (r.findtext("status") or "").strip()) for r in found]


@bp.post("/sms/delivery")
@csrf.exempt
def delivery():
    if not _token_ok():
        abort(404)
    known = 0
    for provider_id, outcome in _reports():
        if provider_id and operations.report_delivery(provider_id, outcome) is not None:
            known += 1
    db.session.commit()
    # 200 whatever we knew: a gateway retries a report that was not answered 2xx, and one
    # for a message we do not know will not become known by being sent again.
    return (
        f"<response><status>0</status><accepted>{known}</accepted></response>",
        200,
        {"Content-Type": "application/xml; charset=utf-8"},
    )
