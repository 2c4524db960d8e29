"""The fake Bot API's answerInlineQuery refuses what Telegram refuses, with Telegram's texts:
too many results, bad or repeated result ids, an article without a title or with bad HTML,
a bad start parameter, and an answer to a query that is unknown, answered or too old."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.telegram.loopback import api as fake_api
from bot.telegram.loopback import serve


def _article(result_id: str = "r1", title: str = "T", text: str = "<b>hi</b>") -> dict[str, Any]:
    return {"type": "article", "id": result_id, "title": title,
            "input_message_content": {"message_text": text, "parse_mode": "HTML"}}  # fmt: skip


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"results": [_article(f"r{n}") for n in range(51)]}, "Bad Request: RESULTS_TOO_MUCH"),
        ({"results": [_article("x" * 65)]}, "Bad Request: RESULT_ID_INVALID"),
        ({"results": [_article("")]}, "Bad Request: RESULT_ID_INVALID"),
        ({"results": [_article("same"), _article("same")]}, "Bad Request: RESULT_ID_DUPLICATE"),
        ({"results": [{"type": "article", "title": "T"}]},
         "Bad Request: can't parse inline query result: Can't find field \"id\""),
        ({"results": [{**_article(), "type": "poll"}]}, "Bad Request: RESULT_TYPE_INVALID"),
        ({"results": [_article(title=" ")]}, "Bad Request: RESULT_TITLE_EMPTY"),
        ({"results": [{"type": "article", "id": "r", "title": "T"}]},
         "Bad Request: can't parse inline query result: Can't find field "
         "\"input_message_content\""),
        ({"results": [_article(text="<b>open")]},
         'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"'),
        ({"results": [], "button": {"text": "Ask", "start_parameter": "has space"}},
         "Bad Request: START_PARAM_INVALID"),
        ({"results": [], "button": {"text": "", "start_parameter": "ok"}},
         "Bad Request: BUTTON_TEXT_INVALID"),
        ({"results": [], "next_offset": "o" * 65}, "Bad Request: NEXT_OFFSET_INVALID"),
    ],
)  # fmt: skip
def test_answer_inline_query_rejections(params: dict[str, Any], description: str) -> None:
    with serve("1:T") as (api, base_url):
        query_id = api.push_inline(5, "who met whom")
        response = httpx.post(
            f"{base_url}1:T/answerInlineQuery", json={"inline_query_id": query_id, **params}
        )
        assert response.status_code == 400
        assert response.json()["description"] == description
        # A refused answer leaves the query open: a good one is still taken.
        good = httpx.post(
            f"{base_url}1:T/answerInlineQuery",
            json={"inline_query_id": query_id, "results": [_article()]},
        )
        assert good.json() == {"ok": True, "result": True}
        assert api.inline_answers[query_id]["results"][0]["id"] == "r1"


def test_a_query_is_answered_once_and_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    with serve("1:T") as (api, base_url):
        url = f"{base_url}1:T/answerInlineQuery"
        query_id = api.push_inline(5, "who met whom")
        assert httpx.post(url, json={"inline_query_id": query_id, "results": []}).status_code == 200
        again = httpx.post(url, json={"inline_query_id": query_id, "results": []})
        assert again.json()["description"] == too_old
        unknown = httpx.post(url, json={"inline_query_id": "424242", "results": []})
        assert unknown.json()["description"] == too_old
        monkeypatch.setattr(fake_api, "INLINE_ANSWER_SECONDS", 0.0)  # every answer is late
        late = api.push_inline(5, "who met whom")
        assert (
            httpx.post(url, json={"inline_query_id": late, "results": []}).json()["description"]
            == too_old
        )
        update = api.updates[-1]["inline_query"]
        assert update["id"] == late and update["query"] == "who met whom"
