"""The results of a competition as its pages and protocols show them: each member's weighted
total per application, the means, the ranking, the proposal of winners within the money and
the awards actually decided, with the money left after each row.

Reads loaded rows and hands the arithmetic to ``ranking`` (pure); writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import BigInteger, and_, cast, exists, func, select
from sqlalchemy.orm import selectinload

from initiatives.applications.models import Application, BudgetLine
from initiatives.competitions.models import CommissionSeat, Competition, Criterion
from initiatives.core.db import to_money
from initiatives.core.enums import SheetState, SourceKind
from initiatives.extensions import db
from initiatives.scoring import ranking
from initiatives.scoring.models import ConflictDeclaration, Meeting, Motion, Score, ScoreSheet
from workflows.competition import AWARDED_OR_LATER

# Applications that went to scoring (admitted at screening), whatever became of them since.
SCORING_STATES = ("admitted", "scored", "not_awarded", *sorted(AWARDED_OR_LATER))
DECIDED = {"awarded", "not_awarded"}
ZERO = Decimal("0.00")
DEFAULT_TIE_BREAKS = ("own_share", "registration")


def _frame() -> tuple:
    """The competition, its commission, criteria and applications themselves."""
    return (
        selectinload(Competition.municipality),
        selectinload(Competition.funding_sources),
        selectinload(Competition.seats).selectinload(CommissionSeat.user),
        selectinload(Competition.criteria),
        selectinload(Competition.applications),
    )


def load_frame(competition_id: int) -> Competition:
    """The frame without what belongs to each application: for a member's own pages,
    which read their rows by seat (``standing``) and one application's at most."""
    return db.session.scalars(
        select(Competition).where(Competition.id == competition_id).options(*_frame())
    ).one()


def load(
    competition_id: int,
    *,
    members: bool = True,
    votes: bool = True,
    budgets: bool = True,
    scores: bool = False,
) -> Competition:
    """The competition with everything the results read, in a constant number of queries:
    with each application's declarations and sheets (``members``), for the pages that
    show or check each member's work, and their scores only when asked for.

    A national competition has some 9,000 sheets, 9,000 declarations and 90,000 scores;
    as objects they cost seconds, and ``compute`` needs none of them: it reads their sums
    from ``score_figures``, and each budget's sums from ``budget_figures``. The ranking
    page reads the votes of the last meeting only (``votes=False``: loaded when read, a
    constant two queries) and no budget line (``budgets=False``)."""
    applications = selectinload(Competition.applications)
    sheets = applications.selectinload(Application.score_sheets)
    options = [*_frame(), applications.selectinload(Application.award_shares)]
    if members or scores:
        options.append(applications.selectinload(Application.conflicts))
        options.append(sheets.selectinload(ScoreSheet.scores) if scores else sheets)
    if votes:
        meetings = selectinload(Competition.meetings)
        options.append(meetings.selectinload(Meeting.motions).selectinload(Motion.votes))
        options.append(selectinload(Competition.meetings).selectinload(Meeting.attendance))
    else:
        options.append(selectinload(Competition.meetings))
    if budgets:
        options.append(applications.selectinload(Application.budget_lines))
    return db.session.scalars(
        select(Competition).where(Competition.id == competition_id).options(*options)
    ).one()


def _units(column, places: int = 2):
    """A two-place number as a whole number of hundredths: sums of these are exact on both
    databases (SQLite keeps NUMERIC as a binary float), so the totals below are the very
    Decimals that Python's sums of the loaded scores gave."""
    return cast(func.round(column * 10**places), BigInteger)


@dataclass(frozen=True)
class Budget:
    """An application's budget as the ranking reads it: ``Application``'s own sums."""

    requested: Decimal  # from the local budget
    own: Decimal  # money, in kind and labour
    partner: Decimal
    total: Decimal

    @property
    def own_share(self) -> Decimal:
        """As ``Application.own_share``: percent of the whole budget, two places."""
        return to_money(self.own * 100 / self.total) if self.total > 0 else ZERO


def budget_figures(competition_id: int) -> dict[int, Budget]:
    """Each application's budget sums in one grouped query instead of its lines as
    objects. Exact on both databases: whole hundredths, and each line's total rounded half
    up to the cent as ``BudgetLine.total`` does (quantity × unit price is in
    ten-thousandths)."""
    line_cents = (_units(BudgetLine.quantity) * _units(BudgetLine.unit_price) + 50) // 100
    rows = db.session.execute(
        select(
            BudgetLine.application_id,
            func.sum(_units(BudgetLine.local_amount)),
            func.sum(
                _units(BudgetLine.own_amount)
                + _units(BudgetLine.in_kind_amount)
                + _units(BudgetLine.labour_amount)
            ),
            func.sum(_units(BudgetLine.partner_amount)),
            func.sum(line_cents),
        )
        .where(
            BudgetLine.application_id.in_(
                select(Application.id).where(Application.competition_id == competition_id)
            )
        )
        .group_by(BudgetLine.application_id)
    )
    return {a: Budget(*(Decimal(int(v)).scaleb(-2) for v in values)) for a, *values in rows}


NO_BUDGET = Budget(ZERO, ZERO, ZERO, ZERO)


@dataclass(frozen=True)
class Figures:
    """What the ranking needs of the scores, summed by the database."""

    recused: dict  # application id -> {seat ids that declared a conflict}
    totals: dict  # application id -> {seat id: weighted total of its submitted sheet}
    sums: dict  # (application id, criterion id) -> (sum, count) over counted members


def score_figures(competition_id: int, *, means: bool = True) -> Figures:
    """Who is recused from each application, each submitted sheet's weighted total (sum of
    score × weight) and each criterion's sum over the members not recused: three queries,
    some 10,000 rows for a national competition instead of 90,000 score objects."""
    in_competition = ScoreSheet.application_id.in_(
        select(Application.id).where(Application.competition_id == competition_id)
    )
    submitted = ScoreSheet.state == SheetState.SUBMITTED
    total_rows = db.session.execute(
        select(
            ScoreSheet.application_id,
            ScoreSheet.seat_id,
            func.coalesce(func.sum(_units(Score.value) * _units(Criterion.weight)), 0),
        )
        .select_from(ScoreSheet)
        .outerjoin(Score, Score.sheet_id == ScoreSheet.id)
        .outerjoin(Criterion, Criterion.id == Score.criterion_id)
        .where(in_competition, submitted)
        .group_by(ScoreSheet.id, ScoreSheet.application_id, ScoreSheet.seat_id)
    )
    recused = exists().where(
        and_(
            ConflictDeclaration.seat_id == ScoreSheet.seat_id,
            ConflictDeclaration.application_id == ScoreSheet.application_id,
            ConflictDeclaration.has_conflict.is_(True),
        )
    )
    sum_rows = (
        []
        if not means
        else db.session.execute(
            select(
                ScoreSheet.application_id,
                Score.criterion_id,
                func.sum(_units(Score.value)),
                func.count(Score.id),
            )
            .select_from(ScoreSheet)
            .join(Score, Score.sheet_id == ScoreSheet.id)
            .where(in_competition, submitted, ~recused)
            .group_by(ScoreSheet.application_id, Score.criterion_id)
        )
    )
    recused_rows = db.session.execute(
        select(ConflictDeclaration.application_id, ConflictDeclaration.seat_id).where(
            ConflictDeclaration.application_id.in_(
                select(Application.id).where(Application.competition_id == competition_id)
            ),
            ConflictDeclaration.has_conflict.is_(True),
        )
    )
    recused: dict = {}
    for a, seat in recused_rows:
        recused.setdefault(a, set()).add(seat)
    totals: dict = {}
    for a, seat, units in total_rows:
        totals.setdefault(a, {})[seat] = ranking.money(Decimal(int(units)).scaleb(-4))
    sums = {(a, k): (Decimal(int(units)).scaleb(-2), n) for a, k, units, n in sum_rows}
    return Figures(recused, totals, sums)


def applied_tie_breaks(settings: dict) -> list[str]:
    """The tie-break rules in the order the ranking applies them: the competition's own,
    then registration order, which ``ranking`` always applies last (so a protocol states
    every rule that can have decided a place, not only the ones listed in the settings)."""
    rules = list(settings.get("tie_breaks") or DEFAULT_TIE_BREAKS)
    return rules if "registration" in rules else [*rules, "registration"]


def seat_labels(names: list[str]) -> list[str]:
    """Column heads for the members: their initials ("Ж.А."), with the seat's number added
    where two members share initials, so that no column can be read as another's."""
    initials = ["".join(f"{w[0]}." for w in name.split()) or "?" for name in names]
    return [
        f"{mark}{n}" if initials.count(mark) > 1 else mark
        for n, mark in enumerate(initials, start=1)
    ]


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


def compute(c: Competition, *, means: bool = True) -> Results:
    """The results; without each criterion's means unless ``means`` (the protocol shows
    them, the ranking page does not)."""
    settings = c.settings or {}
    figures = score_figures(c.id, means=means)
    budgets = budget_figures(c.id)
    entries, details = [], {}
    for a in scoring_applications(c):
        recused = figures.recused.get(a.id, set())
        budget = budgets.get(a.id, NO_BUDGET)
        totals = {
            seat: total
            for seat, total in sorted(figures.totals.get(a.id, {}).items())
            if seat not in recused
        }
        means = {}
        for k in c.criteria:
            total, n = figures.sums.get((a.id, k.id), (ZERO, 0))
            means[k.id] = ranking.round_mean(total / n) if n else None
        entries.append(
            ranking.Entry(
                application_id=a.id,
                number=a.number or 0,
                own_share=budget.own_share,
                requested=budget.requested,
                partner_requested=budget.partner,
                totals=totals,
                recused=frozenset(recused),
            )
        )
        details[a.id] = (a, totals, recused, means)
    min_mean = settings.get("min_mean_score")
    ranked = ranking.rank(
        entries,
        settings.get("tie_breaks") or DEFAULT_TIE_BREAKS,
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
