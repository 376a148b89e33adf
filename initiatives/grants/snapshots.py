"""Snapshot parts of the documents after the awards: the grant agreement and the payment
records (private: the parties' personal data and bank details), the implementation report
and its acceptance act, the termination notice (public: no personal data), and the final
report of the competition (public)."""

from __future__ import annotations

from decimal import Decimal

from initiatives.applications.models import Application
from initiatives.competitions.models import Competition
from initiatives.core.enums import PARTICIPANT_GROUPS, ReportState, SourceKind, SpendingSource
from initiatives.documents.snapshots import ky_ru
from initiatives.grants import summary
from initiatives.grants.operations import REPORT_FILES
from reports.inflect import ky_suffix, ru_genitive_name
from reports.letterhead import office_name
from workflows.i18n import N_

ZERO = Decimal("0.00")
# Words the agreement and the payment record print through the ``t`` macro (tables and
# signature blocks printed once in every language), where the extractor cannot see them.
TABLE_WORDS = (
    N_("For the initiative group"),
    N_("Booked by"),
    N_("Payer"),
    N_("The recipient"),
    N_("The ayil okmotu"),
    N_("Schedule of tranches"),
    N_("Budget of the initiative, som"),
    N_("Activities in the plan"),
    N_("Addresses, bank details and signatures of the parties"),
    N_("INN"),
    N_("Bank"),
    N_("BIK"),
    N_("Account No."),
    N_("PIN"),
    N_("L.S."),
)


def _m(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _when(value) -> str | None:
    return None if value is None else value.isoformat()


def _shares(a: Application) -> list[dict]:
    return [
        {
            "name": ky_ru(s.funding_source.name, s.funding_source.name_ru),
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


# --- the parties ---------------------------------------------------------------------------

PATRONYMIC_ENDINGS = ("вич", "вна", "чна", "уулу", "кызы")
SURNAME_ENDINGS = ("ов", "ев", "ёв", "ова", "ева", "ёва", "ин", "ина", "ын", "ына", "ий", "ая")


def name_parts(full_name: str) -> tuple[str, str | None, str | None]:
    """(surname, first name, patronymic) of a name written either way round: "Нурбек
    Ташиев" as the accounts hold it, or "Ташиев Нурбек Асанович" as passports do."""
    words = (full_name or "").split()
    if not words:
        return "", None, None
    if len(words) == 1:
        return words[0], None, None
    patronymic = None
    if len(words) >= 3 and words[-1].lower().endswith(PATRONYMIC_ENDINGS):
        patronymic = words[-1]
        words = words[:-1]
    if patronymic is not None or words[0].lower().endswith(SURNAME_ENDINGS):
        return words[0], " ".join(words[1:]) or None, patronymic
    return words[-1], " ".join(words[:-1]) or None, patronymic


def short_name(full_name: str) -> str:
    """The initial and the surname ("Н. Ташиев"), as a Kyrgyz party clause names the head."""
    surname, first, _patronymic = name_parts(full_name)
    return f"{first[0]}. {surname}" if first else surname


def parties_part(a: Application) -> dict:
    """The party clauses in the case the sentence needs: "Орозбеков айыл аймагынын айыл
    өкмөтү ..., анын башчысы Н. Ташиевдин атынан" / "Айыл окмоту Орозбековского айылного
    аймака в лице главы Ташиева Нурбека", the office named as the letterhead names it.
    Frozen with the snapshot, like every text."""
    from initiatives.documents.snapshots import head_of

    m = a.competition.municipality
    names = {"ky": m.name_ky, "ru": m.name_ru, "en": m.name_en}
    head = head_of(m.id)
    full = head.full_name if head is not None else ""
    surname, first, patronymic = name_parts(full)
    return {
        "ao_ky": office_name(names, "ky"),
        "ao_ru": office_name(names, "ru"),
        "head": full,
        "head_short": short_name(full) if full else "",
        "head_ky_gen": ky_suffix(short_name(full), "gen") if full else "",
        "head_ru_gen": ru_genitive_name(surname, first, patronymic) if full else "",
    }


def ao_bank_part(a: Application) -> dict:
    m = a.competition.municipality
    return {
        "bank_name": getattr(m, "bank_name", None),
        "account": getattr(m, "bank_account", None),
        "bic": getattr(m, "bank_bic", None),
        "inn": getattr(m, "inn", None),
        "address": m.address,
        "phone": getattr(m, "phone", None),
    }


def _budget_total(a: Application) -> dict:
    def total(attr: str) -> str:
        return _m(sum((getattr(b, attr) or ZERO for b in a.budget_lines), ZERO))

    return {
        "local": total("local_amount"),
        "partners": total("partner_amount"),
        "own": total("own_amount"),
        "in_kind": total("in_kind_amount"),
        "labour": total("labour_amount"),
        "total": total("total"),
    }


def agreement_part(a: Application, data: dict, actor) -> dict:
    g = a.agreement
    c = a.competition
    own = {source: _m(summary.planned(a, source)) for source in ("own", "in_kind", "labour")}
    return {
        "parties": parties_part(a),
        "ao_bank": ao_bank_part(a),
        "decision": {"number": c.decision_number, "date": _when(c.decision_date)},
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
            "group": a.applicant_kind.value == "group",
            "payee": dict(g.payee or {}),
            # The place of signing: the settlement, the first part of the office's address.
            "place": (c.municipality.address or "").split(",")[0].strip() or None,
            "budget_total": _budget_total(a),
            "activities": [
                {
                    "description": x.description,
                    "starts_on": _when(x.starts_on),
                    "ends_on": _when(x.ends_on),
                }
                for x in a.activities
            ],
        },
    }


def report_part(a: Application, data: dict, actor) -> dict:
    report, g = a.current_report, a.agreement
    groups = summary.group_codes(a.competition)
    counts = report.actual_participants or {}
    sources = [s.value for s in SpendingSource if any(x.source == s for x in report.spending)]
    previous = [r for r in sorted(a.reports, key=lambda r: r.round) if r.round < report.round]
    lines = {b.id: b for b in a.budget_lines}
    return {
        "agreement": {"number": g.number, "signed_on": _when(g.signed_on)} if g else None,
        "money": money_part(a),
        # Who hands the report over (the applicant or the group's leader): named in the
        # signed original, emptied in the public copy (``redaction.NAME_FIELDS``).
        "initiator": a.applicant_name or "",
        "books": books_part(a),
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
                    **_quantity(lines.get(s.budget_line_id)),
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
            # The files themselves, by name: the act lists what was checked, not a count.
            "attachments": [
                {
                    "kind": f.doc_type,
                    "title": REPORT_FILES.get(f.doc_type, f.doc_type),
                    "filename": f.filename,
                }
                for f in report.files
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


# Labels of the implementation report and its acceptance act, used by their templates only.
REPORT_LABELS = (
    N_("Initiator"),
    N_("group leader"),
    N_("representative"),
    N_("Attached to the report"),
    N_("Receipts and invoices (%(n)s):"),
    N_("No receipt or invoice was attached to the report."),
    N_("Photos (%(n)s):"),
    N_("No photo was attached to the report."),
    N_("Activities of the plan"),
    N_("Handed over: the initiator"),
    N_("Accepted: AO specialist"),
    N_("Accepted: the ayil okmotu (head — %(head)s, AO specialist — %(specialist)s)."),
    N_("Accepted: the ayil okmotu (%(name)s)."),
    N_("Balance of the local budget's money"),
    N_("Spent, as the report shows"),
    N_("Neither spent nor returned"),
    N_(
        "The ayil okmotu has checked the report against the agreement, the budget and the "
        "attached receipts, and accepts it: the initiative is carried out. No photo was attached."
    ),
    N_("No receipts were attached; accepted on the initiator's statement."),
    N_(
        "The ayil okmotu has checked the report against the agreement and the budget, and "
        "accepts it: the initiative is carried out."
    ),
)


def _quantity(line) -> dict:
    """The work's quantity from the budget line the spending row reports on."""
    if line is None:
        return {}
    return {"unit": line.unit or "", "quantity": _m(line.quantity)}


def books_part(a: Application) -> dict:
    """Paid, spent and returned of the local budget's money, as ``books`` balances them."""
    from initiatives.grants.books import books_of

    books = books_of(a)
    return {
        "paid": _m(books.paid),
        "spent": _m(books.spent),
        "returned": _m(books.returned),
        "gap": _m(books.gap),
    }


def payment_part(a: Application, data: dict, actor) -> dict:
    """One payment as the order to pay it: who pays whom, how much, under which agreement
    and tranche, from which budget line, to which account."""
    g = a.agreement
    payment = next(p for p in g.payments if p.id == int(data["payment_id"]))
    before = sum((p.amount for p in g.payments if p.id != payment.id and p.id < payment.id), ZERO)
    tranches, start = [], before
    for n, tranche in enumerate(g.tranches or [], start=1):
        amount = Decimal(str(tranche["amount"]))
        low = sum((Decimal(str(row["amount"])) for row in (g.tranches or [])[: n - 1]), ZERO)
        high = low + amount
        if low < start + payment.amount and high > start:
            tranches.append({"n": n, "due": tranche.get("due"), "amount": _m(amount)})
    local = [s for s in a.competition.funding_sources if s.kind == SourceKind.LOCAL_BUDGET]
    return {
        "parties": parties_part(a),
        "ao_bank": ao_bank_part(a),
        "agreement": {
            "number": g.number,
            "signed_on": _when(g.signed_on),
            "amount": _m(g.amount),
            "payee": dict(g.payee or {}),
            "id_document_number": a.id_document_number,
        },
        "payment": {
            "paid_on": _when(payment.paid_on),
            "amount": _m(payment.amount),
            "order": payment.order_number,
            "tranches": tranches,
            "paid_before": _m(before),
            "paid_after": _m(before + payment.amount),
            "budget_lines": [
                {"name": ky_ru(s.name, s.name_ru), "budget_line": s.budget_line}
                for s in local
                if s.budget_line
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
