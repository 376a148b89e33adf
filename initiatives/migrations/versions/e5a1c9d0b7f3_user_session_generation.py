"""user_account: session_generation

Server-side revocation of sessions and remember-me cookies: logout, a change of password
and deactivation bump it, and a cookie of an earlier generation loads nobody.

Revision ID: e5a1c9d0b7f3
Revises: c41e7a2d9b05
Create Date: 2026-12-02 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5a1c9d0b7f3'
down_revision = 'c41e7a2d9b05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
