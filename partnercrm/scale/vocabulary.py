"""The words and weights of council-scale data: places, names, subjects, notes, and how often
each stage, status, channel and kind of event comes up (a real borough's skew)."""

from __future__ import annotations

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
