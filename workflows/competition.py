"""The competition lifecycle (DOMAIN.md, steps 1-13) as data.

Guards read this protocol of the subject (the ORM row satisfies it; tests may use stand-ins):
``state``, ``regulation`` (min_commission_size, odd_commission, min_application_days,
quorum_share), ``funding_sources`` (kind, amount, decision_number, decision_date),
``seats`` (seat_role, accepted_at), ``order_number``, ``order_date``, ``title_ky/ru/en``,
``criteria``, ``max_grant``, ``min_own_share``, the deadlines, ``applications`` (state,
awarded_amount), ``meetings`` (purpose, held_at, quorum_met, approved, motions: kind, application,
``application_id``, amount, partners, passed); awarded applications' ``award_shares``.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from workflows.base import (
    Context,
    StateEnum,
    Transition,
    Workflow,
    checks_input,
    roles,
    sources,
)
from workflows.i18n import N_, Reason


class CompetitionState(StateEnum):
    DRAFT = "draft", N_("Draft"), N_("In preparation")
    FUNDED = "funded", N_("Budget allocated"), N_("In preparation")
    COMMISSION_FORMED = "commission_formed", N_("Commission formed"), N_("In preparation")
    ANNOUNCED = "announced", N_("Announced: accepting applications"), N_("Accepting applications")
    APPLICATIONS_CLOSED = "applications_closed", N_("Applications closed"), N_("Under review")
    SCREENING = "screening", N_("Screening"), N_("Under review")
    SCORING = "scoring", N_("Scoring"), N_("Under review")
    RESULTS_APPROVED = "results_approved", N_("Results approved"), N_("Under review")
    WINNERS_ANNOUNCED = "winners_announced", N_("Winners announced"), N_("Winners announced")
    IMPLEMENTATION = "implementation", N_("Implementation"), N_("Initiatives under way")
    CLOSED = "closed", N_("Closed"), N_("Completed")
    CANCELLED = "cancelled", N_("Cancelled"), N_("Cancelled")
    FAILED = "failed", N_("Failed: no admissible applications"), N_("Did not take place")


S = CompetitionState

# Application states, by value, so this module does not depend on the other workflow.
SUBMITTED_OR_LATER = {
    "submitted",
    "admitted",
    "rejected",
    "scored",
    "awarded",
    "not_awarded",
    "contracted",
    "reporting",
    "report_submitted",
    "returned",
    "completed",
    "terminated",
}
AWARDED_OR_LATER = {
    "awarded",
    "contracted",
    "reporting",
    "report_submitted",
    "returned",
    "completed",
    "terminated",
}


# --- guards: each returns None when the step may be taken, else a Reason -------------------


def local_budget_decided(c, ctx: Context) -> Reason | None:
    local = [s for s in c.funding_sources if s.kind == "local_budget"]
    if not local:
        return Reason(N_("no local-budget allocation is recorded yet"))
    for s in local:
        if not (s.decision_number and s.decision_date):
            return Reason(N_("the council decision number and date are missing"))
    return None


def sources_positive(c, ctx: Context) -> Reason | None:
    if any((s.amount or 0) <= 0 for s in c.funding_sources):
        return Reason(N_("every source of money must have a positive amount"))
    return None


def commission_size(c, ctx: Context) -> Reason | None:
    n, minimum = len(c.seats), c.regulation.min_commission_size
    if n < minimum:
        return Reason(
            N_("the commission has %(n)s members; the regulation asks for at least %(min)s"),
            {"n": n, "min": minimum},
        )
    return None


def commission_odd(c, ctx: Context) -> Reason | None:
    if c.regulation.odd_commission and len(c.seats) % 2 == 0:
        return Reason(
            N_("the commission has %(n)s members; the regulation asks for an odd number"),
            {"n": len(c.seats)},
        )
    return None


def one_chair_one_secretary(c, ctx: Context) -> Reason | None:
    chairs = sum(1 for s in c.seats if s.seat_role == "chair")
    secretaries = sum(1 for s in c.seats if s.seat_role == "secretary")
    if chairs != 1 or secretaries != 1:
        return Reason(
            N_("the commission needs exactly one chair and one secretary (now %(c)s and %(s)s)"),
            {"c": chairs, "s": secretaries},
        )
    return None


def seats_accepted(c, ctx: Context) -> Reason | None:
    """Nobody sits on a commission without consent: every seat offered to a registered
    person is accepted (or removed) before the commission is formed and announced."""
    pending = sum(1 for s in c.seats if s.accepted_at is None)
    if pending:
        return Reason(
            N_(
                "%(n)s invited members have not accepted their seat yet; they accept it after "
                "logging in, or remove their seats"
            ),
            {"n": pending},
        )
    return None


def head_order_recorded(c, ctx: Context) -> Reason | None:
    if not (c.order_number and c.order_date):
        return Reason(N_("the number and date of the head's order are missing"))
    return None


def titles_present(c, ctx: Context) -> Reason | None:
    if not (c.title_ky and c.title_ru):
        return Reason(N_("the title in Kyrgyz and in Russian is required"))
    return None


def criteria_present(c, ctx: Context) -> Reason | None:
    if not c.criteria:
        return Reason(N_("no scoring criteria are defined"))
    return None


def deadlines_in_order(c, ctx: Context) -> Reason | None:
    chain = [c.opens_at, c.submission_deadline, c.implementation_deadline, c.report_deadline]
    if any(d is None for d in chain):
        return Reason(
            N_("the application window, implementation and report deadlines are required")
        )
    if not all(a < b for a, b in itertools.pairwise(chain)):
        return Reason(
            N_("the deadlines must follow each other: opening, submission, implementation, report")
        )
    return None


def window_long_enough(c, ctx: Context) -> Reason | None:
    if c.opens_at is None or c.submission_deadline is None:
        return None  # deadlines_in_order says it
    days = (c.submission_deadline - c.opens_at).days
    minimum = c.regulation.min_application_days
    if days < minimum:
        return Reason(
            N_("the application window is %(n)s days; the regulation asks for at least %(min)s"),
            {"n": days, "min": minimum},
        )
    return None


def deadline_in_future(c, ctx: Context) -> Reason | None:
    if c.submission_deadline is not None and c.submission_deadline <= ctx.now:
        return Reason(N_("the submission deadline has already passed"))
    return None


def max_grant_fits(c, ctx: Context) -> Reason | None:
    money = c.local_budget_amount
    if c.max_grant is None or c.max_grant <= 0:
        return Reason(N_("the maximum grant must be a positive amount"))
    if c.max_grant > money:
        return Reason(
            N_("the maximum grant %(max)s is above the local budget money %(money)s"),
            {"max": c.max_grant, "money": money},
        )
    return None


def deadline_passed(c, ctx: Context) -> Reason | None:
    if c.submission_deadline is not None and ctx.now < c.submission_deadline:
        return Reason(N_("the submission deadline has not passed yet"))
    return None


def has_submissions(c, ctx: Context) -> Reason | None:
    if not any(a.state in SUBMITTED_OR_LATER for a in c.applications):
        return Reason(N_("no application was submitted; declare the competition failed instead"))
    return None


def nothing_admissible(c, ctx: Context) -> Reason | None:
    if c.state == S.APPLICATIONS_CLOSED.value:
        if any(a.state in SUBMITTED_OR_LATER for a in c.applications):
            return Reason(N_("applications were submitted: screen them first"))
        return None
    if any(a.state == "submitted" for a in c.applications):
        return Reason(N_("some applications are not screened yet"))
    if any(a.state == "admitted" for a in c.applications):
        return Reason(N_("some applications were admitted"))
    return None


def all_screened(c, ctx: Context) -> Reason | None:
    n = sum(1 for a in c.applications if a.state == "submitted")
    if n:
        return Reason(N_("%(n)s applications are not screened yet"), {"n": n})
    return None


def some_admitted(c, ctx: Context) -> Reason | None:
    if not any(a.state == "admitted" for a in c.applications):
        return Reason(N_("no application was admitted; declare the competition failed instead"))
    return None


@checks_input
def screening_meeting_given(c, ctx: Context) -> Reason | None:
    """The commission approves the screening at a meeting: the step carries its date, place,
    attendance and votes (``meeting``), and the protocol prints them. Quorum and majority
    are counted as for the results meeting."""
    m = ctx.data.get("meeting") or {}
    if not (m.get("held_at") and (m.get("place") or "").strip()):
        return Reason(N_("record the screening meeting: its date, place, members present and vote"))
    if ctx.now is not None and m["held_at"] > ctx.now:
        return Reason(N_("the screening meeting cannot be dated in the future"))
    seats = {s.id: s for s in c.seats}
    present = set(m.get("present") or ()) & set(seats)
    if not len(present) > len(seats) * Decimal(str(c.regulation.quorum_share)):
        return Reason(N_("the screening meeting had no quorum"))
    votes = {k: v for k, v in (m.get("votes") or {}).items() if k in present}
    yes = sum(1 for v in votes.values() if v == "for")
    chair = next((i for i, s in seats.items() if s.seat_role == "chair"), None)
    casting = (c.settings or {}).get("casting_vote", True)
    tied_for = casting and votes and yes * 2 == len(votes) and votes.get(chair) == "for"
    if not (yes * 2 > len(votes) or tied_for):
        return Reason(N_("the commission has not voted to approve the screening"))
    return None


def every_application_decided(c, ctx: Context) -> Reason | None:
    open_ = sum(1 for a in c.applications if a.state in ("admitted", "scored"))
    if open_:
        return Reason(
            N_("%(n)s admitted applications have no decision (awarded or not) yet"), {"n": open_}
        )
    return None


def awards_within_money(c, ctx: Context) -> Reason | None:
    awarded = sum(
        (a.awarded_amount or Decimal(0) for a in c.applications if a.state in AWARDED_OR_LATER),
        Decimal(0),
    )
    if awarded > c.local_budget_amount:
        return Reason(
            N_("the awards (%(awarded)s) exceed the local budget money (%(money)s)"),
            {"awarded": awarded, "money": c.local_budget_amount},
        )
    return None


def latest_results_meeting(c):
    """The results meeting that counts: the last one held (a re-vote replaces a vote)."""
    meetings = [m for m in c.meetings if m.purpose == "results"]
    return max(meetings, key=lambda m: (m.held_at, m.id or 0)) if meetings else None


def results_meeting_held(c, ctx: Context) -> Reason | None:
    meeting = latest_results_meeting(c)
    if meeting is None:
        return Reason(N_("the results meeting of the commission is not recorded"))
    if not meeting.quorum_met:
        return Reason(N_("the results meeting had no quorum"))
    if not meeting.approved:
        return Reason(N_("the commission has not voted to approve the results"))
    return None


def _voted_partners(motion) -> dict[str, Decimal]:
    return {str(k): Decimal(str(v)) for k, v in (motion.partners or {}).items()}


def _given_partners(a) -> dict[str, Decimal]:
    return {str(s.funding_source_id): Decimal(str(s.amount)) for s in a.award_shares}


def awards_as_voted(c, ctx: Context) -> Reason | None:
    """Exactly the awards the results meeting adopted, with exactly the amounts it voted."""
    meeting = latest_results_meeting(c)
    if meeting is None:
        return None  # results_meeting_held says it
    voted = {m.application_id: m for m in meeting.motions if m.kind == "award"}
    awarded = {a.id: a for a in c.applications if a.state == "awarded"}
    for a in sorted(awarded.values(), key=lambda a: a.number or 0):
        motion = voted.get(a.id)
        if (
            motion is None
            or motion.amount != a.awarded_amount
            or _voted_partners(motion) != _given_partners(a)
        ):
            return Reason(
                N_(
                    "the award to application No. %(number)s was not put to the vote with "
                    "these amounts: hold the vote again"
                ),
                {"number": a.number},
            )
        if not motion.passed:
            return Reason(
                N_("the commission did not adopt the award to application No. %(number)s"),
                {"number": a.number},
            )
    for application_id, motion in voted.items():
        if application_id not in awarded and motion.application is not None:
            return Reason(
                N_(
                    "application No. %(number)s was voted an award but is not awarded now: "
                    "hold the vote again"
                ),
                {"number": motion.application.number},
            )
    return None


@checks_input
def winners_decision_recorded(c, ctx: Context) -> Reason | None:
    if not (ctx.data.get("decision_number") or c.decision_number):
        return Reason(N_("the number of the head's decision on financing is required"))
    return None


def winners_contracted(c, ctx: Context) -> Reason | None:
    n = sum(1 for a in c.applications if a.state == "awarded")
    if n:
        return Reason(N_("%(n)s winners have no signed agreement yet"), {"n": n})
    return None


def winners_finished(c, ctx: Context) -> Reason | None:
    n = sum(
        1
        for a in c.applications
        if a.state in AWARDED_OR_LATER and a.state not in ("completed", "terminated")
    )
    if n:
        return Reason(N_("%(n)s initiatives have no accepted report yet"), {"n": n})
    return None


def money_settled(c, ctx: Context) -> Reason | None:
    """Unspent local money is back: a completed initiative has returned what its accepted
    report did not spend, and a terminated one that was paid has its refund recorded."""
    unsettled = []
    for a in c.applications:
        g = a.agreement
        if g is None or a.state not in ("completed", "terminated") or g.paid == 0:
            continue
        if a.state == "terminated":
            if not g.refunds:
                unsettled.append(a.number)
            continue
        report = a.current_report
        spent = report.actual("local") if report is not None else Decimal(0)
        if g.paid - spent - g.refunded > 0:
            unsettled.append(a.number)
    if unsettled:
        return Reason(
            N_("unspent money of initiatives No. %(numbers)s is not returned yet"),
            {"numbers": ", ".join(str(n) for n in sorted(unsettled))},
        )
    return None


def no_awards_yet(c, ctx: Context) -> Reason | None:
    if any(a.state in AWARDED_OR_LATER for a in c.applications):
        return Reason(N_("money has been awarded; a competition cannot be cancelled after awards"))
    return None


@checks_input
def reason_given(c, ctx: Context) -> Reason | None:
    if not (ctx.data.get("reason") or "").strip():
        return Reason(N_("a reason is required"))
    return None


STAFF = ("specialist", "head", "admin")
COMMISSION_LEAD = ("chair", "secretary", "admin")

COMPETITION = Workflow(
    name="competition",
    states=CompetitionState,
    initial=S.DRAFT,
    transitions=[
        Transition(
            "allocate_budget",
            sources(S.DRAFT),
            S.FUNDED,
            roles("specialist", "admin"),
            N_("Record the budget allocation"),
            guards=(local_budget_decided, sources_positive),
            documents=("budget_allocation",),
        ),
        Transition(
            "form_commission",
            sources(S.FUNDED),
            S.COMMISSION_FORMED,
            roles(*STAFF),
            N_("Form the commission"),
            guards=(
                commission_size,
                commission_odd,
                one_chair_one_secretary,
                seats_accepted,
                head_order_recorded,
            ),
            documents=("commission_order",),
        ),
        Transition(
            "announce",
            sources(S.COMMISSION_FORMED),
            S.ANNOUNCED,
            roles("specialist", "admin"),
            N_("Publish the announcement"),
            guards=(
                seats_accepted,
                titles_present,
                criteria_present,
                deadlines_in_order,
                window_long_enough,
                deadline_in_future,
                max_grant_fits,
            ),
            documents=("announcement", "application_form"),
            final=True,
        ),
        Transition(
            "close_applications",
            sources(S.ANNOUNCED),
            S.APPLICATIONS_CLOSED,
            roles("specialist", "admin", "system"),
            N_("Close the intake of applications"),
            guards=(deadline_passed,),
            documents=("applications_register",),
        ),
        Transition(
            "start_screening",
            sources(S.APPLICATIONS_CLOSED),
            S.SCREENING,
            roles("specialist", *COMMISSION_LEAD),
            N_("Start screening"),
            guards=(has_submissions,),
        ),
        Transition(
            "finish_screening",
            sources(S.SCREENING),
            S.SCORING,
            roles("specialist", *COMMISSION_LEAD),
            N_("Approve the screening and start scoring"),
            guards=(all_screened, some_admitted, screening_meeting_given),
            documents=("screening_protocol",),
        ),
        Transition(
            "declare_failed",
            sources(S.APPLICATIONS_CLOSED, S.SCREENING),
            S.FAILED,
            roles(*STAFF),
            N_("Declare the competition failed"),
            guards=(nothing_admissible,),
            documents=("failure_notice",),
            final=True,
        ),
        Transition(
            "approve_results",
            sources(S.SCORING),
            S.RESULTS_APPROVED,
            roles(*COMMISSION_LEAD),
            N_("Approve the results"),
            guards=(
                every_application_decided,
                awards_within_money,
                results_meeting_held,
                awards_as_voted,
            ),
            documents=("results_protocol",),
            final=True,
        ),
        Transition(
            "announce_winners",
            sources(S.RESULTS_APPROVED),
            S.WINNERS_ANNOUNCED,
            roles("head", "admin"),
            N_("Decide on financing and publish the results"),
            guards=(winners_decision_recorded,),
            documents=("winners_decision", "results_notice"),
            requires=("decision_number",),
            final=True,
        ),
        Transition(
            "start_implementation",
            sources(S.WINNERS_ANNOUNCED),
            S.IMPLEMENTATION,
            roles("specialist", "admin"),
            N_("Start implementation"),
            guards=(winners_contracted,),
        ),
        Transition(
            "close",
            sources(S.IMPLEMENTATION),
            S.CLOSED,
            roles("specialist", "admin"),
            N_("Close the competition"),
            guards=(winners_finished, money_settled),
            documents=("final_report",),
            final=True,
        ),
        Transition(
            "cancel",
            sources(
                S.DRAFT,
                S.FUNDED,
                S.COMMISSION_FORMED,
                S.ANNOUNCED,
                S.APPLICATIONS_CLOSED,
                S.SCREENING,
                S.SCORING,
            ),
            S.CANCELLED,
            roles("head", "admin"),
            N_("Cancel the competition"),
            guards=(no_awards_yet, reason_given),
            documents=("cancellation_notice",),
            requires=("reason",),
            final=True,
        ),
    ],
)
