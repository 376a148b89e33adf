"""After the award: the agreement, its payments, and the implementation reports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from initiatives.core.db import Base, IdMixin, TimestampMixin, enum_column
from initiatives.core.enums import ReportState, SpendingSource


def live(entries: list) -> list:
    """The payments or refunds that stand: neither reversals nor reversed."""
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    return [e for e in entries if e.reverses_id is None and e.id not in reversed_ids]


class Agreement(IdMixin, TimestampMixin, Base):
    __tablename__ = "agreement"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True
    )
    number: Mapped[str] = mapped_column(String(50))
    amount: Mapped[Decimal]
    tranches: Mapped[list] = mapped_column(default=list)  # [{"due": iso date, "amount": "..."}]
    obligations: Mapped[str] = mapped_column(Text, default="")  # in-kind and labour
    implementation_due: Mapped[date | None]
    report_due: Mapped[date | None]
    signed_on: Mapped[date | None]
    # The initiator's bank details and personal number (PIN), typed on the agreement: the
    # application does not ask for them, and the money is paid to this account.
    payee: Mapped[dict] = mapped_column(default=dict)

    application: Mapped[Application] = relationship(back_populates="agreement")  # noqa: F821
    payments: Mapped[list[Payment]] = relationship(
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by="(Payment.paid_on, Payment.id)",
    )
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by="(Refund.returned_on, Refund.id)",
    )
    # The signed scan (doc_type "signed_agreement"): personal data, never public.
    files: Mapped[list[Attachment]] = relationship(  # noqa: F821
        foreign_keys="Attachment.agreement_id", order_by="Attachment.id"
    )

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0.00"))

    @property
    def to_pay(self) -> Decimal:
        """What the municipality still owes under the agreement."""
        return self.amount - self.paid

    @property
    def refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal("0.00"))

    @property
    def live_refunds(self) -> list[Refund]:
        return live(self.refunds)

    @property
    def scan(self) -> Attachment | None:  # noqa: F821
        return self.files[-1] if self.files else None

    def tranche_plan(self) -> list[dict]:
        """The tranches with what has been paid against each, oldest first: payments fill
        the tranches in order, whatever their dates, as a treasury would."""
        paid, plan = self.paid, []
        for n, tranche in enumerate(self.tranches or [], start=1):
            amount = Decimal(str(tranche["amount"]))
            covered = min(amount, max(paid, Decimal(0)))
            paid -= covered
            plan.append(
                {
                    "n": n,
                    "due": date.fromisoformat(tranche["due"]) if tranche.get("due") else None,
                    "amount": amount,
                    "paid": covered,
                    "open": amount - covered,
                }
            )
        return plan


# A booked entry is never changed nor deleted: a mistake is undone by a reversal, a new
# entry of the opposite sign that names the entry it undoes and says why. The sums then hold
# every entry as booked, and the audit trail the reason. An order number may be booked
# again once its entry is reversed (a mistyped amount is re-entered under its own number),
# so its uniqueness among live entries is checked by the operations, under the row lock.
SIGNED = (
    "(reverses_id IS NULL AND amount > 0)"
    " OR (reverses_id IS NOT NULL AND amount < 0 AND reason IS NOT NULL)"
)


class Payment(IdMixin, Base):
    __tablename__ = "payment"
    __table_args__ = (CheckConstraint(SIGNED, name="amount_signed"),)

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    paid_on: Mapped[date]
    amount: Mapped[Decimal]
    order_number: Mapped[str] = mapped_column(String(50))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)  # why a reversal undoes its entry

    agreement: Mapped[Agreement] = relationship(back_populates="payments")

    @property
    def day(self) -> date:
        return self.paid_on


class Refund(IdMixin, Base):
    """Unspent money the initiator returned to the local budget."""

    __tablename__ = "refund"
    __table_args__ = (CheckConstraint(SIGNED, name="amount_signed"),)

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    returned_on: Mapped[date]
    amount: Mapped[Decimal]
    order_number: Mapped[str] = mapped_column(String(50))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)

    agreement: Mapped[Agreement] = relationship(back_populates="refunds")

    @property
    def day(self) -> date:
        return self.returned_on


class ImplementationReport(IdMixin, TimestampMixin, Base):
    """One round of the report; a returned report is kept and the next round starts from it,
    so the history of comments stays."""

    __tablename__ = "implementation_report"
    __table_args__ = (
        UniqueConstraint("application_id", "round"),
        CheckConstraint("round >= 1", name="round_positive"),
        CheckConstraint(
            "state <> 'returned' OR review_comment IS NOT NULL", name="returned_has_comment"
        ),
        CheckConstraint("refund_amount >= 0", name="refund_non_negative"),
    )

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column(default=1)
    state: Mapped[ReportState] = enum_column(ReportState, default=ReportState.DRAFT)
    results_text: Mapped[str] = mapped_column(Text, default="")
    actual_participants: Mapped[dict] = mapped_column(default=dict)  # {group code: count}
    refund_amount: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    # How the own contribution in kind and in labour was actually given.
    contribution_note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    application: Mapped[Application] = relationship(back_populates="reports")  # noqa: F821
    activities: Mapped[list[ReportActivity]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportActivity.id"
    )
    spending: Mapped[list[ReportSpending]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportSpending.id"
    )
    # Receipts and photos ("receipt", "photo"); a new round carries copies of them.
    files: Mapped[list[Attachment]] = relationship(  # noqa: F821
        foreign_keys="Attachment.report_id", order_by="Attachment.id"
    )

    def actual(self, source: str | None = None) -> Decimal:
        return sum(
            (s.actual for s in self.spending if source is None or s.source.value == source),
            Decimal("0.00"),
        )

    def planned(self, source: str | None = None) -> Decimal:
        return sum(
            (s.planned for s in self.spending if source is None or s.source.value == source),
            Decimal("0.00"),
        )

    @property
    def own_delivered(self) -> Decimal:
        """The initiator's own contribution actually given: money, in kind and labour."""
        return self.actual("own") + self.actual("in_kind") + self.actual("labour")


class ReportActivity(IdMixin, Base):
    __tablename__ = "report_activity"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("implementation_report.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"))
    description: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[ImplementationReport] = relationship(back_populates="activities")


class ReportSpending(IdMixin, Base):
    """Spending on one budget line from one source: planned against actual."""

    __tablename__ = "report_spending"
    __table_args__ = (CheckConstraint("planned >= 0 AND actual >= 0", name="amounts_non_negative"),)

    report_id: Mapped[int] = mapped_column(
        ForeignKey("implementation_report.id", ondelete="CASCADE"), index=True
    )
    budget_line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_line.id"))
    item: Mapped[str] = mapped_column(String(300))
    source: Mapped[SpendingSource] = enum_column(SpendingSource)
    planned: Mapped[Decimal]
    actual: Mapped[Decimal]

    report: Mapped[ImplementationReport] = relationship(back_populates="spending")


class Reminder(IdMixin, Base):
    """One reminder sent about one due date: the row makes sending idempotent, so the
    scheduled job may run as often as it likes and nobody is told twice."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("application_id", "kind", "due"),)

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # tranche, implementation, report
    due: Mapped[date]
    sent_at: Mapped[datetime]
