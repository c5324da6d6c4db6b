"""Bulk import of event attendees (`partnercrm import attendees`) and of the team's own
partners, contacts and conversation log (`import partners|contacts|conversations`, tracker.py).

`import_attendees(session, FILE, event=...)` reads a registration export (CSV in any common
encoding and delimiter, or XLSX), matches people by email and organisations by name, alias
or a close spelling, records attendance and the interest people expressed, and returns an
`ImportReport`. It never overwrites what is stored unless asked, and importing the same file
twice changes nothing the second time.

The names below load their modules when first used, so `partnercrm.importing.fields` (what
the command line's help shows) loads no database code.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "FIELDS": "fields",
    "PRESETS": "columns",
    "SHEET_FIELDS": "fields",
    "map_columns": "columns",
    "parse_map_option": "columns",
    "preset_list": "columns",
    "FUZZY_THRESHOLD": "organisations",
    "ImportReport": "report",
    "Rejection": "report",
    "ON_EXISTING": "matching",
    "NewEvent": "run",
    "import_attendees": "run",
    "Progress": "rows",
    "read_table": "source",
    "import_sheet": "tracker",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
