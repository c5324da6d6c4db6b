"""Library functions on their own: names, dates, emails, concurrency."""

from __future__ import annotations

from datetime import date

import pytest

from partnercrm import colleagues, commitments, contacts, conversations, organisations, steps
from partnercrm.dates import happened, parse_date
from partnercrm.errors import Conflict, Invalid
from partnercrm.matching import name_key


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12/11/2024", date(2024, 11, 12)),
        ("12 Nov 2024", date(2024, 11, 12)),
        ("2024-11-12", date(2024, 11, 12)),
        ("1/2/25", date(2025, 2, 1)),
        ("12th November 2024", date(2024, 11, 12)),
    ],
)
def test_dates_are_read_day_first(typed, expected):
    assert parse_date(typed) == expected


def test_relative_dates():
    today = date(2026, 11, 22)  # a Sunday
    assert parse_date("today", today=today) == today
    assert parse_date("+7", today=today) == date(2026, 11, 29)
    assert parse_date("next friday", today=today) == date(2026, 11, 27)
    assert parse_date("Next Sun", today=today) == date(2026, 11, 29)
    assert parse_date("next monday", today=date(2026, 11, 23)) == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2024-11-12T10:30", date(2024, 11, 12)),
        ("2024-11-12 10:30:00", date(2024, 11, 12)),
        ("12 November", date(2026, 11, 12)),
    ],
)
def test_iso_times_and_missing_years(typed, expected):
    assert parse_date(typed, today=date(2026, 11, 22)) == expected


DECEMBER = date(2026, 12, 1)  # the day QA typed '31 Jan' as a commitment's due date


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31 Jan", date(2027, 1, 31)),
        ("31/1", date(2027, 1, 31)),
        ("31st January", date(2027, 1, 31)),
        ("30 Nov", date(2027, 11, 30)),  # yesterday's day: a year away, not already past
        ("1 Dec", DECEMBER),  # today is today
        ("25 Dec", date(2026, 12, 25)),  # still ahead this year
    ],
)
def test_a_due_date_without_a_year_is_the_next_such_day(typed, expected):
    assert parse_date(typed, "due date", field="due", today=DECEMBER, future=True) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31/1/2026", date(2026, 1, 31)),
        ("31 Jan 2026", date(2026, 1, 31)),
        ("31/1/26", date(2026, 1, 31)),
        ("2026-01-31", date(2026, 1, 31)),
        ("yesterday", date(2026, 11, 30)),
        ("+0", DECEMBER),
        ("next tuesday", date(2026, 12, 8)),
    ],
)
def test_a_due_date_with_its_year_or_counted_from_today_is_taken_as_typed(typed, expected):
    assert parse_date(typed, "due date", field="due", today=DECEMBER, future=True) == expected


def test_a_date_that_happened_without_a_year_is_still_this_years():
    assert parse_date("31 Jan", today=DECEMBER) == date(2026, 1, 31)
    assert happened("31 Jan", "touchpoint date", today=DECEMBER) == date(2026, 1, 31)
    with pytest.raises(Invalid, match="is in the future"):  # not quietly last year's
        happened("25 Dec", "touchpoint date", today=DECEMBER)


def test_29_february_due_once_gone_asks_for_the_year():
    leap_march = date(2028, 3, 1)
    assert parse_date("29 Feb", today=leap_march) == date(2028, 2, 29)  # one that happened
    with pytest.raises(Invalid, match="give the year") as err:
        parse_date("29 Feb", "due date", field="due", today=leap_march, future=True)
    assert err.value.field == "due"
    assert parse_date("29/2/2032", today=leap_march, future=True) == date(2032, 2, 29)


@pytest.mark.parametrize("typed", ["monday", "Nov", "Nov 2024", "5", "2024", "-3", "12/13/2024"])
def test_part_dates_are_refused_rather_than_guessed(typed):
    with pytest.raises(Invalid, match="not a"):
        parse_date(typed, "due date", today=date(2026, 11, 22))


def test_unreadable_date_names_the_field():
    with pytest.raises(Invalid, match="due date 'soonish' is not a date") as err:
        parse_date("soonish", "due date", field="due")
    assert err.value.field == "due"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Arsenal F.C.", "arsenal fc"),
        ("U.C.L.", "UCL"),
        ("Café Rouge", "cafe rouge"),
        ("Marks & Spencer", "marks and spencer"),
        ("King's Cross", "kings cross"),
    ],
)
def test_name_keys_ignore_case_accents_and_punctuation(a, b):
    assert name_key(a) == name_key(b)


def test_emails_are_normalised_and_checked():
    assert contacts.normalise_email("  Ada.Lovelace@UCL.AC.UK ") == "ada.lovelace@ucl.ac.uk"
    with pytest.raises(Invalid, match="is not valid"):
        contacts.normalise_email("ada@")


def test_two_colleagues_editing_the_same_partner(db):
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, "Roundhouse", "culture", lead=ruth)
        org_id, opened_version = org.id, org.version
    with db.transaction() as s:  # someone else saves first
        s.info["actor"] = "jo"
        organisations.edit_organisation(s, s.get(type(org), org_id), ward="Chalk Farm")
    with (
        db.transaction() as s,
        pytest.raises(Conflict, match="changed by jo at .* since you opened it"),
    ):
        organisations.edit_organisation(
            s, s.get(type(org), org_id), expected_version=opened_version, ward="Camden Town"
        )
    with db.transaction() as s:
        assert s.get(type(org), org_id).ward == "Chalk Farm"


def test_contacts_must_belong_to_the_conversation_partner(db):
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        ucl = organisations.add_organisation(s, "UCL", "higher_education")
        crick = organisations.add_organisation(s, "Francis Crick Institute", "higher_education")
        ada = contacts.add_contact(s, "Ada", "ada@ucl.ac.uk", ucl)
        with pytest.raises(Invalid, match="Ada is at UCL, not Francis Crick Institute") as err:
            conversations.log_conversation(s, crick, ruth, contacts=[ada], subject="a first talk")
        assert err.value.field == "contacts"
        with_crick = conversations.log_conversation(s, crick, ruth, subject="a first talk")
        with pytest.raises(Invalid, match="Ada is at UCL, not Francis Crick Institute") as err:
            conversations.add_touchpoint(s, with_crick, contact=ada)
        assert err.value.field == "contact"


def test_invalid_names_the_keyword_argument_that_held_the_bad_value(db):
    """Invalid.field is the service's parameter name, which the CLI and TUI both map from."""
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        ucl = organisations.add_organisation(s, "UCL", "higher_education")
        conv = conversations.log_conversation(s, ucl, ruth, on="1/6/2024", subject="a first talk")
        step = steps.add_step(s, conv, "Send pack", ruth, "1/9/2024", confirm=True)
        steps.complete_step(s, step, "2/9/2024")
        conversations.set_stage(s, conv, "exploring", on="1/7/2024")
        failures = {
            "due": lambda: steps.add_step(s, conv, "Call", ruth, "soonish", confirm=True),
            "on": lambda: conversations.set_stage(s, conv, "parked", on="1/6/2024"),
            "name": lambda: organisations.add_organisation(s, "", "business"),
        }
        for field, attempt in failures.items():
            with pytest.raises(Invalid) as err:
                attempt()
            assert err.value.field == field
        with pytest.raises(Invalid, match="already done") as err:
            steps.complete_step(s, step)
        assert err.value.field == "on"
        with pytest.raises(Invalid, match="due date") as err:
            commitments.add_commitment(
                s, conv, "hosting", due="1/1/2024", on="1/8/2024", confirm=True
            )
        assert err.value.field == "due"


def test_touchpoints_keep_last_touch_current_and_steps_order_by_due(db):
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        ucl = organisations.add_organisation(s, "UCL", "higher_education")
        conv = conversations.log_conversation(s, ucl, ruth, on="1/6/2024", subject="a first talk")
        conversations.add_touchpoint(s, conv, on="1/8/2024")
        conversations.add_touchpoint(s, conv, on="1/7/2024")  # logged late: last touch stays
        assert conv.last_touch_on == date(2024, 8, 1)
        later = steps.add_step(s, conv, "Follow up", ruth, "1/10/2024", confirm=True)
        sooner = steps.add_step(s, conv, "Send pack", ruth, "1/9/2024", confirm=True)
        assert [x.id for x in steps.list_steps(s, owner=ruth)] == [sooner.id, later.id]
        assert conversations.next_step(conv) is sooner


def test_websites_must_be_http(db):
    with db.transaction() as s:
        with pytest.raises(Invalid, match="not an http"):
            organisations.add_organisation(s, "Evil", "business", website="javascript:alert(1)")
        org = organisations.add_organisation(s, "Good", "business", website="good.example")
        assert org.website == "https://good.example"


def _statements(db, work):
    """How many SQL statements `work(session)` sends."""
    from sqlalchemy import event

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


def test_listing_contacts_does_not_query_per_contact(db):
    with db.transaction() as s:
        ucl = organisations.add_organisation(s, "UCL", "higher_education")
        contacts.add_contact(s, "Ada", "ada@ucl.ac.uk", ucl)
    one = _statements(db, lambda s: [contacts.contact_dict(c) for c in contacts.list_contacts(s)])
    with db.transaction() as s:
        ucl = organisations.find_organisation(s, "UCL")
        for i in range(10):
            contacts.add_contact(s, f"Person {i}", f"p{i}@ucl.ac.uk", ucl)
    eleven = _statements(
        db, lambda s: [contacts.contact_dict(c) for c in contacts.list_contacts(s)]
    )
    assert eleven == one


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("NaN", "is not a number"),
        ("inf", "is not a number"),
        ("sNaN", "is not a number"),
        ("1e30", "is too large"),
        ("-5", "cannot be negative"),
        ("abc", "is not a number"),
    ],
)
def test_commitment_figures_must_be_real_amounts(db, typed, message):
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        ucl = organisations.add_organisation(s, "UCL", "higher_education")
        conv = conversations.log_conversation(s, ucl, ruth, subject="a first talk")
        with pytest.raises(Invalid, match=message):
            commitments.add_commitment(s, conv, "sponsorship_financial", gbp=typed)
        with pytest.raises(Invalid, match=message):
            commitments.add_commitment(s, conv, "opportunities", people=typed)
        assert commitments.list_commitments(s) == []


def test_a_misspelt_keyword_is_refused_not_dropped(db):
    """The keywords commitments and deliveries share are declared once; a typo still fails."""
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        ucl = organisations.add_organisation(s, "UCL", "higher_education")
        conv = conversations.log_conversation(s, ucl, ruth, subject="a first talk")
        with pytest.raises(TypeError, match="unexpected keyword argument 'gpb'"):
            commitments.add_commitment(s, conv, "sponsorship_financial", gpb=5)  # type: ignore[call-arg]
        com = commitments.add_commitment(s, conv, "sponsorship_financial", gbp="5,000")
        with pytest.raises(TypeError, match="unexpected keyword argument 'due_on'"):
            commitments.edit_commitment(s, com, due_on="1/1/2030")  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="unexpected keyword argument 'pople'"):
            commitments.deliver(s, com, pople=3)  # type: ignore[call-arg]
        delivery = commitments.deliver(s, com, people=3, gbp="1,000", partial=True)
        assert (delivery.people, delivery.gbp, com.promised_gbp) == (3, 1000, 5000)
        with pytest.raises(TypeError, match="unexpected keyword argument 'storey'"):
            commitments.edit_delivery(s, delivery, storey="")  # type: ignore[call-arg]


def test_roles_and_missions_say_when_a_name_is_ambiguous_or_unknown(db):
    from partnercrm import missions
    from partnercrm.errors import Ambiguous, NotFound

    with db.transaction() as s:
        assert missions.find_role(s, "Advocate").key == "advocate"
        with pytest.raises(Ambiguous, match="'re' matches more than one ambassador role") as err:
            missions.find_role(s, "re")
        assert sorted(err.value.candidates) == ["recognition", "research"]
        with pytest.raises(NotFound) as err:
            missions.find_mission(s, "yung people")
        assert err.value.candidates == ["young_people"]  # the mission once, not its key and name


def test_dates_of_moves_run_forwards(db):
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        ucl = organisations.add_organisation(s, "UCL", "higher_education")
        conv = conversations.log_conversation(s, ucl, ruth, on="1/6/2024", subject="a first talk")
        with pytest.raises(Invalid, match="last changed stage on 01 Jun 2024"):
            conversations.set_stage(s, conv, "exploring", on="31/5/2024")
        with pytest.raises(Invalid, match="last changed stage"):
            commitments.add_commitment(s, conv, "hosting", on="1/5/2024", nothing_promised=True)
        assert conv.stage == "initiated"
        promise = commitments.add_commitment(
            s, conv, "hosting", on="1/7/2024", nothing_promised=True
        )
        with pytest.raises(Invalid, match="before commitment .* was agreed"):
            commitments.deliver(s, promise, people=3, on="30/6/2024")
        with pytest.raises(Invalid, match="before commitment .* was agreed"):
            commitments.lapse(s, promise, on="30/6/2024")
        assert promise.status == "agreed" and promise.closed_on is None
        step = steps.add_step(s, conv, "Thank them", ruth, "1/8/2024", confirm=True)
        steps.complete_step(s, step, "2/8/2024")
        with pytest.raises(Invalid, match="already done on 02 Aug 2024"):
            steps.complete_step(s, step)
        steps.complete_step(s, step, "3/8/2024")  # a correction names its date
        assert step.done_on == date(2024, 8, 3)


def test_ambassador_status_dates_run_forwards(db):
    from partnercrm import ambassadors, missions

    with db.transaction() as s:
        ucl = organisations.add_organisation(s, "UCL", "higher_education")
        amb = ambassadors.enrol(s, ucl, missions.find_role(s, "research"), since="1/1/2025")
        with pytest.raises(Invalid, match="became proposed on 01 Jan 2025"):
            ambassadors.set_status(s, amb, "ended", on="1/1/2020")
        assert amb.status == "proposed" and amb.ended_on is None
        ambassadors.set_status(s, amb, "active", on="2/1/2025")
        assert amb.status_changed_on == date(2025, 1, 2)


@pytest.mark.parametrize(
    ("getter", "what"),
    [
        (conversations.get_conversation, "conversation"),
        (steps.get_step, "step"),
        (commitments.get_commitment, "commitment"),
    ],
)
def test_records_by_typed_id(db, getter, what):
    from partnercrm.errors import NotFound

    with db.transaction() as s:
        with pytest.raises(Invalid, match=f"{what} id 'x1' is not a number"):
            getter(s, "x1")
        with pytest.raises(NotFound, match=f"no {what} matches '99'"):
            getter(s, " 99 ")


def test_listing_events_does_not_query_per_owner(db):
    from partnercrm import events

    def add_events(start: int, count: int) -> None:
        with db.transaction() as s:
            for i in range(start, start + count):
                owner = colleagues.add_colleague(s, f"Owner {i}", f"owner{i}@camden.gov.uk")
                events.add_event(
                    s, f"Roundtable {i}", "roundtable", f"1/{i % 12 + 1}/2025", owner=owner
                )

    add_events(0, 1)
    one = _statements(db, events.list_events)
    add_events(1, 5)
    assert _statements(db, events.list_events) == one


def test_next_stages_are_the_ones_set_stage_accepts_by_hand():
    assert conversations.next_stages("initiated") == ["exploring", "parked", "declined"]
    assert conversations.next_stages("declined") == ["initiated", "exploring"]
    assert conversations.next_stages("committed") == []
    # any conversation's: never committed, which comes from recording a commitment
    assert conversations.next_stages() == ["initiated", "exploring", "parked", "declined"]


def test_the_suggested_kind_of_commitment_follows_the_ask(db):
    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, "Roundhouse", "culture")
        by_kind = conversations.log_conversation(s, org, ruth, ask="hosting")
        by_role = conversations.log_conversation(s, org, ruth, ask="sponsorship")
        none = conversations.log_conversation(s, org, ruth, subject="a first talk")
        assert commitments.suggested_kind(by_kind) == "hosting"
        assert commitments.suggested_kind(by_role) == "sponsorship_financial"
        assert commitments.suggested_kind(none) is None


def test_every_writer_opens_a_conversation_the_same_way(db):
    """The rule (initiated on its first day, that stage change recorded, a first touchpoint)
    comes from one place: log_conversation writes what conversations.opening describes."""
    from sqlalchemy import select

    from partnercrm import models as m

    with db.transaction() as s:
        ruth = colleagues.add_colleague(s, "Ruth Craven", "ruth@camden.gov.uk")
        org = organisations.add_organisation(s, "Roundhouse", "culture")
        conv = conversations.log_conversation(
            s, org, ruth, on="3/2/2026", channel="call", subject="a first talk"
        )
        opened = conversations.opening(date(2026, 2, 3))
        assert {k: getattr(conv, k) for k in opened} == opened
        change = s.scalars(select(m.StageChange).where(m.StageChange.conversation_id == conv.id))
        rule = conversations.first_stage_change(conv.id, date(2026, 2, 3), by=None, at=None)
        assert [(c.from_stage, c.to_stage, c.changed_on) for c in change] == [
            (rule["from_stage"], rule["to_stage"], rule["changed_on"])
        ]
        touch = s.scalars(select(m.Touchpoint).where(m.Touchpoint.conversation_id == conv.id))
        assert [(t.happened_on, t.channel, t.colleague_id) for t in touch] == [
            (date(2026, 2, 3), "call", ruth.id)
        ]
