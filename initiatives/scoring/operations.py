"""The only code that changes conflicts, score sheets, the proposal of winners, meetings,
votes and partner shares.

Everything here is open only while the competition is in scoring. Once the results are
approved, an attempt to change a score, a declaration or a vote is refused with ``Locked``:
a 409 page, and an audit event that keeps the attempt.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from initiatives.applications.access import competition_blind
from initiatives.applications.models import Application
from initiatives.audit import operations as audit
from initiatives.competitions.models import CommissionSeat, Competition, FundingSource
from initiatives.core.db import utcnow
from initiatives.core.enums import MeetingPurpose, SheetState, VoteChoice
from initiatives.core.errors import Locked, Refused
from initiatives.documents.models import Document
from initiatives.documents.operations import record_document
from initiatives.extensions import db
from initiatives.lifecycle.operations import fire
from initiatives.scoring import ranking
from initiatives.scoring.models import (
    Attendance,
    AwardShare,
    ConflictDeclaration,
    Meeting,
    Motion,
    Score,
    ScoreSheet,
    Vote,
    motion_key,
)
from initiatives.scoring.results import compute
from initiatives.scoring.standing import standing_of
from workflows.i18n import N_

# After these, what the commission decided is fixed.
LOCKED_STATES = {
    "results_approved",
    "winners_announced",
    "implementation",
    "closed",
    "cancelled",
    "failed",
}
MAX_COMMENT = 2000
APPROVED = N_("the results are approved: scores, declarations and votes can no longer change")
# Cancelled or failed: no results were approved, and a refusal must not say they were.
ENDED = N_("the competition has ended: scores, declarations and votes can no longer change")


def _audit(competition, actor, subject, action: str, at: datetime | None, **data) -> None:
    audit.record_edit(competition.municipality_id, subject, actor, action, at, **data)


def ensure_open(c: Competition, actor, subject, action: str) -> None:
    """Scoring is open: otherwise refuse, and after approval keep the attempt."""
    if c.state in LOCKED_STATES:
        raise Locked.attempted(
            ENDED if c.state in ("cancelled", "failed") else APPROVED,
            c,
            actor,
            subject,
            action,
        )
    if c.state != "scoring":
        raise Refused(N_("scoring has not started"))


def declaration_of(seat: CommissionSeat, a: Application) -> ConflictDeclaration | None:
    return next((d for d in a.conflicts if d.seat_id == seat.id), None)


def sheet_of(seat: CommissionSeat, a: Application) -> ScoreSheet | None:
    return next((s for s in a.score_sheets if s.seat_id == seat.id), None)


def _to_score(a: Application) -> list[Application]:
    return sorted(
        (x for x in a.competition.applications if x.state == "admitted"),
        key=lambda x: x.number or 0,
    )


# --- conflicts of interest ----------------------------------------------------------------


def by_applicant_name(a) -> tuple[str, str]:
    """The order of a blind list of applicants: alphabetical, so that neither the list nor
    a document made from it follows the registration numbers the codes are made of."""
    return ((a.applicant_name or "").casefold(), (a.organisation_name or "").casefold())


def declare_conflicts(
    seat: CommissionSeat,
    actor,
    answers: dict[int, tuple[bool, str | None]],
    *,
    at: datetime | None = None,
) -> list[Document]:
    """Record the member's declaration for each application: no conflict, or a conflict with
    its nature. A conflict may be added later (the member's draft sheet for it is dropped);
    a declared conflict is never withdrawn, and a submitted sheet stays as it is.

    When the member has declared on every application under scoring, the declaration is
    registered as a document (again after any later change). Returns the new documents.
    """
    c = seat.competition
    ensure_open(c, actor, seat, "declare_conflicts")
    # Blind: the member declared on names; a refusal names the applicant, not the number
    # that the codes of the score sheets are made of.
    blind = competition_blind(c)
    open_ = {a.id: a for a in c.applications if a.state == "admitted"}
    changed = []
    for application_id, (has_conflict, nature) in answers.items():
        a = open_.get(application_id)
        if a is None:
            raise Refused(N_("this application is not under scoring"))
        nature = (nature or "").strip() or None
        if has_conflict and not nature:
            raise Refused(N_("describe the nature of the conflict"), status=422)
        if nature and len(nature) > MAX_COMMENT:
            raise Refused(N_("the text is too long"), status=422)
        existing = declaration_of(seat, a)
        if existing is None:
            a.conflicts.append(
                ConflictDeclaration(
                    seat=seat,
                    has_conflict=bool(has_conflict),
                    nature=nature if has_conflict else None,
                    declared_at=at or utcnow(),
                )
            )
            changed.append(a)
        elif existing.has_conflict and not has_conflict:
            if blind:
                raise Refused(
                    N_("a declared conflict of interest cannot be withdrawn (%(name)s)"),
                    name=a.applicant_name,
                )
            raise Refused(
                N_("a declared conflict of interest cannot be withdrawn (application No. %(n)s)"),
                n=a.number,
            )
        elif has_conflict and (not existing.has_conflict or existing.nature != nature):
            sheet = sheet_of(seat, a)
            if sheet is not None and sheet.state == SheetState.SUBMITTED:
                if blind:
                    raise Refused(
                        N_(
                            "your score sheet on the application of %(name)s is already "
                            "submitted: tell the secretary about the conflict"
                        ),
                        name=a.applicant_name,
                    )
                raise Refused(
                    N_(
                        "your score sheet for application No. %(n)s is already submitted: "
                        "tell the secretary about the conflict"
                    ),
                    n=a.number,
                )
            if sheet is not None:
                a.score_sheets.remove(sheet)
                db.session.delete(sheet)
            existing.has_conflict, existing.nature = True, nature
            existing.declared_at = at or utcnow()
            changed.append(a)
    db.session.flush()
    if not changed:
        return []
    _audit(
        c,
        actor,
        seat,
        "declare_conflicts",
        at,
        applications=[a.id for a in changed],
        conflicts=[a.id for a in changed if declaration_of(seat, a).has_conflict],
    )
    documents = []
    if all(declaration_of(seat, a) is not None for a in open_.values()):
        documents.append(_member_document(seat, "conflict_declaration", actor, at))
        # A conflict on the last application left to score also completes the member's work.
        if member_done(seat) and any(sheet_of(seat, a) is not None for a in open_.values()):
            documents.append(_member_document(seat, "score_sheet", actor, at))
    return documents


def _member_document(seat: CommissionSeat, kind: str, actor, at) -> Document:
    return record_document(
        seat.competition,
        kind,
        trigger=f"member_{kind}",
        actor=actor,
        at=at or utcnow(),
        data={"seat_id": seat.id},
    )


# --- score sheets -------------------------------------------------------------------------


STALE_SHEET = N_(
    "this score sheet was saved in another window after you opened it: "
    "reload it to see those scores"
)


def save_sheet(
    seat: CommissionSeat,
    a: Application,
    actor,
    values: dict[int, tuple],
    *,
    version: int | None = None,
    at: datetime | None = None,
) -> ScoreSheet:
    """Save scores as a draft; ``values`` maps criterion id to (value or None, comment).

    ``version`` is the sheet's version the member's page was showing (0: there was no sheet
    yet): a save from a stale page (another window saved meanwhile) is refused instead of
    overwriting that work. ``None`` checks nothing (the builder, scripts).
    """
    c = a.competition
    ensure_open(c, actor, a, "save_sheet")
    if a.state != "admitted":
        raise Refused(N_("scoring of this application is closed"))
    declaration = declaration_of(seat, a)
    if declaration is None:
        raise Refused(N_("declare whether you have a conflict of interest first"))
    if declaration.has_conflict:
        raise Refused(
            N_("you declared a conflict of interest and are recused from this application")
        )
    sheet = sheet_of(seat, a)
    if sheet is None:
        # By ids, not relationships: a refused insert leaves nothing in the collections.
        sheet = ScoreSheet(seat_id=seat.id, application_id=a.id)
        db.session.add(sheet)
        try:
            # Two windows saving a new sheet at once: the second insert waits for the
            # first and then meets the unique key. It is the same stale window as below.
            # No savepoint: on SQLite (pysqlite) its release commits the empty sheet, and
            # a refusal further on (an incomplete submit) would leave it behind to make
            # the member's next post look stale. The caller rolls the whole request back.
            db.session.flush()
        except IntegrityError:
            raise Refused(STALE_SHEET) from None
        db.session.expire(a, ["score_sheets"])  # the new sheet joins the loaded list
    elif version is not None and sheet.version != version:
        raise Refused(STALE_SHEET)
    if sheet.state == SheetState.SUBMITTED:
        raise Refused(N_("this score sheet is submitted and locked"))
    criteria = {k.id: k for k in c.criteria}
    by_criterion = {s.criterion_id: s for s in sheet.scores}
    for criterion_id, (value, comment) in values.items():
        k = criteria.get(criterion_id)
        if k is None:
            raise Refused(N_("unknown criterion"))
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise Refused(N_("the text is too long"), status=422)
        score = by_criterion.get(criterion_id)
        if value is None:
            if score is not None:
                sheet.scores.remove(score)
            continue
        value = Decimal(str(value))
        if not value.is_finite() or not k.scale_min <= value <= k.scale_max:
            raise Refused(
                N_("a score must be between %(min)s and %(max)s"),
                status=422,
                min=k.scale_min,
                max=k.scale_max,
            )
        if score is None:
            sheet.scores.append(Score(criterion_id=criterion_id, value=value, comment=comment))
        else:
            score.value, score.comment = value, comment
    # The scores are rows of their own: touch the sheet so its version moves with every
    # save and a page opened before this one is recognised as stale.
    if sheet.id is not None:
        flag_modified(sheet, "state")
    try:
        db.session.flush()
    except StaleDataError:  # another window's save of the same version committed first
        raise Refused(STALE_SHEET) from None
    _audit(c, actor, sheet, "save_sheet", at, application=a.id)
    return sheet


def submit_sheet(sheet: ScoreSheet, actor, *, at: datetime | None = None) -> list[Document]:
    """Lock the sheet. When it is the member's last one, their score sheets are registered
    as a document. Returns the new documents."""
    a = sheet.application
    c = a.competition
    ensure_open(c, actor, sheet, "submit_sheet")
    if sheet.state == SheetState.SUBMITTED:
        raise Refused(N_("this score sheet is submitted and locked"))
    if {s.criterion_id for s in sheet.scores} != {k.id for k in c.criteria}:
        raise Refused(N_("score every criterion before submitting the sheet"))
    sheet.state = SheetState.SUBMITTED
    sheet.submitted_at = at or utcnow()
    db.session.flush()
    _audit(c, actor, sheet, "submit_sheet", at, application=a.id)
    if member_done(sheet.seat):
        return [_member_document(sheet.seat, "score_sheet", actor, at)]
    return []


def member_done(seat: CommissionSeat) -> bool:
    """Declared on every application under scoring, and scored every one not recused from."""
    pending = [a.id for a in seat.competition.applications if a.state == "admitted"]
    return standing_of(seat).done(pending)


def close_scoring(c: Competition, actor, *, now: datetime | None = None) -> int:
    """Close the scoring of every application whose sheets are all in."""
    ensure_open(c, actor, c, "close_scoring")
    done = 0
    for a in sorted(c.applications, key=lambda x: x.number or 0):
        if a.state == "admitted" and a.missing_score_sheets() == 0:
            fire(a, "mark_scored", actor, now=now)
            done += 1
    return done


# --- the proposal of winners --------------------------------------------------------------


def set_partial(
    a: Application, actor, amount: Decimal | None, *, at: datetime | None = None
) -> None:
    """A partial amount instead of the request (None: back to the request). Never above the
    request or the maximum grant."""
    c = a.competition
    ensure_open(c, actor, a, "set_partial")
    if a.state not in ("scored", "awarded", "not_awarded"):
        raise Refused(N_("close the scoring of this application first"))
    if amount is not None:
        amount = Decimal(str(amount))
        if not amount.is_finite() or amount <= 0:
            raise Refused(N_("the amount must be positive"), status=422)
        if amount > a.requested_amount:
            raise Refused(
                N_("the amount is above the request (%(req)s)"), status=422, req=a.requested_amount
            )
        if c.max_grant is not None and amount > c.max_grant:
            raise Refused(
                N_("the amount is above the maximum grant (%(max)s)"), status=422, max=c.max_grant
            )
        if amount == a.requested_amount:
            amount = None
    a.partial_amount = amount
    db.session.flush()
    _audit(c, actor, a, "set_partial", at, amount=None if amount is None else str(amount))


def apply_proposal(c: Competition, actor, *, now: datetime | None = None) -> int:
    """Decide every scored application as the proposal says (award with its amounts, or
    not), reconsidering earlier decisions that differ. Returns how many changed."""
    ensure_open(c, actor, c, "apply_proposal")
    results = compute(c)
    if not results.complete:
        raise Refused(N_("the scoring of some applications is not closed yet"))
    changed = 0
    for row in results.rows:
        a, p = row.application, row.proposed
        if row.matches_proposal:
            continue
        if a.state in ("awarded", "not_awarded"):
            fire(a, "reconsider", actor, now=now)
        changed += 1
    # Reconsidered first, then decided: an award must never meet money still held by the
    # old decision of an application further down.
    db.session.flush()
    for row in results.rows:
        a, p = row.application, row.proposed
        if a.state != "scored":
            continue
        if p.outcome == ranking.AWARD:
            fire(a, "award", actor, now=now, amount=p.local)
            for source_id, amount in p.partners.items():
                source = next(s for s in c.funding_sources if s.id == source_id)
                set_partner_share(a, source, actor, amount, at=now)
        else:
            fire(a, "not_award", actor, now=now)
    return changed


def set_partner_share(
    a: Application, source: FundingSource, actor, amount: Decimal, *, at: datetime | None = None
) -> AwardShare:
    """Money from a partner pool for one winner, within the pool and its per-winner cap."""
    ensure_open(a.competition, actor, a, "set_partner_share")
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


# --- the results meeting ------------------------------------------------------------------


def results_motions(c: Competition) -> list[dict]:
    """What the results meeting votes on: each award as decided now, then the results."""
    awarded = sorted(
        (a for a in c.applications if a.state == "awarded"), key=lambda a: a.number or 0
    )
    motions = [
        {
            "key": motion_key("award", a.id),
            "kind": "award",
            "application_id": a.id,
            "amount": a.awarded_amount,
            "partners": {str(s.funding_source_id): str(s.amount) for s in a.award_shares},
        }
        for a in awarded
    ]
    motions.append({"key": motion_key("approve", None), "kind": "approve", "application_id": None})
    return motions


def hold_results_meeting(
    c: Competition,
    actor,
    *,
    held_at: datetime,
    present: set[int],
    votes: dict[str, dict[int, str]],
    place: str = "",
    minutes: str = "",
    at: datetime | None = None,
) -> Meeting:
    """Record the results meeting: attendance and a vote per decision, on the awards as
    they stand. It replaces an earlier record of the results meeting (a re-vote after the
    proposal changed); the audit trail keeps each one."""
    ensure_open(c, actor, c, "hold_results_meeting")
    if any(a.state == "admitted" for a in c.applications):
        raise Refused(N_("the scoring of some applications is not closed yet"))
    if any(a.state == "scored" for a in c.applications):
        raise Refused(N_("some applications have no decision (awarded or not) yet"))
    for old in [m for m in c.meetings if m.purpose == MeetingPurpose.RESULTS]:
        db.session.delete(old)
    db.session.flush()
    db.session.expire(c, ["meetings"])
    motions = []
    for m in results_motions(c):
        motions.append({**m, "votes": votes.get(m["key"], {})})
    return record_meeting(
        c,
        actor,
        purpose=MeetingPurpose.RESULTS,
        held_at=held_at,
        present=present,
        place=place,
        minutes=minutes,
        motions=motions,
        at=at,
        complete=True,
    )


def eligible_voters(c: Competition, present: set[int], application_id: int | None) -> set[int]:
    """Present members who may vote on a motion: those recused from its application may not."""
    if application_id is None:
        return set(present)
    a = next((x for x in c.applications if x.id == application_id), None)
    recused = {d.seat_id for d in a.conflicts if d.has_conflict} if a is not None else set()
    return set(present) - recused


def record_meeting(
    competition,
    actor,
    *,
    purpose: MeetingPurpose,
    held_at: datetime,
    present: set[int],
    place: str = "",
    minutes: str = "",
    motions: list[dict] = (),
    at: datetime | None = None,
    complete: bool = False,
) -> Meeting:
    """A meeting with its attendance and the votes of those present on each motion.

    Only present members vote; a member recused from an application does not vote on its
    award. With ``complete`` every member who may vote on a motion must have voted."""
    ensure_open(competition, actor, competition, "record_meeting")
    seat_ids = {s.id for s in competition.seats}
    if not set(present) <= seat_ids:
        raise Refused(N_("only members of the commission attend its meetings"))
    meeting = Meeting(
        competition=competition, purpose=purpose, held_at=held_at, place=place, minutes=minutes
    )
    for seat_id in sorted(seat_ids):
        meeting.attendance.append(Attendance(seat_id=seat_id, present=seat_id in present))
    for m in motions:
        motion = Motion(
            kind=m["kind"],
            application_id=m.get("application_id"),
            text=m.get("text", ""),
            amount=m.get("amount"),
            partners=dict(m.get("partners") or {}),
        )
        may_vote = eligible_voters(competition, present, m.get("application_id"))
        for seat_id, choice in m["votes"].items():
            if seat_id not in present:
                raise Refused(N_("only members present at the meeting may vote"))
            if seat_id not in may_vote:
                raise Refused(N_("a member recused from an application does not vote on it"))
            motion.votes.append(Vote(seat_id=seat_id, choice=VoteChoice(choice)))
        if complete and may_vote - set(m["votes"]):
            raise Refused(N_("record the vote of every member present"), status=422)
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
        present=sorted(present),
        votes={
            mo.key: {str(v.seat_id): v.choice.value for v in mo.votes} for mo in meeting.motions
        },
    )
    return meeting
