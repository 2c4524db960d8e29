"""Meeting events from passages: participants from the parse, names resolved within the article,
dates resolved against the publication date by tense, places from "in"/"at"."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.meetings.extract import EventExtractor
from retrieval.meetings.names import ArticleNames, display_name
from retrieval.nlp import load_nlp
from retrieval.store.events import ANNOUNCED, REPORTED, EventDraft


@pytest.fixture(scope="module")
def extractor() -> EventExtractor:
    return EventExtractor(load_nlp())


def _events(
    extractor: EventExtractor, passages: list[str], published: date, title: str = "News"
) -> list[EventDraft]:
    return [e for found in extractor.extract(title, published, passages) for e in found]


def _one(events: list[EventDraft], *names: str) -> EventDraft:
    matching = [e for e in events if all(n in e.people for n in names)]
    assert matching, f"no event with {names} in {events}"
    return matching[0]


def test_announced_meeting_resolves_the_weekday_forward(extractor: EventExtractor) -> None:
    events = _events(
        extractor,
        [
            "Foreign Minister Anna Solvang will meet French Finance Minister Claire Delorme "
            "in Oslo on Wednesday to discuss energy prices."
        ],
        date(2025, 3, 11),  # a Tuesday
    )
    event = _one(events, "Anna Solvang", "Claire Delorme")
    assert event.who == ("Anna Solvang",)
    assert event.with_ == ("Claire Delorme",)
    assert event.when == date(2025, 3, 12)
    assert event.when_text == "Wednesday"
    assert event.where == "Oslo"
    assert event.status == ANNOUNCED
    # Titles are roles, not names.
    assert dict(event.roles) == {
        "Anna Solvang": "Foreign Minister",
        "Claire Delorme": "French Finance Minister",
    }


def test_reported_meeting_resolves_the_weekday_back(extractor: EventExtractor) -> None:
    events = _events(
        extractor,
        ["Chancellor Erik Brandt met Japanese Prime Minister Kenji Arakawa in Berlin on Monday."],
        date(2024, 5, 15),  # a Wednesday
    )
    event = _one(events, "Erik Brandt", "Kenji Arakawa")
    assert event.when == date(2024, 5, 13)
    assert event.status == REPORTED
    assert event.where == "Berlin"


def test_short_mentions_resolve_to_the_full_name_of_the_article(
    extractor: EventExtractor,
) -> None:
    passages = [
        "Foreign Secretary Liz Truss arrived in Washington on Tuesday for a two-day visit, "
        "her first since taking office, as allies weigh new sanctions.",
        "Ms Truss will hold talks on Wednesday with Mr Blinken, the US Secretary of State "
        "Antony Blinken's office said in a statement.",
    ]
    events = _events(extractor, passages, date(2022, 3, 8))
    event = _one(events, "Liz Truss", "Antony Blinken")
    assert event.when == date(2022, 3, 9)
    assert event.status == ANNOUNCED


def test_the_subject_of_a_conjoined_verb_is_inherited(extractor: EventExtractor) -> None:
    events = _events(
        extractor,
        [
            "Union president Marta Kowalczyk was invited to the ministry and met on Thursday "
            "with Labour Minister Piotr Zielinski."
        ],
        date(2024, 2, 15),  # a Thursday
    )
    event = _one(events, "Marta Kowalczyk", "Piotr Zielinski")
    assert event.when == date(2024, 2, 15)


def test_a_pronoun_subject_is_the_last_person_named(extractor: EventExtractor) -> None:
    events = _events(
        extractor,
        [
            "Prime Minister Daniel Okafor left Lagos on Sunday morning for a two-day trip. "
            "He is scheduled to meet President Amara Sesay in the afternoon in Freetown."
        ],
        date(2023, 5, 7),  # a Sunday
    )
    event = _one(events, "Daniel Okafor", "Amara Sesay")
    assert event.where == "Freetown"
    assert event.when == date(2023, 5, 7)  # from the sentence before
    assert event.status == ANNOUNCED


@pytest.mark.parametrize(
    "again",
    [
        "The two will meet again on Wednesday, officials said.",
        "They will meet again on Wednesday.",
        "Both men will hold talks again on Wednesday.",
    ],
)
def test_the_two_are_the_people_of_the_meeting_before(
    extractor: EventExtractor, again: str
) -> None:
    events = _events(
        extractor,
        [f"Mayor Ana Ruiz met union leader Tomas Vidal in Valencia on Tuesday. {again}"],
        date(2022, 3, 8),  # a Tuesday
    )
    met, plan = events
    assert (met.who, met.with_, met.when, met.status) == (
        ("Ana Ruiz",),
        ("Tomas Vidal",),
        date(2022, 3, 8),
        REPORTED,
    )
    assert met.where == "Valencia"  # tagged a PERSON by the small model; no one is met "in" one
    assert (plan.who, plan.with_, plan.when, plan.status) == (
        ("Ana Ruiz",),
        ("Tomas Vidal",),
        date(2022, 3, 9),
        ANNOUNCED,
    )


def test_they_without_a_meeting_before_is_no_one(extractor: EventExtractor) -> None:
    events = _events(
        extractor,
        ["Protesters gathered in Valencia on Tuesday. They will meet again on Friday."],
        date(2022, 3, 8),
    )
    assert events == []


def test_people_in_conjoined_appositions(extractor: EventExtractor) -> None:
    events = _events(
        extractor,
        [
            "Chile's foreign minister, Valentina Rojas, and Argentina's foreign minister, "
            "Martin Quiroga, met in Mendoza on Sunday and agreed to restart studies for a "
            "rail tunnel under the Andes."
        ],
        date(2025, 3, 3),  # a Monday
    )
    event = _one(events, "Valentina Rojas", "Martin Quiroga")
    assert (event.when, event.where, event.status) == (date(2025, 3, 2), "Mendoza", REPORTED)


def test_a_phone_call_is_an_event(extractor: EventExtractor) -> None:
    events = _events(
        extractor,
        ["Governor Ana Rojas spoke by phone with Senator Tomas Quiroga on Saturday."],
        date(2024, 10, 14),  # a Monday
    )
    event = _one(events, "Ana Rojas", "Tomas Quiroga")
    assert event.kind == "speak"
    assert event.when == date(2024, 10, 12)


def test_sentences_without_two_named_people_are_no_event(extractor: EventExtractor) -> None:
    events = _events(
        extractor,
        [
            "The meeting was productive, the minister said. Officials will meet again next "
            "month in Geneva to talk about trade."
        ],
        date(2024, 1, 10),
    )
    assert events == []


def test_a_name_before_a_common_noun_is_no_one_met(extractor: EventExtractor) -> None:
    events = _events(
        extractor,
        ["Ana Ruiz and Tomas Elgin visited the Peter Varga memorial on Monday."],
        date(2024, 1, 10),
    )
    assert [e.people for e in events] == [("Ana Ruiz", "Tomas Elgin")]


def test_someone_sent_to_meet_is_the_one_who_met(extractor: EventExtractor) -> None:
    events = _events(
        extractor,
        ["Peter Brask sent his deputy Ana Ruiz to meet Teo Varga in Lyon on Sunday."],
        date(2024, 1, 10),
    )
    assert [(e.who, e.with_) for e in events] == [(("Ana Ruiz",), ("Teo Varga",))]


def test_someone_met_is_no_place(extractor: EventExtractor) -> None:
    events = _events(extractor, ["Ana Ruiz talked to Tomas Elgin on Monday."], date(2024, 1, 10))
    assert [e.where for e in events] == [None]


def test_passages_without_a_meeting_word_are_not_parsed(extractor: EventExtractor) -> None:
    found = extractor.extract("Markets", date(2024, 1, 10), ["Shares fell 3 percent."])
    assert found == [[]]


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("Mr Blinken's", "Blinken"),
        ("US Secretary of State Antony Blinken", "Antony Blinken"),
        ("Ms Truss", "Truss"),
        ("Kim Jong-un", "Kim Jong-un"),
        # what comes before an inner title is the role's
        ("Norland PM Talvela", "Talvela"),
        ("Corvia Senator Ana Ruiz", "Ana Ruiz"),
    ],
)
def test_display_name_drops_titles(mention: str, expected: str) -> None:
    assert display_name(mention) == expected


def test_article_names_resolve_surnames_and_skip_sentence_starts() -> None:
    names = ArticleNames(
        "Kishida heads to Seoul",
        ["While Prime Minister Fumio Kishida was away, Yoon Suk Yeol met Fumio Kishida."],
    )
    assert names.resolve("Kishida") == "Fumio Kishida"
    assert names.resolve("Mr Kishida") == "Fumio Kishida"
    assert names.resolve("Yoon") == "Yoon Suk Yeol"
    assert names.resolve("Nobody") == "Nobody"
    assert "While Prime" not in " ".join(names.full_names)


@pytest.mark.parametrize(
    "text",
    [
        "Ana Ruiz will not meet Tomas Elgin on Monday, her office said.",
        "Ana Ruiz has never met Tomas Elgin.",
        "Ana Ruiz did not hold talks with Tomas Elgin on Monday.",
    ],
)
def test_a_denied_meeting_is_no_event(extractor: EventExtractor, text: str) -> None:
    events = _events(extractor, [text], date(2024, 5, 15))
    assert not [e for e in events if "Tomas Elgin" in e.people], events


def test_a_datelines_agency_and_a_clause_pronoun(extractor: EventExtractor) -> None:
    events = _events(
        extractor,
        [
            "LYON (Ledger Wire) - Foreign Minister Ana Ruiz met her counterpart Vera Hollis on "
            "Tuesday. The two agreed on a plan, Hollis told reporters. Ruiz is due to fly on to "
            "Porto, where she will meet Prime Minister Tomas Elgin on Thursday."
        ],
        date(2024, 3, 13),  # a Wednesday
    )
    first = _one(events, "Ana Ruiz", "Vera Hollis")
    assert set(first.people) == {"Ana Ruiz", "Vera Hollis"}  # not "Ledger Wire"
    # the place of the next meeting, in another sentence, is not the first one's
    assert first.where != "Porto"
    # "she" in the clause is the sentence's subject, not the last person named before
    second = _one(events, "Tomas Elgin")
    assert set(second.people) == {"Ana Ruiz", "Tomas Elgin"}
    assert (second.when, second.where) == (date(2024, 3, 14), "Porto")


def test_a_dateline_in_capitals_is_no_one_and_no_part_of_a_role(
    extractor: EventExtractor,
) -> None:
    passages = [
        "PORTO VERDE - President Teo Almada of Norland was received by the queen on Monday.",
        "Almada later held talks with the Porto's harbour master, Captain Ines Varga, at the "
        "Customs House.",
    ]
    events = _events(extractor, passages, date(2024, 5, 15), title="Queen receives Almada")
    event = _one(events, "Teo Almada", "Ines Varga")
    assert event.with_ == ("Ines Varga",)  # not "Porto Verde", whom "Porto's" resolved to
    assert dict(event.roles)["Teo Almada"] == "President"
