"""Russian spellings of the names the documents print: address, source, position

The office's address, a funding source's name and a commission member's position were typed
once, in Kyrgyz, and the Russian copy of every document printed them in Kyrgyz. Each gets an
optional Russian spelling; empty means the Kyrgyz one serves both, so existing rows need
nothing.

Revision ID: a0b1c2d3e4f6
Revises: e1f2a3b4c5d6
Create Date: 2026-12-03 12:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a0b1c2d3e4f6'
down_revision = 'e1f2a3b4c5d6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_ru', sa.String(length=300), nullable=True))
    with op.batch_alter_table('funding_source', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('name_ru', sa.String(length=200), nullable=False, server_default='')
        )
    with op.batch_alter_table('commission_seat', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('position_ru', sa.String(length=200), nullable=False, server_default='')
        )


def downgrade():
    with op.batch_alter_table('commission_seat', schema=None) as batch_op:
        batch_op.drop_column('position_ru')
    with op.batch_alter_table('funding_source', schema=None) as batch_op:
        batch_op.drop_column('name_ru')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('address_ru')
