"""audit_event: index by municipality and id

The public pages' cache stamp reads the count and the last id of a municipality's events;
with this index both come from the index alone, whatever the length of the trail.

Revision ID: c41e7a2d9b05
Revises: b7037a10f6f4
Create Date: 2026-11-30 20:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c41e7a2d9b05'
down_revision = 'b7037a10f6f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(
            'ix_audit_event_municipality_id_id', ['municipality_id', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_municipality_id_id')
