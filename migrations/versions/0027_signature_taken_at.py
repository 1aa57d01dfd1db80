"""signatures: the time taken on the device; events: the own-phone signing margins

Revision ID: 0027_signature_taken_at
Revises: 0026_outbox_recipes
Create Date: 2026-12-05 17:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0027_signature_taken_at"
down_revision = "0026_outbox_recipes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sign_minutes_before", sa.Integer(), nullable=False, server_default="30")
        )
        batch_op.add_column(
            sa.Column("sign_minutes_after", sa.Integer(), nullable=False, server_default="30")
        )


def downgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("sign_minutes_after")
        batch_op.drop_column("sign_minutes_before")
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_column("taken_at")
