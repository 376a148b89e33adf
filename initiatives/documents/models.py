"""The register of official documents (protocols, orders, receipts, agreements...).

A document is recorded in the same transaction as the step that makes it, with a frozen JSON
snapshot of everything it shows; the PDF is rendered from that snapshot alone, so it always
shows what was true at its step. Numbers run per municipality and year without gaps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from initiatives.core.db import Base, IdMixin, enum_column, utcnow
from initiatives.core.enums import DocumentKind


class Document(IdMixin, Base):
    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("municipality_id", "year", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("languages IN ('ky', 'ru', 'en', 'ky+ru')", name="languages_known"),
    )

    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competition.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[DocumentKind] = enum_column(DocumentKind)
    year: Mapped[int]
    number: Mapped[int]
    languages: Mapped[str] = mapped_column(String(8))
    trigger: Mapped[str] = mapped_column(String(40))
    snapshot: Mapped[dict]
    token: Mapped[str] = mapped_column(String(43), unique=True)  # verification (QR target)
    public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Filled once the PDF is rendered (reports/); later downloads serve the stored file.
    pdf_path: Mapped[str | None] = mapped_column(String(300))
    sha256: Mapped[str | None] = mapped_column(String(64))

    competition: Mapped[Competition | None] = relationship()  # noqa: F821
    application: Mapped[Application | None] = relationship()  # noqa: F821

    @property
    def languages_list(self) -> list[str]:
        return self.languages.split("+")

    @property
    def register_number(self) -> str:
        return f"{self.year}/{self.number:04d}"


class DocumentCounter(Base):
    """The last number used in a municipality's register for a year; locked while a
    document is numbered, so numbers stay gapless and unique under concurrency."""

    __tablename__ = "document_counter"

    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)
