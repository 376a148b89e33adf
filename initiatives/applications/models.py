"""An application (конкурстук билдирме): who applies, what for, with what money.

Personal data (ID number, phone, e-mail, address) lives in clearly named columns so the
public views and open data can leave them out by construction.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from initiatives.core.db import Base, IdMixin, TimestampMixin, enum_column, to_money, utcnow
from initiatives.core.enums import ApplicantKind, Channel, InitiativeKind, ScreeningOutcome

ZERO = Decimal("0.00")
# States in which the application holds money (awarded_amount must be set).
_HOLDS_AWARD = "('awarded', 'contracted', 'reporting', 'report_submitted', 'returned', 'completed')"
_SUBMITTED = (
    "('submitted', 'admitted', 'rejected', 'scored', 'awarded', 'not_awarded', 'contracted', "
    "'reporting', 'report_submitted', 'returned', 'completed', 'terminated')"
)


class Application(IdMixin, TimestampMixin, Base):
    __tablename__ = "application"
    __table_args__ = (
        UniqueConstraint("competition_id", "number"),
        CheckConstraint(
            f"state NOT IN {_HOLDS_AWARD} OR awarded_amount IS NOT NULL", name="award_has_amount"
        ),
        CheckConstraint("awarded_amount IS NULL OR awarded_amount > 0", name="award_positive"),
        CheckConstraint("partial_amount IS NULL OR partial_amount > 0", name="partial_positive"),
        CheckConstraint(
            f"state NOT IN {_SUBMITTED} OR (number IS NOT NULL AND submitted_at IS NOT NULL)",
            name="submitted_has_number",
        ),
        CheckConstraint("channel <> 'paper' OR entered_by_id IS NOT NULL", name="paper_has_clerk"),
    )

    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"), index=True)
    number: Mapped[int | None]
    state: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    version: Mapped[int] = mapped_column(default=1)
    channel: Mapped[Channel] = enum_column(Channel, default=Channel.ONLINE)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    applicant_kind: Mapped[ApplicantKind] = enum_column(
        ApplicantKind, default=ApplicantKind.INDIVIDUAL
    )
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    organisation_name: Mapped[str] = mapped_column(String(300), default="")
    group_members: Mapped[list] = mapped_column(default=list)  # [{"name": ..., "role": ...}]
    # Personal data: staff and the owner only.
    id_document_number: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    village: Mapped[str] = mapped_column(String(120), default="")

    title: Mapped[str] = mapped_column(String(300), default="")
    initiative_kind: Mapped[InitiativeKind] = enum_column(
        InitiativeKind, default=InitiativeKind.CO_FINANCING
    )
    priority_topic: Mapped[str] = mapped_column(String(40), default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    target_groups: Mapped[str] = mapped_column(Text, default="")
    sustainability: Mapped[str] = mapped_column(Text, default="")
    expected_participants: Mapped[dict] = mapped_column(default=dict)  # {group code: count}

    received_at: Mapped[datetime | None]  # paper: when the office received it
    submitted_at: Mapped[datetime | None]
    awarded_amount: Mapped[Decimal | None]  # from the local budget; partner shares below
    # Less than the request, set by the commission in its proposal of winners (None: the
    # request as it stands).
    partial_amount: Mapped[Decimal | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)  # rejection, termination

    competition: Mapped[Competition] = relationship(back_populates="applications")  # noqa: F821
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])  # noqa: F821
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])  # noqa: F821
    activities: Mapped[list[Activity]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Activity.position"
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="BudgetLine.position",
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        foreign_keys="Attachment.application_id",
    )
    screening: Mapped[ScreeningDecision | None] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    award_shares: Mapped[list[AwardShare]] = relationship(  # noqa: F821
        back_populates="application", cascade="all, delete-orphan"
    )
    agreement: Mapped[Agreement | None] = relationship(back_populates="application")  # noqa: F821
    reports: Mapped[list[ImplementationReport]] = relationship(  # noqa: F821
        back_populates="application", order_by="ImplementationReport.round"
    )
    score_sheets: Mapped[list[ScoreSheet]] = relationship(  # noqa: F821
        back_populates="application"
    )
    conflicts: Mapped[list[ConflictDeclaration]] = relationship(  # noqa: F821
        back_populates="application"
    )

    __mapper_args__ = {"version_id_col": version}

    # --- money, always recomputed from the lines (never trusted from a form) -------------

    def _sum(self, attr: str) -> Decimal:
        return to_money(sum((getattr(line, attr) for line in self.budget_lines), ZERO))

    @property
    def requested_amount(self) -> Decimal:
        return self._sum("local_amount")

    @property
    def own_amount(self) -> Decimal:
        """Own contribution: money, in kind and labour valued in som."""
        return self._sum("own_amount") + self._sum("in_kind_amount") + self._sum("labour_amount")

    @property
    def partner_amount(self) -> Decimal:
        return self._sum("partner_amount")

    @property
    def total_budget(self) -> Decimal:
        return self._sum("total")

    @property
    def own_share(self) -> Decimal:
        """Own contribution as a percentage of the whole budget, two places."""
        total = self.total_budget
        if total <= 0:
            return ZERO
        return to_money(self.own_amount * 100 / total)

    # --- what the workflow guards ask --------------------------------------------------

    def missing_score_sheets(self) -> int:
        """Seats that are not recused and have not submitted a sheet for this application."""
        recused = {d.seat_id for d in self.conflicts if d.has_conflict}
        done = {s.seat_id for s in self.score_sheets if s.state == "submitted"}
        return sum(
            1 for seat in self.competition.seats if seat.id not in recused and seat.id not in done
        )

    @property
    def current_report(self) -> ImplementationReport | None:  # noqa: F821
        return self.reports[-1] if self.reports else None

    @property
    def public_code(self) -> str:
        """What members see in blind scoring and the public sees instead of a name."""
        return f"{self.competition_id}-{self.number:03d}" if self.number else f"D{self.id}"

    def __repr__(self) -> str:
        return f"<Application {self.id} no={self.number} {self.state}>"


class Activity(IdMixin, Base):
    __tablename__ = "activity"
    __table_args__ = (
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR starts_on <= ends_on", name="dates_in_order"
        ),
    )

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    responsible: Mapped[str] = mapped_column(String(200), default="")

    application: Mapped[Application] = relationship(back_populates="activities")


# The money columns of a budget line, after item and unit: the one list the table, the
# operations and the form all read.
BUDGET_AMOUNTS = (
    "unit_price",
    "local_amount",
    "own_amount",
    "in_kind_amount",
    "labour_amount",
    "partner_amount",
)
BUDGET_NUMBERS = ("quantity", *BUDGET_AMOUNTS)


class BudgetLine(IdMixin, Base):
    """One row of the budget: item × quantity × unit price, split by source of money."""

    __tablename__ = "budget_line"
    __table_args__ = tuple(
        CheckConstraint(f"{col} >= 0", name=f"{col}_non_negative") for col in BUDGET_NUMBERS
    )

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    item: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40), default="")
    quantity: Mapped[Decimal] = mapped_column(default=Decimal("1.00"))
    unit_price: Mapped[Decimal] = mapped_column(default=ZERO)
    local_amount: Mapped[Decimal] = mapped_column(default=ZERO)
    own_amount: Mapped[Decimal] = mapped_column(default=ZERO)
    in_kind_amount: Mapped[Decimal] = mapped_column(default=ZERO)
    labour_amount: Mapped[Decimal] = mapped_column(default=ZERO)
    partner_amount: Mapped[Decimal] = mapped_column(default=ZERO)

    application: Mapped[Application] = relationship(back_populates="budget_lines")

    @property
    def total(self) -> Decimal:
        return to_money(self.quantity * self.unit_price)

    @property
    def sources_total(self) -> Decimal:
        return to_money(
            self.local_amount
            + self.own_amount
            + self.in_kind_amount
            + self.labour_amount
            + self.partner_amount
        )


class Attachment(IdMixin, Base):
    """A stored file: a document an announcement requires, a signed scan, a receipt, a
    photo. Files live under instance/uploads by a random name (``stored_as``); the SHA-256
    proves the bytes are what was received. Only ``public`` ones may ever appear on public
    pages."""

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint("size_bytes > 0", name="not_empty"),
        CheckConstraint(
            "application_id IS NOT NULL OR report_id IS NOT NULL OR agreement_id IS NOT NULL",
            name="has_owner",
        ),
    )

    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("implementation_report.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    doc_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # A random name under the uploads folder: never the user's name, never guessable.
    stored_as: Mapped[str] = mapped_column(String(64), unique=True)
    public: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application | None] = relationship(
        back_populates="attachments", foreign_keys=[application_id]
    )


class ScreeningDecision(IdMixin, Base):
    """The commission's screening of one application: the checklist and the outcome."""

    __tablename__ = "screening_decision"
    __table_args__ = (
        CheckConstraint("outcome <> 'rejected' OR reason IS NOT NULL", name="rejection_reason"),
    )

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True
    )
    outcome: Mapped[ScreeningOutcome] = enum_column(ScreeningOutcome)
    checklist: Mapped[dict] = mapped_column(default=dict)  # {check code: true/false}
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="screening")
