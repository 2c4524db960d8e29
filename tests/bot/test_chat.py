from __future__ import annotations

from pathlib import Path

import pytest

from bot.chat import PROMPT, chat
from bot.render import answer_as_html, hits_as_html
from ingest.pipeline import ingest
from retrieval.qa.answer import Answer, Citation
from retrieval.qa.search import Hit
from retrieval.service import open_services
from tests.support.settings import SEED, make_settings


@pytest.mark.shared
def test_terminal_chat_answers_with_sources(tmp_path: Path) -> None:
    services = open_services(make_settings(tmp_path / "data"))
    ingest([str(SEED)], services.settings.ingest, services.store, services.embedder)
    questions = iter(
        ["", "Who did Liz Truss meet in Washington?", "And when?", "/reset", "/quit", "never"]
    )
    prompts: list[str] = []
    out: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        return next(questions)

    chat(services, read, out.append)
    services.close()
    assert prompts == [PROMPT] * 5
    assert out[0].startswith("newsbot: 1 articles")
    who, when, reset = out[1:4]
    assert "Antony Blinken" in who and "Jake Sullivan" in who and "[1]" in who
    assert "[1] UK foreign secretary heads to US for talks on Ukraine crisis — 8 Mar 2022" in who
    assert "Wednesday 9 March 2022" in when.replace("\n", " ")
    assert reset.startswith("Forgotten")


def test_html_escapes_article_text() -> None:
    hit = Hit(
        1, 1, 0.9, "a < b & c", "<script>x</script> & co", "O&O", "https://x.example/?a=1&b=2", None
    )
    rendered = hits_as_html([hit])
    assert "<script>" not in rendered
    assert "&lt;script&gt;" in rendered and "a &lt; b &amp; c" in rendered
    assert 'href="https://x.example/?a=1&amp;b=2"' in rendered


def test_answer_html_escapes_everything_and_links_sources() -> None:
    hit = Hit(
        1, 1, 0.9, "a < b & c", "<script>x</script> & co", "O&O", "https://x.example/?a=1&b=2", None
    )
    answer = Answer(
        question="q <b>",
        text="Alice met <Bob> & Carol [1].",
        found=True,
        kind="who",
        citations=(Citation(1, hit, "a < b & c"),),
        passages=(hit,),
    )
    rendered = answer_as_html(answer)
    assert rendered.startswith("Alice met &lt;Bob&gt; &amp; Carol [1].")
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert '[1] <a href="https://x.example/?a=1&amp;b=2">' in rendered
    assert "<blockquote expandable>a &lt; b &amp; c</blockquote>" in rendered


def test_a_refusal_offers_related_reading_only() -> None:
    hit = Hit(1, 1, 0.1, "text", "Nearby story", "Outlet", None, None)
    answer = Answer(question="q", text="I couldn't find that in the articles.", found=False,
                    kind="none", passages=(hit,))  # fmt: skip
    rendered = answer_as_html(answer)
    assert rendered.startswith("I couldn&#x27;t find that in the articles.")
    assert "Related reading:\n• Nearby story — Outlet" in rendered
    assert "[1]" not in rendered
