"""The demo data set: the partners, summits and roundtables of the council's reports, and a year of work.

Everything is built through the library's own service functions, so the demo exercises the
same rules (and leaves the same audit trail) as a colleague typing at the CLI. Dates are
relative to `today`, so the demo always looks current: some steps are overdue, some due this
week. The three summits are the report's own history (UCL 2022, Wellcome Collection 2023,
Senate House 2024) and the anchor roundtables run twice a year from 2023 up to `today`.

Contacts are fictional people; their addresses use the organisations' real-looking domains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partnercrm import (
    ambassadors,
    colleagues,
    commitments,
    contacts,
    conversations,
    events,
    missions,
    organisations,
    steps,
)
from partnercrm import models as m
from partnercrm.matching import name_key

# the demo is loaded when this organisation exists (it is the first the report names)
MARKER = "Phoenix Court Works"

COLLEAGUES = [
    # (name, email, team)
    ("Ruth Craven", "ruth.craven@camden.gov.uk", "Partnerships"),
    ("Daniel Okoro", "daniel.okoro@camden.gov.uk", "Partnerships"),
    ("Priya Shah", "priya.shah@camden.gov.uk", "Missions"),
    ("Helen Armitage", "helen.armitage@camden.gov.uk", "Strategy, Design and Insight"),
    ("Marcus Webb", "marcus.webb@camden.gov.uk", "Participation, Partnerships and Communications"),
    ("Tom Ellery", "tom.ellery@camden.gov.uk", "STEAM and Inclusive Economy"),
    ("Amara Jones", "amara.jones@camden.gov.uk", "Cabinet"),
]
# the partnership lead runs the team; the officers edit, one answers data-protection
# requests; the director and the cabinet member read briefs
ROLES = {
    "Ruth Craven": ("admin", "editor"),
    "Daniel Okoro": ("editor", "privacy"),
    "Priya Shah": ("editor",),
    "Helen Armitage": ("viewer",),
    "Marcus Webb": ("editor",),
    "Tom Ellery": ("editor",),
    "Amara Jones": ("viewer",),
}


@dataclass
class Partner:
    name: str
    sector: str
    domain: str
    ward: str | None = None
    anchor: bool = False
    aliases: tuple[str, ...] = ()
    lead: str | None = "Ruth Craven"
    # (name, job title, senior)
    people: list[tuple[str, str, bool]] = field(default_factory=list)
    notes: str | None = None


PARTNERS = [
    Partner(
        "Phoenix Court Works",
        "vcs",
        "phoenixcourtworks.org.uk",
        "St Pancras and Somers Town",
        people=[
            ("Nell Cartwright", "Studio Director", True),
            ("Dev Raman", "Community Programme Lead", False),
        ],
        notes="Expressed interest in the ambassador role at the 2024 Summit.",
    ),
    Partner(
        "British Museum",
        "culture",
        "britishmuseum.org",
        "Bloomsbury",
        anchor=True,
        people=[
            ("Fiona Lockwood", "Head of Community Partnerships", True),
            ("James Okafor", "Learning Manager", False),
            ("Rosa Delgado", "Volunteering Manager", False),
        ],
    ),
    Partner(
        "UCL",
        "higher_education",
        "ucl.ac.uk",
        "Bloomsbury",
        anchor=True,
        aliases=("University College London",),
        lead="Priya Shah",
        people=[
            ("Miriam Hale", "Vice-Provost (London)", True),
            ("Oliver Brandt", "Director of Public Engagement", True),
            ("Nadia Karim", "Community Partnerships Manager", False),
        ],
        notes="Hosted the first We Make Camden Summit (2022).",
    ),
    Partner(
        "Roundhouse",
        "culture",
        "roundhouse.org.uk",
        "Camden Town",
        people=[
            ("Leah Donnelly", "Director of Creative Programmes", True),
            ("Kwame Asante", "Young Creatives Lead", False),
        ],
    ),
    Partner(
        "UAL Central Saint Martins",
        "higher_education",
        "arts.ac.uk",
        "King's Cross",
        anchor=True,
        aliases=("Central Saint Martins", "UAL CSM"),
        people=[
            ("Anna Reyes", "Dean of Social Purpose", True),
            ("Ben Hartley", "Public Programmes Manager", False),
        ],
    ),
    Partner(
        "Arsenal F.C.",
        "business",
        "arsenal.co.uk",
        None,
        lead="Marcus Webb",
        people=[
            ("Gary Simmons", "Arsenal in the Community Manager", True),
            ("Chloe Marsh", "Partnerships Executive", False),
        ],
    ),
    Partner(
        "Camden Giving",
        "vcs",
        "camdengiving.org.uk",
        "Kentish Town South",
        people=[
            ("Sophie Lindqvist", "Chief Executive", True),
            ("Abdi Warsame", "Grants Manager", False),
            ("Ella Brooks", "Business Partnerships Manager", False),
        ],
        notes="Runs the We Make Camden Kit with the council since August 2021.",
    ),
    Partner(
        "Word on the Curb",
        "social_action",
        "wordonthecurb.co.uk",
        "Camden Town",
        people=[("Tariq Benjamin", "Founder", True), ("Maya Forde", "Producer", False)],
    ),
    Partner(
        "Google",
        "business",
        "google.com",
        "King's Cross",
        anchor=True,
        lead="Tom Ellery",
        people=[
            ("Rachel Tan", "Head of Community Engagement, UK", True),
            ("Sam Patel", "Skills Programme Manager", False),
            ("Joanna Wright", "Public Policy Manager", True),
        ],
    ),
    Partner(
        "Wellcome Collection",
        "culture",
        "wellcomecollection.org",
        "Regent's Park",
        anchor=True,
        people=[
            ("Eleanor Price", "Head of Engagement", True),
            ("Idris Mensah", "Community Producer", False),
        ],
        notes="Hosted the 2023 We Make Camden Summit.",
    ),
    Partner(
        "University of London Senate House",
        "higher_education",
        "london.ac.uk",
        "Bloomsbury",
        anchor=True,
        aliases=("Senate House",),
        people=[
            ("Catherine Moss", "Director of Estates and Venues", True),
            ("Harry Quinn", "Events Manager", False),
        ],
        notes="Hosted the 2024 We Make Camden Summit.",
    ),
    Partner(
        "British Land",
        "business",
        "britishland.com",
        "Regent's Park",
        anchor=True,
        lead="Helen Armitage",
        people=[
            ("Victoria Ashdown", "Head of Social Impact", True),
            ("Luke Pemberton", "Euston Tower Development Manager", False),
        ],
        notes="Developer and landowner; redeveloping Euston Tower.",
    ),
    Partner(
        "The Winch",
        "vcs",
        "thewinch.org",
        "Swiss Cottage",
        lead="Daniel Okoro",
        people=[
            ("Grace Adeyemi", "Chief Executive", True),
            ("Owen Fitzgerald", "Youth Participation Lead", False),
        ],
    ),
    Partner(
        "Public Works",
        "social_action",
        "public-works.org",
        "Kentish Town North",
        lead="Daniel Okoro",
        people=[("Elena Marchetti", "Director", True), ("Jonah Reid", "Architect", False)],
    ),
    Partner(
        "Francis Crick Institute",
        "higher_education",
        "crick.ac.uk",
        "St Pancras and Somers Town",
        anchor=True,
        aliases=("The Crick",),
        lead="Tom Ellery",
        people=[
            ("Hannah Berg", "Head of Education and Public Engagement", True),
            ("Michael Doyle", "Schools Programme Officer", False),
        ],
    ),
    Partner(
        "Lendlease",
        "business",
        "lendlease.com",
        "King's Cross",
        anchor=True,
        lead="Tom Ellery",
        people=[
            ("Paul Whitaker", "Community Investment Manager", True),
            ("Sinead Gallagher", "Skills and Employment Lead", False),
        ],
    ),
    Partner(
        "Camden Learning",
        "public_sector",
        "camdenlearning.org.uk",
        "Holborn and Covent Garden",
        lead="Tom Ellery",
        people=[("Joy Ambrose", "Director", True), ("Tom Reeve", "STEAM Coordinator", False)],
        notes="The schools' partnership: runs STEAM with the council.",
    ),
    Partner(
        "Origin Tenants Voices",
        "social_action",
        "origintenantsvoices.org.uk",
        "St Pancras and Somers Town",
        lead="Daniel Okoro",
        people=[("Marjorie Bell", "Chair", True), ("Ahmed Hussain", "Secretary", False)],
        notes="Tenants of Origin Housing in Somers Town; used the Good Life Camden framework.",
    ),
    Partner(
        "Meta",
        "business",
        "meta.com",
        "King's Cross",
        anchor=True,
        aliases=("Facebook",),
        lead=None,
        people=[("Lauren Fisher", "Community Affairs Manager", False)],
        notes="A STEAM employer; no warm conversation yet.",
    ),
    Partner(
        "Old Diorama Arts Centre",
        "culture",
        "olddiorama.co.uk",
        "Regent's Park",
        lead=None,
        people=[("Kate Rowe", "Artistic Director", True)],
    ),
]

# The report's own history: three summits, each hosted by a partner.
SUMMITS = [
    ("We Make Camden Summit 2022", date(2022, 11, 16), "UCL"),
    ("We Make Camden Summit 2023", date(2023, 11, 8), "Wellcome Collection"),
    ("We Make Camden Summit 2024", date(2024, 11, 13), "University of London Senate House"),
]

ROUNDTABLE_HOSTS = [
    "British Land",
    "Google",
    "Francis Crick Institute",
    "UCL",
    "Wellcome Collection",
    "Lendlease",
    "British Museum",
    "UAL Central Saint Martins",
]
ROUNDTABLE_THEMES = [
    ("Community Wealth Fund", ["estates", "diversity"], ["sponsorship"]),
    ("apprenticeships and work placements", ["young_people"], ["sponsorship", "advocate"]),
    ("tackling health inequalities", ["food", "estates"], ["research"]),
]

# who said yes to what at the 2024 Summit (strategy report 3.7)
SUMMIT_2024_INTEREST = {
    "Phoenix Court Works": (["estates"], ["recognition"]),
    "British Museum": (["diversity"], ["advocate"]),
    "UCL": (["young_people", "diversity"], ["research"]),
    "Roundhouse": (["young_people"], ["advocate"]),
    "UAL Central Saint Martins": (["young_people"], ["recognition", "research"]),
    "Arsenal F.C.": (["young_people", "food"], ["advocate"]),
    "Camden Giving": (["diversity", "estates"], ["sponsorship", "advocate"]),
    "Word on the Curb": (["young_people"], ["recognition"]),
}


@dataclass
class Commitment:
    kind: str
    agreed: int | date  # days from today, or a fixed date
    status: str = "agreed"  # agreed, in_progress, delivered, lapsed
    beneficiary: str | None = None
    gbp: int | None = None
    hours: int | None = None
    opportunities: int | None = None
    people: int | None = None
    due: int | date | None = None
    closed: int | date | None = None  # delivered or lapsed on
    delivered: dict[str, Any] = field(default_factory=dict)  # actual figures and story
    partial: dict[str, Any] | None = None  # an earlier partial delivery


@dataclass
class Thread:
    """One warm conversation, scripted: what it was about, how it went, what it became."""

    org: str
    lead: str
    subject: str
    started: int | date
    ask: str | None = None
    missions: tuple[str, ...] = ()
    people: tuple[int, ...] = (0,)  # indexes into the partner's people
    touches: list[tuple[int | date, str, str]] = field(default_factory=list)
    stages: list[tuple[str, int | date]] = field(default_factory=list)
    # (what, owner, due in days, done in days or None)
    steps: list[tuple[str, str, int, int | None]] = field(default_factory=list)
    commitment: Commitment | None = None
    note: str | None = None


THREADS = [
    # --- sustain: delivered commitments more than twelve months apart ---
    Thread(
        "Camden Giving",
        "Ruth Craven",
        "We Make Camden Kit: second year of funding",
        -470,
        ask="sponsorship_financial",
        missions=("diversity", "estates"),
        people=(0, 1),
        note="Agreed to keep citizens' panels deciding small grants fortnightly.",
        touches=[
            (-460, "meeting", "Panel format reviewed with two citizen panellists."),
            (-440, "email", "Grant criteria signed off."),
        ],
        stages=[("exploring", -465)],
        commitment=Commitment(
            "sponsorship_financial",
            -440,
            "delivered",
            beneficiary="We Make Camden Kit",
            gbp=150000,
            opportunities=80,
            people=400,
            closed=-400,
            delivered={
                "gbp": 150000,
                "opportunities": 96,
                "people": 520,
                "story": "The Kit funded 96 citizen-led projects this year, from The Curios Club to Read and Play; Salina's reading sessions now run in three estates.",
            },
        ),
    ),
    Thread(
        "Camden Giving",
        "Ruth Craven",
        "Local businesses co-funding the Kit",
        -200,
        ask="sponsorship_financial",
        missions=("diversity",),
        people=(2,),
        touches=[
            (-190, "call", "Three King's Cross businesses interested."),
            (-120, "meeting", "Pitch to the Business Improvement District."),
            (-60, "email", "Match-funding agreement drafted."),
        ],
        stages=[("exploring", -185)],
        steps=[("Send the BID the Kit's impact stories", "Ruth Craven", -150, -148)],
        commitment=Commitment(
            "investment",
            -90,
            "delivered",
            beneficiary="We Make Camden Kit",
            gbp=60000,
            opportunities=30,
            closed=-20,
            delivered={
                "gbp": 62500,
                "opportunities": 34,
                "people": 210,
                "story": "Business match funding let the Kit open a second fortnightly panel; Creators House used its grant to open a studio for young makers.",
            },
        ),
    ),
    Thread(
        "British Land",
        "Helen Armitage",
        "Good Life Camden and the Euston Tower social impact framework",
        -540,
        ask="research",
        missions=("estates",),
        people=(0,),
        touches=[
            (-520, "meeting", "Walked through the GLC themes with their social impact team."),
            (-500, "meeting", "Workshop with residents near Euston."),
        ],
        stages=[("exploring", -530)],
        commitment=Commitment(
            "research",
            -500,
            "delivered",
            beneficiary="Euston Tower neighbours",
            hours=120,
            people=60,
            closed=-460,
            delivered={
                "hours": 140,
                "people": 75,
                "story": "British Land built its social impact measures for the Euston Tower redevelopment on the Good Life Camden framework, giving it citizen insight aligned with local priorities.",
            },
        ),
    ),
    Thread(
        "British Land",
        "Helen Armitage",
        "Euston Tower: apprenticeships and community space",
        -150,
        ask="opportunities",
        missions=("young_people", "estates"),
        people=(0, 1),
        touches=[
            (-140, "meeting", "Construction skills academy proposed."),
            (-75, "call", "Numbers agreed with the contractor."),
        ],
        stages=[("exploring", -138)],
        steps=[
            (
                "Connect the contractor with the Young Talent Guarantee advisers",
                "Tom Ellery",
                -60,
                -55,
            )
        ],
        commitment=Commitment(
            "opportunities",
            -70,
            "delivered",
            beneficiary="Camden Young Talent Guarantee",
            opportunities=25,
            people=25,
            closed=-10,
            delivered={
                "opportunities": 28,
                "people": 27,
                "story": "Twenty-eight young people from Regent's Park and Somers Town started construction placements on Euston Tower.",
            },
        ),
    ),
    Thread(
        "The Winch",
        "Daniel Okoro",
        "Participatory budgeting on the Hilgrove Estate",
        -520,
        ask="hosting",
        missions=("estates", "young_people"),
        people=(0, 1),
        touches=[
            (-505, "meeting", "Residents and officers met as equals to design the process."),
            (-470, "event", "Budget decision night on the estate."),
        ],
        stages=[("exploring", -510)],
        commitment=Commitment(
            "hosting",
            -500,
            "delivered",
            beneficiary="Hilgrove Estate residents",
            gbp=40000,
            people=150,
            closed=-430,
            delivered={
                "gbp": 40000,
                "people": 180,
                "opportunities": 6,
                "story": "Hilgrove residents decided how their estate budget was spent; the learning now shapes participatory funding across estates.",
            },
        ),
    ),
    Thread(
        "The Winch",
        "Daniel Okoro",
        "Vacant spaces: the Hilgrove garage",
        -160,
        ask="research",
        missions=("estates",),
        people=(0,),
        touches=[
            (-150, "meeting", "Site visit with Public Works."),
            (-90, "email", "Engagement plan shared."),
        ],
        stages=[("exploring", -148)],
        steps=[("Share soft market testing timetable", "Daniel Okoro", -30, -28)],
        commitment=Commitment(
            "research",
            -120,
            "delivered",
            beneficiary="Hilgrove Estate residents",
            hours=80,
            people=45,
            closed=-40,
            delivered={
                "hours": 96,
                "people": 52,
                "story": "Young people from The Winch ran the engagement on the multi-bay garage; residents chose a community workshop use.",
            },
        ),
    ),
    # --- grow: two live commitments or an active ambassadorship ---
    Thread(
        "Google",
        "Tom Ellery",
        "AI Campus for Camden pupils",
        -330,
        ask="sponsorship_in_kind",
        missions=("young_people",),
        people=(0, 1),
        note="With Camden Learning and the STEAM programme.",
        touches=[
            (-320, "meeting", "Campus curriculum: AI, ethics and creativity."),
            (-240, "meeting", "Site and timetable."),
            (-100, "call", "First cohort recruited."),
            (-12, "email", "Mid-year figures."),
        ],
        stages=[("exploring", -315)],
        steps=[
            ("Agree the evaluation measures with Camden Learning", "Tom Ellery", -20, None),
            ("Invite Google to speak at the next roundtable", "Ruth Craven", 3, None),
        ],
        commitment=Commitment(
            "sponsorship_in_kind",
            -280,
            "in_progress",
            beneficiary="Camden Learning AI Campus",
            hours=600,
            opportunities=200,
            people=200,
            due=25,
            partial={
                "on": -60,
                "opportunities": 80,
                "people": 85,
                "hours": 240,
                "story": "Eighty-five pupils from nine schools finished the first AI Campus term, more than half of them girls.",
            },
        ),
    ),
    Thread(
        "Google",
        "Tom Ellery",
        "STEAM work experience weeks",
        -45,
        ask="opportunities",
        missions=("young_people",),
        people=(1,),
        touches=[(-30, "call", "Two weeks in July offered.")],
        stages=[("exploring", -40)],
        steps=[("Send the placement brief", "Tom Ellery", 2, None)],
        commitment=Commitment(
            "opportunities",
            -14,
            "agreed",
            beneficiary="Camden STEAM",
            opportunities=30,
            people=30,
            due=200,
        ),
    ),
    Thread(
        "Camden Learning",
        "Tom Ellery",
        "STEAM ambassadors in schools",
        -300,
        ask="opportunities",
        missions=("young_people",),
        people=(0, 1),
        touches=[
            (-280, "meeting", "200 employee volunteers to match to schools."),
            (-150, "email", "Matching spreadsheet shared."),
        ],
        stages=[("exploring", -290)],
        commitment=Commitment(
            "opportunities",
            -200,
            "in_progress",
            beneficiary="Camden schools",
            opportunities=200,
            people=200,
            due=60,
        ),
        steps=[("Chase the termly mentor numbers", "Tom Ellery", -5, None)],
    ),
    Thread(
        "Camden Learning",
        "Priya Shah",
        "Youth Mission evaluation",
        -90,
        ask="research",
        missions=("young_people",),
        people=(0,),
        touches=[(-80, "meeting", "Critical friend role for the 2025 interim review.")],
        stages=[("exploring", -85)],
        commitment=Commitment(
            "research", -50, "agreed", beneficiary="Youth Mission", hours=40, due=120
        ),
    ),
    Thread(
        "UCL",
        "Priya Shah",
        "Hosting the first We Make Camden Summit",
        date(2022, 6, 1),
        ask="hosting",
        missions=("diversity", "young_people", "food", "estates"),
        people=(1,),
        touches=[(date(2022, 7, 12), "meeting", "Venue and date agreed.")],
        commitment=Commitment(
            "hosting",
            date(2022, 7, 12),
            "delivered",
            beneficiary="We Make Camden Summit 2022",
            people=250,
            closed=date(2022, 11, 16),
            delivered={
                "people": 260,
                "story": "UCL hosted the first We Make Camden Summit: partners and citizens leading social action met around the four missions.",
            },
        ),
    ),
    Thread(
        "UCL",
        "Priya Shah",
        "Research partner for the missions' learning framework",
        -240,
        ask="research",
        missions=("diversity", "young_people"),
        people=(0, 2),
        touches=[
            (-230, "meeting", "Theory of change review."),
            (-150, "meeting", "Student researchers assigned."),
            (-25, "email", "Draft findings."),
        ],
        stages=[("exploring", -225)],
        steps=[
            ("Book the findings session with the Head of Missions", "Priya Shah", -3, None),
            ("Share State of the Borough data tables", "Helen Armitage", 4, None),
        ],
        commitment=Commitment(
            "research",
            -180,
            "in_progress",
            beneficiary="Missions learning and evaluation",
            hours=300,
            due=9,
        ),
    ),
    Thread(
        "UAL Central Saint Martins",
        "Ruth Craven",
        "Recognition: student projects with estates",
        -210,
        ask="recognition",
        missions=("estates", "young_people"),
        people=(0, 1),
        touches=[
            (-200, "meeting", "Student live briefs on three estates."),
            (-90, "email", "Logo and story approved."),
        ],
        stages=[("exploring", -195)],
        steps=[("Publish the CSM story on the We Make Camden website", "Marcus Webb", 5, None)],
    ),
    # --- convert: one commitment agreed ---
    Thread(
        "Wellcome Collection",
        "Priya Shah",
        "Hosting the 2023 Summit",
        date(2023, 5, 2),
        ask="hosting",
        missions=("diversity", "food"),
        people=(0,),
        touches=[
            (
                date(2023, 6, 20),
                "meeting",
                "Hosting agreed; GLC and State of the Borough to launch there.",
            )
        ],
        commitment=Commitment(
            "hosting",
            date(2023, 6, 20),
            "delivered",
            beneficiary="We Make Camden Summit 2023",
            people=300,
            closed=date(2023, 11, 8),
            delivered={
                "people": 320,
                "story": "The State of the Borough report and the Good Life Camden framework were launched at the 2023 Summit at Wellcome Collection.",
            },
        ),
    ),
    Thread(
        "Wellcome Collection",
        "Ruth Craven",
        "Health inequalities research with residents",
        -70,
        ask="research",
        missions=("food",),
        people=(0, 1),
        touches=[(-60, "meeting", "Interest from their community producers.")],
        stages=[("parked", -20)],
        note="Parked until their new season is programmed.",
        steps=[("Check back after their programme launch", "Ruth Craven", 40, None)],
    ),
    Thread(
        "University of London Senate House",
        "Priya Shah",
        "Hosting the 2024 Summit",
        date(2024, 5, 14),
        ask="hosting",
        missions=("diversity", "young_people", "food", "estates"),
        people=(0, 1),
        touches=[(date(2024, 6, 25), "meeting", "Hosting agreed.")],
        commitment=Commitment(
            "hosting",
            date(2024, 6, 25),
            "delivered",
            beneficiary="We Make Camden Summit 2024",
            people=350,
            closed=date(2024, 11, 13),
            delivered={
                "people": 340,
                "story": "Partners expressed willingness and appetite to become Missions Ambassadors at the 2024 Summit in Senate House.",
            },
        ),
    ),
    Thread(
        "Francis Crick Institute",
        "Tom Ellery",
        "Lab placements for sixth-formers",
        -120,
        ask="opportunities",
        missions=("young_people",),
        people=(0, 1),
        touches=[
            (-110, "meeting", "Placement scheme for Year 12."),
            (-40, "call", "Safeguarding checks in hand."),
        ],
        stages=[("exploring", -100)],
        steps=[("Confirm schools for the first cohort", "Tom Ellery", -8, None)],
        commitment=Commitment(
            "opportunities",
            -35,
            "agreed",
            beneficiary="Camden STEAM",
            opportunities=24,
            people=24,
            due=150,
        ),
    ),
    Thread(
        "Lendlease",
        "Tom Ellery",
        "Construction careers fair",
        -400,
        ask="hosting",
        missions=("young_people",),
        people=(1,),
        touches=[(-390, "meeting", "Fair at King's Cross proposed.")],
        commitment=Commitment(
            "hosting", -380, "lapsed", beneficiary="Camden STEAM", people=300, closed=-250
        ),
    ),
    Thread(
        "Lendlease",
        "Tom Ellery",
        "Community Wealth Fund contribution",
        -130,
        ask="investment",
        missions=("estates",),
        people=(0,),
        touches=[
            (-120, "meeting", "Raised at the anchor roundtable."),
            (-45, "email", "Board approval received."),
        ],
        stages=[("exploring", -115)],
        steps=[("Draft the funding agreement", "Helen Armitage", 6, None)],
        commitment=Commitment(
            "investment", -30, "agreed", beneficiary="Community Wealth Fund", gbp=250000, due=180
        ),
    ),
    Thread(
        "Public Works",
        "Daniel Okoro",
        "Viability study for vacant spaces",
        -170,
        ask="research",
        missions=("estates",),
        people=(0, 1),
        touches=[
            (-160, "meeting", "Joint scope with The Winch."),
            (-100, "email", "Study delivered."),
        ],
        stages=[("exploring", -158)],
        commitment=Commitment(
            "research",
            -150,
            "delivered",
            beneficiary="Vacant Spaces programme",
            hours=160,
            closed=-95,
            delivered={
                "hours": 175,
                "story": "Public Works' study showed a small number of estate sites could take both commercial and community uses.",
            },
        ),
    ),
    # --- initiate: conversations only ---
    Thread(
        "Phoenix Court Works",
        "Ruth Craven",
        "Missions Ambassador: recognition of action",
        -60,
        ask="recognition",
        missions=("estates",),
        people=(0,),
        touches=[
            (-50, "meeting", "Tour of the studios."),
            (-15, "email", "Sent the ambassador offer."),
        ],
        stages=[("exploring", -48)],
        steps=[("Follow up on the ambassador offer", "Ruth Craven", -4, None)],
    ),
    Thread(
        "British Museum",
        "Marcus Webb",
        "Advocate for the Diversity mission",
        -180,
        ask="advocate",
        missions=("diversity",),
        people=(0, 1),
        touches=[
            (-170, "meeting", "Director-level meeting."),
            (-100, "email", "Content calendar drafted."),
        ],
        stages=[("exploring", -165), ("parked", -80)],
        note="Parked while their community team is restructured.",
    ),
    Thread(
        "British Museum",
        "Ruth Craven",
        "Volunteering days for local residents",
        -25,
        ask="opportunities",
        missions=("diversity",),
        people=(2,),
        touches=[(-10, "call", "Open to hosting resident volunteers.")],
        steps=[("Send the volunteering proposal", "Ruth Craven", 1, None)],
    ),
    Thread(
        "Roundhouse",
        "Ruth Craven",
        "Ambassador for the Youth Mission",
        -95,
        ask="advocate",
        missions=("young_people",),
        people=(0, 1),
        touches=[
            (-85, "meeting", "Young Creatives network could share opportunities."),
            (-30, "call", "Onboarding pack sent."),
        ],
        stages=[("exploring", -80)],
        steps=[
            ("Onboarding call with the Young Creatives lead", "Daniel Okoro", 2, None),
            ("Send the comms toolkit", "Marcus Webb", -12, -11),
        ],
    ),
    Thread(
        "Arsenal F.C.",
        "Marcus Webb",
        "Food Mission: holiday meals with the community trust",
        -260,
        ask="sponsorship_in_kind",
        missions=("food", "young_people"),
        people=(0,),
        touches=[
            (-250, "meeting", "Holiday activity and food programme idea."),
            (-200, "call", "Budget constraints."),
        ],
        stages=[("exploring", -245), ("declined", -190)],
        note="Declined for this season: budgets already allocated.",
    ),
    Thread(
        "Arsenal F.C.",
        "Marcus Webb",
        "Advocacy through the club's channels",
        -40,
        ask="advocate",
        missions=("young_people",),
        people=(1,),
        touches=[(-35, "email", "Interested in sharing stories.")],
        steps=[("Propose three stories for their channels", "Marcus Webb", -2, None)],
    ),
    Thread(
        "Word on the Curb",
        "Daniel Okoro",
        "Recognition for their youth storytelling",
        -20,
        ask="recognition",
        missions=("young_people",),
        people=(0,),
        touches=[(-8, "meeting", "Met at their studio.")],
        steps=[("Draft the recognition story", "Daniel Okoro", 4, None)],
    ),
    Thread(
        "Origin Tenants Voices",
        "Daniel Okoro",
        "Good Life Camden with Somers Town tenants",
        -140,
        ask="research",
        missions=("estates",),
        people=(0, 1),
        touches=[
            (-130, "meeting", "Used the GLC themes at their AGM."),
            (-65, "meeting", "What matters to Origin tenants."),
        ],
        stages=[("exploring", -128)],
        steps=[("Share the Somers Town State of the Borough figures", "Helen Armitage", -15, None)],
    ),
    Thread(
        "Camden Giving",
        "Amara Jones",
        "Cabinet member's visit to Kit projects",
        -12,
        ask="advocate",
        missions=("diversity",),
        people=(0,),
        touches=[(-5, "call", "Three projects shortlisted for the visit.")],
        steps=[("Confirm the visit date", "Ruth Craven", 1, None)],
    ),
]

AMBASSADORSHIPS = [
    # (organisation, role, mission, since (days), [(status, on (days))])
    ("Camden Giving", "advocate", "diversity", -300, [("onboarding", -280), ("active", -240)]),
    ("UCL", "research", "young_people", -200, [("onboarding", -190), ("active", -150)]),
    ("UAL Central Saint Martins", "recognition", "estates", -90, [("active", -60)]),
    ("Roundhouse", "advocate", "young_people", -30, [("onboarding", -25)]),
    ("Phoenix Court Works", "recognition", "estates", -15, []),
    ("Word on the Curb", "recognition", "young_people", -8, []),
    ("British Museum", "advocate", "diversity", -170, [("onboarding", -160), ("paused", -80)]),
    ("Arsenal F.C.", "advocate", "food", -330, [("active", -320), ("ended", -150)]),
]


def is_loaded(session: Session) -> bool:
    """True when the demo is already in this database."""
    key = name_key(MARKER)
    return (
        session.scalar(select(m.Organisation.id).where(m.Organisation.name_key == key)) is not None
    )


def load_demo(session: Session, today: date | None = None) -> dict[str, Any]:
    """Load the demo data set; running it again adds nothing. Returns what was added."""
    today = today or date.today()
    if is_loaded(session):
        return {"already_loaded": True, **{k: 0 for k in _COUNTED}}
    missions.install_defaults(session)
    before = _counts(session)
    # what happened is dated up to the demo's today, not the machine's
    pinned = session.info.get("today")
    session.info["today"] = today
    loader = _Loader(session, today)
    loader.colleagues()
    loader.partners()
    loader.events()
    loader.threads()
    loader.ambassadorships()
    if pinned is None:
        session.info.pop("today", None)
    else:
        session.info["today"] = pinned
    after = _counts(session)
    return {"already_loaded": False, **{k: after[k] - before[k] for k in _COUNTED}}


_COUNTED = {
    "colleagues": m.Colleague,
    "organisations": m.Organisation,
    "contacts": m.Contact,
    "conversations": m.Conversation,
    "touchpoints": m.Touchpoint,
    "steps": m.Step,
    "commitments": m.Commitment,
    "deliveries": m.Delivery,
    "ambassadorships": m.Ambassadorship,
    "events": m.Event,
    "attendances": m.Attendance,
}


def _counts(session: Session) -> dict[str, int]:
    return {
        k: session.scalar(select(func.count()).select_from(t)) or 0 for k, t in _COUNTED.items()
    }


class _Loader:
    def __init__(self, session: Session, today: date) -> None:
        self.s = session
        self.today = today
        self.colleague: dict[str, m.Colleague] = {}
        self.org: dict[str, m.Organisation] = {}
        self.people: dict[str, list[m.Contact]] = {}
        self.mission = {mi.key: mi for mi in missions.list_missions(session)}
        self.role = {r.key: r for r in missions.list_roles(session)}

    def day(self, when: int | date) -> date:
        return when if isinstance(when, date) else self.today + timedelta(days=when)

    def colleagues(self) -> None:
        for name, email, team in COLLEAGUES:
            existing = self.s.scalar(select(m.Colleague).where(m.Colleague.email == email))
            self.colleague[name] = existing or colleagues.add_colleague(self.s, name, email, team)
            if existing is None:
                for role in ROLES[name]:
                    self.colleague[name].roles.append(m.ColleagueRole(role=role))

    def partners(self) -> None:
        for p in PARTNERS:
            org = self.s.scalar(
                select(m.Organisation).where(m.Organisation.name_key == name_key(p.name))
            )
            if org is None:
                org = organisations.add_organisation(
                    self.s,
                    p.name,
                    p.sector,
                    aliases=p.aliases,
                    anchor=p.anchor,
                    ward=p.ward,
                    lead=self.colleague[p.lead] if p.lead else None,
                    website=f"https://www.{p.domain}",
                    notes=p.notes,
                )
            self.org[p.name] = org
            people = []
            for name, title, senior in p.people:
                first, _, last = name.partition(" ")
                email = f"{first}.{last}@{p.domain}".lower().replace(" ", "")
                person = contacts.email_owner(self.s, email) or contacts.add_contact(
                    self.s,
                    name,
                    email,
                    org,
                    job_title=title,
                    senior=senior,
                    consent_source="met through the partnerships team",
                    # they were in touch before the first summit they came to
                    consent_date=min(self.day(-400), date(2022, 10, 1)),
                )
                people.append(person)
            self.people[p.name] = people

    def events(self) -> None:
        ruth = self.colleague["Ruth Craven"]
        for name, held, host in SUMMITS:
            if held > self.today:
                continue
            event = events.add_event(self.s, name, "summit", held, host=self.org[host], owner=ruth)
            self._summit_attendance(event, host, name.endswith("2024"))
        self._roundtables()

    def _summit_attendance(self, event: m.Event, host: str, ambassador_summit: bool) -> None:
        for i, p in enumerate(PARTNERS):
            people = self.people[p.name]
            # every partner with a relationship lead came; so did some prospects
            if not people or (p.lead is None and i % 2):
                continue
            interest_missions: list[m.Mission] = []
            interest_roles: list[m.AmbassadorRole] = []
            if ambassador_summit and p.name in SUMMIT_2024_INTEREST:
                mission_keys, role_keys = SUMMIT_2024_INTEREST[p.name]
                interest_missions = [self.mission[k] for k in mission_keys]
                interest_roles = [self.role[k] for k in role_keys]
            role = "host" if p.name == host else "attendee"
            events.record_attendance(
                self.s,
                event,
                people[0],
                role=role,
                missions=interest_missions,
                roles=interest_roles,
            )
            if len(people) > 2 and (i + event.held_on.year) % 2 == 0:
                events.record_attendance(self.s, event, people[-1])

    def _roundtables(self) -> None:
        anchors = [p.name for p in PARTNERS if p.anchor]
        year, n = 2023, 0
        while True:
            for season, month, day in (("Spring", 3, 15), ("Autumn", 10, 11)):
                held = date(year, month, day)
                if held > self.today:
                    return
                host = ROUNDTABLE_HOSTS[n % len(ROUNDTABLE_HOSTS)]
                theme, mission_keys, role_keys = ROUNDTABLE_THEMES[n % len(ROUNDTABLE_THEMES)]
                event = events.add_event(
                    self.s,
                    f"Anchor Roundtable {season} {year}: {theme}",
                    "roundtable",
                    held,
                    host=self.org[host],
                    owner=self.colleague["Helen Armitage"],
                )
                for j, org_name in enumerate(anchors):
                    if (j + n) % 4 == 3:  # not everyone comes every time
                        continue
                    senior = [c for c in self.people[org_name] if c.senior] or self.people[org_name]
                    # interest is expressed by some, and grows as the roundtables go on
                    keen = (j + n) % 3 != 2
                    events.record_attendance(
                        self.s,
                        event,
                        senior[0],
                        role="host" if org_name == host else "attendee",
                        missions=[self.mission[k] for k in mission_keys] if keen else [],
                        roles=[self.role[k] for k in role_keys] if keen and j % 2 == 0 else [],
                    )
                n += 1
            year += 1

    def threads(self) -> None:
        for t in THREADS:
            started = self.day(t.started)
            if started > self.today:
                continue
            org = self.org[t.org]
            people = [self.people[t.org][i] for i in t.people]
            conv = conversations.log_conversation(
                self.s,
                org,
                self.colleague[t.lead],
                contacts=people,
                missions=[self.mission[k] for k in t.missions],
                ask=t.ask,
                subject=t.subject,
                on=started,
                note=t.note,
            )
            moves: list[tuple[date, str, Any]] = []
            for when, channel, note in t.touches:
                moves.append((self.day(when), "touch", (channel, note)))
            for stage, when in t.stages:
                moves.append((self.day(when), "stage", stage))
            for when, kind, what in sorted(moves, key=lambda x: x[0]):
                if when > self.today:
                    continue
                if kind == "touch":
                    channel, note = what
                    conversations.add_touchpoint(
                        self.s,
                        conv,
                        on=when,
                        channel=channel,
                        note=note,
                        colleague=self.colleague[t.lead],
                        contact=people[0] if people else None,
                    )
                else:
                    conversations.set_stage(self.s, conv, what, on=when)
            for text, owner, due, done in t.steps:
                # the story's steps were set before they fell due: some are overdue by now
                step = steps.add_step(
                    self.s, conv, text, self.colleague[owner], self.day(due), confirm=True
                )
                if done is not None:
                    steps.complete_step(self.s, step, self.day(done))
            if t.commitment is not None:
                self._commitment(conv, t.commitment)

    def _commitment(self, conv: m.Conversation, c: Commitment) -> None:
        agreed = self.day(c.agreed)
        if agreed > self.today:
            return
        com = commitments.add_commitment(
            self.s,
            conv,
            c.kind,
            beneficiary=c.beneficiary,
            gbp=c.gbp,
            hours=c.hours,
            opportunities=c.opportunities,
            people=c.people,
            due=self.day(c.due) if c.due is not None else None,
            on=agreed,
            confirm=True,
        )
        if c.status == "in_progress":
            commitments.start(self.s, com)
        if c.partial:
            figures = dict(c.partial)
            commitments.deliver(
                self.s, com, on=self.day(figures.pop("on")), partial=True, **figures
            )
        if c.status == "delivered" and c.closed is not None and self.day(c.closed) <= self.today:
            commitments.deliver(self.s, com, on=self.day(c.closed), **c.delivered)
        elif c.status == "lapsed" and c.closed is not None:
            commitments.lapse(self.s, com, on=self.day(c.closed))

    def ambassadorships(self) -> None:
        for org_name, role, mission, since, moves in AMBASSADORSHIPS:
            amb = ambassadors.enrol(
                self.s,
                self.org[org_name],
                self.role[role],
                mission=self.mission[mission],
                since=self.day(since),
            )
            for status, on in moves:
                ambassadors.set_status(self.s, amb, status, on=self.day(on))
