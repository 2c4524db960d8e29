"""Invented articles for the meeting-timeline and inline tests: one foreign minister (Odile
Varga) meets a dozen people over a year, one of those meetings reported by two outlets, one
announced in advance; and two different people called Kovacs, so that a bare "Kovacs" is
ambiguous; one outlet's name holds "&" and "<", which HTML must escape. Every name, outlet
and place is made up."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ARTICLES", "write_articles"]

_FILLER = (
    "Officials said the talks covered trade, energy links and a planned rail corridor, and "
    "that both sides hoped to meet again before the end of the year."
)

# (file stem, publication date, outlet, headline, first paragraph)
ARTICLES: tuple[tuple[str, str, str, str, str], ...] = (
    ("a01", "2025-01-14", "Harbour Post", "Varga and Lindqvist discuss river treaty",
     "Foreign Minister Odile Varga met Environment Minister Jonas Lindqvist in Tallinn on "
     "Monday to discuss a treaty on the shared river basin."),
    ("a02", "2025-02-04", "Meridian Daily", "Varga visits Porto for port talks",
     "Foreign Minister Odile Varga met Mayor Rui Tavares in Porto on Monday to discuss the "
     "expansion of the container terminal."),
    ("a03", "2025-02-19", "Harbour Post", "Varga holds talks with Okonjo in Lagos",
     "Odile Varga, the foreign minister, met Trade Minister Adaeze Okonjo in Lagos on "
     "Tuesday."),
    ("a04", "2025-03-12", "Meridian Daily", "Varga meets Kovacs on budget",
     "Foreign Minister Odile Varga met Finance Minister Anna Kovacs in Budapest on Tuesday "
     "to discuss the aid budget."),
    ("a05", "2025-04-09", "Harbour Post", "Varga and Sato meet in Osaka",
     "Foreign Minister Odile Varga met Economy Minister Haruto Sato in Osaka on Tuesday."),
    ("a06", "2025-05-07", "Meridian Daily", "Varga and Mbeki agree on scholarships",
     "Foreign Minister Odile Varga met Education Minister Lindiwe Mbeki in Durban on "
     "Tuesday."),
    ("a07", "2025-06-11", "Harbour Post", "Varga and Quispe sign fisheries deal",
     "Foreign Minister Odile Varga met Fisheries Minister Elena Quispe in Lima on Tuesday."),
    ("a08", "2025-06-11", "Meridian Daily", "Fisheries deal signed in Lima",
     "Fisheries Minister Elena Quispe met Foreign Minister Odile Varga in Lima on Tuesday, "
     "and the two signed a fisheries agreement."),
    ("a09", "2025-07-16", "Harbour Post", "Varga and Halvorsen talk Arctic shipping",
     "Foreign Minister Odile Varga met Transport Minister Sigrid Halvorsen in Bergen on "
     "Tuesday."),
    ("a10", "2025-08-20", "Quay & Co <Weekly>", "Varga in Accra & Kumasi",
     "Foreign Minister Odile Varga met Health Minister Kwame Asante in Accra on Tuesday."),
    ("a11", "2025-09-17", "Harbour Post", "Varga and Rahimi discuss water",
     "Foreign Minister Odile Varga met Water Minister Farid Rahimi in Kabul on Tuesday."),
    ("a12", "2025-10-15", "Meridian Daily", "Varga meets Kovacs of Szeged",
     "Foreign Minister Odile Varga met Mayor Bela Kovacs in Szeged on Tuesday to discuss a "
     "new bridge."),
    ("a13", "2025-11-12", "Harbour Post", "Varga and Moreau talk wine tariffs",
     "Foreign Minister Odile Varga met Agriculture Minister Camille Moreau in Dijon on "
     "Tuesday."),
    ("a14", "2025-11-20", "Meridian Daily", "Varga to meet Ndlovu next week",
     "Foreign Minister Odile Varga will meet Energy Minister Thabo Ndlovu in Harare on "
     "Wednesday, her office said on Thursday."),
)  # fmt: skip


def write_articles(folder: Path) -> Path:
    """Write the articles as text files (the sample format) into `folder`; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, day, outlet, headline, lead in ARTICLES:
        slug = "".join(c for c in outlet.lower() if c.isalnum())
        (folder / f"{stem}.txt").write_text(
            f"date {day} {headline}\noutlet: {outlet}\nurl: https://{slug}.example/{day}/{stem}"
            f"\n\n{lead}\n\n{_FILLER}\n",
            encoding="utf-8",
        )
    return folder
