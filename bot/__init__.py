"""Front ends: the `newsbot` command line, the terminal chat and the Telegram bot."""

__all__: list[str] = []
