"""The invented articles of the meeting-timeline and inline tests (samples/timeline, also
used by docs/conversation.py): one foreign minister, Odile Varga, meets thirteen people
over 2025 (a meeting in Lima reported by two outlets, one in Harare announced in advance);
two different people are called Kovacs, so a bare "Kovacs" is ambiguous; one outlet's name
holds "&" and "<", which HTML must escape. Every name, outlet and place is made up."""

from __future__ import annotations

from tests.support.settings import ROOT

__all__ = ["TIMELINE"]

TIMELINE = ROOT / "samples" / "timeline"
