"""Someone's meetings from stored events: one line per meeting however many articles tell of
it, who a shared surname is, the period and the partner asked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from retrieval.meetings.namesakes import person_key
from retrieval.meetings.timeline import TimelineQuery, build_timeline
from retrieval.store.events import ANNOUNCED, REPORTED, StoredEvent
from retrieval.store.records import Hit


@dataclass
class Events:
    """The store's two reads a timeline needs, over events written in the test."""

    events: list[StoredEvent] = field(default_factory=list)
    articles: dict[int, tuple[str, date]] = field(default_factory=dict)

    def add(
        self,
        article: tuple[int, str, date],
        who: tuple[str, ...],
        with_: tuple[str, ...],
        when: date | None,
        where: str | None = None,
        status: str = REPORTED,
        roles: tuple[tuple[str, str], ...] = (),
    ) -> None:
        article_id, outlet, published = article
        self.articles[article_id] = (outlet, published)
        n = len(self.events) + 1
        self.events.append(
            StoredEvent(n, 100 + n, article_id, "meet", who, with_, when, None, where, status,
                        f"Sentence {n}.", roles)
        )  # fmt: skip

    def events_involving(self, names: Sequence[str]) -> list[StoredEvent]:
        return [e for e in self.events if all(e.involves(n) for n in names)]

    def hits(self, passage_ids: Iterable[int]) -> dict[int, Hit]:
        found = {}
        for event in self.events:
            if event.passage_id in passage_ids:
                outlet, day = self.articles[event.article_id]
                published = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
                found[event.passage_id] = Hit(
                    event.passage_id, event.article_id, 0.0, event.sentence,
                    f"Headline {event.article_id}", outlet,
                    f"https://{outlet.lower()}.example/{event.article_id}", published,
                )  # fmt: skip
        return found


def _a(article_id: int, outlet: str, day: str) -> tuple[int, str, date]:
    return article_id, outlet, date.fromisoformat(day)


def test_two_outlets_and_a_headline_on_one_meeting_are_one_line() -> None:
    store = Events()
    first, second = _a(1, "Gull", "2025-06-11"), _a(2, "Tern", "2025-06-12")
    store.add(first, ("Odile Varga",), ("Elena Quispe",), date(2025, 6, 10), "Lima",
              roles=(("Elena Quispe", "Fisheries Minister"),))  # fmt: skip
    store.add(first, ("Odile Varga", "Quispe"), (), None)  # the headline: "Varga and Quispe meet"
    store.add(second, ("Elena Quispe",), ("Odile Varga",), date(2025, 6, 10), "Lima")
    store.add(second, ("Odile Varga",), ("Jonas Lind",), date(2025, 6, 2), "Tallinn")
    timeline = build_timeline(store, TimelineQuery("Varga"))
    assert timeline.person is not None and timeline.person.name == "Odile Varga"
    lima, tallinn = timeline.meetings
    assert lima.day == date(2025, 6, 10) and lima.where == "Lima"
    assert lima.others == (("Elena Quispe", "Fisheries Minister"),)
    assert [s.hit.outlet for s in lima.sources] == ["Gull", "Tern"]
    assert tallinn.others == (("Jonas Lind", None),) and len(tallinn.sources) == 1


def test_an_announcement_and_the_report_after_it_are_one_line() -> None:
    store = Events()
    store.add(_a(1, "Gull", "2025-11-20"), ("Odile Varga",), ("Thabo Ndlovu",), date(2025, 11, 26),
              "Harare", ANNOUNCED)  # fmt: skip
    store.add(_a(2, "Tern", "2025-11-27"), ("Thabo Ndlovu",), ("Odile Varga",), None, "Harare")
    store.add(_a(3, "Gull", "2026-01-05"), ("Odile Varga",), ("Thabo Ndlovu",), date(2026, 1, 2))
    timeline = build_timeline(store, TimelineQuery("Odile Varga"))
    later, harare = timeline.meetings  # newest first
    assert later.day == date(2026, 1, 2) and later.status == REPORTED
    assert harare.status == "announced, then reported" and len(harare.sources) == 2


def test_an_undated_report_long_after_is_another_meeting() -> None:
    store = Events()
    store.add(_a(1, "Gull", "2025-03-04"), ("Odile Varga",), ("Jonas Lind",), date(2025, 3, 3))
    store.add(_a(2, "Tern", "2025-05-20"), ("Jonas Lind",), ("Odile Varga",), None)
    undated, dated = build_timeline(store, TimelineQuery("Varga")).meetings
    assert undated.day is None and undated.reported == date(2025, 5, 20)
    assert dated.day == date(2025, 3, 3)


def test_a_shared_surname_is_asked_back_and_a_key_chooses() -> None:
    store = Events()
    store.add(_a(1, "Gull", "2025-03-12"), ("Odile Varga",), ("Anna Kovacs",), date(2025, 3, 11),
              roles=(("Anna Kovacs", "Finance Minister"),))  # fmt: skip
    store.add(_a(1, "Gull", "2025-03-12"), ("Kovacs",), ("Odile Varga",), None)  # same article
    store.add(_a(2, "Tern", "2025-10-15"), ("Odile Varga",), ("Bela Kovacs",), date(2025, 10, 14),
              roles=(("Bela Kovacs", "Mayor"),))  # fmt: skip
    asked = build_timeline(store, TimelineQuery("Kovacs"))
    assert asked.ambiguous and asked.meetings == ()
    assert [p.label for p in asked.candidates] == [
        "Anna Kovacs (Finance Minister)",
        "Bela Kovacs (Mayor)",
    ]
    anna = build_timeline(store, TimelineQuery("Kovacs"), asked.candidates[0].key)
    assert anna.person is not None and anna.person.name == "Anna Kovacs"
    assert [m.others for m in anna.meetings] == [(("Odile Varga", None),)]
    assert len(anna.meetings[0].sources) == 1  # the bare "Kovacs" of her article is her
    assert build_timeline(store, TimelineQuery("Anna Kovacs")).person == anna.person
    gone = build_timeline(store, TimelineQuery("Kovacs"), person_key("Carla Kovacs"))
    assert gone.person is None and not gone.candidates


def test_one_article_keeps_two_people_apart_when_they_meet_or_have_other_roles() -> None:
    store = Events()
    article = _a(1, "Gull", "2025-04-01")
    store.add(article, ("Jana Orlev",), ("Joel Orlev",), date(2025, 3, 31))
    store.add(_a(2, "Tern", "2025-05-01"), ("Odile Varga",), ("Sigrid Halvorsen",),
              date(2025, 4, 29), roles=(("Sigrid Halvorsen", "Transport Minister"),))  # fmt: skip
    store.add(_a(2, "Tern", "2025-05-01"), ("Odile Varga", "Halvorsen Arctic"), (), None)
    orlevs = build_timeline(store, TimelineQuery("Orlev"))
    assert [p.name for p in orlevs.candidates] == ["Jana Orlev", "Joel Orlev"]
    jana = build_timeline(store, TimelineQuery("Orlev"), orlevs.candidates[0].key)
    assert [m.others for m in jana.meetings] == [(("Joel Orlev", None),)]
    halvorsen = build_timeline(store, TimelineQuery("Halvorsen"))
    assert halvorsen.person is not None and halvorsen.person.name == "Sigrid Halvorsen"
    varga = build_timeline(store, TimelineQuery("Varga"))
    assert [m.others for m in varga.meetings] == [(("Sigrid Halvorsen", "Transport Minister"),)]


def test_period_and_partner() -> None:
    store = Events()
    for n, (day, other) in enumerate(
        [("2025-01-14", "Jonas Lind"), ("2025-06-11", "Elena Quispe"),
         ("2025-11-12", "Elena Quispe"), ("2025-12-03", "Rui Tavares")], 1,
    ):  # fmt: skip
        met = date.fromisoformat(day) - timedelta(days=1)
        store.add(_a(n, "Gull", day), ("Odile Varga",), (other,), met)
    store.add(_a(9, "Tern", "2025-12-02"), ("Odile Varga",), ("Carl Berg",), None)  # undated
    november = TimelineQuery("Varga", since=date(2025, 11, 1), until=date(2025, 11, 30))
    found = build_timeline(store, november).meetings
    # The undated report of 2 December may tell of a meeting in the last days of November.
    assert [m.others[0][0] for m in found] == ["Carl Berg", "Elena Quispe"]
    quispe = build_timeline(store, TimelineQuery("Varga", "Quispe"))
    assert quispe.partner == "Elena Quispe" and len(quispe.meetings) == 2
    assert (
        build_timeline(store, TimelineQuery("Varga", "Tavares", until=date(2025, 6, 30))).meetings
        == ()
    )


def test_no_one_of_that_name() -> None:
    timeline = build_timeline(Events(), TimelineQuery("Nobody Known"))
    assert timeline.person is None and not timeline.candidates and not timeline.ambiguous
    assert timeline.to_json()["meetings"] == []
