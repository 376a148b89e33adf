"""Aggregates across municipalities, filtered by region, district and year.

Counts and sums are done by the database (GROUP BY), so the dashboard costs the same few
queries for one municipality or for all 453. Participants come from accepted reports.
Applications and winners are counted as the competition's public page shows them
(``initiatives.public.publication``): an open intake's applications are not counted, nor the
commission's winners before the head has announced them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from initiatives.applications.models import Application
from initiatives.competitions.models import Competition, FundingSource
from initiatives.competitions.queries import PUBLIC_STATES
from initiatives.core.enums import ReportState, SourceKind
from initiatives.extensions import db
from initiatives.grants.models import ImplementationReport, ReportSpending
from initiatives.grants.summary import ADDITIVE_GROUPS
from initiatives.municipalities.models import Municipality
from initiatives.public.publication import APPLICATIONS_PUBLIC, DECISIONS_PUBLIC, publication
from workflows.competition import AWARDED_OR_LATER

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Filters:
    region: str | None = None
    district: str | None = None
    year: int | None = None

    def apply(self, stmt):
        stmt = stmt.where(Competition.state.in_(PUBLIC_STATES))
        if self.region or self.district:
            stmt = stmt.join(Municipality, Municipality.id == Competition.municipality_id)
            if self.region:
                stmt = stmt.where(Municipality.region == self.region)
            if self.district:
                stmt = stmt.where(Municipality.district == self.district)
        if self.year:
            stmt = stmt.where(Competition.year == self.year)
        return stmt


def choices() -> dict:
    """The values the filters offer: regions, districts and years that exist."""
    places = db.session.execute(
        select(Municipality.region, Municipality.district)
        .distinct()
        .order_by(Municipality.region, Municipality.district)
    ).all()
    years = db.session.scalars(
        select(Competition.year).distinct().order_by(Competition.year.desc())
    ).all()
    return {
        "regions": sorted({r for r, _d in places}),
        "districts": [d for _r, d in places],
        "years": list(years),
    }


def figures(f: Filters) -> dict:
    by_state = dict(
        db.session.execute(
            f.apply(select(Competition.state, func.count(Competition.id))).group_by(
                Competition.state
            )
        ).all()
    )
    allocated = dict(
        db.session.execute(
            f.apply(
                select(FundingSource.kind, func.sum(FundingSource.amount)).join(
                    Competition, Competition.id == FundingSource.competition_id
                )
            ).group_by(FundingSource.kind)
        ).all()
    )
    awarded_local = (
        db.session.scalar(
            f.apply(
                select(func.sum(Application.awarded_amount))
                .join(Competition, Competition.id == Application.competition_id)
                .where(
                    Application.state.in_(AWARDED_OR_LATER),
                    Competition.state.in_(DECISIONS_PUBLIC),
                )
            )
        )
        or ZERO
    )
    initiatives = db.session.execute(
        f.apply(
            select(Competition.state, Application.state, func.count(Application.id))
            .join(Competition, Competition.id == Application.competition_id)
            .where(Application.number.is_not(None), Competition.state.in_(APPLICATIONS_PUBLIC))
        ).group_by(Competition.state, Application.state)
    ).all()
    decided = [(s, n) for c, s, n in initiatives if publication(c).decisions]
    spent = dict(
        db.session.execute(
            f.apply(
                select(ReportSpending.source, func.sum(ReportSpending.actual))
                .join(ImplementationReport, ImplementationReport.id == ReportSpending.report_id)
                .join(Application, Application.id == ImplementationReport.application_id)
                .join(Competition, Competition.id == Application.competition_id)
                .where(ImplementationReport.state == ReportState.ACCEPTED)
            ).group_by(ReportSpending.source)
        ).all()
    )
    participants: dict[str, int] = {}
    for counts in db.session.scalars(
        f.apply(
            select(ImplementationReport.actual_participants)
            .join(Application, Application.id == ImplementationReport.application_id)
            .join(Competition, Competition.id == Application.competition_id)
            .where(ImplementationReport.state == ReportState.ACCEPTED)
        )
    ):
        for group, n in (counts or {}).items():
            participants[group] = participants.get(group, 0) + int(n or 0)
    local = allocated.get(SourceKind.LOCAL_BUDGET, ZERO) or ZERO
    partners = sum((v for k, v in allocated.items() if k != SourceKind.LOCAL_BUDGET), ZERO)
    return {
        "by_state": by_state,
        "competitions": sum(by_state.values()),
        "money": {
            "local_allocated": local,
            "partners_allocated": partners,
            "local_awarded": awarded_local,
            "spent": {getattr(k, "value", k): v for k, v in spent.items()},
        },
        "applications": sum(n for _c, _s, n in initiatives),
        "financed": sum(n for s, n in decided if s in AWARDED_OR_LATER),
        "completed": sum(n for s, n in decided if s == "completed"),
        "participants": participants,
        "participants_total": sum(participants.get(g, 0) for g in ADDITIVE_GROUPS),
    }
