"""Domain errors, translated into plain messages at the boundaries (CLI, bot handlers).

NewsbotError
 +-- ConfigError        a setting is missing or invalid
 +-- SourceError        one ingest source cannot be read or parsed (the rest go on)
 |    +-- FetchError    a URL could not be fetched, or was refused
 |    +-- NotAnArticle  a link fetched is a PDF, a video, a login wall... not one article
 +-- IndexError_        the vector index is missing, unreadable or built with another model
 +-- BotApiError        the Telegram Bot API refused the bot at start-up, or could not be reached
"""

from __future__ import annotations

__all__ = [
    "BotApiError",
    "ConfigError",
    "FetchError",
    "IndexError_",
    "NewsbotError",
    "NotAnArticle",
    "SourceError",
]


class NewsbotError(Exception):
    """Base of every error newsbot raises on purpose; its message is meant for the user."""


class ConfigError(NewsbotError):
    """A setting is missing or invalid."""


class SourceError(NewsbotError):
    """An ingest source cannot be read or parsed."""


class FetchError(SourceError):
    """A URL could not be fetched or was refused by the safety rules."""


class NotAnArticle(SourceError):
    """A fetched link that is not one article; the message is the reason, in one line."""


class IndexError_(NewsbotError):
    """The vector index cannot be used as it is."""


class BotApiError(NewsbotError):
    """The Bot API refused the bot at start-up (a bad token) or could not be reached; the
    message never carries the token."""
