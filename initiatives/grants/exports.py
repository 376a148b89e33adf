"""The specialist's spreadsheets: applications, scores, awards, payments and spending.

Each dataset is columns plus rows of plain values, written as CSV (UTF-8 with a BOM, which
Excel needs to read Cyrillic) or as an XLSX sheet (openpyxl) with typed cells, a frozen
header and a totals row computed here from the same rows, so the totals a reader sees are
the database's. Headers are in the language of the person exporting. Whatever people typed
stays text (``initiatives.core.spreadsheet``): a title starting with ``=`` is never a formula.

Contacts and ID numbers are left out: a spreadsheet travels by e-mail and USB stick, and no
column here needs them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from initiatives.applications.models import Application
from initiatives.competitions.models import Competition
from initiatives.core.enums import PRIORITIES, SheetState, SpendingSource
from initiatives.core.spreadsheet import neutralise, risky
from initiatives.extensions import db
from initiatives.grants.models import Agreement, ImplementationReport
from initiatives.i18n import _
from initiatives.scoring.models import ScoreSheet
from workflows import ApplicationState
from workflows.i18n import N_

MONEY, TEXT, INT, DAY = "money", "text", "int", "date"
# Scores are the commission's until the results are approved.
SCORES_FROM = {"results_approved", "winners_announced", "implementation", "closed"}
STATE_TITLES = {s.value: s.title for s in ApplicationState}


@dataclass
class Dataset:
    name: str
    title: str  # message id
    columns: list[tuple[str, str]]  # (message id of the header, kind)
    rows: list[list] = field(default_factory=list)

    def totals(self) -> list | None:
        """Sums of the money and count columns; None when there is nothing to add."""
        if not self.rows or not any(kind == MONEY for _h, kind in self.columns):
            return None
        out = []
        for i, (_h, kind) in enumerate(self.columns):
            if kind == MONEY:
                out.append(sum((r[i] or Decimal(0) for r in self.rows), Decimal("0.00")))
            else:
                out.append(None)
        return out


def _applications(c: Competition) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.competition_id == c.id, Application.number.is_not(None))
            .options(
                selectinload(Application.budget_lines),
                selectinload(Application.award_shares),
                selectinload(Application.agreement).selectinload(Agreement.payments),
                selectinload(Application.agreement).selectinload(Agreement.refunds),
                selectinload(Application.reports).selectinload(ImplementationReport.spending),
            )
            .order_by(Application.number)
        )
    )


def applications(c: Competition) -> Dataset:
    d = Dataset(
        "applications",
        N_("Applications"),
        [
            (N_("No."), INT),
            (N_("Code"), TEXT),
            (N_("Registered"), DAY),
            (N_("Channel"), TEXT),
            (N_("Applicant"), TEXT),
            (N_("Organisation"), TEXT),
            (N_("Village"), TEXT),
            (N_("Initiative"), TEXT),
            (N_("Priority topic"), TEXT),
            (N_("State"), TEXT),
            (N_("Total budget"), MONEY),
            (N_("Requested from the local budget"), MONEY),
            (N_("Own contribution"), MONEY),
            (N_("Partners"), MONEY),
        ],
    )
    for a in _applications(c):
        d.rows.append(
            [
                a.number,
                a.public_code,
                a.submitted_at.date() if a.submitted_at else None,
                _(a.channel.title),
                a.applicant_name,
                a.organisation_name,
                a.village,
                a.title,
                _(PRIORITIES[a.priority_topic]) if a.priority_topic in PRIORITIES else "",
                _(STATE_TITLES.get(a.state, a.state)),
                a.total_budget,
                a.requested_amount,
                a.own_amount,
                a.partner_amount,
            ]
        )
    return d


def scores(c: Competition) -> Dataset:
    """One row per submitted score: the long form a pivot table wants."""
    d = Dataset(
        "scores",
        N_("Scores"),
        [
            (N_("No."), INT),
            (N_("Initiative"), TEXT),
            (N_("Member of the commission"), TEXT),
            (N_("Criterion"), TEXT),
            (N_("Score"), "number"),
            (N_("Weight"), "number"),
            (N_("Weighted score"), "number"),
        ],
    )
    if c.state not in SCORES_FROM:
        return d
    locale = str(_locale())
    sheets = db.session.scalars(
        select(ScoreSheet)
        .join(Application, Application.id == ScoreSheet.application_id)
        .where(Application.competition_id == c.id, ScoreSheet.state == SheetState.SUBMITTED)
        .options(
            selectinload(ScoreSheet.scores),
            selectinload(ScoreSheet.seat),
            selectinload(ScoreSheet.application),
        )
        .order_by(Application.number, ScoreSheet.seat_id)
    )
    criteria = {k.id: k for k in c.criteria}
    for sheet in sheets:
        for score in sorted(sheet.scores, key=lambda s: criteria[s.criterion_id].position):
            k = criteria[score.criterion_id]
            d.rows.append(
                [
                    sheet.application.number,
                    sheet.application.title,
                    sheet.seat.name,
                    getattr(k, f"title_{locale}", None) or k.title_ru,
                    score.value,
                    k.weight,
                    score.value * k.weight,
                ]
            )
    return d


def awards(c: Competition) -> Dataset:
    d = Dataset(
        "awards",
        N_("Awards"),
        [
            (N_("No."), INT),
            (N_("Initiative"), TEXT),
            (N_("State"), TEXT),
            (N_("Local budget"), MONEY),
            (N_("Partners"), MONEY),
            (N_("Agreement No."), TEXT),
            (N_("Signed on"), DAY),
            (N_("Paid"), MONEY),
            (N_("Returned"), MONEY),
        ],
    )
    for a in _applications(c):
        if a.awarded_amount is None:
            continue
        g = a.agreement
        d.rows.append(
            [
                a.number,
                a.title,
                _(STATE_TITLES.get(a.state, a.state)),
                a.awarded_amount,
                sum((s.amount for s in a.award_shares), Decimal("0.00")),
                g.number if g else "",
                g.signed_on if g else None,
                g.paid if g else Decimal("0.00"),
                g.refunded if g else Decimal("0.00"),
            ]
        )
    return d


MOVES = {
    "payment": (N_("Payment"), N_("Reversal of a payment")),
    "refund": (N_("Refund"), N_("Reversal of a refund")),
}


def _kind(entry, kind: str) -> str:
    return MOVES[kind][entry.reverses_id is not None]


def payments(c: Competition) -> Dataset:
    """Money out (payments) and back (refunds), one row each; refunds are negative so the
    column adds up to what the initiatives kept. A reversal is a row of its own, of the
    opposite sign, as it is booked."""
    d = Dataset(
        "payments",
        N_("Payments"),
        [
            (N_("No."), INT),
            (N_("Initiative"), TEXT),
            (N_("Agreement No."), TEXT),
            (N_("Operation"), TEXT),
            (N_("Date"), DAY),
            (N_("Payment order No."), TEXT),
            (N_("Amount"), MONEY),
        ],
    )
    for a in _applications(c):
        g = a.agreement
        if g is None:
            continue
        moves = [(p.paid_on, _kind(p, "payment"), p.order_number, p.amount) for p in g.payments]
        moves += [(r.returned_on, _kind(r, "refund"), r.order_number, -r.amount) for r in g.refunds]
        for day, kind, order, amount in sorted(moves, key=lambda m: m[0]):
            d.rows.append([a.number, a.title, g.number, _(kind), day, order, amount])
    return d


def spending(c: Competition) -> Dataset:
    d = Dataset(
        "spending",
        N_("Spending"),
        [
            (N_("No."), INT),
            (N_("Initiative"), TEXT),
            (N_("Report round"), INT),
            (N_("Report state"), TEXT),
            (N_("Item"), TEXT),
            (N_("Source"), TEXT),
            (N_("Planned"), MONEY),
            (N_("Actual"), MONEY),
            (N_("Difference"), MONEY),
        ],
    )
    for a in _applications(c):
        report = a.current_report
        if report is None:
            continue
        for s in report.spending:
            d.rows.append(
                [
                    a.number,
                    a.title,
                    report.round,
                    _(report.state.title),
                    s.item,
                    _(SpendingSource(s.source).title),
                    s.planned,
                    s.actual,
                    s.actual - s.planned,
                ]
            )
    return d


TITLES = {
    "applications": N_("Applications"),
    "scores": N_("Scores"),
    "awards": N_("Awards"),
    "payments": N_("Payments"),
    "spending": N_("Spending"),
}
DATASETS: dict[str, Callable[[Competition], Dataset]] = {
    "applications": applications,
    "scores": scores,
    "awards": awards,
    "payments": payments,
    "spending": spending,
}


def _locale():
    from flask_babel import get_locale

    return get_locale() or "ky"


def _cell(value, kind: str):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}" if kind == MONEY else format(value.normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(value)


def to_csv(d: Dataset) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_(h) for h, _kind in d.columns])
    for row in d.rows:
        writer.writerow([_cell(v, kind) for v, (_h, kind) in zip(row, d.columns, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _as_text(row) -> None:
    """Strings as strings: openpyxl makes a formula of text starting with ``=`` (and an
    error value of ``#N/A``). The quote prefix keeps the cell text when someone edits it."""
    for cell in row:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if risky(cell.value):
                cell.quotePrefix = True


def _sheet(wb: Workbook, d: Dataset, first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = _(d.title)[:31]
    ws.append([_(h) for h, _kind in d.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in d.rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
        _as_text(ws[ws.max_row])
    totals = d.totals()
    if totals is not None:
        totals[0] = _("Total")
        ws.append([float(v) if isinstance(v, Decimal) else v for v in totals])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    for i, (header, kind) in enumerate(d.columns, start=1):
        letter = get_column_letter(i)
        if kind == MONEY:
            for cell in ws[letter][1:]:
                cell.number_format = "#,##0.00"
        elif kind == DAY:
            for cell in ws[letter][1:]:
                cell.number_format = "yyyy-mm-dd"
        width = max([len(_(header))] + [len(str(r[i - 1] or "")) for r in d.rows[:200]])
        ws.column_dimensions[letter].width = min(max(width + 2, 8), 60)


def to_xlsx(datasets: list[Dataset]) -> bytes:
    wb = Workbook()
    for n, d in enumerate(datasets):
        _sheet(wb, d, n == 0)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
