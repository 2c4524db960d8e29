"""Stories: one event across outlets, ranked by outlets then recency, filtered by meaning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from retrieval.digest.stories import DigestArticle, filter_by_topics, group_stories
from retrieval.store.embedder import Embedder

T = datetime(2026, 3, 4, 12, tzinfo=UTC)
ARTICLES = [
    ("Foreign ministers of Ghana and Kenya meet in Accra over trade corridor", "Daily Wire A",
     "Ghana's foreign minister Ama Boateng met Kenyan counterpart Peter Otieno in Accra on "
     "Tuesday to discuss a new overland trade corridor across West and East Africa."),
    ("Boateng and Otieno agree to study trans-African trade route", "Coastal Herald",
     "Ama Boateng and Peter Otieno said after talks in Accra that their governments would fund "
     "a joint study of a trade route linking Ghanaian and Kenyan ports."),
    ("Accra talks: Ghana, Kenya eye trade corridor", "Savannah Post",
     "Ghana and Kenya's top diplomats, Ama Boateng and Peter Otieno, held talks in Accra on a "
     "trade corridor that could cut shipping times between the two economies."),
    ("Riverside Rovers beat Hillford 3-1 to reach the league cup final", "Goal Times",
     "Riverside Rovers scored twice in the second half to beat Hillford 3-1 on Wednesday night "
     "and reach the league cup final for the first time in a decade."),
    ("Hillford knocked out as Rovers book cup final place", "Sport Daily",
     "Hillford's cup run ended on Wednesday as Riverside Rovers came from behind to win 3-1 and "
     "book a place in the league cup final."),
    ("Central bank keeps borrowing costs on hold", "Money Journal",
     "The central bank left borrowing costs unchanged on Thursday, saying it wanted to see "
     "inflation fall further before it would consider easing policy."),
]  # fmt: skip


def _articles() -> list[DigestArticle]:
    return [
        DigestArticle(
            n, title, outlet, f"https://news.example/{n}", T - timedelta(hours=n), T, lead
        )
        for n, (title, outlet, lead) in enumerate(ARTICLES)
    ]


def test_one_event_across_outlets_is_one_story_ranked_first(minilm: Embedder) -> None:
    stories = group_stories(_articles(), minilm)
    assert [len(s.outlets) for s in stories] == [3, 2, 1]
    summit, match, bank = stories
    assert {a.outlet for a in summit.articles} == {
        "Daily Wire A",
        "Coastal Herald",
        "Savannah Post",
    }
    assert {a.outlet for a in match.articles} == {"Goal Times", "Sport Daily"}
    assert bank.headline == "Central bank keeps borrowing costs on hold"
    assert summit.summary and summit.summary[0].endswith(".")


@pytest.mark.parametrize(
    ("topic", "kept"),
    [("interest rates", ["Money Journal"]),  # the article says "borrowing costs"
     ("diplomacy", ["Coastal Herald"]), ("cup final", ["Goal Times"]), ("cooking recipes", [])],
)  # fmt: skip
def test_topics_filter_by_meaning(minilm: Embedder, topic: str, kept: list[str]) -> None:
    stories = filter_by_topics(group_stories(_articles(), minilm), [topic], minilm)
    firsts = [sorted(a.outlet or "" for a in s.articles)[0] for s in stories]
    assert firsts == kept


@pytest.mark.parametrize(
    ("topics", "kept"),
    [(["-cup final"], ["Coastal Herald", "Money Journal"]),  # all news but the match
     (["diplomacy", "cup final", "-football"], ["Coastal Herald"]),  # "football": by meaning
     (["-interest rates", "-diplomacy"], ["Goal Times"])],
)  # fmt: skip
def test_excluded_topics_drop_their_stories(
    minilm: Embedder, topics: list[str], kept: list[str]
) -> None:
    stories = filter_by_topics(group_stories(_articles(), minilm), topics, minilm)
    firsts = [sorted(a.outlet or "" for a in s.articles)[0] for s in stories]
    assert firsts == kept
