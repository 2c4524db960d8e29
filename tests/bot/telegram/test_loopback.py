"""The fake Bot API refuses what Telegram refuses, with Telegram's texts."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest

from bot.telegram.loopback import TIMEOUT, FakeBotApi, Faults, html_error, serve, visible_text


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ('<a href="x">t</a> <blockquote expandable>q &amp; a</blockquote>', True),
        ("<script>x</script>", False),
        ("<b>unclosed", False),
        ("<b>bad</i>", False),
        ("a & b", True),  # Telegram tolerates a bare ampersand followed by a space
        ("&nbsp;", False),
        ("1 < 2", False),
        ("<a>no href</a>", False),
        ("&#128512; &quot;q&quot;", True),
    ],
)
def test_html_checked_as_telegram_does(text: str, ok: bool) -> None:
    assert (html_error(text) is None) is ok


def test_visible_text_is_what_the_user_sees() -> None:
    assert visible_text("<b>A &amp; B</b> &lt;3 &#128512;") == "A & B <3 😀"


@pytest.mark.parametrize(
    ("params", "status", "description"),
    [
        ({"text": "hi"}, 400, "Bad Request: chat_id is empty"),
        ({"chat_id": 9, "text": "hi"}, 400, "Bad Request: chat not found"),
        ({"chat_id": 1, "text": "  "}, 400, "Bad Request: message text is empty"),
        ({"chat_id": 1, "text": "<b></b>", "parse_mode": "HTML"}, 400,
         "Bad Request: message text is empty"),
        ({"chat_id": 1, "text": "x" * 4097}, 400, "Bad Request: message is too long"),
        ({"chat_id": 1, "text": "😀" * 2049}, 400, "Bad Request: message is too long"),
        ({"chat_id": 1, "text": "<i>x", "parse_mode": "HTML"}, 400,
         'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "i"'),
        ({"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": [[
            {"text": "b", "callback_data": "d" * 65}]]}}, 400, "Bad Request: BUTTON_DATA_INVALID"),
        ({"chat_id": 1, "text": "<b>" + "x" * 4096 + "</b>", "parse_mode": "HTML"}, 200, None),
    ],
)  # fmt: skip
def test_send_message_rejections(params: dict[str, object], status: int, description: str) -> None:
    with serve("1:T") as (api, base_url):
        api.chats[1] = api.private(1)
        response = httpx.post(f"{base_url}1:T/sendMessage", json=params)
    assert response.status_code == status
    assert response.json().get("description") == description


def test_faults_wrong_token_and_blocked_chat() -> None:
    with serve("1:T") as (api, base_url):
        api.chats[1] = api.private(1)
        api.fail("sendMessage", 429, retry_after=3)
        flood = httpx.post(f"{base_url}1:T/sendMessage", json={"chat_id": 1, "text": "a"})
        api.block(1)
        blocked = httpx.post(f"{base_url}1:T/sendMessage", json={"chat_id": 1, "text": "a"})
        wrong = httpx.post(f"{base_url}2:X/getMe")
    assert flood.status_code == 429 and flood.json()["parameters"] == {"retry_after": 3}
    assert blocked.json()["description"] == "Forbidden: bot was blocked by the user"
    assert wrong.status_code == 401


def _draws(faults: Faults, calls: int = 2000) -> list[int | str | None]:
    return [faults.pick("sendMessage", chat, n) for chat in range(20) for n in range(calls // 20)]


def test_seeded_faults_hit_their_rate_evenly_and_repeat_by_seed() -> None:
    faults = Faults(rate=0.1, seed=7)
    draws = _draws(faults)
    kinds = Counter(d for d in draws if d is not None)
    assert 150 <= sum(kinds.values()) <= 250  # 10 % of 2,000, give or take
    assert set(kinds) == {429, 502, TIMEOUT} and min(kinds.values()) >= 40
    assert _draws(Faults(rate=0.1, seed=7)) == draws  # the same seed, the same faults
    assert _draws(Faults(rate=0.1, seed=8)) != draws
    assert _draws(Faults(rate=0.0)) == [None] * 2000
    assert Faults(rate=1.0, methods=frozenset({"getMe"})).pick("sendMessage", 1, 0) is None
    with pytest.raises(ValueError, match="fault rate"):
        Faults(rate=1.5)
    with pytest.raises(ValueError, match="fault kinds"):
        Faults(rate=0.1, kinds=(404,))


def test_no_faults_configured_answers_every_call() -> None:
    api = FakeBotApi("1:T")
    api.chats[1] = api.private(1)
    answers = [api.handle("1:T", "sendMessage", {"chat_id": 1, "text": "a"}) for _ in range(200)]
    assert {status for status, _ in answers} == {200} and api.injected == []


def test_injected_faults_over_http() -> None:
    every = {"chat_id": 1, "text": "a"}
    with serve("1:T", Faults(rate=1.0, kinds=(429,), retry_after=2)) as (api, base_url):
        api.chats[1] = api.private(1)
        flood = httpx.post(f"{base_url}1:T/sendMessage", json=every)
        api.inject(Faults(rate=1.0, kinds=(502,)))
        bad_gateway = httpx.post(f"{base_url}1:T/sendMessage", json=every)
        api.inject(Faults(rate=1.0, kinds=(TIMEOUT,), delay=1.0))
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{base_url}1:T/sendMessage", json=every, timeout=0.3)
        api.wait_for(lambda fake: len(fake.sent) == 1, timeout=5)  # delivered all the same
        started = time.monotonic()
        late = httpx.post(f"{base_url}1:T/sendMessage", json=every, timeout=5)
        waited = time.monotonic() - started
        api.inject(None)
        fine = httpx.post(f"{base_url}1:T/sendMessage", json=every)
    assert flood.status_code == 429 and flood.json()["parameters"] == {"retry_after": 2}
    assert bad_gateway.status_code == 502 and bad_gateway.json()["description"] == "Bad Gateway"
    assert late.status_code == 200 and waited >= 1.0  # a second late
    assert fine.status_code == 200 and len(api.sent) == 3
    assert [kind for _, _, kind in api.injected] == [429, 502, TIMEOUT, TIMEOUT]


def test_a_queued_timeout_is_delivered_and_answered_late() -> None:
    api = FakeBotApi("1:T")
    api.chats[1] = api.private(1)
    api.fail("sendMessage", TIMEOUT, delay=0.5)
    started = time.monotonic()
    status, _ = api.handle("1:T", "sendMessage", {"chat_id": 1, "text": "a"})
    assert status == 200 and time.monotonic() - started >= 0.5 and len(api.sent) == 1
