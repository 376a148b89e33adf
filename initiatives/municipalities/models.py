"""Municipalities (the tenants) and the parameters of each one's local regulation.

Every rule of the model regulation is a per-municipality setting with a default (DOMAIN.md),
so the defaults live here as column defaults, never as constants in guards.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from initiatives.core.db import Base, IdMixin, TimestampMixin
from initiatives.core.enums import PARTICIPANT_GROUPS, PRIORITIES


def default_priorities() -> list[str]:
    return list(PRIORITIES)


def default_groups() -> list[str]:
    return list(PARTICIPANT_GROUPS)


class Municipality(IdMixin, TimestampMixin, Base):
    __tablename__ = "municipality"
    __table_args__ = (
        CheckConstraint("min_commission_size >= 3", name="commission_size_sane"),
        CheckConstraint("quorum_share > 0 AND quorum_share <= 1", name="quorum_share_range"),
        CheckConstraint("min_application_days >= 1", name="application_days_positive"),
        CheckConstraint("min_own_share >= 0 AND min_own_share <= 100", name="own_share_percent"),
        CheckConstraint(
            "default_max_grant IS NULL OR default_max_grant > 0", name="max_grant_positive"
        ),
        CheckConstraint(
            "document_languages IN ('ky', 'ru', 'ky+ru')", name="document_languages_known"
        ),
    )

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_ky: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))  # as written in Kyrgyz
    # The Russian copy's letterhead; empty means the Kyrgyz spelling serves both.
    address_ru: Mapped[str | None] = mapped_column(String(300))
    # The office's phone in E.164, printed in the letterhead of every document.
    phone: Mapped[str | None] = mapped_column(String(20))

    # The ayil okmotu's bank details, printed in the agreements and payment records it signs.
    bank_name: Mapped[str | None] = mapped_column(String(200))
    bank_account: Mapped[str | None] = mapped_column(String(34))
    bank_bic: Mapped[str | None] = mapped_column(String(20))
    inn: Mapped[str | None] = mapped_column(String(20))

    # The local regulation (adopted by the ayil kenesh on the model regulation of 2019).
    regulation_number: Mapped[str | None] = mapped_column(String(50))
    regulation_date: Mapped[str | None] = mapped_column(String(10))  # ISO date, informative
    min_commission_size: Mapped[int] = mapped_column(default=5)
    odd_commission: Mapped[bool] = mapped_column(default=True)
    # The meeting has a quorum when strictly more than this share of the seats is present.
    quorum_share: Mapped[Decimal] = mapped_column(default=Decimal("0.50"))
    min_application_days: Mapped[int] = mapped_column(default=14)
    default_max_grant: Mapped[Decimal | None]
    min_own_share: Mapped[Decimal] = mapped_column(default=Decimal("10.00"))  # percent
    document_languages: Mapped[str] = mapped_column(String(8), default="ky+ru")
    priorities: Mapped[list] = mapped_column(default=default_priorities)
    participant_groups: Mapped[list] = mapped_column(default=default_groups)
    reminder_days: Mapped[int] = mapped_column(default=7)

    def name(self, locale: str) -> str:
        return getattr(self, f"name_{locale}", None) or self.name_ru

    @property
    def regulation(self) -> Municipality:
        """The guards read the rules through ``competition.regulation``; today they are the
        municipality's columns, tomorrow they may be a versioned table."""
        return self

    def __repr__(self) -> str:
        return f"<Municipality {self.slug}>"
