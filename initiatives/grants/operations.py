"""The only code that changes agreements, payments and implementation reports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from initiatives.applications.models import Application
from initiatives.audit import operations as audit
from initiatives.core.enums import ReportState, SpendingSource
from initiatives.core.errors import Refused
from initiatives.extensions import db
from initiatives.grants.models import (
    Agreement,
    ImplementationReport,
    Payment,
    ReportActivity,
    ReportSpending,
)
from workflows.i18n import N_


def _audit(a: Application, actor, subject, action: str, at: datetime | None, **data) -> None:
    audit.record_edit(a.competition.municipality_id, subject, actor, action, at, **data)


def record_agreement(
    a: Application,
    actor,
    *,
    number: str,
    signed_on: date | None,
    obligations: str = "",
    tranches: list[dict] = (),
    at: datetime | None = None,
) -> Agreement:
    if a.state != "awarded":
        raise Refused(N_("an agreement is made with an awarded application"))
    c = a.competition
    agreement = a.agreement or Agreement(application=a, number=number, amount=a.awarded_amount)
    agreement.number, agreement.signed_on = number, signed_on
    agreement.amount = a.awarded_amount
    agreement.obligations = obligations
    agreement.tranches = list(tranches) or [
        {"due": (signed_on or date.today()).isoformat(), "amount": str(a.awarded_amount)}
    ]
    agreement.implementation_due = (
        c.implementation_deadline.date() if c.implementation_deadline else None
    )
    agreement.report_due = c.report_deadline.date() if c.report_deadline else None
    db.session.add(agreement)
    db.session.flush()
    _audit(a, actor, agreement, "record_agreement", at, number=number)
    return agreement


def record_payment(
    agreement: Agreement,
    actor,
    *,
    paid_on: date,
    amount: Decimal,
    order_number: str,
    at: datetime | None = None,
) -> Payment:
    amount = Decimal(str(amount))
    if amount <= 0:
        raise Refused(N_("the amount must be positive"))
    if agreement.paid + amount > agreement.amount:
        raise Refused(
            N_("only %(left)s remains to be paid under this agreement"),
            left=agreement.amount - agreement.paid,
        )
    payment = Payment(paid_on=paid_on, amount=amount, order_number=order_number)
    agreement.payments.append(payment)
    db.session.flush()
    _audit(agreement.application, actor, payment, "record_payment", at, amount=str(amount))
    return payment


def fill_report(
    a: Application,
    actor,
    *,
    results_text: str,
    participants: dict,
    activities_done: dict[int, bool],
    spending: list[dict],
    refund: Decimal = Decimal("0"),
    at: datetime | None = None,
) -> ImplementationReport:
    """Fill the current round of the report (a new round after a return)."""
    if a.state not in ("reporting", "returned"):
        raise Refused(N_("a report is filled in during implementation"))
    report = a.current_report
    if report is None or report.state == ReportState.RETURNED:
        report = ImplementationReport(application=a, round=(report.round + 1) if report else 1)
        db.session.add(report)
    report.results_text = results_text
    report.actual_participants = dict(participants)
    report.refund_amount = Decimal(str(refund))
    report.activities = [
        ReportActivity(
            activity_id=act.id, description=act.description, done=activities_done.get(act.id, False)
        )
        for act in a.activities
    ]
    report.spending = [
        ReportSpending(
            budget_line_id=s.get("budget_line_id"),
            item=s["item"],
            source=SpendingSource(s["source"]),
            planned=s["planned"],
            actual=s["actual"],
        )
        for s in spending
    ]
    db.session.flush()
    _audit(a, actor, report, "fill_report", at, round=report.round)
    return report
