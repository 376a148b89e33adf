"""``fire``: role, guards, audit event and document record, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from initiatives.audit.models import AuditEvent
from initiatives.demo.builder import at
from initiatives.documents.models import Document
from initiatives.lifecycle.errors import NotPermitted
from initiatives.lifecycle.operations import available, fire
from workflows import GuardsFailed


def count(db, model, **where):
    stmt = select(func.count()).select_from(model).filter_by(**where)
    return db.session.scalar(stmt)


def test_a_step_writes_its_audit_event_and_documents(build, db):
    run = build("commission_formed")
    before = count(db, AuditEvent, action="announce")
    done = fire(run.c, "announce", run.cast.specialist, now=run.t0)
    assert (done.from_state, done.to_state) == ("commission_formed", "announced")
    event = db.session.scalars(select(AuditEvent).filter_by(action="announce")).one()
    assert count(db, AuditEvent, action="announce") == before + 1
    assert (event.from_state, event.to_state, event.actor_id) == (
        "commission_formed",
        "announced",
        run.cast.specialist.id,
    )
    assert "specialist" in event.actor_roles
    kinds = sorted(d.kind.value for d in done.documents)
    assert kinds == ["announcement", "application_form"]
    announcement = next(d for d in done.documents if d.kind.value == "announcement")
    snap = announcement.snapshot
    assert snap["competition"]["title"]["ky"] == run.c.title_ky
    assert snap["competition"]["local_budget"] == "23000.00"
    assert next(s["name"] for s in snap["commission"]["seats"]) == "Жылдыз Абдыкадырова"
    assert len(snap["criteria"]) == 5
    assert announcement.public and len(announcement.token) >= 40


def test_document_numbers_run_without_gaps_per_municipality_and_year(build, db):
    build("winners_announced")
    numbers = db.session.scalars(select(Document.number).order_by(Document.number)).all()
    assert numbers == list(range(1, len(numbers) + 1))


def test_the_snapshot_is_frozen(build, db):
    run = build("funded")
    doc = db.session.scalars(select(Document).filter_by(kind="budget_allocation")).one()
    run.c.funding_sources[0].amount = 99999
    db.session.flush()
    db.session.refresh(doc)
    assert doc.snapshot["competition"]["local_budget"] == "23000.00"


def test_receipts_are_private_and_carry_no_public_flag(build, db):
    build("announced", proposals=1)
    receipt = db.session.scalars(select(Document).filter_by(kind="receipt")).one()
    assert not receipt.public
    assert receipt.snapshot["application"]["number"] == 1


def test_wrong_role_is_refused_and_nothing_changes(build, db):
    run = build("commission_formed")
    applicant = run.cast.applicants[0]
    events = count(db, AuditEvent)
    with pytest.raises(NotPermitted):
        fire(run.c, "announce", applicant, now=run.t0)
    assert run.c.state == "commission_formed"
    assert count(db, AuditEvent) == events


def test_a_failed_guard_says_why_and_changes_nothing(build, db, world):
    run = build("funded")
    with pytest.raises(GuardsFailed) as refused:
        fire(run.c, "form_commission", run.cast.head, now=at(run.t0, -10))
    messages = [r.format() for r in refused.value.reasons]
    assert "the commission has 0 members; the regulation asks for at least 5" in messages
    assert run.c.state == "funded"
    assert count(db, Document, kind="commission_order") == 0


def test_guards_follow_the_municipality_regulation(build, db, world):
    m, _cast = world
    m.min_commission_size = 7
    run = build("funded")
    from initiatives.demo.builder import seat_commission

    seat_commission(run.c, run.cast, run.t0)
    with pytest.raises(GuardsFailed) as refused:
        fire(run.c, "form_commission", run.cast.head, now=at(run.t0, -10))
    assert refused.value.reasons[0].params == {"n": 5, "min": 7}


def test_available_lists_steps_with_reasons_for_the_actor(build):
    run = build("funded")
    steps = {t.trigger: reasons for t, reasons in available(run.c, run.cast.head)}
    assert set(steps) == {"form_commission", "cancel"}
    assert steps["form_commission"]  # the commission is not seated yet
    assert steps["cancel"] == []  # the reason is asked by the form, not a blocker
    applicant_steps = available(run.c, run.cast.applicants[0])
    assert applicant_steps == []


def test_award_cannot_exceed_the_money(build):
    run = build("scoring", proposals=3)
    first, second, third = (a for a, _p in run.apps)
    fire(first, "award", run.chair, now=at(run.t0, 32), amount="12000")
    fire(second, "award", run.chair, now=at(run.t0, 32), amount="11000")
    with pytest.raises(GuardsFailed) as refused:
        fire(third, "award", run.chair, now=at(run.t0, 32), amount="9000")
    assert refused.value.reasons[0].message == "only %(left)s of the local budget money remains"


def test_submission_after_the_deadline_keeps_the_draft(build, db):
    from initiatives.demo.builder import draft_application
    from initiatives.demo.loader import PROPOSALS

    run = build("announced", proposals=0)
    a = draft_application(run.c, run.cast.applicants[0], PROPOSALS[0], run.t0)
    db.session.commit()
    with pytest.raises(GuardsFailed) as refused:
        fire(a, "submit", run.cast.applicants[0], now=at(run.t0, 21))
    assert refused.value.reasons[0].message == "the submission deadline has passed"
    db.session.rollback()
    db.session.refresh(a)
    assert a.state == "draft" and a.title == PROPOSALS[0].title and len(a.budget_lines) == 3


def test_registration_numbers_follow_submission_order(build):
    run = build("announced", proposals=4, paper=2)
    assert [a.number for a, _p in run.apps] == [1, 2, 3, 4]
    paper = run.apps[2][0]
    assert paper.channel.value == "paper" and paper.entered_by_id == run.cast.specialist.id
