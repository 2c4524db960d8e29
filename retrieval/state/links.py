"""Links users send the bot to add as articles (table `link_submissions`): each one recorded
when it arrives, before it is fetched, so that the per-user hourly limit holds for links sent
at once and on any instance; what came of it (added, known, refused, failed) recorded after.

Also what the bot says about the article a link added (`LinkedArticle`: headline, outlet,
date, the meetings it reports), and the chat's follow-up context that makes the next
questions prefer it (`link_turn`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from retrieval.qa.questions import Period, Question
from retrieval.store.db import Tables
from retrieval.store.event_repo import Events
from retrieval.store.events import StoredEvent, normalize_name
from retrieval.store.models import Article, LinkSubmission, Passage

__all__ = [
    "ADDED",
    "FAILED",
    "KNOWN",
    "PENDING",
    "REFUSED",
    "LinkedArticle",
    "Links",
    "link_turn",
]

PENDING, ADDED, KNOWN, REFUSED, FAILED = "pending", "added", "known", "refused", "failed"


@dataclass(frozen=True)
class LinkedArticle:
    """A stored article as the reply to its link shows it."""

    article_id: int
    title: str
    outlet: str | None
    url: str | None
    published_at: datetime | None
    events: tuple[StoredEvent, ...]

    @property
    def lead_people(self) -> tuple[str, ...]:
        """The people of its first meeting (in the order of its passages), once each."""
        seen: dict[str, str] = {}
        for person in self.events[0].people if self.events else ():
            seen.setdefault(normalize_name(person), person)
        return tuple(seen.values())


class Links(Tables):
    """Reads and writes link submissions, and reads the articles they added."""

    def start(self, user_id: int, chat_id: int, url: str) -> int:
        """Record a link as it arrives (it counts from now on); its id."""
        with self.sessions() as session:
            row = LinkSubmission(user_id=user_id, chat_id=chat_id, url=url[:2048], at=self.now(),
                                 status=PENDING)  # fmt: skip
            session.add(row)
            session.commit()
            return row.id

    def finish(
        self,
        submission_id: int,
        status: str,
        reason: str | None = None,
        article_id: int | None = None,
    ) -> None:
        """Record what came of a link."""
        with self.sessions() as session:
            row = session.get(LinkSubmission, submission_id)
            if row is not None:
                row.status, row.article_id = status, article_id
                row.reason = reason[:500] if reason else None
                session.commit()

    def sent_since(
        self, user_id: int, since: datetime, exclude: str | None = None
    ) -> list[datetime]:
        """When the user's links since `since` arrived (but those with status `exclude`),
        oldest first."""
        query = select(LinkSubmission.at).where(
            LinkSubmission.user_id == user_id, LinkSubmission.at >= since
        )
        if exclude is not None:
            query = query.where(LinkSubmission.status != exclude)
        with self.sessions() as session:
            return list(session.scalars(query.order_by(LinkSubmission.at, LinkSubmission.id)))

    def count(self, status: str | None = None) -> int:
        """How many links were recorded (with that status)."""
        query = select(func.count()).select_from(LinkSubmission)
        if status is not None:
            query = query.where(LinkSubmission.status == status)
        with self.sessions() as session:
            return int(session.scalar(query) or 0)

    def find(self, key: str, content_hash: str) -> int | None:
        """The stored article with that key (its URL), else one with the same content."""
        with self.sessions() as session:
            found = session.scalar(select(Article.id).where(Article.key == key))
            if found is None:
                found = session.scalar(
                    select(Article.id)
                    .where(Article.content_hash == content_hash)
                    .order_by(Article.id)
                    .limit(1)
                )
        return found

    def article(self, article_id: int) -> LinkedArticle | None:
        """The article with the meetings found in it, if it is stored."""
        with self.sessions() as session:
            row = session.get(Article, article_id)
            if row is None:
                return None
            passages = session.scalars(
                select(Passage.id).where(Passage.article_id == article_id)
            ).all()
            article = (row.id, row.title, row.outlet, row.url, row.published_at)
        events = Events(self.sessions).of_passages(list(passages))
        return LinkedArticle(*article, events=tuple(events))


def link_turn(article: LinkedArticle) -> Question:
    """The follow-up context a link leaves in its chat: a question as if about the article,
    which a follow-up ("Where did they meet?") borrows (retrieval/qa/questions.py): its
    headline as text, which the follow-up is searched with (retrieval/qa/answer.py joins the
    two), the people of its first meeting as names (only those: a meeting answer requires
    every name, and an article of two meetings names people who never met), and the days of
    its meetings (else its publication day) as the period, so that of those people's
    meetings, the article's are the ones that fit. (Ranking by the headline alone lost to an
    older article on the same two people.)"""
    people = article.lead_people
    days = sorted(e.when for e in article.events if e.when is not None)
    if not days and article.published_at is not None:
        days = [article.published_at.date()]
    return Question(
        text=article.title,
        kind="other",
        meeting=bool(article.events),
        names=people,
        persons=frozenset(people),
        period=Period(days[0], days[-1]) if days else None,
    )
