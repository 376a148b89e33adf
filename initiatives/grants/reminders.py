"""Due dates after the agreement: tranches to pay, implementation to finish, reports to file.

``due_items`` is computed live from the agreements, so the overdue list is never stale.
``send`` turns the ones due within the municipality's ``reminder_days`` (and the overdue
ones) into notifications: in-app always, by e-mail through the outbox when SMTP is set up.
A ``Reminder`` row per (application, kind, due date) makes it idempotent: the scheduled job
(``flask --app initiatives remind``, daily) may run as often as one likes.

Who hears what: the initiator about implementation and report dates; the municipality's
specialists about tranches they have to pay and about overdue reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from initiatives.applications.models import Application
from initiatives.auth.models import RoleGrant, User
from initiatives.competitions.models import Competition
from initiatives.core.db import local_day, utcnow
from initiatives.core.enums import Role
from initiatives.extensions import db
from initiatives.grants.models import Agreement, Reminder
from initiatives.notifications.models import Notification
from initiatives.notifications.sms_copies import copy_by_sms
from workflows.i18n import N_

# Applications whose implementation or report is still to come.
BEFORE_REPORT = {"contracted", "reporting", "returned"}
# Applications the municipality may still owe money to.
PAYABLE = {"contracted", "reporting", "returned", "report_submitted", "completed"}
FOLLOWED = ("winners_announced", "implementation")

KIND_TITLES = {
    "tranche": N_("Tranche to pay"),
    "implementation": N_("Implementation to finish"),
    "report": N_("Report to submit"),
}

SOON = {
    "tranche": N_(
        'Tranche %(n)s of %(amount)s for initiative No. %(number)s "%(title)s" is due on %(date)s.'
    ),
    "implementation": N_(
        'Your initiative No. %(number)s "%(title)s" is to be carried out by %(date)s.'
    ),
    "report": N_('The report on initiative No. %(number)s "%(title)s" is due on %(date)s.'),
}
OVERDUE = {
    "tranche": N_(
        'Tranche %(n)s of %(amount)s for initiative No. %(number)s "%(title)s" '
        "was due on %(date)s and is not paid."
    ),
    "implementation": N_(
        'Initiative No. %(number)s "%(title)s" was to be carried out by %(date)s.'
    ),
    "report": N_(
        'The report on initiative No. %(number)s "%(title)s" was due on %(date)s and is overdue.'
    ),
}


def local_today() -> date:
    return local_day()


@dataclass(frozen=True)
class Due:
    application: Application
    kind: str
    due: date
    days_left: int  # negative once overdue
    amount: Decimal | None = None
    tranche: int | None = None

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def title(self) -> str:
        return KIND_TITLES[self.kind]


def items_of(a: Application, today: date) -> list[Due]:
    agreement = a.agreement
    if agreement is None or agreement.signed_on is None:
        return []
    found = []
    if a.state in PAYABLE:
        for tranche in agreement.tranche_plan():
            if tranche["open"] > 0 and tranche["due"] is not None:
                days = (tranche["due"] - today).days
                found.append(Due(a, "tranche", tranche["due"], days, tranche["open"], tranche["n"]))
    if a.state in BEFORE_REPORT:
        if agreement.implementation_due is not None and a.state == "contracted":
            days = (agreement.implementation_due - today).days
            found.append(Due(a, "implementation", agreement.implementation_due, days))
        if agreement.report_due is not None:
            days = (agreement.report_due - today).days
            found.append(Due(a, "report", agreement.report_due, days))
    return found


def followed_applications(municipality_ids: Iterable[int] | None = None) -> list[Application]:
    """Signed agreements of competitions still under way, loaded in a fixed few queries."""
    stmt = (
        select(Application)
        .join(Competition, Competition.id == Application.competition_id)
        .join(Agreement, Agreement.application_id == Application.id)
        .where(Competition.state.in_(FOLLOWED), Agreement.signed_on.is_not(None))
        .options(
            selectinload(Application.agreement).selectinload(Agreement.payments),
            selectinload(Application.competition).selectinload(Competition.municipality),
        )
        .order_by(Application.competition_id, Application.number)
    )
    if municipality_ids is not None:
        stmt = stmt.where(Competition.municipality_id.in_(list(municipality_ids)))
    return list(db.session.scalars(stmt))


def due_items(applications: Iterable[Application], today: date | None = None) -> list[Due]:
    today = today or local_today()
    items = [d for a in applications for d in items_of(a, today)]
    return sorted(items, key=lambda d: (d.due, d.application.number or 0, d.kind))


def pending(applications, *, today: date | None = None) -> list[Due]:
    """What needs a reminder now: overdue, or due within the municipality's notice."""
    return [
        d
        for d in due_items(applications, today)
        if d.days_left <= d.application.competition.municipality.reminder_days
    ]


def _specialists(municipality_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(RoleGrant.user_id).where(
                RoleGrant.municipality_id == municipality_id, RoleGrant.role == Role.SPECIALIST
            )
        )
    )


def _readers(d: Due, staff_of: dict[int, list[int]]) -> list[int]:
    a = d.application
    owner = [a.owner_id] if a.owner_id is not None else []
    m = a.competition.municipality_id
    if m not in staff_of:
        staff_of[m] = _specialists(m)
    staff = staff_of[m]
    if d.kind == "tranche":
        return staff
    if d.kind == "report" and d.overdue:
        return owner + staff
    return owner or staff  # a paper initiator without an account: the office calls them


def send(now: datetime | None = None, *, today: date | None = None) -> int:
    """Write the reminders that are due and not yet sent; return how many notices."""
    now = now or utcnow()
    applications = followed_applications()
    sent = {
        (r.application_id, r.kind, r.due)
        for r in db.session.scalars(
            select(Reminder).where(Reminder.application_id.in_([a.id for a in applications]))
        )
    }
    made, staff_of = 0, {}
    for d in pending(applications, today=today):
        kind = f"{d.kind}_overdue" if d.overdue else d.kind
        key = (d.application.id, kind, d.due)
        if key in sent:
            continue
        sent.add(key)
        db.session.add(Reminder(application_id=d.application.id, kind=kind, due=d.due, sent_at=now))
        a = d.application
        params = {"number": a.number, "title": a.title, "date": d.due.isoformat()}
        if d.amount is not None:
            params.update(amount=str(d.amount), n=d.tranche)
        message = (OVERDUE if d.overdue else SOON)[d.kind]
        for user_id in dict.fromkeys(_readers(d, staff_of)):
            n = Notification(
                user_id=user_id,
                created_at=now,
                kind=f"reminder.{kind}",
                message=message,
                params=params,
                competition_id=a.competition_id,
                application_id=a.id,
            )
            db.session.add(n)
            copy_by_sms(n, db.session.get(User, user_id))
            made += 1
    db.session.flush()
    return made
