"""The lifecycle of one application, from draft to completed report, as data.

Guards read: ``state``, ``channel``, ``received_at``, ``competition`` (state, opens_at,
submission_deadline, max_grant, min_own_share, priorities, required_documents,
local_budget_amount, applications), the application's texts, ``priority_topic``,
``budget_lines``, ``attachments`` (doc_type), ``requested_amount``, ``own_share``,
``awarded_amount``, ``agreement`` (``signed_on``, ``scan``), ``current_report`` (``results_text``,
``actual_participants``) and ``missing_score_sheets()``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from workflows.base import (
    Context,
    StateEnum,
    Transition,
    Workflow,
    checks_input,
    roles,
    sources,
)
from workflows.competition import AWARDED_OR_LATER
from workflows.i18n import N_, Reason


class ApplicationState(StateEnum):
    DRAFT = "draft", N_("Draft"), N_("Draft: not submitted")
    SUBMITTED = "submitted", N_("Submitted"), N_("Received")
    ADMITTED = "admitted", N_("Admitted to scoring"), N_("Under review")
    REJECTED = "rejected", N_("Rejected at screening"), N_("Not admitted")
    SCORED = "scored", N_("Scored"), N_("Under review")
    AWARDED = "awarded", N_("Awarded"), N_("Winner")
    NOT_AWARDED = "not_awarded", N_("Not awarded"), N_("Not selected")
    CONTRACTED = "contracted", N_("Agreement signed"), N_("Winner: agreement signed")
    REPORTING = "reporting", N_("Implementation"), N_("Under way")
    REPORT_SUBMITTED = "report_submitted", N_("Report submitted"), N_("Report under review")
    RETURNED = "returned", N_("Report returned for corrections"), N_("Report to correct")
    COMPLETED = "completed", N_("Completed"), N_("Completed")
    WITHDRAWN = "withdrawn", N_("Withdrawn"), N_("Withdrawn")
    TERMINATED = "terminated", N_("Terminated"), N_("Terminated")


S = ApplicationState


def competition_in(*states: str, message: str):
    def guard(a, ctx: Context) -> Reason | None:
        return None if a.competition.state in states else Reason(message)

    guard.__name__ = f"competition_in_{'_or_'.join(states)}"
    guard.competition_states = states  # pages explain the gate by the competition's next step
    return guard


LATER_THAN_INTAKE = {
    "applications_closed",
    "screening",
    "scoring",
    "results_approved",
    "winners_announced",
    "implementation",
    "closed",
    "failed",
}


def window_open(a, ctx: Context) -> Reason | None:
    c = a.competition
    # A paper application counts from when the office received it, not when it was typed in.
    at = a.received_at if a.channel == "paper" and a.received_at else ctx.now
    deadline = c.submission_deadline
    if c.state in LATER_THAN_INTAKE or (deadline is not None and at >= deadline):
        # Said first: "the deadline has passed" is the reason a late applicant needs.
        return Reason(N_("the submission deadline has passed"))
    if c.state != "announced":
        return Reason(N_("the competition is not accepting applications"))
    if c.opens_at is not None and at < c.opens_at:
        return Reason(N_("the application window has not opened yet"))
    return None


REQUIRED_FIELDS = {
    "applicant_name": N_("name of the applicant"),
    "village": N_("village"),
    "title": N_("title of the initiative"),
    "problem": N_("the problem"),
    "goal": N_("the goal"),
    "priority_topic": N_("priority topic"),
}


def required_fields(a, ctx: Context) -> Reason | None:
    missing = tuple(
        title for name, title in REQUIRED_FIELDS.items() if not (getattr(a, name) or "").strip()
    )
    if missing:
        return Reason(N_("required fields are empty: %(fields)s"), {"fields": missing})
    if not a.budget_lines:
        return Reason(N_("the budget has no lines"))
    if not a.activities:
        return Reason(N_("the plan has no activities"))
    return None


def topic_in_priorities(a, ctx: Context) -> Reason | None:
    priorities = a.competition.priorities or []
    if priorities and a.priority_topic not in priorities:
        return Reason(N_("the topic is not among the priorities of this competition"))
    return None


def budget_consistent(a, ctx: Context) -> Reason | None:
    for line in a.budget_lines:
        if line.sources_total != line.total:
            return Reason(
                N_('budget line "%(item)s": the sources add up to %(sources)s, not %(total)s'),
                {"item": line.item, "sources": line.sources_total, "total": line.total},
            )
    return None


def request_within_max(a, ctx: Context) -> Reason | None:
    requested, maximum = a.requested_amount, a.competition.max_grant
    if requested <= 0:
        return Reason(N_("the request from the local budget must be positive"))
    if maximum is not None and requested > maximum:
        return Reason(
            N_("the request %(req)s is above the maximum grant %(max)s"),
            {"req": requested, "max": maximum},
        )
    return None


def own_share_met(a, ctx: Context) -> Reason | None:
    minimum = a.competition.min_own_share or Decimal(0)
    if a.own_share < minimum:
        return Reason(
            N_("the own contribution is %(share)s%% of the budget; at least %(min)s%% is required"),
            {"share": a.own_share, "min": minimum},
        )
    return None


def documents_attached(a, ctx: Context) -> Reason | None:
    have = {att.doc_type for att in a.attachments}
    missing = tuple(d for d in (a.competition.required_documents or []) if d not in have)
    if missing:  # document codes: the application's vocabulary translates them
        return Reason(N_("required documents are missing: %(docs)s"), {"docs": missing})
    return None


def before_deadline(a, ctx: Context) -> Reason | None:
    c = a.competition
    if a.state == "submitted" and (c.state != "announced" or ctx.now >= c.submission_deadline):
        return Reason(
            N_("the deadline has passed; a submitted application can no longer be withdrawn")
        )
    return None


def sheets_complete(a, ctx: Context) -> Reason | None:
    n = a.missing_score_sheets()
    if n:
        return Reason(N_("%(n)s score sheets for this application are not submitted yet"), {"n": n})
    return None


@checks_input
def award_amount_valid(a, ctx: Context) -> Reason | None:
    try:
        amount = Decimal(str(ctx.data.get("amount", a.requested_amount)))
    except InvalidOperation:
        return Reason(N_("the amount is not a number"))
    c = a.competition
    if amount <= 0:
        return Reason(N_("the amount must be positive"))
    if amount > a.requested_amount:
        return Reason(N_("the amount is above the request (%(req)s)"), {"req": a.requested_amount})
    if c.max_grant is not None and amount > c.max_grant:
        return Reason(N_("the amount is above the maximum grant (%(max)s)"), {"max": c.max_grant})
    awarded = sum(
        (
            o.awarded_amount or Decimal(0)
            for o in c.applications
            if o is not a and o.state in AWARDED_OR_LATER
        ),
        Decimal(0),
    )
    remaining = c.local_budget_amount - awarded
    if amount > remaining:
        return Reason(N_("only %(left)s of the local budget money remains"), {"left": remaining})
    return None


def agreement_signed(a, ctx: Context) -> Reason | None:
    if a.agreement is None or a.agreement.signed_on is None:
        return Reason(N_("the agreement and its signing date are not recorded"))
    return None


def scan_attached(a, ctx: Context) -> Reason | None:
    if a.agreement is None or a.agreement.scan is None:
        return Reason(N_("the scan of the signed agreement is not attached"))
    return None


def report_present(a, ctx: Context) -> Reason | None:
    if a.current_report is None:
        return Reason(N_("no implementation report has been filled in"))
    return None


def report_has_results(a, ctx: Context) -> Reason | None:
    report = a.current_report  # None: report_present says so
    if report is not None and not (report.results_text or "").strip():
        return Reason(N_("the report does not describe its results"))
    return None


def report_counts_participants(a, ctx: Context) -> Reason | None:
    report = a.current_report
    if report is not None and not any(
        int(v or 0) > 0 for v in (report.actual_participants or {}).values()
    ):
        return Reason(N_("the report does not count its participants"))
    return None


@checks_input
def comment_given(a, ctx: Context) -> Reason | None:
    if not (ctx.data.get("reason") or "").strip():
        return Reason(N_("a comment is required"))
    return None


@checks_input
def written_request_given(a, ctx: Context) -> Reason | None:
    """The office withdraws nothing on its own: only on the applicant's signed request,
    whose scan (its hash) the step records."""
    if not ctx.data.get("written_request"):
        return Reason(N_("the scan of the applicant's written request is missing"))
    return None


OWNER_OR_SPECIALIST = roles("owner", "specialist", "admin")
SCREENERS = roles("secretary", "chair", "specialist", "admin")
LEADS = roles("chair", "secretary", "admin")

APPLICATION = Workflow(
    name="application",
    states=ApplicationState,
    initial=S.DRAFT,
    transitions=[
        Transition(
            "submit",
            sources(S.DRAFT),
            S.SUBMITTED,
            OWNER_OR_SPECIALIST,
            N_("Submit"),
            guards=(
                window_open,
                required_fields,
                topic_in_priorities,
                budget_consistent,
                request_within_max,
                own_share_met,
                documents_attached,
            ),
            documents=("receipt",),
            final=True,
        ),
        # Only the applicant withdraws; the office records a withdrawal she asked for on
        # paper, with the reason and the scan of her request.
        Transition(
            "withdraw",
            sources(S.DRAFT, S.SUBMITTED),
            S.WITHDRAWN,
            roles("owner"),
            N_("Withdraw"),
            guards=(before_deadline,),
            final=True,
        ),
        Transition(
            "record_withdrawal",
            sources(S.DRAFT, S.SUBMITTED),
            S.WITHDRAWN,
            roles("specialist", "admin"),
            N_("Record a withdrawal at the applicant's written request"),
            guards=(before_deadline, comment_given, written_request_given),
            requires=("reason", "written_request"),
            final=True,
        ),
        Transition(
            "admit",
            sources(S.SUBMITTED),
            S.ADMITTED,
            SCREENERS,
            N_("Admit"),
            guards=(competition_in("screening", message=N_("screening has not started")),),
        ),
        Transition(
            "reject",
            sources(S.SUBMITTED),
            S.REJECTED,
            SCREENERS,
            N_("Reject"),
            guards=(
                competition_in("screening", message=N_("screening has not started")),
                comment_given,
            ),
            requires=("reason",),
        ),
        Transition(
            "mark_scored",
            sources(S.ADMITTED),
            S.SCORED,
            SCREENERS,
            N_("Close scoring"),
            guards=(
                competition_in("scoring", message=N_("the competition is not in scoring")),
                sheets_complete,
            ),
        ),
        Transition(
            "award",
            sources(S.SCORED),
            S.AWARDED,
            LEADS,
            N_("Award"),
            guards=(
                competition_in("scoring", message=N_("the competition is not in scoring")),
                award_amount_valid,
            ),
            requires=("amount",),
        ),
        Transition(
            "not_award",
            sources(S.SCORED),
            S.NOT_AWARDED,
            LEADS,
            N_("Do not award"),
            guards=(competition_in("scoring", message=N_("the competition is not in scoring")),),
        ),
        Transition(
            "reconsider",
            sources(S.AWARDED, S.NOT_AWARDED),
            S.SCORED,
            LEADS,
            N_("Reconsider the decision"),
            guards=(
                competition_in(
                    "scoring", message=N_("the results are approved and can no longer change")
                ),
            ),
        ),
        Transition(
            "sign_agreement",
            sources(S.AWARDED),
            S.CONTRACTED,
            roles("specialist", "admin"),
            N_("Record the signed agreement"),
            guards=(
                competition_in(
                    "winners_announced",
                    "implementation",
                    message=N_("the winners are not announced yet"),
                ),
                agreement_signed,
                scan_attached,
            ),
            documents=("grant_agreement",),
        ),
        Transition(
            "begin_implementation",
            sources(S.CONTRACTED),
            S.REPORTING,
            roles("specialist", "admin"),
            N_("Start implementation"),
            guards=(
                competition_in(
                    "implementation", message=N_("the competition is not in implementation")
                ),
            ),
        ),
        Transition(
            "submit_report",
            sources(S.REPORTING, S.RETURNED),
            S.REPORT_SUBMITTED,
            OWNER_OR_SPECIALIST,
            N_("Submit the report"),
            guards=(report_present, report_has_results, report_counts_participants),
            documents=("implementation_report",),
        ),
        Transition(
            "return_report",
            sources(S.REPORT_SUBMITTED),
            S.RETURNED,
            roles("specialist", "admin"),
            N_("Return the report for corrections"),
            guards=(comment_given,),
            requires=("reason",),
        ),
        Transition(
            "accept_report",
            sources(S.REPORT_SUBMITTED),
            S.COMPLETED,
            roles("specialist", "admin"),
            N_("Accept the report"),
            documents=("acceptance_act",),
            final=True,
        ),
        Transition(
            "terminate",
            sources(S.AWARDED, S.CONTRACTED, S.REPORTING, S.RETURNED, S.REPORT_SUBMITTED),
            S.TERMINATED,
            roles("head", "admin"),
            N_("Terminate"),
            guards=(comment_given,),
            documents=("termination_notice",),
            requires=("reason",),
            final=True,
        ),
    ],
)
