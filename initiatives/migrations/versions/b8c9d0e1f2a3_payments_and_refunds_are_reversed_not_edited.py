"""payment, refund: reversals with their reason

A booked payment or refund is never changed nor deleted: a mistake is undone by a reversal,
an entry of the opposite sign that names the entry it undoes (one reversal per entry) and
says why. An order number may then be booked again, so the unique (agreement, order number)
goes: the operations check it among the standing entries, under the agreement's row lock.

Revision ID: b8c9d0e1f2a3
Revises: a7b8c9d0e1f2
Create Date: 2026-12-09 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b8c9d0e1f2a3'
down_revision = 'a7b8c9d0e1f2'
branch_labels = None
depends_on = None

SIGNED = (
    "(reverses_id IS NULL AND amount > 0)"
    " OR (reverses_id IS NOT NULL AND amount < 0 AND reason IS NOT NULL)"
)


def upgrade():
    for table in ('payment', 'refund'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('reverses_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
            batch_op.drop_constraint(
                op.f(f'uq_{table}_agreement_id_order_number'), type_='unique'
            )
            batch_op.drop_constraint(op.f(f'ck_{table}_amount_positive'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_amount_signed'), SIGNED)
            batch_op.create_unique_constraint(op.f(f'uq_{table}_reverses_id'), ['reverses_id'])
            batch_op.create_foreign_key(
                op.f(f'fk_{table}_reverses_id_{table}'), table, ['reverses_id'], ['id']
            )


def downgrade():
    for table in ('payment', 'refund'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'fk_{table}_reverses_id_{table}'), type_='foreignkey')
            batch_op.drop_constraint(op.f(f'uq_{table}_reverses_id'), type_='unique')
            batch_op.drop_constraint(op.f(f'ck_{table}_amount_signed'), type_='check')
        # The old rule (amounts above zero) has no reversals: an entry and its reversal
        # cancel out, so both go, and the sums stay as they were.
        op.execute(
            f"DELETE FROM {table} WHERE id IN"
            f" (SELECT reverses_id FROM {table} WHERE reverses_id IS NOT NULL)"
        )
        op.execute(f"DELETE FROM {table} WHERE reverses_id IS NOT NULL")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('reason')
            batch_op.drop_column('reverses_id')
            batch_op.create_check_constraint(op.f(f'ck_{table}_amount_positive'), 'amount > 0')
            batch_op.create_unique_constraint(
                op.f(f'uq_{table}_agreement_id_order_number'), ['agreement_id', 'order_number']
            )
