"""Two `newsbot bot` processes in webhook mode on one PostgreSQL database, as behind a load
balancer, against the strict fake Bot API: a question taken by one and its follow-up by the
other is answered as one conversation; a feed due for both is polled once; a digest due for
both is sent once."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.telegram.loopback import FakeBotApi, Sent, serve
from ingest.pipeline import ingest
from retrieval.service import open_services
from tests.support.feeds import FeedServer, serve_feed
from tests.support.settings import ROOT, make_settings

TOKEN = "7272:TWO-INSTANCES"
SECRET = "balanced-Secret_1"
HOOK = "https://bots.example/newsbot/hook"
SAMPLES = ROOT / "samples" / "articles"
ASKER, SUBSCRIBER = 702, 701
DEADLINE = 240.0  # seconds for anything to happen: two bots start at once on two busy cores


class HeldFeed(FeedServer):
    """The loopback feed, whose body is sent only once the test lets it go: the first poll
    stays in the middle of its round for as long as the test needs."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def body(self) -> str:
        self.release.wait(DEADLINE)
        return super().body()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Instance:
    """One `newsbot bot` process: its own data dir (index files) and webhook port, the
    shared database."""

    def __init__(self, name: str, tmp: Path, env: dict[str, str]) -> None:
        self.name = name
        self.port = _free_port()
        self.log = tmp / f"{name}.log"
        env = {**env, "NEWSBOT_DATA_DIR": str(tmp / name), "WEBHOOK_PORT": str(self.port)}
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "bot"], env=env, cwd=ROOT,
                stdout=out, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip

    def text(self) -> str:
        return self.log.read_text()

    def up(self) -> bool:
        """Whether its webhook accepts connections (it listens once its start-up is done,
        digests caught up included). A process that died fails the test with its log."""
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited {self.process.returncode}:\n{self.text()}")
        with socket.socket() as probe:
            probe.settimeout(1.0)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def post(self, update: dict[str, Any]) -> None:
        """Telegram's POST of an update, as the balancer passes it to this instance."""
        reply = httpx.post(
            f"http://127.0.0.1:{self.port}/newsbot/hook", json=update, timeout=30.0,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )  # fmt: skip
        assert reply.status_code == 200, reply.text

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # PTB stops on SIGTERM as on SIGINT
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)


def until(condition: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    """Poll `condition` until it holds, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not in {timeout:.0f}s: {what}")
        time.sleep(0.1)


def _message(update_id: int, chat: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 9000 + update_id, "date": int(time.time()), "text": text,
            "chat": {"id": chat, "type": "private", "first_name": "Rui"},
            "from": {"id": chat, "is_bot": False, "first_name": "Rui"},
        },
    }  # fmt: skip


def _digest(sent: Sent) -> bool:
    return sent.text.startswith("Your news digest")


def _seed(db_url: str, tmp: Path) -> None:
    """The sample articles in the shared database (ingested by a first machine, whose data
    dir the first instance keeps), and a chat whose digest was due half an hour ago."""
    services = open_services(make_settings(tmp / "one", db_url))
    try:
        ingest([str(SAMPLES)], services.settings.ingest, services.store, services.embedder)
        due = (datetime.now(UTC) - timedelta(minutes=30)).time().replace(second=0, microsecond=0)
        services.subscriptions.set_timezone(SUBSCRIBER, "UTC")
        services.subscriptions.subscribe(SUBSCRIBER, due, [])
    finally:
        services.close()


@contextlib.contextmanager
def two_instances(
    db_url: str, tmp: Path, base_url: str, feed_url: str
) -> Iterator[tuple[Instance, Instance]]:
    env = {**os.environ, "DATABASE_URL": db_url, "EMBEDDING_MODEL": "hash:384",
           "ANSWER_WORKERS": "0", "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url,
           "WEBHOOK_URL": HOOK, "WEBHOOK_SECRET": SECRET, "DIGEST_GRACE_HOURS": "6",
           "FEEDS": feed_url, "FEED_INTERVAL": "60", "FETCH_ALLOW_PRIVATE": "true",
           "FETCH_TIMEOUT": str(DEADLINE), "EXTRACT_EVENTS": "false"}  # fmt: skip
    one = Instance("one", tmp, env)
    two = Instance("two", tmp, env)
    try:
        yield one, two
    finally:
        for instance in (one, two):
            instance.stop()


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_instances_answer_a_follow_up_poll_once_and_send_one_digest(
    db_url: str, tmp_path: Path
) -> None:
    _seed(db_url, tmp_path)
    feed = HeldFeed()
    api: FakeBotApi
    with serve(TOKEN) as (api, base_url), serve_feed(feed) as feed_url:
        for chat in (ASKER, SUBSCRIBER):
            api.chats[chat] = api.private(chat)
        try:
            with two_instances(db_url, tmp_path, base_url, feed_url) as (one, two):
                until(lambda: one.up() and two.up(), "both webhooks listening")

                # A question to one instance, its follow-up to the other.
                one.post(_message(1, ASKER, "When did Elena Brandt meet Kenji Arakawa?"))
                until(lambda: len(api.sent_to(ASKER)) == 1, "the answer from instance one")
                two.post(_message(2, ASKER, "And where?"))
                until(lambda: len(api.sent_to(ASKER)) == 2, "the follow-up from instance two")

                # The feed, due for both: one round fetches it (held there by the feed), the
                # other instance's round finds the round taken.
                until(lambda: len(feed.requests) == 1, "a poll of the feed")
                skipped = "feeds due, but another instance is polling them"
                until(lambda: skipped in one.text() + two.text(), "the other instance's round")
                feed.release.set()
                done = f"feed {feed_url}: new, 2 new"
                until(lambda: done in one.text() + two.text(), "the poll's end")
                polls = [done in i.text() for i in (one, two)]
                refused = [skipped in i.text() for i in (one, two)]
                logs = {i.name: i.text() for i in (one, two)}
        finally:
            feed.release.set()
    when, where = api.sent_to(ASKER)
    assert "14 May 2024" in when.text
    assert "Berlin" in where.text, where.text  # the context came from the other instance
    assert len(feed.requests) == 1 and sorted(polls) == [False, True]
    assert refused == [not p for p in polls], logs
    # Both found the digest missed at start-up: one sent it, and the other either found it
    # in the delivery log already or lost the claim to it ("skipped").
    assert sum(map(_digest, api.sent_to(SUBSCRIBER))) == 1
    caught_up = sorted(
        next(line for line in log.splitlines() if "missed ones caught up" in line).split(": ")[-1]
        for log in logs.values()
    )
    assert caught_up in (["['sent']", "[]"], ["['sent']", "['skipped']"]), logs
