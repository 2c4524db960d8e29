"""Daily digests: the stories of a period grouped across outlets, and who subscribed to them."""

__all__: list[str] = []
