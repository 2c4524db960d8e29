"""A digest run cut short: the bot killed with SIGKILL while it sends the day's digests, then
started again on the same data dir. No chat gets that day's digest twice; every chat whose
digest was not being sent at the kill gets it from the restart (within the grace window)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.telegram import digests
from bot.telegram.loopback import Sent, polling, serve
from ingest.pipeline import ingest
from retrieval.digest.subscriptions import Subscriptions
from retrieval.service import open_services
from tests.support.settings import ROOT, make_settings

TOKEN = "5151:KILLED"
SAMPLES = ROOT / "samples" / "articles"
CHATS = list(range(601, 631))  # 30 chats, all due at the same minute
KILL_AT = 12  # the kill comes while the 12th digest is being sent


def _digest(sent: Sent) -> bool:
    return sent.text.startswith("Your news digest")


def _due_data_dir(tmp_path: Path) -> Path:
    """The sample articles, just ingested, and CHATS subscribed at a UTC time 30 minutes ago:
    every digest is due, and a bot that starts now catches them up."""
    data = tmp_path / "data"
    services = open_services(make_settings(data))
    try:
        ingest([str(SAMPLES)], services.settings.ingest, services.store, services.embedder)
        at = (datetime.now(UTC) - timedelta(minutes=30)).time().replace(second=0, microsecond=0)
        for chat in CHATS:
            services.subscriptions.set_timezone(chat, "UTC")
            services.subscriptions.subscribe(chat, at, [])
    finally:
        services.close()
    return data


def _start(data: Path, base_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(data), "EMBEDDING_MODEL": "hash:384",
           "ANSWER_WORKERS": "0", "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url,
           "DIGEST_GRACE_HOURS": "6"}  # fmt: skip
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "bot"], env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_sigkill_mid_digest_run_then_restart_sends_each_digest_once(tmp_path: Path) -> None:
    data = _due_data_dir(tmp_path)
    with serve(TOKEN) as (api, base_url):
        for chat in CHATS:
            api.chats[chat] = api.private(chat)
        first = _start(data, base_url)
        seen: list[int] = []

        def kill_mid_run(sent: Sent) -> None:
            # In the server, before the bot has its answer: the bot dies with the 12th send
            # delivered and not yet recorded, the 11 before it recorded, the rest not begun.
            if _digest(sent):
                seen.append(sent.chat_id)
                if len(seen) == KILL_AT:
                    first.send_signal(signal.SIGKILL)

        api.on_send = kill_mid_run
        try:
            first.wait(timeout=180)
        finally:
            first.kill()
            first.communicate()
        assert first.returncode == -signal.SIGKILL
        api.on_send = None
        delivered_before = Counter(s.chat_id for s in api.sent if _digest(s))
        assert sum(delivered_before.values()) == KILL_AT  # some but not all

        polls = api.calls.count("getUpdates")
        second = _start(data, base_url)
        try:
            # Polling starts once the start-up catch-ups are done.
            api.wait_for(lambda fake: fake.calls.count("getUpdates") > polls + 1, timeout=180)
        finally:
            second.send_signal(signal.SIGINT)
            _, stderr = second.communicate(timeout=60)

    digests_per_chat = Counter(s.chat_id for s in api.sent if _digest(s))
    assert digests_per_chat == Counter(CHATS), {c: n for c, n in digests_per_chat.items() if n != 1}
    # The one being sent at the kill is said to be unfinished, not sent again.
    interrupted = seen[-1]
    assert f"for chat {interrupted} was claimed at" in stderr
    services = open_services(make_settings(data))
    try:
        unfinished = Subscriptions(services.store.sessions).unfinished()
    finally:
        services.close()
    assert [chat for chat, _, _ in unfinished] == [interrupted]


def test_a_crash_while_building_leaves_no_claim_and_the_restart_sends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _due_data_dir(tmp_path)
    with serve(TOKEN) as (api, base_url):
        chat = CHATS[0]
        for each in CHATS:
            api.chats[each] = api.private(each)
        services = open_services(
            make_settings(data, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url)
        )
        real_build = digests.build

        def dies(*args: Any) -> Any:
            raise RuntimeError("killed while building the digest")

        async def crash(application: Any) -> list[str]:
            monkeypatch.setattr(digests, "build", dies)
            with pytest.raises(RuntimeError, match="killed while building"):
                await digests.deliver(application, chat)
            monkeypatch.setattr(digests, "build", real_build)
            return await digests.restore(application)  # as a restart does

        async def main() -> list[str]:
            async with polling(services) as application:
                return await crash(application)

        try:
            restored = asyncio.run(main())
        finally:
            services.close()
    assert restored.count("sent") == len(CHATS)  # the crashed chat's included
    assert Counter(s.chat_id for s in api.sent if _digest(s)) == Counter(CHATS)
