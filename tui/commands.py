"""The command palette (ctrl+p): jump to any partner by name, or run any action."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from partnercrm import labels, organisations

PARTNERS_SHOWN = 8
PLACES = [
    ("Go to the dashboard", "dashboard"),
    ("Go to partners", "partners"),
    ("Go to my work", "my_work"),
    ("Go to events", "events"),
    ("Go to duplicates (merge or keep apart)", "duplicates"),
]


class PartnerCommands(Provider):
    """Partners by name (from the search index) and every action in tui.actions."""

    def _commands(self) -> list[tuple[str, Any, str]]:
        from tui import actions

        app: Any = self.app
        on_partner = getattr(self.screen, "organisation_id", None)
        found: list[tuple[str, Any, str]] = []
        for a in actions.ACTIONS:
            where = "" if not a.needs_partner or on_partner else " (choose the partner)"
            found.append((a.title, partial(app.open_action, a.key), a.help + where))
        for title, mode in PLACES:
            found.append((title, partial(app.switch_mode, mode), ""))
        found.append(
            (
                "Search people, notes and partners",
                app.action_search,
                "one search over partners, people, conversations, notes and stories (/)",
            )
        )
        return found

    async def discover(self) -> Hits:
        for title, command, help_text in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, command, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, help=help_text)
        for org_id, name, sector in await asyncio.to_thread(self._partners, query):
            yield Hit(
                max(matcher.match(name), 0.5),
                matcher.highlight(name),
                partial(self.app.open_partner, org_id),  # type: ignore[attr-defined]
                text=name,
                help=f"open the partner ({labels.sector(sector)})",
            )

    def _partners(self, query: str) -> list[tuple[int, str, str]]:
        try:
            with self.app.reading() as s:  # type: ignore[attr-defined]
                rows = organisations.list_organisations(s, query=query, limit=PARTNERS_SHOWN)
        except Exception:  # noqa: BLE001 - a palette search must never crash the app
            return []
        return [(r.id, r.name, r.sector) for r in rows]
