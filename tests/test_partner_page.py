"""The partner page's read model: everything one screen shows, in a fixed number of statements."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import event

from partnercrm import (
    ambassadors,
    colleagues,
    commitments,
    contacts,
    conversations,
    missions,
    organisations,
    partner_page,
    steps,
)

TODAY = date(2026, 11, 30)


def _partner(s, name: str, size: int) -> int:
    """A partner with `size` contacts, conversations (each with touchpoints and a step) and
    commitments, so two partners differ only in how much they hold."""
    lead = colleagues.find_colleague(s, "Ruth Craven")
    org = organisations.add_organisation(s, name, "vcs", lead=lead)
    mission = missions.list_missions(s)[0]
    for i in range(size):
        person = contacts.add_contact(s, f"Person {i} of {name}", f"p{i}@{size}.example", org)
        conv = conversations.log_conversation(
            s,
            org,
            lead,
            contacts=[person],
            missions=[mission],
            subject=f"Thread {i}",
            on=TODAY - timedelta(days=40),
        )
        for d in range(3):
            conversations.add_touchpoint(
                s,
                conv,
                on=TODAY - timedelta(days=30 - d),
                note=f"note {d}",
                contact=person,
                colleague=lead,
            )
        steps.add_step(s, conv, f"Step {i}", lead, TODAY + timedelta(days=i))
        commitments.add_commitment(s, conv, "sponsorship_in_kind", missions=[mission], gbp=100)
    role = missions.list_roles(s)[0]
    ambassadors.enrol(s, org, role)
    return org.id


def _statements(db, work) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        with db.reader() as s, s.begin():
            work(s)
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_the_partner_page_reads_in_the_same_statements_whatever_its_size(db):
    with db.transaction() as s:
        s.info["actor"] = "Ruth Craven"
        colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
    with db.transaction() as s:
        s.info["actor"] = "Ruth Craven"
        s.info["today"] = TODAY  # the page's fixed day: its steps are not "already past"
        small = _partner(s, "Small Trust", 1)
        big = _partner(s, "Big Trust", 12)
    pages = {}

    def read(org_id):
        return lambda s: pages.__setitem__(org_id, partner_page.load(s, org_id, TODAY))

    assert _statements(db, read(small)) == _statements(db, read(big))
    page = pages[big]
    assert len(page.threads) == 12 and len(page.people) == 12
    assert all(len(t.touchpoints) == 4 for t in page.threads)  # the first and three more
    assert page.sector == "voluntary and community sector"  # words, not the stored `vcs`
    assert {c.kind for c in page.commitments} == {"in-kind sponsorship"}
    assert page.history and page.history[0].who == "Ruth Craven"


def test_every_stored_code_has_words_and_dates_have_one_style():
    """partnercrm.labels words every code of every vocabulary (the CLI and the TUI use it),
    and shows a year only when the date is not in this one."""
    from partnercrm import labels, vocabulary

    vocabularies = {
        "sector": vocabulary.Sector,
        "stage": vocabulary.Stage,
        "channel": vocabulary.Channel,
        "kind": vocabulary.CommitmentKind,
        "status": vocabulary.CommitmentStatus,
        "ambassador_status": vocabulary.AmbassadorStatus,
    }
    for name, codes in vocabularies.items():
        for code in codes:
            words = labels.label(code.value, name)
            assert words and "_" not in words, (name, code)
    assert labels.label("vcs", "sector") == "voluntary and community sector"
    assert labels.label("in_progress") == "in progress"
    assert labels.day(date(2026, 12, 3), TODAY) == "3 Dec"
    assert labels.day(date(2020, 1, 1), TODAY) == "1 Jan 2020"
    assert labels.day("2026-11-26", TODAY, weekday=True) == "Thu 26 Nov"
