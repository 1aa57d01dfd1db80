"""bodies: members, meetings, pouvoirs

Revision ID: 0020_bodies
Revises: 0019_api_tokens
Create Date: 2026-12-05 12:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020_bodies"
down_revision = "0019_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bodies',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('quorum_kind', sa.String(length=16), nullable=False),
    sa.Column('quorum_number', sa.Integer(), nullable=True),
    sa.Column('pouvoirs_count', sa.Boolean(), nullable=False),
    sa.Column('max_pouvoirs', sa.Integer(), nullable=False),
    sa.Column('notice_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['contact_lists.id'], name=op.f('fk_bodies_list_id_contact_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('list_id', name=op.f('pk_bodies'))
    )
    op.create_table('body_members',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('function', sa.String(length=200), nullable=False),
    sa.Column('in_office', sa.Boolean(), nullable=False),
    sa.Column('office_start', sa.Date(), nullable=True),
    sa.Column('office_end', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_body_members_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['list_id'], ['contact_lists.id'], name=op.f('fk_body_members_list_id_contact_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('list_id', 'contact_id', name=op.f('pk_body_members'))
    )
    with op.batch_alter_table('body_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_body_members_contact_id'), ['contact_id'], unique=False)

    op.create_table('body_meetings',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('late_notice_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_body_meetings_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['list_id'], ['bodies.list_id'], name=op.f('fk_body_meetings_list_id_bodies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_body_meetings'))
    )
    with op.batch_alter_table('body_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_body_meetings_list_id'), ['list_id'], unique=False)

    op.create_table('pouvoirs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('giver_invitation_id', sa.Integer(), nullable=False),
    sa.Column('holder_contact_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lapsed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_pouvoirs_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['giver_invitation_id'], ['invitations.id'], name=op.f('fk_pouvoirs_giver_invitation_id_invitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['holder_contact_id'], ['contacts.id'], name=op.f('fk_pouvoirs_holder_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_pouvoirs_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pouvoirs'))
    )
    with op.batch_alter_table('pouvoirs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pouvoirs_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pouvoirs_giver_invitation_id'), ['giver_invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pouvoirs_holder_contact_id'), ['holder_contact_id'], unique=False)



def downgrade():
    with op.batch_alter_table('pouvoirs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pouvoirs_holder_contact_id'))
        batch_op.drop_index(batch_op.f('ix_pouvoirs_giver_invitation_id'))
        batch_op.drop_index(batch_op.f('ix_pouvoirs_event_id'))

    op.drop_table('pouvoirs')
    with op.batch_alter_table('body_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_body_meetings_list_id'))

    op.drop_table('body_meetings')
    with op.batch_alter_table('body_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_body_members_contact_id'))

    op.drop_table('body_members')
    op.drop_table('bodies')
