"""The only code that changes competitions, their money, commission and criteria.

Money and commission are editable until the announcement and locked afterwards: the
announcement published them, and changing them later would change the rules mid-game.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from initiatives.audit import operations as audit
from initiatives.competitions.models import CommissionSeat, Competition, Criterion, FundingSource
from initiatives.core.enums import DEFAULT_CRITERIA, SeatCategory, SeatRole, SourceKind
from initiatives.core.errors import Refused
from initiatives.extensions import db
from initiatives.municipalities.models import Municipality
from workflows.i18n import N_

EDITABLE_STATES = {"draft", "funded", "commission_formed"}
TERMS = {
    "title_ky",
    "title_ru",
    "title_en",
    "text_ky",
    "text_ru",
    "text_en",
    "paper_intake_ky",
    "paper_intake_ru",
    "paper_intake_en",
    "priorities",
    "required_documents",
    "max_grant",
    "min_own_share",
    "opens_at",
    "submission_deadline",
    "implementation_deadline",
    "report_deadline",
    "settings",
}


def _editable(c: Competition) -> None:
    if c.state not in EDITABLE_STATES:
        raise Refused(
            N_("the competition is announced; its money, commission and terms are locked")
        )


def _audit(c: Competition, actor, action: str, at: datetime | None = None, **data) -> None:
    audit.record_edit(c.municipality_id, c, actor, action, at, **data)


def create_competition(
    municipality: Municipality, year: int, actor, *, at: datetime | None = None, **terms
) -> Competition:
    """A draft with the municipality's defaults: its priorities, maximum grant, minimum own
    share, and the five criteria of DOMAIN.md."""
    c = Competition(
        municipality=municipality,
        year=year,
        state="draft",
        priorities=list(municipality.priorities),
        max_grant=municipality.default_max_grant,
        min_own_share=municipality.min_own_share,
    )
    for position, titles in enumerate(DEFAULT_CRITERIA, start=1):
        c.criteria.append(
            Criterion(
                position=position,
                title_ky=titles["ky"],
                title_ru=titles["ru"],
                title_en=titles["en"],
            )
        )
    db.session.add(c)
    update_terms(c, actor, at=at, _audit_action=None, **terms)
    db.session.flush()
    _audit(c, actor, "create", at, year=year)
    return c


def update_terms(
    c: Competition,
    actor,
    *,
    at: datetime | None = None,
    _audit_action: str | None = "update_terms",
    **terms,
) -> None:
    _editable(c)
    unknown = set(terms) - TERMS
    if unknown:
        raise TypeError(f"unknown terms: {sorted(unknown)}")
    for name, value in terms.items():
        setattr(c, name, value)
    if _audit_action and c.id is not None:
        db.session.flush()
        _audit(c, actor, _audit_action, at, fields=sorted(terms))


def add_funding_source(
    c: Competition,
    actor,
    *,
    kind: SourceKind,
    name: str,
    amount: Decimal,
    decision_number: str | None = None,
    decision_date: date | None = None,
    budget_line: str | None = None,
    conditions: str = "",
    per_winner_cap: Decimal | None = None,
    at: datetime | None = None,
) -> FundingSource:
    _editable(c)
    if Decimal(amount) <= 0:
        raise Refused(N_("the amount must be positive"))
    source = FundingSource(
        kind=kind,
        name=name,
        amount=amount,
        decision_number=decision_number,
        decision_date=decision_date,
        budget_line=budget_line,
        conditions=conditions,
        per_winner_cap=per_winner_cap,
    )
    c.funding_sources.append(source)
    db.session.flush()
    _audit(c, actor, "add_funding_source", at, kind=str(kind), amount=str(amount))
    return source


def add_seat(
    c: Competition,
    actor,
    *,
    user=None,
    outside_name: str | None = None,
    position: str = "",
    seat_role: SeatRole = SeatRole.MEMBER,
    category: SeatCategory = SeatCategory.COMMUNITY,
    at: datetime | None = None,
) -> CommissionSeat:
    _editable(c)
    if user is not None and c.seat_of(user.id) is not None:
        raise Refused(N_("this person already has a seat on the commission"))
    seat = CommissionSeat(
        user=user,
        outside_name=outside_name,
        position=position,
        seat_role=seat_role,
        category=category,
    )
    c.seats.append(seat)
    db.session.flush()
    _audit(c, actor, "add_seat", at, seat=seat.id, role=str(seat_role))
    return seat


def record_commission_order(
    c: Competition, actor, *, number: str, on: date, at: datetime | None = None
) -> None:
    _editable(c)
    c.order_number, c.order_date = number, on
    db.session.flush()
    _audit(c, actor, "record_commission_order", at, number=number, date=on.isoformat())
