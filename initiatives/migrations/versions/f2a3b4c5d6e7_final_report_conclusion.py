"""the head's conclusion of the final report

The final report ends with a short narrative conclusion (what the competition achieved,
what to do better) that the head of the ayil okmotu writes, in Kyrgyz and in Russian,
before the competition is closed. Existing competitions have none: their report prints
the conclusion generated from its figures.

Revision ID: f2a3b4c5d6e7
Revises: d0e1f2a3b4c5 (temporarily; a3b4c5d6e7f8 once that revision exists)
Create Date: 2026-12-04 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2a3b4c5d6e7'
down_revision = 'd0e1f2a3b4c5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conclusion_ky', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('conclusion_ru', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('competition', schema=None) as batch_op:
        batch_op.drop_column('conclusion_ru')
        batch_op.drop_column('conclusion_ky')
