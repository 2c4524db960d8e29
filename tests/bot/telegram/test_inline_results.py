"""The inline results made from an answer: the answer with only its first citation, then
other articles, at most three, each id unique and every text escaped."""

from __future__ import annotations

from bot.telegram.inline import MAX_RESULTS, inline_results
from bot.telegram.loopback.rules import check_inline_answer
from retrieval.qa.answer import Answer, Citation
from retrieval.qa.search import Hit


def _hit(n: int) -> Hit:
    return Hit(n, n, 0.0, f"Passage {n} <b> & more.", f"Headline {n} <&>", "Gull & Tern",
               f"https://gull.example/{n}?a=1&b=2", None)  # fmt: skip


def _payload(results: tuple[object, ...]) -> list[dict[str, object]]:
    return [r.to_dict() for r in results]  # type: ignore[attr-defined]


def test_a_found_answer_first_with_its_first_citation_then_other_articles() -> None:
    hits = [_hit(n) for n in range(1, 6)]
    answer = Answer(
        "q", "A met <B> [1] and C [2]; D [3].", True, "who",
        citations=tuple(Citation(n, hits[n - 1], "quote") for n in (1, 2, 3)),
        passages=tuple(hits),
    )  # fmt: skip
    results = inline_results("q", answer)
    assert len(results) == MAX_RESULTS
    payload = _payload(results)
    check_inline_answer({"results": payload})  # what Telegram accepts
    first = payload[0]["input_message_content"]
    assert isinstance(first, dict)
    assert first["message_text"] == (
        "A met &lt;B&gt; [1] and C; D.\n[1] "
        '<a href="https://gull.example/1?a=1&amp;b=2">'
        "Headline 1 &lt;&amp;&gt; — Gull &amp; Tern</a>"
    )
    assert [r["title"] for r in payload[1:]] == ["Headline 2 <&>", "Headline 3 <&>"]


def test_no_answer_offers_the_nearest_articles_and_nothing_found_offers_none() -> None:
    hits = [_hit(1), _hit(1), _hit(2)]  # two passages of one article: offered once
    refused = Answer(
        "q", "I couldn't find that in the articles.", False, "none", passages=tuple(hits)
    )
    payload = _payload(inline_results("q", refused))
    assert [r["title"] for r in payload] == ["Headline 1 <&>", "Headline 2 <&>"]
    assert str(payload[0]["description"]).startswith("Nearest article (no direct answer)")
    assert inline_results("q", Answer("q", "I couldn't find that.", False, "none")) == ()


def test_a_search_fills_the_results_an_answer_leaves() -> None:
    hits = [_hit(n) for n in range(1, 5)]
    answer = Answer("q", "A met B [1].", True, "who", citations=(Citation(1, hits[0], "quote"),),
                    passages=(hits[0],))  # fmt: skip
    payload = _payload(inline_results("q", answer, more=hits))
    assert [r["title"] for r in payload] == ["A met B [1].", "Headline 2 <&>", "Headline 3 <&>"]
