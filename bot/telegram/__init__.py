"""The Telegram side: the application's wiring (`app`), the conversation (`handlers`), admins'
commands, digests, feeds, sending and splitting HTML, and the answer workers."""

__all__: list[str] = []
