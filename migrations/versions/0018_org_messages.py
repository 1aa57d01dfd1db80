"""events: the organiser's texts in the confirmation and the invitation; messages to participants

Revision ID: 0018_org_messages
Revises: 0017_embed
Create Date: 2026-12-05 09:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018_org_messages"
down_revision = "0017_embed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('invitation_text', sa.Text(), nullable=True))

    op.create_table(
        'messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('audience', sa.String(length=500), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('unsent', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('author_label', sa.String(length=320), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['author_id'], ['users.id'], name=op.f('fk_messages_author_id_users'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['event_id'], ['events.id'], name=op.f('fk_messages_event_id_events'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_event_id'))
    op.drop_table('messages')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('invitation_text')
        batch_op.drop_column('confirmation_text')
