"""The answer service over the sample articles: meetings answered from events with citations,
honest refusals, follow-ups, and the JSON contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from retrieval.config import Settings
from retrieval.nlp import load_nlp
from retrieval.qa.answer import NOT_FOUND, Answerer
from retrieval.qa.questions import QuestionReader
from retrieval.qa.search import Searcher
from retrieval.qa.sentences import sentences
from retrieval.store import Store
from retrieval.store.embedder import HashEmbedder
from tests.support.settings import ROOT

SAMPLES = ROOT / "samples" / "articles"


@pytest.fixture
def answerer(settings: Settings, store: Store, hash_embedder: HashEmbedder) -> Iterator[Answerer]:
    summary = ingest([str(SAMPLES)], settings.ingest, store, hash_embedder)
    assert summary.failed == 0
    yield Answerer(Searcher(store, hash_embedder), QuestionReader(load_nlp()))


def test_who_names_the_people_met_with_a_citation(answerer: Answerer) -> None:
    answer = answerer.ask("Who did Arjun Mehra meet in Jakarta?")
    assert answer.found
    assert answer.kind == "who"
    assert answer.values == ("Sari Wulandari",)
    assert "Sari Wulandari (Indonesian Foreign Minister)" in answer.text and "[1]" in answer.text
    assert answer.citations[0].hit.title.startswith("India and Indonesia")
    assert "Wulandari" in answer.citations[0].quote


def test_when_resolves_the_relative_day_and_says_it_was_announced(answerer: Answerer) -> None:
    answer = answerer.ask("When will Teresa Vallejo meet Joseph Mwangi?")
    assert answer.found
    assert answer.values == ("2024-09-23",)
    assert "Monday 23 September 2024" in answer.text
    assert "announced the meeting in advance" in answer.text
    assert answer.events[0].status == "announced"


def test_when_of_a_reported_meeting(answerer: Answerer) -> None:
    answer = answerer.ask("When did Mehra meet Wulandari?")
    assert answer.values == ("2025-01-27",)
    assert '"yesterday"' in answer.text
    assert "announced" not in answer.text


def test_where(answerer: Answerer) -> None:
    answer = answerer.ask("Where did Elena Brandt and Kenji Arakawa meet?")
    assert answer.found
    assert answer.values == ("Berlin",)
    assert answer.citations[0].hit.outlet == "Continental Dispatch"


@pytest.mark.parametrize(
    "question",
    [
        "When did Arjun Mehra meet Marc Delorme?",  # both real, never together
        "Who did Arjun Mehra meet in Oslo?",  # a meeting, but not there
        "Where did Ingrid Solvang meet Zara Quinton?",  # someone the articles never name
        "Where did Elena Brandt and Kenji Arakawa meet in 2019?",  # not then
        "Did Grace Mulenga meet Marc Delorme?",  # yes or no: not found is the honest answer
    ],
)
def test_a_meeting_the_articles_do_not_report_is_refused(answerer: Answerer, question: str) -> None:
    answer = answerer.ask(question)
    assert not answer.found
    assert answer.text == NOT_FOUND
    assert answer.citations == ()
    assert len(answer.passages) <= 3  # related reading only


def test_an_outlet_the_store_does_not_hold_is_refused_by_name(answerer: Answerer) -> None:
    answer = answerer.ask("What did a Bloomberg article say about the Arctic shipping talks?")
    assert not answer.found
    assert "Bloomberg" in answer.text


@pytest.mark.parametrize(
    "question", ["Did Arjun Mehra meet Sari Wulandari?", "Will Mehra meet Wulandari in Jakarta?"]
)
def test_a_yes_or_no_meeting_question_is_answered_with_the_meeting(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.ask(question)
    assert answer.found and "Jakarta" in answer.text
    assert answer.citations[0].hit.outlet == "Capital Wire"


def test_follow_up_borrows_the_names_of_the_previous_question(answerer: Answerer) -> None:
    first = answerer.ask("Who did Arjun Mehra meet?")
    follow = answerer.ask("And when?", previous=first)
    assert follow.found
    assert follow.kind == "when"
    assert follow.values == ("2025-01-27",)
    # Without a previous question there is no one to ask about: refused, not answered.
    alone = answerer.ask("And when?")
    assert not alone.found
    assert alone.text == NOT_FOUND
    assert alone.values == ()


def test_other_questions_get_cited_sentences(answerer: Answerer) -> None:
    answer = answerer.ask("What will the coast guard vessels share in real time?")
    assert answer.found
    assert answer.kind == "passage"
    assert answer.citations
    for citation in answer.citations:
        assert citation.quote in " ".join(citation.hit.text.split())
        assert f"[{citation.n}]" in answer.text


def test_json_contract(answerer: Answerer) -> None:
    payload = answerer.ask("When did Mehra meet Wulandari?").to_json()
    assert set(payload) >= {"question", "answer", "found", "citations", "events", "passages"}
    citation = payload["citations"][0]
    assert set(citation) == {
        "n", "passage_id", "article_id", "title", "outlet", "url", "published", "quote"
    }  # fmt: skip
    assert citation["published"] == "2025-01-28"
    event = payload["events"][0]
    assert set(event) >= {"who", "with", "when", "when_text", "where", "passage_id"}
    assert event["when"] == "2025-01-27"
    assert event["passage_id"] == citation["passage_id"]


def test_empty_question(answerer: Answerer) -> None:
    assert not answerer.ask("   ").found


def test_explain_says_why(answerer: Answerer) -> None:
    answer = answerer.ask("Where did Elena Brandt and Kenji Arakawa meet?", explain=True)
    assert any("events involve" in line for line in answer.explanation)
    assert "explain" in answer.to_json()


def test_events_survive_a_changed_article_and_the_backfill(
    tmp_path: Path,
    answerer: Answerer,
    settings: Settings,
    store: Store,
    hash_embedder: HashEmbedder,
) -> None:
    from ingest.pipeline import backfill_events
    from retrieval.meetings.extract import EventExtractor

    page = tmp_path / "harbour.txt"
    story = (
        "date 2024-05-06 Harbour talks\nurl: https://loop.example/harbour\n\n"
        "Harbour master Olek Brandvik met union leader Pia Sundqvist in {place} on Monday "
        "to discuss the night shifts.\n"
    )
    page.write_text(story.format(place="Tromso"))
    assert ingest([str(page)], settings.ingest, store, hash_embedder).new == 1
    assert [e.where for e in store.events_involving(["Brandvik", "Sundqvist"])] == ["Tromso"]

    # The article changes at the same URL: its old events go with its old passages.
    page.write_text(story.format(place="Bodo"))
    assert ingest([str(page)], settings.ingest, store, hash_embedder).updated == 1
    assert [e.where for e in store.events_involving(["Brandvik", "Sundqvist"])] == ["Bodo"]

    # Extracting every article's events again finds the same ones, once each.
    before = {(e.who, e.with_, e.when, e.where) for e in store.events_involving(["Mehra"])}
    articles, events = backfill_events(store, EventExtractor(load_nlp()))
    assert articles == 13
    assert events > 0
    assert [e.where for e in store.events_involving(["Brandvik", "Sundqvist"])] == ["Bodo"]
    after = {(e.who, e.with_, e.when, e.where) for e in store.events_involving(["Mehra"])}
    assert after == before and len(store.events_involving(["Mehra"])) == len(before)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        (
            "Eagles vs. Seahawks tonight. Odds below.",
            ["Eagles vs. Seahawks tonight.", "Odds below."],
        ),
        (
            "Mr. Blinken met the U.S. Congress. Then he left.",
            ["Mr. Blinken met the U.S. Congress.", "Then he left."],
        ),
        ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
        ("Shares fell 3.5 percent on Monday.", ["Shares fell 3.5 percent on Monday."]),
        # a heading above its paragraph is its own; a hard wrap is no break
        (
            "Paving the way\n\nTalks went on. Then they ended.",
            ["Paving the way", "Talks went on.", "Then they ended."],
        ),
        ("Ana Ruiz met Tomas\nElgin in Lyon.", ["Ana Ruiz met Tomas Elgin in Lyon."]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_an_announced_meeting_that_a_later_article_reports_cites_both(answerer: Answerer) -> None:
    answer = answerer.ask("When did Ingrid Solvang meet Marc Delorme?")
    assert answer.values == ("2025-03-12",)
    assert [e.status for e in answer.events] == ["announced", "reported"]
    assert "Northern Ledger's article of 13 March 2025 reports that it took place [2]" in (
        answer.text
    )
    assert [c.hit.outlet for c in answer.citations] == ["The Harbour Times", "Northern Ledger"]


def test_did_they_meet_prefers_the_report_to_the_announcement(answerer: Answerer) -> None:
    answer = answerer.ask("Did Ingrid Solvang meet Marc Delorme?")
    assert answer.found and answer.values == ("yes",)
    assert answer.text.startswith("Yes: Ingrid Solvang and Marc Delorme met in Oslo")
    assert answer.citations[0].hit.outlet == "Northern Ledger"


def test_when_will_they_meet_again_is_the_plan_not_the_meeting_before(
    answerer: Answerer,
    settings: Settings,
    store: Store,
    hash_embedder: HashEmbedder,
    tmp_path: Path,
) -> None:
    article = tmp_path / "valencia.txt"
    article.write_text(
        "date 2022-03-08 Mayor meets port workers in Valencia\n"
        "outlet: Loop News\n\n"
        "Mayor Ana Ruiz met union leader Tomas Vidal in Valencia on Tuesday to discuss the "
        "strike at the port. The two will meet again on Wednesday, officials said.\n"
    )
    assert ingest([str(article)], settings.ingest, store, hash_embedder).new == 1
    answerer.searcher.refresh()
    future = answerer.ask("When will Ana Ruiz meet Tomas Vidal again?")
    assert future.values == ("2022-03-09",) and future.events[0].status == "announced"
    assert "Wednesday 9 March 2022" in future.text
    past = answerer.ask("When did Ana Ruiz meet Tomas Vidal?")
    assert past.values == ("2022-03-08",) and past.events[0].status == "reported"


def test_where_in_a_city_asks_for_the_place_inside_it(
    answerer: Answerer,
    settings: Settings,
    store: Store,
    hash_embedder: HashEmbedder,
    tmp_path: Path,
) -> None:
    article = tmp_path / "lyon.txt"
    article.write_text(
        "date 2022-03-08 Ruiz and Vidal meet in Lyon\n"
        "outlet: Loop News\n\n"
        "Mayor Ana Ruiz met union leader Tomas Vidal in Lyon on Tuesday.\n\n"
        "Ana Ruiz later held talks with Tomas Vidal at the Old Exchange Hall, a tower.\n"
    )
    assert ingest([str(article)], settings.ingest, store, hash_embedder).new == 1
    answerer.searcher.refresh()
    inside = answerer.ask(
        "At which building in Lyon did Ana Ruiz and Tomas Vidal meet?", explain=True
    )
    assert inside.values == ("Old Exchange Hall",), inside.explanation
    assert answerer.ask("Where did Ana Ruiz and Tomas Vidal meet?").found


def test_who_is_the_people_of_one_meeting_not_of_another_day(
    answerer: Answerer,
    settings: Settings,
    store: Store,
    hash_embedder: HashEmbedder,
    tmp_path: Path,
) -> None:
    article = tmp_path / "lyon-days.txt"
    article.write_text(
        "date 2022-03-08 Ruiz meets Vidal in Lyon\n"
        "outlet: Loop News\n\n"
        "Mayor Ana Ruiz met union leader Tomas Vidal in Lyon on Tuesday.\n\n"
        "On 3 February, Ana Ruiz met banker Olek Brandvik to discuss the port loan.\n"
    )
    assert ingest([str(article)], settings.ingest, store, hash_embedder).new == 1
    answerer.searcher.refresh()
    answer = answerer.ask("Who did Ana Ruiz meet in Lyon?")
    assert answer.values == ("Tomas Vidal",)


def test_an_outlet_ingested_after_an_answer_is_known_to_the_next(
    answerer: Answerer, settings: Settings, hash_embedder: HashEmbedder, tmp_path: Path
) -> None:
    question = "What did the Lumo Ledger article say about the Arctic shipping talks?"
    assert answerer.ask(question).refused_by == "outlet"  # the outlets are kept from here on
    article = tmp_path / "lumo.txt"
    article.write_text(
        "date 2025-03-12 Arctic shipping talks end in Oslo\n"
        "outlet: Lumo Ledger\nurl: https://lumo.example/arctic\n\n"
        "Mira Holt wrote that the Arctic shipping talks in Oslo ended with a draft on ice data.\n"
    )
    summary = ingest([str(article)], settings.ingest, answerer.store, hash_embedder)
    assert summary.new == 1
    answer = answerer.ask(question)
    assert answer.refused_by != "outlet" and "Lumo Ledger" not in answer.text


def test_who_leaves_out_a_team_and_a_place_the_tagger_took_for_people(
    answerer: Answerer,
    settings: Settings,
    store: Store,
    hash_embedder: HashEmbedder,
    tmp_path: Path,
) -> None:
    article = tmp_path / "rays.txt"
    article.write_text(
        "date 2023-12-12 Rays court pitcher Ken Oda\n"
        "outlet: Loop News\n\n"
        "Pitcher Ken Oda met the Harbour Rays and their manager, Luis Brandt, on Monday.\n\n"
        "Oda also met Luis Brandt and Port Orla in Port Orla, his agent said.\n"
    )
    assert ingest([str(article)], settings.ingest, store, hash_embedder).new == 1
    answerer.searcher.refresh()
    answer = answerer.ask("Who did Ken Oda meet?", explain=True)
    assert answer.found, answer.explanation
    assert "Luis Brandt" in answer.values
    assert not {"Harbour Rays", "Port Orla"} & set(answer.values), answer.explanation
