"""compensation: the organiser may set aside childcare that the event's scale does not pay

Revision ID: 0015_childcare_aside
Revises: 0014_checkin_evening
Create Date: 2026-12-05 09:20:00.000000

A declaration of childcare under a scale that pays none kept its claim « à compléter » until the
scale or the declaration changed; the organiser's reason for not paying it now settles it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_childcare_aside"
down_revision = "0014_checkin_evening"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('travel_declarations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'childcare_set_aside', sa.String(length=500), server_default='', nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table('travel_declarations', schema=None) as batch_op:
        batch_op.drop_column('childcare_set_aside')
