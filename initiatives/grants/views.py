"""After the awards, page by page: an initiative's grant (agreement, signing, payments,
refunds, the report's review), the implementation report form, the competition's grants
overview with what is overdue, the final report with its charts, and the exports.

Thin: load, check the role, call ``operations`` or ``fire``, commit once, redirect. A
refusal keeps what was typed: the page is shown again with the reason and a 4xx status.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_date
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms.grants import (
    AgreementForm,
    ConclusionForm,
    MoneyForm,
    ReportFileForm,
    ReversalForm,
    SigningForm,
    report_form,
)
from forms.lifecycle import StepForm
from initiatives.applications import access
from initiatives.applications.files import BadFile, sniff
from initiatives.applications.models import Application, Attachment
from initiatives.applications.operations import stored_path
from initiatives.applications.views import _groups
from initiatives.competitions import queries
from initiatives.competitions.clock import close_if_due
from initiatives.competitions.models import Competition
from initiatives.core.enums import DocumentKind
from initiatives.core.errors import Locked, Refused
from initiatives.documents import snapshots
from initiatives.documents.models import Document
from initiatives.documents.rendering import renderer
from initiatives.extensions import db, login_manager
from initiatives.grants import books, exports, operations, photos, reminders, summary
from initiatives.grants.models import Agreement, ImplementationReport, live
from initiatives.i18n import _, explain
from initiatives.lifecycle.after import after_commit
from initiatives.lifecycle.operations import available, fire
from initiatives.lifecycle.permissions import roles_for
from initiatives.web import money
from reports.charts import WEB as WEB_CHART
from reports.charts import bar_chart
from reports.render import Register
from workflows import GuardsFailed

bp = Blueprint("grants", __name__)

INVALID = 422
CLERKS = {"specialist", "admin"}
STAFF = {"specialist", "head", "admin"}
EXPORTERS = STAFF | {"oversight"}
AFTER_AWARDS = {"winners_announced", "implementation", "closed"}
# Steps taken from the grant page with the ordinary step buttons.
PAGE_STEPS = ("begin_implementation", "return_report", "accept_report", "terminate")
REVIEW_STEPS = ("accept_report", "return_report")


# --- loading and permissions ---------------------------------------------------------------------


def _load(application_id: int) -> Application:
    """An awarded application the user may see (else 404), with its grant loaded."""
    a = db.session.scalars(
        select(Application)
        .where(Application.id == application_id)
        .options(
            selectinload(Application.competition).selectinload(Competition.municipality),
            selectinload(Application.competition).selectinload(Competition.seats),
            selectinload(Application.agreement).selectinload(Agreement.payments),
            selectinload(Application.agreement).selectinload(Agreement.refunds),
            selectinload(Application.agreement).selectinload(Agreement.files),
            selectinload(Application.reports).selectinload(ImplementationReport.files),
            selectinload(Application.award_shares),
            selectinload(Application.activities),
            selectinload(Application.budget_lines),
        )
    ).one_or_none()
    if a is None or not access.can_view(current_user, a):
        abort(404)
    if a.awarded_amount is None or a.competition.state not in AFTER_AWARDS:
        abort(404)  # no grant (yet): nothing to show, nothing to reveal
    return a


def _roles(a: Application) -> set[str]:
    return roles_for(current_user, a)


def _clerk(a: Application) -> None:
    if not _roles(a) & CLERKS:
        abort(403)


def _may_report(a: Application) -> bool:
    return access.is_owner(current_user, a) or bool(_roles(a) & CLERKS)


# --- the grant page ------------------------------------------------------------------------------


def _agreement_form(a: Application) -> AgreementForm:
    g = a.agreement
    if g is None:
        c = a.competition
        default_due = reminders.local_today()
        data = {
            "number": f"{c.year}/{a.number}",
            "implementation_due": c.implementation_deadline.date()
            if c.implementation_deadline
            else None,
            "report_due": c.report_deadline.date() if c.report_deadline else None,
            "tranches": [{"due": default_due, "amount": a.awarded_amount}],
        }
    else:
        data = {
            "number": g.number,
            "obligations": g.obligations,
            "implementation_due": g.implementation_due,
            "report_due": g.report_due,
            "tranches": [
                {"due": date.fromisoformat(x["due"]), "amount": Decimal(x["amount"])}
                for x in g.tranches
            ],
            **{f"payee_{key}": value for key, value in (g.payee or {}).items()},
        }
    return AgreementForm(data=data)


def _page(a: Application, status: int = 200, **forms):
    c = a.competition
    roles = _roles(a)
    clerk = bool(roles & CLERKS) and c.state != "closed"
    documents = db.session.scalars(
        select(Document).where(Document.application_id == a.id).order_by(Document.id)
    ).all()
    steps = [(t, r) for t, r in available(a, current_user) if t.trigger in PAGE_STEPS]
    if a.state == "awarded" and clerk:
        forms.setdefault("agreement_form", _agreement_form(a))
        forms.setdefault("signing_form", SigningForm(data={"signed_on": reminders.local_today()}))
    if clerk and a.agreement is not None and a.state in operations.PAYABLE:
        forms.setdefault(
            "payment_form", MoneyForm(prefix="payment", data={"day": reminders.local_today()})
        )
    if clerk and a.agreement is not None and a.agreement.paid > 0:
        forms.setdefault(
            "refund_form", MoneyForm(prefix="refund", data={"day": reminders.local_today()})
        )
    if clerk and a.agreement is not None and a.state in operations.REFUNDABLE:
        reversible = _reversible(a)
        if reversible and "reversal_form" not in forms:
            today = reminders.local_today()
            forms["reversal_form"] = ReversalForm(prefix="reversal", data={"day": today})
        if "reversal_form" in forms:
            forms["reversal_form"].entry.choices = reversible
    return render_template(
        "grants/application.html",
        a=a,
        c=c,
        g=a.agreement,
        documents=documents,
        steps=steps,
        clerk=clerk,
        personal=access.sees_personal_data(current_user, a),
        may_report=_may_report(a) and a.state in operations.REPORTABLE,
        due=reminders.items_of(a, reminders.local_today()),
        unspent=summary.unspent(a),
        refundable=books.refundable(a) if a.agreement is not None else None,
        reversed_ids=_reversed_ids(a),
        reports=sorted(a.reports, key=lambda r: r.round, reverse=True),
        form=StepForm(),
        **forms,
    ), status


def _reversed_ids(a: Application) -> set[int]:
    g = a.agreement
    if g is None:
        return set()
    return {e.reverses_id for e in [*g.payments, *g.refunds] if e.reverses_id is not None}


def _reversible(a: Application) -> list[tuple[str, str]]:
    """The entries that stand, as choices: "refund-12" and what the clerk recognises."""
    g = a.agreement
    entries = [("payment", _("Payment"), p) for p in live(g.payments)]
    entries += [("refund", _("Refund"), r) for r in live(g.refunds)]
    return [
        (
            f"{kind}-{e.id}",
            f"{title} · {format_date(e.day, 'd MMMM y')} · № {e.order_number} · {money(e.amount)}",
        )
        for kind, title, e in entries
    ]


@bp.get("/applications/<int:application_id>/grant")
@login_required
def application(application_id: int):
    return _page(_load(application_id))


def _refused(a: Application, exc: Refused, form, field: str, key: str):
    """The page again with the reason under ``field``. A change to a closed competition is
    not a form error: it goes to the 409 page, which keeps the attempt on record."""
    if isinstance(exc, Locked):
        raise exc
    db.session.rollback()
    getattr(form, field).errors = [*getattr(form, field).errors, explain(exc.reason)]
    return _page(_load(a.id), exc.status if exc.status != 409 else INVALID, **{key: form})


@bp.post("/applications/<int:application_id>/agreement")
@login_required
def agreement(application_id: int):
    a = _load(application_id)
    _clerk(a)
    form = AgreementForm()
    if not form.validate_on_submit():
        return _page(a, INVALID, agreement_form=form)
    try:
        operations.record_agreement(
            a,
            current_user,
            number=form.number.data,
            obligations=form.obligations.data,
            tranches=form.tranche_rows(),
            implementation_due=form.implementation_due.data,
            report_due=form.report_due.data,
            payee=form.payee(),
        )
    except Refused as exc:
        field = operations.AGREEMENT_FIELDS.get(exc.reason.message, "number")
        return _refused(a, exc, form, field, "agreement_form")
    db.session.commit()
    flash(
        _("The agreement is prepared: print it, have it signed, then record the signing."),
        "success",
    )
    return redirect(url_for(".application", application_id=a.id) + "#agreement")


@bp.get("/applications/<int:application_id>/agreement/draft.pdf")
@login_required
def agreement_draft(application_id: int):
    """The agreement to print for signing: rendered now, not registered, marked as a draft."""
    a = _load(application_id)
    if not (_roles(a) & STAFF or access.is_owner(current_user, a)) or a.agreement is None:
        abort(404)
    snap = snapshots.build(a, DocumentKind.GRANT_AGREEMENT, {}, current_user)
    snap["draft"] = True
    register = Register(
        kind=DocumentKind.GRANT_AGREEMENT.value,
        kind_title=DocumentKind.GRANT_AGREEMENT.title,
        number=_("draft"),
        created_at=a.agreement.updated_at,
        languages=a.competition.municipality.document_languages,
        token=f"draft-{a.id}",
        # Not registered, so there is nothing to verify: no QR code and no address, which
        # for a draft would have pointed the initiator at a staff page.
        verify_url="",
    )
    pdf = renderer().pdf(register, snap).pdf
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="agreement-{a.competition.year}-{a.number}-draft.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _upload(field):
    """The bytes and sniffed type of an uploaded file, or ``BadFile``."""
    content = field.data.read()
    return content, sniff(content, current_app.config["MAX_ATTACHMENT_BYTES"])


@bp.post("/applications/<int:application_id>/agreement/sign")
@login_required
def sign(application_id: int):
    a = _load(application_id)
    _clerk(a)
    form = SigningForm()
    if not form.validate_on_submit():
        return _page(a, INVALID, signing_form=form)
    try:
        content, content_type = _upload(form.file)
    except BadFile as bad:
        form.file.errors = [_(bad.message, **bad.params)]
        return _page(a, INVALID, signing_form=form)
    try:
        operations.attach_scan(
            a,
            current_user,
            filename=form.file.data.filename or "agreement.pdf",
            content=content,
            content_type=content_type,
        )
        operations.record_signing(a, current_user, signed_on=form.signed_on.data)
        done = fire(a, "sign_agreement", current_user)
    except Refused as exc:
        return _refused(a, exc, form, "signed_on", "signing_form")
    except GuardsFailed as exc:
        db.session.rollback()
        form.signed_on.errors = [explain(r) for r in exc.reasons]
        return _page(_load(a.id), INVALID, signing_form=form)
    db.session.commit()
    after_commit(done.documents)
    flash(_("The signed agreement is recorded and registered."), "success")
    return redirect(url_for(".application", application_id=a.id) + "#agreement")


def _money_post(application_id: int, kind: str):
    a = _load(application_id)
    _clerk(a)
    if a.agreement is None:
        abort(404)
    form = MoneyForm(prefix=kind)
    key = f"{kind}_form"
    if not form.validate_on_submit():
        return _page(a, INVALID, **{key: form})
    record = operations.record_payment if kind == "payment" else operations.record_refund
    day = "paid_on" if kind == "payment" else "returned_on"
    try:
        entry = record(
            a.agreement,
            current_user,
            amount=form.amount.data,
            order_number=form.order_number.data,
            **{day: form.day.data},
        )
    except Refused as exc:
        return _refused(a, exc, form, "amount", key)
    db.session.commit()
    if kind == "payment":
        after_commit([entry.document])  # its payment record, rendered once
        flash(_("The payment is recorded."), "success")
    else:
        flash(_("The refund is recorded."), "success")
    return redirect(url_for(".application", application_id=a.id) + "#money")


@bp.post("/applications/<int:application_id>/reversals")
@login_required
def reversal(application_id: int):
    """A booked payment or refund undone by a reversal with its reason (never edited)."""
    a = _load(application_id)
    _clerk(a)
    if a.agreement is None:
        abort(404)
    form = ReversalForm(prefix="reversal")
    form.entry.choices = _reversible(a)
    if not form.validate_on_submit():
        return _page(a, INVALID, reversal_form=form)
    key = form.entry_key()
    if key is None:
        form.entry.errors = [*form.entry.errors, _("Choose the entry to reverse.")]
        return _page(a, INVALID, reversal_form=form)
    kind, entry_id = key
    try:
        operations.reverse_entry(
            a.agreement,
            current_user,
            kind=kind,
            entry_id=entry_id,
            day=form.day.data,
            reason=form.reason.data,
        )
    except Refused as exc:
        field = operations.REVERSAL_FIELDS.get(exc.reason.message, "entry")
        return _refused(a, exc, form, field, "reversal_form")
    db.session.commit()
    flash(_("The entry is reversed; book the right one if there is one."), "success")
    return redirect(url_for(".application", application_id=a.id) + "#money")


@bp.post("/applications/<int:application_id>/payments")
@login_required
def payment(application_id: int):
    return _money_post(application_id, "payment")


@bp.post("/applications/<int:application_id>/refunds")
@login_required
def refund(application_id: int):
    return _money_post(application_id, "refund")


# --- the implementation report ------------------------------------------------------------------


def _report_form_class(a: Application, report: ImplementationReport):
    groups = [(code, _(title)) for code, title in _groups(a)]
    return report_form(len(report.activities), groups, len(report.spending))


def _report_data(a: Application, report: ImplementationReport) -> dict:
    data = {"results_text": report.results_text, "contribution_note": report.contribution_note}
    for i, x in enumerate(report.activities):
        data[f"done_{i}"], data[f"note_{i}"] = x.done, x.note
    counts = report.actual_participants or {}
    for i, (code, _title) in enumerate(_groups(a)):
        data[f"group_{i}"] = counts.get(code)
    for i, s in enumerate(report.spending):
        data[f"actual_{i}"] = s.actual
    return data


def _report_page(a, report, form, status=200, file_form=None, problems=None):
    # A round not saved yet shows the files its first save copies: the returned round's.
    shown = report if report.id is not None else a.current_report
    return render_template(
        "grants/report.html",
        a=a,
        c=a.competition,
        report=report,
        files=shown.files if shown is not None else [],
        form=form,
        file_form=file_form or ReportFileForm(),
        groups=_groups(a),
        previous=[r for r in sorted(a.reports, key=lambda r: r.round) if r.round < report.round],
        problems=problems,
        unspent=(
            a.agreement.paid - report.actual("local") - a.agreement.refunded if a.agreement else 0
        ),
    ), status


def _reportable(application_id: int) -> Application:
    """An application whose report the user may fill in now (else 404, 403 or 409)."""
    a = _load(application_id)
    if not _may_report(a):
        abort(404 if not _roles(a) & STAFF else 403)
    if a.state not in operations.REPORTABLE:
        abort(409)
    return a


@bp.get("/applications/<int:application_id>/report")
@login_required
def report(application_id: int):
    a = _load(application_id)
    current = a.current_report
    editable = a.state in operations.REPORTABLE and a.competition.state != "closed"
    if editable and _may_report(a):
        draft = operations.draft_round(a)  # not saved: a GET writes nothing
        form = _report_form_class(a, draft)(data=_report_data(a, draft))
        return _report_page(a, draft, form)
    if current is None:
        abort(404)
    return render_template(
        "grants/report_view.html",
        a=a,
        c=a.competition,
        report=current,
        groups=_groups(a),
        previous=[r for r in sorted(a.reports, key=lambda r: r.round) if r.round < current.round],
        # The office checks the report where it reads it: accept it or return it from here.
        steps=[(t, r) for t, r in available(a, current_user) if t.trigger in REVIEW_STEPS],
    )


def _typed(a: Application, shown: ImplementationReport):
    """The report as typed, when a file's button sent it along (the page is one form), or
    None for a post of the file alone (a client that sends only the file)."""
    if "results_text" not in request.form:
        return None
    return _report_form_class(a, shown)()


def _fill(a: Application, form) -> ImplementationReport:
    """Save what the form holds into the round being written (made now if this is its
    first save); rows are matched by position, as the page showed them."""
    current = operations.open_round(a, current_user)
    operations.fill_report(
        a,
        current_user,
        results_text=form.results_text.data,
        participants=form.participants(),
        activities=form.activities([x.id for x in current.activities]),
        actual=form.actual([s.id for s in current.spending]),
        contribution_note=form.contribution_note.data,
    )
    return current


def _refused_report(application_id: int, form, exc: Refused, file_form=None):
    db.session.rollback()
    a = _load(application_id)
    shown = operations.draft_round(a)
    return _report_page(
        a, shown, form, INVALID, file_form=file_form, problems=[explain(exc.reason)]
    )


@bp.post("/applications/<int:application_id>/report")
@login_required
def save_report(application_id: int):
    a = _reportable(application_id)
    shown = operations.draft_round(a)  # the round the page showed, saved or not
    form = _report_form_class(a, shown)()
    if not form.validate_on_submit():
        return _report_page(a, shown, form, INVALID)
    submitting = request.form.get("action") == "submit"
    try:
        current = _fill(a, form)
    except Refused as exc:
        return _refused_report(application_id, form, exc)
    if not submitting:
        db.session.commit()
        flash(_("The report is saved. You can come back and finish it later."), "success")
        return redirect(url_for(".report", application_id=a.id))
    if not form.confirm.data:
        db.session.commit()  # keep what was typed
        form.confirm.errors = [_("Tick the box to submit the report.")]
        return _report_page(a, current, form, INVALID)
    try:
        done = fire(a, "submit_report", current_user)
    except GuardsFailed as exc:
        db.session.commit()  # what was typed is saved; the reasons say what is missing
        return _report_page(a, current, form, INVALID, problems=[explain(r) for r in exc.reasons])
    db.session.commit()
    after_commit(done.documents)
    flash(_("The report is submitted. The ayil okmotu will check it."), "success")
    return redirect(url_for(".application", application_id=a.id) + "#report")


@bp.post("/applications/<int:application_id>/report/files")
@login_required
def report_file(application_id: int):
    """Attach a receipt or a photo; what was typed in the report comes along and is saved
    as a draft with it, whether or not the file is accepted."""
    a = _reportable(application_id)
    shown = operations.draft_round(a)  # attaching makes the round, a refusal does not
    file_form = ReportFileForm()
    typed = _typed(a, shown)
    if typed is not None and not typed.validate_on_submit():
        file_form.file.errors = [_("Correct the report first: the file is not attached yet.")]
        return _report_page(a, shown, typed, INVALID, file_form=file_form)
    form = typed or _report_form_class(a, shown)(data=_report_data(a, shown), formdata=None)
    upload = None
    if file_form.validate_on_submit():
        try:
            upload = _upload(file_form.file)
        except BadFile as bad:
            file_form.file.errors = [_(bad.message, **bad.params)]
    try:
        if upload is not None:
            operations.attach_report_file(
                a,
                current_user,
                doc_type=file_form.doc_type.data,
                filename=file_form.file.data.filename or "file",
                content=upload[0],
                content_type=upload[1],
            )
        if typed is not None:
            _fill(a, typed)
    except Refused as exc:
        return _refused_report(application_id, form, exc, file_form)
    db.session.commit()
    if upload is None:  # the file was refused; the report, if sent, is saved
        a = _load(application_id)
        return _report_page(a, operations.draft_round(a), form, INVALID, file_form=file_form)
    if typed is not None:
        flash(_("The file is attached, and the report is saved as a draft."), "success")
    else:
        flash(_("The file is attached to the report."), "success")
    return redirect(url_for(".report", application_id=a.id) + "#files")


@bp.post("/applications/<int:application_id>/report/files/<int:attachment_id>/delete")
@login_required
def delete_report_file(application_id: int, attachment_id: int):
    """Remove a file; what was typed in the report comes along and is saved, as above."""
    a = _reportable(application_id)
    if not StepForm().validate_on_submit():
        abort(400)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    shown = operations.draft_round(a)
    typed = _typed(a, shown)
    if typed is not None and not typed.validate():
        return _report_page(a, shown, typed, INVALID)  # the file stays until that is right
    try:
        operations.detach_report_file(a, current_user, attachment)
        if typed is not None:
            _fill(a, typed)  # after: the removal knows the returned round's files
    except Refused as exc:
        if typed is None:
            raise
        return _refused_report(application_id, typed, exc)
    db.session.commit()
    flash(_("The file is removed from the report."), "info")
    return redirect(url_for(".report", application_id=a.id) + "#files")


@bp.get("/grant-files/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    """A receipt, a photo or the signed scan. Scans carry signatures and passport numbers:
    the owner and the office only."""
    x = db.get_or_404(Attachment, attachment_id)
    if x.report_id is not None:
        a = db.session.get(ImplementationReport, x.report_id).application
    elif x.agreement_id is not None:
        a = db.session.get(Agreement, x.agreement_id).application
    else:
        abort(404)
    if not access.can_view(current_user, a):
        abort(404)
    if x.doc_type == operations.SCAN and not access.sees_personal_data(current_user, a):
        abort(404)
    web = photos.web_path(x.stored_as)
    if x.doc_type == "photo" and web.is_file() and request.args.get("original") != "1":
        # A phone's photo is megabytes; the web copy is a tenth of it, without metadata.
        path, mimetype, name = web, "image/jpeg", f"{Path(x.filename).stem}-web.jpg"
    else:
        path, mimetype, name = stored_path(x.stored_as), x.content_type, x.filename
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=mimetype == "application/pdf",
        download_name=name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the competition: overview, overdue, final report, exports ------------------------------------


def _competition(competition_id: int) -> Competition:
    c = queries.one_visible_or_404(current_user, competition_id)
    close_if_due(c)
    return c


@bp.get("/competitions/<int:competition_id>/grants")
@login_required
def overview(competition_id: int):
    c = _competition(competition_id)
    if c.state not in AFTER_AWARDS:
        abort(404)
    roles = roles_for(current_user, c)
    loaded = summary.preload(c)  # noqa: F841 (agreements and payments of every winner)
    winners = summary.winners(c)
    due = reminders.due_items(winners)
    return render_template(
        "grants/overview.html",
        c=c,
        winners=winners,
        due={a.id: [d for d in due if d.application is a] for a in winners},
        overdue=[d for d in due if d.overdue],
        figures=summary.figures(c),
        unspent={a.id: summary.unspent(a) for a in winners},
        steps=[
            (t, r)
            for t, r in available(c, current_user)
            if t.trigger in ("start_implementation", "close")
        ],
        exporter=bool(roles & EXPORTERS),
        datasets=exports.TITLES,
        form=StepForm(),
    )


@bp.get("/overdue")
@login_required
def overdue():
    """Everything overdue or due soon in the municipalities the user works for."""
    national = current_user.is_admin or any(
        g.role.value == "oversight" for g in current_user.grants
    )
    municipality_ids = (
        None  # oversight and administrators follow every municipality
        if national
        else {
            g.municipality_id for g in current_user.grants if g.role.value in ("specialist", "head")
        }
    )
    if municipality_ids is not None and not municipality_ids:
        abort(404)
    items = reminders.due_items(reminders.followed_applications(municipality_ids))
    return render_template(
        "grants/overdue.html",
        items=[
            d for d in items if d.days_left <= d.application.competition.municipality.reminder_days
        ],
    )


def charts(figures: dict) -> list[Markup]:
    """The three charts of the final report, in the page's language."""
    local = figures["money"]["local"]
    return [
        Markup(
            bar_chart(
                _("Local budget, som"),
                [_("Allocated"), _("Awarded"), _("Paid"), _("Spent"), _("Returned")],
                [
                    (
                        _("Local budget"),
                        [local[k] for k in ("allocated", "awarded", "paid", "spent", "returned")],
                    )
                ],
                **WEB_CHART,
            )
        ),
        Markup(
            bar_chart(
                _("Money by source: planned and actual, som"),
                [_(s["title"]) for s in figures["by_source"]],
                [
                    (_("Planned"), [s["planned"] for s in figures["by_source"]]),
                    (_("Actual"), [s["actual"] for s in figures["by_source"]]),
                ],
                **WEB_CHART,
            )
        ),
        Markup(
            bar_chart(
                _("Participants by group"),
                [_(g["title"]) for g in figures["groups"]],
                [
                    (_("Expected"), [g["expected"] for g in figures["groups"]]),
                    (_("Took part"), [g["count"] for g in figures["groups"]]),
                ],
                **WEB_CHART,
            )
        ),
    ]


@bp.get("/competitions/<int:competition_id>/final-report")
def final_report(competition_id: int):
    """The final figures: public once the competition is closed, before that for the people
    working on it (a running account during implementation)."""
    c = db.get_or_404(Competition, competition_id)
    if c.state != "closed":
        if not current_user.is_authenticated:
            # A staff member's bookmark or a link in their e-mail: the login page, then
            # this page. The competition's page is public from the awards on, so this
            # reveals nothing; before them the page does not exist for anyone.
            if c.state in AFTER_AWARDS:
                return login_manager.unauthorized()
            abort(404)
        c = _competition(competition_id)
        if c.state not in AFTER_AWARDS:
            abort(404)
    figures = summary.figures(c)
    document = db.session.scalars(
        select(Document).where(
            Document.competition_id == c.id, Document.kind == DocumentKind.FINAL_REPORT
        )
    ).first()
    return _final_page(c, figures, document, _conclusion_form(c))


def _conclusion_form(c: Competition, form: ConclusionForm | None = None):
    """The head's conclusion, for the staff of a competition not yet closed (None: the
    page shows no form)."""
    if c.state not in operations.CONCLUSION_STATES or not current_user.is_authenticated:
        return None
    if not roles_for(current_user, c) & STAFF:
        return None
    if form is None:
        form = ConclusionForm(conclusion_ky=c.conclusion_ky, conclusion_ru=c.conclusion_ru)
    return form


def _final_page(c, figures, document, conclusion_form, status: int = 200):
    page = render_template(
        "grants/final_report.html",
        c=c,
        f=figures,
        charts=charts(figures),
        document=document,
        conclusion_form=conclusion_form,
    )
    return page, status


@bp.post("/competitions/<int:competition_id>/final-report/conclusion")
@login_required
def conclusion(competition_id: int):
    """The head writes (or changes) the conclusion before the competition is closed; the
    final report registered at the close keeps it."""
    c = _competition(competition_id)
    if _conclusion_form(c) is None:
        abort(404)
    form = ConclusionForm()
    if not form.validate():
        if "csrf_token" in form.errors:
            abort(400)
        return _final_page(c, summary.figures(c), None, form, INVALID)
    operations.set_conclusion(
        c, current_user, ky=form.conclusion_ky.data, ru=form.conclusion_ru.data
    )
    db.session.commit()
    flash(_("The conclusion of the final report is saved."), "success")
    return redirect(url_for("grants.final_report", competition_id=c.id))


@bp.get("/competitions/<int:competition_id>/export/<name>.<fmt>")
@login_required
def export(competition_id: int, name: str, fmt: str):
    c = _competition(competition_id)
    if not roles_for(current_user, c) & EXPORTERS:
        abort(404)
    if fmt not in ("csv", "xlsx") or (name not in exports.DATASETS and name != "all"):
        abort(404)
    if name == "all":
        if fmt != "xlsx":
            abort(404)
        datasets = [build(c) for build in exports.DATASETS.values()]
    else:
        datasets = [exports.DATASETS[name](c)]
    stem = f"competition-{c.id}-{name}"
    if fmt == "csv":
        body, mimetype = exports.to_csv(datasets[0]), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(datasets)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
