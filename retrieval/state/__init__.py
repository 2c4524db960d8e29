"""The bot's own state in the database: its activity log, the polled feeds' validators, each
chat's last question (follow-ups), and the rounds one process at a time does (feed polls)."""

__all__: list[str] = []
