"""The results of a competition as its pages and protocols show them: each member's weighted
total per application, the means, the ranking, the proposal of winners within the money and
the awards actually decided, with the money left after each row.

Reads loaded rows and hands the arithmetic to ``ranking`` (pure); writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from initiatives.applications.models import Application
from initiatives.competitions.models import CommissionSeat, Competition
from initiatives.core.enums import SheetState, SourceKind
from initiatives.extensions import db
from initiatives.scoring import ranking
from initiatives.scoring.models import Meeting, Motion, ScoreSheet
from workflows.competition import AWARDED_OR_LATER

# Applications that went to scoring (admitted at screening), whatever became of them since.
SCORING_STATES = ("admitted", "scored", "not_awarded", *sorted(AWARDED_OR_LATER))
DECIDED = {"awarded", "not_awarded"}
ZERO = Decimal("0.00")


def load(competition_id: int) -> Competition:
    """The competition with everything the results read, in a constant number of queries."""
    return db.session.scalars(
        select(Competition)
        .where(Competition.id == competition_id)
        .options(
            selectinload(Competition.municipality),
            selectinload(Competition.funding_sources),
            selectinload(Competition.seats).selectinload(CommissionSeat.user),
            selectinload(Competition.criteria),
            selectinload(Competition.meetings)
            .selectinload(Meeting.motions)
            .selectinload(Motion.votes),
            selectinload(Competition.meetings).selectinload(Meeting.attendance),
            selectinload(Competition.applications).selectinload(Application.budget_lines),
            selectinload(Competition.applications).selectinload(Application.conflicts),
            selectinload(Competition.applications).selectinload(Application.award_shares),
            selectinload(Competition.applications)
            .selectinload(Application.score_sheets)
            .selectinload(ScoreSheet.scores),
        )
    ).one()


def scoring_applications(c: Competition) -> list[Application]:
    return sorted(
        (a for a in c.applications if a.state in SCORING_STATES), key=lambda a: a.number or 0
    )


def pools_of(c: Competition) -> list:
    """Sources other than the local budget, in the order they were recorded."""
    return [s for s in c.funding_sources if s.kind != SourceKind.LOCAL_BUDGET]


@dataclass
class Row:
    application: Application
    ranked: ranking.Ranked
    proposed: ranking.Allocation
    totals: dict  # seat id -> weighted total (submitted sheets only)
    recused: set
    criterion_means: dict  # criterion id -> mean score over counted members
    local_left: Decimal = ZERO  # after the awards decided so far, in ranking order
    pools_left: dict = field(default_factory=dict)

    @property
    def decided(self) -> bool:
        return self.application.state in DECIDED

    @property
    def awarded(self) -> Decimal:
        return self.application.awarded_amount or ZERO

    @property
    def partners(self) -> dict[int, Decimal]:
        return {s.funding_source_id: s.amount for s in self.application.award_shares}

    @property
    def matches_proposal(self) -> bool:
        """The decision on the application is the one the proposal makes."""
        a, p = self.application, self.proposed
        if p.outcome == ranking.AWARD:
            return (
                a.state == "awarded"
                and a.awarded_amount == p.local
                and self.partners == dict(p.partners)
            )
        return a.state == "not_awarded"


@dataclass
class Results:
    competition: Competition
    rows: list[Row]
    local_money: Decimal
    pools: list
    settings: dict

    @property
    def complete(self) -> bool:
        """Every application's scoring is closed (scored or already decided)."""
        return all(r.application.state != "admitted" for r in self.rows)

    @property
    def proposal_applied(self) -> bool:
        return bool(self.rows) and all(r.matches_proposal for r in self.rows)

    @property
    def proposed_local(self) -> Decimal:
        return sum((r.proposed.local for r in self.rows), ZERO)

    @property
    def awarded_local(self) -> Decimal:
        return sum((r.awarded for r in self.rows if r.application.state != "not_awarded"), ZERO)

    def awarded_from(self, source_id: int) -> Decimal:
        return sum((r.partners.get(source_id, ZERO) for r in self.rows), ZERO)

    @property
    def winners(self) -> list[Row]:
        return [r for r in self.rows if r.application.awarded_amount is not None]


def compute(c: Competition) -> Results:
    settings = c.settings or {}
    weights = {k.id: k.weight for k in c.criteria}
    entries, details = [], {}
    for a in scoring_applications(c):
        recused = {d.seat_id for d in a.conflicts if d.has_conflict}
        totals, per_criterion = {}, {k.id: [] for k in c.criteria}
        for sheet in a.score_sheets:
            if sheet.state != SheetState.SUBMITTED or sheet.seat_id in recused:
                continue
            values = {s.criterion_id: s.value for s in sheet.scores}
            totals[sheet.seat_id] = ranking.weighted_total(values, weights)
            for criterion_id, value in values.items():
                per_criterion.setdefault(criterion_id, []).append(value)
        means = {
            k: (sum(v, ZERO) / len(v)).quantize(ranking.CENT) if v else None
            for k, v in per_criterion.items()
        }
        entries.append(
            ranking.Entry(
                application_id=a.id,
                number=a.number or 0,
                own_share=a.own_share,
                requested=a.requested_amount,
                partner_requested=a.partner_amount,
                totals=totals,
                recused=frozenset(recused),
            )
        )
        details[a.id] = (a, totals, recused, means)
    min_mean = settings.get("min_mean_score")
    ranked = ranking.rank(
        entries,
        settings.get("tie_breaks") or ("own_share", "registration"),
        Decimal(str(min_mean)) if min_mean not in (None, "") else None,
    )
    pools = pools_of(c)
    proposal = ranking.allocate(
        ranked,
        c.local_budget_amount,
        pools=[ranking.Pool(s.id, s.amount, s.per_winner_cap) for s in pools],
        max_grant=c.max_grant,
        skip_unfit=settings.get("skip_unfit", True),
        partial={
            a.id: a.partial_amount for a, *_ in details.values() if a.partial_amount is not None
        },
    )
    rows = []
    local_left = c.local_budget_amount
    pools_left = {s.id: s.amount for s in pools}
    for r, p in zip(ranked, proposal, strict=True):
        a, totals, recused, means = details[r.entry.application_id]
        row = Row(a, r, p, totals, recused, means)
        if a.state != "not_awarded" and a.awarded_amount is not None:
            local_left -= a.awarded_amount
            for source_id, amount in row.partners.items():
                pools_left[source_id] = pools_left.get(source_id, ZERO) - amount
        row.local_left, row.pools_left = local_left, dict(pools_left)
        rows.append(row)
    return Results(c, rows, c.local_budget_amount, pools, settings)
