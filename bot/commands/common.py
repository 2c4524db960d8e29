"""What the commands share: the settings and services opened with a plain message on failure,
queries read from an argument or stdin, and the search mode option."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import typer

from retrieval.config import Settings
from retrieval.errors import NewsbotError
from retrieval.safety import replace_surrogates
from retrieval.service import Services, open_services

__all__ = ["as_text", "fail", "input_lines", "load_settings", "open_or_fail", "with_mode"]


def fail(message: str) -> typer.Exit:
    """The exit (status 2) for a domain error, after one `newsbot: ...` line on stderr."""
    typer.echo(f"newsbot: {message}", err=True)
    return typer.Exit(2)


def with_mode(settings: Settings, mode: str) -> Settings:
    """The settings searching in `mode`, or a usage failure naming the modes there are."""
    from retrieval.qa.search import MODES

    if mode not in MODES:
        raise fail(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    return settings.model_copy(update={"search_mode": mode})


def as_text(arg: str) -> str:
    """A command-line argument as text: bytes that were not UTF-8 (kept by Python as lone
    surrogates) become U+FFFD, as a decoder with errors="replace" would have made them."""
    try:
        return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate surrogateescape did not make
        return replace_surrogates(arg)


def input_lines(arg: str) -> Iterator[str]:
    """The queries of a command: `arg`, or with "-" each line of stdin, stripped; bytes that
    are not UTF-8 become U+FFFD, so that one bad line does not end the batch."""
    if arg != "-":
        yield as_text(arg)
        return
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stream (a test's)
        yield from (as_text(line).strip() for line in sys.stdin)
        return
    for raw in stream:
        yield raw.decode("utf-8", "replace").strip()


def load_settings() -> Settings:
    """The settings, or a plain message naming each bad one."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        bad = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise fail(f"bad setting in the environment or .env: {bad}") from None


def open_or_fail(settings: Settings, create: bool = True, answering: bool = True) -> Services:
    """The services; `create=False` for a command that only reads (nothing is created),
    `answering=False` for one that answers elsewhere (see `open_services`)."""
    try:
        return open_services(settings, create, answering)
    except NewsbotError as exc:
        raise fail(str(exc)) from None
