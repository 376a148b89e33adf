"""The only code that changes conflicts, score sheets, meetings, votes and partner shares."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from initiatives.applications.models import Application
from initiatives.audit import operations as audit
from initiatives.competitions.models import CommissionSeat, FundingSource
from initiatives.core.db import utcnow
from initiatives.core.enums import MeetingPurpose, SheetState, VoteChoice
from initiatives.core.errors import Refused
from initiatives.extensions import db
from initiatives.scoring.models import (
    Attendance,
    AwardShare,
    ConflictDeclaration,
    Meeting,
    Motion,
    Score,
    ScoreSheet,
    Vote,
)
from workflows.i18n import N_


def _audit(competition, actor, subject, action: str, at: datetime | None, **data) -> None:
    audit.record_edit(competition.municipality_id, subject, actor, action, at, **data)


def declare_conflict(
    seat: CommissionSeat,
    a: Application,
    actor,
    *,
    has_conflict: bool,
    nature: str | None = None,
    at: datetime | None = None,
) -> ConflictDeclaration:
    if a.state != "admitted" or a.competition.state != "scoring":
        raise Refused(N_("conflicts are declared on admitted applications during scoring"))
    if has_conflict and not (nature or "").strip():
        raise Refused(N_("describe the nature of the conflict"))
    existing = next((d for d in a.conflicts if d.seat_id == seat.id), None)
    if existing is not None:
        raise Refused(N_("a declaration for this application is already recorded"))
    declaration = ConflictDeclaration(
        seat=seat,
        application=a,
        has_conflict=has_conflict,
        nature=(nature or "").strip() or None,
        declared_at=at or utcnow(),
    )
    db.session.add(declaration)
    db.session.flush()
    _audit(a.competition, actor, a, "declare_conflict", at, seat=seat.id, has_conflict=has_conflict)
    return declaration


def save_sheet(
    seat: CommissionSeat,
    a: Application,
    actor,
    values: dict[int, tuple],
    *,
    at: datetime | None = None,
) -> ScoreSheet:
    """Save scores as a draft; ``values`` maps criterion id to (value, comment)."""
    declaration = next((d for d in a.conflicts if d.seat_id == seat.id), None)
    if declaration is None:
        raise Refused(N_("declare whether you have a conflict of interest first"))
    if declaration.has_conflict:
        raise Refused(
            N_("you declared a conflict of interest and are recused from this application")
        )
    sheet = next((s for s in a.score_sheets if s.seat_id == seat.id), None)
    if sheet is None:
        sheet = ScoreSheet(seat=seat, application=a)
        db.session.add(sheet)
    if sheet.state == SheetState.SUBMITTED:
        raise Refused(N_("this score sheet is submitted and locked"))
    criteria = {k.id: k for k in a.competition.criteria}
    by_criterion = {s.criterion_id: s for s in sheet.scores}
    for criterion_id, (value, comment) in values.items():
        k = criteria.get(criterion_id)
        if k is None:
            raise Refused(N_("unknown criterion"))
        value = Decimal(str(value))
        if not k.scale_min <= value <= k.scale_max:
            raise Refused(
                N_("a score must be between %(min)s and %(max)s"), min=k.scale_min, max=k.scale_max
            )
        score = by_criterion.get(criterion_id)
        if score is None:
            sheet.scores.append(
                Score(criterion_id=criterion_id, value=value, comment=comment or "")
            )
        else:
            score.value, score.comment = value, comment or ""
    db.session.flush()
    _audit(a.competition, actor, sheet, "save_sheet", at, application=a.id)
    return sheet


def submit_sheet(sheet: ScoreSheet, actor, *, at: datetime | None = None) -> None:
    criteria = sheet.application.competition.criteria
    if {s.criterion_id for s in sheet.scores} != {k.id for k in criteria}:
        raise Refused(N_("score every criterion before submitting the sheet"))
    sheet.state = SheetState.SUBMITTED
    sheet.submitted_at = at or utcnow()
    db.session.flush()
    _audit(sheet.application.competition, actor, sheet, "submit_sheet", at)


def record_meeting(
    competition,
    actor,
    *,
    purpose: MeetingPurpose,
    held_at: datetime,
    present: set[int],
    place: str = "",
    motions: list[dict] = (),
    at: datetime | None = None,
) -> Meeting:
    """A meeting with its attendance and the votes of those present on each motion."""
    seat_ids = {s.id for s in competition.seats}
    meeting = Meeting(competition=competition, purpose=purpose, held_at=held_at, place=place)
    for seat_id in seat_ids:
        meeting.attendance.append(Attendance(seat_id=seat_id, present=seat_id in present))
    for m in motions:
        motion = Motion(
            kind=m["kind"], application_id=m.get("application_id"), text=m.get("text", "")
        )
        for seat_id, choice in m["votes"].items():
            if seat_id not in present:
                raise Refused(N_("only members present at the meeting may vote"))
            motion.votes.append(Vote(seat_id=seat_id, choice=VoteChoice(choice)))
        meeting.motions.append(motion)
    db.session.add(meeting)
    db.session.flush()
    _audit(
        competition,
        actor,
        meeting,
        "record_meeting",
        at,
        purpose=str(purpose),
        present=len(present),
    )
    return meeting


def set_partner_share(
    a: Application, source: FundingSource, actor, amount: Decimal, *, at: datetime | None = None
) -> AwardShare:
    """Money from a partner pool for one winner, within the pool and its per-winner cap."""
    amount = Decimal(str(amount))
    if source.per_winner_cap is not None and amount > source.per_winner_cap:
        raise Refused(N_("this pool gives at most %(cap)s per winner"), cap=source.per_winner_cap)
    used = db.session.scalar(
        select(func.coalesce(func.sum(AwardShare.amount), 0)).where(
            AwardShare.funding_source_id == source.id, AwardShare.application_id != a.id
        )
    )
    used = Decimal(str(used))
    if used + amount > source.amount:
        raise Refused(N_("only %(left)s remains in this pool"), left=source.amount - used)
    share = next((s for s in a.award_shares if s.funding_source_id == source.id), None)
    if share is None:
        share = AwardShare(funding_source=source, amount=amount)
        a.award_shares.append(share)
    else:
        share.amount = amount
    db.session.flush()
    _audit(a.competition, actor, a, "set_partner_share", at, source=source.id, amount=str(amount))
    return share
