"""Logging for every front end: one format on stderr, noisy libraries quieted, and secrets
(the bot token) redacted from every record, tracebacks included."""

from __future__ import annotations

import logging

__all__ = ["RedactFilter", "configure_logging", "redact"]


class RedactFilter(logging.Filter):
    """Replaces secrets (the bot token) in every log record, arguments and tracebacks
    included: an exception's text can carry a Bot API URL."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[token]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = self._clean(record.getMessage())
        if record.exc_info and record.exc_info[0] is not None:
            formatter = logging.Formatter()
            message = f"{message}\n{self._clean(formatter.formatException(record.exc_info))}"
            record.exc_info = None
            record.exc_text = None
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        record.msg, record.args = message, None
        return True


def redact(*secrets: str | None) -> None:
    """Keep these strings out of every log line from now on (handlers of the root logger)."""
    wanted = [s for s in secrets if s]
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactFilter) for f in handler.filters):
            handler.addFilter(RedactFilter(wanted))
        for existing in handler.filters:
            if isinstance(existing, RedactFilter):
                existing.secrets = sorted(set(existing.secrets) | set(wanted))


def configure_logging(verbose: bool = False) -> None:
    """Log to stderr; httpx is quieted because Bot API URLs contain the token (and the
    token is redacted anyway once the bot starts, see `redact`)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in (
        "httpx",
        "httpcore",
        "sentence_transformers",
        "transformers",
        "faiss",
        "alembic",
        "bm25s",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
