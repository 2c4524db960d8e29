"""Settings: the only module that reads the environment (and `.env`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Every setting of newsbot; `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), alias="NEWSBOT_DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    embedding_model: str = Field(default=DEFAULT_MODEL, alias="EMBEDDING_MODEL")
    embedding_batch_size: int = Field(default=32, alias="EMBEDDING_BATCH_SIZE", ge=1)

    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_BASE_URL"
    )
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, alias="ADMIN_IDS")
    allowed_user_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, alias="ALLOWED_USER_IDS"
    )
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    webhook_secret: str | None = Field(
        default=None, alias="WEBHOOK_SECRET", pattern=r"^[A-Za-z0-9_-]{1,256}$"
    )
    webhook_listen: str = Field(default="127.0.0.1", alias="WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, alias="WEBHOOK_PORT", ge=1, le=65535)
    telegram_rate_limit: float = Field(default=30.0, alias="TELEGRAM_RATE_LIMIT", ge=0)
    answer_workers: int = Field(default=0, alias="ANSWER_WORKERS", ge=0, le=64)
    bot_concurrency: int = Field(default=16, alias="BOT_CONCURRENCY", ge=1, le=256)

    feeds: Annotated[list[str], NoDecode] = Field(default_factory=list, alias="FEEDS")
    feed_interval: float = Field(default=30.0, alias="FEED_INTERVAL", gt=0)
    digest_grace_hours: float = Field(default=6.0, alias="DIGEST_GRACE_HOURS", ge=0)

    search_mode: Literal["hybrid", "dense", "lexical"] = Field(
        default="hybrid", alias="SEARCH_MODE"
    )

    passage_min_words: int = Field(default=40, alias="PASSAGE_MIN_WORDS", ge=1)
    passage_max_words: int = Field(default=160, alias="PASSAGE_MAX_WORDS", ge=10)
    ingest_batch_articles: int = Field(default=64, alias="INGEST_BATCH_ARTICLES", ge=1)
    extract_events: bool = Field(default=True, alias="EXTRACT_EVENTS")

    fetch_timeout: float = Field(default=15.0, alias="FETCH_TIMEOUT", gt=0)
    fetch_max_bytes: int = Field(default=10_000_000, alias="FETCH_MAX_BYTES", gt=0)
    max_source_bytes: int = Field(default=100_000_000, alias="MAX_SOURCE_BYTES", gt=0)
    fetch_allow_private: bool = Field(default=False, alias="FETCH_ALLOW_PRIVATE")
    user_agent: str = Field(
        default="newsbot/0.1 (+https://github.com/newsbot/newsbot; news question-answering bot)",
        alias="FETCH_USER_AGENT",
    )

    @field_validator("admin_ids", "allowed_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = value.replace(",", " ").split()
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError(
                    f"expected numeric Telegram ids separated by commas, got {value!r}"
                )
            return [int(part) for part in parts]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("feeds", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        """Commas or spaces between URLs, or a JSON list; each one an http(s) URL, so that a
        typo is reported at start-up rather than as a feed failing every poll."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except ValueError:
                    raise ValueError("not a JSON list of URLs") from None
            else:
                value = text.replace(",", " ").split()
        if isinstance(value, list):
            for url in value:
                parts = urlsplit(str(url))
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    raise ValueError(f"not an http(s) URL: {url!r}")
        return value

    @field_validator(
        "webhook_url", "webhook_secret", "database_url", "telegram_bot_token", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return value or None

    def as_env(self) -> dict[str, str]:
        """These settings as environment variables, for a child process (an ingest started
        from the bot) to see exactly what this process sees."""
        env: dict[str, str] = {}
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            if value is None or info.alias is None:
                continue
            if isinstance(value, bool):
                env[info.alias] = "true" if value else "false"
            elif isinstance(value, list):
                env[info.alias] = " ".join(str(v) for v in value)
            else:
                env[info.alias] = str(value)
        return env

    @property
    def db_url(self) -> str:
        """The database URL: `DATABASE_URL`, or a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'newsbot.db').resolve()}"

    @property
    def index_dir(self) -> Path:
        """Where the FAISS index and its manifest live."""
        return self.data_dir / "index"
