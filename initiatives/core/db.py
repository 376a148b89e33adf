"""Declarative base and the column types every model uses.

Money is ``Decimal`` end to end. PostgreSQL stores it as NUMERIC(14, 2). SQLite has no
decimal type: SQLAlchemy would convert through float with a warning, so on SQLite we read
the stored number and quantize it back to two places ourselves (amounts stay far below the
15 significant digits a double keeps exactly).
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, DateTime, Integer, MetaData, Numeric, String, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CENT = Decimal("0.01")


def utcnow() -> datetime:
    return datetime.now(UTC)


BISHKEK = ZoneInfo("Asia/Bishkek")


def local_day(moment: datetime | None = None) -> date:
    """The day in Kyrgyzstan (UTC+6) at ``moment`` (now by default): due dates, signing and
    payment dates are days there, whatever the server's clock zone."""
    return (moment or utcnow()).astimezone(BISHKEK).date()


def to_money(value) -> Decimal:
    """Normalise anything numeric to a two-place Decimal (never via binary float maths)."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float):
        value = repr(value)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class Money(TypeDecorator):
    """NUMERIC(14, 2) as Decimal on every database."""

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(14, 2, asdecimal=False))
        return dialect.type_descriptor(Numeric(14, 2))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = to_money(value)
        return float(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return None if value is None else to_money(value)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store UTC-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def enum_column(enum_cls: type[enum.Enum], **kwargs):
    """A VARCHAR column holding an Enum's values, with a CHECK listing them (portable)."""
    from sqlalchemy import Enum as SAEnum

    return mapped_column(
        SAEnum(
            enum_cls,
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
            name=enum_cls.__name__.lower(),
        ),
        **kwargs,
    )


class Base(DeclarativeBase):
    # One registry carries both, because Flask-SQLAlchemy subclasses the base and
    # SQLAlchemy refuses a per-class type_annotation_map next to a registry.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            Decimal: Money(),
            datetime: UTCDateTime(),
            dict: JSONType,
            list: JSONType,
            str: String(),
        },
    )


class IdMixin:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
