"""Settings: the only module that reads the environment (and `.env`).

`Settings` reads and checks every variable `.env.example` lists, under the same names; the
code takes it apart into sections, as httpx passes `Timeout` and `Limits`: each function is
given the section it uses (`settings.store`, `.ingest`, `.fetch`, `.search`, `.telegram`,
`.digests`, `.feeds`, `.links`), frozen, and never the whole object. Secrets are `SecretStr`: they
print as `**********`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "DEFAULT_MODEL",
    "DigestSettings",
    "FeedSettings",
    "FetchSettings",
    "IngestSettings",
    "LinkSettings",
    "SearchSettings",
    "Settings",
    "StoreSettings",
    "TelegramSettings",
]

DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"


@dataclass(frozen=True)
class StoreSettings:
    """Where the articles, passages and the index live, and the model that made the vectors."""

    data_dir: Path
    database_url: str | None
    embedding_model: str
    embedding_batch_size: int
    encoder_runtime: Literal["onnx", "torch"]
    encoder_dir: Path | None
    encoder_threads: int
    lock_timeout: float

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

    @property
    def onnx_dir(self) -> Path:
        """Where the ONNX export of the bundled model is kept: `ENCODER_DIR`, else
        `DATA_DIR/models`."""
        return self.encoder_dir or self.data_dir / "models"


@dataclass(frozen=True)
class FetchSettings:
    """Fetching URLs and feeds."""

    timeout: float
    max_bytes: int
    user_agent: str
    allow_private: bool


@dataclass(frozen=True)
class IngestSettings:
    """Turning sources into stored passages (and fetching the ones that are URLs)."""

    passage_min_words: int
    passage_max_words: int
    batch_articles: int
    extract_events: bool
    max_source_bytes: int
    fetch: FetchSettings


@dataclass(frozen=True)
class SearchSettings:
    """Retrieval: `hybrid`, `dense` or `lexical`."""

    mode: str


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram bot: its token, who may use it, how it talks to the Bot API, how busy it
    may get."""

    token: SecretStr | None
    base_url: str
    admin_ids: tuple[int, ...]
    allowed_user_ids: tuple[int, ...]
    webhook_url: str | None
    webhook_secret: SecretStr | None
    webhook_listen: str
    webhook_port: int
    rate_limit: float
    answer_workers: int | None
    concurrency: int

    @property
    def workers(self) -> int:
        """Answer worker processes: `ANSWER_WORKERS`, by default one per core (0: threads)."""
        if self.answer_workers is not None:
            return self.answer_workers
        return os.cpu_count() or 1


@dataclass(frozen=True)
class DigestSettings:
    """Daily digests."""

    grace_hours: float


@dataclass(frozen=True)
class LinkSettings:
    """News links users send the bot in a private chat: who may add articles that way
    (`admins`, `allowed`: the admins and ALLOWED_USER_IDS, or `everyone`), and how many links
    one user may send in an hour (admins are not counted)."""

    who: Literal["admins", "allowed", "everyone"]
    per_hour: int


@dataclass(frozen=True)
class FeedSettings:
    """The RSS/Atom feeds polled for new articles, and how often (minutes)."""

    urls: tuple[str, ...]
    interval: float


class Settings(BaseSettings):
    """Every setting of newsbot; `.env.example` documents each one."""

    # hide_input_in_errors: a value in the wrong variable may be a secret (a password put in
    # DATABASE_URL); a message names the variable and what is wrong, never the value.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

    data_dir: Path = Field(default=Path("./data"), alias="NEWSBOT_DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    embedding_model: str = Field(default=DEFAULT_MODEL, alias="EMBEDDING_MODEL")
    embedding_batch_size: int = Field(default=32, alias="EMBEDDING_BATCH_SIZE", ge=1)
    encoder_runtime: Literal["onnx", "torch"] = Field(default="onnx", alias="ENCODER_RUNTIME")
    encoder_dir: Path | None = Field(default=None, alias="ENCODER_DIR")
    encoder_threads: int = Field(default=0, alias="ENCODER_THREADS", ge=0, le=256)
    index_lock_timeout: float = Field(default=60.0, alias="INDEX_LOCK_TIMEOUT", gt=0)

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_BASE_URL"
    )
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, alias="ADMIN_IDS")
    allowed_user_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, alias="ALLOWED_USER_IDS"
    )
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(default=None, alias="WEBHOOK_SECRET")
    webhook_listen: str = Field(default="127.0.0.1", alias="WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8443, alias="WEBHOOK_PORT", ge=1, le=65535)
    telegram_rate_limit: float = Field(default=30.0, alias="TELEGRAM_RATE_LIMIT", ge=0)
    answer_workers: int | None = Field(default=None, alias="ANSWER_WORKERS", ge=0, le=64)
    bot_concurrency: int = Field(default=16, alias="BOT_CONCURRENCY", ge=1, le=256)

    feed_urls: Annotated[list[str], NoDecode] = Field(default_factory=list, alias="FEEDS")
    feed_interval: float = Field(default=30.0, alias="FEED_INTERVAL", gt=0)
    digest_grace_hours: float = Field(default=6.0, alias="DIGEST_GRACE_HOURS", ge=0)
    link_ingest: Literal["admins", "allowed", "everyone"] = Field(
        default="admins", alias="LINK_INGEST"
    )
    link_limit_per_hour: int = Field(default=10, alias="LINK_LIMIT_PER_HOUR", ge=0)

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

    @field_validator("feed_urls", mode="before")
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
        "webhook_url",
        "webhook_secret",
        "database_url",
        "telegram_bot_token",
        "encoder_dir",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return value or None

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str | None) -> str | None:
        """A URL (the rest is checked when the database is opened); a value without "://" is
        not shown back, as it may be a password put in the wrong place."""
        if value is not None and "://" not in value:
            raise ValueError(
                f"not a URL (no '://'; {len(value)} characters, not shown: it may be a "
                "password); expected sqlite:///path.db or postgresql+psycopg://user@host/db"
            )
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        """What Telegram accepts as a secret token: 1-256 of A-Z a-z 0-9 _ -."""
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("1-256 characters of A-Z a-z 0-9 _ -")
        return value

    @field_validator("answer_workers", mode="before")
    @classmethod
    def _blank_is_default(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def as_env(self) -> dict[str, str]:
        """These settings as environment variables, for a child process (an ingest started
        from the bot) to see exactly what this process sees."""
        env: dict[str, str] = {}
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            if value is None or info.alias is None:
                continue
            if isinstance(value, SecretStr):
                env[info.alias] = value.get_secret_value()
            elif isinstance(value, bool):
                env[info.alias] = "true" if value else "false"
            elif isinstance(value, list):
                env[info.alias] = " ".join(str(v) for v in value)
            else:
                env[info.alias] = str(value)
        return env

    @property
    def store(self) -> StoreSettings:
        """The store section."""
        return StoreSettings(
            self.data_dir,
            self.database_url,
            self.embedding_model,
            self.embedding_batch_size,
            self.encoder_runtime,
            self.encoder_dir,
            self.encoder_threads,
            self.index_lock_timeout,
        )

    @property
    def fetch(self) -> FetchSettings:
        """The fetch section."""
        return FetchSettings(
            self.fetch_timeout, self.fetch_max_bytes, self.user_agent, self.fetch_allow_private
        )

    @property
    def ingest(self) -> IngestSettings:
        """The ingest section (with the fetch section inside: URL sources are fetched)."""
        return IngestSettings(
            self.passage_min_words,
            self.passage_max_words,
            self.ingest_batch_articles,
            self.extract_events,
            self.max_source_bytes,
            self.fetch,
        )

    @property
    def search(self) -> SearchSettings:
        """The search section."""
        return SearchSettings(self.search_mode)

    @property
    def telegram(self) -> TelegramSettings:
        """The Telegram section."""
        return TelegramSettings(
            self.telegram_bot_token,
            self.telegram_base_url,
            tuple(self.admin_ids),
            tuple(self.allowed_user_ids),
            self.webhook_url,
            self.webhook_secret,
            self.webhook_listen,
            self.webhook_port,
            self.telegram_rate_limit,
            self.answer_workers,
            self.bot_concurrency,
        )

    @property
    def digests(self) -> DigestSettings:
        """The digests section."""
        return DigestSettings(self.digest_grace_hours)

    @property
    def links(self) -> LinkSettings:
        """The links section."""
        return LinkSettings(self.link_ingest, self.link_limit_per_hour)

    @property
    def feeds(self) -> FeedSettings:
        """The feeds section."""
        return FeedSettings(tuple(self.feed_urls), self.feed_interval)

    @property
    def db_url(self) -> str:
        """The database URL: `DATABASE_URL`, or a SQLite file in the data dir."""
        return self.store.db_url

    @property
    def index_dir(self) -> Path:
        """Where the FAISS index and its manifest live."""
        return self.store.index_dir
