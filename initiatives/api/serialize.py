"""Rows of the open data: public fields only, the same for JSON and CSV.

Every function returns plain JSON values (money as strings with two decimals, dates as ISO
text) so that a response can be checked against the OpenAPI document as it is.
"""

from __future__ import annotations

from decimal import Decimal

from initiatives.applications.access import public_state
from initiatives.applications.models import Application
from initiatives.competitions.models import Competition
from initiatives.grants import summary
from initiatives.municipalities.models import Municipality


def _m(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _d(value) -> str | None:
    return None if value is None else value.isoformat()


def municipality(m: Municipality) -> dict:
    return {
        "slug": m.slug,
        "name_ky": m.name_ky,
        "name_ru": m.name_ru,
        "name_en": m.name_en,
        "region": m.region,
        "district": m.district,
        "regulation_number": m.regulation_number,
    }


def competition(c: Competition) -> dict:
    return {
        "id": c.id,
        "municipality": c.municipality.slug,
        "year": c.year,
        "state": c.state,
        "title_ky": c.title_ky,
        "title_ru": c.title_ru,
        "title_en": c.title_en,
        "announced_at": _d(c.announced_at),
        "submission_deadline": _d(c.submission_deadline),
        "implementation_deadline": _d(c.implementation_deadline),
        "report_deadline": _d(c.report_deadline),
        "local_budget": _m(c.local_budget_amount),
        "other_money": _m(c.total_money - c.local_budget_amount),
        "max_grant": _m(c.max_grant),
        "min_own_share": _m(c.min_own_share),
        "priorities": list(c.priorities or []),
    }


def application(a: Application) -> dict:
    individual = a.applicant_kind.value == "individual"
    return {
        "number": a.number,
        "code": a.public_code,
        "competition": a.competition_id,
        "title": a.title,
        "village": a.village,
        "applicant_kind": a.applicant_kind.value,
        # The name of a group, organisation or company; a person's name never.
        "applicant": None if individual else (a.organisation_name or None),
        "initiative_kind": a.initiative_kind.value,
        "priority": a.priority_topic or None,
        "channel": a.channel.value,
        "submitted_at": _d(a.submitted_at),
        "state": public_state(a),
        "requested": _m(a.requested_amount),
        "own_amount": _m(a.own_amount),
        "partner_amount": _m(a.partner_amount),
        "total_budget": _m(a.total_budget),
    }


def award(a: Application) -> dict:
    g = a.agreement
    return {
        "number": a.number,
        "competition": a.competition_id,
        "title": a.title,
        "state": public_state(a),
        "local_budget": _m(a.awarded_amount),
        "partners": _m(sum((s.amount for s in a.award_shares), Decimal(0))),
        "agreement_number": g.number if g and g.signed_on else None,
        "signed_on": _d(g.signed_on) if g else None,
        "paid": _m(g.paid if g else 0),
        "returned": _m(g.refunded if g else 0),
    }


def report(a: Application) -> dict:
    r = summary.accepted_report(a)
    counts = {k: int(v or 0) for k, v in (r.actual_participants or {}).items()}
    return {
        "number": a.number,
        "competition": a.competition_id,
        "title": a.title,
        "accepted_at": _d(r.reviewed_at),
        "participants": counts,
        "participants_total": summary.participants_total(counts),
        "spent_local": _m(r.actual("local")),
        "spent_total": _m(r.actual()),
        "own_contribution": _m(r.own_delivered),
        "activities_planned": len(r.activities),
        "activities_done": sum(1 for x in r.activities if x.done),
        "results": r.results_text,
    }


def result_row(row: dict, competition_id: int) -> dict:
    """One row of the published results notice."""
    individual = row.get("applicant_kind") == "individual"
    return {
        "competition": competition_id,
        "position": row["position"],
        "number": row["number"],
        "title": row["title"],
        "applicant": None if individual else (row.get("organisation") or None),
        "mean_score": row["mean"],
        "winner": bool(row["winner"]),
        "local_budget": row["awarded"] if row["winner"] else None,
        "partners": _m(sum(Decimal(p["amount"] or 0) for p in row["partners"]))
        if row["winner"]
        else None,
    }
