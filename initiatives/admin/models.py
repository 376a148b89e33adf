"""An invitation to a staff role, the only way a role reaches a person from a page.

Nobody is given a role without consent: the operator (or a municipality's office) offers it
to a login, and it becomes a ``RoleGrant`` only when the holder of that login answers. The
proof of holding the login is the secret sent to it: a link by e-mail, a code by SMS. Only
a hash of the secret is kept, so the database (or a backup of it) cannot be used to accept
an invitation on someone's behalf.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from initiatives.core.db import Base, IdMixin, enum_column, utcnow
from initiatives.core.enums import Role
from initiatives.municipalities.models import Municipality

LIFETIME = timedelta(days=7)
MAX_CODE_ATTEMPTS = 5  # wrong SMS codes before the invitation stops answering to one


def default_expiry() -> datetime:
    return utcnow() + LIFETIME


class StaffInvitation(IdMixin, Base):
    __tablename__ = "staff_invitation"
    __table_args__ = (
        CheckConstraint(
            "(role IN ('oversight', 'admin')) = (municipality_id IS NULL)",
            name="national_roles_have_no_municipality",
        ),
        CheckConstraint("role != 'applicant'", name="staff_roles_only"),
        CheckConstraint("locale IN ('ky', 'ru', 'en')", name="locale_known"),
    )

    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = enum_column(Role)
    # An e-mail address (lowercased) or a phone in E.164: the spelling accounts are kept in.
    login: Mapped[str] = mapped_column(String(254), index=True)
    # SHA-256 of the link's token (e-mail) or of the code (SMS), keyed by the secret key.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    locale: Mapped[str] = mapped_column(String(2), default="ky")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(default=default_expiry)
    code_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    declined_at: Mapped[datetime | None]

    municipality: Mapped[Municipality | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])  # noqa: F821

    @property
    def by_phone(self) -> bool:
        return not self.login or "@" not in self.login

    @property
    def answered(self) -> bool:
        return bool(self.accepted_at or self.revoked_at or self.declined_at)

    def expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.expires_at

    def pending(self, now: datetime | None = None) -> bool:
        return not self.answered and not self.expired(now)

    def __repr__(self) -> str:
        return f"<StaffInvitation {self.role} {self.login}>"
