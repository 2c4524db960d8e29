"""`newsbot meetings NAME [--since DATE] [--json]`: someone's meetings, newest first, from the
same service as the bot's /meetings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.commands.common import as_text, fail, load_settings, open_or_fail

__all__ = ["meetings"]


def meetings(
    name: Annotated[
        str, typer.Argument(help='Whose meetings: a name, maybe with a period ("Varga in 2025").')
    ],
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help='Only meetings from this day on: 2025-03-01, "3 March 2025", "March", 2025.',
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the meetings as JSON.")] = False,
) -> None:
    """List every stored meeting of NAME, newest first: the day, with whom, where, announced
    or reported, and the articles that tell of it. A name several people share is listed
    with the candidates, to ask again with the full name."""
    from dataclasses import replace

    from bot.render_timeline import timeline_text
    from retrieval.qa.timeline_questions import parse_since, read_meetings_args

    today = datetime.now(UTC).date()
    query = read_meetings_args(as_text(name), today)
    if query is None:
        raise fail(f"cannot read a name and a period in {name!r}")
    if since is not None:
        start = parse_since(since, today)
        if start is None:
            raise fail(f"cannot read --since {since!r}; give a day such as 2025-03-01")
        query = replace(query, since=start)
    services = open_or_fail(load_settings(), create=False)
    try:
        timeline = services.timeline(query)
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps(timeline.to_json(), ensure_ascii=False))
    else:
        typer.echo(timeline_text(timeline))
