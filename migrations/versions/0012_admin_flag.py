"""admin flag: administrators replace the shared distance table

Revision ID: 0012_admin_flag
Revises: 0011_auth_sessions
Create Date: 2026-12-02 11:00:00.000000

Existing accounts are not administrators: give the flag with `flask users set-admin EMAIL`.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012_admin_flag"
down_revision = "0011_auth_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_admin')
