"""users: the SIRET of the organisation a single sign-on provider (ProConnect) gave

Revision ID: 0024_oidc
Revises: 0023_webhooks
Create Date: 2026-12-05 13:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0024_oidc"
down_revision = "0023_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('siret', sa.String(length=14), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('siret')
