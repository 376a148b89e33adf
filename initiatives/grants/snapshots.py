"""Snapshot parts of the documents after the awards: the grant agreement (private: the
parties' personal data), the implementation report and its acceptance act, the termination
notice (public: no personal data), and the final report of the competition (public)."""

from __future__ import annotations

from decimal import Decimal

from initiatives.applications.models import Application
from initiatives.competitions.models import Competition
from initiatives.core.enums import PARTICIPANT_GROUPS, ReportState, SourceKind, SpendingSource
from initiatives.grants import summary
from initiatives.grants.operations import REPORT_FILES

ZERO = Decimal("0.00")


def _m(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _when(value) -> str | None:
    return None if value is None else value.isoformat()


def _shares(a: Application) -> list[dict]:
    return [
        {
            "name": s.funding_source.name,
            "kind_title": SourceKind(s.funding_source.kind).title,
            "amount": _m(s.amount),
        }
        for s in sorted(a.award_shares, key=lambda s: s.funding_source_id)
    ]


def money_part(a: Application) -> dict:
    g = a.agreement
    partners = sum((s.amount for s in a.award_shares), ZERO)
    return {
        "awarded": _m(a.awarded_amount or ZERO),
        "partners": _m(partners),
        "total": _m((a.awarded_amount or ZERO) + partners),
        "paid": _m(g.paid if g else ZERO),
        "refunded": _m(g.refunded if g else ZERO),
        "unspent": _m(summary.unspent(a)),
        "payments": [
            {"date": _when(p.paid_on), "order": p.order_number, "amount": _m(p.amount)}
            for p in (g.payments if g else [])
        ],
        "refunds": [
            {"date": _when(r.returned_on), "order": r.order_number, "amount": _m(r.amount)}
            for r in (g.refunds if g else [])
        ],
    }


def agreement_part(a: Application, data: dict, actor) -> dict:
    g = a.agreement
    own = {source: _m(summary.planned(a, source)) for source in ("own", "in_kind", "labour")}
    return {
        "agreement": {
            "number": g.number,
            "signed_on": _when(g.signed_on),
            "amount": _m(g.amount),
            "partners": _shares(a),
            "total": money_part(a)["total"],
            "obligations": g.obligations,
            "own": own,
            "tranches": [
                {"n": n, "due": tranche.get("due"), "amount": tranche["amount"]}
                for n, tranche in enumerate(g.tranches or [], start=1)
            ],
            "implementation_due": _when(g.implementation_due),
            "report_due": _when(g.report_due),
            "id_document_number": a.id_document_number,
            "group_members": list(a.group_members or []),
            "activities": [
                {
                    "description": x.description,
                    "starts_on": _when(x.starts_on),
                    "ends_on": _when(x.ends_on),
                }
                for x in a.activities
            ],
        }
    }


def report_part(a: Application, data: dict, actor) -> dict:
    report, g = a.current_report, a.agreement
    groups = summary.group_codes(a.competition)
    counts = report.actual_participants or {}
    sources = [s.value for s in SpendingSource if any(x.source == s for x in report.spending)]
    previous = [r for r in sorted(a.reports, key=lambda r: r.round) if r.round < report.round]
    return {
        "agreement": {"number": g.number, "signed_on": _when(g.signed_on)} if g else None,
        "money": money_part(a),
        "report": {
            "round": report.round,
            "state": report.state.value,
            "submitted_at": _when(report.submitted_at),
            "reviewed_at": _when(report.reviewed_at),
            "results_text": report.results_text,
            "contribution_note": report.contribution_note,
            "activities": [
                {"description": x.description, "done": x.done, "note": x.note}
                for x in report.activities
            ],
            "participants": [
                {
                    "code": code,
                    "title": PARTICIPANT_GROUPS.get(code, code),
                    "additive": code in summary.ADDITIVE_GROUPS,
                    "count": int(counts.get(code) or 0),
                }
                for code in groups
            ],
            "participants_total": summary.participants_total(counts),
            "spending": [
                {
                    "item": s.item,
                    "source": s.source.value,
                    "source_title": SpendingSource(s.source).title,
                    "planned": _m(s.planned),
                    "actual": _m(s.actual),
                }
                for s in report.spending
            ],
            "by_source": [
                {
                    "source": source,
                    "title": SpendingSource(source).title,
                    "planned": _m(report.planned(source)),
                    "actual": _m(report.actual(source)),
                }
                for source in sources
            ],
            "planned_total": _m(report.planned()),
            "actual_total": _m(report.actual()),
            "own_delivered": _m(report.own_delivered),
            "files": [
                {
                    "kind": kind,
                    "title": title,
                    "count": sum(1 for f in report.files if f.doc_type == kind),
                }
                for kind, title in REPORT_FILES.items()
            ],
            "rounds": [
                {
                    "round": r.round,
                    "submitted_at": _when(r.submitted_at),
                    "reviewed_at": _when(r.reviewed_at),
                    "comment": r.review_comment if r.state == ReportState.RETURNED else None,
                }
                for r in previous
            ],
        },
    }


def termination_part(a: Application, data: dict, actor) -> dict:
    g = a.agreement
    return {
        "agreement": {"number": g.number, "signed_on": _when(g.signed_on)} if g else None,
        "money": money_part(a),
    }


def final_part(c: Competition, data: dict, actor) -> dict:
    return {"final": summary.figures(c)}
