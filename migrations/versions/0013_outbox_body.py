"""outbox: a sent message keeps its Message-ID, not its body (personal links)

Revision ID: 0013_outbox_body
Revises: 0009_retention
Create Date: 2026-11-26 09:00:00.000000

"""
from email.parser import BytesHeaderParser

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_outbox_body"
down_revision = "0012_admin_flag"
branch_labels = None
depends_on = None
HEAD = 16384

outbox = sa.table(
    "outbox_messages",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("message_id", sa.String),
    sa.column("raw", sa.LargeBinary),
)


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(length=250), nullable=True))
        batch_op.alter_column("raw", existing_type=sa.LargeBinary(), nullable=True)

    # The Message-ID of every message, then the bodies of the sent ones are dropped. Failed and
    # pending messages keep theirs: they are still to be delivered (``mail retry``).
    connection = op.get_bind()  # headers only: the first HEAD bytes of each message
    parser = BytesHeaderParser()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(outbox.c.id, sa.func.substr(outbox.c.raw, 1, HEAD))
            .where(outbox.c.id > last)
            .order_by(outbox.c.id)
            .limit(500)
        ).all()
        if not rows:
            break
        for row_id, raw in rows:
            message_id = parser.parsebytes(bytes(raw or b"")).get("Message-ID")
            if message_id:
                connection.execute(
                    outbox.update()
                    .where(outbox.c.id == row_id)
                    .values(message_id=" ".join(str(message_id).split())[:250])
                )
        last = rows[-1][0]
    connection.execute(outbox.update().where(outbox.c.status == "sent").values(raw=None))


def downgrade():
    # The dropped bodies cannot come back: a sent message gets an empty one.
    op.execute(outbox.update().where(outbox.c.raw.is_(None)).values(raw=b""))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("raw", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("message_id")
