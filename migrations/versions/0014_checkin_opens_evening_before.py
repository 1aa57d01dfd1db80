"""events: check-in may open the evening before each part (18:00)

Revision ID: 0014_checkin_evening
Revises: 0013_outbox_body
Create Date: 2026-12-05 06:00:00.000000

Existing events keep the rule of the day: check-in of a part opens at 00:00 on its day.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_checkin_evening"
down_revision = "0013_outbox_body"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'checkin_opens_evening_before',
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('checkin_opens_evening_before')
