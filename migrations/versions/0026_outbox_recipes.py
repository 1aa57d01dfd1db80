"""outbox: messages queued as a recipe, composed at delivery

Revision ID: 0026_outbox_recipes
Revises: 0025_jobs
Create Date: 2026-12-05 13:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0026_outbox_recipes"
down_revision = "0025_jobs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipe", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("recipe")
