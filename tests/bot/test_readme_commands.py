"""The README and `newsbot --help` agree: every `newsbot ...` command line the README shows (its
command table, its code blocks) parses as the command line would, without running anything;
the commands and options it mentions in passing exist; every command is in the table."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import typer
import typer.main

from bot.cli import app
from tests.support.cli import run_cli
from tests.support.settings import ROOT, make_settings

README = (ROOT / "README.md").read_text(encoding="utf-8")
# What the README's placeholders stand for: a real path where the command checks that it exists.
PLACEHOLDERS = {
    "SOURCE...": str(ROOT / "samples" / "articles"),
    "SOURCES...": str(ROOT / "samples" / "articles"),
    "QUERY": "who met whom",
    "QUESTION": "who met whom?",
    "NAME": "Varga",
    "DATE": "2025-03-01",
    "DIR": str(ROOT / "samples"),
    "FILE": str(ROOT / "README.md"),
    "URL": "https://news.example/world/2025/04/03/talks",
}
_PLACEHOLDER = re.compile(r"[A-Z][A-Z_]*(?:\.\.\.)?")
# `newsbot` then a command or an option: not the chat's "newsbot>" prompt or "newsbot:" lines.
_COMMAND = re.compile(r"(?<![\w-])newsbot (?=[a-z-])[^`|]*")


def _words(line: str) -> list[str]:
    """A README command line as argv: [--k 10] becomes --k 10, placeholders real values."""
    words = shlex.split(line.replace("[", " ").replace("]", " "))[1:]  # without "newsbot"
    out = []
    for word in words:
        if _PLACEHOLDER.fullmatch(word) and word != "COMMAND":
            assert word in PLACEHOLDERS, f"add {word!r} to PLACEHOLDERS"
            word = PLACEHOLDERS[word]
        out.append(word)
    return out


def _expanded(words: list[str]) -> list[list[str]]:
    """`newsbot COMMAND --help` stands for every command."""
    if words[:1] != ["COMMAND"]:
        return [words]
    return [[name, *words[1:]] for name in _leaf_paths()]


def _shown_lines() -> list[str]:
    """The command lines the README shows whole: its table's first column, its code blocks."""
    lines = re.findall(r"^\| `(newsbot [^`]+)` \|", README, re.M)
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", README, re.M | re.S):
        lines += [m.group(0).split("#")[0].strip() for m in _COMMAND.finditer(block)]
    return lines


def _mentions() -> list[str]:
    """`newsbot ...` in inline code anywhere (possibly without its arguments)."""
    prose = re.sub(r"^```.*?^```", "", README, flags=re.M | re.S)
    spans = (" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose))
    return [m.group(0).strip() for span in spans for m in _COMMAND.finditer(span)]


def _leaf_paths(command: object = None, prefix: str = "") -> list[str]:
    command = command or typer.main.get_command(app)
    if not hasattr(command, "commands"):
        return [prefix.strip()]
    return [
        path
        for name, sub in sorted(command.commands.items())  # type: ignore[attr-defined]
        for path in _leaf_paths(sub, f"{prefix} {name}")
    ]


def _resolve(words: list[str]) -> tuple[typer.Context | None, object, str, list[str]]:
    """Walk the command groups as click does: (parent context, the command, its name, the
    words left for it). Fails on a command that does not exist."""
    command: object = typer.main.get_command(app)
    name, ctx, args = "newsbot", None, list(words)
    while hasattr(command, "commands"):
        at = next((i for i, word in enumerate(args) if not word.startswith("-")), None)
        if at is None:
            break  # options of the group itself: `newsbot --help`
        ctx = command.make_context(name, args[: at + 1], parent=ctx)  # type: ignore[attr-defined]
        sub = command.get_command(ctx, args[at])  # type: ignore[attr-defined]
        assert sub is not None, f"no command {args[at]!r} in `{' '.join(words)}`"
        command, name, args = sub, args[at], args[at + 1 :]
    return ctx, command, name, args


def _dry_parse(words: list[str]) -> None:
    """Parse argv as `newsbot` would, checking commands, options, their values and the paths
    they must name, and run no command."""
    ctx, command, name, args = _resolve(words)
    try:
        leaf = command.make_context(name, args, parent=ctx)  # type: ignore[attr-defined]
    except typer.Exit as exc:  # --help: printed, and a clean exit
        assert exc.exit_code == 0
        return
    assert not leaf.args, f"left over: {leaf.args}"


def test_the_readme_shows_command_lines() -> None:
    shown = _shown_lines()
    assert len(shown) >= 10 and any("search" in line for line in shown)
    assert len(_mentions()) > len(shown)


@pytest.mark.parametrize("line", _shown_lines())
def test_every_command_line_shown_in_the_readme_parses(line: str) -> None:
    for words in _expanded(_words(line)):
        _dry_parse(words)


@pytest.mark.parametrize("line", _mentions())
def test_every_command_and_option_mentioned_exists(
    line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for words in _expanded(_words(line)):
        ctx, command, name, args = _resolve(words)
        params = command.params  # type: ignore[attr-defined]
        known = {opt for p in params for opt in (*p.opts, *p.secondary_opts)}
        # What `--help` prints (typer's rich help goes to stdout rather than being returned).
        blank = command.make_context(name, [], parent=ctx, resilient_parsing=True)  # type: ignore[attr-defined]
        help_text = command.get_help(blank) + capsys.readouterr().out  # type: ignore[attr-defined]
        for word in args:
            if word.startswith("-"):
                assert word in known | {"--help"}, f"`newsbot {' '.join(words)}`: no {word}"
                assert word in help_text, f"{word} is not in `{name} --help`"


def test_every_command_is_in_the_readme_table() -> None:
    table = " ".join(re.findall(r"^\| `newsbot ([^`]+)` \|", README, re.M))
    missing = [path for path in _leaf_paths() if not re.search(rf"(?<!\S){path}(?!\S)", table)]
    assert not missing


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("newsbot search QUERY --nosuch", "No such option: --nosuch"),
        ("newsbot nosuch", "no command 'nosuch'"),
        ("newsbot eval nosuch", "no command 'nosuch'"),
        ("newsbot search", "Missing parameter: query"),
        ("newsbot search QUERY --k 1000", "less than or equal to 100"),
        ("newsbot eval meetings FILE", "is a file"),
    ],
)
def test_the_dry_parse_refuses_what_newsbot_refuses(line: str, error: str) -> None:
    # click's exception classes are typer's private copies: matched by their message.
    with pytest.raises(Exception, match=re.escape(error)):
        _dry_parse(_words(line))


@pytest.mark.slow
def test_search_mode_picks_the_retrieval_mode(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    assert run_cli(settings, "ingest", PLACEHOLDERS["SOURCE..."]).returncode == 0
    scores = {}
    for mode in ("hybrid", "dense", "lexical"):
        done = run_cli(settings, "search", "--json", "--k", "1", "--mode", mode, "Oslo talks")
        assert done.returncode == 0, done.stderr
        scores[mode] = json.loads(done.stdout)["results"][0]["score"]
    # Each mode's own scale: fused ranks (< 0.1), a cosine (< 1), BM25 (> 1 here).
    assert scores["hybrid"] < 0.1 < scores["dense"] <= 1 < scores["lexical"]
    bad = run_cli(settings, "search", "--mode", "fuzzy", "Oslo talks")
    assert bad.returncode == 2 and "unknown mode 'fuzzy'" in bad.stderr
