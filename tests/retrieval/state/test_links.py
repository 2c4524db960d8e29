"""Link submissions on each database: counted per user over a sliding hour, what came of
them, and the follow-up context a stored article leaves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from retrieval.state.links import ADDED, LinkedArticle, Links, link_turn
from retrieval.store import Store
from retrieval.store.events import REPORTED, StoredEvent

START = datetime(2025, 4, 3, 9, 0, tzinfo=UTC)


def _event(who: str, with_: str, when: date | None) -> StoredEvent:
    return StoredEvent(id=1, passage_id=1, article_id=1, kind="meet", who=(who,), with_=(with_,),
                       when=when, when_text=None, where="Tallinn", status=REPORTED,
                       sentence="")  # fmt: skip


def test_links_are_counted_per_user_over_the_last_hour(store: Store) -> None:
    clock = [START]
    links = Links(store.sessions, now=lambda: clock[0])
    first = links.start(7, 7, "https://wire.example/a")
    clock[0] += timedelta(minutes=30)
    links.start(7, 7, "https://wire.example/b")
    limited = links.start(7, 7, "https://wire.example/c")
    links.finish(limited, "limited")
    links.start(8, 8, "https://wire.example/d")  # another user's
    since = clock[0] - timedelta(hours=1)
    assert links.sent_since(7, since, exclude="limited") == [START, START + timedelta(minutes=30)]
    clock[0] += timedelta(minutes=31)
    assert len(links.sent_since(7, clock[0] - timedelta(hours=1), exclude="limited")) == 1
    links.finish(first, ADDED, article_id=None)
    assert links.count(ADDED) == 1 and links.count() == 4


def test_a_links_turn_borrows_its_people_and_the_days_of_its_meetings() -> None:
    article = LinkedArticle(
        article_id=1,
        title="Varga and Okafor meet in Tallinn",
        outlet="Baltic Wire",
        url="https://baltic.example/x",
        published_at=START,
        events=(_event("Lidia Varga", "Tomas Okafor", date(2025, 4, 1)),
                _event("Tomas Okafor", "Lidia Varga", date(2025, 4, 2)),
                _event("Ana Ruel", "Piet Sand", date(2025, 4, 1))),
    )  # fmt: skip
    turn = link_turn(article)
    assert turn.text == "Varga and Okafor meet in Tallinn"
    # The first meeting's people only: every name is required of a meeting answer.
    assert turn.names == ("Lidia Varga", "Tomas Okafor") and turn.meeting
    assert turn.period is not None
    assert (turn.period.start, turn.period.end) == (date(2025, 4, 1), date(2025, 4, 2))
    undated = link_turn(LinkedArticle(2, "Quiet week", None, None, START, ()))
    assert undated.period is not None and undated.period.start == date(2025, 4, 3)
    assert undated.names == () and not undated.meeting
