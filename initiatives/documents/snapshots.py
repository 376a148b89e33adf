"""Frozen snapshots: everything a document shows, as plain JSON, taken at its step.

Rendering (reports/) reads only these dictionaries, never live tables, so a protocol always
shows what was true when it was made. Personal data (ID numbers, phones, addresses) is left
out of every snapshot except the applicant's own receipt and agreement, which are not public.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.auth.models import RoleGrant, User
from initiatives.competitions.models import Competition
from initiatives.core.enums import (
    EXTRA_ATTACHMENTS,
    PARTICIPANT_GROUPS,
    PRIORITIES,
    REQUIRED_DOCUMENTS,
    SCREENING_CHECKS,
    ApplicantKind,
    Channel,
    DocumentKind,
    InitiativeKind,
    Role,
    ScreeningOutcome,
    SeatCategory,
    SeatRole,
    SourceKind,
)
from initiatives.extensions import db
from workflows.competition import latest_results_meeting
from workflows.i18n import N_

# A kind's own part of the snapshot: (subject, data, actor) -> keys added to the base one.
SnapshotBuilder = Callable[[object, dict, object], dict]

# Documents that carry personal data and so are never public.
PRIVATE_KINDS = {
    DocumentKind.RECEIPT,
    DocumentKind.GRANT_AGREEMENT,
    DocumentKind.PAYMENT_RECORD,  # the initiator's bank account and PIN
    DocumentKind.CONFLICT_DECLARATION,
    # A member's sheets during scoring are the commission's business; the public reads
    # every member's totals in the results protocol once the results are approved.
    DocumentKind.SCORE_SHEET,
}


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def when(value) -> str | None:
    return None if value is None else value.isoformat()


def per_language(row, prefix: str) -> dict:
    return {code: getattr(row, f"{prefix}_{code}") or "" for code in ("ky", "ru", "en")}


def ky_ru(kyrgyz: str | None, russian: str | None) -> dict:
    """A name kept in Kyrgyz with an optional Russian spelling (a source, a position, an
    address): the renderer picks the copy's language and falls back to the Kyrgyz."""
    return {"ky": kyrgyz or "", "ru": russian or kyrgyz or ""}


def titled(codes, titles: dict[str, str]) -> list[dict]:
    """Codes with their English message ids: the renderer translates them per language.
    A code a municipality added itself has no message id and is shown as written."""
    return [{"code": code, "title": titles.get(code, code)} for code in codes or []]


def municipality_part(c: Competition) -> dict:
    m = c.municipality
    return {
        "id": m.id,
        "name": per_language(m, "name"),
        "region": m.region,
        "district": m.district,
        "address": m.address,
        "address_ru": m.address_ru,
        "phone": m.phone,
        "regulation_number": m.regulation_number,
        "regulation_date": m.regulation_date,
        "min_application_days": m.min_application_days,
        "languages": m.document_languages,
        "participant_groups": titled(m.participant_groups, PARTICIPANT_GROUPS),
        "portal": current_app.config["PUBLIC_BASE_URL"],
    }


def head_of(municipality_id: int) -> User | None:
    """The head of the ayil okmotu who signs orders and decisions."""
    return db.session.scalars(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.municipality_id == municipality_id,
            RoleGrant.role == Role.HEAD,
            User.active.is_(True),
        )
        .order_by(User.id)
        .limit(1)
    ).first()


def signatories_part(c: Competition, actor) -> dict:
    head = head_of(c.municipality_id)
    by_role = {s.seat_role.value: s.name for s in c.seats}
    return {
        "head": head.full_name if head else None,
        "actor": actor.full_name if actor is not None else None,
        "chair": by_role.get(SeatRole.CHAIR.value),
        "secretary": by_role.get(SeatRole.SECRETARY.value),
    }


def competition_part(c: Competition) -> dict:
    return {
        "id": c.id,
        "year": c.year,
        "state": c.state,
        "title": per_language(c, "title"),
        "text": per_language(c, "text"),
        "paper_intake": per_language(c, "paper_intake"),
        "max_grant": money(c.max_grant),
        "min_own_share": money(c.min_own_share),
        "priorities": titled(c.priorities, PRIORITIES),
        "required_documents": titled(c.required_documents, REQUIRED_DOCUMENTS),
        "eligible_applicants": titled(
            (c.settings or {}).get("eligible_applicants", []),
            {k.value: k.title for k in ApplicantKind},
        ),
        "opens_at": when(c.opens_at),
        "submission_deadline": when(c.submission_deadline),
        "implementation_deadline": when(c.implementation_deadline),
        "report_deadline": when(c.report_deadline),
        "sources": [
            {
                "kind": s.kind.value,
                "kind_title": SourceKind(s.kind).title,
                "name": ky_ru(s.name, s.name_ru),
                "amount": money(s.amount),
                "decision_number": s.decision_number,
                "decision_date": when(s.decision_date),
                "budget_line": s.budget_line,
                "conditions": per_language(s, "conditions"),
                "per_winner_cap": money(s.per_winner_cap),
            }
            for s in c.funding_sources
        ],
        "local_budget": money(c.local_budget_amount),
        "other_money": money(c.total_money - c.local_budget_amount),
        "total_money": money(c.total_money),
    }


def commission_part(c: Competition) -> dict:
    return {
        "order_number": c.order_number,
        "order_date": when(c.order_date),
        "seats": [
            {
                "id": s.id,
                "name": s.name,
                "position": ky_ru(s.position, s.position_ru),
                "role": s.seat_role.value,
                "role_title": SeatRole(s.seat_role).title,
                "category": s.category.value,
                "category_title": SeatCategory(s.category).title,
            }
            for s in c.seats
        ],
    }


def criteria_part(c: Competition) -> list[dict]:
    return [
        {
            "id": k.id,
            "position": k.position,
            "title": per_language(k, "title"),
            "scale": [k.scale_min, k.scale_max],
            "weight": money(k.weight),
        }
        for k in c.criteria
    ]


# Public documents name an applicant by their group's organisation or company only, as the
# public pages do (README: never a person's name). The key stays, empty, so the templates
# read documents registered before and after alike; private ones (receipt, agreement,
# conflict declaration) keep the person's name.
PUBLIC_NAME = ""


# Labels of the register and the decision on winners, used by their templates only.
NAMED_LABELS = (
    N_("Group leader"),
    N_("Representative"),
    N_("Recipient (initiator)"),
    N_(
        "Numbers are given in the order of registration: an application sent online is "
        "registered when it is sent; a paper one when the office enters it, which may be later "
        "than the time it was received. A paper application may therefore carry a later number "
        "than one received after it; its time of receipt counts for the deadline."
    ),
)


def initiator_of(a: Application) -> str:
    """The person the register, the decision, the report and its act name: the applicant
    or the group's leader. The signed original needs it (nobody signs a decision that names
    no recipient); the public copy empties it (``redaction.NAME_FIELDS``)."""
    return a.applicant_name or ""


def application_public_part(a: Application) -> dict:
    """What anyone may read about an application: no personal data."""
    return {
        "id": a.id,
        "number": a.number,
        "code": a.public_code,
        "state": a.state,
        "channel": a.channel.value,
        "applicant_kind": a.applicant_kind.value,
        "applicant_name": PUBLIC_NAME,
        "organisation": a.organisation_name,
        "village": a.village,
        "title": a.title,
        "initiative_kind": a.initiative_kind.value,
        "priority_topic": a.priority_topic,
        "submitted_at": when(a.submitted_at),
        "requested": money(a.requested_amount),
        "own_amount": money(a.own_amount),
        "own_share": money(a.own_share),
        "total_budget": money(a.total_budget),
        "awarded": money(a.awarded_amount),
        "expected_participants": dict(a.expected_participants or {}),
    }


def application_full_part(a: Application) -> dict:
    """For the applicant's own documents (receipt, agreement), which are never public."""
    part = application_public_part(a)
    part.update(
        applicant_name=a.applicant_name,
        contact_phone=a.contact_phone,
        contact_email=a.contact_email,
        address=a.address,
        problem=a.problem,
        goal=a.goal,
        received_at=when(a.received_at),
        attachments=[{"doc_type": x.doc_type, "filename": x.filename} for x in a.attachments],
        budget_lines=[
            {
                "item": b.item,
                "unit": b.unit,
                "quantity": money(b.quantity),
                "unit_price": money(b.unit_price),
                "total": money(b.total),
                "local": money(b.local_amount),
                "own": money(b.own_amount),
                "in_kind": money(b.in_kind_amount),
                "labour": money(b.labour_amount),
                "partners": money(b.partner_amount),
            }
            for b in a.budget_lines
        ],
    )
    return part


def for_competition(c: Competition, data: dict, actor) -> dict:
    snap = {"municipality": municipality_part(c), "competition": competition_part(c)}
    snap["signatories"] = signatories_part(c, actor)
    snap["commission"] = commission_part(c)
    snap["criteria"] = criteria_part(c)
    submitted = [a for a in c.applications if a.number is not None]
    snap["applications"] = [application_public_part(a) for a in submitted]
    snap["decision"] = {"number": c.decision_number, "date": when(c.decision_date)}
    snap["reason"] = data.get("reason") or c.cancel_reason
    return snap


def for_application(a: Application, data: dict, actor, *, private: bool = True) -> dict:
    """The base of an application's documents. Personal data only in private ones."""
    c = a.competition
    return {
        "municipality": municipality_part(c),
        "signatories": signatories_part(c, actor),
        "competition": {
            "id": c.id,
            "year": c.year,
            "title": per_language(c, "title"),
        },
        "application": application_full_part(a) if private else application_public_part(a),
        "reason": data.get("reason"),
    }


# --- the receipt (private: the applicant's own proof of registration) ------------------

DOCUMENT_TYPES = {**REQUIRED_DOCUMENTS, **EXTRA_ATTACHMENTS}


def one_titled(code: str, titles: dict[str, str]) -> dict:
    return {"code": code, "title": titles.get(code, code)}


def attachment_row(x) -> dict:
    return {
        "doc_type": one_titled(x.doc_type, DOCUMENT_TYPES),
        "filename": x.filename,
        "size": x.size_bytes,
        "sha256": x.sha256,
    }


def receipt_part(a: Application, data: dict, actor) -> dict:
    paper = a.channel == Channel.PAPER
    clerk = a.entered_by or actor
    return {
        "receipt": {
            "channel_title": Channel(a.channel).title,
            "paper": paper,
            "entered_by": clerk.full_name if paper and clerk is not None else None,
            "applicant_kind_title": ApplicantKind(a.applicant_kind).title,
            "initiative_kind_title": InitiativeKind(a.initiative_kind).title,
            "priority": one_titled(a.priority_topic, PRIORITIES),
            "partners": money(a.partner_amount),
            "attachments": [attachment_row(x) for x in sorted(a.attachments, key=lambda x: x.id)],
            "budget_lines": len(a.budget_lines),
            "activities": len(a.activities),
        }
    }


# --- the register of applications (public: names, no contacts) ------------------------


def numbered(c: Competition) -> list[Application]:
    """Applications that took a registration number (withdrawn ones keep theirs)."""
    return sorted((a for a in c.applications if a.number is not None), key=lambda a: a.number)


def register_row(a: Application) -> dict:
    return {
        "number": a.number,
        "withdrawn": a.state == "withdrawn",
        "received_at": when(a.received_at or a.submitted_at),
        "channel_title": Channel(a.channel).title,
        "applicant_name": PUBLIC_NAME,
        "initiator": initiator_of(a),
        "applicant_kind": a.applicant_kind.value,
        "organisation": a.organisation_name,
        "title": a.title,
        "priority": one_titled(a.priority_topic, PRIORITIES),
        "requested": money(a.requested_amount),
        "own_share": money(a.own_share),
        # Paper applications take their number when typed in, after the time they were
        # received: both are printed, so the order of the numbers is not a mystery.
        "registered_at": when(a.submitted_at),
        "paper": a.channel == Channel.PAPER,
    }


def register_part(c: Competition, data: dict, actor) -> dict:
    registered = numbered(c)
    rows = [register_row(a) for a in registered]
    valid = [a for a in registered if a.state != "withdrawn"]
    requested = sum((a.requested_amount for a in valid), Decimal("0.00"))
    budget = c.local_budget_amount
    return {
        "register": {
            "rows": rows,
            "count": len(rows),
            "withdrawn": len(rows) - len(valid),
            "requested": money(requested),
            "local_budget": money(budget),
            "requested_share": money(requested * 100 / budget) if budget > 0 else None,
        }
    }


# --- the screening protocol (public: names, checks, outcomes, reasons) ----------------


def screening_row(a: Application) -> dict:
    s = a.screening
    checklist = s.checklist or {}
    return {
        "number": a.number,
        "title": a.title,
        "applicant_name": PUBLIC_NAME,
        "organisation": a.organisation_name,
        "checks": [{"code": code, "passed": checklist.get(code)} for code in SCREENING_CHECKS],
        "outcome": s.outcome.value,
        "outcome_title": ScreeningOutcome(s.outcome).title,
        "reason": s.reason,
    }


def screening_meeting_part(c: Competition) -> dict | None:
    """The meeting that approved the screening: when, where, who came, the quorum and the
    vote. None for competitions screened before the step recorded it."""
    meetings = [m for m in c.meetings if m.purpose == "screening"]
    if not meetings:
        return None
    meeting = max(meetings, key=lambda m: (m.held_at, m.id or 0))
    names = {s.id: s.name for s in c.seats}
    approve = next((m for m in meeting.motions if m.kind == "approve"), None)
    t = approve.tally if approve is not None else None
    return {
        "held_at": when(meeting.held_at),
        "place": meeting.place,
        "present": [names[a.seat_id] for a in meeting.attendance if a.present],
        "absent": [names[a.seat_id] for a in meeting.attendance if not a.present],
        "seats": len(c.seats),
        "quorum_share": str((c.regulation.quorum_share * 100).quantize(Decimal("1"))),
        "quorum_met": meeting.quorum_met,
        "for": t.yes if t else 0,
        "against": t.no if t else 0,
        "abstain": t.abstain if t else 0,
        "passed": bool(t and t.passed),
        "casting_vote_used": bool(t and t.casting_vote_used),
    }


def screening_part(c: Competition, data: dict, actor) -> dict:
    rows = [screening_row(a) for a in numbered(c) if a.screening is not None]
    admitted = [r for r in rows if r["outcome"] == ScreeningOutcome.ADMITTED.value]
    return {
        "screening": {
            "checks": titled(SCREENING_CHECKS, SCREENING_CHECKS),
            "rows": rows,
            "admitted": len(admitted),
            "rejected": len(rows) - len(admitted),
            "meeting": screening_meeting_part(c),
        }
    }


# --- the commission's results (public: protocol, decision, notice) ----------------------

TIE_BREAK_TITLES = {
    "own_share": N_("larger own-contribution share"),
    "smaller_request": N_("smaller request from the local budget"),
    "registration": N_("earlier registration"),
}


def _seat_names(c: Competition) -> dict[int, str]:
    return {s.id: s.name for s in c.seats}


def decision_part(c: Competition, data: dict, actor) -> dict:
    """The results, with each winner's initiator: the head decides to pay named people."""
    part = results_part(c, data, actor)
    initiators = {a.number: initiator_of(a) for a in c.applications if a.number is not None}
    for row in part["results"]["rows"]:
        if row["winner"]:
            row["initiator"] = initiators.get(row["number"], "")
    return part


def meeting_part(c: Competition) -> dict | None:
    meeting = latest_results_meeting(c)
    if meeting is None:
        return None
    names = _seat_names(c)
    present = [a.seat_id for a in meeting.attendance if a.present]
    numbers = {a.id: a for a in c.applications}
    motions = []
    for m in meeting.motions:
        t = m.tally
        a = numbers.get(m.application_id)
        recused = {d.seat_id for d in a.conflicts if d.has_conflict} if a is not None else set()
        motions.append(
            {
                "kind": m.kind,
                "number": a.number if a is not None else None,
                "title": a.title if a is not None else None,
                "amount": money(m.amount),
                "partners": [
                    {"name": _source_name(c, k), "amount": money(Decimal(str(v)))}
                    for k, v in (m.partners or {}).items()
                ],
                "for": t.yes,
                "against": t.no,
                "abstain": t.abstain,
                "passed": t.passed,
                "casting_vote_used": t.casting_vote_used,
                "recused": [names[i] for i in sorted(recused & set(present)) if i in names],
            }
        )
    regulation = c.regulation
    return {
        "held_at": when(meeting.held_at),
        "place": meeting.place,
        "present": [names[i] for i in present if i in names],
        "absent": [names[a.seat_id] for a in meeting.attendance if not a.present],
        "present_count": len(present),
        "seats": len(c.seats),
        "quorum_share": str((regulation.quorum_share * 100).quantize(Decimal("1"))),
        "quorum_met": meeting.quorum_met,
        "motions": motions,
    }


def _source_name(c: Competition, source_id) -> dict | str:
    source = next((s for s in c.funding_sources if str(s.id) == str(source_id)), None)
    return ky_ru(source.name, source.name_ru) if source is not None else str(source_id)


def results_part(c: Competition, data: dict, actor) -> dict:
    """The score matrix, ranking, money by source after each row, meeting and votes."""
    from initiatives.scoring.results import applied_tie_breaks, compute, load, seat_labels

    results = compute(load(c.id))  # a constant number of queries, the scores summed by SQL
    seats = list(c.seats)
    rows = []
    for r in results.rows:
        a = r.application
        rows.append(
            {
                "position": r.ranked.position,
                "number": a.number,
                "code": a.public_code,
                "title": a.title,
                "applicant_name": PUBLIC_NAME,
                "applicant_kind": a.applicant_kind.value,
                "organisation": a.organisation_name,
                "totals": [
                    {
                        "seat_id": seat.id,
                        "total": money(r.totals.get(seat.id)),
                        "recused": seat.id in r.recused,
                    }
                    for seat in seats
                ],
                "mean": None if r.ranked.mean is None else str(r.ranked.mean),
                "counted": r.ranked.counted,
                "qualified": r.ranked.qualified,
                # Three places, rounded half up once (``ranking.round_mean``): printed as is.
                "criterion_means": [
                    None if r.criterion_means.get(k.id) is None else str(r.criterion_means[k.id])
                    for k in c.criteria
                ],
                "own_share": money(a.own_share),
                "requested": money(a.requested_amount),
                "awarded": money(a.awarded_amount) if a.state != "not_awarded" else None,
                "partners": [
                    {"source_id": p.id, "amount": money(r.partners.get(p.id))}
                    for p in results.pools
                ],
                "local_left": money(r.local_left),
                "pools_left": [money(r.pools_left.get(p.id)) for p in results.pools],
                "winner": a.awarded_amount is not None and a.state != "not_awarded",
                # What its budget asked of the partners, against what the pools gave.
                "partner_requested": money(r.ranked.entry.partner_requested),
                "partner_awarded": money(sum(r.partners.values(), Decimal("0.00"))),
                "partial": a.state != "not_awarded"
                and a.awarded_amount is not None
                and a.awarded_amount < a.requested_amount,
            }
        )
    settings = results.settings
    min_mean = settings.get("min_mean_score")
    return {
        "results": {
            "rows": rows,
            "seats": [
                {"id": s.id, "name": s.name, "role_title": s.seat_role.title, "label": label}
                for s, label in zip(seats, seat_labels([s.name for s in seats]), strict=True)
            ],
            "mean_places": 3,  # every mean is printed with exactly these places
            "criteria_count": len(c.criteria),
            "max_total": money(sum((k.scale_max * k.weight for k in c.criteria), Decimal(0))),
            "pools": [
                {
                    "id": p.id,
                    "name": ky_ru(p.name, p.name_ru),
                    "kind_title": SourceKind(p.kind).title,
                    "amount": money(p.amount),
                    "awarded": money(results.awarded_from(p.id)),
                    "left": money(p.amount - results.awarded_from(p.id)),
                }
                for p in results.pools
            ],
            "local": {
                "money": money(results.local_money),
                "awarded": money(results.awarded_local),
                "left": money(results.local_money - results.awarded_local),
            },
            "winners": len([row for row in rows if row["winner"]]),
            "settings": {
                "tie_breaks": titled(settings.get("tie_breaks") or [], TIE_BREAK_TITLES),
                "tie_breaks_applied": titled(applied_tie_breaks(settings), TIE_BREAK_TITLES),
                "min_mean": None if min_mean in (None, "") else str(min_mean),
                "skip_unfit": bool(settings.get("skip_unfit", True)),
                "casting_vote": bool(settings.get("casting_vote", True)),
                "blind": bool(settings.get("blind_scoring")),
            },
            "meeting": meeting_part(c),
        }
    }


# --- each member's own documents: score sheets, conflict declaration ---------------------


def _seat(c: Competition, data: dict):
    return next(s for s in c.seats if s.id == int(data["seat_id"]))


def member_part(seat) -> dict:
    return {
        "seat_id": seat.id,
        "name": seat.name,
        "role_title": SeatRole(seat.seat_role).title,
        "category_title": SeatCategory(seat.category).title,
    }


def score_sheet_part(c: Competition, data: dict, actor) -> dict:
    from initiatives.scoring.ranking import weighted_total
    from initiatives.scoring.results import load, scoring_applications

    seat = _seat(c, data)
    weights = {k.id: k.weight for k in c.criteria}
    rows = []
    for a in scoring_applications(load(c.id, scores=True)):
        declaration = next((d for d in a.conflicts if d.seat_id == seat.id), None)
        sheet = next((s for s in a.score_sheets if s.seat_id == seat.id), None)
        values = {s.criterion_id: s for s in sheet.scores} if sheet is not None else {}
        rows.append(
            {
                "number": a.number,
                "code": a.public_code,
                "title": a.title,
                "recused": bool(declaration and declaration.has_conflict),
                "scores": [
                    {
                        "value": money(values[k.id].value) if k.id in values else None,
                        "comment": values[k.id].comment if k.id in values else "",
                    }
                    for k in c.criteria
                ],
                "total": money(weighted_total({i: s.value for i, s in values.items()}, weights))
                if values
                else None,
                "submitted_at": when(sheet.submitted_at) if sheet is not None else None,
            }
        )
    return {
        "member": member_part(seat),
        "sheet": {"rows": rows, "blind": bool((c.settings or {}).get("blind_scoring"))},
    }


def conflict_part(c: Competition, data: dict, actor) -> dict:
    """One member's declaration. In blind scoring the member declared on the applicants'
    names alone, so the document lists just those, alphabetically: with the numbers or
    titles beside them it would tell every reader which initiative is whose."""
    from initiatives.applications.access import competition_blind
    from initiatives.scoring.operations import by_applicant_name
    from initiatives.scoring.results import load, scoring_applications

    seat = _seat(c, data)
    blind = competition_blind(c)
    applications = scoring_applications(load(c.id))
    if blind:
        applications = sorted(applications, key=by_applicant_name)
    rows = []
    for a in applications:
        declaration = next((d for d in a.conflicts if d.seat_id == seat.id), None)
        if declaration is None:
            continue
        row = {
            "applicant_name": a.applicant_name,
            "organisation": a.organisation_name,
            "has_conflict": declaration.has_conflict,
            "nature": declaration.nature,
            "declared_at": when(declaration.declared_at),
        }
        if not blind:
            row.update(number=a.number, title=a.title)
        rows.append(row)
    return {"member": member_part(seat), "declarations": rows, "blind": blind}


# After the awards (their parts live with the grants; imported here, below every helper
# they might read, so the two modules do not import each other half-built).
from initiatives.grants import snapshots as grants  # noqa: E402

KIND_PARTS: dict[DocumentKind, SnapshotBuilder] = {
    DocumentKind.RECEIPT: receipt_part,
    DocumentKind.APPLICATIONS_REGISTER: register_part,
    DocumentKind.SCREENING_PROTOCOL: screening_part,
    DocumentKind.RESULTS_PROTOCOL: results_part,
    DocumentKind.WINNERS_DECISION: decision_part,
    DocumentKind.RESULTS_NOTICE: results_part,
    DocumentKind.SCORE_SHEET: score_sheet_part,
    DocumentKind.CONFLICT_DECLARATION: conflict_part,
    DocumentKind.GRANT_AGREEMENT: grants.agreement_part,
    DocumentKind.PAYMENT_RECORD: grants.payment_part,
    DocumentKind.IMPLEMENTATION_REPORT: grants.report_part,
    DocumentKind.ACCEPTANCE_ACT: grants.report_part,
    DocumentKind.TERMINATION_NOTICE: grants.termination_part,
    DocumentKind.FINAL_REPORT: grants.final_part,
}


def build(subject, kind: DocumentKind, data: dict, actor=None) -> dict:
    if isinstance(subject, Application):
        snap = for_application(subject, data, actor, private=kind in PRIVATE_KINDS)
    else:
        snap = for_competition(subject, data, actor)
    part = KIND_PARTS.get(kind)
    if part is not None:
        snap.update(part(subject, data, actor))
    snap["kind"] = kind.value
    return snap
