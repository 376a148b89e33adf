"""Users and their roles. A role is granted per municipality, except the national ones
(oversight reader, administrator) which carry no municipality."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from initiatives.core.db import Base, IdMixin, TimestampMixin, enum_column, utcnow
from initiatives.core.enums import Role
from initiatives.municipalities.models import Municipality


class User(UserMixin, IdMixin, TimestampMixin, Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="has_login"),
        CheckConstraint("locale IN ('ky', 'ru', 'en')", name="locale_known"),
    )

    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    locale: Mapped[str] = mapped_column(String(2), default="ky")
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # Bumped by logout, a change of password and deactivation: every session and
    # "Remember me" cookie issued before carries the old value and is refused.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Notices by SMS even with an e-mail address (initiatives/notifications/sms_copies.py).
    prefers_sms: Mapped[bool] = mapped_column(default=False, server_default=false())
    # When the person proved the phone is theirs with an SMS code. A phone given at
    # registration stays unproved until then, and such an account may draft but not submit.
    phone_confirmed_at: Mapped[datetime | None]

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and signs into the remember-me cookie: the
        id with the session generation, so that bumping the generation revokes both on the
        server, whatever cookies a browser (or a thief) still holds."""
        return f"{self.id}.{self.session_generation or 0}"

    def set_password(self, password: str) -> None:
        # The method is a setting so the test suite can hash cheaply; production keeps
        # Werkzeug's default (scrypt).
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def needs_phone_proof(self) -> bool:
        """An account that logs in by a phone nobody has proved (no e-mail to reach it by)."""
        return bool(self.phone) and not self.email and self.phone_confirmed_at is None

    @property
    def login(self) -> str:
        return self.email or self.phone or ""

    def roles_in(self, municipality_id: int | None) -> set[str]:
        """Roles held in one municipality, plus the national ones that apply everywhere."""
        return {
            g.role.value
            for g in self.grants
            if g.municipality_id is None or g.municipality_id == municipality_id
        }

    def has_role(self, role: Role | str, municipality_id: int | None = None) -> bool:
        return str(role) in self.roles_in(municipality_id)

    @property
    def municipality_ids(self) -> set[int]:
        return {g.municipality_id for g in self.grants if g.municipality_id is not None}

    @property
    def is_admin(self) -> bool:
        return any(g.role == Role.ADMIN for g in self.grants)

    def __repr__(self) -> str:
        return f"<User {self.login}>"


class RoleGrant(IdMixin, Base):
    __tablename__ = "role_grant"
    __table_args__ = (
        UniqueConstraint("user_id", "municipality_id", "role"),
        CheckConstraint(
            "(role IN ('oversight', 'admin')) = (municipality_id IS NULL)",
            name="national_roles_have_no_municipality",
        ),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE")
    )
    role: Mapped[Role] = enum_column(Role)

    user: Mapped[User] = relationship(back_populates="grants")
    municipality: Mapped[Municipality | None] = relationship()


class OneTimeCode(IdMixin, Base):
    """A code or link token sent to a person (or printed at the office) to prove a phone,
    reset a password or accept an invitation. Only a keyed hash is kept: a copy of the
    database does not hand out working codes. ``login`` is where it was sent (a new phone
    being proved, or the login a reset was asked for)."""

    __tablename__ = "one_time_code"

    purpose: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    login: Mapped[str | None] = mapped_column(String(254))
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # The specialist who printed it at the office (None: sent by SMS or e-mail).
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class UserSession(Base):
    """One logged-in browser: listed on the account page, ended one by one or all at once.
    Its id travels in the Flask session and the remember-me cookie (``auth.sessions``)."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(80), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    ended_at: Mapped[datetime | None]
