"""A competition, its money, its commission and its criteria.

The competition row carries the lifecycle state (``workflows.competition``) and a version
counter: every transition bumps it, so two people acting on a stale page cannot both win.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from initiatives.core.db import Base, IdMixin, TimestampMixin, enum_column, to_money
from initiatives.core.enums import SeatCategory, SeatRole, SourceKind
from initiatives.municipalities.models import Municipality


def default_settings() -> dict:
    """Per-competition options of later steps, with the defaults DOMAIN.md describes."""
    return {
        "blind_scoring": False,
        "tie_breaks": ["own_share", "registration"],
        "min_mean_score": None,
        "skip_unfit": True,
        "casting_vote": True,
        "eligible_applicants": ["individual", "group", "ngo", "company"],
    }


class Competition(IdMixin, TimestampMixin, Base):
    __tablename__ = "competition"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2019 AND 2100", name="year_range"),
        CheckConstraint("max_grant IS NULL OR max_grant > 0", name="max_grant_positive"),
        CheckConstraint("min_own_share >= 0 AND min_own_share <= 100", name="own_share_percent"),
        CheckConstraint("last_application_number >= 0", name="counter_non_negative"),
        CheckConstraint(
            "opens_at IS NULL OR submission_deadline IS NULL OR opens_at < submission_deadline",
            name="window_in_order",
        ),
        CheckConstraint(
            "state NOT IN ('announced', 'applications_closed', 'screening', 'scoring', "
            "'results_approved', 'winners_announced', 'implementation', 'closed') "
            "OR (announced_at IS NOT NULL AND submission_deadline IS NOT NULL "
            "AND max_grant IS NOT NULL)",
            name="announced_has_terms",
        ),
        CheckConstraint("state <> 'closed' OR closed_at IS NOT NULL", name="closed_has_date"),
        CheckConstraint(
            "state <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancelled_has_reason"
        ),
        CheckConstraint(
            "state NOT IN ('winners_announced', 'implementation', 'closed') "
            "OR decision_number IS NOT NULL",
            name="winners_have_decision",
        ),
    )

    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    year: Mapped[int]
    state: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    version: Mapped[int] = mapped_column(default=1)

    title_ky: Mapped[str] = mapped_column(String(300), default="")
    title_ru: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    text_ky: Mapped[str] = mapped_column(Text, default="")
    text_ru: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    paper_intake_ky: Mapped[str] = mapped_column(Text, default="")
    paper_intake_ru: Mapped[str] = mapped_column(Text, default="")
    paper_intake_en: Mapped[str] = mapped_column(Text, default="")

    priorities: Mapped[list] = mapped_column(default=list)
    required_documents: Mapped[list] = mapped_column(default=list)
    max_grant: Mapped[Decimal | None]
    min_own_share: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))  # percent
    settings: Mapped[dict] = mapped_column(default=default_settings)

    opens_at: Mapped[datetime | None]
    submission_deadline: Mapped[datetime | None]
    implementation_deadline: Mapped[datetime | None]
    report_deadline: Mapped[datetime | None]

    # The head's order forming the commission, and the head's decision on financing.
    order_number: Mapped[str | None] = mapped_column(String(50))
    order_date: Mapped[date | None]
    decision_number: Mapped[str | None] = mapped_column(String(50))
    decision_date: Mapped[date | None]

    announced_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # The head's narrative conclusion of the final report, written before closing.
    conclusion_ky: Mapped[str | None] = mapped_column(Text)
    conclusion_ru: Mapped[str | None] = mapped_column(Text)
    # Gapless registration numbers: incremented under the row lock at each submission.
    last_application_number: Mapped[int] = mapped_column(default=0)

    municipality: Mapped[Municipality] = relationship()
    funding_sources: Mapped[list[FundingSource]] = relationship(
        back_populates="competition", cascade="all, delete-orphan", order_by="FundingSource.id"
    )
    seats: Mapped[list[CommissionSeat]] = relationship(
        back_populates="competition", cascade="all, delete-orphan", order_by="CommissionSeat.id"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="competition", cascade="all, delete-orphan", order_by="Criterion.position"
    )
    applications: Mapped[list[Application]] = relationship(  # noqa: F821
        back_populates="competition", order_by="Application.id"
    )
    meetings: Mapped[list[Meeting]] = relationship(  # noqa: F821
        back_populates="competition", order_by="Meeting.held_at"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def regulation(self) -> Municipality:
        return self.municipality.regulation

    def title(self, locale: str) -> str:
        return getattr(self, f"title_{locale}", "") or self.title_ru or self.title_ky

    @property
    def local_budget_amount(self) -> Decimal:
        """Money of the local budget: what the awards of the commission may spend."""
        return to_money(
            sum((s.amount for s in self.funding_sources if s.kind == SourceKind.LOCAL_BUDGET), 0)
        )

    @property
    def total_money(self) -> Decimal:
        return to_money(sum((s.amount for s in self.funding_sources), 0))

    def seat_of(self, user_id: int | None, *, pending: bool = False) -> CommissionSeat | None:
        """The user's seat once they have accepted it: an invitation gives no role (nobody
        sits on a commission without consent). ``pending=True`` finds an invitation too."""
        if user_id is None:
            return None
        return next(
            (s for s in self.seats if s.user_id == user_id and (pending or s.accepted)), None
        )

    @property
    def pending_seats(self) -> list[CommissionSeat]:
        return [s for s in self.seats if not s.accepted]

    def __repr__(self) -> str:
        return f"<Competition {self.id} {self.year} {self.state}>"


class FundingSource(IdMixin, Base):
    """Money available to a competition: the local-budget line decided by the council, a
    donor project's pool with its conditions, donations, other lawful sources."""

    __tablename__ = "funding_source"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("per_winner_cap IS NULL OR per_winner_cap > 0", name="cap_positive"),
        CheckConstraint(
            "kind <> 'local_budget' OR budget_line IS NOT NULL", name="local_has_budget_line"
        ),
    )

    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competition.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SourceKind] = enum_column(SourceKind)
    name: Mapped[str] = mapped_column(String(200))  # as written in Kyrgyz
    # A Russian copy names the source in Russian; empty means the one name serves both.
    name_ru: Mapped[str] = mapped_column(String(200), default="", server_default="")
    amount: Mapped[Decimal]
    decision_number: Mapped[str | None] = mapped_column(String(50))
    decision_date: Mapped[date | None]
    budget_line: Mapped[str | None] = mapped_column(String(100))
    # Public text, per language like the competition's own (a donor's conditions).
    conditions_ky: Mapped[str] = mapped_column(Text, default="")
    conditions_ru: Mapped[str] = mapped_column(Text, default="")
    conditions_en: Mapped[str] = mapped_column(Text, default="")
    per_winner_cap: Mapped[Decimal | None]

    competition: Mapped[Competition] = relationship(back_populates="funding_sources")

    def conditions(self, locale: str) -> str:
        """In the page's language, else in the other official one (as titles are)."""
        return getattr(self, f"conditions_{locale}", "") or self.conditions_ru or self.conditions_ky


class CommissionSeat(IdMixin, Base):
    """A seat of the commission: a registered user, or an outside person known by name.

    A seat offered to a registered person is an invitation until they accept it
    (``accepted_at``): either to a user the municipality already knows (``user_id``), or to
    an e-mail or phone typed by the specialist (``invited_login``), which the person with
    that login finds in their account; the page never says whether such an account exists.
    An outside person, recorded by name, consents on paper (the order's signatures)."""

    __tablename__ = "commission_seat"
    __table_args__ = (
        UniqueConstraint("competition_id", "user_id"),
        CheckConstraint(
            "user_id IS NOT NULL OR outside_name IS NOT NULL OR invited_login IS NOT NULL",
            name="has_person",
        ),
    )

    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competition.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outside_name: Mapped[str | None] = mapped_column(String(200))
    invited_login: Mapped[str | None] = mapped_column(String(254), index=True)
    accepted_at: Mapped[datetime | None]
    position: Mapped[str] = mapped_column(String(200), default="")  # as written in Kyrgyz
    position_ru: Mapped[str] = mapped_column(String(200), default="", server_default="")
    seat_role: Mapped[SeatRole] = enum_column(SeatRole, default=SeatRole.MEMBER)
    category: Mapped[SeatCategory] = enum_column(SeatCategory)

    competition: Mapped[Competition] = relationship(back_populates="seats")
    user: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def name(self) -> str:
        if self.user:
            return self.user.full_name
        return self.outside_name or self.invited_login or ""

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None


class Criterion(IdMixin, Base):
    __tablename__ = "criterion"
    __table_args__ = (
        UniqueConstraint("competition_id", "position"),
        CheckConstraint("scale_max > scale_min", name="scale_ordered"),
        CheckConstraint("scale_min >= 0", name="scale_non_negative"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competition.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    title_ky: Mapped[str] = mapped_column(String(300))
    title_ru: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    scale_min: Mapped[int] = mapped_column(default=0)
    scale_max: Mapped[int] = mapped_column(default=10)
    weight: Mapped[Decimal] = mapped_column(default=Decimal("1.00"))

    competition: Mapped[Competition] = relationship(back_populates="criteria")

    def title(self, locale: str) -> str:
        return getattr(self, f"title_{locale}", "") or self.title_ru
