"""Bulk import of event attendees (`partnercrm import attendees`) and of the team's own
partners, contacts and conversation log (`import partners|contacts|conversations`, tracker.py).

`import_attendees(session, FILE, event=...)` reads a registration export (CSV in any common
encoding and delimiter, or XLSX), matches people by email and organisations by name, alias
or a close spelling, records attendance and the interest people expressed, and returns an
`ImportReport`. It never overwrites what is stored unless asked, and importing the same file
twice changes nothing the second time.
"""

from partnercrm.importing.columns import (
    FIELDS,
    PRESETS,
    map_columns,
    parse_map_option,
    preset_list,
)
from partnercrm.importing.matching import ON_EXISTING
from partnercrm.importing.organisations import FUZZY_THRESHOLD
from partnercrm.importing.report import ImportReport, Rejection
from partnercrm.importing.rows import Progress
from partnercrm.importing.run import NewEvent, import_attendees
from partnercrm.importing.source import read_table
from partnercrm.importing.tracker import import_sheet

__all__ = [
    "FIELDS",
    "FUZZY_THRESHOLD",
    "ON_EXISTING",
    "PRESETS",
    "ImportReport",
    "NewEvent",
    "Progress",
    "Rejection",
    "import_attendees",
    "import_sheet",
    "map_columns",
    "parse_map_option",
    "preset_list",
    "read_table",
]
