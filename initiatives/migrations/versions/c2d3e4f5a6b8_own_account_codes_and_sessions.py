"""one-time codes, listed sessions, proved phones

A person's own account (issue 22): ``one_time_code`` keeps only a keyed hash of each code
sent by SMS, printed at the office or carried by a reset link; ``user_session`` lists the
browsers logged in to an account so one can be ended; ``user_account.phone_confirmed_at``
says when the phone was proved by a code. Accounts that already log in by phone were
trusted before the proof existed: they are marked proved now, not locked out of
submitting.

Revision ID: c2d3e4f5a6b8
Revises: b1c2d3e4f5a7
Create Date: 2026-12-10 09:00:00

"""

import sqlalchemy as sa
from alembic import op

from initiatives.core.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "c2d3e4f5a6b8"
down_revision = "b1c2d3e4f5a7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_confirmed_at", UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE user_account SET phone_confirmed_at = CURRENT_TIMESTAMP WHERE phone IS NOT NULL"
    )

    op.create_table(
        "one_time_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("login", sa.String(length=254), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_one_time_code_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_one_time_code_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_code")),
    )
    with op.batch_alter_table("one_time_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_one_time_code_code_hash"), ["code_hash"])
        batch_op.create_index(batch_op.f("ix_one_time_code_user_id"), ["user_id"])

    op.create_table(
        "user_session",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("user_agent", sa.String(length=80), nullable=False),
        sa.Column("ip_address", sa.String(length=64), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"])


def downgrade():
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))
    op.drop_table("user_session")
    with op.batch_alter_table("one_time_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_time_code_user_id"))
        batch_op.drop_index(batch_op.f("ix_one_time_code_code_hash"))
    op.drop_table("one_time_code")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("phone_confirmed_at")
