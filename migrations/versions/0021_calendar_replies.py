"""calendar_replies: the iTIP REPLY applied to invitations (never twice, never an older one)

Revision ID: 0021_calendar_replies
Revises: 0020_bodies
Create Date: 2026-12-05 12:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021_calendar_replies"
down_revision = "0020_bodies"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'invitation_calendar_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invitation_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=250), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('dtstamp', sa.DateTime(timezone=True), nullable=True),
        sa.Column('partstat', sa.String(length=20), nullable=False),
        sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['invitation_id'],
            ['invitations.id'],
            name=op.f('fk_invitation_calendar_replies_invitation_id_invitations'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_calendar_replies')),
        sa.UniqueConstraint(
            'invitation_id',
            'sequence',
            'dtstamp',
            name=op.f('uq_invitation_calendar_replies_invitation_id_sequence_dtstamp'),
        ),
    )
    with op.batch_alter_table('invitation_calendar_replies', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_invitation_calendar_replies_invitation_id'),
            ['invitation_id'],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f('ix_invitation_calendar_replies_message_id'), ['message_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('invitation_calendar_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_calendar_replies_message_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_calendar_replies_invitation_id'))
    op.drop_table('invitation_calendar_replies')
