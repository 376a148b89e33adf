"""Every (state, trigger) pair of both machines, through ``fire`` on real rows.

Allowed pairs are taken with their guards satisfied and must reach the declared
destination; every other pair is refused with ``InvalidTrigger`` and changes nothing.
"""

from __future__ import annotations

import pytest

from initiatives.demo.builder import (
    STEPS,
    at,
    draft_application,
    fill_report,
    scan_pdf,
    score_sheets,
    screening_meeting,
    sign_agreement,
)
from initiatives.grants import operations as grants
from initiatives.lifecycle.operations import fire
from workflows import APPLICATION, COMPETITION, InvalidTrigger

# --- competition ---------------------------------------------------------------------


def _cancel(run):
    fire(run.c, "cancel", run.cast.head, now=at(run.t0, 30), reason="Council moved the money")


def _failed_from_closed(build):
    run = build("applications_closed", proposals=0)
    fire(run.c, "declare_failed", run.cast.specialist, now=at(run.t0, 23))
    return run


def _failed_from_screening(build):
    run = build("applications_closed", proposals=1)
    fire(run.c, "start_screening", run.secretary, now=at(run.t0, 23))
    fire(run.apps[0][0], "reject", run.secretary, now=at(run.t0, 24), reason="Late")
    fire(run.c, "declare_failed", run.cast.specialist, now=at(run.t0, 25))
    return run


MAIN_PATH = {(state, COMPETITION.from_state(state)[0].trigger) for state in STEPS}
MAIN_PATH = {
    (
        s,
        next(
            t.trigger
            for t in COMPETITION.from_state(s)
            if t.dest.value not in ("cancelled", "failed")
        ),
    )
    for s in STEPS
}
CANCELLABLE = {s.value for t in COMPETITION.transitions if t.trigger == "cancel" for s in t.sources}
ALLOWED = {(s.value, t.trigger) for t in COMPETITION.transitions for s in t.sources}


def test_the_table_covers_every_allowed_competition_pair():
    covered = (
        MAIN_PATH
        | {(s, "cancel") for s in CANCELLABLE}
        | {("applications_closed", "declare_failed"), ("screening", "declare_failed")}
    )
    assert covered == ALLOWED


@pytest.mark.parametrize("state", sorted(STEPS))
def test_main_path_step(build, state):
    run = build(state)
    trigger = dict(MAIN_PATH)[state]
    STEPS[state](run)
    assert run.c.state == COMPETITION.transition(trigger, state).dest.value


@pytest.mark.parametrize("state", sorted(CANCELLABLE))
def test_cancel(build, state):
    run = build(state)
    _cancel(run)
    assert run.c.state == "cancelled"
    assert run.c.cancel_reason == "Council moved the money"


@pytest.mark.parametrize("maker", [_failed_from_closed, _failed_from_screening])
def test_declare_failed(build, maker):
    assert maker(build).c.state == "failed"


def competition_in(build, state):
    if state == "cancelled":
        run = build("announced")
        _cancel(run)
        return run
    if state == "failed":
        return _failed_from_closed(build)
    return build(state)


@pytest.mark.parametrize("state", [s.value for s in COMPETITION.states])
def test_competition_refuses_every_other_trigger(build, db, state):
    run = competition_in(build, state)
    version = run.c.version
    refused = [t for t in COMPETITION.triggers if (state, t) not in ALLOWED]
    assert refused or state not in ("closed", "cancelled", "failed")
    for trigger in refused:
        with pytest.raises(InvalidTrigger):
            fire(run.c, trigger, run.cast.specialist, now=at(run.t0, 200))
        assert run.c.state == state
    db.session.flush()
    assert run.c.version == version


# --- application ---------------------------------------------------------------------


def _draft(build):
    run = build("announced", proposals=0)
    applicant, proposal = (
        run.cast.applicants[0],
        __import__("initiatives.demo.loader", fromlist=["PROPOSALS"]).PROPOSALS[0],
    )
    a = draft_application(run.c, applicant, proposal, run.t0)
    run.apps.append((a, proposal))
    return run, a


def _submitted(build):
    run = build("announced", proposals=1)
    return run, run.apps[0][0]


def _submitted_in_screening(build):
    run = build("applications_closed", proposals=1)
    fire(run.c, "start_screening", run.secretary, now=at(run.t0, 23))
    return run, run.apps[0][0]


def _admitted(build):
    run = build("screening", proposals=1)
    fire(
        run.c,
        "finish_screening",
        run.secretary,
        now=at(run.t0, 25),
        meeting=screening_meeting(run.c, at(run.t0, 25)),
    )
    a, p = run.apps[0]
    score_sheets(run, a, p)
    return run, a


def _scored(build):
    run = build("scoring", proposals=1)
    return run, run.apps[0][0]


def _awarded(build):
    """An announced winner whose agreement is signed on paper, its scan attached."""
    run = build("winners_announced", proposals=1)
    a = run.apps[0][0]
    grants.record_agreement(a, run.cast.specialist, number="1", signed_on=at(run.t0, 38).date())
    grants.attach_scan(
        a,
        run.cast.specialist,
        filename="signed.pdf",
        content=scan_pdf("Agreement 1"),
        content_type="application/pdf",
    )
    return run, a


def _awarded_in_scoring(build):
    """Awarded while the commission still prepares its proposal: it may reconsider."""
    run, a = _scored(build)
    fire(a, "award", run.chair, now=at(run.t0, 32), amount="10000")
    return run, a


def _contracted(build):
    run = build("winners_announced", proposals=1)
    sign_agreement(run, run.apps[0][0], 1)
    fire(run.c, "start_implementation", run.cast.specialist, now=at(run.t0, 40))
    return run, run.apps[0][0]


def _reporting(build):
    run = build("implementation", proposals=1)
    a, p = run.apps[0]
    fill_report(run, a, p)
    return run, a


def _report_submitted(build):
    run, a = _reporting(build)
    fire(a, "submit_report", a.owner, now=at(run.t0, 96))
    return run, a


def _returned(build):
    run, a = _report_submitted(build)
    fire(a, "return_report", run.cast.specialist, now=at(run.t0, 97), reason="Add receipts")
    fill_report(run, a, run.apps[0][1], day=98)
    return run, a


def _rejected(build):
    run, a = _submitted_in_screening(build)
    fire(a, "reject", run.secretary, now=at(run.t0, 24), reason="Late")
    return run, a


def _not_awarded(build):
    run, a = _scored(build)
    fire(a, "not_award", run.chair, now=at(run.t0, 32))
    return run, a


def _completed(build):
    run, a = _report_submitted(build)
    fire(a, "accept_report", run.cast.specialist, now=at(run.t0, 100))
    return run, a


def _withdrawn(build):
    run, a = _submitted(build)
    fire(a, "withdraw", a.owner, now=at(run.t0, 10))
    return run, a


def _terminated(build):
    run, a = _reporting(build)
    fire(a, "terminate", run.cast.head, now=at(run.t0, 60), reason="Did not start")
    return run, a


MAKERS = {
    "draft": _draft,
    "submitted": _submitted,
    "admitted": _admitted,
    "rejected": _rejected,
    "scored": _scored,
    "awarded": _awarded,
    "not_awarded": _not_awarded,
    "contracted": _contracted,
    "reporting": _reporting,
    "report_submitted": _report_submitted,
    "returned": _returned,
    "completed": _completed,
    "withdrawn": _withdrawn,
    "terminated": _terminated,
}


def _by(role):
    return {
        "owner": lambda run, a: a.owner,
        "secretary": lambda run, a: run.secretary,
        "chair": lambda run, a: run.chair,
        "specialist": lambda run, a: run.cast.specialist,
        "head": lambda run, a: run.cast.head,
    }[role]


# The office records a withdrawal with the reason and the hash of the applicant's request.
WRITTEN_REQUEST = {"reason": "Asked for in writing", "written_request": "ab" * 32}
# (state, trigger): (how to get there, who fires, data, day after T0)
APP_CASES = {
    ("draft", "submit"): (_draft, "owner", {}, 6),
    ("draft", "withdraw"): (_draft, "owner", {}, 6),
    ("submitted", "withdraw"): (_submitted, "owner", {}, 10),
    ("draft", "record_withdrawal"): (_draft, "specialist", WRITTEN_REQUEST, 6),
    ("submitted", "record_withdrawal"): (_submitted, "specialist", WRITTEN_REQUEST, 10),
    ("submitted", "admit"): (_submitted_in_screening, "secretary", {}, 24),
    ("submitted", "reject"): (_submitted_in_screening, "secretary", {"reason": "Late"}, 24),
    ("admitted", "mark_scored"): (_admitted, "secretary", {}, 30),
    ("scored", "award"): (_scored, "chair", {"amount": "10000"}, 32),
    ("scored", "not_award"): (_scored, "chair", {}, 32),
    ("awarded", "reconsider"): (_awarded_in_scoring, "chair", {}, 33),
    ("not_awarded", "reconsider"): (_not_awarded, "secretary", {}, 33),
    ("awarded", "sign_agreement"): (_awarded, "specialist", {}, 38),
    ("awarded", "terminate"): (_awarded, "head", {"reason": "Refused to sign"}, 38),
    ("contracted", "begin_implementation"): (_contracted, "specialist", {}, 40),
    ("contracted", "terminate"): (_contracted, "head", {"reason": "Moved away"}, 40),
    ("reporting", "submit_report"): (_reporting, "owner", {}, 96),
    ("reporting", "terminate"): (_reporting, "head", {"reason": "Did not start"}, 60),
    ("report_submitted", "return_report"): (
        _report_submitted,
        "specialist",
        {"reason": "Add receipts"},
        97,
    ),
    ("report_submitted", "accept_report"): (_report_submitted, "specialist", {}, 100),
    ("report_submitted", "terminate"): (_report_submitted, "head", {"reason": "Fraud"}, 100),
    ("returned", "submit_report"): (_returned, "owner", {}, 99),
    ("returned", "terminate"): (_returned, "head", {"reason": "No receipts"}, 100),
}
APP_ALLOWED = {(s.value, t.trigger) for t in APPLICATION.transitions for s in t.sources}


def test_the_table_covers_every_allowed_application_pair():
    assert set(APP_CASES) == APP_ALLOWED
    assert set(MAKERS) == {s.value for s in APPLICATION.states}


@pytest.mark.parametrize("case", sorted(APP_CASES), ids=lambda c: f"{c[0]}-{c[1]}")
def test_application_step(build, case):
    state, trigger = case
    make, role, data, day = APP_CASES[case]
    run, a = make(build)
    assert a.state == state
    fire(a, trigger, _by(role)(run, a), now=at(run.t0, day), **data)
    assert a.state == APPLICATION.transition(trigger, state).dest.value


@pytest.mark.parametrize("state", sorted(MAKERS))
def test_application_refuses_every_other_trigger(build, state):
    run, a = MAKERS[state](build)
    assert a.state == state
    for trigger in APPLICATION.triggers:
        if (state, trigger) in APP_ALLOWED:
            continue
        with pytest.raises(InvalidTrigger):
            fire(a, trigger, run.cast.specialist, now=at(run.t0, 200))
        assert a.state == state
