"""``manage.py due``: print when a legal clock runs out, to answer "when is this due?" and to check by hand.

A thin shell over ``complaints.clocks.due_at``: it reads a clock name and a start, and prints the due
moment. Bad input is a one-line message on stderr and exit status 2, so scripts can tell it from a
crash (status 1).
"""

import argparse
import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from complaints.clocks import CLOCK_RULES, LOCAL_TZ, ClockName, due_at

BAD_INPUT = 2

_CLOCK_LIST = "\n".join(
    f"  {rule.name.value.lower():<20} {rule.normal!s:<18} "
    f"urgent: {'same' if rule.urgent == rule.normal else rule.urgent!s:<17} {rule.source}"
    for rule in CLOCK_RULES.values()
)

HELP = f"""Print when a legal clock runs out, as ISO 8601 with its UTC offset (2026-12-01T23:59:59-08:00).

CLOCK is one of (the UPPER form, FILING_WINDOW, works too):
{_CLOCK_LIST}

START is when the starting event happened:
  2026-11-24                    a date: the start is 00:00 Los Angeles time that day
  2026-11-24T16:30              a date and time without an offset: Los Angeles local time
  2026-11-24T16:30-08:00        a date and time with an offset (or Z for UTC)
A local time that does not exist (2:30 on the morning clocks spring forward) or happens twice
(1:30 on the morning they fall back) is read with zoneinfo's fold=0: the offset in force before
the change, so 02:30 on 2026-03-08 is 02:30-08:00 (03:30 PDT) and 01:30 on 2026-11-01 is the
first 01:30, at -07:00. Give an explicit offset to mean the other one.

How a due moment is counted (California Civil Code 10 and 12a), in America/Los_Angeles time:
  The start day is the local date of START and is never counted.
  Calendar days: start day + N; if that is a weekend or California holiday, the next working day.
  Business days: the Nth working day after the start day.
  Months: the same day N months later (or that month's last day), then the next working day.
  Hours: exactly N hours of elapsed time after START, never moved; across a daylight-saving change
  the clock-face hour shifts by one.
  Day clocks are due at 23:59:59 local time on the due day.
Holidays are those of holidays.US(subdiv="CA") from the pinned holidays package.

With CLOCK "-", lines "CLOCK START [urgent]" are read from standard input and one due moment is
printed per line, in order. Blank lines and lines starting with # are skipped. A bad line is
reported on stderr with its line number and prints nothing on stdout; the other lines still run.

Exit status: 0 when every input was read, 2 when any was bad (unknown clock, unreadable START,
extra words)."""


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keep the description's line breaks: the clock list and the rules read as a table."""


class BadInput(ValueError):
    """One piece of input the command cannot read; the message names it."""


def parse_clock(text: str) -> ClockName:
    """The clock named ``text``, in the brief's lowercase form or the UPPER form."""
    name = text.upper()
    if name not in ClockName.values:
        known = ", ".join(value.lower() for value in ClockName.values)
        raise BadInput(f"unknown clock {text!r}; the clocks are: {known}")
    return ClockName(name)


def parse_start(text: str) -> dt.datetime:
    """An aware start moment from an ISO date (00:00 local) or ISO datetime (local time if no offset)."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"cannot read START {text!r}: give an ISO date (2026-11-24) or date and time (2026-11-24T16:30)"
        ) from None
    if moment.tzinfo is None:
        # replace() keeps fold=0: a missing or repeated local time takes the offset before the change.
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment


def due_text(clock: str, start: str, *, urgent: bool) -> str:
    """The due moment of ``clock`` started at ``start`` as ISO 8601 text; raises BadInput."""
    name, moment = parse_clock(clock), parse_start(start)
    try:
        return due_at(name, moment, urgent=urgent).isoformat()
    except (ValueError, OverflowError):
        raise BadInput(f"START {start!r} gives a due date outside the calendar this command can count") from None


def _line_due(words: list[str]) -> str:
    if len(words) < 2:
        raise BadInput("expected CLOCK START [urgent], found only one word")
    if len(words) > 3:
        raise BadInput(f"expected CLOCK START [urgent], found extra words: {' '.join(words[3:])!r}")
    if len(words) == 3 and words[2].lower() != "urgent":
        raise BadInput(f"the third word may only be 'urgent', not {words[2]!r}")
    return due_text(words[0], words[1], urgent=len(words) == 3)


class Command(BaseCommand):
    help = HELP
    # Pure arithmetic: it needs no database and must answer even while a check elsewhere fails.
    requires_system_checks = []
    # call_command("due", "-", stdin=io.StringIO(...)) in tests.
    stealth_options = ("stdin",)

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.usage = "%(prog)s CLOCK START [--urgent]\n       %(prog)s - < LINES"
        # Both positionals are optional and extra words are collected, so that a missing or extra
        # word gets the same one-line message and exit status 2 as any other bad input.
        parser.add_argument(
            "clock", metavar="CLOCK", nargs="?", help='The clock, e.g. plan_response; "-" reads standard input.'
        )
        parser.add_argument("start", metavar="START", nargs="?", help="When the starting event happened.")
        parser.add_argument("extra", nargs="*", help=argparse.SUPPRESS)
        parser.add_argument("--urgent", action="store_true", help="Use the clock's urgent length.")

    def handle(self, *args, clock, start, extra, urgent, **options):
        if clock == "-":
            if start is not None or extra or urgent:
                raise CommandError(
                    'with "-" give no START or --urgent: write "CLOCK START [urgent]" on each input line',
                    returncode=BAD_INPUT,
                )
            self._handle_lines(options.get("stdin") or sys.stdin)
            return
        if clock is None:
            raise CommandError("missing CLOCK and START (see --help)", returncode=BAD_INPUT)
        if start is None:
            raise CommandError(
                "missing START: give the date (or date and time) the clock started", returncode=BAD_INPUT
            )
        if extra:
            raise CommandError(f"extra words after START: {' '.join(extra)!r}", returncode=BAD_INPUT)
        try:
            self.stdout.write(due_text(clock, start, urgent=urgent))
        except BadInput as error:
            raise CommandError(str(error), returncode=BAD_INPUT) from None

    def _handle_lines(self, stream):
        read = bad = 0
        for number, line in enumerate(stream, start=1):
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            read += 1
            try:
                due = _line_due(words)
            except BadInput as error:
                bad += 1
                self.stderr.write(f"line {number}: {error}")
                continue
            self.stdout.write(due)
        if bad:
            raise CommandError(f"{bad} of {read} input lines were bad and printed no due moment", returncode=BAD_INPUT)
