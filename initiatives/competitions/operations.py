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


def add_funding_source(c: Competition, actor, **fields) -> FundingSource:
    """A new source of money (see ``save_funding_source`` for the fields)."""
    return save_funding_source(c, actor, None, **fields)


def save_funding_source(
    c: Competition,
    actor,
    source: FundingSource | None = None,
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
    """Add a source of money, or correct one (``source`` given), until the announcement."""
    _editable(c)
    if Decimal(amount) <= 0:
        raise Refused(N_("the amount must be positive"))
    if source is not None and source.competition_id != c.id:
        raise Refused(N_("this source belongs to another competition"), status=404)
    new = source is None
    if new:
        source = FundingSource()
        c.funding_sources.append(source)
    source.kind = SourceKind(kind)
    source.name = name
    source.amount = amount
    source.decision_number = decision_number or None
    source.decision_date = decision_date
    source.budget_line = budget_line or None
    source.conditions = conditions or ""
    source.per_winner_cap = per_winner_cap
    db.session.flush()
    action = "add_funding_source" if new else "update_funding_source"
    _audit(c, actor, action, at, source=source.id, kind=str(kind), amount=str(amount))
    return source


def remove_funding_source(
    c: Competition, actor, source: FundingSource, *, at: datetime | None = None
) -> None:
    _editable(c)
    if source.competition_id != c.id:
        raise Refused(N_("this source belongs to another competition"), status=404)
    c.funding_sources.remove(source)
    db.session.flush()
    _audit(c, actor, "remove_funding_source", at, source=source.id, amount=str(source.amount))


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
    if seat_role != SeatRole.MEMBER and any(s.seat_role == seat_role for s in c.seats):
        if seat_role == SeatRole.CHAIR:
            raise Refused(N_("the commission already has a chair; remove that seat first"))
        raise Refused(N_("the commission already has a secretary; remove that seat first"))
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


def remove_seat(c: Competition, actor, seat: CommissionSeat, *, at: datetime | None = None):
    _editable(c)
    if seat.competition_id != c.id:
        raise Refused(N_("this seat belongs to another competition"), status=404)
    c.seats.remove(seat)
    db.session.flush()
    _audit(c, actor, "remove_seat", at, seat=seat.id)


def set_criteria(c: Competition, actor, rows: list[dict], *, at: datetime | None = None):
    """Replace the criteria by ``rows`` (in order; a row with ``id`` keeps that criterion).

    Positions are unique per competition, so they are moved out of the way first and then
    numbered 1..n; the flush in between keeps the UNIQUE constraint satisfied."""
    _editable(c)
    if not rows:
        raise Refused(N_("no scoring criteria are defined"))
    existing = {k.id: k for k in c.criteria}
    kept = []
    for row in rows:
        criterion = existing.pop(row.get("id"), None) if row.get("id") else None
        if criterion is None:
            criterion = Criterion(competition=c, position=0)
        for name in ("title_ky", "title_ru", "title_en", "scale_min", "scale_max", "weight"):
            setattr(criterion, name, row[name])
        kept.append(criterion)
    for criterion in existing.values():
        c.criteria.remove(criterion)
    for offset, criterion in enumerate(kept, start=1000):
        criterion.position = offset
    db.session.flush()
    for position, criterion in enumerate(kept, start=1):
        criterion.position = position
    db.session.flush()
    db.session.refresh(c, ["criteria"])
    _audit(c, actor, "set_criteria", at, count=len(kept))


def record_commission_order(
    c: Competition, actor, *, number: str, on: date, at: datetime | None = None
) -> None:
    _editable(c)
    c.order_number, c.order_date = number, on
    db.session.flush()
    _audit(c, actor, "record_commission_order", at, number=number, date=on.isoformat())
