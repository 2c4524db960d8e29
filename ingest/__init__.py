"""Turns sources (files, folders, URLs, feeds) into stored articles and passages."""

__all__: list[str] = []
