"""A daily digest as Telegram HTML: its stories, each with a headline, one or two sentences,
the meetings in it with their resolved dates, and a link to every outlet's article."""

from __future__ import annotations

import html
from datetime import date

from retrieval.digest.stories import Story
from retrieval.digest.topics import describe
from retrieval.qa.compose import long_date, pair, verb
from retrieval.store.events import StoredEvent

__all__ = ["NOTHING_NEW", "digest_html", "event_line", "story_html"]

NOTHING_NEW = "Nothing new since your last digest."


def event_line(event: StoredEvent) -> str:
    """'Ingrid Solvang and Marc Delorme met in Oslo on Wednesday 12 March 2025'."""
    line = f"{pair(event)} {verb(event)}"
    if event.where:
        line += f" in {event.where}"
    if event.when:
        line += f" on {long_date(event.when)}"
    return line


def story_html(n: int, story: Story) -> str:
    """One numbered story."""
    outlets = len(story.outlets)
    carried = f" — {outlets} outlets" if outlets > 1 else ""
    lines = [f"<b>{n}. {html.escape(story.headline)}</b>{carried}"]
    if story.summary:
        lines.append(html.escape(story.summary[0]))
    lines.extend(f"🤝 {html.escape(event_line(e))}" for e in story.events[:3])
    links = []
    for article in story.articles:
        name = html.escape(article.outlet or article.title)
        links.append(
            f'<a href="{html.escape(article.url, quote=True)}">{name}</a>' if article.url else name
        )
    lines.append(" · ".join(links))
    return "\n".join(lines)


def digest_html(
    stories: list[Story], day: date, articles: int, topics: tuple[str, ...], limit: int = 8
) -> str:
    """The whole digest: a heading, then the stories (at most `limit`), best first."""
    about = f" on {html.escape(describe(topics))}" if topics else ""
    head = f"<b>Your news digest{about}</b> — {day.strftime('%a %-d %b %Y')}"
    shown = stories[:limit]
    count = (
        f"<i>{len(stories)} stor{'y' if len(stories) == 1 else 'ies'} from {articles} "
        f"new article{'' if articles == 1 else 's'}"
        + (f"; the top {len(shown)}" if len(shown) < len(stories) else "")
        + "</i>"
    )
    return "\n\n".join([head, count, *(story_html(n, s) for n, s in enumerate(shown, 1))])
