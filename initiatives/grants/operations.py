"""The only code that changes agreements, payments, refunds and implementation reports.

Steps of the lifecycle (sign_agreement, submit_report, accept_report...) still go through
``lifecycle.operations.fire``; what is here fills in what those steps check. Everything is
refused once the competition is closed (it is read-only from then on), and that attempt is
kept in the audit trail like a change to approved scores.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from initiatives.applications.models import Application, Attachment
from initiatives.applications.operations import store_file, stored_attachment, stored_path
from initiatives.audit import operations as audit
from initiatives.competitions.models import Competition
from initiatives.core.db import local_day
from initiatives.core.enums import ReportState, SpendingSource
from initiatives.core.errors import Locked, Refused
from initiatives.extensions import db
from initiatives.grants import books, photos
from initiatives.grants.models import (
    Agreement,
    ImplementationReport,
    Payment,
    Refund,
    ReportActivity,
    ReportSpending,
    live,
)
from workflows.i18n import N_

ZERO = Decimal("0.00")
# Payments follow the signature; the last tranche is often paid after the report.
PAYABLE = {"contracted", "reporting", "returned", "report_submitted", "completed"}
REFUNDABLE = PAYABLE | {"terminated"}
REPORTABLE = {"reporting", "returned"}
REPORT_FILES = {"receipt": N_("Receipt or invoice"), "photo": N_("Photo")}
SCAN = "signed_agreement"


def _audit(a: Application, actor, subject, action: str, at: datetime | None, **data) -> None:
    audit.record_edit(a.competition.municipality_id, subject, actor, action, at, **data)


def ensure_not_closed(a: Application, actor, subject, action: str) -> None:
    c = a.competition
    if c.state == "closed":
        raise Locked.attempted(
            N_("the competition is closed: its records can no longer change"),
            c,
            actor,
            subject,
            action,
        )


def _money(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise Refused(N_("the amount is not a number"), status=422) from None
    if not amount.is_finite():
        raise Refused(N_("the amount is not a number"), status=422)
    return amount


# --- the agreement ---------------------------------------------------------------------------


def default_tranches(a: Application, first_due: date) -> list[dict]:
    """One tranche of the whole award, due on signing: the usual case for small grants."""
    return [{"due": first_due.isoformat(), "amount": f"{a.awarded_amount:.2f}"}]


TRANCHE_NOT_POSITIVE = N_("every tranche must be a positive amount")
TRANCHE_WITHOUT_DUE = N_("every tranche needs its due date")
TRANCHES_NOT_THE_AWARD = N_("the tranches add up to %(total)s, not to the award of %(award)s")
REPORT_BEFORE_END = N_("the report cannot be due before the implementation ends")
TRANCHE_BEFORE_SIGNING = N_(
    "tranche %(n)s is due on %(due)s, before the agreement is signed on %(signed)s: "
    "correct the tranches of the agreement first"
)
PAYEE_FIELDS = ("bank_name", "account", "bic", "pin")
# Where the agreement form shows each refusal: beside what it is about, not on the number.
AGREEMENT_FIELDS = {
    TRANCHE_NOT_POSITIVE: "tranches",
    TRANCHE_WITHOUT_DUE: "tranches",
    TRANCHES_NOT_THE_AWARD: "tranches",
    TRANCHE_BEFORE_SIGNING: "tranches",
    REPORT_BEFORE_END: "report_due",
}


def _before_signing(tranches: list[dict], signed_on: date | None) -> None:
    """Money is paid under a signed agreement: a tranche falling due before the signature
    would be a payment the agreement cannot have ordered."""
    if signed_on is None:
        return
    for n, tranche in enumerate(tranches, start=1):
        if date.fromisoformat(tranche["due"]) < signed_on:
            raise Refused(
                TRANCHE_BEFORE_SIGNING,
                status=422,
                n=n,
                due=date.fromisoformat(tranche["due"]),
                signed=signed_on,
            )


def _checked_tranches(a: Application, tranches) -> list[dict]:
    rows = []
    for tranche in tranches:
        amount = _money(tranche["amount"])
        if amount <= 0:
            raise Refused(TRANCHE_NOT_POSITIVE, status=422)
        due = tranche.get("due")
        due = due if isinstance(due, date) or due is None else date.fromisoformat(str(due))
        if due is None:
            raise Refused(TRANCHE_WITHOUT_DUE, status=422)
        rows.append({"due": due.isoformat(), "amount": f"{amount:.2f}"})
    total = sum((Decimal(r["amount"]) for r in rows), ZERO)
    if total != a.awarded_amount:
        raise Refused(
            TRANCHES_NOT_THE_AWARD,
            status=422,
            total=total,
            award=a.awarded_amount,
        )
    return sorted(rows, key=lambda r: r["due"])


def record_agreement(
    a: Application,
    actor,
    *,
    number: str,
    signed_on: date | None = None,
    obligations: str = "",
    tranches: list[dict] = (),
    implementation_due: date | None = None,
    report_due: date | None = None,
    payee: dict | None = None,
    at: datetime | None = None,
) -> Agreement:
    """Prepare (or correct, until it is signed) the agreement of an awarded application.
    ``payee`` holds the initiator's bank details and PIN (``PAYEE_FIELDS``)."""
    if a.state != "awarded":
        raise Refused(N_("an agreement is made with an awarded application"))
    number = (number or "").strip()
    if not number:
        raise Refused(N_("the agreement needs its number"), status=422)
    c = a.competition
    agreement = a.agreement or Agreement(application=a, number=number, amount=a.awarded_amount)
    agreement.number, agreement.signed_on = number, signed_on
    agreement.amount = a.awarded_amount
    agreement.obligations = (obligations or "").strip()
    first_due = signed_on or local_day(at)
    agreement.tranches = _checked_tranches(a, tranches or default_tranches(a, first_due))
    _before_signing(agreement.tranches, signed_on)
    agreement.payee = {
        key: str(value).strip()
        for key, value in (payee or {}).items()
        if key in PAYEE_FIELDS and value and str(value).strip()
    }
    agreement.implementation_due = implementation_due or (
        c.implementation_deadline.date() if c.implementation_deadline else None
    )
    agreement.report_due = report_due or (c.report_deadline.date() if c.report_deadline else None)
    if (
        agreement.implementation_due
        and agreement.report_due
        and agreement.report_due < agreement.implementation_due
    ):
        raise Refused(REPORT_BEFORE_END, status=422)
    db.session.add(agreement)
    db.session.flush()
    _audit(a, actor, agreement, "record_agreement", at, number=number)
    return agreement


def attach_scan(
    a: Application,
    actor,
    *,
    filename: str,
    content: bytes,
    content_type: str,
    at: datetime | None = None,
) -> Attachment:
    """The signed agreement as scanned; personal data (signatures, passport numbers)."""
    agreement = a.agreement
    if agreement is None:
        raise Refused(N_("prepare the agreement first"))
    if a.state != "awarded":
        raise Refused(N_("the agreement is already signed"))
    return _store(a, actor, SCAN, filename, content, content_type, at, agreement.files)


def record_signing(a: Application, actor, *, signed_on: date, at: datetime | None = None) -> None:
    agreement = a.agreement
    if agreement is None:
        raise Refused(N_("prepare the agreement first"))
    if a.state != "awarded":
        raise Refused(N_("the agreement is already signed"))
    if signed_on > local_day(at):
        raise Refused(N_("the signing date cannot be in the future"), status=422)
    _before_signing(agreement.tranches or [], signed_on)
    agreement.signed_on = signed_on
    _audit(a, actor, agreement, "record_signing", at, signed_on=signed_on.isoformat())


def _store(a, actor, doc_type, filename, content, content_type, at, files: list) -> Attachment:
    """Keep the bytes and add the file to ``files`` (an agreement's or a report's)."""
    if not content:
        raise Refused(N_("the file is empty"), status=422)
    attachment = stored_attachment(actor, doc_type, filename, content, content_type, at=at)
    files.append(attachment)
    db.session.flush()
    _audit(a, actor, attachment, "attach", at, doc_type=doc_type, sha256=attachment.sha256)
    return attachment


# --- money -----------------------------------------------------------------------------------


def _locked_agreement(agreement: Agreement) -> Agreement:
    """The agreement row held until commit, so two clerks recording a payment at the same
    moment cannot together pay more than the award (PostgreSQL; SQLite serialises writes)."""
    db.session.execute(select(Agreement.id).where(Agreement.id == agreement.id).with_for_update())
    db.session.refresh(agreement, attribute_names=["payments", "refunds"])
    return agreement


def _checked_move(agreement: Agreement, actor, action: str, states: set, amount, order_number):
    """What a payment and a refund both check before the agreement is locked: the
    competition is open, the application in a state for money, a positive amount and an
    order number. Returns the amount and the order number, cleaned."""
    a = agreement.application
    ensure_not_closed(a, actor, agreement, action)
    if a.state not in states:
        raise Refused(N_("money moves only under a signed agreement"))
    amount = _money(amount)
    if amount <= 0:
        raise Refused(N_("the amount must be positive"), status=422)
    order_number = (order_number or "").strip()
    if not order_number:
        raise Refused(N_("the payment order number is required"), status=422)
    return amount, order_number


def _new_order(rows, order_number: str) -> None:
    """One standing entry per payment order: a reversed entry's number may be booked
    again (the right amount under its own order)."""
    if any(r.order_number == order_number for r in live(rows)):
        raise Refused(
            N_("payment order No. %(number)s is already recorded"), status=422, number=order_number
        )


def record_payment(
    agreement: Agreement,
    actor,
    *,
    paid_on: date,
    amount,
    order_number: str,
    at: datetime | None = None,
) -> Payment:
    amount, order_number = _checked_move(
        agreement, actor, "record_payment", PAYABLE, amount, order_number
    )
    if agreement.signed_on and paid_on < agreement.signed_on:
        raise Refused(N_("a payment cannot precede the signing of the agreement"), status=422)
    agreement = _locked_agreement(agreement)
    _new_order(agreement.payments, order_number)
    if agreement.paid + amount > agreement.amount:
        raise Refused(
            N_("only %(left)s remains to be paid under this agreement"),
            status=422,
            left=agreement.amount - agreement.paid,
        )
    payment = Payment(paid_on=paid_on, amount=amount, order_number=order_number)
    agreement.payments.append(payment)
    db.session.flush()
    _audit(agreement.application, actor, payment, "record_payment", at, amount=str(amount))
    payment.document = _payment_record(agreement.application, payment, actor, at)
    return payment


def _payment_record(a: Application, payment: Payment, actor, at: datetime | None):
    """Step 11 leaves its paper like every other: the order to pay this tranche, in the
    register. Imported here: the register's snapshots read this module."""
    from initiatives.core.db import utcnow
    from initiatives.core.enums import DocumentKind
    from initiatives.documents.operations import record_document

    document = record_document(
        a,
        DocumentKind.PAYMENT_RECORD,
        trigger="record_payment",
        actor=actor,
        at=at or utcnow(),
        data={"payment_id": payment.id},
    )
    db.session.flush()
    return document


def record_refund(
    agreement: Agreement,
    actor,
    *,
    returned_on: date,
    amount,
    order_number: str,
    at: datetime | None = None,
) -> Refund:
    amount, order_number = _checked_move(
        agreement, actor, "record_refund", REFUNDABLE, amount, order_number
    )
    agreement = _locked_agreement(agreement)
    _new_order(agreement.refunds, order_number)
    _within_unspent(agreement.application, amount)
    refund = Refund(returned_on=returned_on, amount=amount, order_number=order_number)
    agreement.refunds.append(refund)
    db.session.flush()
    _audit(agreement.application, actor, refund, "record_refund", at, amount=str(amount))
    return refund


def _within_unspent(a: Application, amount: Decimal) -> None:
    """A refund returns unspent money, never more: what was paid less what the report
    spent and what already came back (read under the agreement's lock)."""
    left = books.refundable(a)
    if amount <= left:
        return
    if a.state == "terminated":
        raise Refused(N_("only %(left)s was paid and not yet returned"), status=422, left=left)
    b = books.books_of(a)
    raise Refused(
        N_(
            "only %(left)s is unspent: paid %(paid)s, spent %(spent)s, "
            "already returned %(returned)s"
        ),
        status=422,
        left=left,
        paid=b.paid,
        spent=b.spent,
        returned=b.returned,
    )


REVERSIBLE = {"payment": (Payment, "paid_on"), "refund": (Refund, "returned_on")}
REVERSAL_WITHOUT_REASON = N_("a reversal needs its reason")
REVERSAL_TOO_EARLY = N_("a reversal cannot precede the entry it undoes")
# Where the reversal form shows each refusal (else under the entry chosen).
REVERSAL_FIELDS = {REVERSAL_WITHOUT_REASON: "reason", REVERSAL_TOO_EARLY: "day"}


def _standing(rows: list, entry_id: int):
    """The entry a reversal may undo: booked, not a reversal itself, not reversed yet."""
    entry = next((e for e in rows if e.id == entry_id), None)
    if entry is None:
        raise Refused(N_("no such entry in the books of this agreement"), status=404)
    if entry.reverses_id is not None:
        raise Refused(N_("a reversal is not reversed: book the entry again instead"), status=422)
    if entry not in live(rows):
        raise Refused(N_("this entry is already reversed"), status=422)
    return entry


def reverse_entry(
    agreement: Agreement,
    actor,
    *,
    kind: str,
    entry_id: int,
    day: date,
    reason: str,
    at: datetime | None = None,
) -> Payment | Refund:
    """Undo a booked payment or refund with an entry of the opposite sign and its reason.
    The booked entry stays as it was: the books keep every entry as booked, and the audit
    trail who undid which and why."""
    if kind not in REVERSIBLE:
        raise Refused(N_("no such entry in the books of this agreement"), status=404)
    action = f"reverse_{kind}"
    a = agreement.application
    ensure_not_closed(a, actor, agreement, action)
    if a.state not in REFUNDABLE:
        raise Refused(N_("money moves only under a signed agreement"))
    reason = (reason or "").strip()
    if not reason:
        raise Refused(REVERSAL_WITHOUT_REASON, status=422)
    agreement = _locked_agreement(agreement)
    rows = agreement.payments if kind == "payment" else agreement.refunds
    entry = _standing(rows, entry_id)
    if day < entry.day:
        raise Refused(REVERSAL_TOO_EARLY, status=422)
    if kind == "payment" and agreement.paid - entry.amount < agreement.refunded:
        raise Refused(N_("more would be returned than paid: reverse the refunds first"), status=422)
    model, day_field = REVERSIBLE[kind]
    reversal = model(
        amount=-entry.amount,
        order_number=entry.order_number,
        reverses_id=entry.id,
        reason=reason,
        **{day_field: day},
    )
    rows.append(reversal)
    db.session.flush()
    _audit(
        a,
        actor,
        reversal,
        action,
        at,
        reverses=entry.id,
        amount=str(reversal.amount),
        reason=reason,
    )
    return reversal


# --- the implementation report -----------------------------------------------------------------


def planned_spending(a: Application) -> list[dict]:
    """The rows of a first report: every budget line × source with money planned."""
    rows = []
    for b in a.budget_lines:
        for source, attr in (
            ("local", "local_amount"),
            ("partners", "partner_amount"),
            ("own", "own_amount"),
            ("in_kind", "in_kind_amount"),
            ("labour", "labour_amount"),
        ):
            planned = getattr(b, attr) or ZERO
            if planned > 0:
                rows.append(
                    {
                        "budget_line_id": b.id,
                        "item": b.item,
                        "source": source,
                        "planned": planned,
                        "actual": ZERO,
                    }
                )
    return rows


def _next_round(previous: ImplementationReport | None, a: Application) -> ImplementationReport:
    """The round after ``previous`` (the first when None), in memory only: not added to the
    session nor linked to the application, so the report page can show it on a GET without
    writing. Its files are not copied here."""
    report = ImplementationReport(
        round=(previous.round + 1) if previous else 1,
        state=ReportState.DRAFT,
        results_text="",
        contribution_note="",
        actual_participants={},
    )
    if previous is None:
        report.activities = [
            ReportActivity(activity_id=x.id, description=x.description) for x in a.activities
        ]
        report.spending = [_spending_row(s) for s in planned_spending(a)]
        return report
    # A returned report is the starting point of the next: nothing entered is lost.
    report.results_text = previous.results_text
    report.actual_participants = dict(previous.actual_participants or {})
    report.contribution_note = previous.contribution_note
    report.activities = [
        ReportActivity(
            activity_id=x.activity_id, description=x.description, done=x.done, note=x.note
        )
        for x in previous.activities
    ]
    report.spending = [
        ReportSpending(
            budget_line_id=s.budget_line_id,
            item=s.item,
            source=s.source,
            planned=s.planned,
            actual=s.actual,
        )
        for s in previous.spending
    ]
    return report


def _copy_round(previous: ImplementationReport | None, a: Application) -> ImplementationReport:
    report = _next_round(previous, a)
    report.application = a
    db.session.add(report)
    for f in previous.files if previous else ():
        content = stored_path(f.stored_as).read_bytes()
        stored_as, digest = store_file(content)
        if f.doc_type == "photo" and f.content_type.startswith("image/"):
            photos.store_web_copy(stored_as, content)
        report.files.append(
            Attachment(
                doc_type=f.doc_type,
                filename=f.filename,
                content_type=f.content_type,
                size_bytes=f.size_bytes,
                sha256=digest,
                stored_as=stored_as,
                uploaded_by_id=f.uploaded_by_id,
                uploaded_at=f.uploaded_at,
            )
        )
    return report


def _spending_row(s: dict) -> ReportSpending:
    return ReportSpending(
        budget_line_id=s.get("budget_line_id"),
        item=s["item"],
        source=SpendingSource(s["source"]),
        planned=_money(s["planned"]),
        actual=_money(s["actual"]),
    )


def draft_round(a: Application) -> ImplementationReport:
    """What the report page shows, without writing: the open draft, or the round the first
    save will make (the plan, or a copy of the returned round). A GET must not create rows:
    a link preview, a prefetch or a crawler would open rounds and copy files."""
    report = a.current_report
    if report is None or report.state == ReportState.RETURNED:
        return _next_round(report, a)
    return report


def open_round(a: Application, actor=None) -> ImplementationReport:
    """The round the initiator may edit: the draft, or a new one after a return."""
    if a.state not in REPORTABLE:
        raise Refused(N_("a report is filled in during implementation"))
    ensure_not_closed(a, actor, a, "fill_report")
    report = a.current_report
    if report is None or report.state == ReportState.RETURNED:
        report = _copy_round(report, a)
        db.session.flush()
        db.session.refresh(a, attribute_names=["reports"])
    return report


def fill_report(
    a: Application,
    actor,
    *,
    results_text: str,
    participants: dict,
    activities: dict[int, tuple[bool, str]] | None = None,
    activities_done: dict[int, bool] | None = None,
    spending: list[dict] | None = None,
    actual: dict[int, object] | None = None,
    contribution_note: str = "",
    at: datetime | None = None,
) -> ImplementationReport:
    """Fill the current round of the report (a new round after a return).

    ``activities`` maps a row id (or, through ``activities_done``, a planned activity id) to
    done and a note; ``actual`` maps a spending row id to the amount spent; ``spending``
    replaces the rows altogether (the demo and paper reports typed from scratch).
    """
    report = open_round(a, actor)
    report.results_text = (results_text or "").strip()
    counts = {}
    for code, value in (participants or {}).items():
        if value in (None, ""):
            continue
        n = int(value)
        if n < 0:
            raise Refused(N_("a number of participants cannot be negative"), status=422)
        counts[code] = n
    report.actual_participants = counts
    report.contribution_note = (contribution_note or "").strip()
    if activities_done is not None:
        for x in report.activities:
            x.done = bool(activities_done.get(x.activity_id, x.done))
    for x in report.activities:
        if activities and x.id in activities:
            x.done, x.note = activities[x.id][0], (activities[x.id][1] or "").strip()
    if spending is not None:
        report.spending = [_spending_row(s) for s in spending]
    for s in report.spending:
        if actual and s.id in actual:
            amount = _money(actual[s.id])
            if amount < 0:
                raise Refused(N_("an amount spent cannot be negative"), status=422)
            s.actual = amount
    report.entered_by_id = actor.id if actor is not None else None
    db.session.flush()
    _audit(a, actor, report, "fill_report", at, round=report.round)
    return report


def attach_report_file(
    a: Application,
    actor,
    *,
    doc_type: str,
    filename: str,
    content: bytes,
    content_type: str,
    at: datetime | None = None,
) -> Attachment:
    if doc_type not in REPORT_FILES:
        raise Refused(N_("unknown kind of file"), status=422)
    report = open_round(a, actor)
    attachment = _store(a, actor, doc_type, filename, content, content_type, at, report.files)
    if doc_type == "photo" and content_type.startswith("image/"):
        photos.store_web_copy(attachment.stored_as, content)
    return attachment


def detach_report_file(a: Application, actor, attachment: Attachment, at=None) -> None:
    returned = a.current_report
    report = open_round(a, actor)
    if returned is not None and returned is not report and attachment in returned.files:
        # The page showed the returned round's files, as the new round copies them on its
        # first save (this one): remove the copy of the file the person chose.
        attachment = report.files[returned.files.index(attachment)]
    if attachment.report_id != report.id:
        raise Refused(N_("this file does not belong to this report"), status=404)
    report.files.remove(attachment)
    db.session.delete(attachment)
    db.session.flush()
    _audit(a, actor, report, "detach", at, doc_type=attachment.doc_type, sha256=attachment.sha256)


# --- the final report's conclusion -------------------------------------------------------

CONCLUSION_STATES = ("implementation",)


def set_conclusion(c: Competition, actor, *, ky: str, ru: str, at: datetime | None = None) -> None:
    """The head's words at the end of the final report. Written while the work goes on and
    frozen with the report when the competition closes: a closed competition's report is
    a registered document, and its conclusion may no longer change. Empty: the report
    prints the conclusion generated from its figures."""
    if c.state not in CONCLUSION_STATES:
        raise Refused(N_("the conclusion can be written only before the competition is closed"))
    c.conclusion_ky = (ky or "").strip() or None
    c.conclusion_ru = (ru or "").strip() or None
    db.session.flush()
    audit.record_edit(c.municipality_id, c, actor, "set_conclusion", at)
