"""Meeting events (who met whom, when, where) found in passages.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "passage_id",
            sa.Integer(),
            sa.ForeignKey("passages.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "article_id",
            sa.Integer(),
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("who", sa.JSON(), nullable=False),
        sa.Column("with_", sa.JSON(), nullable=False),
        sa.Column("names", sa.Text(), nullable=False),
        sa.Column("when", sa.Date(), nullable=True),
        sa.Column("when_text", sa.String(200), nullable=True),
        sa.Column("where", sa.String(300), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_passage", "events", ["passage_id"])
    op.create_index("ix_events_article", "events", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_events_article", "events")
    op.drop_index("ix_events_passage", "events")
    op.drop_table("events")
