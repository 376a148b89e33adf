"""A notification: a message to one user about a step that concerns them.

The text is stored as a message id and parameters, not as rendered text, so each user
reads it in the language they choose when they read it (and the e-mail in the language of
their account). ``emailed_at`` makes the table an outbox: e-mail is sent after the commit
that created the row, and a failed delivery is retried instead of lost.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from initiatives.core.db import Base, IdMixin, utcnow


class Notification(IdMixin, Base):
    __tablename__ = "notification"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(60))  # the step: "application.submit", ...
    message: Mapped[str] = mapped_column(String(500))  # a gettext message id
    params: Mapped[dict] = mapped_column(default=dict)
    # Words a person wrote (a rejection reason, a message of the commission): shown as typed.
    note: Mapped[str | None] = mapped_column(Text)
    competition_id: Mapped[int | None] = mapped_column(
        ForeignKey("competition.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
    email_attempts: Mapped[int] = mapped_column(default=0)
    # Its SMS copy, for a reader without e-mail or who prefers SMS: one per notification.
    sms_id: Mapped[int | None] = mapped_column(ForeignKey("sms_message.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()  # noqa: F821
    sms: Mapped[SmsMessage | None] = relationship()  # noqa: F821
