"""The seed article (../shared/seed): read from its file, never copied into the tests, since it
is third-party text."""

from __future__ import annotations

import pytest

from tests.support.settings import SEED

__all__ = ["ARTICLE_BLOCKS", "seed_paragraphs", "seed_text", "seed_title"]

# Which blank-line blocks of the seed's body are the article's own paragraphs; the others are
# the page furniture listed in ../shared/seed/README.md (caption, "Live updates", "READ MORE",
# a repeated photo caption, "Updated:" with the teasers after it).
ARTICLE_BLOCKS = (0, 3, 4, 6, 7, 8, 9, 12)


def seed_text() -> str:
    """The seed file's text; the test is skipped, saying why, when the file is absent."""
    if not SEED.is_file():
        pytest.skip(f"the seed article {SEED} is not present (set NEWSBOT_SHARED_DIR)")
    return SEED.read_text(encoding="utf-8")


def seed_title() -> str:
    """The headline on the seed's first line (`date YYYY-MM-DD headline`)."""
    first = seed_text().strip().splitlines()[0]
    return first.split(maxsplit=2)[2]


def seed_paragraphs() -> list[str]:
    """The article's own paragraphs, in order, each on one line (as cleaning leaves them)."""
    body = seed_text().strip().split("\n", 1)[1]
    blocks = [block for block in body.split("\n\n") if block.strip()]
    return [" ".join(blocks[i].split()) for i in ARTICLE_BLOCKS]
