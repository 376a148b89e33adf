"""The ranking's figures summed by the database are the very Decimals that Python's own
sums of the loaded scores give: fractional scores and weights, half-cent products and a
recused member included, on SQLite (which keeps NUMERIC as a binary float) as on
PostgreSQL."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import select

from initiatives.core.enums import SheetState
from initiatives.scoring import ranking
from initiatives.scoring.models import ConflictDeclaration, ScoreSheet
from initiatives.scoring.results import compute, load, score_figures


def _by_python(c):
    """The sums as they were made before the database did them: from score objects."""
    weights = {k.id: k.weight for k in c.criteria}
    totals, means = {}, {}
    for a in c.applications:
        recused = {d.seat_id for d in a.conflicts if d.has_conflict}
        per_criterion = {k.id: [] for k in c.criteria}
        for sheet in a.score_sheets:
            if sheet.state != SheetState.SUBMITTED or sheet.seat_id in recused:
                continue
            values = {s.criterion_id: s.value for s in sheet.scores}
            totals[(a.id, sheet.seat_id)] = ranking.weighted_total(values, weights)
            for k, v in values.items():
                per_criterion[k].append(v)
        for k, v in per_criterion.items():
            means[(a.id, k)] = ranking.round_mean(sum(v, Decimal("0.00")) / len(v)) if v else None
    return totals, means


def test_sums_by_the_database_equal_python_sums_of_the_scores(build, db):
    run = build("scoring", proposals=4)
    c = load(run.c.id, scores=True)
    rng = random.Random(7)
    # Weights and scores with cents, chosen so that many products end in a half cent.
    for k in c.criteria:
        k.weight = Decimal(rng.choice(["1.50", "0.75", "1.35", "2.05", "1.00"]))
    for a in c.applications:
        for sheet in a.score_sheets:
            for s in sheet.scores:
                s.value = Decimal(rng.randrange(0, 1001)) / 100
    # One member recused from one application after all: their sheet must count nowhere.
    a = c.applications[1]
    seat = a.score_sheets[0].seat_id
    declaration = db.session.scalars(
        select(ConflictDeclaration).where(
            ConflictDeclaration.application_id == a.id, ConflictDeclaration.seat_id == seat
        )
    ).one()
    declaration.has_conflict = True
    declaration.nature = "A cousin."
    # A draft sheet counts nowhere either.
    draft = c.applications[2].score_sheets[1]
    draft.state = SheetState.DRAFT
    db.session.commit()
    db.session.expire_all()

    c = load(run.c.id, scores=True)
    expected_totals, expected_means = _by_python(c)
    figures = score_figures(c.id)
    got_totals = {
        (a_id, seat_id): total
        for a_id, seats in figures.totals.items()
        for seat_id, total in seats.items()
        if seat_id not in figures.recused.get(a_id, set())
    }
    assert got_totals == expected_totals
    assert any(
        t.as_tuple().exponent == -2 and t != t.quantize(Decimal("0.1")) for t in got_totals.values()
    )
    assert figures.recused == {a.id: {seat}}
    assert (draft.application_id, draft.seat_id) not in got_totals

    results = compute(c)
    for row in results.rows:
        assert row.totals == {
            s: t for (a_id, s), t in expected_totals.items() if a_id == row.application.id
        }
        for k in c.criteria:
            assert row.criterion_means[k.id] == expected_means[(row.application.id, k.id)]
    assert seat in next(r for r in results.rows if r.application.id == a.id).recused


def test_sheets_and_scores_are_loaded_only_when_asked_for(build, db):
    run = build("scoring", proposals=2)
    db.session.expire_all()
    lean = load(run.c.id, members=False)
    assert all("score_sheets" not in a.__dict__ for a in lean.applications)
    db.session.expire_all()
    full = load(run.c.id, scores=True)
    assert all("scores" in s.__dict__ for a in full.applications for s in a.score_sheets)
    assert db.session.scalars(select(ScoreSheet)).first() is not None
