"""The question-time reader: meetings of the people asked about, read from ranked passages.
Every sentence here is invented; each case is a general pattern of English news."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from retrieval.meetings.mentions import mentions
from retrieval.meetings.names import ArticleNames, display_name, looks_like_a_person
from retrieval.meetings.places import city_in, dateline_place, unless_a_participant
from retrieval.meetings.reader import MeetingReader
from retrieval.nlp import load_nlp
from retrieval.qa.meeting_choice import asked_role
from retrieval.qa.questions import QuestionReader
from retrieval.qa.search import Hit
from retrieval.store.events import ANNOUNCED, REPORTED, StoredEvent, same_person

PUBLISHED = date(2024, 5, 15)  # a Wednesday


def _hit(text: str, title: str = "News of the day", pid: int = 1) -> Hit:
    published = datetime(PUBLISHED.year, PUBLISHED.month, PUBLISHED.day, tzinfo=UTC)
    return Hit(pid, 1, 0.0, text, title, "The Ledger", None, published)


@pytest.fixture(scope="module")
def reader() -> MeetingReader:
    texts: dict[int, tuple[str, list[str]]] = {}
    instance = MeetingReader(load_nlp(), lambda aid: texts.get(aid, ("", [])))
    instance.texts = texts  # type: ignore[attr-defined]
    return instance


def _read(
    reader: MeetingReader, names: list[str], text: str, title: str = "News"
) -> list[StoredEvent]:
    reader.texts[1] = (title, [text])  # type: ignore[attr-defined]
    return reader.read(names, [_hit(text, title)])


@pytest.mark.parametrize(
    ("text", "names", "others"),
    [
        # a verb, its subject and object, titles kept out of the names
        ("Prime Minister Tomas Elgin met Chancellor Vera Hollis in Lyon on Monday.",
         ["Tomas Elgin"], ["Vera Hollis"]),
        ("Coastal Affairs Minister Tomas Elgin met Vera Hollis in Lyon.",
         ["Vera Hollis"], ["Tomas Elgin"]),
        # the passive
        ("Tomas Elgin was received by King Aldo Reyes at the palace on Tuesday.",
         ["Tomas Elgin"], ["Aldo Reyes"]),
        # a verb beyond "meet", a list of three
        ("Vera Hollis greeted Tomas Elgin, Ines Barta and Olek Brandt at the airport.",
         ["Vera Hollis"], ["Tomas Elgin", "Ines Barta", "Olek Brandt"]),
        # a noun: talks between two people
        ("Talks between Tomas Elgin and Vera Hollis lasted two hours on Monday.",
         ["Tomas Elgin"], ["Vera Hollis"]),
        # a purpose: travelled to meet
        ("Ines Barta travelled to Lyon on Sunday to meet Olek Brandt.",
         ["Ines Barta"], ["Olek Brandt"]),
        # two people met, the first parsed under the second's name
        ("Tomas Elgin met Ana Ruiz and Carla Mendes on Monday.",
         ["Tomas Elgin"], ["Ana Ruiz", "Carla Mendes"]),
        ("Tomas Elgin also met with Ana Ruiz and Energy Minister Carla Mendes during the visit.",
         ["Tomas Elgin"], ["Ana Ruiz", "Carla Mendes"]),
        # the owner of the meeting, the "'s" tagged part of the name
        ("Tomas Elgin's meeting with Ana Ruiz ran late.", ["Tomas Elgin"], ["Ana Ruiz"]),
        ("Tomas Elgin's meetings with Ana Ruiz and Carla Mendes ran late.",
         ["Tomas Elgin"], ["Ana Ruiz", "Carla Mendes"]),
        # a perfect tense with "with"
        ("Olek Brandt has met with Ines Barta twice this year.", ["Olek Brandt"], ["Ines Barta"]),
        # shaking hands, as a caption says it
        ("Tomas Elgin shakes hands with Vera Hollis as they meet in Lyon.",
         ["Tomas Elgin"], ["Vera Hollis"]),
        # a lone surname after a personal title is a person, a name run the parser breaks
        # up is one name
        ("\"Very productive meeting with Nauru PM Talvela exploring areas of collaboration "
         "and to further strengthen our ties,\" Tomas Elgin said.", ["Tomas Elgin"], ["Talvela"]),
        ("\"Very productive meeting with Vanuatu PM Talvela exploring areas of collaboration "
         "and to further strengthen our ties,\" Tomas Elgin said.", ["Tomas Elgin"], ["Talvela"]),
        ("Tomas Elgin met President Okafor on Monday.", ["Tomas Elgin"], ["Okafor"]),
        # the subject of a "when" clause of the meeting was there
        ("Vera Hollis spoke after a late meeting when Tomas Elgin sought to win her over.",
         ["Tomas Elgin"], ["Vera Hollis"]),
        # a surname alone, whatever the tagger calls it, is the person the article names
        ("Chemist Tomas Elgin worked with Louis Brant at a lab. Elgin started working on "
         "quantum dots after meeting Brant.", ["Tomas Elgin"], ["Louis Brant"]),
    ],
)  # fmt: skip
def test_the_people_of_the_meeting_frame(
    reader: MeetingReader, text: str, names: list[str], others: list[str]
) -> None:
    events = _read(reader, names, text)
    assert events, text
    assert sorted(events[0].with_) == sorted(others)


def test_someone_in_another_clause_did_not_take_part(reader: MeetingReader) -> None:
    text = (
        "Tomas Elgin met Vera Hollis in Lyon as ministers including Olek Brandt began to "
        "gather for the summit."
    )
    assert _read(reader, ["Tomas Elgin"], text)[0].with_ == ("Vera Hollis",)


def test_the_day_by_tense_and_from_the_sentence_before(reader: MeetingReader) -> None:
    announced = _read(reader, ["Tomas Elgin", "Vera Hollis"],
                      "Tomas Elgin will meet Vera Hollis on Friday.")  # fmt: skip
    assert (announced[0].when, announced[0].status) == (date(2024, 5, 17), ANNOUNCED)
    reported = _read(reader, ["Tomas Elgin", "Vera Hollis"],
                     "Tomas Elgin met Vera Hollis on Monday.")  # fmt: skip
    assert (reported[0].when, reported[0].status) == (date(2024, 5, 13), REPORTED)
    before = _read(
        reader,
        ["Tomas Elgin", "Vera Hollis"],
        "Tomas Elgin and Vera Hollis signed a water accord on Tuesday. In their meeting in "
        "Lyon, the two discussed the river.",
    )
    assert before[0].when == date(2024, 5, 14)
    assert before[0].where == "Lyon"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Guests are usually received in the east wing of the Harbour Palace. That's where "
         "Tomas Elgin had his first meeting with Vera Hollis in 2019.", "Harbour Palace"),
        ("Tomas Elgin grew up in Porto. It was there that he first met Vera Hollis.", "Porto"),
        # without "there", the place of the sentence before is not the meeting's
        ("Tomas Elgin grew up in Porto. He met Vera Hollis in 2019.", None),
    ],
)  # fmt: skip
def test_that_is_where_points_to_the_place_before(
    reader: MeetingReader, text: str, where: str | None
) -> None:
    events = _read(reader, ["Tomas Elgin", "Vera Hollis"], text)
    assert [e.where for e in events] == [where]


def test_they_are_the_two_people_the_sentence_named_before(reader: MeetingReader) -> None:
    text = "Ana Ruiz first found Tomas Elgin, her half-brother, in May 2021, and they met in 2022."
    events = _read(reader, ["Ana Ruiz"], text)
    assert [(e.with_, e.when_text) for e in events] == [(("Tomas Elgin",), "2022")]


def test_the_place_a_coordinated_journey_goes_to(reader: MeetingReader) -> None:
    text = "Ana Ruiz and Vera Hollis flew to Lake Orla and took Tomas Elgin out to dinner."
    events = _read(reader, ["Tomas Elgin"], text)
    assert [e.where for e in events] == ["Lake Orla"]


@pytest.mark.parametrize(
    ("text", "where", "day"),
    [
        ("Tomas Elgin met Vera Hollis in Porto on Monday, their third meeting this year; the "
         "first took place in Lyon on 3 March.", "Lyon", date(2024, 3, 3)),
        ("It was Elgin's second meeting with Hollis; the first was in Lyon on 2 April.",
         "Lyon", date(2024, 4, 2)),
    ],
)  # fmt: skip
def test_the_first_of_their_meetings_told_in_passing(
    reader: MeetingReader, text: str, where: str, day: date
) -> None:
    text = f"Tomas Elgin and Vera Hollis are old rivals. {text}"
    reader.texts[1] = ("News", [text])  # type: ignore[attr-defined]
    asked = frozenset("where did elgin and hollis first meet".split())
    first = reader.read(["Tomas Elgin", "Vera Hollis"], [_hit(text)], asked)
    assert [(e.where, e.when) for e in first] == [(where, day)]
    # asked about any meeting, the sentence tells of the latest one, or of several
    assert (where, day) not in {
        (e.where, e.when) for e in _read(reader, ["Tomas Elgin", "Vera Hollis"], text)
    }


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # the day before the day the meeting was told of
        ("Tomas Elgin said on Sunday he had met Vera Hollis at her residence the previous "
         "evening.", date(2024, 5, 11)),
        ("Tomas Elgin arrived in Lyon on Monday and met Vera Hollis the day before.",
         date(2024, 5, 12)),
        # the day before the day of the sentence before
        ("Tomas Elgin flew to Lyon on Monday. He had met Vera Hollis the night before.",
         date(2024, 5, 12)),
    ],
)  # fmt: skip
def test_the_day_before_another_day(reader: MeetingReader, text: str, day: date) -> None:
    events = _read(reader, ["Tomas Elgin", "Vera Hollis"], text)
    assert [e.when for e in events] == [day]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # the day of the meeting the sentence before tells of, not the day it was announced
        ("Tomas Elgin will meet Vera Hollis in Lyon next Monday, his office announced on "
         "Tuesday. It will be the first meeting between the two.", date(2024, 5, 20)),
        # a sentence before without a meeting: its day, unless the day something was said
        ("Tomas Elgin flew to Lyon on Sunday, aides said on Tuesday. His meeting with Vera "
         "Hollis went well.", date(2024, 5, 12)),
        ("Tomas Elgin is in Lyon, his office confirmed on Tuesday. His meeting with Vera "
         "Hollis was the first.", None),
    ],
)  # fmt: skip
def test_the_day_from_the_sentence_before_is_its_meetings(
    reader: MeetingReader, text: str, day: date | None
) -> None:
    events = _read(reader, ["Tomas Elgin", "Vera Hollis"], text, title="Elgin in Lyon")
    assert {e.when for e in events} == {day}


def test_the_venue_and_its_city(reader: MeetingReader) -> None:
    events = _read(reader, ["Tomas Elgin", "Vera Hollis"],
                   "Tomas Elgin met Vera Hollis at the Grand Meridian Hotel in Lyon.")  # fmt: skip
    assert events[0].where == "Grand Meridian Hotel, Lyon"


def test_the_dateline_is_the_place_when_the_sentence_has_none(reader: MeetingReader) -> None:
    text = "LYON (Ledger Wire) - Tomas Elgin met Vera Hollis on Monday."
    events = _read(reader, ["Tomas Elgin", "Vera Hollis"], text)
    assert events[0].where is None  # the sentence itself gives none
    assert events[0].with_ == ()  # the agency is no one met
    assert reader.complete(events[0], _hit(text)).where == "Lyon"


def test_a_list_of_earlier_meetings_is_not_read_as_one(reader: MeetingReader) -> None:
    text = (
        "It was their third meeting: the first in March 2019 in Porto, then on 4 June 2021 "
        "in Riga. Tomas Elgin and Vera Hollis"
    )
    assert not _read(reader, ["Tomas Elgin", "Vera Hollis"], text)


def test_two_people_named_in_one_sentence_without_meeting_are_no_meeting(
    reader: MeetingReader,
) -> None:
    text = "Tomas Elgin criticised Vera Hollis for skipping the meeting on Monday."
    assert not _read(reader, ["Tomas Elgin", "Vera Hollis"], text)


def test_a_meeting_with_no_one_named_is_no_meeting(reader: MeetingReader) -> None:
    assert not _read(reader, ["Tomas Elgin"], "Tomas Elgin will meet lawmakers on Friday.")


def test_authors_and_agencies_are_not_people_met(reader: MeetingReader) -> None:
    text = "Tomas Elgin met Vera Hollis and NRTA officials on Monday."
    assert _read(reader, ["Tomas Elgin"], text)[0].with_ == ("Vera Hollis",)
    names = ArticleNames("News", ["By Dana Corle and Rui Santo - 15 May", "Dana Corle said."])
    assert names.is_author("Dana Corle") and not names.is_author("Tomas Elgin")


@pytest.mark.parametrize(
    ("name", "person"),
    [("Vera Hollis", True), ("AB Linde", True), ("Lee Dae-ho", True), ("G7", False),
     ("NATO", False), ("RANCHO VERDE", False), ("the Grand Hotel", False),
     ("White House", False), ("Reveal After Lyonbank", False), ("Kim So-yeon", True),
     ("Lee An", True)],
)  # fmt: skip
def test_looks_like_a_person(name: str, person: bool) -> None:
    assert looks_like_a_person(name) is person


@pytest.mark.parametrize(
    ("text", "place"),
    [("GENEVA (Reuters) - The two met.", "Geneva"), ("PORT-AU-PRINCE, May 3 (AP) — They met.",
     "Port-Au-Prince"), ("Lyon — Ministers met on Monday.", "Lyon"),
     ("The ministers met on Monday.", None)],
)  # fmt: skip
def test_dateline_place(text: str, place: str | None) -> None:
    assert dateline_place(text) == place


def test_mentions_any_word_of_a_name_as_written() -> None:
    assert mentions("Obama greeted Hu on the lawn.", "Hu Jintao")
    assert mentions("Lee Dae Ho arrived.", "Lee Dae-ho")
    assert not mentions("The hu of the crowd.", "Hu Jintao")


def test_names_are_printed_as_the_article_writes_them(reader: MeetingReader) -> None:
    events = _read(reader, ["Ana Ruiz-Lopez"], "Ana Ruiz-Lopez met Kim Dae-sung in Lyon.")
    assert events[0].with_ == ("Kim Dae-sung",)


@pytest.mark.parametrize(
    ("question", "kind", "meeting"),
    [
        ("When did Ana Ruiz meet Tom Kell?", "when", True),
        ("On what date did they hold talks?", "when", True),
        ("What was the exact date of the Ruiz-Kell summit?", "when", True),
        ("What day did Ana Ruiz go to see Tom Kell in Lyon?", "when", True),
        ("At which hotel did Ruiz and Kell meet?", "where", True),
        ("In which room were they to hold talks?", "where", True),
        ("Besides Ana Ruiz, who sat in on the meeting with Tom Kell?", "who", True),
        ("Which cabinet member was in the delegation?", "who", False),
        ("Which archbishop did Ana Ruiz hold talks with?", "who", True),
        ("Which two businessmen did Tom Kell meet in Lyon?", "who", True),
        ("Which judges did the mayor receive on Monday?", "who", True),
        ("Who was with Ruiz when the mayor welcomed her?", "who", True),
        ("What did Ana Ruiz say about the budget?", "other", False),
    ],
)
def test_question_kind_from_the_first_question_word(
    question: str, kind: str, meeting: bool
) -> None:
    read = QuestionReader(load_nlp()).read(question)
    assert (read.kind, read.meeting) == (kind, meeting)


def test_names_in_a_question_lose_inner_titles_and_topics_are_not_participants() -> None:
    read = QuestionReader(load_nlp()).read(
        "When did Sports Minister Ana Ruiz meet Tom Kell about Lena Vogt's contract?"
    )
    assert "Ana Ruiz" in read.names
    assert "Lena Vogt" in read.topics
    # the same when the tagger does not call the owner a person
    read = QuestionReader(load_nlp()).read(
        "On what date did Sports Minister Ana Ruiz meet league president Tomas Elgin about "
        "Olek Brandt's contract?"
    )
    assert "Olek Brandt" in read.topics


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Who did Ana Ruiz meet in Lyon when Lumo Labs needed money?", "Lumo Labs"),
        ("Who visited Ana Ruiz after Norbank's investment in Lumo?", "Lumo"),
        ("Who did Ana Ruiz meet for talks in Lumo's fight with Corvex?", "Corvex"),
        ("Who was Ana Ruiz introduced to while looking for money for Lumo?", "Lumo"),
        # whom a person works for
        ("Where did Lumo owner Ana Ruiz first meet Tomas Elgin?", "Lumo"),
        ("Where did Corvex's Ana Ruiz take Tomas Elgin to dinner?", "Corvex"),
        ("Where did Ana Ruiz sit down with Corvex founder Tomas Elgin?", "Corvex"),
    ],
)
def test_a_name_beside_the_meeting_is_a_topic(question: str, topic: str) -> None:
    read = QuestionReader(load_nlp()).read(question)
    participants = set(read.names) - read.topics
    assert "Ana Ruiz" in participants
    assert topic not in participants
    assert read.place in (None, "Lyon")  # "in Lumo's fight", "investment in Lumo": no place


def test_a_name_of_the_meeting_is_no_topic() -> None:
    read = QuestionReader(load_nlp()).read(
        "What was the exact date of the Ruiz-Elgin meeting at the Lyon forum?"
    )
    assert not read.topics


def test_a_capitalised_word_of_a_common_noun_is_no_name() -> None:
    read = QuestionReader(load_nlp()).read(
        "Who did Mayor Tomas Elgin receive at the town hall the day after his investiture Mass?"
    )
    assert read.names == ("Tomas Elgin",)


def _completed(
    reader: MeetingReader, names: list[str], text: str, title: str = "News"
) -> list[StoredEvent]:
    return [reader.complete(e, _hit(text, title)) for e in _read(reader, names, text, title)]


def test_the_main_clause_tells_the_meeting_and_its_place(reader: MeetingReader) -> None:
    text = (
        "In thanks for the warm welcome Elgin gave him in Porto in May, Vera Hollis welcomed "
        "Tomas Elgin near the Old Tower in the Royal Gardens."
    )
    where = _read(reader, ["Vera Hollis", "Tomas Elgin"], text)[0].where
    assert where is not None and "Old Tower" in where and "Porto" not in where


def test_a_later_sentence_naming_the_meeting_gives_its_day(reader: MeetingReader) -> None:
    text = (
        "Tomas Elgin visited Vera Hollis in Lyon. Photos from the meeting on Sunday showed "
        "the two smiling."
    )
    event = _completed(reader, ["Tomas Elgin", "Vera Hollis"], text)[0]
    assert event.when == date(2024, 5, 12)  # the Sunday before the Wednesday paper
    assert event.where == "Lyon"
    assert "Photos from the meeting" in event.quoted and event.sentence in event.quoted


def test_a_later_sentence_naming_the_talks_gives_their_place(reader: MeetingReader) -> None:
    text = (
        "Tomas Elgin then met with Vera Hollis, the bank's governor. During the cordial talks "
        "held at the Finance Ministry, the two discussed interest rates."
    )
    event = _completed(reader, ["Tomas Elgin", "Vera Hollis"], text)[0]
    assert event.where == "Finance Ministry"


def test_a_later_meeting_of_other_people_gives_nothing(reader: MeetingReader) -> None:
    text = (
        "Tomas Elgin met Vera Hollis. The next day Olek Brandt met Ines Barta at the talks "
        "in Porto."
    )
    event = _completed(reader, ["Tomas Elgin", "Vera Hollis"], text)[0]
    assert event.where is None and event.when is None


def test_later_goes_on_from_the_day_before(reader: MeetingReader) -> None:
    text = (
        "Tomas Elgin spoke with Ana Ruiz on Monday. Officials said trade came up. Later, Elgin "
        "met with Vera Hollis."
    )
    events = _completed(reader, ["Tomas Elgin", "Vera Hollis"], text)
    assert events[0].when == date(2024, 5, 13)
    # without "Later" nothing says the second meeting was that day
    text = text.replace("Later, Elgin", "Elgin")
    assert _completed(reader, ["Tomas Elgin", "Vera Hollis"], text)[0].when is None


def test_more_people_at_the_meeting_in_the_next_sentence(reader: MeetingReader) -> None:
    text = (
        "Ana Ruiz held a meeting with Olek Brandt on Thursday. Also in the meeting were the "
        "deputy minister, Tomas Elgin, and the chief of staff, Ines Barta."
    )
    people = {p for e in _read(reader, ["Olek Brandt"], text) for p in e.with_}
    assert people == {"Ana Ruiz", "Tomas Elgin", "Ines Barta"}


def test_the_people_at_the_talks_took_part(reader: MeetingReader) -> None:
    text = "During the talks in Porto, Tomas Elgin and Vera Hollis agreed to meet again."
    events = _read(reader, ["Tomas Elgin"], text)
    assert events[0].with_ == ("Vera Hollis",) and events[0].where == "Porto"


def test_a_named_office_is_a_place(reader: MeetingReader) -> None:
    text = "Ana Ruiz met Tomas Elgin in his Lyon office on Thursday."
    assert _read(reader, ["Ana Ruiz"], text)[0].where == "Lyon office"


def test_the_headline_gives_the_place_last(reader: MeetingReader) -> None:
    text = "Tomas Elgin met Vera Hollis on Monday to discuss trade."
    events = _completed(reader, ["Tomas Elgin", "Vera Hollis"], text, "Elgin meets Hollis in Porto")
    assert events[0].where == "Porto"
    events = _completed(reader, ["Tomas Elgin", "Vera Hollis"], text, "Elgin and Hollis agree")
    assert events[0].where is None


def test_a_headline_s_country_is_narrowed_to_the_city_the_article_names_in_it(
    reader: MeetingReader,
) -> None:
    text = "Tomas Elgin met Vera Hollis on Monday.\n\nForty leaders gathered in Lyon, Norland."
    events = _completed(reader, ["Tomas Elgin", "Vera Hollis"], text, "Summit opens in Norland")
    assert events[0].where == "Lyon, Norland"


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("Forty leaders gathered in Lyon, Norland, for the summit.", "Lyon, Norland"),
        ("She flew to Port Alba, Norland, on Friday.", "Port Alba, Norland"),
        ("On Monday, Norland said it would host the talks.", None),  # no preposition
        ("Talks in Lyon, Norland, then in Brask, Norland.", None),  # two cities: which one?
        ("Delegates met in May, Norland said.", None),  # a month is no city
    ],
)
def test_city_in(text: str, city: str | None) -> None:
    assert city_in("Norland", text) == city


def test_a_headline_in_sentence_case_states_a_meeting(reader: MeetingReader) -> None:
    text = "The two discussed trade. Photos from the meeting on Sunday showed them smiling."
    events = _completed(reader, ["Ana Ruiz"], text, "Ana Ruiz meets Tomas Elgin in Porto")
    assert [(e.with_, e.where, e.when) for e in events] == [
        (("Tomas Elgin",), "Porto", date(2024, 5, 12))
    ]
    # a headline's infinitive is a plan of its subject
    events = _read(reader, ["Ana Ruiz"], text, "Ana Ruiz to meet Tomas Elgin in Porto on Friday")
    assert [(e.with_, e.when, e.status) for e in events] == [
        (("Tomas Elgin",), date(2024, 5, 17), ANNOUNCED)
    ]
    # a headline in title case is not parsed: its capitals say nothing
    assert not _read(reader, ["Ana Ruiz"], text, "Ana Ruiz Meets Tomas Elgin In Porto")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("JD Vale", "VP Vale", True),  # an abbreviated title is no part of the name
        ("Ana Ruiz", "FM Ruiz", True),
        ("Ana Ruiz", "Ana Elgin", False),
        ("J.D. Vale", "JD Vale", True),  # initials written either way
        ("JD Vale", "James David Vale", True),
        ("A. Ruiz", "Ana Ruiz", True),
        ("A. Ruiz", "Bea Ruiz", False),
        ("JD Vale", "John Vale", False),
        ("Mira Vale", "JD Vale", False),  # one family, two people
        ("Chuck Vale", "Charles Vale", True),  # a given name and its short form
        ("Steve Vale", "Steven Vale", True),
        ("Steve Vale", "Stephen Vale", True),
        ("Steven Vale", "Stephen Vale", False),
        ("Bill Vale", "Bob Vale", False),
    ],
)
def test_one_person_under_two_forms(a: str, b: str, same: bool) -> None:
    assert same_person(a, b) is same


def test_he_or_she_after_a_sentence_about_the_person(reader: MeetingReader) -> None:
    text = "Tomas Elgin arrived in Lyon on Monday. He met Vera Hollis and Ines Barta there."
    events = _read(reader, ["Tomas Elgin"], text)
    assert events[0].with_ == ("Vera Hollis", "Ines Barta")
    # the sentence before is about someone else: "he" may be either of them
    text = "Olek Brandt praised Tomas Elgin on Monday. He met Vera Hollis at the port."
    assert not _read(reader, ["Tomas Elgin"], text)
    # "her counterpart" is not her
    text = "Ana Ruiz arrived in Lyon on Monday. Tomas Elgin met her counterpart, Vera Hollis."
    assert not _read(reader, ["Ana Ruiz"], text)


def test_the_place_of_a_later_sentence_is_the_meeting_s_own(reader: MeetingReader) -> None:
    text = "Tomas Elgin met Vera Hollis. The meeting was held at the Harbour Hotel in Porto."
    event = _completed(reader, ["Tomas Elgin", "Vera Hollis"], text)[0]
    assert event.where == "Harbour Hotel, Porto"
    text = (
        "Tomas Elgin met Vera Hollis on Monday. The meeting also let the league explain its "
        "needs as players get set to report to camp ahead of the cup in Porto."
    )
    assert _completed(reader, ["Tomas Elgin", "Vera Hollis"], text)[0].where is None


@pytest.mark.parametrize(
    ("text", "when", "where"),
    [
        # a relative clause: "who met" is the person it follows
        ("Ana Ruiz, who met Tomas Elgin on Tuesday, said the talks went well.",
         date(2024, 5, 14), None),
        # "is due to meet": the subject of "is"
        ("Ana Ruiz is due to meet Tomas Elgin on Friday.", date(2024, 5, 17), None),
        # "after meeting": the subject of the verb the phrase modifies
        ("Ana Ruiz told reporters after meeting Tomas Elgin in Lyon on Tuesday that it went well.",
         date(2024, 5, 14), "Lyon"),
        # a purpose: "flew to Lyon for talks with"; the destination is the place
        ("Ana Ruiz will fly to Lyon on Thursday for talks with Tomas Elgin.",
         date(2024, 5, 16), "Lyon"),
        # a place in apposition, a place one is welcomed to
        ("Ana Ruiz met Tomas Elgin in the Polish capital, Warsaw, on Monday.",
         date(2024, 5, 13), "Warsaw"),
        ("Ana Ruiz welcomed Tomas Elgin to the Elysee Palace on Monday.",
         date(2024, 5, 13), "Elysee Palace"),
        # a city and its country: the city
        ("Ana Ruiz shakes hands with Tomas Elgin in Lyon, France, March 3, 2024.",
         date(2024, 3, 3), "Lyon"),
        # possessive names of a building are kept whole
        ("Ana Ruiz received Tomas Elgin near St. Anne's Tower on Monday.",
         date(2024, 5, 13), "St. Anne's Tower"),
        # a visit or trip to a place: there; "on a trip" brings no one in
        ("Ana Ruiz met Tomas Elgin during a visit to Porto on Monday.", date(2024, 5, 13),
         "Porto"),
        ("On a trip to Porto on Monday, Ana Ruiz met Tomas Elgin.", date(2024, 5, 13), "Porto"),
        # an invitation elsewhere is not the meeting's place
        ("Ana Ruiz met Tomas Elgin on Monday and invited him to Geneva.", date(2024, 5, 13), None),
        # the present simple in a Wednesday paper: the nearest Thursday, the coming one
        ("Ana Ruiz meets Tomas Elgin in Lyon on Thursday.", date(2024, 5, 16), "Lyon"),
        ("Ana Ruiz met Tomas Elgin in Lyon two days ago.", date(2024, 5, 13), "Lyon"),
        # the meeting is the subject of the verb that places it
        ("The meeting between Ana Ruiz and Tomas Elgin took place on Tuesday in Lyon.",
         date(2024, 5, 14), "Lyon"),
        # a "where" clause the parser hangs on the day: the place named before it
        ("Ana Ruiz was in Lyon on Tuesday, where she met Tomas Elgin.", date(2024, 5, 14),
         "Lyon"),
        # an adverb after a name is no title ("first" as in "First Minister")
        ("Ana Ruiz first met Tomas Elgin in Lyon on Monday.", date(2024, 5, 13), "Lyon"),
        # a gathering named after its city
        ("Ana Ruiz and Tomas Elgin met on the sidelines of the Geneva summit on Tuesday.",
         date(2024, 5, 14), "Geneva"),
        # a day told in a "who" clause of someone met is that person's, not the meeting's
        ("Ana Ruiz received Tomas Elgin and his wife, Mira Elgin, who attended the gala on "
         "Sunday.", None, None),
        # idioms: played host to, came face to face with
        ("Ana Ruiz played host to Tomas Elgin on Monday.", date(2024, 5, 13), None),
        ("Ana Ruiz came face to face with Tomas Elgin in Lyon on Monday.", date(2024, 5, 13),
         "Lyon"),
        # a purpose: travelled somewhere to see someone
        ("Ana Ruiz flew to Lyon on Monday to see Tomas Elgin.", date(2024, 5, 13), "Lyon"),
    ],
)  # fmt: skip
def test_more_frames_of_a_meeting(
    reader: MeetingReader, text: str, when: date | None, where: str | None
) -> None:
    events = _read(reader, ["Ana Ruiz", "Tomas Elgin"], text)
    assert events, text
    assert (events[0].when, events[0].where) == (when, where)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # "the two men" for the people named before, a meeting set up somewhere
        ("The two women set up a meeting at the Old Exchange Hall.", "Old Exchange Hall"),
        ("Both leaders arranged talks in Lyon.", "Lyon"),
        # a surname opening a sentence, tagged a common noun, is the article's person
        ("Ruiz held talks with Elgin at the Old Exchange Hall.", "Old Exchange Hall"),
    ],
)
def test_the_meeting_of_people_named_before(reader: MeetingReader, text: str, where: str) -> None:
    opening = "Ana Ruiz and Tomas Elgin arrived in Porto on Monday."
    events = _read(reader, ["Ana Ruiz", "Tomas Elgin"], f"{opening} {text}")
    assert [(e.sentence, e.where) for e in events] == [(text, where)]


@pytest.mark.parametrize(
    ("text", "asked", "met"),
    [
        # "the two", "the pair": the two people of the sentence before, one of them asked
        ("Mira Holt called Teo Varga on Friday to ask for talks. The two met in Lumo on 3 May.",
         "Mira Holt", "Teo Varga"),
        ("Mira Holt phoned Teo Varga on Friday. The pair met in Lumo on 3 May.",
         "Mira Holt", "Teo Varga"),
        # "the commissioner": the one person the article gives that role
        ("Norland's trade commissioner Ana Talvela warned platforms on Monday. The "
         "commissioner met Pavel Ostrin in Lumo on 3 May.", "Pavel Ostrin", "Ana Talvela"),
        ("Ana Talvela, the commissioner, warned platforms on Monday. Pavel Ostrin met the "
         "commissioner in Lumo on 3 May.", "Pavel Ostrin", "Ana Talvela"),
    ],
)  # fmt: skip
def test_people_of_the_sentence_before_stand_behind_a_group_or_a_role(
    reader: MeetingReader, text: str, asked: str, met: str
) -> None:
    events = [e for e in _read(reader, [asked], text) if "Lumo" in e.sentence]
    assert [(e.where, set(e.people)) for e in events] == [("Lumo", {asked, met})]


@pytest.mark.parametrize(
    ("text", "met"),
    [
        # the object of "sent", "asked" does what the infinitive says
        ("Peter Brask sent his deputy Ana Ruiz to meet Teo Varga in Lyon on Sunday.",
         {"Ana Ruiz", "Teo Varga"}),
        ("The club sent Kell Oduya and Mira Holt to meet Teo Varga on Sunday.",
         {"Kell Oduya", "Mira Holt", "Teo Varga"}),
        # not a thing the subject took to get there
        ("Peter Brask took a train to meet Teo Varga on Sunday.", {"Peter Brask", "Teo Varga"}),
    ],
)  # fmt: skip
def test_someone_sent_to_meet_is_the_one_who_met(
    reader: MeetingReader, text: str, met: set[str]
) -> None:
    assert [set(e.people) for e in _read(reader, ["Teo Varga"], text)] == [met]


def test_a_role_two_people_hold_stands_for_no_one() -> None:
    names = ArticleNames(
        "", ["Ana Talvela, the commissioner, met Teo Varga, the other commissioner."]
    )
    assert names.by_role("commissioner") is None
    assert ArticleNames("", ["trade commissioner Ana Talvela"]).by_role("commissioner") == (
        "Ana Talvela"
    )
    assert ArticleNames("", ["trade commissioner Ana Talvela"]).by_role("meeting") is None


@pytest.mark.parametrize(
    "text",
    [
        "Ana Ruiz will not meet Tomas Elgin on Monday, her office said.",
        "Ana Ruiz is not expected to meet Tomas Elgin this week.",
        "There will be no meeting between Ana Ruiz and Tomas Elgin.",
        "Ana Ruiz has never met Tomas Elgin.",
        # wished for, asked, offered, refused, conditional or possible: not a meeting
        "Ana Ruiz said she would like to meet Tomas Elgin.",
        "Ana Ruiz hopes to meet Tomas Elgin next month.",
        "Ana Ruiz has asked to meet Tomas Elgin.",
        "Ana Ruiz refused to meet Tomas Elgin on Monday.",
        "Ana Ruiz called for a meeting with Tomas Elgin.",
        "Ana Ruiz offered to meet Tomas Elgin in Lyon.",
        "Ana Ruiz would meet Tomas Elgin if he apologised.",
        "Ana Ruiz could meet Tomas Elgin as early as Friday.",
        # called off
        "Ana Ruiz cancelled her meeting with Tomas Elgin on Monday.",
        "A meeting between Ana Ruiz and Tomas Elgin was called off on Monday.",
        # at one summit is not meeting each other
        "Ana Ruiz and Tomas Elgin both attended the summit in Lyon on Monday.",
        # another clause's meeting, a talk about someone, someone's wife
        "Ana Ruiz met Vera Hollis on Monday, a day after Tomas Elgin met Olek Brandt.",
        "Ana Ruiz spoke about Tomas Elgin on Monday.",
        "Ana Ruiz met Tomas Elgin's wife, Vera Elgin, on Monday.",
    ],
)
def test_a_denied_meeting_is_not_read(reader: MeetingReader, text: str) -> None:
    assert not _read(reader, ["Ana Ruiz", "Tomas Elgin"], text)


@pytest.mark.parametrize(
    ("text", "others"),
    [
        ("Ana Ruiz held talks with a delegation led by Tomas Elgin on Monday.", ["Tomas Elgin"]),
        ("Ana Ruiz had lunch with Tomas Elgin on Monday.", ["Tomas Elgin"]),
        # an outlet before a role is part of the role, not someone met
        ("Ana Ruiz met Reuters reporter Tomas Elgin for an interview.", ["Tomas Elgin"]),
        # a list of the party: "with world leaders including A and B"
        (
            "Ana Ruiz met with world leaders including President Teo Varga and Chancellor Mira "
            "Holt on Monday.",
            ["Teo Varga", "Mira Holt"],
        ),
        # a name before a common noun names the thing: no one met
        ("Ana Ruiz and Tomas Elgin visited the Peter Varga memorial on Monday.", ["Tomas Elgin"]),
    ],
)
def test_delegations_meals_and_roles(reader: MeetingReader, text: str, others: list[str]) -> None:
    assert list(_read(reader, ["Ana Ruiz"], text)[0].with_) == others


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # the small model lemmatises "dined" as "din"
        ("Ana Ruiz dined with Tomas Elgin and two researchers at the Rosewood hotel.",
         "Rosewood hotel"),
        # idioms of meeting
        ("Ana Ruiz flew to Porto for a conference and ran into Tomas Elgin.", "Porto"),
        ("Vera Hollis introduced Ana Ruiz to Tomas Elgin.", None),
        # a building by a named place, a room in a named building
        ("Ana Ruiz visited Tomas Elgin at his mansion on the shores of Lake Verde.",
         "Lake Verde"),
        ("Ana Ruiz met Tomas Elgin in a private room at the Harbour hotel in Porto.",
         "Harbour hotel, Porto"),
    ],
)  # fmt: skip
def test_idioms_of_meeting(reader: MeetingReader, text: str, where: str | None) -> None:
    events = _read(reader, ["Ana Ruiz", "Tomas Elgin"], text)
    assert events, text
    assert events[0].where == where
    assert "Vera Hollis" not in events[0].people  # who introduces meets no one


def test_a_request_to_someone_else_does_not_deny_the_meeting(reader: MeetingReader) -> None:
    text = "Tomas Elgin met Ana Ruiz on Monday after she asked him to drive to Porto for it."
    assert _read(reader, ["Ana Ruiz", "Tomas Elgin"], text)


def test_an_owner_or_a_sentence_word_is_no_part_of_a_name() -> None:
    names = ArticleNames(
        "Ruiz meets Portugal's Elgin in Lyon",
        ["Ana Ruiz met Tomas Elgin on Monday with Vera Hollis But the talks were short."],
    )
    assert names.resolve("Elgin") == "Tomas Elgin"
    assert names.resolve("Hollis") == "Vera Hollis"
    assert dateline_place("By Ledger Staff - Ana Ruiz met Tomas Elgin.") is None


def test_speaking_at_a_summit_is_not_meeting_its_host(reader: MeetingReader) -> None:
    text = "Ana Ruiz will speak at the trade summit hosted by Tomas Elgin in Lyon on Friday."
    assert not _read(reader, ["Ana Ruiz", "Tomas Elgin"], text)
    # the same with the participle after a comma, which the parser hangs on "speak"
    text = (
        "Ana Ruiz is scheduled to speak at the Lyon Summit on Trade Policy, hosted by Prime "
        "Minister Tomas Elgin on Tuesday."
    )
    assert not _read(reader, ["Ana Ruiz", "Tomas Elgin"], text)
    # but "Hosted by B, A spoke": A was B's guest
    text = "Hosted by Tomas Elgin, Ana Ruiz spoke to reporters in Lyon on Tuesday."
    assert _read(reader, ["Ana Ruiz", "Tomas Elgin"], text)
    assert display_name("Scientist Vera Hollis") == "Vera Hollis"
    assert display_name("Lyonbank I") == "Lyonbank"
    assert display_name("Lyonbank We") == "Lyonbank"


def test_people_without_names_count_when_the_question_asks_about_them(
    reader: MeetingReader,
) -> None:
    text = "Tomas Elgin held a late meeting with party holdouts on Thursday."
    reader.texts[1] = ("News", [text])  # type: ignore[attr-defined]
    assert not reader.read(["Tomas Elgin"], [_hit(text)])
    events = reader.read(["Tomas Elgin"], [_hit(text)], frozenset({"when", "holdouts", "meet"}))
    assert [(e.with_, e.when) for e in events] == [((), date(2024, 5, 9))]


def test_a_planned_meeting_is_ahead_and_a_passive_request_denies_nothing(
    reader: MeetingReader,
) -> None:
    text = (
        "Talks have intensified ahead of the planned summit on Friday between Ana Ruiz and "
        "Tomas Elgin."
    )
    event = _read(reader, ["Ana Ruiz", "Tomas Elgin"], text)[0]
    assert (event.when, event.status) == (date(2024, 5, 17), ANNOUNCED)
    # the small model hangs "between ..." under the day: the parties are still the summit's
    text = (
        "Efforts have grown in the weeks leading up to the planned summit on Friday local time "
        "between Ana Ruiz and Tomas Elgin in Lyon."
    )
    event = _read(reader, ["Ana Ruiz", "Tomas Elgin"], text)[0]
    assert (event.when, event.where) == (date(2024, 5, 17), "Lyon")
    text = "Tomas Elgin was asked to join the meeting with Ana Ruiz on Monday."
    assert _read(reader, ["Ana Ruiz", "Tomas Elgin"], text)


def test_a_short_mention_is_the_person_asked_about() -> None:
    names = ArticleNames(
        "News", ["Lyonbank Elgin fans cheered. Lyonbank Elgin again.", "Tomas Elgin met Ana Ruiz."]
    )
    assert names.resolve("Elgin") == "Lyonbank Elgin"  # the article's most frequent
    asked = ArticleNames(
        "News", ["Lyonbank Elgin fans cheered. Lyonbank Elgin again.", "Tomas Elgin met Ana Ruiz."],
        ["Tomas Elgin"],
    )  # fmt: skip
    assert asked.resolve("Elgin") == "Tomas Elgin"


@pytest.mark.parametrize(
    ("text", "when", "status"),
    [
        ("Ana Ruiz is to meet Tomas Elgin on Friday.", date(2024, 5, 17), ANNOUNCED),
        ("Ana Ruiz met Tomas Elgin late Thursday.", date(2024, 5, 9), REPORTED),
        ("Tuesday's talks between Ana Ruiz and Tomas Elgin ended without a deal.",
         date(2024, 5, 14), REPORTED),
        # "she" is the subject of the main clause; the day of saying is not the meeting's,
        # which is the day before it
        ("Ana Ruiz said on Tuesday that she had met Tomas Elgin the day before.",
         date(2024, 5, 13), REPORTED),
        ("Ana Ruiz said on Tuesday that she had met Tomas Elgin.", None, REPORTED),
        # a name the tagger runs into the date after it
        ("Tomas Elgin met Ana Ruiz two days ago.", date(2024, 5, 13), REPORTED),
        # days after or before the day named
        ("A day after arriving in Lyon on Sunday, Tomas Elgin met Ana Ruiz.", date(2024, 5, 13),
         REPORTED),
        ("Tomas Elgin met Ana Ruiz two days after the vote on Friday.", date(2024, 5, 12),
         REPORTED),
        ("Tomas Elgin will meet Ana Ruiz a week before the summit on 20 June.",
         date(2024, 6, 13), ANNOUNCED),
        ("Tomas Elgin met Ana Ruiz after the vote on Friday.", date(2024, 5, 10), REPORTED),
        # ... but an abbreviated month is the date's own word
        ("Ana Ruiz held preparatory meetings with Tomas Elgin in Lyon on Nov. 10, according "
         "to state media.", date(2023, 11, 10), REPORTED),
        ("Tomas Elgin will meet Ana Ruiz later this week.", None, ANNOUNCED),
        # ... but a meeting in the simple past keeps the day of its report
        ("Ana Ruiz met Tomas Elgin in Lyon, officials said on Tuesday.", date(2024, 5, 14),
         REPORTED),
    ],
)  # fmt: skip
def test_the_day_of_plans_and_reports(
    reader: MeetingReader, text: str, when: date | None, status: str
) -> None:
    events = _read(reader, ["Ana Ruiz", "Tomas Elgin"], text)
    assert events, text
    assert (events[0].when, events[0].status) == (when, status)


def test_a_meal_given_and_a_surname_of_the_person_asked(reader: MeetingReader) -> None:
    text = (
        "Ana Ruiz and Vera Hollis flew to Lyon and took Tomas Elgin and his students out to "
        "dinner at a steakhouse."
    )
    assert set(_read(reader, ["Tomas Elgin"], text)[0].with_) == {"Ana Ruiz", "Vera Hollis"}
    # a run of capitals that ends in the surname asked about is that person
    names = ArticleNames("News", ["Lyonbank Elgin-Ruiz said.", "Elgin-Ruiz met Vera Hollis."],
                         ["Tomas Elgin-Ruiz"])  # fmt: skip
    assert names.resolve("Elgin-Ruiz") == "Tomas Elgin-Ruiz"


def test_a_month_abbreviated_in_the_question_narrows_the_period() -> None:
    read = QuestionReader(load_nlp()).read("Who did Ana Ruiz meet in Nov. 2023?")
    assert read.period is not None
    assert (read.period.start, read.period.end) == (date(2023, 11, 1), date(2023, 11, 30))


@pytest.mark.parametrize(
    ("question", "names"),
    [
        # a place no meeting word governs is no one asked about
        ("On what date did Ana Ruiz meet reporters and say the people who know Portugal best "
         "think the most of it?", ("Ana Ruiz",)),
        ("Whom else did Ana Ruiz talk with in Lyon and the Vatican on the day she met Tomas "
         "Elgin?", ("Tomas Elgin", "Ana Ruiz")),
        # a person the tagger takes for a place, as the subject of the meeting, stays
        ("When did Yoon meet Biden?", ("Yoon", "Biden")),
    ],
)  # fmt: skip
def test_places_in_a_question_are_not_parties(question: str, names: tuple[str, ...]) -> None:
    assert QuestionReader(load_nlp()).read(question).names == names


def _complete(reader: MeetingReader, names: list[str], text: str) -> list[StoredEvent]:
    reader.texts[1] = ("News", [text])  # type: ignore[attr-defined]
    hit = _hit(text)
    return [reader.complete(e, hit) for e in reader.read(names, [hit])]


def test_the_day_a_statement_was_made_is_not_a_second_meeting(reader: MeetingReader) -> None:
    text = (
        "The chief executive of Brightwave Robotics, Ana Ruiz, met Premier Tomas Elgin in Lyon "
        "on Friday, the company said in a statement on Monday."
    )
    event = _read(reader, ["Ana Ruiz"], text)[0]
    assert event.when == date(2024, 5, 10)
    # what a role is "of" is where the person works, not someone met
    assert event.with_ == ("Tomas Elgin",)


def test_the_owner_of_a_title_is_no_one_met(reader: MeetingReader) -> None:
    text = "Brightwave's chief executive Ana Ruiz met Premier Tomas Elgin on Monday."
    assert _read(reader, ["Tomas Elgin"], text)[0].with_ == ("Ana Ruiz",)
    # the owner of a meeting noun is a party
    text = "Ana Ruiz's talks with Tomas Elgin on Monday ran late."
    assert _read(reader, ["Tomas Elgin"], text)[0].with_ == ("Ana Ruiz",)


@pytest.mark.parametrize(
    ("text", "companion"),
    [
        ("Mayor Vera Hollis welcomed Tomas Elgin to City Hall on Tuesday. Elgin was "
         "accompanied by his deputy, Ines Barta.", "Ines Barta"),
        ("Mayor Vera Hollis welcomed Tomas Elgin on Tuesday. Elgin, who was accompanied by "
         "his deputy Ines Barta, invited Hollis to visit.", "Ines Barta"),
        ("Vera Hollis met Tomas Elgin in Lyon on Friday. Elgin was joined by his finance "
         "minister, Ines Barta.", "Ines Barta"),
        ("Vera Hollis met Tomas Elgin in Lyon on Friday. Ines Barta accompanied Elgin.",
         "Ines Barta"),
        # one more at the meeting just told of
        ("Coach Vera Hollis sat down with striker Tomas Elgin on Thursday. Elgin's agent, Ines "
         "Barta, also attended.", "Ines Barta"),
    ],
)  # fmt: skip
def test_those_who_came_with_the_other_side_met_the_host_too(
    reader: MeetingReader, text: str, companion: str
) -> None:
    people = {p for e in _complete(reader, ["Vera Hollis"], text) for p in e.with_}
    assert people == {"Tomas Elgin", companion}


def test_those_who_came_with_the_person_asked_are_not_people_met(reader: MeetingReader) -> None:
    text = "Vera Hollis met Tomas Elgin in Lyon on Friday. Elgin was joined by Ines Barta."
    assert {p for e in _complete(reader, ["Tomas Elgin"], text) for p in e.with_} == {"Vera Hollis"}


@pytest.mark.parametrize(
    ("text", "names", "where"),
    [
        # a "where" clause hanging on the place
        ("LYON (Ledger Wire) - Ana Ruiz met Vera Hollis on Tuesday. Ruiz is due to fly on to "
         "Porto, where she will meet Tomas Elgin on Thursday.", ["Ana Ruiz", "Tomas Elgin"],
         "Porto"),
        # the place a coordinated verb of touring gives
        ("Ana Ruiz toured the flood-hit town of Brava on Tuesday and met Mayor Tomas Elgin at "
         "the town hall.", ["Ana Ruiz", "Tomas Elgin"], "Brava"),
        ("Ana Ruiz met Tomas Elgin on Wednesday in the border town of Brava, officials said.",
         ["Ana Ruiz", "Tomas Elgin"], "Brava"),
    ],
)  # fmt: skip
def test_places_of_clauses_about_the_meeting(
    reader: MeetingReader, text: str, names: list[str], where: str
) -> None:
    events = _complete(reader, names, text)
    assert events and events[0].where == where


def test_a_place_of_another_meeting_in_the_sentence_is_not_this_ones(
    reader: MeetingReader,
) -> None:
    text = "It was Ana Ruiz's second meeting with Tomas Elgin this year; the first was in Brava."
    assert all(e.where != "Brava" for e in _read(reader, ["Ana Ruiz", "Tomas Elgin"], text))


@pytest.mark.parametrize(
    "text",
    [
        '"Very productive meeting with Premier Tomas Elgin today," Ana Ruiz said afterwards.',
        '"I met Tomas Elgin on Monday and we agreed on a plan," Ana Ruiz told reporters.',
        "“We held talks with Tomas Elgin in Lyon,” said Ana Ruiz.",
    ],
)
def test_the_speaker_of_a_quote_is_its_first_person(reader: MeetingReader, text: str) -> None:
    events = _read(reader, ["Ana Ruiz"], text)
    assert events and events[0].with_ == ("Tomas Elgin",)


def test_a_quote_about_others_is_not_the_speakers_meeting(reader: MeetingReader) -> None:
    assert not _read(reader, ["Vera Hollis"], '"Ana Ruiz met Tomas Elgin," Vera Hollis said.')


def test_a_name_starts_after_the_full_stop_of_a_sentence() -> None:
    names = ArticleNames("News", ["Ana Ruiz met Vera Hollis on Friday. Olek Brandt came too."])
    assert names.resolve("Olek Brandt") == "Olek Brandt"
    # initials and abbreviations do not end a name
    assert ArticleNames("News", ["Gen. Olek J. Brandt said."]).resolve("Brandt") == "Olek J. Brandt"


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("Which US senator did Ana Ruiz meet in October?", "senator"),
        ("Which Norland prime minister did Ana Ruiz host?", "minister"),
        ("Which Corvian diplomat did Ana Ruiz hold talks with?", "diplomat"),
        # too general to check, or no role asked
        ("Which officials did Ana Ruiz meet?", None),
        ("Who did Ana Ruiz meet?", None),
    ],
)
def test_the_role_a_which_question_asks_for(question: str, role: str | None) -> None:
    assert asked_role(question) == role


@pytest.mark.parametrize(
    ("place", "where"),
    [("Varga", None), ("Peter Varga", None), ("Lyon", "Lyon"), (None, None)],
)
def test_a_participant_is_no_place(place: str | None, where: str | None) -> None:
    assert unless_a_participant(place, ["Peter Varga", "Ana Ruiz"]) == where


def test_a_given_name_that_is_a_weekday_is_no_day(reader: MeetingReader) -> None:
    # "Sunday Varga": the small model tags the given name a DATE; the meeting is on Thursday
    # and the sentence tells of one meeting, not of two on two days.
    text = (
        "Ana Ruiz on Thursday held a closed door meeting with the Minister of Rivers and "
        "Inland Ports, Sunday Varga, in his Lyon office."
    )
    events = _read(reader, ["Sunday Varga"], text)
    assert [(e.when, e.where) for e in events] == [(date(2024, 5, 9), "Lyon office")]
    # the field a title is "of" is no one met
    assert events[0].with_ == ("Ana Ruiz",)
    # "On Sunday Ruiz met ...": a weekday after "on" is a day whatever the parse
    (sunday,) = _read(reader, ["Ana Ruiz"], "On Sunday Ruiz met Teo Varga in Lyon.")
    assert sunday.when == date(2024, 5, 12)


def test_a_namesake_introduced_after_the_short_form_is_someone_else() -> None:
    names = ArticleNames(
        "Queen welcomes President Elgin",
        [
            "President Elgin arrived in Lyon on Friday.",
            "Queen Mira Holt welcomed the president and his wife Ana Elgin at the palace.",
        ],
    )
    assert names.resolve("Elgin") == "Elgin"
    assert not names.stands_for("Elgin", "Ana Elgin")
    # a short form before a full name that is no relative's is that person
    live = ArticleNames("", ["Elgin and his officials flew to Lyon.", "Lumo owner Ana Elgin met"])
    assert live.resolve("Elgin") == "Ana Elgin"
    named_first = ArticleNames("", ["Ana Elgin met Teo Varga. Elgin said the talks went well."])
    assert named_first.resolve("Elgin") == "Ana Elgin"
    assert named_first.stands_for("Elgin", "Ana Elgin")
    # the full name before the short form, whatever the initials' full stops
    dotted = ArticleNames("", ["Tomas J. Elgin met Teo Varga. Elgin left."])
    assert dotted.resolve("Elgin") == "Tomas J. Elgin"


def test_who_came_with_someone(reader: MeetingReader) -> None:
    lead = "President Elgin arrived in Lyon on Friday."
    text = "Queen Mira Holt welcomed the president and first lady Ana Elgin near the old tower."
    reader.texts[1] = ("Elgin in Lyon", [lead, text])  # type: ignore[attr-defined]
    (event,) = reader.read(["Elgin"], [_hit(text, "Elgin in Lyon")])
    came = reader.companions_of(event, _hit(text), "Elgin", frozenset({"president"}))
    assert came == [("Ana Elgin", text)]
    text = (
        "Mira Holt received Tomas Elgin at the palace on Monday. Elgin was accompanied by "
        "his daughter, Ines Elgin. The talks lasted an hour."
    )
    reader.texts[1] = ("Talks", [text])  # type: ignore[attr-defined]
    event = reader.read(["Tomas Elgin"], [_hit(text, "Talks")])[0]
    came = reader.companions_of(event, _hit(text), "Tomas Elgin", frozenset())
    assert [c for c, _ in came] == ["Ines Elgin"]
    # the host's companions are not the guest's
    assert reader.companions_of(event, _hit(text), "Mira Holt", frozenset()) == []


@pytest.mark.parametrize(
    ("names", "text", "people", "when", "where"),
    [
        # "last night": the evening before the publication day, often left untagged
        (["Ana Ruiz"], "Ana Ruiz met Teo Varga in Lyon last night.",
         ["Teo Varga"], date(2024, 5, 14), "Lyon"),
        # a place after "outside" is no one met
        (["Ana Ruiz"], "Ana Ruiz on Monday hosted Teo Varga at Lumo Castle, outside Lyon.",
         ["Teo Varga"], date(2024, 5, 13), "Lumo Castle"),
        # a building of a named place
        (["Ana Ruiz"], "The two, Ana Ruiz and Teo Varga, met at Lyon's city hall on Tuesday.",
         ["Teo Varga"], date(2024, 5, 14), "Lyon's city hall"),
        # the leader of a delegation takes part
        (["Ana Ruiz"], "Ana Ruiz led a delegation that met Teo Varga in Lyon on Monday.",
         ["Teo Varga"], date(2024, 5, 13), "Lyon"),
        (["Ana Ruiz"], "Ana Ruiz's delegation met Teo Varga in Lyon on Monday.",
         ["Teo Varga"], date(2024, 5, 13), "Lyon"),
        (["Ana Ruiz"], "Ana Ruiz headed a team that held talks with Teo Varga on Monday.",
         ["Teo Varga"], date(2024, 5, 13), None),
        # a welcome given by someone
        (["Ana Ruiz"], "Ana Ruiz was given a red-carpet welcome by Teo Varga in Lyon on Tuesday.",
         ["Teo Varga"], date(2024, 5, 14), "Lyon"),
        # a hyphenated pair of surnames before a meeting noun, the article naming both in full
        (["Ana Ruiz"], "Ana Ruiz and Teo Varga arrived. Ruiz-Varga talks in Lyon ended on Tuesday.",
         ["Teo Varga"], date(2024, 5, 14), "Lyon"),
    ],
)  # fmt: skip
def test_more_ways_news_tells_of_a_meeting(
    reader: MeetingReader,
    names: list[str],
    text: str,
    people: list[str],
    when: date,
    where: str | None,
) -> None:
    events = _read(reader, names, text)
    assert events, "no meeting read"
    event = reader.complete(events[-1], _hit(text))
    assert [p for p in event.people if p not in names] == people
    assert (event.when, event.where) == (when, where)


def test_a_double_barrelled_name_stays_one_person(reader: MeetingReader) -> None:
    text = "Ana Ruiz-Varga met Teo Elgin on Monday. Ruiz-Varga talks lasted an hour."
    events = _read(reader, ["Teo Elgin"], text)
    assert all(p in ("Teo Elgin", "Ana Ruiz-Varga") for e in events for p in e.people)


def test_others_also_there(reader: MeetingReader) -> None:
    for also in ("Also present were Mira Holt and Tomas Elgin.",
                 "Also attending were Mira Holt and Tomas Elgin.",
                 "Joining them were Mira Holt and Tomas Elgin."):  # fmt: skip
        events = _read(reader, ["Ana Ruiz"], f"Ana Ruiz met Teo Varga in Lyon on Monday. {also}")
        assert [e.with_ for e in events] == [("Teo Varga",), ("Mira Holt", "Tomas Elgin")]


def test_a_gathering_the_question_names_is_a_meeting_of_its_host(reader: MeetingReader) -> None:
    text = (
        "On Saturday Ana Ruiz hosted what is billed as a Summit for Rivers in Lyon, with "
        "northern and southern leaders in attendance."
    )
    reader.texts[1] = ("News", [text])  # type: ignore[attr-defined]
    asked = frozenset("where did ana ruiz host the summit for rivers with leaders".split())
    (event,) = reader.read(["Ana Ruiz"], [_hit(text)], asked)
    assert (event.when, event.where) == (date(2024, 5, 11), "Lyon")
    # without the question naming the gathering, no one is met
    assert reader.read(["Ana Ruiz"], [_hit(text)], frozenset({"when"})) == []


def test_the_main_clause_after_a_fronted_one(reader: MeetingReader) -> None:
    # the small parser runs "Ruiz" into the fronted clause as a conjunct of "Norbank"
    text = (
        "After Lumo received another $2 billion from Norbank, Ruiz and another senior "
        "executive, Tomas Elgin, visited Teo Varga at his mansion on the shores of Lake Verde."
    )
    events = _read(reader, ["Ana Ruiz", "Teo Varga"], f"Ana Ruiz joined Lumo in 2015. {text}")
    assert [(e.sentence, e.where) for e in events] == [(text, "Lake Verde")]


def test_meeting_verbs_in_other_senses_are_no_meeting(reader: MeetingReader) -> None:
    assert _read(reader, ["Ana Ruiz"], "Ana Ruiz will join forces with Teo Varga in Lyon.") == []


def test_people_listed_in_one_entity_and_names_ending_sentences() -> None:
    names = ArticleNames("", ["Lumo's CFO Kenny Varga and Ana Ruiz joined Dave Elgin. Elgin left."])
    assert set(names.full_names) == {"Kenny Varga", "Ana Ruiz", "Dave Elgin"}


def test_a_list_the_tagger_reads_as_one_name(reader: MeetingReader) -> None:
    text = (
        "CEO Ana Ruiz and CFO Kenny Varga joined Dave Elgin. "
        "Elgin, Ruiz and Varga met in Lyon on Monday to fine-tune the forecasts."
    )
    events = _read(reader, ["Dave Elgin"], text)
    assert [e.with_ for e in events if "met in Lyon" in e.sentence] == [("Ana Ruiz", "Kenny Varga")]
