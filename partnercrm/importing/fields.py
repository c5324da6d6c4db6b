"""What an import can be told: the fields a column can hold and the tools' layouts.

No database here: the command line reads these for its help and choices without loading
SQLAlchemy (`partnercrm.importing` loads its modules only when they are used).
"""

from __future__ import annotations

# the fields of an attendee export a column can hold (`ignore` drops a column)
FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "email",
    "organisation",
    "job_title",
    "phone",
    "role",
    "status",
    "registered_at",
    "interest_missions",
    "interest_roles",
    "ignore",
)
# the layouts a `preset` can name, each with the tool it is for; most specific first (the first
# whose columns a header has names the layout)
PRESETS = {
    "teams": "Microsoft Teams attendance report (UTF-16, tab-separated, summary above)",
    "zoom-webinar": "Zoom webinar attendee report (host, panellist and attendee sections)",
    "zoom": "Zoom meeting participants report",
    "microsoft-forms": "Microsoft Forms responses, anonymous ones too",
    "google-forms": "Google Forms responses",
    "tito": "Tito tickets export",
    "meetup": "Meetup attendee list (no emails)",
    "luma": "Luma guest list",
    "civicrm": "CiviCRM contacts or participants",
    "salesforce": "Salesforce contacts or campaign members report",
    "hubspot": "HubSpot contacts export",
    "mailchimp": "Mailchimp audience export",
    "ticket-tailor": "Ticket Tailor issued tickets",
    "eventbrite-us": "Eventbrite attendee report, US layout (month-first dates)",
    "eventbrite-uk": "Eventbrite attendee report, UK layout",
    "eventbrite": "Eventbrite attendee report (UK or US from the header)",
    "generic": "Any CSV or XLSX with a header row",
}
# the team's own sheets: kind -> the fields a column can hold
SHEET_FIELDS = {
    "partners": (
        "organisation",
        "aliases",
        "sector",
        "ward",
        "website",
        "lead",
        "anchor",
        "notes",
        "ignore",
    ),
    "contacts": (
        "full_name",
        "first_name",
        "last_name",
        "email",
        "organisation",
        "job_title",
        "phone",
        "lawful_basis",
        "source",
        "ignore",
    ),
    "conversations": (
        "date",
        "organisation",
        "colleague",
        "contacts",
        "missions",
        "ask",
        "stage",
        "note",
        "next_step",
        "due",
        "channel",
        "ignore",
    ),
}
