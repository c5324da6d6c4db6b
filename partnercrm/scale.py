"""Council-scale data: N times the demo, built through bulk Core inserts in a few minutes.

`build(db, N)` loads the demo (when it is not there yet) and then adds, per unit of N, about
100 organisations, 1,000 contacts, 2,000 warm conversations, 5,000 touchpoints, 3,000 steps,
500 commitments, 3 events and 1,500 attendances, with the skew of a real borough: a few
anchors with long histories, many partners with one conversation, some prospects with none.

One partner, the "big partner", has the same long history (600 conversations) whatever N is,
so a benchmark can compare the same partner's brief in a small and a large database.

Rows are written in chunks (through a staging table on SQLite, COPY on PostgreSQL), with ids
assigned here so no row needs a round trip; the audit trail gets one summary entry per table
(`history.record_many`), not one per row. Building again on the same database adds another
batch; names and emails never collide with what is there. On PostgreSQL the foreign keys and
plain indexes of the tables being filled are dropped and made again (PostgreSQL's "Populating
a Database" advice) inside the build's transaction, so other sessions wait for the build.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.orm import Session

from partnercrm import history
from partnercrm import models as m
from partnercrm.conversations import first_stage_change, first_touchpoint
from partnercrm.database import Database
from partnercrm.matching import name_key

Progress = Callable[[str, int, int], None]

CHUNK = 20_000
BIG_PARTNER = "Regent's Place Anchor Alliance"
BIG_CONVERSATIONS = 600

# per unit of scale
PER_UNIT = {
    "organisations": 100,
    "contacts": 1_000,
    "conversations": 2_000,
    "touchpoints": 5_000,
    "steps": 3_000,
    "events": 3,
    "attendances": 1_500,
}

# fmt: off
WARDS = [
    "Belsize", "Bloomsbury", "Camden Square", "Camden Town", "Fortune Green", "Frognal",
    "Gospel Oak", "Hampstead Town", "Haverstock", "Highgate", "Holborn and Covent Garden",
    "Kentish Town North", "Kentish Town South", "Kilburn", "King's Cross", "Primrose Hill",
    "Regent's Park", "South Hampstead", "St Pancras and Somers Town", "Swiss Cottage",
    "West Hampstead",
]
PLACES = [
    "Agar Grove", "Belsize", "Bloomsbury", "Brecknock", "Camden", "Castlehaven", "Chalk Farm",
    "Covent Garden", "Dartmouth Park", "Euston", "Fitzrovia", "Fleet Road", "Fortune Green",
    "Gospel Oak", "Hampstead", "Highgate", "Holborn", "Kentish Town", "Kilburn", "King's Cross",
    "Lismore", "Malden Road", "Mornington", "Parliament Hill", "Primrose Hill", "Queen's Crescent",
    "Regent's Park", "Somers Town", "Swiss Cottage", "Tufnell", "West End Lane", "Whittington",
    "York Way", "Grafton", "Leighton", "Chester Road", "Lamble", "Flask Walk", "Goodge Street",
    "Albany Street", "Arlington Road", "Bayham Street", "Chalton Street", "Delancey Street",
    "Eversholt Street", "Fortess Road", "Goldington", "Haverstock Hill", "Inverness Street",
    "Jamestown Road", "Lyme Street", "Oakley Square", "Ossulston", "Pratt Street", "Torriano",
    "Weedington", "Werrington", "Swains Lane", "Pancras Square", "Argyle Street", "Judd Street",
    "Marchmont Street", "Lamb's Conduit", "Red Lion", "Drury Lane", "Seven Dials", "Kingsway",
    "Finchley Road", "Fitzjohn's", "Adelaide Road", "Abbey Road", "Mill Lane",
    "Iverson Road", "Quex Road", "Maygrove", "Sumatra Road",
    "Heath Street", "Rosslyn Hill", "Pond Street", "South End Green",
    "Lady Margaret", "Raveley Street", "Kiln Place",
    "Denyer Street", "Carol Street", "Plender Street", "Hilgrove", "Maiden Lane",
]
SECTOR_NAMES = {
    "business": (
        [
            "Digital", "Architects", "Bakery", "Builders", "Consulting", "Design", "Engineering",
            "Foods", "Legal", "Media", "Pharmacy", "Property", "Software", "Studios", "Brewing",
            "Hotels", "Logistics", "Robotics", "Analytics", "Print", "Accountants", "Opticians",
            "Dental", "Catering", "Fitness", "Recruitment", "Marketing", "Games", "Biotech",
            "Insurance", "Security", "Cleaning",
        ],
        [
            "Ltd", "LLP", "Group", "& Co", "Partners", "Holdings",
        ],
    ),
    "public_sector": (
        [
            "Primary School", "Health Centre", "Library", "Secondary School", "Medical Practice",
            "Job Centre", "Fire Station", "Leisure Centre", "Children's Centre", "Sixth Form",
            "Nursery School", "Community Centre", "Youth Centre", "Police Station",
        ],
        [
            "",
        ],
    ),
    "higher_education": (
        [
            "Institute of", "College of", "School of", "Centre for", "Academy of",
        ],
        [
            "Design", "Medicine", "Music", "Engineering", "Data Science", "Performing Arts",
            "Economics", "Public Health", "Architecture", "Education",
        ],
    ),
    "vcs": (
        [
            "Youth", "Community", "Food Bank", "Carers", "Refugee", "Elders", "Housing",
            "Mental Health", "Women's", "Family", "Tenants", "Play", "Disability", "Autism",
            "Literacy", "Sports", "Bengali", "Somali", "Irish", "Employment", "Advice", "Toy Library",
            "Wellbeing", "Lunch Club",
        ],
        [
            "Trust", "Association", "Project", "Network", "Centre", "Charity", "Foundation",
        ],
    ),
    "social_action": (
        [
            "Gardeners", "Litter Pickers", "Repair Cafe", "Supper Club", "Mutual Aid", "Makers",
            "Book Club", "Street Choir", "Cycling", "Climate Action", "Walking", "Knitters",
            "Tool Share", "Seed Swap", "Running", "Chess",
        ],
        [
            "Collective", "Group", "Circle", "Crew", "Volunteers",
        ],
    ),
    "culture": (
        [
            "Theatre", "Gallery", "Studios", "Dance", "Jazz", "Film", "Poetry", "Arts", "Music",
            "Print Works", "Puppetry", "Photography", "Opera", "Comedy", "Ceramics", "Circus",
        ],
        [
            "House", "Space", "Club", "Company", "Ensemble", "Workshop",
        ],
    ),
}
SECTOR_WEIGHTS = {
    "business": 30,
    "vcs": 25,
    "social_action": 15,
    "culture": 12,
    "public_sector": 12,
    "higher_education": 6,
}
DOMAIN_ENDING = {
    "business": ".co.uk",
    "public_sector": ".gov.uk",
    "higher_education": ".ac.uk",
    "vcs": ".org.uk",
    "social_action": ".org.uk",
    "culture": ".org.uk",
}
FIRST = [
    "Aaliyah", "Abdul", "Ada", "Adam", "Aisha", "Alex", "Amir", "Ana", "Ben", "Bilal", "Carla",
    "Chen", "Chloe", "Dan", "Deepa", "Eden", "Efua", "Eli", "Emma", "Farah", "Femi", "Finn",
    "Grace", "Hana", "Harry", "Ibrahim", "Imogen", "Isla", "Jack", "Jade", "Jamal", "Joe", "Kai",
    "Karen", "Kofi", "Laila", "Leo", "Lily", "Luca", "Maria", "Mark", "Maya", "Mei", "Mo", "Nadia",
    "Nia", "Noah", "Olu", "Omar", "Patrick", "Priya", "Rafael", "Rhys", "Rosa", "Ruby", "Sami",
    "Sara", "Sean", "Shanice", "Sofia", "Tariq", "Theo", "Uma", "Victor", "Wei", "Yara", "Yusuf",
    "Zainab", "Zoe", "Nell", "Owen", "Paula", "Quentin", "Rita", "Stan",
]
LAST = [
    "Abbott", "Adebayo", "Ahmed", "Ali", "Andrews", "Bailey", "Banerjee", "Begum", "Bennett",
    "Brown", "Campbell", "Chowdhury", "Clarke", "Cohen", "Costa", "Davies", "Demir", "Evans",
    "Fernandes", "Fisher", "Garcia", "Green", "Hall", "Haque", "Hughes", "Hussain", "Ibrahim",
    "Jackson", "James", "Jones", "Kaur", "Kelly", "Khan", "Kim", "Lee", "Lewis", "Lopez", "Mahmood",
    "Martin", "Mensah", "Miah", "Murphy", "Nguyen", "Novak", "O'Brien", "Okafor", "Osei", "Owusu",
    "Patel", "Phillips", "Popescu", "Rahman", "Reid", "Roberts", "Rossi", "Santos", "Scott", "Shah",
    "Singh", "Smith", "Taylor", "Thomas", "Turner", "Uddin", "Walker", "Wang", "Ward", "White",
    "Williams", "Wilson", "Wright", "Yilmaz", "Young", "Zhang",
]
TITLES = [
    "Chief Executive", "Director", "Head of Partnerships", "Community Manager", "Programme Lead",
    "Operations Manager", "Volunteer Coordinator", "Head of CSR", "Founder", "Trustee",
    "Development Officer", "Head of Engagement", "Policy Officer", "Events Manager", "Chair",
]
SENIOR_TITLES = {
    "Chief Executive",
    "Director",
    "Founder",
    "Chair",
    "Head of CSR",
    "Head of Partnerships",
}
SUBJECTS = [
    "Work experience placements", "Sponsorship of the {place} youth club", "Volunteering days",
    "Mentoring for care leavers", "Hosting a mission workshop", "Community Wealth Fund",
    "Apprenticeships for local residents", "Food waste to food banks", "Estate garden project",
    "Logo and story for We Make Camden", "Sharing mission content on their channels",
    "Critical friend for the Youth Mission", "Space for community groups", "Summit sponsorship",
    "Health inequalities research", "Supplier diversity", "School breakfast clubs",
    "Careers talks in {place} schools", "Digital skills for older residents", "Pro bono advice",
]
NOTES = [
    "Good first meeting; keen to help.",
    "Followed up with the mission one-pager.",
    "They asked about Good Life Camden data.",
    "Introduced to the {place} ward team.",
    "Waiting for their board to decide.",
    "Shared our ask in writing.",
    "Met at the roundtable; wants a follow-up.",
    "Budget cycle starts in April.",
    "Discussed apprenticeships and placements.",
    "Call with their new head of CSR.",
    None,
    None,
    None,
]
STEP_TEXTS = [
    "Send the follow-up email", "Share the mission one-pager", "Book a meeting with their director",
    "Introduce to the ward councillor", "Send the draft agreement", "Chase their decision",
    "Share Good Life Camden data", "Invite to the next roundtable", "Agree the evaluation measures",
    "Send the logo and story for sign-off",
]
STORIES = [
    "Twelve young people from {place} finished placements; three were offered apprenticeships.",
    "Volunteers from the partner rebuilt the {place} community garden with residents.",
    "The sponsorship kept the {place} youth club open through the summer holidays.",
    "Residents in {place} used the partner's space for a weekly food club.",
]
EVENT_KINDS = [("summit", 1), ("roundtable", 3), ("other", 6)]
OTHER_EVENTS = [
    "Mission workshop", "Partner breakfast", "Ward forum", "Careers fair", "Showcase",
]
STAGES = [("initiated", 22), ("exploring", 22), ("committed", 27), ("parked", 15), ("declined", 14)]
COMMITMENT_STATUSES = [("delivered", 40), ("in_progress", 25), ("agreed", 25), ("lapsed", 10)]
AMBASSADOR_STATUSES = [
    ("proposed", 15),
    ("onboarding", 15),
    ("active", 45),
    ("paused", 10),
    ("ended", 15),
]
CHANNELS = [("meeting", 40), ("email", 30), ("call", 20), ("event", 8), ("other", 2)]
HISTORY_DAYS = 3 * 365
# fmt: on


def _table(model: type[m.Base]) -> Table:
    return m.Base.metadata.tables[model.__tablename__]


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


@dataclass
class _Plan:
    """What the generator has decided so far, shared between the tables it writes."""

    today: date
    now: datetime
    actor: str
    next_id: dict[str, int]
    used_keys: set[str]
    used_emails: set[str]
    used_events: set[str]
    used_cores: set[str] = field(default_factory=set)
    colleagues: list[int] = field(default_factory=list)
    missions: list[int] = field(default_factory=list)
    roles: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    orgs: list[tuple[int, str, bool]] = field(default_factory=list)  # id, name, anchor
    org_contacts: dict[int, list[int]] = field(default_factory=dict)
    contact_org: dict[int, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def ids(self, table: str, n: int) -> range:
        start = self.next_id[table]
        self.next_id[table] = start + n
        return range(start, start + n)


class _Writer:
    """Writes rows in chunks (staged executemany on SQLite; COPY on PostgreSQL), with progress."""

    def __init__(self, conn: Connection, progress: Progress | None) -> None:
        self.conn = conn
        self.progress = progress
        self.postgres = conn.dialect.name == "postgresql"
        self.staged: set[str] = set()

    def write(self, table: Table, rows: Iterable[dict[str, Any]], total: int, label: str) -> int:
        done = 0
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                done += self._flush(table, chunk)
                chunk = []
                self._report(label, done, total)
        if chunk:
            done += self._flush(table, chunk)
        self._report(label, done, max(total, done))
        return done

    def _report(self, label: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(label, done, total)

    def _flush(self, table: Table, rows: list[dict[str, Any]]) -> int:
        if self.postgres:
            self._copy(table, rows)
        else:
            self._executemany(table, rows)
        return len(rows)

    def _executemany(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """SQLite: the chunk goes into a TEMP staging table, then into `table` in ONE statement.

        Triggers on `table` (the search indexes' FTS5 ones) still fire for every row, but
        within one statement: FTS5 flushes its pending terms at every statement, so one
        executemany straight into `table` costs about five times as much. The values go
        through each column type's own bind processor, so they are stored exactly as the ORM
        stores them.
        """
        columns = list(rows[0])
        dialect = self.conn.dialect
        values = []
        for c in columns:
            column = [row[c] for row in rows]
            process = table.c[c].type._cached_bind_processor(dialect)
            if process is not None:
                # dates and times repeat a great deal: convert each distinct value once
                seen: dict[Any, Any] = {None: None}
                column = [seen[v] if v in seen else seen.setdefault(v, process(v)) for v in column]
            values.append(column)
        data = list(zip(*values, strict=True))
        names = ", ".join(f'"{c}"' for c in columns)
        stage = f"_scale_stage_{table.name}"
        if stage not in self.staged:
            # no declared types: values keep exactly what was bound until they reach `table`
            self.conn.exec_driver_sql(f'DROP TABLE IF EXISTS temp."{stage}"')
            self.conn.exec_driver_sql(f'CREATE TEMP TABLE "{stage}" ({names})')
            self.staged.add(stage)
        marks = ", ".join("?" for _ in columns)
        self.conn.exec_driver_sql(f'INSERT INTO temp."{stage}" ({names}) VALUES ({marks})', data)
        self.conn.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM temp."{stage}"'
        )
        self.conn.exec_driver_sql(f'DELETE FROM temp."{stage}"')

    def close(self) -> None:
        """Drop the staging tables (they would otherwise live on in the pooled connection)."""
        for stage in self.staged:
            self.conn.exec_driver_sql(f'DROP TABLE IF EXISTS temp."{stage}"')
        self.staged.clear()

    def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        columns = list(rows[0])
        raw = self.conn.connection.driver_connection
        names = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cur:  # type: ignore[union-attr]
            with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])


def build(
    db: Database,
    scale: int,
    progress: Progress | None = None,
    seed: int = 1,
    *,
    today: date | None = None,
) -> dict[str, Any]:
    """Build a council-scale data set `scale` times the demo into `db`; returns what was added."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    from partnercrm.demo import load_demo

    started = time.perf_counter()
    today = today or date.today()
    with db.transaction() as s:
        load_demo(s, today=today)
    with db.transaction() as s:
        if db.is_sqlite:
            # a larger page cache keeps the indexes in memory while millions of rows go in
            s.execute(text("PRAGMA cache_size = -400000"))
        plan = _start(s, today)
        writer = _Writer(s.connection(), progress)
        rng = random.Random(seed)
        suspended = [] if db.is_sqlite else _suspend_foreign_keys(s)
        indexes = [] if db.is_sqlite else _suspend_indexes(s)
        big = _big_partner(s, plan, writer, seed)
        _generate(s, plan, writer, rng, scale)
        writer.close()
        _restore_indexes(s, indexes, progress)
        _restore_foreign_keys(s, suspended, progress)
        _summarise(s, plan, scale, seed)
        if not db.is_sqlite:
            _reset_sequences(s)
        if db.is_sqlite:
            s.execute(text("PRAGMA cache_size = -2000"))
    # fresh planner statistics, so the first queries on the new data choose good plans
    with db.engine.connect() as conn:
        if db.is_sqlite:
            conn.execute(text("PRAGMA analysis_limit = 2000"))
        conn.execute(text("ANALYZE"))
        conn.commit()
    return {
        **plan.counts,
        "big_partner": big,
        "build": {"scale": scale, "seed": seed, "seconds": round(time.perf_counter() - started, 1)},
    }


def _start(s: Session, today: date) -> _Plan:
    tables = [
        "organisation",
        "organisation_alias",
        "contact",
        "colleague",
        "conversation",
        "stage_change",
        "touchpoint",
        "step",
        "commitment",
        "delivery",
        "ambassadorship",
        "event",
        "attendance",
    ]
    next_id = {}
    for name in tables:
        table = m.Base.metadata.tables[name]
        next_id[name] = (s.scalar(select(func.max(table.c.id))) or 0) + 1
    used_keys = set(s.scalars(select(m.Organisation.name_key)))
    used_keys |= set(s.scalars(select(m.OrganisationAlias.alias_key)))
    used_emails = {e for e in s.scalars(select(m.Contact.email)) if e}
    used_emails |= set(s.scalars(select(m.ContactEmail.email)))
    used_emails |= set(s.scalars(select(m.Colleague.email)))
    plan = _Plan(
        today=today,
        now=datetime.now(UTC),
        actor=history.actor_of(s),
        next_id=next_id,
        used_keys=used_keys,
        used_emails=used_emails,
        used_events=set(s.scalars(select(m.Event.name_key))),
    )
    plan.missions = list(s.scalars(select(m.Mission.id).order_by(m.Mission.id)))
    plan.roles = list(s.scalars(select(m.AmbassadorRole.id).order_by(m.AmbassadorRole.id)))
    plan.kinds = [k.value for k in m.CommitmentKind]
    plan.colleagues = list(s.scalars(select(m.Colleague.id).where(m.Colleague.archived.is_(False))))
    return plan


def _versioned(plan: _Plan) -> dict[str, Any]:
    return {
        "version": 1,
        "created_at": plan.now,
        "updated_at": plan.now,
        "updated_by": plan.actor,
    }


# --- organisations, contacts, colleagues ---------------------------------------------------


def _org_name(rng: random.Random, sector: str) -> tuple[str, str]:
    """A name and its core: the part two different organisations never share.

    Two names that differ only in a legal suffix or a form word ("Ltd"/"LLP", "Trust"/
    "Project") look like one organisation entered twice, so the generator keeps cores unique
    and leaves real near-duplicates to the importer's tests.
    """
    first, second = SECTOR_NAMES[sector]
    place = rng.choice(PLACES)
    if sector == "business":
        owner = place if rng.random() < 0.6 else rng.choice(LAST)
        core = f"{owner} {rng.choice(first)}"
        return f"{core} {rng.choice(second)}", core
    if sector == "public_sector":
        name = f"{place} {rng.choice(first)}"
        return name, name
    if sector == "higher_education":
        name = f"{place} {rng.choice(first)} {rng.choice(second)}"
        return name, name
    core = f"{place} {rng.choice(first)}"
    return f"{core} {rng.choice(second)}", core


def _unique_org_name(rng: random.Random, plan: _Plan, sector: str) -> str:
    for _ in range(20):
        name, core = _org_name(rng, sector)
        if name_key(core) not in plan.used_cores and name_key(name) not in plan.used_keys:
            break
    n = 2
    base = name
    while name_key(name) in plan.used_keys:
        name = f"{base} {n}"
        n += 1
    plan.used_keys.add(name_key(name))
    plan.used_cores.add(name_key(core))
    return name


def _domain(name: str, sector: str) -> str:
    slug = name_key(name).replace(" and ", " ").replace(" ", "")[:28]
    return slug + DOMAIN_ENDING[sector]


def _email(plan: _Plan, first: str, last: str, domain: str) -> str:
    local = f"{first}.{last}".lower().replace("'", "")
    email = f"{local}@{domain}"
    n = 2
    while email in plan.used_emails:
        email = f"{local}{n}@{domain}"
        n += 1
    plan.used_emails.add(email)
    return email


def _colleagues(plan: _Plan, writer: _Writer, rng: random.Random, count: int) -> None:
    ids = plan.ids("colleague", count)
    teams = ["Partnerships", "Missions", "Inclusive Economy", "Estates", "Youth", "Communities"]
    rows = []
    for cid in ids:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        rows.append(
            {
                "id": cid,
                "name": name,
                "name_key": name_key(name),
                "email": _email(plan, first, last, "camden.gov.uk"),
                "team": rng.choice(teams),
                "archived": False,
                **_versioned(plan),
            }
        )
    plan.counts["colleagues"] = writer.write(_table(m.Colleague), rows, count, "colleagues")
    plan.colleagues.extend(ids)


def _organisations(
    plan: _Plan,
    writer: _Writer,
    rng: random.Random,
    count: int,
    *,
    fixed: list[tuple[str, str, bool]] | None = None,
) -> list[int]:
    """Write `count` organisations (or the `fixed` (name, sector, anchor) ones); returns ids."""
    specs = fixed or []
    if not fixed:
        sectors = rng.choices(list(SECTOR_WEIGHTS), weights=list(SECTOR_WEIGHTS.values()), k=count)
        specs = [
            (_unique_org_name(rng, plan, sector), sector, rng.random() < 0.03) for sector in sectors
        ]
    ids = plan.ids("organisation", len(specs))
    rows, aliases = [], []
    for oid, (name, sector, anchor) in zip(ids, specs, strict=True):
        rows.append(
            {
                "id": oid,
                "name": name,
                "name_key": name_key(name),
                "sector": sector,
                "anchor": anchor,
                "ward": rng.choice(WARDS),
                "website": f"https://www.{_domain(name, sector)}",
                "notes": None,
                "lead_id": rng.choice(plan.colleagues) if rng.random() < 0.7 else None,
                "archived": rng.random() < 0.01,
                **_versioned(plan),
            }
        )
        plan.orgs.append((oid, name, anchor))
        initials = "".join(w[0] for w in name.split() if w[0].isalpha()).upper()
        if len(initials) >= 3 and rng.random() < 0.1 and name_key(initials) not in plan.used_keys:
            plan.used_keys.add(name_key(initials))
            aliases.append((oid, initials))
    plan.counts["organisations"] = plan.counts.get("organisations", 0) + writer.write(
        _table(m.Organisation), rows, len(rows), "organisations"
    )
    alias_ids = plan.ids("organisation_alias", len(aliases))
    plan.counts["aliases"] = plan.counts.get("aliases", 0) + writer.write(
        _table(m.OrganisationAlias),
        (
            {"id": aid, "organisation_id": oid, "alias": alias, "alias_key": name_key(alias)}
            for aid, (oid, alias) in zip(alias_ids, aliases, strict=True)
        ),
        len(aliases),
        "aliases",
    )
    return list(ids)


def _contacts(
    plan: _Plan,
    writer: _Writer,
    rng: random.Random,
    per_org: dict[int, int],
    sectors: dict[int, str],
) -> None:
    total = sum(per_org.values())
    ids = iter(plan.ids("contact", total))
    names = {oid: name for oid, name, _ in plan.orgs}
    consent_base = plan.today - timedelta(days=HISTORY_DAYS)

    def rows() -> Iterable[dict[str, Any]]:
        for oid, n in per_org.items():
            domain = _domain(names[oid], sectors[oid])
            people = plan.org_contacts.setdefault(oid, [])
            for _ in range(n):
                cid = next(ids)
                first, last = rng.choice(FIRST), rng.choice(LAST)
                name = f"{first} {last}"
                title = rng.choice(TITLES)
                people.append(cid)
                plan.contact_org[cid] = oid
                consent = consent_base + timedelta(days=rng.randrange(HISTORY_DAYS))
                yield {
                    "id": cid,
                    "name": name,
                    "name_key": name_key(name),
                    "email": _email(plan, first, last, domain) if rng.random() < 0.95 else None,
                    "phone": f"020 7{rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
                    if rng.random() < 0.5
                    else None,
                    "job_title": title,
                    "senior": title in SENIOR_TITLES,
                    "organisation_id": oid,
                    "lawful_basis": "legitimate_interests",
                    "consent_source": "scale data",
                    "consent_date": consent,
                    "consent_expires": None,
                    "archived": rng.random() < 0.02,
                    "erased_at": None,
                    **_versioned(plan),
                }

    plan.counts["contacts"] = plan.counts.get("contacts", 0) + writer.write(
        _table(m.Contact), rows(), total, "contacts"
    )


# --- conversations and everything that hangs off them --------------------------------------


@dataclass
class _Conversation:
    id: int
    org: int
    lead: int
    stage: str
    started: date
    touches: int
    contacts: list[int]
    last_touch: date = date.min
    committed_on: date | None = None


def _conversations(
    s: Session,
    plan: _Plan,
    writer: _Writer,
    rng: random.Random,
    per_org: dict[int, int],
    touch_total: int,
    step_total: int,
    label: str = "",
) -> list[_Conversation]:
    """Conversations with their contacts, missions, stage changes, touchpoints, steps and
    commitments; `per_org` says how many conversations each organisation has."""
    total = sum(per_org.values())
    ids = iter(plan.ids("conversation", total))
    today = plan.today
    convs: list[_Conversation] = []
    extra_touches = max(0, touch_total - total)
    for oid, n in per_org.items():
        people = plan.org_contacts.get(oid, [])
        for _ in range(n):
            # recent conversations are more common than old ones
            age = int(HISTORY_DAYS * rng.random() ** 1.6)
            stage = _weighted(rng, STAGES)
            if age < 20 and stage == "committed":
                stage = "exploring"
            elif age > 365 and stage in ("initiated", "exploring") and rng.random() < 0.7:
                # most conversations that went nowhere for a year were parked or declined
                stage = "parked" if rng.random() < 0.6 else "declined"
            k = 1 if len(people) < 2 or rng.random() < 0.7 else 2
            convs.append(
                _Conversation(
                    id=next(ids),
                    org=oid,
                    lead=rng.choice(plan.colleagues),
                    stage=stage,
                    started=today - timedelta(days=age),
                    touches=1,
                    contacts=rng.sample(people, k) if people else [],
                )
            )
    # extra touchpoints go to older and committed conversations more than to new ones
    weights = [
        (1 + (today - c.started).days / 120) * (2 if c.stage == "committed" else 1) for c in convs
    ]
    for c in rng.choices(convs, weights=weights, k=extra_touches):
        c.touches += 1

    asks = [("role", r) for r in plan.roles] + [("kind", k) for k in plan.kinds]
    subjects = SUBJECTS

    def conversation_rows() -> Iterable[dict[str, Any]]:
        for c in convs:
            kind, value = rng.choice(asks)
            # touchpoint dates are decided here so last_touch_on matches them
            span = max(1, min((today - c.started).days, 400))
            c.last_touch = c.started + timedelta(
                days=max((int(span * rng.random() ** 0.7) for _ in range(c.touches - 1)), default=0)
            )
            if c.stage == "committed":
                c.touches = max(c.touches, 2)  # the meeting where it was agreed is a touchpoint
                c.committed_on = c.started + timedelta(days=rng.randint(1, span))
                c.last_touch = max(c.last_touch, c.committed_on)
            yield {
                "id": c.id,
                "organisation_id": c.org,
                "lead_id": c.lead,
                "ask_role_id": value if kind == "role" else None,
                "ask_kind": value if kind == "kind" else None,
                "subject": rng.choice(subjects).format(place=rng.choice(PLACES)),
                "stage": c.stage,
                "started_on": c.started,
                "last_touch_on": c.last_touch,
                "archived": False,
                **_versioned(plan),
            }

    plan.counts["conversations"] = plan.counts.get("conversations", 0) + writer.write(
        _table(m.Conversation), conversation_rows(), total, f"conversations{label}"
    )
    writer.write(
        m.conversation_contact,
        ({"conversation_id": c.id, "contact_id": p} for c in convs for p in c.contacts),
        total,
        f"conversation contacts{label}",
    )
    writer.write(
        m.conversation_mission,
        (
            {"conversation_id": c.id, "mission_id": mi}
            for c in convs
            for mi in rng.sample(plan.missions, 1 if rng.random() < 0.75 else 2)
        ),
        total,
        f"conversation missions{label}",
    )
    _stage_changes(plan, writer, rng, convs, label)
    _touchpoints(plan, writer, rng, convs, label)
    _steps(plan, writer, rng, convs, step_total, label)
    _commitments(plan, writer, rng, convs, label)
    return convs


def _stage_changes(
    plan: _Plan, writer: _Writer, rng: random.Random, convs: list[_Conversation], label: str
) -> None:
    def rows() -> Iterable[dict[str, Any]]:
        for c in convs:
            yield first_stage_change(c.id, c.started, by=plan.actor, at=plan.now)
            moves: list[tuple[str | None, str, date]] = [(None, "initiated", c.started)]
            if c.stage != "initiated":
                end = c.committed_on or c.last_touch
                span = max(0, (end - c.started).days)
                if c.stage == "exploring" or rng.random() < 0.8:
                    explored = c.started + timedelta(days=rng.randint(0, span // 2) if span else 0)
                    moves.append(("initiated", "exploring", explored))
                if c.stage != "exploring":
                    moves.append((moves[-1][1], c.stage, end))
            for frm, to, on in moves[1:]:
                yield {
                    "conversation_id": c.id,
                    "from_stage": frm,
                    "to_stage": to,
                    "changed_on": on,
                    "changed_at": plan.now,
                    "changed_by": plan.actor,
                }

    def with_ids() -> Iterable[dict[str, Any]]:
        for row in rows():
            row["id"] = plan.ids("stage_change", 1)[0]
            yield row

    plan.counts["stage_changes"] = plan.counts.get("stage_changes", 0) + writer.write(
        _table(m.StageChange), with_ids(), len(convs) * 2, f"stage changes{label}"
    )


def _touchpoints(
    plan: _Plan, writer: _Writer, rng: random.Random, convs: list[_Conversation], label: str
) -> None:
    total = sum(c.touches for c in convs)
    ids = iter(plan.ids("touchpoint", total))
    channels = [c[0] for c in CHANNELS]
    channel_weights = [c[1] for c in CHANNELS]

    def rows() -> Iterable[dict[str, Any]]:
        for c in convs:
            span = (c.last_touch - c.started).days
            days = [0] + sorted(rng.randint(0, span) for _ in range(c.touches - 2))
            if c.touches > 1:
                days.append(span)
            picked = rng.choices(channels, weights=channel_weights, k=len(days))
            first: dict[str, Any] = {}
            for d, channel in zip(days, picked, strict=True):
                note = rng.choice(NOTES)
                text = note.format(place=rng.choice(PLACES)) if note else None
                if not first:  # days[0] is 0: the conversation itself
                    first = first_touchpoint(
                        c.id,
                        c.started,
                        at=plan.now,
                        channel=channel,
                        colleague_id=c.lead,
                        contact_id=c.contacts[0] if c.contacts else None,
                        note=text,
                    )
                    yield {"id": next(ids), **first}
                    continue
                later = {"happened_on": c.started + timedelta(days=d), "channel": channel}
                yield {"id": next(ids), **first, **later, "note": text}

    plan.counts["touchpoints"] = plan.counts.get("touchpoints", 0) + writer.write(
        _table(m.Touchpoint), rows(), total, f"touchpoints{label}"
    )


def _steps(
    plan: _Plan,
    writer: _Writer,
    rng: random.Random,
    convs: list[_Conversation],
    total: int,
    label: str,
) -> None:
    owners = rng.choices(convs, k=total)
    ids = iter(plan.ids("step", total))
    today = plan.today

    def rows() -> Iterable[dict[str, Any]]:
        for c in owners:
            due = c.started + timedelta(days=rng.randint(3, 60 + (today - c.started).days // 3))
            open_stage = c.stage in ("initiated", "exploring")
            # a step overdue for months is done or dropped; the overdue ones are recent
            recent = due > today - timedelta(days=60)
            if due <= today and (not open_stage or not recent or rng.random() < 0.6):
                done = max(c.started, min(today, due + timedelta(days=rng.randint(-5, 10))))
            elif due > today and not open_stage:
                due, done = today - timedelta(days=rng.randint(1, 30)), today
            else:
                done = None
            yield {
                "id": next(ids),
                "conversation_id": c.id,
                "description": rng.choice(STEP_TEXTS),
                "owner_id": c.lead if rng.random() < 0.8 else rng.choice(plan.colleagues),
                "due_on": due,
                "done_on": done,
                **_versioned(plan),
            }

    plan.counts["steps"] = plan.counts.get("steps", 0) + writer.write(
        _table(m.Step), rows(), total, f"steps{label}"
    )


def _commitments(
    plan: _Plan, writer: _Writer, rng: random.Random, convs: list[_Conversation], label: str
) -> None:
    committed = [c for c in convs if c.stage == "committed"]
    ids = plan.ids("commitment", len(committed))
    today = plan.today
    deliveries: list[dict[str, Any]] = []
    missions: list[dict[str, Any]] = []

    def rows() -> Iterable[dict[str, Any]]:
        for cid, c in zip(ids, committed, strict=True):
            assert c.committed_on is not None
            status = _weighted(rng, COMMITMENT_STATUSES)
            agreed = c.committed_on
            age = (today - agreed).days
            if status in ("delivered", "lapsed") and age < 7:
                status = "in_progress"
            kind = rng.choice(plan.kinds)
            gbp = (
                Decimal(rng.randrange(500, 100_000, 500))
                if "sponsorship" in kind or kind == "investment"
                else None
            )
            hours = (
                Decimal(rng.randrange(4, 400))
                if kind in ("sponsorship_in_kind", "research")
                else None
            )
            opportunities = rng.randrange(1, 60) if kind in ("opportunities", "hosting") else None
            people = rng.randrange(5, 300) if rng.random() < 0.6 else None
            closed = None
            if status in ("delivered", "lapsed"):
                closed = agreed + timedelta(days=rng.randint(7, max(7, min(age, 365))))
            if status == "delivered" or (status == "in_progress" and rng.random() < 0.3):
                on = closed or agreed + timedelta(days=rng.randint(0, max(0, age)))
                story = (
                    rng.choice(STORIES).format(place=rng.choice(PLACES))
                    if rng.random() < 0.3
                    else None
                )
                deliveries.append(
                    {
                        "commitment_id": cid,
                        "delivered_on": on,
                        "opportunities": opportunities,
                        "people": people,
                        "gbp": gbp,
                        "hours": hours,
                        "story": story,
                        "recorded_by": plan.actor,
                    }
                )
            for mi in rng.sample(plan.missions, 1 if rng.random() < 0.7 else 2):
                missions.append({"commitment_id": cid, "mission_id": mi})
            yield {
                "id": cid,
                "organisation_id": c.org,
                "conversation_id": c.id,
                "kind": kind,
                "beneficiary": f"{rng.choice(PLACES)} residents" if rng.random() < 0.5 else None,
                "promised_gbp": gbp,
                "promised_hours": hours,
                "promised_opportunities": opportunities,
                "promised_people": people,
                "due_on": agreed + timedelta(days=rng.randint(30, 365)),
                "status": status,
                "agreed_on": agreed,
                "closed_on": closed,
                **_versioned(plan),
            }

    plan.counts["commitments"] = plan.counts.get("commitments", 0) + writer.write(
        _table(m.Commitment), rows(), len(committed), f"commitments{label}"
    )
    delivery_ids = plan.ids("delivery", len(deliveries))
    for did, row in zip(delivery_ids, deliveries, strict=True):
        row["id"] = did
    plan.counts["deliveries"] = plan.counts.get("deliveries", 0) + writer.write(
        _table(m.Delivery), deliveries, len(deliveries), f"deliveries{label}"
    )
    writer.write(m.commitment_mission, missions, len(missions), f"commitment missions{label}")


# --- ambassadorships, events and attendances ------------------------------------------------


def _ambassadorships(plan: _Plan, writer: _Writer, rng: random.Random, org_ids: list[int]) -> None:
    chosen = rng.sample(org_ids, max(1, len(org_ids) // 50))
    ids = plan.ids("ambassadorship", len(chosen))
    today = plan.today
    rows = []
    for aid, oid in zip(ids, chosen, strict=True):
        status = _weighted(rng, AMBASSADOR_STATUSES)
        since = today - timedelta(days=rng.randrange(10, 700))
        changed = since + timedelta(days=rng.randint(0, (today - since).days))
        rows.append(
            {
                "id": aid,
                "organisation_id": oid,
                "role_id": rng.choice(plan.roles),
                "mission_id": rng.choice(plan.missions),
                "status": status,
                "since": since,
                "status_changed_on": changed if status != "proposed" else since,
                "ended_on": changed if status == "ended" else None,
                **_versioned(plan),
            }
        )
    plan.counts["ambassadorships"] = writer.write(
        _table(m.Ambassadorship), rows, len(rows), "ambassadorships"
    )


def _events(
    plan: _Plan, writer: _Writer, rng: random.Random, count: int, attendances: int, batch: int
) -> None:
    anchors = [oid for oid, _name, anchor in plan.orgs if anchor] or [o[0] for o in plan.orgs]
    ids = plan.ids("event", count)
    kinds = [k for k, _ in EVENT_KINDS]
    weights = [w for _, w in EVENT_KINDS]
    events = []
    for eid in ids:
        kind = rng.choices(kinds, weights=weights)[0]
        held = plan.today - timedelta(days=rng.randrange(1, HISTORY_DAYS))
        label = {"summit": "Partners' Summit", "roundtable": "Anchor Roundtable"}.get(
            kind, rng.choice(OTHER_EVENTS)
        )
        name = f"{label} {held:%d %b %Y} ({rng.choice(PLACES)}, batch {batch}.{eid})"
        plan.used_events.add(name_key(name))
        events.append(
            {
                "id": eid,
                "name": name,
                "name_key": name_key(name),
                "kind": kind,
                "held_on": held,
                "host_id": rng.choice(anchors),
                "owner_id": rng.choice(plan.colleagues),
                **_versioned(plan),
            }
        )
    plan.counts["events"] = writer.write(_table(m.Event), events, count, "events")
    # summits are big, roundtables small; every event gets distinct contacts
    size = {"summit": 6.0, "roundtable": 0.3, "other": 1.0}
    scale = attendances / sum(size[e["kind"]] for e in events)
    everyone = list(plan.contact_org)
    att_rows: list[dict[str, Any]] = []
    interest_m: list[dict[str, Any]] = []
    interest_r: list[dict[str, Any]] = []
    for e in events:
        n = min(len(everyone), max(5, int(size[e["kind"]] * scale)))
        for contact in rng.sample(everyone, n):
            aid = plan.ids("attendance", 1)[0]
            att_rows.append(
                {
                    "id": aid,
                    "event_id": e["id"],
                    "contact_id": contact,
                    "organisation_id": plan.contact_org[contact],
                    "role": "attendee" if rng.random() < 0.95 else "speaker",
                    "registered_at": None,
                }
            )
            if rng.random() < 0.3:
                interest_m.append({"attendance_id": aid, "mission_id": rng.choice(plan.missions)})
                if rng.random() < 0.4:
                    interest_r.append({"attendance_id": aid, "role_id": rng.choice(plan.roles)})
    plan.counts["attendances"] = writer.write(
        _table(m.Attendance), att_rows, len(att_rows), "attendances"
    )
    writer.write(m.attendance_mission, interest_m, len(interest_m), "attendance interest")
    writer.write(m.attendance_role, interest_r, len(interest_r), "attendance interest")


# --- the whole build ------------------------------------------------------------------------


def _allocate(rng: random.Random, org_ids: list[int], total: int) -> dict[int, int]:
    """Skewed counts of conversations per organisation: some none, many one, a long tail."""
    counts: dict[int, int] = {}
    rest = []
    for oid in org_ids:
        r = rng.random()
        if r < 0.15:
            counts[oid] = 0
        elif r < 0.5:
            counts[oid] = 1
        else:
            rest.append(oid)
    remaining = max(0, total - sum(counts.values()))
    # a Pareto tail, softly capped so the busiest partners are many hundreds, not all one size
    weights = [w / (1 + w / 40) for w in (rng.paretovariate(1.1) for _ in rest)]
    scale = remaining / (sum(weights) or 1)
    for oid, w in zip(rest, weights, strict=True):
        # the big partner stays the one with the longest history
        counts[oid] = min(BIG_CONVERSATIONS - 1, max(2, round(w * scale)))
    return counts


def _spread(
    rng: random.Random, keys: Sequence[int], weights: Sequence[float], total: int, minimum: int = 1
) -> dict[int, int]:
    """`total` items spread over `keys` in proportion to `weights`, at least `minimum` each."""
    spare = max(0, total - minimum * len(keys))
    wsum = sum(weights) or 1.0
    out = {k: minimum + int(spare * w / wsum) for k, w in zip(keys, weights, strict=True)}
    short = total - sum(out.values())
    for k in rng.choices(list(keys), weights=list(weights), k=max(0, short)):
        out[k] += 1
    return out


def _big_partner(s: Session, plan: _Plan, writer: _Writer, seed: int) -> dict[str, Any]:
    """The anchor with a long history: the same size at every scale."""
    rng = random.Random(seed * 7919)
    name = BIG_PARTNER
    n = 2
    while name_key(name) in plan.used_keys:
        name = f"{BIG_PARTNER} {n}"
        n += 1
    plan.used_keys.add(name_key(name))
    [oid] = _organisations(plan, writer, rng, 1, fixed=[(name, "business", True)])
    _contacts(plan, writer, rng, {oid: 200}, {oid: "business"})
    convs = _conversations(
        s,
        plan,
        writer,
        rng,
        {oid: BIG_CONVERSATIONS},
        BIG_CONVERSATIONS * 3,
        int(BIG_CONVERSATIONS * 1.5),
        " (big partner)",
    )
    return {
        "id": oid,
        "name": name,
        "conversations": len(convs),
        "commitments": sum(1 for c in convs if c.stage == "committed"),
    }


def _generate(s: Session, plan: _Plan, writer: _Writer, rng: random.Random, scale: int) -> None:
    batch = (
        s.scalar(
            select(func.count()).where(
                m.HistoryEntry.action == "bulk_create", m.HistoryEntry.entity == "organisation"
            )
        )
        or 0
    )
    _colleagues(plan, writer, rng, 10 + scale // 2)
    n_orgs = PER_UNIT["organisations"] * scale
    org_ids = _organisations(plan, writer, rng, n_orgs)
    sectors = {
        oid: sec
        for oid, sec in s.execute(
            select(m.Organisation.id, m.Organisation.sector).where(m.Organisation.id >= org_ids[0])
        )
    }
    conv_counts = _allocate(rng, org_ids, PER_UNIT["conversations"] * scale)
    # bigger partners have more people; every partner has someone to talk to
    contact_counts = _spread(
        rng, org_ids, [(1 + conv_counts[o]) ** 0.8 for o in org_ids], PER_UNIT["contacts"] * scale
    )
    _contacts(plan, writer, rng, contact_counts, sectors)
    _conversations(
        s,
        plan,
        writer,
        rng,
        conv_counts,
        PER_UNIT["touchpoints"] * scale,
        PER_UNIT["steps"] * scale,
    )
    _ambassadorships(plan, writer, rng, org_ids)
    _events(
        plan, writer, rng, PER_UNIT["events"] * scale, PER_UNIT["attendances"] * scale, batch + 1
    )


def _summarise(s: Session, plan: _Plan, scale: int, seed: int) -> None:
    """One audit entry per table written, not one per row."""
    start_ids = {k: v for k, v in plan.next_id.items()}
    entries = []
    for key, entity in (
        ("colleagues", "colleague"),
        ("organisations", "organisation"),
        ("contacts", "contact"),
        ("conversations", "conversation"),
        ("stage_changes", "stage_change"),
        ("touchpoints", "touchpoint"),
        ("steps", "step"),
        ("commitments", "commitment"),
        ("deliveries", "delivery"),
        ("ambassadorships", "ambassadorship"),
        ("events", "event"),
        ("attendances", "attendance"),
    ):
        count = plan.counts.get(key, 0)
        if not count:
            continue
        last = start_ids[entity] - 1
        entries.append(
            {
                "action": "bulk_create",
                "entity": entity,
                "entity_id": last - count + 1,
                "organisation_id": None,
                "summary": f"scale data (N={scale}, seed {seed}): {count:,} {key.replace('_', ' ')}",
                "changes": {"count": count, "last_id": last, "scale": scale, "seed": seed},
            }
        )
    history.record_many(s, entries)


# the tables the generator writes (their foreign keys are checked once, at the end, on PostgreSQL)
WRITTEN = (
    "colleague",
    "organisation",
    "organisation_alias",
    "contact",
    "conversation",
    "conversation_contact",
    "conversation_mission",
    "stage_change",
    "touchpoint",
    "step",
    "commitment",
    "commitment_mission",
    "delivery",
    "ambassadorship",
    "event",
    "attendance",
    "attendance_mission",
    "attendance_role",
)


def _suspend_foreign_keys(s: Session) -> list[tuple[str, str, str]]:
    """PostgreSQL: drop the foreign keys of the tables about to be filled, inside this transaction.

    A foreign key is checked by a trigger for every row; adding it back after the load checks
    all rows with one join (PostgreSQL's "Populating a Database" advice). Everything happens
    in the build's transaction, so a failure anywhere leaves the schema as it was.
    """
    rows = s.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace "
            "AND t.relname = ANY(:tables) ORDER BY 1, 2"
        ),
        {"tables": list(WRITTEN)},
    ).all()
    suspended = [(str(t), str(n), str(d)) for t, n, d in rows]
    for table, name, _definition in suspended:
        s.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    return suspended


def _suspend_indexes(s: Session) -> list[tuple[str, str]]:
    """PostgreSQL: drop the plain (not unique) indexes of the tables about to be filled.

    That includes the search tables the triggers fill: building a GIN or B-tree index once
    over all the rows is much cheaper than growing it row by row. Unique indexes stay, so
    uniqueness is checked as rows go in. Same transaction as the build, like the foreign keys.
    """
    rows = s.execute(
        text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relnamespace = current_schema()::regnamespace "
            "AND (t.relname = ANY(:tables) OR t.relname LIKE 'search%') "
            "AND NOT i.indisprimary AND NOT i.indisunique "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        ),
        {"tables": list(WRITTEN)},
    ).all()
    found = [(str(n), str(d)) for n, d in rows]
    for name, _definition in found:
        s.execute(text(f"DROP INDEX {name}"))
    return found


def _restore_indexes(s: Session, indexes: list[tuple[str, str]], progress: Progress | None) -> None:
    for done, (_name, definition) in enumerate(indexes, 1):
        s.execute(text(definition))
        if progress is not None:
            progress("building indexes", done, len(indexes))


def _restore_foreign_keys(
    s: Session, suspended: list[tuple[str, str, str]], progress: Progress | None
) -> None:
    for done, (table, name, definition) in enumerate(suspended, 1):
        s.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
        if progress is not None:
            progress("checking foreign keys", done, len(suspended))


def _reset_sequences(s: Session) -> None:
    """PostgreSQL: move each id sequence past the ids written here."""
    for table in m.Base.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        s.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f'coalesce((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )
