"""The bot's own state in the database: its activity log and the polled feeds' validators."""

__all__: list[str] = []
