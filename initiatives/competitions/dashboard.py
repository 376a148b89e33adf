"""What the staff dashboard reads, one page at a time.

An oversight reader or an administrator sees every competition of the country. Loading
them all with everything their steps' guards read (each application with its sheets,
agreements and reports) took seconds and hundreds of thousands of objects. Instead: the
number per state is counted by the database, the competitions are listed a page at a
time in the order the dashboard shows them, and only the competitions of that page on
which the user may take a step are loaded with what the guards need. An oversight reader
takes no step, so their pages load no application at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import load_only, selectinload

from initiatives.applications.models import Application
from initiatives.competitions import queries
from initiatives.competitions.clock import close_if_due
from initiatives.competitions.models import CommissionSeat, Competition
from initiatives.core.db import utcnow
from initiatives.core.enums import SheetState
from initiatives.extensions import db
from initiatives.lifecycle.permissions import roles_for
from initiatives.municipalities.models import Municipality
from initiatives.scoring.models import ConflictDeclaration, ScoreSheet
from workflows import COMPETITION

PER_PAGE = 50
# The dashboard's order: by state as the lifecycle goes, then the newest first.
STATE_ORDER = case(
    {s.value: i for i, s in enumerate(COMPETITION.states)},
    value=Competition.state,
    else_=len(COMPETITION.states),
)


@dataclass(frozen=True)
class Page:
    number: int
    pages: int
    total: int
    per_page: int

    @property
    def first(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.number * self.per_page)


def _ids(user):
    """The ids of the competitions the user works on, by the one rule that says so."""
    return queries.visible_to(user).with_only_columns(Competition.id).order_by(None)


def close_due(user, now: datetime | None = None) -> None:
    """Intakes past their deadline are closed on whatever page reads them (as they were
    when the dashboard loaded every competition): found by one query, not one by one."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Competition.id).where(
            Competition.id.in_(_ids(user)),
            Competition.state == "announced",
            Competition.submission_deadline <= now,
        )
    ).all()
    for competition_id in due:
        close_if_due(db.session.get(Competition, competition_id), now)


def counts(user) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(Competition.state, func.count(Competition.id))
            .where(Competition.id.in_(_ids(user)))
            .group_by(Competition.state)
        ).all()
    )


def page_of(user, number: int, total: int) -> tuple[Page, list[Competition]]:
    """One page of competitions with what the cards show; those on which the user may
    take a step also with what the steps' guards read."""
    pages = max(1, -(-total // PER_PAGE))
    page = Page(number=min(max(1, number), pages), pages=pages, total=total, per_page=PER_PAGE)
    listed = list(
        db.session.scalars(
            select(Competition)
            .where(Competition.id.in_(_ids(user)))
            .options(
                selectinload(Competition.municipality).options(
                    load_only(Municipality.name_ky, Municipality.name_ru, Municipality.name_en)
                ),
                selectinload(Competition.funding_sources),
                selectinload(Competition.seats).load_only(
                    CommissionSeat.user_id, CommissionSeat.seat_role
                ),
            )
            .order_by(STATE_ORDER, Competition.year.desc(), Competition.id.desc())
            .offset((page.number - 1) * PER_PAGE)
            .limit(PER_PAGE)
        )
    )
    actionable = [c.id for c in listed if _may_act(user, c)]
    if actionable:
        # The same objects, now with every relation the guards read (queries._loaded).
        db.session.scalars(
            queries.visible_to(user)
            .where(Competition.id.in_(actionable))
            .execution_options(populate_existing=True)
        ).unique().all()
    return page, listed


def to_score(user, competitions) -> dict[int, int]:
    """For each listed competition in scoring where the user sits on the commission, the
    applications still waiting for their score sheet (admitted, neither recused from nor
    submitted): a member's dashboard says "3 applications to score", by one query."""
    seats = {
        c.id: seat.id for c in competitions if c.state == "scoring" and (seat := c.seat_of(user.id))
    }
    if not seats:
        return {}
    seat_ids = list(seats.values())
    recused = select(ConflictDeclaration.application_id).where(
        ConflictDeclaration.seat_id.in_(seat_ids), ConflictDeclaration.has_conflict.is_(True)
    )
    submitted = select(ScoreSheet.application_id).where(
        ScoreSheet.seat_id.in_(seat_ids), ScoreSheet.state == SheetState.SUBMITTED
    )
    left = db.session.execute(
        select(Application.competition_id, func.count(Application.id))
        .where(
            Application.competition_id.in_(list(seats)),
            Application.state == "admitted",
            Application.id.not_in(recused),
            Application.id.not_in(submitted),
        )
        .group_by(Application.competition_id)
    )
    return dict(left.all())


def _may_act(user, c: Competition) -> bool:
    held = roles_for(user, c)
    return any(held & t.roles for t in COMPETITION.from_state(c.state))
