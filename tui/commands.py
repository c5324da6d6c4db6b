"""The command palette (ctrl+p): jump to any partner by name, find a person, a conversation, a
note or a story (the search screen's search, opening the same places), or run any action."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from textual.command import CommandInput, CommandPalette, DiscoveryHit, Hit, Hits, Provider

from partnercrm import labels, organisations
from tui.widgets.held import HeldKeys

PARTNERS_SHOWN = 8
FOUND_SHOWN = 8  # people, conversations, notes and stories
PLACES = [
    ("Go to the dashboard", "dashboard"),
    ("Go to partners", "partners"),
    ("Go to my work", "my_work"),
    ("Go to events", "events"),
    ("Go to duplicates (merge or keep apart)", "duplicates"),
]


class Palette(CommandPalette, HeldKeys[None]):
    """Textual's command palette, holding the keys typed before its box has the focus: its box
    is there only once the palette is drawn, and a key before that reached the palette itself
    and was lost (`ctrl+p ucl` handed on in one go by a screen that held them)."""

    READY_ON_MOUNT = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hold_keys_until_focused(CommandInput)  # its box, focused as it is drawn (AUTO_FOCUS)


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
        from tui.screens.search import KIND_WORDS, open_hit

        for hit in await asyncio.to_thread(self._found, query):
            word = KIND_WORDS.get(hit.kind, hit.kind)
            at = f" at {hit.organisation}" if hit.organisation else ""
            yield Hit(
                max(matcher.match(hit.title), 0.4),
                matcher.highlight(hit.title),
                partial(open_hit, self.app, hit),  # type: ignore[arg-type]
                text=hit.title,
                help=f"{word}{at}: {hit.snippet}",
            )

    def _found(self, query: str) -> list[Any]:
        """What the search screen (/) finds, but partners (listed above, by name)."""
        from tui.screens.search import find

        try:
            hits = find(self.app, query, limit=FOUND_SHOWN + PARTNERS_SHOWN)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - a palette search must never crash the app
            return []
        return [h for h in hits if h.kind != "organisation"][:FOUND_SHOWN]

    def _partners(self, query: str) -> list[tuple[int, str, str]]:
        try:
            with self.app.reading() as s:  # type: ignore[attr-defined]
                rows = organisations.list_organisations(s, query=query, limit=PARTNERS_SHOWN)
        except Exception:  # noqa: BLE001 - a palette search must never crash the app
            return []
        return [(r.id, r.name, r.sector) for r in rows]
