"""The fake Bot API refuses what Telegram refuses, with Telegram's texts."""

from __future__ import annotations

import httpx
import pytest

from bot.telegram.loopback import html_error, serve, visible_text


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
