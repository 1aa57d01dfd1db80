"""retention: when a registration's or a claim's personal data was erased

Revision ID: 0009_retention
Revises: 0006_invitations
Create Date: 2026-11-25 08:41:51.082518

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_retention"
down_revision = "0006_invitations"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")

    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
