"""After the award: the agreement, its payments, and the implementation reports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from initiatives.core.db import Base, IdMixin, TimestampMixin, enum_column
from initiatives.core.enums import ReportState, SpendingSource


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

    application: Mapped[Application] = relationship(back_populates="agreement")  # noqa: F821
    payments: Mapped[list[Payment]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="Payment.paid_on"
    )

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0.00"))


class Payment(IdMixin, Base):
    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("agreement_id", "order_number"),
    )

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    paid_on: Mapped[date]
    amount: Mapped[Decimal]
    order_number: Mapped[str] = mapped_column(String(50))

    agreement: Mapped[Agreement] = relationship(back_populates="payments")


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

    application: Mapped[Application] = relationship(back_populates="reports")  # noqa: F821
    activities: Mapped[list[ReportActivity]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )
    spending: Mapped[list[ReportSpending]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )


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
