"""scoring: award motions carry their amounts, partial awards

The results meeting votes one motion per proposed award with its amounts; the commission may
set a partial amount instead of an application's request.

Revision ID: dfbedce13f9f
Revises: 4317b5002b33
Create Date: 2026-11-25 19:50:39.898368

"""
from alembic import op
import sqlalchemy as sa

import initiatives.core.db  # noqa: F401 - custom column types (Money, UTCDateTime)
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'dfbedce13f9f'
down_revision = '4317b5002b33'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partial_amount', initiatives.core.db.Money(precision=14, scale=2), nullable=True))
        batch_op.create_check_constraint('partial_positive', 'partial_amount IS NULL OR partial_amount > 0')

    # Motions recorded before this revision carry no amounts: an empty mapping.
    with op.batch_alter_table('motion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount', initiatives.core.db.Money(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('partners', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
    op.execute("UPDATE motion SET partners = '{}'")
    with op.batch_alter_table('motion', schema=None) as batch_op:
        batch_op.alter_column('partners', existing_type=sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False)
        batch_op.create_check_constraint('award_names_one', "kind <> 'award' OR application_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('motion', schema=None) as batch_op:
        batch_op.drop_constraint('award_names_one', type_='check')
        batch_op.drop_column('partners')
        batch_op.drop_column('amount')

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_constraint('partial_positive', type_='check')
        batch_op.drop_column('partial_amount')
