from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.formats import RawArticle
from ingest.prepare import prepare
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


def _best_of(runs: int, body: str) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        split_passages(body)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize(
    "unit",
    [
        "Mr. Smith said. ",
        "J. R. Smith and A. B. Jones met Mr. C. D. Brown ",  # no sentence ends: all initials
        "Talks ended (“no.” ",
        "x" * 5000 + ". ",  # long words
    ],
)
def test_splitting_takes_time_linear_in_the_length(unit: str) -> None:
    def paragraph(chars: int) -> str:
        return (unit * (chars // len(unit) + 1))[:chars]

    small, large = _best_of(3, paragraph(100_000)), _best_of(3, paragraph(400_000))
    # 4 times the text: about 4 times the time; quadratic would be 16.
    assert large / max(small, 1e-3) < 8, (small, large)


def test_a_2_mb_paragraph_is_prepared_in_seconds() -> None:
    body = "Mr. Smith said. J. R. Smith and A. B. Jones agreed. " * 40_000  # 2 MB, one paragraph
    started = time.perf_counter()
    prepared = prepare(RawArticle("Talks", body, "big.txt"), 40, 160)
    assert time.perf_counter() - started < 20
    assert prepared is not None and len(prepared.spans) > 1000


MIN_MAX = st.integers(1, 60).flatmap(lambda m: st.tuples(st.just(m), st.integers(max(m, 10), 200)))
SPLIT_TEXT = st.text(
    st.one_of(st.sampled_from(list("ab Mr.!?\n\n \t\"”’')([JA9")), st.characters()), max_size=600
)


@settings(max_examples=300, deadline=None)
@given(body=SPLIT_TEXT, sizes=MIN_MAX)
def test_passages_slice_the_body_and_cover_its_words(body: str, sizes: tuple[int, int]) -> None:
    min_words, max_words = sizes
    spans = split_passages(body, min_words, max_words)
    words: list[str] = []
    end = 0
    for span in spans:
        assert body[span.start : span.end] == span.text
        assert span.start >= end and span.text.strip()  # in order, apart, never blank
        assert len(span.text.split()) <= max_words
        words += span.text.split()
        end = span.end
    assert words == body.split()  # every word in exactly one passage, in order


@settings(max_examples=300, deadline=None)
@given(text=SPLIT_TEXT)
def test_sentences_slice_the_text_in_order(text: str) -> None:
    words: list[str] = []
    end = 0
    for start, stop in sentence_spans(text):
        assert start >= end and text[start:stop].strip()
        words += text[start:stop].split()
        end = stop
    assert words == text.split()


@settings(max_examples=200, deadline=None)
@given(title=st.text(max_size=40), body=st.text(max_size=800))
def test_prepared_offsets_slice_the_stored_body(title: str, body: str) -> None:
    prepared = prepare(RawArticle(title, body, "any.txt"), 40, 160)
    if prepared is None:
        return
    for start, end, text in prepared.spans:
        assert prepared.body[start:end] == text
