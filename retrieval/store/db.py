"""Engine creation and schema migration. SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from retrieval.errors import ConfigError

__all__ = [
    "MIGRATIONS",
    "URL_FORMS",
    "Tables",
    "head_revision",
    "make_engine",
    "migrate",
    "open_database",
    "parse_url",
    "require_database",
    "session_factory",
    "shown_url",
    "utc_now",
]

MIGRATIONS = Path(__file__).parent / "migrations"
URL_FORMS = (
    "sqlite:///relative/path.db, sqlite:////absolute/path.db or "
    "postgresql+psycopg://user@host:port/database"
)

# Query parameters that carry a secret (psycopg takes ?password=...).
_SECRET_PARAM = re.compile(r"(?P<key>[?&][^=&]*(?:pass|secret|token)[^=&]*=)[^&]*", re.I)


def shown_url(url: str) -> str:
    """url as a message may show it: the password replaced by ***; a value that is not a URL
    at all (it may be a password put in the wrong place) by its length only."""
    if "://" not in url:
        return f"(a value of {len(url)} characters that is not a URL, not shown)"
    scheme, rest = url.split("://", 1)
    # Up to the last "@": a password may hold "/", ":" or "@"; hiding too much is the safe way.
    userinfo, at, where = rest.rpartition("@")
    if at and ":" in userinfo:
        rest = f"{userinfo.split(':', 1)[0]}:***@{where}"
    return _SECRET_PARAM.sub(lambda m: f"{m['key']}***", f"{scheme}://{rest}")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def parse_url(url: str) -> URL:
    """DATABASE_URL parsed, or a ConfigError that says in one line what is wrong with it (the
    password never shown)."""
    if "://" not in url:
        raise ConfigError(
            f"bad DATABASE_URL: not a URL (no '://'; {len(url)} characters, not shown: it may "
            f"be a password); expected a URL such as {URL_FORMS}"
        )
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # What stands where the port goes is not shown: "postgres:hunter2/db" is a user and
        # a password without their "@host".
        shown = _port_hidden(shown_url(url))
        raise ConfigError(f"bad DATABASE_URL {shown}: {_parse_problem(url)}") from None
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise ConfigError(f"bad DATABASE_URL {shown_url(url)}: the port is not in 1-65535")
    if parsed.get_backend_name() == "sqlite":
        if parsed.host or parsed.port:
            raise ConfigError(
                f"bad DATABASE_URL {shown_url(url)}: a SQLite URL has no host or port "
                f"(sqlite:///relative/path.db or sqlite:////absolute/path.db)"
            )
        name = Path(parsed.database or "").name
        if ":" in name and name != ":memory:":
            raise ConfigError(
                f"bad DATABASE_URL {shown_url(url)}: the SQLite file name {name!r} holds a ':' "
                f"(a port? a SQLite URL has none)"
            )
    return parsed


def _port_hidden(url: str) -> str:
    """url with whatever follows the host's ":" replaced by ***."""
    scheme, rest = url.split("://", 1)
    end = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    userinfo, at, host = authority.rpartition("@")
    bracket = host.rfind("]")
    colon = host.find(":", bracket + 1) if bracket >= 0 or not host.startswith("[") else -1
    if colon >= 0:
        host = f"{host[: colon + 1]}***"
    return f"{scheme}://{userinfo}{at}{host}{tail}"


def _parse_problem(url: str) -> str:
    """Why SQLAlchemy could not parse url, in words (never quoting the part that failed: it
    may be a password)."""
    authority = url.split("://", 1)[1].split("/", 1)[0].rpartition("@")[2]
    if authority.startswith("[") and "]" not in authority:
        return "an IPv6 host opened with '[' is not closed with ']'"
    if ":" in authority.rsplit("]", 1)[-1]:
        return "the port after the host is not a number"
    return f"not a database URL (expected {URL_FORMS})"


def require_database(url: str) -> None:
    """Raise ConfigError when url names a SQLite file that does not exist: a command that
    only reads says so instead of creating it (and its folder)."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    if not Path(parsed.database).is_file():
        raise ConfigError(
            f"the database {parsed.database} does not exist (`newsbot ingest` creates it; "
            "a command that only reads creates nothing)"
        )


def make_engine(url: str, create: bool = True) -> Engine:
    """Create an engine; for SQLite, make the folder (only with `create`: otherwise a missing
    file is a ConfigError) and turn on WAL, foreign keys, a busy wait. A bad URL, an unknown
    kind of database or a driver that is not installed is a ConfigError."""
    parsed = parse_url(url)
    if not create:
        require_database(url)
    try:
        return _engine(parsed)
    except ImportError as exc:  # the dialect is known, its driver module is not installed
        raise ConfigError(
            f"cannot open the database {shown_url(url)}: its driver is not installed "
            f"({_one_line(exc)}); "
            f"newsbot comes with the drivers of {URL_FORMS}"
        ) from None
    except NoSuchModuleError:
        raise ConfigError(
            f"bad DATABASE_URL {shown_url(url)}: no such kind of database "
            f"{parsed.drivername!r} (expected {URL_FORMS})"
        ) from None
    except (ArgumentError, TypeError, ValueError) as exc:  # a bad option (?timeout=abc)
        raise ConfigError(f"bad DATABASE_URL {shown_url(url)}: {_one_line(exc)}") from None


def _engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        path = url.database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(None|\"([^\"]+)\")", re.M)


def head_revision() -> str | None:
    """The newest revision of the migration scripts when they form one line (each names the
    one before it), read from the files as text; None when it cannot be told so."""
    revisions: set[str] = set()
    previous: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((m.group(1), m.group(3)) for m in _REVISION.finditer(script.read_text()))
        if "revision" not in found:
            continue
        revisions.add(str(found["revision"]))
        if found.get("down_revision"):
            previous.add(str(found["down_revision"]))
    heads = revisions - previous
    return heads.pop() if len(heads) == 1 else None


def _at_head(engine: Engine) -> bool:
    """Whether the database is at the newest revision already (nothing to migrate)."""
    head = head_revision()
    if head is None:
        return False
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return [row[0] for row in versions] == [head]


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision. A database already there is only
    checked (Alembic itself, 0.2 s and 11 MB to import, is not loaded: most processes only
    open a store that is up to date)."""
    if _at_head(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(url: str, create: bool = True) -> Engine:
    """An engine on `url` with the schema migrated to the newest revision; any failure to
    reach or migrate the database is one ConfigError line (the password never shown)."""
    engine = make_engine(url, create)  # a bad URL or a missing driver: ConfigError
    try:
        migrate(engine)
    except (ArgumentError, DBAPIError, OSError) as exc:
        # DBAPIError: the server unreachable, a login refused, an option the driver
        # refuses (?connect_timeout=abc) ...
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
        engine.dispose()
        raise ConfigError(f"cannot open the database {shown_url(url)}: {reason}") from exc
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def utc_now() -> datetime:
    """The real clock, aware, in UTC."""
    return datetime.now(UTC)


class Tables:
    """Base of the classes that read and write a few tables through the store's session
    factory (`Activity`, `Subscriptions`, `FeedStates`); `now` stamps their rows, and tests
    give their own clock."""

    def __init__(
        self, sessions: sessionmaker[Session], now: Callable[[], datetime] = utc_now
    ) -> None:
        self.sessions = sessions
        self.now = now
