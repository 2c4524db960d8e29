"""What the fake Bot API accepts and how it refuses, with Telegram's own error texts: the
error answer (`ApiError`, and the 429 / 5xx ones faults inject), the limits (text length,
chat actions, the parameters sent as JSON), and the checks of a message's text and inline
keyboard, of bot commands and of a webhook. Pure: the server's state is in api.py."""

from __future__ import annotations

import re
from typing import Any

from bot.telegram.loopback.parse import html_error, utf16_len, visible_text

__all__ = [
    "CHAT_ACTIONS",
    "INLINE_ANSWER_SECONDS",
    "JSON_FIELDS",
    "MAX_INLINE_RESULTS",
    "MAX_TEXT",
    "NOT_MODIFIED",
    "QUERY_INVALID",
    "ApiError",
    "check_chat_action",
    "check_commands",
    "check_inline_answer",
    "check_markup",
    "check_webhook",
    "error_answer",
    "message_text",
]

MAX_TEXT = 4096
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice",
                "upload_voice", "upload_document", "choose_sticker", "find_location",
                "record_video_note", "upload_video_note"}  # fmt: skip
# Parameters python-telegram-bot sends as JSON inside form fields.
JSON_FIELDS = {"reply_markup", "commands", "entities", "link_preview_options", "reply_parameters",
               "allowed_updates", "scope", "results", "button"}  # fmt: skip
MAX_INLINE_RESULTS = 50
_CANT_PARSE_RESULT = "Bad Request: can't parse inline query result: Can't find field"
# Telegram drops an inline query it got no answer to in about ten seconds.
INLINE_ANSWER_SECONDS = 10.0
_RESULT_TYPES = {"article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document",
                 "location", "venue", "contact", "game", "sticker"}  # fmt: skip
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_FIVE_XX = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Bot API error answer."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def error_answer(status: int, retry_after: int) -> ApiError:
    """A 429 asking to wait `retry_after` seconds, or a 5xx, with Telegram's texts."""
    if status == 429:
        return ApiError(
            429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )
    return ApiError(status, _FIVE_XX.get(status, "Internal Server Error"))


def message_text(params: dict[str, Any]) -> tuple[str, str]:
    """A sent or edited message's (raw text, text a user sees), its parse mode and length
    checked after parsing, and its keyboard checked."""
    raw = str(params.get("text") or "")
    if params.get("parse_mode") == "HTML":
        if error := html_error(raw):
            raise ApiError(400, f"Bad Request: can't parse entities: {error}")
        text = visible_text(raw)
    elif params.get("parse_mode"):
        raise ApiError(400, f"Bad Request: unsupported parse_mode {params['parse_mode']}")
    else:
        text = raw.strip()
    if not text:
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    check_markup(params.get("reply_markup"))
    return raw, text


def check_markup(markup: Any) -> None:
    """An inline keyboard (or none): every button has a text, and callback data of 1 to 64
    bytes or a URL."""
    if markup is None:
        return
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for button in (b for row in rows for b in row):
        if not str(button.get("text") or "").strip():
            raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if data is None and not button.get("url"):
            raise ApiError(400, 'Bad Request: can\'t find field "callback_data"')


def check_chat_action(action: Any) -> None:
    """One of the chat actions Telegram knows."""
    if action not in CHAT_ACTIONS:
        raise ApiError(400, "Bad Request: wrong parameter action in request")


def check_commands(commands: list[dict[str, Any]]) -> None:
    """setMyCommands' list: each command 1 to 32 of a-z, 0-9, _, with a description of 1 to
    256 characters."""
    for command in commands:
        if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(command.get("description", "")) <= 256:
            raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")


def check_webhook(url: str, secret: Any) -> None:
    """setWebhook's URL (HTTPS, or empty to remove it) and secret token."""
    if url and not url.startswith("https://"):
        raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        raise ApiError(400, "Bad Request: secret token contains unallowed characters")


def check_inline_answer(params: dict[str, Any]) -> list[dict[str, Any]]:
    """answerInlineQuery's results (returned) and options: at most 50 results, each of a
    known type with an id of 1 to 64 bytes unique among them; an article has a title and
    message content checked as a sent message would be; the button above the results opens
    the bot with a start parameter of 1 to 64 of A-Z, a-z, 0-9, _ and -."""
    results = params.get("results")
    if not isinstance(results, list):
        raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
    ids: set[str] = set()
    for result in results:
        if not isinstance(result, dict) or "id" not in result:
            raise ApiError(400, f'{_CANT_PARSE_RESULT} "id"')
        result_id = str(result["id"])
        if not 1 <= len(result_id.encode()) <= 64:
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if result_id in ids:
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        ids.add(result_id)
        if result.get("type") not in _RESULT_TYPES:
            raise ApiError(400, "Bad Request: RESULT_TYPE_INVALID")
        if result["type"] == "article":
            if not str(result.get("title") or "").strip():
                raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
            content = result.get("input_message_content")
            if not isinstance(content, dict) or "message_text" not in content:
                raise ApiError(400, f'{_CANT_PARSE_RESULT} "input_message_content"')
            message_text({"text": content["message_text"], "parse_mode": content.get("parse_mode"),
                          "reply_markup": result.get("reply_markup")})  # fmt: skip
    button = params.get("button")
    if button is not None:
        if not isinstance(button, dict) or not str(button.get("text") or "").strip():
            raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
        start = button.get("start_parameter")
        if start is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(start)):
            raise ApiError(400, "Bad Request: START_PARAM_INVALID")
        if start is None and "web_app" not in button:
            raise ApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
    if len(str(params.get("next_offset") or "").encode()) > 64:
        raise ApiError(400, "Bad Request: NEXT_OFFSET_INVALID")
    return results
