"""The legal clocks of a case: one rules table and the date arithmetic that turns a start into a due moment.

Every deadline the Help Center tracks is a row of ``CLOCK_RULES`` (length, urgent length, the event
that starts it, the legal source). ``due_at`` turns a rule and the moment of its starting event into
the moment the clock runs out. These are pure functions: no models, no database, no clock reads;
the caller stores the result on its row, and the sweep acts on what is stored.

The counting follows California Civil Code section 10 (the first day is excluded and the last
included; a last day that is a holiday is excluded too, so the time runs to the next working day)
and section 12a (a period that ends on a holiday, Saturdays and Sundays included, runs to the next
day that is not a holiday):

- Time zone America/Los_Angeles. Holidays are exactly ``holidays.US(subdiv="CA")`` from the pinned
  ``holidays`` package. A working day is Monday to Friday and not such a holiday.
- The start day is the local (Los Angeles) date of the starting event and is never counted. A start
  at 23:30 on a Friday in Los Angeles is a Friday start, even though it is already Saturday in UTC.
- N calendar days: the due day is the start day plus N; if that is not a working day, the next
  working day.
- N business days: the due day is the Nth working day after the start day.
- N months: the same day of the month N months later, or that month's last day if it has no such
  day (August 31 plus 6 months is February 28, or February 29 in a leap year); if that is not a
  working day, the next working day.
- N hours: exactly N hours of elapsed time after the starting moment, never rolled to a working
  day. Across a daylight-saving change the wall-clock hour therefore shifts by one.
- A day clock (calendar days, business days, months) is due at the end of its due day, 23:59:59
  local time, with the UTC offset in force that day (-08:00 in winter, -07:00 in summer).

Every returned datetime is aware and in America/Los_Angeles.
"""

import calendar
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import cache

import holidays
from django.db import models

LOCAL_TZ = zoneinfo.ZoneInfo("America/Los_Angeles")

_ONE_DAY = dt.timedelta(days=1)


class ClockName(models.TextChoices):
    FILING_WINDOW = "FILING_WINDOW", "Filing window"
    PLAN_GRIEVANCE = "PLAN_GRIEVANCE", "Plan grievance first"
    ACKNOWLEDGEMENT = "ACKNOWLEDGEMENT", "Acknowledgement letter"
    ELIGIBILITY_NOTICE = "ELIGIBILITY_NOTICE", "IMR eligibility notice"
    PLAN_RESPONSE = "PLAN_RESPONSE", "Plan written response and records"
    IMR_DECISION = "IMR_DECISION", "IMR decision"
    COMPLAINT_DECISION = "COMPLAINT_DECISION", "Consumer Complaint decision"
    IMR_IMPLEMENTATION = "IMR_IMPLEMENTATION", "Plan carries out an overturned IMR"
    IMRO_DETERMINATION = "IMRO_DETERMINATION", "IMR organization's determination"


# Clocks that ran before the Help Center had the case (the filing window, the plan grievance):
# shown as history, never in the work queue, never swept.
HISTORICAL_CLOCKS = (ClockName.FILING_WINDOW, ClockName.PLAN_GRIEVANCE)


class Unit(models.TextChoices):
    CALENDAR_DAYS = "CALENDAR_DAYS", "Calendar days"
    BUSINESS_DAYS = "BUSINESS_DAYS", "Business days"
    MONTHS = "MONTHS", "Months"
    HOURS = "HOURS", "Hours"


@dataclass(frozen=True)
class Length:
    """A clock length: a positive whole ``count`` of ``unit``. A plain string unit ("HOURS") is accepted."""

    count: int
    unit: Unit

    def __post_init__(self):
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise ValueError(f"A clock length needs a whole count of at least 1, not {self.count!r}.")
        object.__setattr__(self, "unit", Unit(self.unit))

    def __str__(self):
        return f"{self.count} {self.unit.label.lower()}"


@dataclass(frozen=True)
class ClockRule:
    """One row of the rules table. ``urgent`` equals ``normal`` where the brief gives no urgent length."""

    name: ClockName
    normal: Length
    urgent: Length
    starts: str
    source: str
    # How often, and by how much at most each time, the clock may be extended (with a stated
    # reason, always). None: no limit in law; staff decide.
    extensions_allowed: int | None = None
    extension_limit: Length | None = None

    def length(self, *, urgent: bool = False) -> Length:
        return self.urgent if urgent else self.normal


def _rule(name, normal, urgent, *, starts, source, extensions_allowed=None, extension_limit=None):
    return ClockRule(
        name=name,
        normal=normal,
        urgent=urgent or normal,
        starts=starts,
        source=source,
        extensions_allowed=extensions_allowed,
        extension_limit=extension_limit,
    )


_DAYS, _WORKDAYS, _MONTHS, _HOURS = Unit.CALENDAR_DAYS, Unit.BUSINESS_DAYS, Unit.MONTHS, Unit.HOURS

# The brief's "Clocks" table, row for row, and the IMR organization's own limit (issue 17). Waivers
# are workflow matters, not arithmetic, so they live in words here; extension limits are columns.
CLOCK_RULES: dict[ClockName, ClockRule] = {
    rule.name: rule
    for rule in (
        _rule(
            ClockName.FILING_WINDOW,
            Length(6, _MONTHS),
            None,
            starts="date of the plan's written decision (later only with a stated good reason that staff accept)",
            source="HSC 1374.30; 28 CCR 1300.74.30",
        ),
        _rule(
            ClockName.PLAN_GRIEVANCE,
            Length(30, _DAYS),
            Length(3, _DAYS),
            starts=(
                "enrollee files grievance with plan (waived if urgent or experimental/investigational; "
                "the waiver is decided by the workflow)"
            ),
            source="HSC 1368.01, 1368.03",
        ),
        _rule(
            ClockName.ACKNOWLEDGEMENT,
            Length(5, _DAYS),
            None,
            starts="receipt",
            source="Help Center practice",
        ),
        _rule(
            ClockName.ELIGIBILITY_NOTICE,
            Length(7, _DAYS),
            Length(48, _HOURS),
            starts="receipt",
            source="28 CCR 1300.74.30",
        ),
        _rule(
            ClockName.PLAN_RESPONSE,
            Length(3, _WORKDAYS),
            Length(24, _HOURS),
            starts="plan notified",
            source="HSC 1374.30(n), 1374.31(a)",
        ),
        _rule(
            ClockName.IMR_DECISION,
            Length(30, _DAYS),
            Length(7, _DAYS),
            starts=(
                "later of IMR qualification and required documents received "
                "(the IMR organization's own limit is 30/3 days, plus 3 for good cause)"
            ),
            source="Help Center practice; HSC 1374.33",
        ),
        _rule(
            ClockName.COMPLAINT_DECISION,
            Length(30, _DAYS),
            None,
            starts="receipt",
            source="HSC 1368(b); Help Center practice",
        ),
        _rule(
            ClockName.IMR_IMPLEMENTATION,
            Length(5, _WORKDAYS),
            None,
            starts="plan receives the decision",
            source="HSC 1374.34(a)",
        ),
        _rule(
            ClockName.IMRO_DETERMINATION,
            Length(30, _DAYS),
            Length(3, _DAYS),
            starts="the IMR organization receives the complete file (the case is sent to it)",
            source="HSC 1374.33",
            # Up to three days more, once, for good cause (HSC 1374.33; the brief's clock table).
            extensions_allowed=1,
            extension_limit=Length(3, _DAYS),
        ),
    )
}


@cache
def _california_holidays(year: int) -> frozenset[dt.date]:
    # One calendar per year, built once: the package's dict grows as years are queried, and a
    # frozenset is safe to share between threads. An observed New Year's Day on December 31 is
    # listed under the earlier year, which is the year we look it up by.
    return frozenset(holidays.US(subdiv="CA", years=year))


def _require_date(day) -> dt.date:
    # A datetime is a date subclass but never equal to one, so it would miss every holiday.
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"Expected a date, not {type(day).__name__}.")
    return day


def _require_aware(moment) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        raise TypeError(f"Expected a datetime, not {type(moment).__name__}.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"A clock needs a timezone-aware start, got the naive datetime {moment.isoformat()}.")
    return moment


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a California holiday of ``holidays.US(subdiv="CA")``."""
    _require_date(day)
    return day.weekday() < 5 and day not in _california_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += _ONE_DAY
    return day


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day``; ``day`` itself is never counted. ``count`` >= 1."""
    _require_date(day)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"Counting working days needs a whole count of at least 1, not {count!r}.")
    while count:
        day += _ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def local_date(moment: dt.datetime) -> dt.date:
    """The America/Los_Angeles calendar date of an aware datetime."""
    return _require_aware(moment).astimezone(LOCAL_TZ).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 Los Angeles time on ``day``, aware (no DST change happens at that hour)."""
    _require_date(day)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LOCAL_TZ)


def _add_months(day: dt.date, months: int) -> dt.date:
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_at_for_length(length: Length, start: dt.datetime) -> dt.datetime:
    """When a clock of ``length`` that started at the aware moment ``start`` runs out (Los Angeles time).

    Raises ValueError for a naive ``start`` and TypeError for a non-datetime.
    """
    _require_aware(start)
    if length.unit == Unit.HOURS:
        # Elapsed time: add in UTC, because adding to a zoneinfo datetime is wall-clock arithmetic
        # and would make a clock across a daylight-saving change an hour too long or too short.
        elapsed = start.astimezone(dt.UTC) + dt.timedelta(hours=length.count)
        return elapsed.astimezone(LOCAL_TZ)
    start_day = local_date(start)
    if length.unit == Unit.CALENDAR_DAYS:
        due_day = next_working_day(start_day + dt.timedelta(days=length.count))
    elif length.unit == Unit.BUSINESS_DAYS:
        due_day = add_working_days(start_day, length.count)
    else:
        due_day = next_working_day(_add_months(start_day, length.count))
    return end_of_day(due_day)


def due_at(name: ClockName, start: dt.datetime, *, urgent: bool = False) -> dt.datetime:
    """When the clock ``name`` (urgent or not) that started at the aware moment ``start`` runs out.

    Raises ValueError for a naive ``start`` or an unknown clock name.
    """
    return due_at_for_length(CLOCK_RULES[ClockName(name)].length(urgent=urgent), start)


def extension_refusal(name: ClockName, *, extension_count: int, due: dt.datetime, new_due: dt.datetime) -> str | None:
    """Why the rules table does not allow extending clock ``name`` from ``due`` to ``new_due``
    (after ``extension_count`` extensions), or None if it does. A limit of N days reaches the end of
    the Nth calendar day after the current due day, Los Angeles time."""
    rule = CLOCK_RULES[ClockName(name)]
    if rule.extensions_allowed is not None and extension_count >= rule.extensions_allowed:
        times = "once" if rule.extensions_allowed == 1 else f"{rule.extensions_allowed} times"
        return f"The {rule.name.label.lower()} clock may be extended only {times} ({rule.source})."
    limit = rule.extension_limit
    if limit is not None:
        if limit.unit != Unit.CALENDAR_DAYS:
            raise ValueError("Extension limits are counted in calendar days.")
        latest = end_of_day(local_date(due) + dt.timedelta(days=limit.count))
        if new_due > latest:
            return f"The {rule.name.label.lower()} clock may be extended by {limit} at most ({rule.source})."
    return None
