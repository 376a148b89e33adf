"""The figures of a competition after the awards: money by source and by stage, participants
by group, and each initiative with its results.

One function computes them for both the final report's snapshot and the web page, so the
page a head looks at and the PDF they sign cannot disagree. The result is plain JSON (money
as strings with two decimals), which is what a snapshot must be.

Participants: the four sex-by-age groups (women, men, girls, boys) are disjoint and add up
to the total; every other group (persons with disabilities, a municipality's own groups such
as migrants' families) counts people *of whom*, already inside that total. The Orozbekov
report reads that way: "290 children, of them 114 girls, 19 with disabilities".
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from initiatives.applications.models import Application
from initiatives.competitions.models import Competition
from initiatives.core.enums import PARTICIPANT_GROUPS, ReportState, SourceKind, SpendingSource
from initiatives.extensions import db
from initiatives.grants.models import Agreement, ImplementationReport
from workflows.competition import AWARDED_OR_LATER

ZERO = Decimal("0.00")
ADDITIVE_GROUPS = ("women", "men", "girls", "boys")
# The sources of an initiative's budget, in the order of the budget table.
SOURCES = tuple(s.value for s in SpendingSource)
OWN_SOURCES = ("own", "in_kind", "labour")
# Where each budget column of an application goes.
PLANNED_ATTR = {
    "local": "local_amount",
    "own": "own_amount",
    "in_kind": "in_kind_amount",
    "labour": "labour_amount",
    "partners": "partner_amount",
}


def _m(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def preload(c: Competition) -> list[Application]:
    """Everything ``figures`` reads of the applications, in a fixed handful of queries
    (SELECT ... IN), instead of a few lazy loads per initiative: the objects land in the
    session, so ``c.applications`` then finds them loaded. The caller keeps the returned
    list while it works: the session holds its objects only weakly."""
    return db.session.scalars(
        select(Application)
        .where(Application.competition_id == c.id)
        .options(
            selectinload(Application.agreement).selectinload(Agreement.payments),
            selectinload(Application.agreement).selectinload(Agreement.refunds),
            selectinload(Application.reports).selectinload(ImplementationReport.spending),
            selectinload(Application.reports).selectinload(ImplementationReport.activities),
            selectinload(Application.award_shares),
            selectinload(Application.budget_lines),
            selectinload(Application.activities),
        )
    ).all()


def winners(c: Competition) -> list[Application]:
    """Every application that was awarded, in number order (terminated ones included:
    their money and its return belong in the report)."""
    return sorted(
        (a for a in c.applications if a.state in AWARDED_OR_LATER),
        key=lambda a: a.number or 0,
    )


def accepted_report(a: Application):
    report = a.current_report
    return report if report is not None and report.state == ReportState.ACCEPTED else None


def group_codes(c: Competition) -> list[str]:
    codes = list(c.municipality.participant_groups or PARTICIPANT_GROUPS)
    return [g for g in ADDITIVE_GROUPS if g in codes] + [
        g for g in codes if g not in ADDITIVE_GROUPS
    ]


def participants_total(counts: dict) -> int:
    return sum(int(counts.get(g) or 0) for g in ADDITIVE_GROUPS)


def planned(a: Application, source: str) -> Decimal:
    return sum((getattr(b, PLANNED_ATTR[source]) for b in a.budget_lines), ZERO)


def unspent(a: Application) -> Decimal:
    """Local money to return: what a completed initiative was paid and its accepted report
    did not spend, less refunds; all that a terminated one was paid until a refund is
    recorded (the head decides how much it keeps). Nothing while the work goes on."""
    g = a.agreement
    if g is None or a.state not in ("completed", "terminated"):
        return ZERO
    if a.state == "terminated":
        return ZERO if g.live_refunds else g.paid
    report = accepted_report(a)
    spent = report.actual("local") if report is not None else ZERO
    return max(g.paid - spent - g.refunded, ZERO)


def initiative_row(a: Application, groups: list[str]) -> dict:
    agreement, report = a.agreement, accepted_report(a)
    shares = sum((s.amount for s in a.award_shares), ZERO)
    counts = (
        {g: int((report.actual_participants or {}).get(g) or 0) for g in groups} if report else {}
    )
    return {
        "id": a.id,
        "number": a.number,
        "code": a.public_code,
        "title": a.title,
        "village": a.village,
        "state": a.state,
        "awarded": _m(a.awarded_amount or ZERO),
        "partners": _m(shares),
        "paid": _m(agreement.paid if agreement else ZERO),
        "spent": _m(report.actual("local") if report else ZERO),
        "spent_all": _m(report.actual() if report else ZERO),
        "own_delivered": _m(report.own_delivered if report else ZERO),
        "returned": _m(agreement.refunded if agreement else ZERO),
        "participants": counts,
        "participants_total": participants_total(counts),
        "activities_planned": len(a.activities),
        "activities_done": sum(1 for x in report.activities if x.done) if report else 0,
        "results": report.results_text if report else "",
        "reason": a.decision_reason if a.state == "terminated" else None,
    }


def figures(c: Competition) -> dict:
    """Everything the final report shows, as JSON."""
    loaded = preload(c)  # noqa: F841 (kept alive, see preload)
    groups = group_codes(c)
    won = winners(c)
    reports = [r for r in (accepted_report(a) for a in won) if r is not None]
    partner_pools = sum(
        (s.amount for s in c.funding_sources if s.kind != SourceKind.LOCAL_BUDGET), ZERO
    )
    local = {
        "allocated": c.local_budget_amount,
        "awarded": sum((a.awarded_amount or ZERO for a in won), ZERO),
        "paid": sum((a.agreement.paid for a in won if a.agreement), ZERO),
        "spent": sum((r.actual("local") for r in reports), ZERO),
        "returned": sum((a.agreement.refunded for a in won if a.agreement), ZERO),
    }
    partners = {
        "allocated": partner_pools,
        "awarded": sum((s.amount for a in won for s in a.award_shares), ZERO),
        "spent": sum((r.actual("partners") for r in reports), ZERO),
    }
    by_source = [
        {
            "source": source,
            "title": SpendingSource(source).title,
            "planned": _m(sum((planned(a, source) for a in won), ZERO)),
            "actual": _m(sum((r.actual(source) for r in reports), ZERO)),
        }
        for source in SOURCES
    ]
    # A source nobody planned nor spent (no in-kind contribution, say) is left out.
    by_source = [s for s in by_source if s["planned"] != "0.00" or s["actual"] != "0.00"]
    totals = {
        g: sum(int((r.actual_participants or {}).get(g) or 0) for r in reports) for g in groups
    }
    expected = {
        g: sum(int((a.expected_participants or {}).get(g) or 0) for a in won) for g in groups
    }
    return {
        "money": {
            "local": {k: _m(v) for k, v in local.items()},
            "partners": {k: _m(v) for k, v in partners.items()},
            "unspent": _m(sum((unspent(a) for a in won), ZERO)),
        },
        "by_source": by_source,
        "planned_total": _m(sum((Decimal(s["planned"]) for s in by_source), ZERO)),
        "actual_total": _m(sum((Decimal(s["actual"]) for s in by_source), ZERO)),
        "groups": [
            {
                "code": g,
                "title": PARTICIPANT_GROUPS.get(g, g),
                "additive": g in ADDITIVE_GROUPS,
                "count": totals[g],
                "expected": expected[g],
            }
            for g in groups
        ],
        "participants_total": participants_total(totals),
        "participants_expected": participants_total(expected),
        "counts": {
            "applications": sum(1 for a in c.applications if a.number is not None),
            "winners": len(won),
            "completed": sum(1 for a in won if a.state == "completed"),
            "terminated": sum(1 for a in won if a.state == "terminated"),
        },
        "initiatives": [initiative_row(a, groups) for a in won],
        # The head's own words, per language; empty: the report draws one from the figures.
        "conclusion": {"ky": c.conclusion_ky or "", "ru": c.conclusion_ru or ""},
    }
