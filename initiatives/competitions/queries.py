"""select() builders for competitions, scoped by who is asking."""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from initiatives.applications.models import Application
from initiatives.auth.models import User
from initiatives.competitions.models import CommissionSeat, Competition
from initiatives.core.enums import Role
from initiatives.extensions import db
from initiatives.grants.models import Agreement, ImplementationReport

PUBLIC_STATES = (
    "announced",
    "applications_closed",
    "screening",
    "scoring",
    "results_approved",
    "winners_announced",
    "implementation",
    "closed",
    "cancelled",
    "failed",
)


def _loaded(stmt: Select) -> Select:
    """Everything the workflow guards read, loaded in a constant number of queries."""
    return stmt.options(
        selectinload(Competition.municipality),
        selectinload(Competition.funding_sources),
        selectinload(Competition.seats).selectinload(CommissionSeat.user),
        selectinload(Competition.criteria),
        selectinload(Competition.meetings),
        selectinload(Competition.applications).selectinload(Application.conflicts),
        selectinload(Competition.applications).selectinload(Application.score_sheets),
        # Closing checks the money of every initiative: paid, refunded, spent.
        selectinload(Competition.applications)
        .selectinload(Application.agreement)
        .selectinload(Agreement.payments),
        selectinload(Competition.applications)
        .selectinload(Application.agreement)
        .selectinload(Agreement.refunds),
        selectinload(Competition.applications)
        .selectinload(Application.reports)
        .selectinload(ImplementationReport.spending),
    )


def _with_application_guards(stmt: Select) -> Select:
    """The guards of the application steps also read each budget and each agreement's
    scan: the page of one competition lists every application with its steps."""
    return stmt.options(
        selectinload(Competition.applications).selectinload(Application.budget_lines),
        selectinload(Competition.applications)
        .selectinload(Application.agreement)
        .selectinload(Agreement.files),
    )


def _scoped(user: User, stmt: Select) -> Select:
    """Competitions a user works on: their municipality's for staff, all for oversight and
    administrators, the ones they sit on for commission members."""
    if any(g.role in (Role.ADMIN, Role.OVERSIGHT) for g in user.grants):
        return stmt
    staff_of = [g.municipality_id for g in user.grants if g.role in (Role.SPECIALIST, Role.HEAD)]
    seated = select(CommissionSeat.competition_id).where(CommissionSeat.user_id == user.id)
    return stmt.where(or_(Competition.municipality_id.in_(staff_of), Competition.id.in_(seated)))


def visible_to(user: User) -> Select:
    """The competitions a user works on, with what the workflow guards read."""
    stmt = select(Competition).order_by(Competition.year.desc(), Competition.id.desc())
    return _loaded(_scoped(user, stmt))


def public() -> Select:
    return (
        select(Competition)
        .where(Competition.state.in_(PUBLIC_STATES))
        .options(selectinload(Competition.municipality))
        .order_by(Competition.announced_at.desc())
    )


def one_for(user: User, competition_id: int) -> Select:
    return _with_application_guards(visible_to(user).where(Competition.id == competition_id))


def one_visible_or_404(user: User, competition_id: int) -> Competition:
    """The competition if this user may see it; another municipality's competition does
    not exist for them (404, not 403: its existence is not disclosed)."""
    competition = db.session.scalars(one_for(user, competition_id)).unique().one_or_none()
    if competition is None:
        abort(404)
    return competition


def ensure_visible(user: User, competition_id: int) -> None:
    """404 unless this user may see the competition, in one query that loads nothing: for
    pages that load the competition their own way (the scoring pages read the scores, not
    the agreements and reports ``one_for`` loads)."""
    stmt = _scoped(user, select(Competition.id).where(Competition.id == competition_id))
    if db.session.scalar(stmt) is None:
        abort(404)
