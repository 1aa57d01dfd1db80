"""reminders: the participants' reminder before the event (setting, text, reminders sent)

Revision ID: 0016_reminders
Revises: 0015_childcare_aside
Create Date: 2026-12-05 09:30:00.000000

Existing events get the default of new ones: a reminder 24 hours before the first part each
person attends (organisers turn it off in the event form).
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = "0016_reminders"
down_revision = "0015_childcare_aside"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_hours_before', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reminder_text', sa.Text(), nullable=True))
    op.execute("UPDATE events SET reminder_hours_before = 24")
    op.create_table(
        'reminders_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('first_part_starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['registration_id'],
            ['registrations.id'],
            name=op.f('fk_reminders_sent_registration_id_registrations'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders_sent')),
        sa.UniqueConstraint(
            'registration_id',
            'first_part_starts_at',
            name=op.f('uq_reminders_sent_registration_id_first_part_starts_at'),
        ),
    )
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_reminders_sent_registration_id'), ['registration_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_sent_registration_id'))
    op.drop_table('reminders_sent')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('reminder_text')
        batch_op.drop_column('reminder_hours_before')
