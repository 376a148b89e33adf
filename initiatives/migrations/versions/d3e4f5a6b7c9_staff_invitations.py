"""staff_invitation: roles offered to a login, given when the person accepts

The operator invites a municipality's head and specialists, and an office its specialists,
by e-mail (a one-time link) or by phone (an SMS code). Only a keyed hash of the link's
token or of the code is kept; the row records who invited, and who accepted, declined or
withdrew it and when, so the audit trail and the staff page tell the same story.

Revision ID: d3e4f5a6b7c9
Revises: c2d3e4f5a6b8
Create Date: 2026-12-10 10:00:00

"""

import sqlalchemy as sa
from alembic import op

from initiatives.core.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "d3e4f5a6b7c9"
down_revision = "c2d3e4f5a6b8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "specialist",
                "head",
                "applicant",
                "oversight",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("login", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=2), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("code_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("declined_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "(role IN ('oversight', 'admin')) = (municipality_id IS NULL)",
            name=op.f("ck_staff_invitation_national_roles_have_no_municipality"),
        ),
        sa.CheckConstraint(
            "role != 'applicant'", name=op.f("ck_staff_invitation_staff_roles_only")
        ),
        sa.CheckConstraint(
            "locale IN ('ky', 'ru', 'en')", name=op.f("ck_staff_invitation_locale_known")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_staff_invitation_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["user_account.id"],
            name=op.f("fk_staff_invitation_invited_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["user_account.id"],
            name=op.f("fk_staff_invitation_accepted_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["user_account.id"],
            name=op.f("fk_staff_invitation_revoked_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_invitation_token_hash")),
    )
    with op.batch_alter_table("staff_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_invitation_login"), ["login"])
        batch_op.create_index(
            batch_op.f("ix_staff_invitation_municipality_id"), ["municipality_id"]
        )


def downgrade():
    with op.batch_alter_table("staff_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_invitation_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_staff_invitation_login"))
    op.drop_table("staff_invitation")
