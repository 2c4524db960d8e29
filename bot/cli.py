"""The `newsbot` command line: ingest, search, reindex, encoder, chat, bot, run."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from bot.logs import configure_logging
from retrieval.config import Settings
from retrieval.errors import NewsbotError
from retrieval.safety import replace_surrogates
from retrieval.service import Services, open_services

__all__ = [
    "BOTFATHER_HELP",
    "app",
    "ask",
    "bot_command",
    "chat_command",
    "encoder",
    "eval_answerability",
    "eval_app",
    "eval_meetings",
    "eval_multihop",
    "ingest",
    "main",
    "reindex",
    "run",
    "search",
    "status",
]

app = typer.Typer(
    help="Ask questions about news articles and get answers with citations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
logger = logging.getLogger("newsbot")

BOTFATHER_HELP = (
    "No TELEGRAM_BOT_TOKEN is set, so here is the terminal chat instead.\n"
    "To run the Telegram bot: talk to @BotFather in Telegram, send /newbot, and put the token it\n"
    "gives you in .env as TELEGRAM_BOT_TOKEN=..., then `make run` again."
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"newsbot: {message}", err=True)
    return typer.Exit(2)


def _with_mode(settings: Settings, mode: str) -> Settings:
    from retrieval.qa.search import MODES

    if mode not in MODES:
        raise _fail(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    return settings.model_copy(update={"search_mode": mode})


def _text(arg: str) -> str:
    """A command-line argument as text: bytes that were not UTF-8 (kept by Python as lone
    surrogates) become U+FFFD, as a decoder with errors="replace" would have made them."""
    try:
        return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate surrogateescape did not make
        return replace_surrogates(arg)


def _lines(arg: str) -> Iterator[str]:
    """The queries of a command: `arg`, or with "-" each line of stdin, stripped; bytes that
    are not UTF-8 become U+FFFD, so that one bad line does not end the batch."""
    if arg != "-":
        yield _text(arg)
        return
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stream (a test's)
        yield from (_text(line).strip() for line in sys.stdin)
        return
    for raw in stream:
        yield raw.decode("utf-8", "replace").strip()


def _settings() -> Settings:
    """The settings, or a plain message naming each bad one."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        bad = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise _fail(f"bad setting in the environment or .env: {bad}") from None


def _open(settings: Settings, create: bool = True) -> Services:
    """The services; `create=False` for a command that only reads (nothing is created)."""
    try:
        return open_services(settings, create)
    except NewsbotError as exc:
        raise _fail(str(exc)) from None


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug detail.")] = False,
) -> None:
    configure_logging(verbose)


@app.command()
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
    settings = _settings()
    if watch:
        _watch(settings, once, as_json)
        return
    assert sources is not None
    services = _open(settings)
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
        raise _fail(str(exc)) from None
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


def _watch(settings: Settings, once: bool, as_json: bool) -> None:
    """`ingest --watch`: poll FEEDS, once or until Ctrl-C."""
    from ingest.watch import watch

    if not settings.feeds.urls:
        raise _fail("no FEEDS are set (RSS/Atom URLs, in .env or the environment)")
    services = _open(settings)
    try:
        if once:
            try:
                results = watch(
                    settings.feeds, settings.ingest, services.store, services.embedder, once=True
                )
            except NewsbotError as exc:  # the index locked by another writer for too long
                raise _fail(str(exc)) from None
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


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The query, or - to read one per line from stdin.")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many passages.")] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (one object per query).")
    ] = False,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            help="hybrid, dense or lexical (default: the SEARCH_MODE setting).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Find the passages nearest in meaning to QUERY."""
    from bot.render import hits_as_text
    from retrieval.qa.search import search_json

    settings = _settings()
    services = _open(_with_mode(settings, mode) if mode else settings, create=False)
    try:
        for q in _lines(query):
            if not q:
                continue
            hits = services.search(q, k)
            typer.echo(
                json.dumps(search_json(q, hits), ensure_ascii=False)
                if as_json
                else hits_as_text(hits)
            )
    finally:
        services.close()


@app.command()
def ask(
    question: Annotated[
        str, typer.Argument(help="The question, or - to read one per line from stdin.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the answer as JSON (one object per line).")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show how the question was read and why.")
    ] = False,
) -> None:
    """Answer QUESTION from the articles, with numbered citations.

    Who / when / where questions about meetings are answered from the events found at ingest;
    other questions with the best sentences of the best passages. Questions read from stdin
    are answered in turn, each a follow-up of the one before only if it needs to be (a
    question without names, such as "And when?").
    """
    from bot.render import answer_as_text

    services = _open(_settings(), create=False)
    batch = question == "-"
    previous = None
    try:
        for q in _lines(question):
            if not q:
                continue
            answer = services.ask(q, previous=previous, explain=explain)
            previous = answer
            if as_json:
                typer.echo(json.dumps(answer.to_json(), ensure_ascii=False))
                continue
            typer.echo(answer_as_text(answer))
            if explain:
                for line in answer.explanation:
                    typer.echo(f"  why: {line}")
            if batch:
                typer.echo("")
    finally:
        services.close()


@app.command()
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

    settings = _settings()
    if events:
        from ingest.pipeline import backfill_events
        from retrieval.meetings.extract import EventExtractor
        from retrieval.nlp import load_nlp

        services = _open(settings)
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
        raise _fail(str(exc)) from None
    typer.echo(f"index rebuilt: {count} passages")


@app.command()
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

    directory = _settings().store.onnx_dir
    try:
        if rebuild:
            from retrieval.store.export import export

            manifest = export(directory, force=True).manifest
        else:
            ensure_exported(directory)
            manifest = read_manifest(directory)
    except NewsbotError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"{directory / ONNX_FILE}: {manifest.note()}")


@app.command()
def status() -> None:
    """What is stored: articles, passages, index size, date range, outlets."""
    services = _open(_settings(), create=False)
    stats = services.store.stats()
    services.close()
    for key, value in stats.items():
        typer.echo(f"{key}: {value}")


@app.command("chat")
def chat_command() -> None:
    """A terminal chat over the same retrieval service as the Telegram bot."""
    from bot.chat import chat

    if isinstance(sys.stdin, io.TextIOWrapper):
        # A line that is not UTF-8 is read with U+FFFD (what `_lines` does for ask and
        # search), not a UnicodeDecodeError that ends the chat.
        sys.stdin.reconfigure(errors="replace")
    services = _open(_settings())
    try:
        chat(services)
    finally:
        services.close()


@app.command("bot")
def bot_command() -> None:
    """Run the Telegram bot (long polling). Needs TELEGRAM_BOT_TOKEN."""
    from bot.telegram import app as telegram

    settings = _settings()
    if settings.telegram.token is None:
        raise _fail("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
    services = _open(settings)
    try:
        telegram.run(services)
    except NewsbotError as exc:
        raise _fail(str(exc)) from None
    finally:
        services.close()


@app.command()
def run() -> None:
    """The Telegram bot when TELEGRAM_BOT_TOKEN is set, otherwise the terminal chat."""
    if _settings().telegram.token is not None:
        bot_command()
    else:
        typer.echo(BOTFATHER_HELP)
        chat_command()


eval_app = typer.Typer(
    help="Measure retrieval and answers on evaluation sets.", no_args_is_help=True
)
app.add_typer(eval_app, name="eval")


@eval_app.command("multihop")
def eval_multihop(
    queries: Annotated[Path, typer.Option(help="MultiHop-RAG queries JSON.", exists=True)],
    corpus: Annotated[
        Path | None, typer.Option(help="Corpus JSON (default: corpus.json beside the queries).")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Scratch data dir, reused when it holds the corpus (DATA_DIR/eval-multihop)."
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Score only the first N answerable queries.")
    ] = None,
    modes: Annotated[str, typer.Option(help="Retrieval modes to score, comma-separated.")] = (
        "hybrid,dense,lexical"
    ),
    refusals: Annotated[
        bool,
        typer.Option(
            help="Also ask every query through the answer service and count refusals "
            "(null queries should be refused, answerable ones not)."
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Retrieval metrics of the MultiHop-RAG benchmark (Hits@4, Hits@10, MRR@10, MAP@10),
    and the answer service's refusal rates on null and answerable queries."""
    from ingest.pipeline import ingest as run_ingest
    from retrieval.eval.multihop import format_table
    from retrieval.eval.runs import run_multihop

    base = _settings()
    settings = base.model_copy(
        update={"data_dir": data_dir or base.data_dir / "eval-multihop", "database_url": None}
    )
    services = _open(settings)
    try:
        summary = run_ingest(
            [str(corpus or queries.parent / "corpus.json")],
            settings.ingest,
            services.store,
            services.embedder,
        )
        if summary.failed:
            raise _fail(f"the corpus did not ingest cleanly: {summary.errors[:3]}")

        mode_names = [_with_mode(settings, mode).search_mode for mode in modes.split(",")]
        run = run_multihop(services, queries, mode_names, limit, refusals)
    finally:
        services.close()
    if as_json:
        payload = {
            "passage_words": [settings.passage_min_words, settings.passage_max_words],
            "model": settings.embedding_model,
            "results": {
                mode: {name: scores.to_json() for name, scores in by_type.items()}
                for mode, by_type in run.results.items()
            },
            "refusals": run.refusals.to_json() if run.refusals else None,
        }
        typer.echo(json.dumps(payload))
        return
    typer.echo(
        f"passages of {settings.passage_min_words}..{settings.passage_max_words} words, "
        f"model {settings.embedding_model}, top 10, null queries excluded"
    )
    for mode, by_type in run.results.items():
        typer.echo(f"\n{mode}:\n{format_table(by_type)}")
    if run.refusals:
        typer.echo(f"\nanswers ({settings.search_mode}): {run.refusals.line()}")


@eval_app.command("answerability")
def eval_answerability(
    offtopic: Annotated[Path, typer.Option(help="Off-topic questions (JSONL).", exists=True)],
    queries: Annotated[Path, typer.Option(help="MultiHop-RAG queries JSON.", exists=True)],
    data_dir: Annotated[Path, typer.Option(help="A data dir `eval multihop` built.", exists=True)],
    limit: Annotated[int | None, typer.Option(help="Ask the first N queries of each type.")] = None,
) -> None:
    """Refused / answered per kind: off-topic questions (to refuse) and MultiHop-RAG queries
    (answerable ones to answer, null ones to refuse), with the share refused by each rule."""
    from retrieval.eval.answerability import evaluate_answerability, format_report

    services = _open(_settings().model_copy(update={"data_dir": data_dir, "database_url": None}))
    try:
        asked = evaluate_answerability(offtopic, queries, services.answerer.ask, limit)
        threshold = services.answerer.answerability.threshold
    finally:
        services.close()
    typer.echo(format_report(asked, threshold))


@eval_app.command("meetings")
def eval_meetings(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A folder like eval/meetings-dev: articles/NNN.txt and questions.jsonl.",
            exists=True,
            file_okay=False,
        ),
    ],
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Scratch data dir, reused across runs (DATA_DIR/eval-meetings)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    show: Annotated[
        bool, typer.Option("--show", help="Also print each question with what was answered.")
    ] = False,
) -> None:
    """Who / when / where / none accuracy on a meetings set, with citations checked against
    the evidence articles."""
    from ingest.pipeline import ingest as run_ingest
    from retrieval.eval.meetings import (
        SPLIT_RULE,
        MeetingQuestion,
        format_table,
        half_of,
        load_groups,
        load_questions,
        with_metadata,
    )
    from retrieval.eval.runs import run_meetings

    questions = load_questions(folder / "questions.jsonl")
    groups = load_groups(folder / "articles.jsonl")
    base = _settings()
    settings = base.model_copy(
        update={"data_dir": data_dir or base.data_dir / "eval-meetings", "database_url": None}
    )
    services = _open(settings)
    try:
        articles = with_metadata(folder, settings.data_dir / "articles")
        summary = run_ingest([str(articles)], settings.ingest, services.store, services.embedder)
        if summary.failed:
            raise _fail(f"the articles did not ingest cleanly: {summary.errors[:3]}")

        def echo(question: MeetingQuestion, answer: dict[str, object], cited: set[str]) -> None:
            typer.echo(
                f"{question.qid} {question.type} [{half_of(question, groups)}]: "
                f"{question.question}\n  gold {list(question.gold)}; answered {answer['values']} "
                f"found={answer['found']} cited {sorted(cited)}",
                err=as_json,
            )

        run = run_meetings(services, questions, groups, echo if show else None)
    finally:
        services.close()
    if as_json:
        payload = run.report.to_json()
        payload["halves"] = {h: r.to_json() | {"questions": None} for h, r in run.halves.items()}
        typer.echo(json.dumps(payload))
        return
    typer.echo(f"{len(questions)} questions from {folder}")
    typer.echo(format_table(run.report))
    for name, report in run.halves.items():
        typer.echo(f"\n{name} half ({report.overall.count} questions; {SPLIT_RULE}):")
        typer.echo(format_table(report))


def main() -> None:
    """Console-script entry point."""
    app()
