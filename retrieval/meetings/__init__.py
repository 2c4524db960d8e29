"""Who met whom, when and where, read from article text: the vocabulary of meetings, dates
resolved against the publication date, names within an article, and the two readers that share
them — `extract` (every passage, at ingest) and `reader` (the best passages for a question, at
question time)."""

__all__: list[str] = []
