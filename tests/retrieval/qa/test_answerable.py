"""Answerability of passage answers: the answer type a question expects, the words it needs
covered, and the whole decision over a store of invented articles
(tests/retrieval/qa/cases/answerability.json)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from retrieval.config import Settings
from retrieval.nlp import load_nlp
from retrieval.qa.answer import NOT_FOUND, Answerer
from retrieval.qa.asked import expected_type, relation, type_found
from retrieval.qa.questions import QuestionReader
from retrieval.qa.search import Searcher
from retrieval.qa.words import salient_terms, stem, words_of
from retrieval.store import Store
from retrieval.store.embedder import HashEmbedder

DATA = json.loads((Path(__file__).parent / "cases" / "answerability.json").read_text())


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (("died", "dies", "die"), True),
        (("founded", "founding", "founds"), True),
        (("winning", "win", "wins"), True),
        (("companies", "company"), True),
        (("married", "marry", "marries"), True),
        (("stopped", "stop"), True),
        (("mill", "mall"), False),
        (("boss", "bos"), False),
    ],
)
def test_stem_joins_inflections(words: tuple[str, ...], same: bool) -> None:
    assert (len({stem(w) for w in words}) == 1) is same


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who opened the new bakery on Mill Lane?", "person"),
        ("When does the ferry start running again?", "date"),
        ("What year did the lighthouse close?", "date"),
        ("Where did the regatta finish?", "place"),
        ("Which town hosts the spring fair?", "place"),
        ("How many boats sank in the storm?", "number"),
        ("How old is the harbour master?", "number"),
        ("How much did the bridge cost?", "number"),
        ("Which company builds the new trams?", "name"),
        ("What team did the striker join?", "name"),
        ("Did the council approve the bridge?", "yes-no"),
        ("Is the museum open on Sundays?", "yes-no"),
        ("Why did the ferry stop?", "any"),
        ("What did the growers ask for?", "any"),
        # the noun after an auxiliary is the subject, not the type asked for
        ("What did the harbour bank decide about the fees?", "any"),
        ("What kind of bank runs the harbour fund?", "name"),
    ],
)
def test_expected_type(question: str, expected: str) -> None:
    assert expected_type(question) == expected


@pytest.mark.parametrize(
    ("expected", "question", "sentence", "found"),
    [
        ("date", "When did the mill open?", "The mill opened in 1887 on the river.", True),
        ("date", "When did the mill open?", "The mill is on the river.", False),
        ("person", "Who runs the mill?", "Hanne Roskvist runs the mill.", True),
        # The question's own name is not an answer to it.
        ("person", "Who did Hanne Roskvist hire?", "Hanne Roskvist hired staff.", False),
        ("place", "Where is the mill?", "The mill stands in Brightwater, Norway.", True),
        ("place", "Where is the mill?", "The mill stands by the water.", False),
        ("number", "How many ships came?", "Twelve ships came in on Friday.", True),
        ("number", "How many ships came?", "Ships came in on the tide.", False),
        ("yes-no", "Did the mill open?", "The mill stands by the water.", True),
    ],
)
def test_type_found(expected: str, question: str, sentence: str, found: bool) -> None:
    words = {w.lower().strip("?") for w in question.split()}
    assert type_found(expected, load_nlp()(sentence), words) is found  # type: ignore[arg-type]


def test_a_word_the_store_lacks_weighs_more_than_a_common_one() -> None:
    frequencies = {"mill": 900, "flour": 3}
    doc = load_nlp()("When did the mill grind flour for the Orvane market?")
    terms = {t.text: t.weight for t in salient_terms(doc, lambda s: frequencies.get(s, 0), 1000)}
    assert set(terms) == {"mill", "grind", "flour", "Orvane", "market"}
    assert terms["Orvane"] > terms["flour"] > terms["mill"]


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Where was Ann Lee born?", ["born"]),
        ("When was the Orvane ferry company founded?", ["founded"]),
        ("Did Ann Lee get married?", ["married"]),
        ("How many goals did Ann Lee score?", ["score"]),
        # The question phrase ("which club") is the answer's type, not what is asked of her.
        ("Which club does Ann Lee play for?", ["play"]),
        ("Which birds make up the flock?", ["make", "up"]),
        # A verb that only frames the question: the word it asks for.
        ("What is Ann Lee's podcast called?", ["podcast"]),
        ("What is the capital of Orvane?", ["capital"]),
        # "How old": the number is the answer; a name is the subject, not the relation.
        ("How old is Ann Lee?", []),
        # A verb too plain to weigh ("ask", "say") asks nothing of its own.
        ("What did the growers ask for?", []),
        # a verb of deciding or saying: its answer is what was decided, not the verb again
        ("What did the harbour board decide about the fees?", []),
        ("What did the growers announce on Monday?", []),
    ],
)
def test_relation_is_what_the_question_asks_of_its_subject(question: str, asks: list[str]) -> None:
    doc = load_nlp()(question)
    assert [t.text for t in relation(doc, salient_terms(doc, lambda s: 1, 100))] == asks


@pytest.mark.parametrize(
    ("question", "sentence", "holds"),
    [
        ("How fast can a kestrel fly?", "A kestrel hovered over the field.", True),
        ("How fast can a kestrel fly?", "Kestrels hover over fields.", True),  # first word
        # The same word as a name: a company's, a team's.
        ("How fast can a kestrel fly?", "Shares in Kestrel fell on Friday.", False),
        ("What do otters eat?", "Fans of the Harwick Otters ate pies.", False),
        # A question in lower case throughout says nothing by its case.
        ("how fast can a kestrel fly", "Shares in Kestrel fell on Friday.", True),
        # A name asked about matches however it is written.
        ("Who runs Kestrel?", "Shares in Kestrel fell on Friday.", True),
    ],
)
def test_a_common_word_is_not_covered_by_the_same_word_as_a_name(
    question: str, sentence: str, holds: bool
) -> None:
    terms = salient_terms(load_nlp()(question), lambda s: 1, 100)
    (term,) = [t for t in terms if t.text.lower() in ("kestrel", "otters")]
    assert words_of(sentence).has(term) is holds


@pytest.fixture
def answerer(
    tmp_path: Path, settings: Settings, store: Store, hash_embedder: HashEmbedder
) -> Iterator[Answerer]:
    folder = tmp_path / "articles"
    folder.mkdir()
    for n, text in enumerate(DATA["articles"]):
        (folder / f"{n}.txt").write_text(text)
    summary = ingest([str(folder)], settings.ingest, store, hash_embedder)
    assert summary.new == len(DATA["articles"])
    yield Answerer(Searcher(store, hash_embedder), QuestionReader(load_nlp()))


@pytest.mark.parametrize("question", DATA["answerable"])
def test_a_question_the_articles_answer_is_answered(answerer: Answerer, question: str) -> None:
    answer = answerer.ask(question)
    assert answer.found, answer.text
    assert answer.kind == "passage" and answer.citations


@pytest.mark.parametrize(
    ("kind", "question"),
    [(kind, q) for kind, questions in DATA["unanswerable"].items() for q in questions],
)
def test_a_question_they_do_not_answer_is_refused(
    answerer: Answerer, kind: str, question: str
) -> None:
    answer = answerer.ask(question)
    assert not answer.found, answer.text
    assert answer.text.startswith(NOT_FOUND)
    assert answer.refused_by


@pytest.mark.parametrize(
    "question",
    [
        pytest.param(q, marks=pytest.mark.xfail(strict=True, reason=why))
        for q, why in DATA["known_misses"].items()
    ],
)
def test_known_misses(answerer: Answerer, question: str) -> None:
    assert answerer.ask(question).found is DATA["known_misses_expected"][question]


def test_a_refusal_offers_the_closest_sentence_as_such(answerer: Answerer) -> None:
    answer = answerer.ask("Where was Mara Olsund born?")
    assert not answer.found
    assert answer.text.startswith(f"{NOT_FOUND} The articles don't answer “Where was Mara")
    assert "; the closest: " in answer.text and answer.text.endswith("[1]")
    assert len(answer.citations) == 1
    assert answer.citations[0].quote in answer.text


class CountingPipe:
    """spaCy's pipeline, counting the texts read through `pipe`."""

    def __init__(self) -> None:
        self.nlp = load_nlp()
        self.piped: list[str] = []

    def __call__(self, text: str) -> object:
        return self.nlp(text)

    def pipe(self, texts: list[str], disable: list[str]) -> object:
        self.piped.extend(texts)
        return self.nlp.pipe(texts, disable=disable)


def test_quotes_read_for_entities_are_kept_for_the_next_answers() -> None:
    from retrieval.qa.answerable import Answerability

    nlp = CountingPipe()
    judge = Answerability(nlp, remember=2)  # type: ignore[arg-type]
    quotes = ["Ana Ruiz opened the mill in Lyon.", "Tomas Elgin sold it in 2019."]
    first = [d.ents for d in judge._entities(quotes)]
    again = [d.ents for d in judge._entities([quotes[1], "Mira Holt came to Norland.", quotes[1]])]
    assert nlp.piped == [*quotes, "Mira Holt came to Norland."]  # each read once
    direct = [d.ents for d in load_nlp().pipe(quotes)]
    assert [[(e.text, e.label_) for e in ents] for ents in first] == [
        [(e.text, e.label_) for e in ents] for ents in direct
    ]
    assert again[0] == again[2]
    judge._entities([quotes[0]])  # dropped as the oldest of three: read again
    assert nlp.piped.count(quotes[0]) == 2


def test_entities_need_no_shared_tok2vec() -> None:
    """The small model's `ner` reads with a tok2vec of its own: leaving the shared one out
    (as `Answerability` does for its quotes) leaves the entities as the whole pipeline finds
    them."""
    from retrieval.qa.answerable import _NOT_FOR_ENTITIES

    nlp = load_nlp()
    assert "tok2vec" in _NOT_FOR_ENTITIES and "ner" not in _NOT_FOR_ENTITIES
    texts = [
        "Ana Ruiz met Tomas Elgin in Lyon on 3 May 2019.",
        "The Norland Bank paid 12 million euros to Lumo Foods last week.",
        "Mira Holt, the mayor of Porto, spoke at the United Nations in Geneva.",
    ]
    whole = [[(e.text, e.label_) for e in d.ents] for d in nlp.pipe(texts)]
    alone = [
        [(e.text, e.label_) for e in d.ents] for d in nlp.pipe(texts, disable=_NOT_FOR_ENTITIES)
    ]
    assert alone == whole and all(whole)
