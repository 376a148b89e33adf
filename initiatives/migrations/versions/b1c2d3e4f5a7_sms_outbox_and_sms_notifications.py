"""sms_message, sms_day; user_account.prefers_sms; notification.sms_id

SMS as a channel: the outbox of text messages (sent after the commit, through the embedded
outbox or an aggregator's HTTP gateway), the count of messages given to the gateway each
UTC day against its cap, a person's choice of SMS notices over e-mail, and the SMS copy of
a notification (one per notification). Existing rows need nothing: nobody prefers SMS yet,
and earlier notifications had no SMS copy.

Revision ID: b1c2d3e4f5a7
Revises: a0b1c2d3e4f6
Create Date: 2026-12-05 10:00:00

"""
import sqlalchemy as sa
from alembic import op

import initiatives.core.db  # noqa: F401 - custom column types (UTCDateTime)

# revision identifiers, used by Alembic.
revision = 'b1c2d3e4f5a7'
down_revision = 'a0b1c2d3e4f6'
branch_labels = None
depends_on = None

STATUSES = ('queued', 'sending', 'sent', 'delivered', 'failed', 'capped')


def upgrade():
    op.create_table('sms_message',
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum(*STATUSES, name='smsstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('provider_id', sa.String(length=40), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', initiatives.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', initiatives.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', initiatives.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', initiatives.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sms_message_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_message')),
    sa.UniqueConstraint('provider_id', name=op.f('uq_sms_message_provider_id'))
    )
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_message_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_message_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_message_user_id'), ['user_id'], unique=False)

    op.create_table('sms_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_sms_day'))
    )

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('prefers_sms', sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sms_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_notification_sms_id_sms_message'), 'sms_message', ['sms_id'], ['id'],
            ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_sms_id_sms_message'), type_='foreignkey')
        batch_op.drop_column('sms_id')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('prefers_sms')
    op.drop_table('sms_day')
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_message_user_id'))
        batch_op.drop_index(batch_op.f('ix_sms_message_status'))
        batch_op.drop_index(batch_op.f('ix_sms_message_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_sms_message_created_at'))
    op.drop_table('sms_message')
