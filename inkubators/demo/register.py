"""A GENERATED SAMPLE of the Register of Enterprises' extract (``register.csv``), for the demo.

Every name carries the word "Paraugs"/"Parauga" (sample) and every register number starts
with 5999: none of them is a real organisation. The sample is shaped so that
``inkubators registry stats --city Liepāja --year 2022`` gives the council's article's
figures (Lursoft: 1,174 associations in Liepāja in 2022, 478 of them real-estate
management, 696 other), with the traps a real extract has around them: associations
registered later or terminated earlier, "Liepājas novads" beside "Liepāja", other
cities, foundations, companies with real-estate names, a ``;`` inside a quoted name.
Generated from a fixed seed, so every demo load writes the same file.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from datetime import date, timedelta

SEED = 2022
FILE_NAME = "register-paraugs.csv (generated sample, not real data)"
HEADER = (
    "regcode",
    "sepa",
    "name",
    "regtype",
    "regtype_text",
    "type",
    "type_text",
    "registered",
    "terminated",
    "closed",
    "address",
    "index",
)
FORMS = {
    "BDR": "Biedrība",
    "NOD": "Nodibinājums",
    "SIA": "Sabiedrība ar ierobežotu atbildību",
    "IK": "Individuālais komersants",
}
STREETS = ("Graudu iela", "Jūras iela", "Lielā iela", "Zivju iela", "Kuršu iela", "Peldu iela")
WORDS = ("Jūras vējš", "Dzintars", "Kurzemes sports", "Kultūras telpa", "Zaļā doma", "Ostas")
ESTATE = (
    'Dzīvokļu īpašnieku biedrība "Parauga nams {n}"',
    'DzĪB "Parauga iela {n}"',
    'Namu apsaimniekošanas biedrība "Paraugs {n}"',
)
# (city, legal form, real estate, how many, registered from–to years, terminated)
# terminated: None, "before" (on or before 2022-12-31) or "after" (2023 or later)
GROUPS: tuple[tuple[str, str, bool, int, tuple[int, int], str | None], ...] = (
    ("Liepāja", "BDR", True, 440, (1993, 2022), None),
    ("Liepāja", "BDR", True, 38, (1995, 2020), "after"),  # still standing at the end of 2022
    ("Liepāja", "BDR", False, 650, (1993, 2022), None),
    ("Liepāja", "BDR", False, 46, (1995, 2021), "after"),
    ("Liepāja", "BDR", True, 12, (2023, 2024), None),  # registered too late
    ("Liepāja", "BDR", False, 48, (2023, 2025), None),
    ("Liepāja", "BDR", True, 25, (1993, 2015), "before"),  # gone by then
    ("Liepāja", "BDR", False, 55, (1993, 2018), "before"),
    ("Liepāja", "NOD", False, 85, (1995, 2022), None),
    ("Liepāja", "NOD", False, 9, (1995, 2015), "before"),
    ("Liepāja", "SIA", True, 40, (1995, 2022), None),  # a company, whatever its name
    ("Liepāja", "SIA", False, 300, (1991, 2024), None),
    ("Liepāja", "IK", False, 60, (1991, 2024), None),
    ("Liepājas novads", "BDR", True, 70, (1993, 2022), None),
    ("Liepājas novads", "BDR", False, 130, (1993, 2022), None),
    ("Rīga", "BDR", True, 200, (1993, 2022), None),
    ("Rīga", "BDR", False, 260, (1993, 2022), None),
    ("Rīga", "NOD", False, 60, (1995, 2022), None),
    ("Ventspils", "BDR", False, 90, (1993, 2022), None),
)


def _day(rng: random.Random, first: int, last: int) -> date:
    start = date(first, 1, 1)
    return start + timedelta(days=rng.randrange((date(last, 12, 31) - start).days + 1))


def _name(rng: random.Random, form: str, estate: bool, n: int) -> str:
    if form == "SIA":
        return f'SIA "Parauga {"namu apsaimniekošana" if estate else "serviss"} {n}"'
    if form == "IK":
        return f'IK "Paraugs {n}"'
    if form == "NOD":
        return f'Nodibinājums "Parauga fonds {rng.choice(WORDS)} {n}"'
    if estate:
        return rng.choice(ESTATE).format(n=n)
    if n % 97 == 0:
        return f'Biedrība "Paraugs; {rng.choice(WORDS)} {n}"'  # a delimiter inside quotes
    return f'Biedrība "Parauga {rng.choice(WORDS)} {n}"'


def _rows(seed: int) -> Iterator[tuple[str, ...]]:
    rng = random.Random(seed)
    n = 0
    for city, form, estate, count, (first, last), ended in GROUPS:
        for _ in range(count):
            n += 1
            registered = _day(rng, first, last)
            terminated = ""
            if ended == "before":
                terminated = _day(rng, max(first, registered.year), 2022).isoformat()
                terminated = max(terminated, registered.isoformat())
            elif ended == "after":
                terminated = _day(rng, 2023, 2025).isoformat()
            street = f"{rng.choice(STREETS)} {rng.randrange(1, 120)}"
            zip_code = f"LV-{rng.randrange(3401, 3499)}"
            yield (
                f"5999{n:07d}",
                "",
                _name(rng, form, estate, n),
                "K" if form in ("SIA", "IK") else "B",
                "Komercreģistrs" if form in ("SIA", "IK") else "Biedrību un nodibinājumu reģistrs",
                form,
                FORMS[form],
                registered.isoformat(),
                terminated,
                "L" if terminated else "",
                f"{city}, {street}, {zip_code}",
                zip_code,
            )


def sample_extract(seed: int = SEED) -> bytes:
    """The sample as the register publishes it: ``;``-separated UTF-8 with a BOM, CRLF."""
    rows = list(_rows(seed))
    random.Random(seed).shuffle(rows)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
