"""Concurrent steps on PostgreSQL: the row lock makes one win and the other be refused by
the workflow (it sees the new state), never both applied."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from initiatives.applications.models import Application
from initiatives.audit.models import AuditEvent
from initiatives.auth.models import User
from initiatives.competitions.models import Competition
from initiatives.core.enums import MeetingPurpose
from initiatives.demo.builder import at, draft_application
from initiatives.demo.loader import PROPOSALS
from initiatives.documents.models import Document
from initiatives.lifecycle.operations import fire
from initiatives.scoring import operations as scoring
from workflows import InvalidTrigger

pytestmark = pytest.mark.usefixtures("postgres")


def race(app, jobs):
    """Run each job in its own thread and session, all released at once; collect what
    each one ended with ("ok" or the exception's class name)."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, job):
        with app.app_context():
            from initiatives.extensions import db

            try:
                args = job["load"](db)
                barrier.wait(timeout=10)
                job["run"](db, *args)
                db.session.commit()
                results[i] = "ok"
            except Exception as exc:
                db.session.rollback()
                results[i] = type(exc).__name__
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_conflicting_steps_exactly_one_wins(app, build, db):
    """Approving the results and cancelling exclude each other: after either, the other is
    not a step of the workflow. (Announce and cancel would not do: cancelling an announced
    competition is allowed, so both may rightly succeed one after the other.)"""
    run = build("scoring", proposals=1)
    a = run.apps[0][0]
    fire(a, "not_award", run.chair, now=at(run.t0, 32))
    present = {s.id for s in run.c.seats}
    scoring.record_meeting(
        run.c,
        run.secretary,
        purpose=MeetingPurpose.RESULTS,
        held_at=at(run.t0, 33),
        present=present,
        motions=[{"kind": "approve", "votes": dict.fromkeys(present, "for")}],
    )
    db.session.commit()
    cid, t0 = run.c.id, run.t0
    chair_id, head_id = run.chair.id, run.cast.head.id

    def load(user_id):
        return lambda db: (db.session.get(Competition, cid), db.session.get(User, user_id))

    results = race(
        app,
        [
            {
                "load": load(chair_id),
                "run": lambda db, c, u: fire(c, "approve_results", u, now=at(t0, 34)),
            },
            {
                "load": load(head_id),
                "run": lambda db, c, u: fire(
                    c, "cancel", u, now=at(t0, 34), reason="Flood repairs"
                ),
            },
        ],
    )
    assert sorted(results) == ["InvalidTrigger", "ok"]
    db.session.expire_all()
    c = db.session.get(Competition, cid)
    assert c.state in ("results_approved", "cancelled")
    events = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action.in_(["approve_results", "cancel"]))
    )
    assert events == 1
    kinds = {
        k.value
        for k in db.session.scalars(select(Document.kind).where(Document.competition_id == cid))
    }
    assert len({"results_protocol", "cancellation_notice"} & kinds) == 1


def test_the_same_step_twice_is_applied_once(app, build, db):
    run = build("commission_formed")
    db.session.commit()
    cid, t0, uid = run.c.id, run.t0, run.cast.specialist.id
    job = {
        "load": lambda db: (db.session.get(Competition, cid), db.session.get(User, uid)),
        "run": lambda db, c, u: fire(c, "announce", u, now=t0),
    }
    assert sorted(race(app, [job, dict(job)])) == ["InvalidTrigger", "ok"]
    announcements = db.session.scalar(
        select(func.count())
        .select_from(Document)
        .where(Document.competition_id == cid, Document.kind == "announcement")
    )
    assert announcements == 1


def test_parallel_submissions_get_unique_gapless_numbers(app, build, db):
    run = build("announced", proposals=0)
    drafts = []
    for applicant, proposal in zip(run.cast.applicants, PROPOSALS, strict=True):
        drafts.append((draft_application(run.c, applicant, proposal, run.t0).id, applicant.id))
    db.session.commit()
    t0 = run.t0

    def job(aid, uid):
        return {
            "load": lambda db: (db.session.get(Application, aid), db.session.get(User, uid)),
            "run": lambda db, a, u: fire(a, "submit", u, now=at(t0, 6)),
        }

    assert race(app, [job(a, u) for a, u in drafts]) == ["ok"] * len(drafts)
    db.session.expire_all()
    numbers = sorted(
        db.session.scalars(select(Application.number).where(Application.competition_id == run.c.id))
    )
    assert numbers == list(range(1, len(drafts) + 1))


def test_invalid_trigger_is_refused_cleanly_after_losing(app, build, db):
    """The loser's transaction is rolled back and its session stays usable."""
    run = build("commission_formed")
    db.session.commit()
    fire(run.c, "announce", run.cast.specialist, now=run.t0)
    db.session.commit()
    with pytest.raises(InvalidTrigger):
        fire(run.c, "announce", run.cast.specialist, now=run.t0)
    db.session.rollback()
    assert db.session.get(Competition, run.c.id).state == "announced"


def test_two_clerks_cannot_together_pay_beyond_the_award(app, build, db):
    """Two payments of 8 000 under an agreement of 12 000, recorded at the same moment: the
    agreement row is held while a payment is checked, so the second sees the first and is
    refused. Without the lock both would pass their check and pay 16 000."""
    from datetime import date

    from initiatives.demo.builder import sign_agreement
    from initiatives.grants import operations as grants
    from initiatives.grants.models import Agreement, Payment

    run = build("winners_announced", proposals=2)
    a = next(a for a, _p in run.winners())
    sign_agreement(run, a, 1)
    db.session.commit()
    agreement_id, clerk_id = a.agreement.id, run.cast.specialist.id
    assert a.agreement.amount == 12000

    def job(order):
        return {
            "load": lambda db: (
                db.session.get(Agreement, agreement_id),
                db.session.get(User, clerk_id),
            ),
            "run": lambda db, g, u: grants.record_payment(
                g, u, paid_on=date(2026, 4, 20), amount=8000, order_number=order
            ),
        }

    results = race(app, [job("PO-A"), job("PO-B")])
    assert sorted(results) == ["Refused", "ok"]
    db.session.expire_all()
    paid = db.session.scalar(
        select(func.sum(Payment.amount)).where(Payment.agreement_id == agreement_id)
    )
    assert paid == 8000
