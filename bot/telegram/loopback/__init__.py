"""A strict fake of Telegram's Bot API on loopback, and the real bot run against it: for the
tests, the benchmark (bench/bot.py) and the documents generated in docs/, none of which may
reach Telegram. It ships with the package (as httpx ships `MockTransport`) because bench/ and
docs/ use it and never import from tests/."""

from bot.telegram.loopback.faults import TIMEOUT, Faults
from bot.telegram.loopback.messages import BOT, Sent
from bot.telegram.loopback.parse import html_error, utf16_len, visible_text
from bot.telegram.loopback.rules import ApiError
from bot.telegram.loopback.run import SAMPLES, polling, sample_services, serve, wait
from bot.telegram.loopback.server import FakeBotApi

__all__ = [
    "BOT",
    "SAMPLES",
    "TIMEOUT",
    "ApiError",
    "FakeBotApi",
    "Faults",
    "Sent",
    "html_error",
    "polling",
    "sample_services",
    "serve",
    "utf16_len",
    "visible_text",
    "wait",
]
