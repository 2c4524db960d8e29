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
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.telegram import digests
from bot.telegram.context import DIGEST_SENDS
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


def _data_dir(tmp_path: Path, at: time) -> Path:
    """The sample articles, just ingested, and CHATS subscribed at `at` UTC."""
    data = tmp_path / "data"
    services = open_services(make_settings(data))
    try:
        ingest([str(SAMPLES)], services.settings.ingest, services.store, services.embedder)
        for chat in CHATS:
            services.subscriptions.set_timezone(chat, "UTC")
            services.subscriptions.subscribe(chat, at, [])
    finally:
        services.close()
    return data


def _thirty_minutes_ago() -> time:
    """Due before the bot starts: its start-up catches the digests up, one chat after another."""
    return (datetime.now(UTC) - timedelta(minutes=30)).time().replace(second=0, microsecond=0)


def _next_minute() -> time:
    """Due once the bot is up (at least 20 s from now): its jobs all run at that minute."""
    soon = datetime.now(UTC) + timedelta(seconds=80)
    return soon.time().replace(second=0, microsecond=0)


def _start(data: Path, base_url: str, log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(data), "EMBEDDING_MODEL": "hash:384",
           "ANSWER_WORKERS": "0", "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url,
           "DIGEST_GRACE_HOURS": "6"}  # fmt: skip
    env.pop("DATABASE_URL", None)
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "bot"], env=env, cwd=ROOT,
            stdout=out, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip


def _unfinished(data: Path) -> set[int]:
    services = open_services(make_settings(data))
    try:
        return {chat for chat, _, _ in Subscriptions(services.store.sessions).unfinished()}
    finally:
        services.close()


def _kill_mid_run_and_restart(data: Path, tmp_path: Path) -> tuple[Counter[int], set[int], str]:
    """Start the bot, SIGKILL it from the fake server while the KILL_AT-th digest is being
    sent, start it again and let it catch up; the digests each chat got, the chats whose
    claim the kill left unfinished, and the restarted bot's log."""
    with serve(TOKEN) as (api, base_url):
        for chat in CHATS:
            api.chats[chat] = api.private(chat)
        first = _start(data, base_url, tmp_path / "first.log")
        seen: list[int] = []

        def kill_mid_run(sent: Sent) -> None:
            # In the server, before the bot has its answer: the bot dies with this send
            # delivered and not yet recorded.
            if _digest(sent):
                seen.append(sent.chat_id)
                if len(seen) == KILL_AT:
                    first.send_signal(signal.SIGKILL)

        api.on_send = kill_mid_run
        try:
            first.wait(timeout=240)
        finally:
            first.kill()
        assert first.returncode == -signal.SIGKILL, (tmp_path / "first.log").read_text()
        api.on_send = None
        before = sum(map(_digest, api.sent))
        assert KILL_AT <= before < len(CHATS)  # some but not all
        unfinished = _unfinished(data)
        assert seen[KILL_AT - 1] in unfinished

        polls = api.calls.count("getUpdates")
        second = _start(data, base_url, tmp_path / "second.log")
        try:
            # Polling starts once the start-up catch-ups are done.
            api.wait_for(lambda fake: fake.calls.count("getUpdates") > polls + 1, timeout=180)
        finally:
            second.send_signal(signal.SIGINT)
            second.wait(timeout=60)
    got = Counter(s.chat_id for s in api.sent if _digest(s))
    print(  # the figures in docs/reliability.md (pytest -s)
        f"killed after {before} of {len(CHATS)} digests delivered, {len(unfinished)} claims "
        f"unfinished; after the restart {len(got)} chats have one, "
        f"{sum(n > 1 for n in got.values())} more than one"
    )
    return got, unfinished, (tmp_path / "second.log").read_text()


@pytest.mark.slow
def test_sigkill_during_the_start_up_catch_up_then_restart_sends_each_digest_once(
    tmp_path: Path,
) -> None:
    got, unfinished, log = _kill_mid_run_and_restart(
        _data_dir(tmp_path, _thirty_minutes_ago()), tmp_path
    )
    # One digest after another: the 11 before the kill recorded, the 12th delivered but not
    # recorded (unfinished, named in the log, not sent again), the rest sent by the restart.
    assert got == Counter(CHATS), {chat: n for chat, n in got.items() if n != 1}
    assert len(unfinished) == 1
    assert f"for chat {unfinished.pop()} was claimed at" in log


@pytest.mark.slow
def test_sigkill_while_the_jobs_of_one_minute_send_then_restart_sends_none_twice(
    tmp_path: Path,
) -> None:
    got, unfinished, log = _kill_mid_run_and_restart(_data_dir(tmp_path, _next_minute()), tmp_path)
    # The jobs run side by side: at the kill several sends may be in flight. None is sent
    # twice; a chat without its digest is one whose send the kill interrupted, named in the
    # log at the restart (at most once: never a second copy).
    assert max(got.values()) == 1
    missing = set(CHATS) - set(got)
    assert missing <= unfinished and len(unfinished) <= DIGEST_SENDS
    assert all(f"for chat {chat} was claimed at" in log for chat in unfinished)


def test_a_crash_while_building_leaves_no_claim_and_the_restart_sends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _data_dir(tmp_path, _thirty_minutes_ago())
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
