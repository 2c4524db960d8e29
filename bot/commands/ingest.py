"""The commands that fill and keep the store: `ingest` (sources, or FEEDS with --watch),
`link` (one news link, checked to be an article), `reindex`, `encoder` and `status`."""

from __future__ import annotations

import json
import logging
import sys
from typing import Annotated

import typer

from bot.commands.common import fail, load_settings, open_or_fail
from retrieval.config import Settings
from retrieval.errors import NewsbotError

__all__ = ["encoder", "ingest", "link", "reindex", "status"]

logger = logging.getLogger("newsbot")


def ingest(
    ctx: typer.Context,
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files, folders (recursive), URLs or RSS/Atom feeds.",
            show_default=False,
            metavar="SOURCES",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch", help="Poll the FEEDS setting every FEED_INTERVAL minutes (no SOURCES)."
        ),
    ] = False,
    once: Annotated[
        bool, typer.Option("--once", help="With --watch: poll the feeds that are due, once.")
    ] = False,
) -> None:
    """Read articles, store them with their passages and add them to the index.

    Formats are detected from the content: the plain-text archive format
    (`date YYYY-MM-DD headline`), JSON or JSONL article objects, HTML pages, RSS/Atom feeds.
    Exits 1 if any source failed; the others are still ingested.

    With --watch, polls the FEEDS setting instead, until Ctrl-C: each feed every
    FEED_INTERVAL minutes with a conditional GET, a failing one less often (twice as long
    after each failure, at most a day). With --once, polls the feeds that are due and exits
    (1 if any of them failed); with --json it prints {"feeds": [...]}.
    """
    from ingest.pipeline import Summary
    from ingest.pipeline import ingest as run_ingest

    if watch and sources:
        ctx.fail("--watch polls the FEEDS setting: give no SOURCES with it")
    if once and not watch:
        ctx.fail("--once goes with --watch")
    if not watch and not sources:
        # SOURCES is optional only for --watch: without it, the usual usage error.
        ctx.fail("Missing argument 'SOURCES...'.")
    settings = load_settings()
    if watch:
        _watch(settings, once, as_json)
        return
    assert sources is not None
    services = open_or_fail(settings)
    progress_cb = None
    bar = None
    if sys.stderr.isatty() and not as_json:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        task = bar.add_task("ingesting", total=None)
        bar.start()

        def progress_cb(summary: Summary, source: str) -> None:
            bar.update(
                task,
                description=f"{summary.new} new, {summary.unchanged} unchanged, "
                f"{summary.failed} failed; {summary.passages_added} passages — {source[-50:]}",
            )

    try:
        summary = run_ingest(
            sources, settings.ingest, services.store, services.embedder, progress_cb
        )
    except NewsbotError as exc:  # the index locked by another writer for too long
        raise fail(str(exc)) from None
    finally:
        if bar:
            bar.stop()
        services.close()
    if as_json:
        typer.echo(json.dumps(summary.to_json()))
    else:
        for error in summary.errors:
            typer.echo(f"failed: {error['source']}: {error['error']}", err=True)
        typer.echo(summary.line())
    raise typer.Exit(1 if summary.failed else 0)


def link(
    url: Annotated[str, typer.Argument(help="The article's http(s) address.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Add one news article from its link: fetched with the same guards as ingest, refused
    with a one-line reason when it is not one article (a PDF, a video, a login wall, a page
    with no main text). Prints the stored article's id; exits 1 if the link was refused."""
    from ingest.link import ingest_link

    settings = load_settings()
    services = open_or_fail(settings)
    try:
        outcome = ingest_link(url, settings.ingest, services.store, services.embedder)
    except NewsbotError as exc:  # the index locked by another writer for too long
        raise fail(str(exc)) from None
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps(outcome.to_json()))
    elif outcome.article_id is not None:
        typer.echo(f"{outcome.status}: article {outcome.article_id}")
    else:
        typer.echo(f"{outcome.status}: {outcome.reason}")
    raise typer.Exit(0 if outcome.article_id is not None else 1)


def _watch(settings: Settings, once: bool, as_json: bool) -> None:
    """`ingest --watch`: poll FEEDS, once or until Ctrl-C."""
    from ingest.watch import watch

    if not settings.feeds.urls:
        raise fail("no FEEDS are set (RSS/Atom URLs, in .env or the environment)")
    services = open_or_fail(settings)
    try:
        if once:
            try:
                results = watch(
                    settings.feeds, settings.ingest, services.store, services.embedder, once=True
                )
            except NewsbotError as exc:  # the index locked by another writer for too long
                raise fail(str(exc)) from None
            if as_json:
                typer.echo(json.dumps({"feeds": [r.to_json() for r in results]}))
            else:
                for r in results:
                    typer.echo(r.line())
            raise typer.Exit(1 if any(r.status == "error" for r in results) else 0)
        logger.info(
            "watching %d feeds every %g minutes (Ctrl-C stops)",
            len(settings.feeds.urls),
            settings.feeds.interval,
        )
        try:
            watch(settings.feeds, settings.ingest, services.store, services.embedder)
        except KeyboardInterrupt:
            # Whatever a poll had written is committed; an interrupted ingest is completed
            # by the next one, like any killed ingest.
            typer.echo("stopped", err=True)
    finally:
        services.close()


def reindex(
    reencode: Annotated[
        bool, typer.Option("--reencode", help="Encode every passage again (after a model change).")
    ] = False,
    events: Annotated[
        bool,
        typer.Option("--events", help="Extract the meeting events of every stored article again."),
    ] = False,
) -> None:
    """Rebuild the FAISS index from the database; with --events, the events table too."""
    from retrieval.service import rebuild_index

    settings = load_settings()
    if events:
        from ingest.pipeline import backfill_events
        from retrieval.meetings.extract import EventExtractor
        from retrieval.nlp import load_nlp

        services = open_or_fail(settings)
        try:
            with services.store.writing():
                articles, found = backfill_events(services.store, EventExtractor(load_nlp()))
        finally:
            services.close()
        typer.echo(f"events extracted: {found} in {articles} articles")
        if not reencode:
            return
    try:
        count = rebuild_index(settings.store, reencode)
    except NewsbotError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"index rebuilt: {count} passages")


def encoder(
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Export the ONNX file again, even if one is there."),
    ] = False,
) -> None:
    """The ONNX export of the bundled model that answers (and ingests) with: where it is and
    how it was checked against torch. Made here if it is missing (otherwise at first use);
    --rebuild makes it again (after a corrupt file, or an upgrade of torch or the model
    package)."""
    from retrieval.store.onnx import ONNX_FILE, ensure_exported, read_manifest

    directory = load_settings().store.onnx_dir
    try:
        if rebuild:
            from retrieval.store.export import export

            manifest = export(directory, force=True).manifest
        else:
            ensure_exported(directory)
            manifest = read_manifest(directory)
    except NewsbotError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"{directory / ONNX_FILE}: {manifest.note()}")


def status() -> None:
    """What is stored: articles, passages, index size, date range, outlets."""
    services = open_or_fail(load_settings(), create=False)
    stats = services.store.stats()
    services.close()
    for key, value in stats.items():
        typer.echo(f"{key}: {value}")
