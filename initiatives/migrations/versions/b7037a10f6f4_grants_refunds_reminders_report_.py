"""grants: refunds, reminders, report contribution note and files

Unspent money returned (refund), one row per reminder sent (so the daily job is
idempotent), and on each report round how the own contribution was given and who typed it.

Revision ID: b7037a10f6f4
Revises: dfbedce13f9f
Create Date: 2026-11-25 22:12:28.396296

"""
from alembic import op
import sqlalchemy as sa

import initiatives.core.db  # noqa: F401 - custom column types (Money, UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'b7037a10f6f4'
down_revision = 'dfbedce13f9f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('sent_at', initiatives.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_reminder_application_id_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    sa.UniqueConstraint('application_id', 'kind', 'due', name=op.f('uq_reminder_application_id_kind_due'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_application_id'), ['application_id'], unique=False)

    op.create_table('refund',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=False),
    sa.Column('amount', initiatives.core.db.Money(precision=14, scale=2), nullable=False),
    sa.Column('order_number', sa.String(length=50), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_refund_amount_positive')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_refund_agreement_id_agreement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund')),
    sa.UniqueConstraint('agreement_id', 'order_number', name=op.f('uq_refund_agreement_id_order_number'))
    )
    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_agreement_id'), ['agreement_id'], unique=False)

    with op.batch_alter_table('implementation_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contribution_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_implementation_report_entered_by_id_user_account'), 'user_account', ['entered_by_id'], ['id'])



def downgrade():
    with op.batch_alter_table('implementation_report', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_implementation_report_entered_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('entered_by_id')
        batch_op.drop_column('contribution_note')

    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_agreement_id'))

    op.drop_table('refund')
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_application_id'))

    op.drop_table('reminder')
