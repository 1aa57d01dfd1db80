"""registration_invitation: which invitation's reply created a registration

Revision ID: 0010_registration_invitation
Revises: 0009_retention
Create Date: 2026-11-26 10:00:00.000000

A reply to an invitation may change or cancel only the registrations that this invitation's
replies created. Before this revision a reply adopted any registration whose address it was
given (issue 13, item 1), so the links already stored cannot all be trusted.

Backfill, conservatively: a registration linked to exactly one invitation is marked as created
by it only when it carries the invitee's own address (the reply link and the personal link went
to the same mailbox, so the reply can reach no stranger) and the audit log shows no other way
it was made (public form, organiser, import, walk-in). Representatives are not backfilled: the
bug left an adopted stranger with the same trace as a representative the reply registered. An
earlier reply's representative therefore keeps their registration when the reply changes; they
or the organiser can still cancel it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_registration_invitation"
down_revision = "0009_retention"
branch_labels = None
depends_on = None


# Registrations linked to one invitation, with the invitee's own address, made by no other way.
BACKFILL = """
INSERT INTO invitation_created_registrations (registration_id, invitation_id)
SELECT r.id, MIN(i.id)
FROM invitations i
JOIN contacts c ON c.id = i.contact_id
JOIN registrations r ON r.id = i.registration_id
WHERE r.email_key = c.email_key
  AND r.walk_in = false
  AND NOT EXISTS (
    SELECT 1 FROM audit_events a
    WHERE a.registration_id = r.id
      AND a.action IN (
        'registration.signed_up', 'registration.added',
        'registration.imported', 'attendance.walk_in'
      )
  )
GROUP BY r.id
HAVING COUNT(i.id) = 1
"""


def upgrade():
    op.create_table(
        "invitation_created_registrations",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_invitation_created_registrations_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_invitation_created_registrations_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "registration_id", name=op.f("pk_invitation_created_registrations")
        ),
    )
    with op.batch_alter_table("invitation_created_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitation_created_registrations_invitation_id"),
            ["invitation_id"],
            unique=False,
        )

    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table("invitation_created_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_created_registrations_invitation_id"))

    op.drop_table("invitation_created_registrations")
