"""Follow-up memory in the database: each chat's last question as understood, so that several
bot instances on one database answer a chat's follow-up alike.

Revision ID: 0006_chat_turns
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_chat_turns"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_turns",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("question", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_chat_turns_at", "chat_turns", ["at"])


def downgrade() -> None:
    op.drop_index("ix_chat_turns_at", table_name="chat_turns")
    op.drop_table("chat_turns")
