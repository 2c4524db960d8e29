"""Links users send the bot to add as articles: the per-user hourly limit counts them.

Revision ID: 0007_link_submissions
Revises: 0006_chat_turns
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_link_submissions"
down_revision = "0006_chat_turns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_submissions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_link_submissions_user_at", "link_submissions", ["user_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_link_submissions_user_at", table_name="link_submissions")
    op.drop_table("link_submissions")
