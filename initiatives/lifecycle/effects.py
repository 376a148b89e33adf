"""What a step records besides the new state: dates, numbers, amounts, reasons.

Each effect runs after the guards have passed and the state has changed, inside the same
transaction as the audit event and the document. Steps without an entry change only the
state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy import update

from initiatives.applications.models import Application, ScreeningDecision
from initiatives.competitions.models import Competition
from initiatives.core.enums import ReportState, ScreeningOutcome
from initiatives.extensions import db
from workflows import Context

Effect = Callable[[object, Context, object], None]


def _parse_date(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# --- competition ------------------------------------------------------------------------


def announce(c: Competition, ctx: Context, actor) -> None:
    c.announced_at = ctx.now


def announce_winners(c: Competition, ctx: Context, actor) -> None:
    c.decision_number = ctx.data.get("decision_number") or c.decision_number
    c.decision_date = (
        _parse_date(ctx.data.get("decision_date")) or c.decision_date or (ctx.now.date())
    )


def finish_screening(c: Competition, ctx: Context, actor) -> None:
    """The meeting that approved the screening, with its attendance and votes, so the
    protocol printed by this step states who decided and how."""
    from initiatives.core.enums import MeetingPurpose
    from initiatives.scoring.operations import record_meeting  # it fires steps itself

    m = ctx.data["meeting"]
    present = set(m.get("present") or ())
    votes = {k: v for k, v in (m.get("votes") or {}).items() if k in present}  # as counted
    record_meeting(
        c,
        actor,
        purpose=MeetingPurpose.SCREENING,
        held_at=m["held_at"],
        present=present,
        place=m["place"].strip(),
        minutes=(m.get("minutes") or "").strip(),
        motions=[{"kind": "approve", "votes": votes}],
        at=ctx.now,
    )


def close(c: Competition, ctx: Context, actor) -> None:
    c.closed_at = ctx.now


def cancel(c: Competition, ctx: Context, actor) -> None:
    c.cancel_reason = ctx.data["reason"].strip()


# --- application ------------------------------------------------------------------------


def submit(a: Application, ctx: Context, actor) -> None:
    """Number the application: the competition's counter is bumped by one UPDATE, which
    holds the competition row until commit, so numbers are gapless and unique."""
    bump = (
        update(Competition)
        .where(Competition.id == a.competition_id)
        .values(last_application_number=Competition.last_application_number + 1)
        .returning(Competition.last_application_number)
        .execution_options(synchronize_session=False)
    )
    a.number = db.session.execute(bump).scalar_one()
    a.submitted_at = ctx.now
    if a.received_at is None:
        a.received_at = ctx.now


def _screen(a: Application, ctx: Context, actor, outcome: ScreeningOutcome) -> None:
    a.screening = ScreeningDecision(
        outcome=outcome,
        checklist=dict(ctx.data.get("checklist") or {}),
        reason=(ctx.data.get("reason") or "").strip() or None,
        decided_by_id=actor.id if actor is not None else None,
        decided_at=ctx.now,
    )


def admit(a: Application, ctx: Context, actor) -> None:
    _screen(a, ctx, actor, ScreeningOutcome.ADMITTED)


def reject(a: Application, ctx: Context, actor) -> None:
    _screen(a, ctx, actor, ScreeningOutcome.REJECTED)
    a.decision_reason = ctx.data["reason"].strip()


def award(a: Application, ctx: Context, actor) -> None:
    a.awarded_amount = Decimal(str(ctx.data.get("amount", a.requested_amount)))


def reconsider(a: Application, ctx: Context, actor) -> None:
    """Back to scored: the proposal of winners changes before the commission votes."""
    a.awarded_amount = None
    a.award_shares.clear()


def terminate(a: Application, ctx: Context, actor) -> None:
    a.decision_reason = ctx.data["reason"].strip()


def submit_report(a: Application, ctx: Context, actor) -> None:
    report = a.current_report
    report.state, report.submitted_at = ReportState.SUBMITTED, ctx.now


def _review(a: Application, ctx: Context, actor, state: ReportState) -> None:
    report = a.current_report
    report.state, report.reviewed_at = state, ctx.now
    report.reviewer_id = actor.id if actor is not None else None
    report.review_comment = (ctx.data.get("reason") or "").strip() or None


def return_report(a: Application, ctx: Context, actor) -> None:
    _review(a, ctx, actor, ReportState.RETURNED)


def accept_report(a: Application, ctx: Context, actor) -> None:
    _review(a, ctx, actor, ReportState.ACCEPTED)


EFFECTS: dict[tuple[str, str], Effect] = {
    ("competition", "announce"): announce,
    ("competition", "announce_winners"): announce_winners,
    ("competition", "finish_screening"): finish_screening,
    ("competition", "close"): close,
    ("competition", "cancel"): cancel,
    ("application", "submit"): submit,
    ("application", "admit"): admit,
    ("application", "reject"): reject,
    ("application", "award"): award,
    ("application", "reconsider"): reconsider,
    ("application", "terminate"): terminate,
    ("application", "submit_report"): submit_report,
    ("application", "return_report"): return_report,
    ("application", "accept_report"): accept_report,
}
