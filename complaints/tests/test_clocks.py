"""The clock arithmetic: hand-worked examples from the real 2026-2028 calendar, then properties over 2000-2040.

Every expected date below was counted by hand on a printed calendar; the comment beside it shows the
count. The California holidays named are those of ``holidays.US(subdiv="CA")`` (holidays==0.109).
"""

import datetime as dt
import zoneinfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.clocks import (
    CLOCK_RULES,
    LOCAL_TZ,
    ClockName,
    Length,
    Unit,
    add_working_days,
    due_at,
    due_at_for_length,
    end_of_day,
    extension_refusal,
    is_working_day,
    local_date,
    next_working_day,
)

D, DAYS, WORK, MONTHS, HOURS = dt.date, Unit.CALENDAR_DAYS, Unit.BUSINESS_DAYS, Unit.MONTHS, Unit.HOURS
ACK, GRIEVANCE, NOTICE = ClockName.ACKNOWLEDGEMENT, ClockName.PLAN_GRIEVANCE, ClockName.ELIGIBILITY_NOTICE
RESPONSE, IMR, COMPLAINT = ClockName.PLAN_RESPONSE, ClockName.IMR_DECISION, ClockName.COMPLAINT_DECISION
CARRY_OUT, FILING = ClockName.IMR_IMPLEMENTATION, ClockName.FILING_WINDOW
IMRO = ClockName.IMRO_DETERMINATION
HOUR = dt.timedelta(hours=1)


def test_the_rules_table_is_the_briefs_table():
    # The brief's "Clocks" table, copied by hand: (normal, urgent, source) per clock.
    brief = {
        FILING: (Length(6, MONTHS), Length(6, MONTHS), "HSC 1374.30; 28 CCR 1300.74.30"),
        GRIEVANCE: (Length(30, DAYS), Length(3, DAYS), "HSC 1368.01, 1368.03"),
        ACK: (Length(5, DAYS), Length(5, DAYS), "Help Center practice"),
        NOTICE: (Length(7, DAYS), Length(48, HOURS), "28 CCR 1300.74.30"),
        RESPONSE: (Length(3, WORK), Length(24, HOURS), "HSC 1374.30(n), 1374.31(a)"),
        IMR: (Length(30, DAYS), Length(7, DAYS), "Help Center practice; HSC 1374.33"),
        COMPLAINT: (Length(30, DAYS), Length(30, DAYS), "HSC 1368(b); Help Center practice"),
        CARRY_OUT: (Length(5, WORK), Length(5, WORK), "HSC 1374.34(a)"),
        # The IMR organization's own limit (issue 17; the brief's note on imr_decision).
        IMRO: (Length(30, DAYS), Length(3, DAYS), "HSC 1374.33"),
    }
    assert set(CLOCK_RULES) == set(ClockName)
    assert {name: (rule.normal, rule.urgent, rule.source) for name, rule in CLOCK_RULES.items()} == brief
    assert all(rule.name == name and rule.starts for name, rule in CLOCK_RULES.items())
    assert "waived" in CLOCK_RULES[GRIEVANCE].starts
    # Only the organization's clock has a limit on extensions: once, by up to 3 days.
    limited = {
        name: (rule.extensions_allowed, rule.extension_limit)
        for name, rule in CLOCK_RULES.items()
        if rule.extensions_allowed
    }
    assert limited == {IMRO: (1, Length(3, DAYS))}


def test_the_imr_organizations_clock_extends_once_by_three_days_at_most():
    due = dt.datetime.fromisoformat("2027-02-16T23:59:59-08:00")
    three_days = dt.datetime.fromisoformat("2027-02-19T23:59:59-08:00")
    assert extension_refusal(IMRO, extension_count=0, due=due, new_due=three_days) is None
    assert "3 calendar days at most" in extension_refusal(
        IMRO, extension_count=0, due=due, new_due=three_days + dt.timedelta(seconds=1)
    )
    assert "only once" in extension_refusal(IMRO, extension_count=1, due=three_days, new_due=three_days + HOUR)
    # The other clocks keep staff's judgement: no limit in the table.
    assert extension_refusal(ACK, extension_count=5, due=due, new_due=due + dt.timedelta(days=60)) is None


# Each row: clock, urgent, start (with its offset), due as ISO 8601 text, and why.
WORKED_EXAMPLES = [
    # --- Every clock, normal and urgent, from Tuesday 2026-11-24 09:00, the week of Thanksgiving
    # (Thursday 11-26 and Friday 11-27 are holidays).
    # 6 months: 2027-05-24, a Monday (May 1 2027 is a Saturday); Memorial Day is 05-31. PDT by then.
    (FILING, False, "2026-11-24T09:00-08:00", "2027-05-24T23:59:59-07:00"),
    (FILING, True, "2026-11-24T09:00-08:00", "2027-05-24T23:59:59-07:00"),
    # 30 days: Nov 24 + 6 = Nov 30, + 24 = Thu Dec 24, a working day (only Dec 25 is a holiday).
    (GRIEVANCE, False, "2026-11-24T09:00-08:00", "2026-12-24T23:59:59-08:00"),
    # 3 days: Fri Nov 27 (day after Thanksgiving) -> Sat, Sun -> Mon Nov 30.
    (GRIEVANCE, True, "2026-11-24T09:00-08:00", "2026-11-30T23:59:59-08:00"),
    # 5 days: Sun Nov 29 -> Mon Nov 30.
    (ACK, False, "2026-11-24T09:00-08:00", "2026-11-30T23:59:59-08:00"),
    (ACK, True, "2026-11-24T09:00-08:00", "2026-11-30T23:59:59-08:00"),
    # 7 days: Tue Dec 1. Urgent 48 hours: Thanksgiving at 09:00; hours never move to a working day.
    (NOTICE, False, "2026-11-24T09:00-08:00", "2026-12-01T23:59:59-08:00"),
    (NOTICE, True, "2026-11-24T09:00-08:00", "2026-11-26T09:00:00-08:00"),
    # 3 business days: Wed 25 (1), Thu/Fri holidays, Mon 30 (2), Tue Dec 1 (3). Urgent: 24 hours.
    (RESPONSE, False, "2026-11-24T09:00-08:00", "2026-12-01T23:59:59-08:00"),
    (RESPONSE, True, "2026-11-24T09:00-08:00", "2026-11-25T09:00:00-08:00"),
    # 30 days: Thu Dec 24. Urgent 7 days: Tue Dec 1.
    (IMR, False, "2026-11-24T09:00-08:00", "2026-12-24T23:59:59-08:00"),
    (IMR, True, "2026-11-24T09:00-08:00", "2026-12-01T23:59:59-08:00"),
    (COMPLAINT, False, "2026-11-24T09:00-08:00", "2026-12-24T23:59:59-08:00"),
    (COMPLAINT, True, "2026-11-24T09:00-08:00", "2026-12-24T23:59:59-08:00"),
    # 5 business days: Wed 25 (1), Mon 30 (2), Tue Dec 1 (3), Wed Dec 2 (4), Thu Dec 3 (5).
    (CARRY_OUT, False, "2026-11-24T09:00-08:00", "2026-12-03T23:59:59-08:00"),
    (CARRY_OUT, True, "2026-11-24T09:00-08:00", "2026-12-03T23:59:59-08:00"),
    # --- Weekends.
    # Mon 2026-06-01 + 5 = Sat Jun 6 -> Mon Jun 8.
    (ACK, False, "2026-06-01T10:00-07:00", "2026-06-08T23:59:59-07:00"),
    # Fri 2026-05-01 + 30 = Sun May 31 -> Mon Jun 1.
    (COMPLAINT, False, "2026-05-01T10:00-07:00", "2026-06-01T23:59:59-07:00"),
    # Wed 2026-06-03 + 3 = Sat Jun 6 -> Mon Jun 8.
    (GRIEVANCE, True, "2026-06-03T10:00-07:00", "2026-06-08T23:59:59-07:00"),
    # Friday 2025-08-29 + 6 months: Feb 2026 has no 29th -> Sat Feb 28 -> Sun -> Mon Mar 2 (still PST).
    (FILING, False, "2025-08-29T10:00-07:00", "2026-03-02T23:59:59-08:00"),
    # --- California holidays.
    # Cesar Chavez Day: Tue 2026-03-24 + 7 = Tue Mar 31 (holiday) -> Wed Apr 1.
    (NOTICE, False, "2026-03-24T10:00-07:00", "2026-04-01T23:59:59-07:00"),
    # 5 business days from Wed 2026-03-25: Thu 26, Fri 27, Mon 30, (Tue 31 holiday), Wed Apr 1, Thu Apr 2.
    (CARRY_OUT, False, "2026-03-25T10:00-07:00", "2026-04-02T23:59:59-07:00"),
    # Independence Day observed: Wed 2026-06-03 + 30 = Fri Jul 3 (observed) -> Sat Jul 4 -> Sun -> Mon Jul 6.
    (COMPLAINT, False, "2026-06-03T10:00-07:00", "2026-07-06T23:59:59-07:00"),
    # Christmas: Sun 2026-12-20 + 5 = Fri Dec 25 -> Mon Dec 28.
    (ACK, False, "2026-12-20T10:00-08:00", "2026-12-28T23:59:59-08:00"),
    # New Year: Sun 2026-12-27 + 5 = Fri 2027-01-01 -> Mon Jan 4.
    (ACK, False, "2026-12-27T10:00-08:00", "2027-01-04T23:59:59-08:00"),
    # 3 business days from Wed 2026-12-23: Thu 24 (1), (Fri 25 Christmas), Mon 28 (2), Tue 29 (3).
    (RESPONSE, False, "2026-12-23T10:00-08:00", "2026-12-29T23:59:59-08:00"),
    # 2027: Christmas observed Fri Dec 24. From Mon Dec 20: Tue 21, Wed 22, Thu 23, Mon 27, Tue 28.
    (CARRY_OUT, False, "2027-12-20T10:00-08:00", "2027-12-28T23:59:59-08:00"),
    # New Year 2028 (a Saturday) is observed on Fri 2027-12-31: Sun Dec 26 + 5 -> Sat, Sun -> Mon 2028-01-03.
    (ACK, False, "2027-12-26T10:00-08:00", "2028-01-03T23:59:59-08:00"),
    # --- Month ends and leap years.
    # Aug 31 + 6 months: no Feb 31 -> Feb 28 2027, a Sunday -> Mon Mar 1.
    (FILING, False, "2026-08-31T10:00-07:00", "2027-03-01T23:59:59-08:00"),
    # 2028 is a leap year: Aug 31 2027 + 6 months -> Tue Feb 29 2028.
    (FILING, False, "2027-08-31T10:00-07:00", "2028-02-29T23:59:59-08:00"),
    # Feb 29 2028 + 6 months -> Tue Aug 29 2028.
    (FILING, False, "2028-02-29T10:00-08:00", "2028-08-29T23:59:59-07:00"),
    # May 31 + 6 months: Nov has 30 days -> Mon Nov 30.
    (FILING, False, "2026-05-31T10:00-07:00", "2026-11-30T23:59:59-08:00"),
    # Jan 3 + 6 months = Fri Jul 3 2026 (Independence Day observed) -> Mon Jul 6.
    (FILING, False, "2026-01-03T10:00-08:00", "2026-07-06T23:59:59-07:00"),
    # 30 days over a leap February: Feb 15 2028 + 14 = Feb 29, + 16 = Thu Mar 16 (PDT from Mar 12).
    (COMPLAINT, False, "2028-02-15T10:00-08:00", "2028-03-16T23:59:59-07:00"),
    # The same a year earlier: Feb 15 2027 + 13 = Feb 28, + 17 = Wed Mar 17 (PDT from Mar 14).
    (COMPLAINT, False, "2027-02-15T10:00-08:00", "2027-03-17T23:59:59-07:00"),
    # --- The IMR organization's clock (30 calendar days, 3 if urgent; HSC 1374.33).
    # Friday 2027-01-15, before Martin Luther King Jr. Day (Monday 01-18). 30 days: Sunday 02-14;
    # Monday 02-15 is Presidents' Day; so Tuesday 02-16.
    (IMRO, False, "2027-01-15T10:00-08:00", "2027-02-16T23:59:59-08:00"),
    # Urgent from the same Friday: 3 days is Monday 01-18, the holiday; so Tuesday 01-19.
    (IMRO, True, "2027-01-15T10:00-08:00", "2027-01-19T23:59:59-08:00"),
    # Urgent over a weekend: Thursday 2026-12-03 + 3 = Sunday 12-06; so Monday 12-07.
    (IMRO, True, "2026-12-03T16:00-08:00", "2026-12-07T23:59:59-08:00"),
    # Friday 23:30 in Los Angeles (Saturday in UTC) is a Friday start: 2026-12-04 + 30 = Sunday
    # 2027-01-03; so Monday 01-04.
    (IMRO, False, "2026-12-05T07:30+00:00", "2027-01-04T23:59:59-08:00"),
    # --- Daylight saving: clocks spring forward Sun 2026-03-08 02:00, fall back Sun 2026-11-01 02:00.
    # 48 hours from Sat Mar 7 10:00 PST (18:00Z) is Mar 9 18:00Z, which is 11:00 PDT: the hour shifts.
    (NOTICE, True, "2026-03-07T10:00-08:00", "2026-03-09T11:00:00-07:00"),
    # 24 hours from Sat Mar 7 12:00 PST (20:00Z) is Mar 8 20:00Z = 13:00 PDT.
    (RESPONSE, True, "2026-03-07T12:00-08:00", "2026-03-08T13:00:00-07:00"),
    # 24 hours from Sat Oct 31 12:00 PDT (19:00Z) is Nov 1 19:00Z = 11:00 PST.
    (RESPONSE, True, "2026-10-31T12:00-07:00", "2026-11-01T11:00:00-08:00"),
    # 48 hours from Sat Oct 31 09:00 PDT (16:00Z) is Nov 2 16:00Z = 08:00 PST.
    (NOTICE, True, "2026-10-31T09:00-07:00", "2026-11-02T08:00:00-08:00"),
    # Day clocks stay at 23:59:59 with that day's offset: Thu Mar 5 + 5 = Tue Mar 10 (PDT).
    (ACK, False, "2026-03-05T10:00-08:00", "2026-03-10T23:59:59-07:00"),
    # Thu Oct 29 + 5 = Tue Nov 3 (PST).
    (ACK, False, "2026-10-29T10:00-07:00", "2026-11-03T23:59:59-08:00"),
    # --- The local date decides, not the UTC date.
    # Fri 2026-11-20 23:30 PST is already Saturday 07:30 in UTC. Fri + 5 = Wed Nov 25 (by the UTC
    # date it would be Sat + 5 = Thanksgiving -> Mon Nov 30).
    (ACK, False, "2026-11-21T07:30+00:00", "2026-11-25T23:59:59-08:00"),
    # Thu 2026-07-02 22:00 PDT is Friday 05:00Z: Thu + 5 = Tue Jul 7 (by UTC, Wed Jul 8).
    (ACK, False, "2026-07-03T05:00+00:00", "2026-07-07T23:59:59-07:00"),
]


@pytest.mark.parametrize(("clock", "urgent", "start", "expected"), WORKED_EXAMPLES)
def test_worked_examples(clock, urgent, start, expected):
    assert due_at(clock, dt.datetime.fromisoformat(start), urgent=urgent).isoformat() == expected


def test_every_clock_is_worked_normal_and_urgent():
    assert {(clock, urgent) for clock, urgent, _start, _due in WORKED_EXAMPLES} >= {
        (clock, urgent) for clock in ClockName for urgent in (False, True)
    }


def test_the_repeated_hour_is_two_different_starts():
    # 01:30 on 2026-11-01 happens twice: first at -07:00 (08:30Z), then at -08:00 (09:30Z).
    first = dt.datetime(2026, 11, 1, 1, 30, tzinfo=LOCAL_TZ)
    second = first.replace(fold=1)
    assert due_at(RESPONSE, first, urgent=True).isoformat() == "2026-11-02T00:30:00-08:00"
    assert due_at(RESPONSE, second, urgent=True).isoformat() == "2026-11-02T01:30:00-08:00"


def test_working_days_follow_the_california_calendar():
    assert not is_working_day(D(2026, 11, 26))  # Thanksgiving
    assert not is_working_day(D(2026, 11, 27))  # the day after
    assert not is_working_day(D(2026, 3, 31))  # Cesar Chavez Day
    assert not is_working_day(D(2026, 7, 3))  # Independence Day observed
    assert not is_working_day(D(2027, 12, 31))  # New Year's Day 2028 observed
    assert not is_working_day(D(2026, 11, 28))  # a Saturday
    assert is_working_day(D(2026, 11, 25))
    assert is_working_day(D(2026, 12, 24))
    assert next_working_day(D(2026, 11, 26)) == D(2026, 11, 30)
    assert next_working_day(D(2026, 11, 25)) == D(2026, 11, 25)
    assert add_working_days(D(2026, 11, 24), 3) == D(2026, 12, 1)
    assert add_working_days(D(2026, 11, 27), 1) == D(2026, 11, 30)


def test_local_date_and_end_of_day():
    assert local_date(dt.datetime(2026, 11, 21, 7, 30, tzinfo=dt.UTC)) == D(2026, 11, 20)
    assert end_of_day(D(2026, 3, 8)).isoformat() == "2026-03-08T23:59:59-07:00"
    assert end_of_day(D(2026, 11, 1)).isoformat() == "2026-11-01T23:59:59-08:00"


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="naive"):
        due_at(ACK, dt.datetime(2026, 11, 24, 9, 0))  # noqa: DTZ001 -- the naive datetime is the point
    with pytest.raises(ValueError, match="naive"):
        local_date(dt.datetime(2026, 11, 24, 9, 0))  # noqa: DTZ001
    with pytest.raises(ValueError):  # noqa: PT011 -- Enum's own message
        due_at("NO_SUCH_CLOCK", dt.datetime(2026, 11, 24, tzinfo=LOCAL_TZ))
    with pytest.raises(TypeError):
        is_working_day(dt.datetime(2026, 11, 26, tzinfo=LOCAL_TZ))
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(D(2026, 11, 24), 0)
    with pytest.raises(ValueError, match="at least 1"):
        Length(0, DAYS)
    assert Length(3, "HOURS").unit is Unit.HOURS
    assert due_at("PLAN_RESPONSE", dt.datetime(2026, 11, 24, 9, tzinfo=LOCAL_TZ)).date() == D(2026, 12, 1)


# --- Properties over 2000-2040 ------------------------------------------------------------------

# The longest run of days that are not working days in this calendar is 4 (Thanksgiving Thursday to
# Sunday; Susan B. Anthony Day on a Friday before Presidents' Day), so a rolled day moves at most 4.
LONGEST_ROLL = 4
PROPERTY = settings(max_examples=300, deadline=None)

starts = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 -- hypothesis bounds are naive by design
    max_value=dt.datetime(2040, 12, 31, 23, 59, 59),  # noqa: DTZ001
    timezones=st.sampled_from(
        [LOCAL_TZ, dt.UTC, zoneinfo.ZoneInfo("Pacific/Honolulu"), zoneinfo.ZoneInfo("Asia/Tokyo")]
    ),
)
rules = st.sampled_from([(name, urgent) for name in ClockName for urgent in (False, True)])
day_rules = rules.filter(lambda rule: CLOCK_RULES[rule[0]].length(urgent=rule[1]).unit != HOURS)


def lengths(unit, most):
    return st.integers(min_value=1, max_value=most).map(lambda count: Length(count, unit))


def local_day(start):
    return start.astimezone(LOCAL_TZ).date()


def assert_day_clock_shape(due):
    assert due.tzinfo == LOCAL_TZ
    assert due.time() == dt.time(23, 59, 59)
    assert is_working_day(due.date())


def days_between(first, last):
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days)]


@PROPERTY
@given(day=st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31)))
def test_a_working_day_is_a_weekday_that_is_no_california_holiday(day):
    assert is_working_day(day) == (day.weekday() < 5 and day not in holidays.US(subdiv="CA", years=day.year))


@PROPERTY
@given(start=starts, length=lengths(DAYS, 60))
def test_calendar_days_land_on_the_first_working_day_from_start_plus_n(start, length):
    due = due_at_for_length(length, start)
    raw = local_day(start) + dt.timedelta(days=length.count)
    assert_day_clock_shape(due)
    assert raw <= due.date() <= raw + dt.timedelta(days=LONGEST_ROLL)
    assert not any(is_working_day(day) for day in days_between(raw, due.date()))


@PROPERTY
@given(start=starts, length=lengths(WORK, 30))
def test_business_days_count_exactly_n_working_days_after_the_start_day(start, length):
    due = due_at_for_length(length, start)
    assert_day_clock_shape(due)
    after_start = days_between(local_day(start) + dt.timedelta(days=1), due.date() + dt.timedelta(days=1))
    assert sum(is_working_day(day) for day in after_start) == length.count


def raw_month_target(day, months):
    # Count months on a running month number, and clip to the month's length found by stepping
    # back one day from the next month's first day.
    month_number = day.year * 12 + day.month - 1 + months
    first = D(month_number // 12, month_number % 12 + 1, 1)
    following = D((month_number + 1) // 12, (month_number + 1) % 12 + 1, 1)
    return first.replace(day=min(day.day, (following - dt.timedelta(days=1)).day))


@PROPERTY
@given(start=starts, length=lengths(MONTHS, 24))
def test_months_land_on_the_first_working_day_from_the_same_day_n_months_later(start, length):
    due = due_at_for_length(length, start)
    raw = raw_month_target(local_day(start), length.count)
    assert_day_clock_shape(due)
    assert raw <= due.date() <= raw + dt.timedelta(days=LONGEST_ROLL)
    assert not any(is_working_day(day) for day in days_between(raw, due.date()))


@PROPERTY
@given(start=starts, length=lengths(HOURS, 24 * 14))
def test_hours_are_exactly_n_elapsed_hours_never_moved(start, length):
    due = due_at_for_length(length, start)
    assert due.tzinfo == LOCAL_TZ
    # Subtract in UTC: subtracting two datetimes that share a zone compares wall clocks.
    assert due.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=length.count)


@PROPERTY
@given(start=starts, rule=rules)
def test_every_clock_is_due_after_it_starts(start, rule):
    name, urgent = rule
    due = due_at(name, start, urgent=urgent)
    assert due > start


@PROPERTY
@given(start=starts, later_by=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400)), rule=rules)
def test_a_later_start_is_never_due_earlier(start, later_by, rule):
    name, urgent = rule
    assert due_at(name, start, urgent=urgent) <= due_at(name, start + later_by, urgent=urgent)


@PROPERTY
@given(start=starts, rule=day_rules)
def test_only_the_local_date_matters_for_a_day_clock(start, rule):
    name, urgent = rule
    day = local_day(start)
    first_moment = dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ)
    last_moment = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LOCAL_TZ)
    due = due_at(name, start, urgent=urgent)
    assert due == due_at(name, first_moment, urgent=urgent) == due_at(name, last_moment, urgent=urgent)
