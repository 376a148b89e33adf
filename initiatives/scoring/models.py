"""The commission at work: conflicts of interest, score sheets, meetings with their
attendance and votes, and the shares of partner pools that go with an award."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from initiatives.core.db import Base, IdMixin, enum_column, utcnow
from initiatives.core.enums import MeetingPurpose, SeatRole, SheetState, VoteChoice
from initiatives.scoring import ranking


class ConflictDeclaration(IdMixin, Base):
    __tablename__ = "conflict_declaration"
    __table_args__ = (
        UniqueConstraint("seat_id", "application_id"),
        CheckConstraint("NOT has_conflict OR nature IS NOT NULL", name="conflict_has_nature"),
    )

    seat_id: Mapped[int] = mapped_column(ForeignKey("commission_seat.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    has_conflict: Mapped[bool]
    nature: Mapped[str | None] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)

    seat: Mapped[CommissionSeat] = relationship()  # noqa: F821
    application: Mapped[Application] = relationship(back_populates="conflicts")  # noqa: F821


class ScoreSheet(IdMixin, Base):
    """One member's scores for one application. Versioned: a save on a stale copy fails
    rather than silently overwriting the other tab's work."""

    __tablename__ = "score_sheet"
    __table_args__ = (
        UniqueConstraint("seat_id", "application_id"),
        CheckConstraint(
            "state <> 'submitted' OR submitted_at IS NOT NULL", name="submitted_has_time"
        ),
    )

    seat_id: Mapped[int] = mapped_column(ForeignKey("commission_seat.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[SheetState] = enum_column(SheetState, default=SheetState.DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime | None]

    seat: Mapped[CommissionSeat] = relationship()  # noqa: F821
    application: Mapped[Application] = relationship(back_populates="score_sheets")  # noqa: F821
    scores: Mapped[list[Score]] = relationship(back_populates="sheet", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class Score(IdMixin, Base):
    __tablename__ = "score"
    __table_args__ = (
        UniqueConstraint("sheet_id", "criterion_id"),
        CheckConstraint("value >= 0", name="value_non_negative"),
    )

    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    value: Mapped[Decimal]
    comment: Mapped[str] = mapped_column(Text, default="")

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()  # noqa: F821


class Meeting(IdMixin, Base):
    __tablename__ = "meeting"

    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competition.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[MeetingPurpose] = enum_column(MeetingPurpose)
    held_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    minutes: Mapped[str] = mapped_column(Text, default="")

    competition: Mapped[Competition] = relationship(back_populates="meetings")  # noqa: F821
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    motions: Mapped[list[Motion]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Motion.id"
    )

    @property
    def present_count(self) -> int:
        return sum(1 for a in self.attendance if a.present)

    @property
    def quorum_met(self) -> bool:
        """Strictly more than the regulation's share of the seats is present."""
        return ranking.quorum_met(
            self.present_count,
            len(self.competition.seats),
            self.competition.regulation.quorum_share,
        )

    @property
    def approved(self) -> bool:
        """The commission voted for the motion that approves this meeting's purpose."""
        return any(m.kind == "approve" and m.passed for m in self.motions)

    @property
    def chair_seat_id(self) -> int | None:
        return next((s.id for s in self.competition.seats if s.seat_role == SeatRole.CHAIR), None)


class Attendance(IdMixin, Base):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "seat_id"),)

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    seat_id: Mapped[int] = mapped_column(ForeignKey("commission_seat.id", ondelete="CASCADE"))
    present: Mapped[bool]

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    seat: Mapped[CommissionSeat] = relationship()  # noqa: F821


class Motion(IdMixin, Base):
    """A question put to the vote: approve the results, award one application, other.

    An award motion carries the amounts it proposes, so the approval can check that the
    money awarded is exactly the money the commission voted for."""

    __tablename__ = "motion"
    __table_args__ = (
        CheckConstraint("kind IN ('approve', 'award', 'other')", name="kind_known"),
        CheckConstraint("kind <> 'award' OR application_id IS NOT NULL", name="award_names_one"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[Decimal | None]  # award: from the local budget
    partners: Mapped[dict] = mapped_column(default=dict)  # award: {source id: amount}

    meeting: Mapped[Meeting] = relationship(back_populates="motions")
    application: Mapped[Application | None] = relationship()  # noqa: F821
    votes: Mapped[list[Vote]] = relationship(
        back_populates="motion", cascade="all, delete-orphan", order_by="Vote.seat_id"
    )

    @property
    def key(self) -> str:
        """How pages and forms name the motion: one per award, one for the results."""
        return motion_key(self.kind, self.application_id)

    @property
    def tally(self) -> ranking.Tally:
        chair = self.meeting.chair_seat_id
        settings = self.meeting.competition.settings or {}
        return ranking.tally(
            (v.choice.value for v in self.votes),
            chair_choice=next((v.choice.value for v in self.votes if v.seat_id == chair), None),
            casting_vote=settings.get("casting_vote", True),
        )

    @property
    def passed(self) -> bool:
        """More than half of the votes cast are "for" (the chair decides a tie when the
        competition gives the chair a casting vote)."""
        return self.tally.passed


def motion_key(kind: str, application_id: int | None) -> str:
    return f"award-{application_id}" if kind == "award" else kind


class Vote(IdMixin, Base):
    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("motion_id", "seat_id"),)

    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id", ondelete="CASCADE"))
    seat_id: Mapped[int] = mapped_column(ForeignKey("commission_seat.id", ondelete="CASCADE"))
    choice: Mapped[VoteChoice] = enum_column(VoteChoice)

    motion: Mapped[Motion] = relationship(back_populates="votes")
    seat: Mapped[CommissionSeat] = relationship()  # noqa: F821


class AwardShare(IdMixin, Base):
    """Money from a partner pool or donation that goes with one award. The local-budget
    award itself is ``Application.awarded_amount``."""

    __tablename__ = "award_share"
    __table_args__ = (
        UniqueConstraint("application_id", "funding_source_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    funding_source_id: Mapped[int] = mapped_column(ForeignKey("funding_source.id"))
    amount: Mapped[Decimal]

    application: Mapped[Application] = relationship(back_populates="award_shares")  # noqa: F821
    funding_source: Mapped[FundingSource] = relationship()  # noqa: F821
