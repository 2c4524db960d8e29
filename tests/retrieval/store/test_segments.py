"""The lexical segments' tokenizer (retrieval/store/segments.py): the very tokens of bm25s's
(`bm25s.tokenize(..., stopwords="en")`), which BM25's scores are checked against, without
importing bm25s where a question is read."""

from __future__ import annotations

import json

import bm25s
import pytest
from bm25s.stopwords import STOPWORDS_EN

from retrieval.store.segments import STOPWORDS, tokenize, tokenize_documents
from tests.support.settings import CORPUS
from tests.support.stores import SAMPLES, child_output


def _bm25s(texts: list[str]) -> list[list[str]]:
    words = bm25s.tokenize(texts, stopwords="en", show_progress=False, return_ids=False)
    return [[str(w) for w in doc] for doc in words]


def test_the_stop_words_are_bm25s_english_ones() -> None:
    assert frozenset(STOPWORDS_EN) == STOPWORDS


@pytest.mark.parametrize(
    "text",
    [
        "Who did the Minister of Rivers meet in Oslo on 3 March?",
        "The harbour council's vote: 12-3, and it's final!",
        "A I x an AN And ANDS",  # one-letter words and stop words in any case
        "Café Ørsted naïve São Paulo ÉCOLE",  # letters beyond ASCII, lower-cased
        "snake_case words__with under_scores and 2024 numbers 3.5% 1,000",
        "tabs\tand\nnew lines\r\nand   spaces",
        "İstanbul ΣΟΦΙΑ straße",  # lower-casing that changes length
        "",
        "“Quoted” — dashes… and emoji 🙂 between words",
    ],
)
def test_a_text_is_tokenized_as_bm25s_does(text: str) -> None:
    assert tokenize(text) == _bm25s([text])[0]


def test_documents_are_numbered_as_bm25s_numbers_them() -> None:
    texts = [p.strip() for f in sorted(SAMPLES.glob("*.txt")) for p in f.read_text().split("\n\n")]
    ids, vocab = tokenize_documents(texts)
    reference = bm25s.tokenize(texts, stopwords="en", show_progress=False)
    assert ids == reference.ids and vocab == list(reference.vocab)


@pytest.mark.shared
def test_the_multihop_corpus_is_tokenized_as_bm25s_does() -> None:
    texts = [a["title"] + "\n" + a["body"] for a in json.loads(CORPUS.read_text())]
    assert [tokenize(t) for t in texts] == _bm25s(texts)


@pytest.mark.slow
def test_reading_the_lexical_index_does_not_import_bm25s() -> None:
    code = (
        "import sys\n"
        "from retrieval.store.lexical import query_terms\n"
        "assert query_terms('Who met whom?') == ['who', 'met', 'whom']\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('bm25s', 'scipy')))\n"
    )
    assert child_output(code) == "[]"
