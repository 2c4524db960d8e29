"""The `newsbot` commands by group, registered on the parser in `bot/cli.py`: `ingest`
(ingest, reindex, encoder, status), `answers` (search, ask, chat, bot, run), `evaluation`
(the `eval` subcommands); `common` is what they share (settings, services, input, errors)."""

__all__: list[str] = []
