"""events: the embedded form may open its confirmation in a new tab

Revision ID: 0017_embed
Revises: 0016_reminders
Create Date: 2026-12-05 09:30:00.000000

Existing events keep the confirmation in the frame of the embedded form.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017_embed"
down_revision = "0016_reminders"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'embed_opens_new_tab',
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('embed_opens_new_tab')
