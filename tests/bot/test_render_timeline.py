"""A page of meetings as sent to Telegram: escaped, numbered across pages, and still one
message when a page's meetings have many outlets."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.render_timeline import PAGE_SIZE, page_count, timeline_html, which_one_html
from bot.telegram.loopback import html_error, visible_text
from retrieval.meetings.namesakes import Person
from retrieval.meetings.timeline import Meeting, Source, Timeline, TimelineQuery
from retrieval.store.events import ANNOUNCED, REPORTED
from retrieval.store.records import Hit


def _hit(n: int, outlet: str = "Gull <&> Post") -> Hit:
    published = datetime(2025, 6, 11, tzinfo=UTC)
    return Hit(n, n, 0.0, "text", f"Headline {n}", outlet, f"https://x.example/{n}?a=1&b=2",
               published)  # fmt: skip


def _meeting(n: int, outlets: int = 1, status: str = REPORTED) -> Meeting:
    sources = tuple(Source(_hit(n * 100 + k), "q", status) for k in range(outlets))
    return Meeting(date(2025, 6, 10), date(2025, 6, 11), (("Ana <Ruiz>", "Minister & Co"),),
                   "Lima", frozenset({status}), sources)  # fmt: skip


PERSON = Person("Odile <Varga>", "Foreign Minister", frozenset({"Odile <Varga>"}), 12)


def test_a_page_is_escaped_and_numbered_across_pages() -> None:
    timeline = Timeline(
        TimelineQuery("Varga"), PERSON, meetings=tuple(_meeting(n) for n in range(12))
    )
    assert page_count(timeline) == 2
    second = timeline_html(timeline, 1)
    assert html_error(second) is None
    shown = visible_text(second)
    assert shown.startswith(
        "Meetings of Odile <Varga> (Foreign Minister): 12 meetings, newest first. Page 2 of 2."
    )
    assert (
        "11. Tue 10 Jun 2025 — with Ana <Ruiz> (Minister & Co), in Lima; reported: "
        "Gull <&> Post, 11 Jun 2025" in shown
    )
    assert 'href="https://x.example/1100?a=1&amp;b=2"' in second
    assert len(timeline_html(timeline, 0).splitlines()) == PAGE_SIZE + 1
    assert timeline_html(timeline, 7) == second  # a page beyond the last is the last


def test_a_page_of_many_outlets_numbers_its_links_to_fit_one_message() -> None:
    meetings = tuple(_meeting(n, outlets=40, status=ANNOUNCED) for n in range(10))
    page = timeline_html(Timeline(TimelineQuery("Varga"), PERSON, meetings=meetings))
    shown = visible_text(page)
    assert html_error(page) is None and len(shown) <= 4096
    assert "announced: [1] [2] [3]" in shown and page.count("<a href=") == 400


def test_the_question_back_escapes_the_name() -> None:
    timeline = Timeline(TimelineQuery("<Kovacs>"), candidates=(PERSON, PERSON))
    assert which_one_html(timeline) == (
        "Several people in the articles are called <b>&lt;Kovacs&gt;</b>. Which one?"
    )
