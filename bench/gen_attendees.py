"""A realistic Eventbrite attendee export (UK layout) for the import benchmark.

    python -m bench.gen_attendees OUT.csv [--rows 100000] [--organisations 5000] [--seed 1]

About 5,000 organisations, each written the way people type them: the registered name, and
variants that differ in case, punctuation, "&"/"and", "The", "Ltd"/"Limited", and typos.
Several attendees share an order; some people register twice; a few per cent cancelled; a
few per cent tick missions or ambassador roles; about one row in a thousand is bad. The
generator writes a sidecar `OUT.variants.json` mapping every typo spelling to the name it
was made from, so the benchmark can measure how often fuzzy matching finds the right one.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

HEADER = [
    "Order #",
    "Order Date",
    "First Name",
    "Surname",
    "Email",
    "Quantity",
    "Ticket Type",
    "Attendee #",
    "Group",
    "Order Type",
    "Currency",
    "Total Paid",
    "Fees Paid",
    "Eventbrite Fees",
    "Eventbrite Payment Processing",
    "Attendee Status",
    "Job Title",
    "Company",
    "Mobile Phone",
    "Which missions would you like to contribute to?",
    "Would you like to be a Missions Ambassador? Which role(s)?",
]

FIRST = (
    "Aisha Amara Ben Chloe Daniel Deborah Eleanor Emeka Fatima George Grace Hannah Ibrahim "
    "Isla Jack James Jasmine Joseph Kemi Leah Liam Lucy Mohammed Nadia Noah Olivia Omar "
    "Priya Rachel Rahul Ruth Sam Sarah Sofia Tariq Thomas Uma Victoria William Yusuf Zara "
    "Adam Beatrice Callum Dina Ewan Farah Gabriel Helen Ivan Julia Kwame Laura Marcus Nia "
    "Oscar Paula Quentin Rosa Simon Tessa"
).split()
LAST = (
    "Abbott Ahmed Ali Bailey Begum Bennett Brown Campbell Chen Clarke Cooper Davies Edwards "
    "Evans Fernandes Fisher Green Hall Harris Hussain Jackson James Johnson Jones Khan King "
    "Kowalski Lee Lewis Martin Mensah Miah Mitchell Moore Morgan Murphy Nguyen Novak O'Brien "
    "Okafor Osei Patel Phillips Price Rahman Roberts Robinson Rossi Scott Shah Singh Smith "
    "Taylor Thomas Thompson Turner Walker Ward Watson White Williams Wilson Wood Wright Young "
    "Zhang"
).split()
TITLES = (
    "Chief Executive",
    "Head of Partnerships",
    "CSR Manager",
    "Director of Operations",
    "Community Engagement Lead",
    "Founder",
    "Programme Manager",
    "Head of People",
    "Sustainability Lead",
    "Research Fellow",
    "Marketing Director",
    "Volunteer Coordinator",
    "Policy Officer",
    "Managing Director",
    "Head of Estates",
    "Trustee",
)
PLACES = (
    "Camden",
    "Kentish Town",
    "Kings Cross",
    "Somers Town",
    "Regent's Park",
    "Euston",
    "Holborn",
    "Bloomsbury",
    "Hampstead",
    "Gospel Oak",
    "Belsize",
    "Swiss Cottage",
    "Chalk Farm",
    "Primrose Hill",
    "West Hampstead",
    "Fitzrovia",
    "St Pancras",
    "Highgate",
    "Covent Garden",
    "Tufnell Park",
    "Fortune Green",
    "Haverstock",
    "Cantelowes",
)
THINGS = (
    "Design",
    "Digital",
    "Media",
    "Food",
    "Housing",
    "Arts",
    "Health",
    "Legal",
    "Energy",
    "Learning",
    "Youth",
    "Sports",
    "Music",
    "Print",
    "Data",
    "Care",
    "Property",
    "Garden",
    "Finance",
    "Architecture",
    "Engineering",
    "Robotics",
    "Theatre",
    "Books",
    "Coffee",
    "Bicycle",
    "Fashion",
    "Games",
    "Film",
    "Software",
    "Analytics",
    "Catering",
    "Logistics",
    "Recruitment",
    "Translation",
    "Photography",
    "Bakery",
    "Brewing",
    "Ceramics",
    "Textiles",
)
KINDS = (
    "Ltd",
    "Limited",
    "LLP",
    "Group",
    "Partners",
    "Studio",
    "Collective",
    "Trust",
    "Foundation",
    "Association",
    "CIC",
    "Co.",
    "& Co",
    "Network",
    "Centre",
    "Society",
    "Works",
    "Lab",
    "Agency",
    "Consultancy",
)
MISSIONS = (
    "Diversity",
    "Young people",
    "Food",
    "Estates and neighbourhoods",
    "food",
    "young_people",
)
ROLES = (
    "Sponsorship",
    "Advocate/champion",
    "Research, learning & evaluation",
    "Recognition of action",
    "advocate",
)
TICKETS = (
    "General Admission",
    "General Admission",
    "General Admission",
    "Early Bird",
    "Partner ticket",
    "Speaker",
    "Community ticket",
)


def organisation_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct organisation names, as registered."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        pattern = rng.random()
        if pattern < 0.45:
            name = f"{rng.choice(PLACES)} {rng.choice(THINGS)} {rng.choice(KINDS)}"
        elif pattern < 0.75:
            name = (
                f"{rng.choice(LAST)} {rng.choice(('&', 'and'))} {rng.choice(LAST)} "
                f"{rng.choice(THINGS)}"
            )
        elif pattern < 0.9:
            name = f"The {rng.choice(PLACES)} {rng.choice(THINGS)} {rng.choice(KINDS)}"
        else:
            name = (
                f"{rng.choice(THINGS)} {rng.choice(THINGS)} {rng.choice(('Ltd', 'Trust', 'Lab'))}"
            )
        key = " ".join(name.lower().replace("&", "and").replace(".", "").split())
        if key in seen:
            continue
        seen.add(key)
        names.append(name)
    return names


def typo(name: str, rng: random.Random) -> str:
    """One slip of the keyboard: a letter dropped, doubled or swapped with its neighbour."""
    words = name.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 5]
    if not candidates:
        return name + "s"
    i = rng.choice(candidates)
    word = words[i]
    at = rng.randrange(2, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        word = word[:at] + word[at + 1 :]
    elif kind < 0.7:
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    words[i] = word
    return " ".join(words)


def harmless_variant(name: str, rng: random.Random) -> str:
    """The same name as a name key sees it: case, punctuation, '&', 'The', legal form."""
    choice = rng.random()
    if choice < 0.25:
        return name.upper()
    if choice < 0.45:
        return name.lower()
    if choice < 0.6:
        return name.replace(" & ", " and ") if "&" in name else name.replace(" and ", " & ")
    if choice < 0.75:
        return name[4:] if name.startswith("The ") else name
    if choice < 0.9:
        return name.replace(" Ltd", " Limited") if " Ltd" in name else name + " Ltd"
    return name.replace(" ", "  ") + "."


def generate(
    path: str | Path, rows: int = 100_000, organisations: int = 5000, seed: int = 1
) -> dict[str, Any]:
    """Write the export to `path` and return what is in it."""
    rng = random.Random(seed)
    orgs = organisation_names(organisations, rng)
    # each organisation is written 1-3 ways: a few typos, more harmless variants
    spellings: list[list[str]] = []
    typos: dict[str, str] = {}
    for name in orgs:
        ways = [name]
        if rng.random() < 0.5:
            ways.append(harmless_variant(name, rng))
        if rng.random() < 0.3:
            slip = typo(name, rng)
            ways.append(slip)
            typos[slip] = name
        spellings.append(ways)
    # organisation sizes follow a long tail: a few big employers, many small ones
    cumulative = list(accumulate(1 / (i + 10) for i in range(organisations)))
    indexes = range(organisations)
    people: list[dict[str, str]] = []
    start = datetime(2024, 3, 1, 9, 0)
    order_no = 1_000_000_000
    emails_seen: set[str] = set()
    written = bad = cancelled = interested = 0
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        while written < rows:
            order_no += rng.randrange(1, 40)
            ordered = start + timedelta(minutes=written // 3, seconds=rng.randrange(60))
            size = min(rng.choice((1, 1, 1, 2, 2, 3, 4)), rows - written)
            org_index = rng.choices(indexes, cum_weights=cumulative)[0]
            for attendee in range(size):
                if people and rng.random() < 0.08:
                    person = dict(rng.choice(people))  # registered again
                    if rng.random() < 0.3:
                        person["email"] = person["email"].upper()
                else:
                    first, last = rng.choice(FIRST), rng.choice(LAST)
                    domain = "".join(ch for ch in orgs[org_index].lower() if ch.isalnum())[:20]
                    email = f"{first}.{last}{rng.randrange(1000)}@{domain}.org.uk".lower()
                    while email in emails_seen:
                        email = f"{first}.{last}{rng.randrange(100000)}@{domain}.org.uk".lower()
                    emails_seen.add(email)
                    person = {
                        "first": first,
                        "last": last,
                        "email": email,
                        "company": rng.choice(spellings[org_index]),
                        "title": rng.choice(TITLES) if rng.random() < 0.8 else "",
                        "phone": f"07{rng.randrange(100_000_000, 999_999_999)}"
                        if rng.random() < 0.5
                        else "",
                    }
                    people.append(person)
                status = "Attending"
                if rng.random() < 0.03:
                    status, cancelled = rng.choice(("Cancelled", "Refunded")), cancelled + 1
                elif rng.random() < 0.5:
                    status = "Checked In"
                missions = roles = ""
                if rng.random() < 0.04:
                    interested += 1
                    missions = "; ".join(rng.sample(MISSIONS[:4], rng.randrange(1, 3)))
                    if rng.random() < 0.6:
                        roles = "; ".join(rng.sample(ROLES[:4], rng.randrange(1, 3)))
                row = [
                    str(order_no),
                    ordered.strftime("%d/%m/%Y %H:%M"),
                    person["first"],
                    person["last"],
                    person["email"],
                    "1",
                    rng.choice(TICKETS),
                    str(order_no * 10 + attendee),
                    "",
                    "Free Order",
                    "GBP",
                    "0.00",
                    "0.00",
                    "0.00",
                    "0.00",
                    status,
                    person["title"],
                    person["company"],
                    person["phone"],
                    missions,
                    roles,
                ]
                if rng.random() < 0.001:
                    bad += 1
                    flaw = rng.randrange(4)
                    if flaw == 0:
                        row[4] = row[4].replace("@", " at ")
                    elif flaw == 1:
                        row[2] = row[3] = ""
                    elif flaw == 2:
                        row[19] = "Space travel"
                        row[17] = row[17] or "Somewhere Ltd"
                    else:
                        row[1] = "31/02/2024 25:00"
                out.writerow(row)
                written += 1
    path.with_name(path.name + ".variants.json").write_text(json.dumps(typos, indent=0))
    return {
        "rows": written,
        "organisations": organisations,
        "typos": len(typos),
        "people": len(people),
        "bad": bad,
        "cancelled": cancelled,
        "interested": interested,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.rows, args.organisations, args.seed)))


if __name__ == "__main__":
    main()
