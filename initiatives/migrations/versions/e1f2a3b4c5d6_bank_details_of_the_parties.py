"""bank details of both parties of a grant agreement

The agreement and the payment record give the bank details of the ayil okmotu (bank,
account, BIK, INN) and of the initiator (bank, account, BIK, PIN); neither had anywhere to
live. Existing municipalities and agreements have none until someone types them; the
documents then leave a blank line to fill in by hand.

Revision ID: e1f2a3b4c5d6
Revises: f2a3b4c5d6e7
Create Date: 2026-12-04 10:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'e1f2a3b4c5d6'
down_revision = 'f2a3b4c5d6e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('bank_account', sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column('bank_bic', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('inn', sa.String(length=20), nullable=True))
    json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payee', json, nullable=False, server_default='{}'))
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.alter_column('payee', server_default=None)


def downgrade():
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_column('payee')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('inn')
        batch_op.drop_column('bank_bic')
        batch_op.drop_column('bank_account')
        batch_op.drop_column('bank_name')
