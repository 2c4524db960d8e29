"""Fixtures of the Telegram tests: the strict fake Bot API on loopback, answering the
requesting module's TOKEN, and the invented timeline articles (tests/support/timelines.py)
ingested once per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.telegram.loopback import FakeBotApi, serve
from tests.support.timelines import ingest_timeline


@pytest.fixture
def bot_api(request: pytest.FixtureRequest) -> Iterator[tuple[FakeBotApi, str]]:
    """The fake Bot API and its base URL, for the token in the test module's TOKEN."""
    with serve(request.module.TOKEN) as served:
        yield served


@pytest.fixture(scope="module")
def timeline_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the timeline articles (fake embedder, real spaCy)."""
    return ingest_timeline(tmp_path_factory.mktemp("data"))
