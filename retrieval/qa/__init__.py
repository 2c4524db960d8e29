"""From a question to a cited answer: read the question (`questions`, `filters`), find passages
(`search`), pick sentences (`sentences`), compose (`compose`), answer (`answer`)."""

__all__: list[str] = []
