"""The books of a grant add up (issue 26, item 9): a refund is capped at the money that is
unspent, the competition closes only when paid = spent + returned for every grant, and a
booked entry is corrected only by a reversal with its reason, kept in the audit trail.

The Orozbekov pair: 12 000 and 11 000 som of the local budget, paid in full (23 000)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from initiatives.applications.models import Application
from initiatives.audit.models import AuditEvent
from initiatives.auth.models import User
from initiatives.competitions.models import Competition
from initiatives.core.enums import DocumentKind
from initiatives.grants import operations, summary
from initiatives.grants.models import Agreement, Payment, Refund
from tests.web.test_grants import (
    OROZBEKOV,
    SPECIALIST,
    document_pdf,
    owner_login,
    report_and_accept,
    report_form,
    text,
    winners,
)


@pytest.fixture
def login(login):
    """Logged in and reading English, the language of the messages looked for."""

    def do(who: str):
        client = login(who)
        client.post("/language/en")
        return client

    return do


def finish(client, login, db, run, less: Decimal):
    """Both reports accepted; the first initiative spent ``less`` som of the local budget
    less than it was paid. Leaves the specialist logged in."""
    first, second = winners(run)
    report_and_accept(client, login, db, second, OROZBEKOV[1])
    login(owner_login(first))
    client.get(f"/applications/{first.id}/report")
    data = report_form(db, first, OROZBEKOV[0], results="Five events.", submit=True)
    spending = operations.draft_round(db.session.get(Application, first.id)).spending
    i, local = next((i, s) for i, s in enumerate(spending) if s.source.value == "local")
    data[f"actual_{i}"] = str(local.planned - less)
    assert client.post(f"/applications/{first.id}/report", data=data).status_code == 302
    login(SPECIALIST)
    response = client.post(f"/applications/{first.id}/steps/accept_report", data={"confirm": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    return db.session.get(Application, first.id), db.session.get(Application, second.id)


def refund(client, a, amount: str, order: str, day: str = "2026-09-01"):
    return client.post(
        f"/applications/{a.id}/refunds",
        data={"refund-day": day, "refund-amount": amount, "refund-order_number": order},
    )


def reverse(client, a, entry: str, reason: str, day: str = "2026-09-02"):
    return client.post(
        f"/applications/{a.id}/reversals",
        data={"reversal-entry": entry, "reversal-day": day, "reversal-reason": reason},
    )


def close(client, run):
    return client.post(f"/competitions/{run.c.id}/steps/close", data={"confirm": "1"})


def refunds_of(db, a) -> list[Refund]:
    db.session.expire_all()
    return db.session.scalars(
        select(Refund).where(Refund.agreement_id == a.agreement.id).order_by(Refund.id)
    ).all()


def test_a_refund_above_the_unspent_money_is_refused(build, client, login, db):
    run = build("implementation", proposals=4)
    first, _second = finish(client, login, db, run, Decimal("1000"))

    # Paid 12 000, spent 11 000: 2 000 cannot come back, and what was typed stays.
    response = refund(client, first, "2000", "R-1")
    assert response.status_code == 422
    page = text(response)
    assert "only 1,000.00 som is unspent" in page
    assert 'value="2000' in page and 'value="R-1"' in page
    assert refunds_of(db, first) == []

    assert refund(client, first, "1000", "R-1").status_code == 302
    assert refund(client, first, "0.01", "R-2").status_code == 422  # nothing left
    assert close(client, run).status_code == 302
    final = " ".join(
        document_pdf(client, db, DocumentKind.FINAL_REPORT, competition_id=run.c.id).split()
    )
    assert "22 000,00" in final and "1 000,00" in final  # spent, returned


def test_closing_refuses_books_that_do_not_add_up(build, client, login, db):
    """The books of the issue: paid 23 000, spent 22 000, returned 2 000 (a refund booked
    before refunds were capped)."""
    run = build("implementation", proposals=4)
    first, _second = finish(client, login, db, run, Decimal("1000"))
    db.session.add(
        Refund(
            agreement_id=first.agreement.id,
            returned_on=date(2026, 9, 1),
            amount=Decimal("2000"),
            order_number="R-OLD",
        )
    )
    db.session.commit()

    # The competition's page says why it cannot close, before anyone tries.
    page = text(client.get(f"/competitions/{run.c.id}"))
    assert f"the books of initiative No. {first.number} do not add up" in page
    response = close(client, run)
    assert response.status_code == 409
    page = text(response)
    assert f"the books of initiative No. {first.number} do not add up" in page
    assert "paid 12,000.00 som, spent 11,000.00 som, returned 2,000.00 som" in page
    assert "exceed the payments by 1,000.00 som" in page
    db.session.expire_all()
    assert db.session.get(Competition, run.c.id).state == "implementation"

    # The correction: the wrong refund reversed with its reason, the right one booked.
    (wrong,) = refunds_of(db, first)
    reason = "The refund order R-OLD was for 1 000 som, typed as 2 000."
    assert reverse(client, first, f"refund-{wrong.id}", reason).status_code == 302
    assert refund(client, first, "1000", "R-OLD").status_code == 302
    assert close(client, run).status_code == 302
    final = " ".join(
        document_pdf(client, db, DocumentKind.FINAL_REPORT, competition_id=run.c.id).split()
    )
    assert "22 000,00" in final and "1 000,00" in final
    db.session.expire_all()
    local = summary.figures(db.session.get(Competition, run.c.id))["money"]["local"]
    assert (local["paid"], local["spent"], local["returned"]) == ("23000.00", "22000.00", "1000.00")


def test_closing_refuses_spending_above_the_payments(build, client, login, db):
    """A report that spent more of the local budget than was paid: the last tranche is
    still owed, and the books say so."""
    run = build("implementation", proposals=4)
    first, _second = finish(client, login, db, run, Decimal("-500"))
    response = close(client, run)
    assert response.status_code == 409
    page = text(response)
    assert f"the books of initiative No. {first.number} do not add up" in page
    assert "paid 12,000.00 som, spent 12,500.00 som, returned 0.00 som" in page


def test_a_reversal_with_its_reason_is_kept_in_the_audit_trail(build, client, login, db):
    run = build("implementation", proposals=4)
    first, _second = finish(client, login, db, run, Decimal("1000"))
    assert refund(client, first, "1000", "R-7").status_code == 302
    (booked,) = refunds_of(db, first)

    reason = "Returned by the other initiative, booked here by mistake."
    response = reverse(client, first, f"refund-{booked.id}", reason)
    assert response.status_code == 302
    original, reversal = refunds_of(db, first)
    # The booked entry is not changed: a new entry of the opposite sign undoes it.
    assert (original.id, original.amount, original.reason) == (booked.id, Decimal("1000.00"), None)
    assert reversal.reverses_id == booked.id and reversal.amount == Decimal("-1000.00")
    assert reversal.reason == reason
    assert db.session.get(Agreement, first.agreement.id).refunded == 0
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "reverse_refund")
    ).one()
    assert event.subject_type == "refund" and event.subject_id == reversal.id
    assert event.data["reason"] == reason and event.data["reverses"] == booked.id
    assert event.actor_id == db.session.scalar(select(User.id).where(User.email == SPECIALIST))
    page = text(client.get(f"/applications/{first.id}/grant"))
    assert reason in page

    # An entry is reversed once; a reversal is not reversed; the number may be booked again.
    assert reverse(client, first, f"refund-{booked.id}", reason).status_code == 422
    assert reverse(client, first, f"refund-{reversal.id}", reason).status_code == 422
    assert refund(client, first, "1000", "R-7").status_code == 302
    db.session.expire_all()
    assert db.session.get(Agreement, first.agreement.id).refunded == Decimal("1000.00")


def test_a_reversal_without_a_reason_is_refused(build, client, login, db):
    run = build("implementation", proposals=4)
    first = winners(run)[0]
    login(SPECIALIST)
    payment = first.agreement.payments[0]
    for reason in ("", "   "):
        response = reverse(client, first, f"payment-{payment.id}", reason)
        assert response.status_code == 422
        assert "A reversal needs its reason" in text(response)
    db.session.expire_all()
    g = db.session.get(Agreement, first.agreement.id)
    assert [p.amount for p in g.payments] == [Decimal("12000.00")]
    assert not db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("reverse_%"))
    )
    # Nor can one be written past the operations: the database asks for the reason too.
    payment = g.payments[0]
    db.session.add(
        Payment(
            agreement_id=g.id,
            paid_on=payment.paid_on,
            amount=-payment.amount,
            order_number=payment.order_number,
            reverses_id=payment.id,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_payment_reversal_cannot_leave_more_returned_than_paid(build, client, login, db):
    run = build("implementation", proposals=4)
    first, _second = finish(client, login, db, run, Decimal("1000"))
    assert refund(client, first, "1000", "R-1").status_code == 302
    payment = first.agreement.payments[0]
    response = reverse(client, first, f"payment-{payment.id}", "Paid from the wrong account.")
    assert response.status_code == 422
    assert "reverse the refunds first" in text(response)


@pytest.mark.usefixtures("postgres")
def test_two_refunds_at_once_never_return_more_than_is_unspent(app, build, client, login, db):
    """Paid 12 000, spent 10 500: two clerks record 1 000 each at the same moment. The
    agreement row is locked (SELECT ... FOR UPDATE), so the second sees the first."""
    from tests.lifecycle.test_concurrency import race

    run = build("implementation", proposals=4)
    first, _second = finish(client, login, db, run, Decimal("1500"))
    agreement_id = first.agreement.id
    clerk_id = db.session.scalar(select(User.id).where(User.email == SPECIALIST))

    def job(order):
        return {
            "load": lambda db: (
                db.session.get(Agreement, agreement_id),
                db.session.get(User, clerk_id),
            ),
            "run": lambda db, g, u: operations.record_refund(
                g, u, returned_on=date(2026, 9, 1), amount="1000", order_number=order
            ),
        }

    assert sorted(race(app, [job("R-A"), job("R-B")])) == ["Refused", "ok"]
    db.session.expire_all()
    returned = db.session.scalar(
        select(func.sum(Refund.amount)).where(Refund.agreement_id == agreement_id)
    )
    assert returned == Decimal("1000.00")
