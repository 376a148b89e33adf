"""commission_seat: invited_login, accepted_at

Nobody sits on a commission without consent: a seat offered to a registered person is an
invitation until they accept it (``accepted_at``); one offered by e-mail or phone keeps that
login (``invited_login``) until it is answered, and the seat may then have no user yet, so
the rule that a seat names a person admits the login too.

Seats that exist already were made before invitations: their people were seated by the
office, and the commissions formed with them are on record (the head's order), so they are
taken as accepted at the time of this migration rather than emptied of their roles.

Revision ID: c9d0e1f2a3b4
Revises: b8c9d0e1f2a3
Create Date: 2026-12-03 09:30:00

"""
import sqlalchemy as sa
from alembic import op

import initiatives.core.db

# revision identifiers, used by Alembic.
revision = 'c9d0e1f2a3b4'
down_revision = 'b8c9d0e1f2a3'
branch_labels = None
depends_on = None

OLD_RULE = 'user_id IS NOT NULL OR outside_name IS NOT NULL'
NEW_RULE = 'user_id IS NOT NULL OR outside_name IS NOT NULL OR invited_login IS NOT NULL'


def upgrade():
    with op.batch_alter_table('commission_seat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_login', sa.String(length=254), nullable=True))
        batch_op.add_column(
            sa.Column(
                'accepted_at', initiatives.core.db.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.create_index(
            batch_op.f('ix_commission_seat_invited_login'), ['invited_login'], unique=False
        )
        batch_op.drop_constraint(batch_op.f('ck_commission_seat_has_person'), type_='check')
        batch_op.create_check_constraint('has_person', NEW_RULE)
    op.execute("UPDATE commission_seat SET accepted_at = CURRENT_TIMESTAMP")


def downgrade():
    op.execute("DELETE FROM commission_seat WHERE user_id IS NULL AND outside_name IS NULL")
    with op.batch_alter_table('commission_seat', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_commission_seat_has_person'), type_='check')
        batch_op.create_check_constraint('has_person', OLD_RULE)
        batch_op.drop_index(batch_op.f('ix_commission_seat_invited_login'))
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('invited_login')
