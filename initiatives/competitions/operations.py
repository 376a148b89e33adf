"""The only code that changes competitions, their money, commission and criteria.

Money and commission are editable until the announcement and locked afterwards: the
announcement published them, and changing them later would change the rules mid-game.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from initiatives.audit import operations as audit
from initiatives.competitions.models import CommissionSeat, Competition, Criterion, FundingSource
from initiatives.core.db import utcnow
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


class FieldRefused(Refused):
    """A refusal about one thing the user typed: the page shows it under ``field`` with
    the rest of the form as typed (422), not on a page of its own."""

    def __init__(self, message: str, *, field: str, **params):
        super().__init__(message, status=422, **params)
        self.field = field


# What the council's decision on local-budget money must name (also a database rule for the
# budget line): refused here first, so a form shows it beside the empty field.
LOCAL_BUDGET_NEEDS = {
    "decision_number": N_("The ayil kenesh decision number is required."),
    "decision_date": N_("The date of the ayil kenesh decision is required."),
    "budget_line": N_("The budget line is required for local-budget money."),
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
    name_ru: str = "",
    conditions_ky: str = "",
    conditions_ru: str = "",
    conditions_en: str = "",
    per_winner_cap: Decimal | None = None,
    at: datetime | None = None,
) -> FundingSource:
    """Add a source of money, or correct one (``source`` given), until the announcement.

    Conditions are public text, written per language like the competition's own."""
    _editable(c)
    if Decimal(amount) <= 0:
        raise Refused(N_("the amount must be positive"))
    if source is not None and source.competition_id != c.id:
        raise Refused(N_("this source belongs to another competition"), status=404)
    if SourceKind(kind) == SourceKind.LOCAL_BUDGET:
        _check_decision(
            decision_number=decision_number, decision_date=decision_date, budget_line=budget_line
        )
    new = source is None
    if new:
        source = FundingSource()
        c.funding_sources.append(source)
    source.kind = SourceKind(kind)
    source.name = name
    source.name_ru = name_ru or ""
    source.amount = amount
    source.decision_number = decision_number or None
    source.decision_date = decision_date
    source.budget_line = budget_line or None
    source.conditions_ky = conditions_ky or ""
    source.conditions_ru = conditions_ru or ""
    source.conditions_en = conditions_en or ""
    source.per_winner_cap = per_winner_cap
    db.session.flush()
    action = "add_funding_source" if new else "update_funding_source"
    _audit(c, actor, action, at, source=source.id, kind=str(kind), amount=str(amount))
    return source


def _check_decision(**given) -> None:
    for field, message in LOCAL_BUDGET_NEEDS.items():
        if given[field] is None or not str(given[field]).strip():
            raise FieldRefused(message, field=field)


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
    invited_login: str | None = None,
    outside_name: str | None = None,
    position: str = "",
    position_ru: str = "",
    seat_role: SeatRole = SeatRole.MEMBER,
    category: SeatCategory = SeatCategory.COMMUNITY,
    at: datetime | None = None,
) -> CommissionSeat:
    """Offer a seat: to a known ``user`` or to whoever holds ``invited_login`` (an e-mail or
    a phone, already normalised), as an invitation they accept or decline; an outside person
    (``outside_name``) is seated at once. The person invited by login is told nothing here
    and the specialist learns nothing about whether such an account exists."""
    _editable(c)
    if user is not None and c.seat_of(user.id, pending=True) is not None:
        raise FieldRefused(N_("this person already has a seat on the commission"), field="user")
    if invited_login is not None and any(s.invited_login == invited_login for s in c.seats):
        raise FieldRefused(N_("this person already has a seat on the commission"), field="user")
    _refuse_second(c, seat_role)
    seat = CommissionSeat(
        user=user,
        invited_login=invited_login if user is None else None,
        outside_name=outside_name,
        position=position,
        position_ru=position_ru or "",
        seat_role=seat_role,
        category=category,
        accepted_at=(at or utcnow()) if user is None and invited_login is None else None,
    )
    c.seats.append(seat)
    db.session.flush()
    _audit(c, actor, "add_seat", at, seat=seat.id, role=str(seat_role), invited=not seat.accepted)
    return seat


def _refuse_second(c: Competition, seat_role: SeatRole) -> None:
    if seat_role != SeatRole.MEMBER and any(s.seat_role == seat_role for s in c.seats):
        if seat_role == SeatRole.CHAIR:
            message = N_("the commission already has a chair; remove that seat first")
        else:
            message = N_("the commission already has a secretary; remove that seat first")
        raise FieldRefused(message, field="seat_role")


def invitations_for(user) -> list[CommissionSeat]:
    """Seats offered to ``user`` and not yet answered: by their account, or by their e-mail
    or phone (an invitation typed before they registered, or without knowing they had)."""
    logins = [v for v in (user.email, user.phone) if v]
    addressed = CommissionSeat.user_id == user.id
    if logins:
        addressed = or_(
            addressed,
            and_(CommissionSeat.user_id.is_(None), CommissionSeat.invited_login.in_(logins)),
        )
    return list(
        db.session.scalars(
            select(CommissionSeat)
            .join(Competition, Competition.id == CommissionSeat.competition_id)
            .where(
                addressed,
                CommissionSeat.accepted_at.is_(None),
                Competition.state.in_(EDITABLE_STATES),
            )
            .options(selectinload(CommissionSeat.competition))
            .order_by(CommissionSeat.id)
        )
    )


def _invited(seat: CommissionSeat, user) -> bool:
    if seat.accepted:
        return False
    if seat.user_id is not None:
        return seat.user_id == user.id
    return seat.invited_login is not None and seat.invited_login in (user.email, user.phone)


def accept_seat(seat: CommissionSeat, user, *, at: datetime | None = None) -> CommissionSeat:
    """The person takes the seat offered to them; from now on it gives them the role."""
    c = seat.competition
    _editable(c)
    if not _invited(seat, user):
        raise Refused(N_("this invitation is not addressed to you"), status=404)
    other = c.seat_of(user.id, pending=True)
    if other is not None and other.id != seat.id:
        raise Refused(N_("you already have a seat on this commission"))
    seat.user_id = user.id
    seat.invited_login = None  # the contact was only the address of the invitation
    seat.accepted_at = at or utcnow()
    db.session.flush()
    _audit(c, user, "accept_seat", at, seat=seat.id, role=str(seat.seat_role))
    return seat


def decline_seat(seat: CommissionSeat, user, *, at: datetime | None = None) -> None:
    """The person refuses the seat: it is removed, and the audit trail says who declined."""
    c = seat.competition
    _editable(c)
    if not _invited(seat, user):
        raise Refused(N_("this invitation is not addressed to you"), status=404)
    seat_id, role = seat.id, str(seat.seat_role)
    c.seats.remove(seat)
    db.session.flush()
    _audit(c, user, "decline_seat", at, seat=seat_id, role=role)


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
