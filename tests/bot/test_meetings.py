"""Someone's meetings outside Telegram: `newsbot meetings` (text and JSON) and the terminal
chat, from the same service as the bot's /meetings, on invented articles."""

from __future__ import annotations

import json

import pytest

from bot.chat import chat
from retrieval.config import Settings
from retrieval.service import open_services
from tests.support.cli import run_cli
from tests.support.settings import make_settings
from tests.support.timelines import ingest_timeline


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(ingest_timeline(tmp_path_factory.mktemp("data")))


@pytest.mark.slow  # runs `newsbot` in subprocesses
def test_meetings_command_json_and_text(settings: Settings) -> None:
    listed = run_cli(settings, "meetings", "Odile Varga", "--json")
    assert listed.returncode == 0, listed.stderr
    timeline = json.loads(listed.stdout)
    assert timeline["person"] == "Odile Varga" and timeline["role"] == "Foreign Minister"
    days = [m["date"] for m in timeline["meetings"]]
    assert len(days) == 13 and days == sorted(days, reverse=True)
    lima = next(m for m in timeline["meetings"] if m["where"] == "Lima")
    assert lima["with"] == [{"name": "Elena Quispe", "role": "Fisheries Minister"}]
    assert [c["outlet"] for c in lima["citations"]] == ["Harbour Post", "Meridian Daily"]
    assert timeline["meetings"][0]["status"] == "announced"

    since = run_cli(settings, "meetings", "Varga", "--since", "2025-10-01")
    assert since.returncode == 0, since.stderr
    lines = since.stdout.splitlines()
    assert lines[0] == (
        "Meetings of Odile Varga (Foreign Minister) since 1 Oct 2025: 3 meetings, newest first."
    )
    assert lines[1] == "Wed 26 Nov 2025 — with Thabo Ndlovu (Energy Minister), in Harare; announced"
    assert "    https://meridiandaily.example/2025-11-20/varga-to-meet-ndlovu-next-week" in lines

    ambiguous = run_cli(settings, "meetings", "Kovacs")
    assert ambiguous.stdout.strip() == (
        "Which Kovacs: Anna Kovacs (Finance Minister) / Bela Kovacs (Mayor)? "
        "Ask again with the full name."
    )
    bad = run_cli(settings, "meetings", "Varga", "--since", "someday")
    assert bad.returncode == 2 and "cannot read --since 'someday'" in bad.stderr


def test_terminal_chat_lists_meetings(settings: Settings) -> None:
    services = open_services(settings)
    questions = iter(
        ["Has Varga met Quispe in 2025?", "/meetings Anna Kovacs", "/meetings", "/quit"]
    )
    out: list[str] = []
    try:
        chat(services, lambda _: next(questions), out.append)
    finally:
        services.close()
    met, anna, usage = out[1:]
    assert met.splitlines()[0] == "Yes: Odile Varga met Elena Quispe in Lima on 10 Jun 2025."
    assert anna.splitlines()[1].startswith("Tue 11 Mar 2025 — with Odile Varga (Foreign Minister)")
    assert usage.startswith("Usage: /meetings NAME")
