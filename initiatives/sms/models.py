"""The SMS outbox, and the count of parts sent each day against the gateway's cap.

A message is written in the transaction of what caused it and sent after the commit, so a
text never announces something that was rolled back; the row remembers every try. Its
``provider_id`` is our own id, sent to the gateway with the message: the gateway's delivery
report names it, and a gateway that sees the same id twice can refuse the double.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from initiatives.core.db import Base, IdMixin, enum_column, utcnow
from workflows.i18n import N_


class SmsStatus(enum.Enum):
    QUEUED = "queued"  # waiting for its first try, or for a retry after a network error
    SENDING = "sending"  # claimed by a sender; a claim that outlives its time is taken again
    SENT = "sent"  # the provider took it (the outbox backend: it stays here, shown to staff)
    DELIVERED = "delivered"  # the gateway's delivery report says it reached the phone
    FAILED = "failed"  # refused by the gateway, undelivered, or tried too often
    CAPPED = "capped"  # the day's cap was reached: it goes the next UTC day

    def __str__(self) -> str:
        return self.value


STATUS_TITLES = {
    SmsStatus.QUEUED: N_("Queued"),
    SmsStatus.SENDING: N_("Sending"),
    SmsStatus.SENT: N_("Sent"),
    SmsStatus.DELIVERED: N_("Delivered"),
    SmsStatus.FAILED: N_("Failed"),
    SmsStatus.CAPPED: N_("Held by the daily cap"),
}


class SmsMessage(IdMixin, Base):
    __tablename__ = "sms_message"

    phone: Mapped[str] = mapped_column(String(32))  # E.164, +996...
    text: Mapped[str] = mapped_column(Text)  # rendered in the reader's language
    segments: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(40))  # phone_proof, notification, ...
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[SmsStatus] = enum_column(SmsStatus, default=SmsStatus.QUEUED, index=True)
    provider_id: Mapped[str] = mapped_column(String(40), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))


class SmsDay(Base):
    """Messages handed to a capped provider on one UTC day. A sender reserves its place with
    one conditional UPDATE before sending, so senders in several processes together never
    pass the cap."""

    __tablename__ = "sms_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    sent: Mapped[int] = mapped_column(default=0)
