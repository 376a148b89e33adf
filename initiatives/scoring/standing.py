"""Where one member stands: their declarations and score sheets, read by seat.

A member's pages and the check after each submitted sheet need only that member's rows.
Reading them by seat costs the same two or three queries for 30 applications or 1,000,
where walking every application's declarations and sheets loads the whole commission's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from initiatives.competitions.models import CommissionSeat
from initiatives.core.enums import SheetState
from initiatives.extensions import db
from initiatives.scoring.models import ConflictDeclaration, Score, ScoreSheet


@dataclass(frozen=True)
class Standing:
    declarations: dict  # application id -> ConflictDeclaration
    sheets: dict  # application id -> ScoreSheet
    scored: dict  # sheet id -> number of criteria scored (drafts only)

    def status(self, application_id: int) -> str:
        declaration = self.declarations.get(application_id)
        if declaration is None:
            return "undeclared"
        if declaration.has_conflict:
            return "recused"
        sheet = self.sheets.get(application_id)
        if sheet is None:
            return "not_started"
        return "submitted" if sheet.state == SheetState.SUBMITTED else "draft"

    def done(self, pending_ids) -> bool:
        """Declared on every application under scoring, and scored every one not recused
        from."""
        pending_ids = list(pending_ids)
        return bool(pending_ids) and all(
            self.status(i) in ("recused", "submitted") for i in pending_ids
        )


def standing_of(seat: CommissionSeat) -> Standing:
    declarations = db.session.scalars(
        select(ConflictDeclaration).where(ConflictDeclaration.seat_id == seat.id)
    )
    sheets = db.session.scalars(select(ScoreSheet).where(ScoreSheet.seat_id == seat.id))
    scored = db.session.execute(
        select(Score.sheet_id, func.count(Score.id))
        .join(ScoreSheet, ScoreSheet.id == Score.sheet_id)
        .where(ScoreSheet.seat_id == seat.id, ScoreSheet.state == SheetState.DRAFT)
        .group_by(Score.sheet_id)
    )
    return Standing(
        declarations={d.application_id: d for d in declarations},
        sheets={s.application_id: s for s in sheets},
        scored=dict(scored.all()),
    )


@dataclass(frozen=True)
class Matrix:
    status: dict  # (seat id, application id) -> status, as ``Standing.status`` says
    done: set  # (seat id, application id) recused or submitted, as the workflow counts

    def complete(self, application_id: int, seat_ids) -> bool:
        """No sheet missing: ``Application.missing_score_sheets() == 0``."""
        return all((seat, application_id) in self.done for seat in seat_ids)


def commission_matrix(competition_id: int) -> Matrix:
    """Where the whole commission stands, from two queries of plain rows: the secretary's
    progress page of a national competition reads 9,000 declarations and 9,000 sheets,
    which as objects cost seconds."""
    from initiatives.applications.models import Application

    in_competition = select(Application.id).where(Application.competition_id == competition_id)
    declared = db.session.execute(
        select(
            ConflictDeclaration.seat_id,
            ConflictDeclaration.application_id,
            ConflictDeclaration.has_conflict,
        ).where(ConflictDeclaration.application_id.in_(in_competition))
    )
    sheets = db.session.execute(
        select(ScoreSheet.seat_id, ScoreSheet.application_id, ScoreSheet.state).where(
            ScoreSheet.application_id.in_(in_competition)
        )
    )
    status, done = {}, set()
    for seat, a, conflict in declared:
        status[(seat, a)] = "recused" if conflict else "not_started"
        if conflict:
            done.add((seat, a))
    for seat, a, state in sheets:
        if state == SheetState.SUBMITTED:
            done.add((seat, a))
        if status.get((seat, a)) == "not_started":
            status[(seat, a)] = "submitted" if state == SheetState.SUBMITTED else "draft"
    return Matrix(status, done)
