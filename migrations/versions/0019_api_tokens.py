"""api: the organisers' API tokens (stored hashed); claims and batches get updated_at (sync)

Revision ID: 0019_api_tokens
Revises: 0018_org_messages
Create Date: 2026-12-05 12:45:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019_api_tokens"
down_revision = "0018_org_messages"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('can_write', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    # The API's updated_since: existing rows count as changed when last computed or created.
    for table, since in (("claims", "computed_at"), ("claim_batches", "created_at")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        op.execute(f"UPDATE {table} SET updated_at = {since}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                'updated_at', existing_type=sa.DateTime(timezone=True), nullable=False
            )


def downgrade():
    for table in ("claim_batches", "claims"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('updated_at')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))
    op.drop_table('api_tokens')
