"""DATABASE_URL checked before anything is opened: one clear line for each bad value, the
password never shown, and nothing created by a command that only reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from retrieval.config import Settings
from retrieval.errors import ConfigError
from retrieval.store import Store
from retrieval.store.db import make_engine, parse_url, require_database, shown_url
from tests.support.cli import run_cli
from tests.support.settings import make_settings

# Every host is loopback: a test never resolves a name or leaves the machine.
BAD_URLS = [
    ("sqlite:///x.db:notaport", "holds a ':'"),
    ("sqlite://h:notaport/x.db", "the port after the host is not a number"),
    ("sqlite://localhost/x.db", "a SQLite URL has no host or port"),
    ("postgresql://127.0.0.1:notaport/db", "the port after the host is not a number"),
    ("postgresql://u:hunter2@127.0.0.1:notaport/db", "postgresql://u:***@127.0.0.1:***/db"),
    ("postgresql://postgres:hunter2/db", "postgresql://postgres:***/db"),  # no "@host"
    ("postgresql://[::1:1/db", "is not closed with ']'"),
    ("postgresql+psycopg://127.0.0.1:99999/db", "the port is not in 1-65535"),
    ("mysql://u@127.0.0.1/db", "its driver is not installed (No module named 'MySQLdb')"),
    ("nosuchdb://127.0.0.1/db", "no such kind of database 'nosuchdb'"),
    ("postgresql+psycopg://u:hunter2@127.0.0.1:1/db?connect_timeout=abc",
     "bad value for connect_timeout: 'abc'"),
    ("hunter2", "not a URL (no '://'; 7 characters, not shown"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:hunter2@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:hun@ter/2@h/db", "postgresql://u:***@h/db"),  # "@" and "/" in it
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://h/db?password=hunter2&x=1", "postgresql://h/db?password=***&x=1"),
        ("sqlite:///data/x.db", "sqlite:///data/x.db"),
        ("hunter2", "(a value of 7 characters that is not a URL, not shown)"),
    ],
)
def test_shown_url_hides_the_password(url: str, shown: str) -> None:
    assert shown_url(url) == shown


@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_a_bad_url_is_one_config_error(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Store.connect(url, tmp_path / "index", "hash:384", 384)
    text = str(caught.value)
    assert message in text and "\n" not in text
    assert "hunter2" not in text


@pytest.mark.parametrize(
    "url", ["sqlite:///data/x.db", "sqlite:////abs/x.db", "sqlite://", "sqlite:///:memory:",
            "postgresql+psycopg://u:p@127.0.0.1:5432/db?connect_timeout=3"],
)  # fmt: skip
def test_good_urls_parse(url: str) -> None:
    parse_url(url)


def test_reading_a_sqlite_file_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none' / 'dir' / 'x.db'}"
    with pytest.raises(ConfigError, match=r"x\.db does not exist"):
        require_database(url)
    with pytest.raises(ConfigError, match=r"x\.db does not exist"):
        make_engine(url, create=False)
    assert not (tmp_path / "none").exists()
    make_engine(url).dispose()  # a command that writes makes the folder
    assert (tmp_path / "none" / "dir").is_dir()


@pytest.mark.slow
@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_newsbot_status_says_what_is_wrong_in_one_line(
    tmp_path: Path, url: str, message: str
) -> None:
    done = run_cli(make_settings(tmp_path / "data"), "status", env={"DATABASE_URL": url})
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "hunter2" not in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("command", [["status"], ["search", "x"], ["ask", "x"]])
def test_reading_commands_create_no_database(tmp_path: Path, command: list[str]) -> None:
    settings = make_settings(tmp_path / "data")
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    done = run_cli(settings, *command, env={"DATABASE_URL": f"sqlite:///{missing}"})
    assert done.returncode == 2
    assert done.stderr == f"newsbot: the database {missing} does not exist " + (
        "(`newsbot ingest` creates it; a command that only reads creates nothing)\n"
    )
    assert not (tmp_path / "nonexistent").exists() and not (tmp_path / "data").exists()


def test_settings_refuse_a_value_without_scheme_and_never_show_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "hunter2")
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert "not a URL (no '://'; 7 characters" in str(caught.value)
    assert "hunter2" not in str(caught.value)  # nor in the traceback's input_value
