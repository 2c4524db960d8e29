from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import open_services
from bot.chat import PROMPT, chat
from bot.render import hits_as_html
from ingest.pipeline import ingest
from retrieval.search import Hit
from tests.conftest import SEED, make_settings


@pytest.mark.shared
def test_terminal_chat_answers_with_sources(tmp_path: Path) -> None:
    services = open_services(make_settings(tmp_path / "data"))
    ingest([str(SEED)], services.settings, services.store, services.embedder)
    questions = iter(["", "Truss Blinken Washington", "/quit", "never asked"])
    prompts: list[str] = []
    out: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        return next(questions)

    chat(services, read, out.append)
    services.close()
    assert prompts == [PROMPT] * 3
    assert out[0].startswith("newsbot: 1 articles")
    assert out[1].startswith(
        "[1] UK foreign secretary heads to US for talks on Ukraine crisis — 8 Mar 2022"
    )


def test_html_escapes_article_text() -> None:
    hit = Hit(
        1, 1, 0.9, "a < b & c", "<script>x</script> & co", "O&O", "https://x.example/?a=1&b=2", None
    )
    rendered = hits_as_html([hit])
    assert "<script>" not in rendered
    assert "&lt;script&gt;" in rendered and "a &lt; b &amp; c" in rendered
    assert 'href="https://x.example/?a=1&amp;b=2"' in rendered
