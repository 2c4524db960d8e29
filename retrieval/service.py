"""The services every entry point uses (the `newsbot` commands, the terminal chat, the bot and
its answer workers): built once per process by `open_services`, shared by threads under one
readers/writer lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from retrieval.config import Settings, StoreSettings
from retrieval.digest.subscriptions import Subscriptions
from retrieval.meetings.timeline import Timeline, TimelineQuery, build_timeline
from retrieval.nlp import QuestionParser, load_nlp
from retrieval.qa.answer import Answer, Answerer
from retrieval.qa.questions import QuestionReader
from retrieval.qa.search import Hit, Searcher
from retrieval.state.activity import Activity
from retrieval.state.feeds import FeedStates
from retrieval.state.links import Links
from retrieval.state.turns import ChatTurns
from retrieval.store import Store
from retrieval.store.db import parse_url, require_database
from retrieval.store.embedder import Embedder, QueryBatcher, known_space, load_embedder
from retrieval.store.onnx import OnnxEmbedder

__all__ = ["Answering", "Services", "SharedLock", "open_services", "rebuild_index"]


class SharedLock:
    """Many readers or one writer: answers are computed in several threads at once, and the
    index and the lexical segments are swapped for newer ones only while none is running."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the lock shared."""
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the lock alone."""
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._writer = True  # new readers wait from here on
            while self._readers:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


@dataclass(frozen=True)
class Answering:
    """The parts that answer: the embedder (queries asked at once encoded together), the
    searcher over the store's indexes, and the answerer (spaCy reading the questions)."""

    embedder: QueryBatcher
    searcher: Searcher
    answerer: Answerer


@dataclass
class Services:
    """The objects a front end needs, created once per process. The answering parts
    (`embedder`, `searcher`, `answerer`: the model, the indexes, spaCy) are loaded by
    `open_services`, or, in a process that seldom needs them (the bot's own, when answer
    workers answer), at their first use."""

    settings: Settings
    store: Store
    activity: Activity
    subscriptions: Subscriptions
    lock: SharedLock = field(default_factory=SharedLock)
    _answering: Answering | None = field(default=None, repr=False)
    _inner: Embedder | None = field(default=None, repr=False)  # loaded before the store
    _loading: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def answering(self) -> Answering:
        """The answering parts, loaded now if they are not yet (once, whichever thread asks)."""
        if self._answering is None:
            with self._loading:
                if self._answering is None:
                    self._answering = _load_answering(self.settings, self.store, self._inner)
                    self._inner = None
        return self._answering

    @property
    def answers_loaded(self) -> bool:
        """Whether this process has loaded the answering parts."""
        return self._answering is not None

    @property
    def embedder(self) -> QueryBatcher:
        """The embedding model (loaded at first use; see the class)."""
        return self.answering().embedder

    @property
    def searcher(self) -> Searcher:
        """Passage search over the store's indexes (loaded at first use)."""
        return self.answering().searcher

    @property
    def answerer(self) -> Answerer:
        """The answer service (loaded at first use)."""
        return self.answering().answerer

    def refresh(self) -> bool:
        """Pick up what another process ingested (a newer index, new lexical segments);
        returns whether anything was reloaded. Safe to call from any thread. Nothing to do
        before the answering parts are loaded: they load the newest then."""
        if self._answering is None:
            return False
        if not (self.store.index_changed() or self.searcher.stale()):
            return False
        with self.lock.writing():
            self.store.reload_if_changed()
            self.searcher.refresh()
        return True

    def ask(self, text: str, previous: Answer | None = None, explain: bool = False) -> Answer:
        """Answer a question (`previous`: the conversation's last answer, for a follow-up;
        `explain`: record why); safe to call from several threads at once."""
        answerer = self.answerer
        self.refresh()
        with self.lock.reading():
            return answerer.ask(text, previous=previous, explain=explain)

    def search(self, text: str, k: int) -> list[Hit]:
        """Passages for a query; safe to call from several threads at once."""
        searcher = self.searcher
        self.refresh()
        with self.lock.reading():
            return searcher.search(text, k)

    def hits(self, passage_ids: list[int]) -> dict[int, Hit]:
        """Stored passages by id, as hits (the ones deleted since are missing)."""
        return self.store.hits(passage_ids)

    def timeline(self, query: TimelineQuery, person: str | None = None) -> Timeline:
        """Someone's meetings, newest first (`person`: the key of the one chosen when the
        name stands for several); read from the events table only, so no lock is needed."""
        return build_timeline(self.store, query, person)

    def feed_states(self) -> FeedStates:
        """The polled feeds' state (table `feeds`)."""
        return FeedStates(self.store.sessions)

    def chat_turns(self) -> ChatTurns:
        """Each chat's last question, for follow-ups on any instance (table `chat_turns`)."""
        return ChatTurns(self.store.sessions)

    def links(self) -> Links:
        """Links users sent to add as articles, and what they added (table `link_submissions`)."""
        return Links(self.store.sessions)

    def close(self) -> None:
        """Release the database connections."""
        self.store.close()


def open_services(settings: Settings, create: bool = True, answering: bool = True) -> Services:
    """Load the embedder and the spaCy pipeline, open the store (repairing the index if
    needed). With the default settings nothing here imports torch: the bundled model runs on
    ONNX Runtime (exported once, in a child process, the first time). Without `create` (a
    command that only reads), a SQLite database that does not exist is a ConfigError; the
    settings' own faults (a bad URL, a bad or corrupt model) are reported before it. Without
    `answering`, only the database is opened: the answering parts load at their first use
    (`Services.answering`); the model is not loaded either when its name and dimension are
    known without it (the bundled one on ONNX Runtime, the fake)."""
    stored = settings.store
    parse_url(stored.db_url)
    space = None if answering else known_space(stored)
    inner = load_embedder(stored) if space is None else None
    if inner is not None:
        space = (inner.name, inner.dim)
    assert space is not None
    if not create:
        require_database(stored.db_url)
    store = Store.connect(
        stored.db_url, stored.index_dir, *space, lock_timeout=stored.lock_timeout, create=create
    )
    services = Services(
        settings, store, Activity(store.sessions), Subscriptions(store.sessions), _inner=inner
    )
    if answering:
        try:
            services.answering()
        except BaseException:
            store.close()
            raise
    return services


def _load_answering(settings: Settings, store: Store, inner: Embedder | None) -> Answering:
    """The embedder (`inner`, or the one the settings name), the store's indexes loaded (and
    repaired if needed), the searcher, spaCy and the answerer."""
    inner = inner if inner is not None else load_embedder(settings.store)
    # Queries asked at once (the bot answers in several threads) are encoded together.
    embedder = QueryBatcher(inner)
    store.open_index()
    if isinstance(inner, OnnxEmbedder):
        note = inner.manifest.note()
        if store.encoders().get(inner.runtime) != note:
            store.record_encoder(inner.runtime, note)
    # Services.refresh takes up new lexical segments while no search runs.
    searcher = Searcher(store, embedder, settings.search.mode, auto_refresh=False)
    answerer = Answerer(searcher, QuestionReader(QuestionParser(load_nlp())))
    return Answering(embedder, searcher, answerer)


def rebuild_index(settings: StoreSettings, reencode: bool = False) -> int:
    """Rebuild the FAISS index from the stored vectors (with `reencode`, encode every passage
    again with the configured model first, after a model change); the passages indexed.
    Running services pick the new index up at their next refresh."""
    embedder = load_embedder(settings)
    # Not Store.open: that would load (and maybe repair) the index about to be replaced, and
    # refuse a model other than the stored vectors'.
    store = Store.connect(
        settings.db_url, settings.index_dir, embedder.name, embedder.dim, settings.lock_timeout
    )
    try:
        return store.rebuild_index(embedder if reencode else None)
    finally:
        store.close()
