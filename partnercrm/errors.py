"""The library's own exceptions: the CLI and TUI turn each into one clear sentence."""

from __future__ import annotations

from collections.abc import Sequence


class PartnerCRMError(Exception):
    """Base of every error the library raises on purpose."""


class NotFound(PartnerCRMError):
    """Nothing matches what was asked for; carries the closest candidates."""

    def __init__(self, what: str, given: str, candidates: Sequence[str] = ()) -> None:
        self.what, self.given, self.candidates = what, given, list(candidates)
        message = f"no {what} matches {given!r}"
        if self.candidates:
            message += "; did you mean " + _or_list(self.candidates) + "?"
        super().__init__(message)


class Ambiguous(PartnerCRMError):
    """More than one record matches; carries them so the user can choose."""

    def __init__(self, what: str, given: str, candidates: Sequence[str]) -> None:
        self.what, self.given, self.candidates = what, given, list(candidates)
        super().__init__(
            f"{given!r} matches more than one {what}: {_or_list(self.candidates)}; be more specific"
        )


class Invalid(PartnerCRMError):
    """A value is not acceptable; `field` names where it was.

    `field` is the name of the library function's keyword argument that was given the value
    (`due`, `on`, `contacts`, `since`, ...), never a CLI option or a label: the CLI maps it to
    its option, and a TUI form names its field the same, so the error lands beside the field.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class NeedsConfirmation(Invalid):
    """A value is possible but unusual (a due date already past): saved only once confirmed.

    `reason` says what is unusual and `question` asks the person; the caller saves again with
    confirmation given (the library function's `confirm` or `new` argument).
    """

    def __init__(self, reason: str, question: str, field: str | None = None) -> None:
        self.reason, self.question = reason, question
        super().__init__(f"{reason}; {question}", field=field)


class ProbableDuplicate(NeedsConfirmation):
    """A new record looks like one already stored; `candidates` are the look-alikes."""

    def __init__(self, what: str, given: str, candidates: Sequence[str]) -> None:
        self.what, self.given, self.candidates = what, given, list(candidates)
        super().__init__(
            f"{given!r} looks like the existing {what} {_or_list(self.candidates)}",
            f"is it a new {what} all the same?",
            field="name",
        )


class Archived(Invalid):
    """The organisation is archived, so it cannot be worked with until it is restored."""

    def __init__(self, message: str, organisation_id: int, field: str = "organisation") -> None:
        self.organisation_id = organisation_id
        super().__init__(message, field)


class Conflict(PartnerCRMError):
    """The change clashes with what is stored (a duplicate, or an edit by someone else)."""


class StaleEdit(Conflict):
    """Someone else saved (or deleted) the record since the caller read it.

    A form can offer to save over it: the caller read the record, and chose to.
    """


class UndoRefused(Conflict):
    """A change cannot be undone; the sentence names changes by who made them and when.

    `change_id` is the change asked for; `in_the_way` the later change that touched the same
    records or undid it already, if one did. A caller that names changes by number adds them.
    """

    def __init__(self, message: str, change_id: int, in_the_way: int | None = None) -> None:
        self.change_id, self.in_the_way = change_id, in_the_way
        super().__init__(message)


def _or_list(items: Sequence[str]) -> str:
    quoted = [repr(i) for i in items]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


class Forbidden(PartnerCRMError):
    """The acting colleague's roles do not allow this; the sentence says what they can do."""
