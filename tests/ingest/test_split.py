from __future__ import annotations

import pytest

from ingest.split import sentence_spans, split_passages


def _body(*paragraph_words: int) -> str:
    return "\n\n".join(
        " ".join(f"w{p}x{i}" for i in range(n)) + "." for p, n in enumerate(paragraph_words)
    )


@pytest.mark.parametrize(
    ("sizes", "expected_passages"),
    [
        ((50, 50, 50), 3),  # each long enough alone
        ((10, 10, 30, 50), 2),  # short ones merge up to the minimum, then one alone
        ((10, 10, 10, 50), 1),  # still under the minimum: all four together
        ((10, 200), 3),  # no merge past the cap; the 200-word sentence is cut at 160 words
        ((100,), 1),
        ((5, 5), 1),  # a short tail joins
    ],
)
def test_merging(sizes: tuple[int, ...], expected_passages: int) -> None:
    body = _body(*sizes)
    spans = split_passages(body, min_words=40, max_words=160)
    assert len(spans) == expected_passages
    for span in spans:
        assert body[span.start : span.end] == span.text


def test_long_paragraph_splits_at_sentences_within_the_cap() -> None:
    sentence = "The minister said that " + " ".join(["talks"] * 20) + "."
    body = " ".join([sentence] * 20)  # 480 words, one paragraph
    spans = split_passages(body, min_words=40, max_words=160)
    assert len(spans) > 2
    for span in spans:
        assert len(span.text.split()) <= 160
        assert span.text.endswith(".")
        assert body[span.start : span.end] == span.text
    assert " ".join(s.text for s in spans) == body


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Mr. Blinken met Ms. Truss. They talked.", 2),
        ("The U.S. and U.K. agreed. Talks went on.", 2),
        ("He said “no.” Then he left!", 2),
        ("One sentence only", 1),
        ("J. Smith arrived. He spoke.", 2),
    ],
)
def test_sentences(text: str, count: int) -> None:
    assert len(sentence_spans(text)) == count


def test_a_sentence_longer_than_the_cap_is_cut_at_words() -> None:
    body = " ".join(f"item{i}," for i in range(400))  # no sentence end at all
    spans = split_passages(body, min_words=40, max_words=160)
    assert [len(s.text.split()) for s in spans] == [160, 160, 80]
    assert " ".join(s.text for s in spans) == body
    for span in spans:
        assert body[span.start : span.end] == span.text
