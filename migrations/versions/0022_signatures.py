"""events: signature_mode; signatures: handwritten signatures per part (vector strokes, hashed)

Revision ID: 0022_signatures
Revises: 0021_calendar_replies
Create Date: 2026-12-05 13:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022_signatures"
down_revision = "0021_calendar_replies"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('signature_mode', sa.String(length=32), server_default='none', nullable=False)
        )

    op.create_table(
        'signatures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('part_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('signer_name', sa.String(length=200), nullable=False),
        sa.Column('signer_role', sa.String(length=200), nullable=False),
        sa.Column('strokes', sa.JSON(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=True),
        sa.Column('captured_by', sa.String(length=32), nullable=False),
        sa.Column('recorded_by', sa.String(length=320), nullable=False),
        sa.Column('client_address', sa.String(length=64), nullable=False),
        sa.Column('user_agent', sa.String(length=400), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('supersedes_id', sa.Integer(), nullable=True),
        sa.Column('superseded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['part_id'], ['parts.id'], name=op.f('fk_signatures_part_id_parts'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['registration_id'], ['registrations.id'],
            name=op.f('fk_signatures_registration_id_registrations'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['supersedes_id'], ['signatures.id'],
            name=op.f('fk_signatures_supersedes_id_signatures'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['superseded_by_id'], ['signatures.id'],
            name=op.f('fk_signatures_superseded_by_id_signatures'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures')),
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_part_id'), ['part_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_signatures_registration_id'), ['registration_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatures_registration_id'))
        batch_op.drop_index(batch_op.f('ix_signatures_part_id'))
    op.drop_table('signatures')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('signature_mode')
