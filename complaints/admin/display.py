"""How the staff admin shows clock times: the local due moment, and the time left in words.

Overdue must be impossible to miss, and not by colour alone: every overdue clock reads
"OVERDUE by 3 h", and a clock due within ``DUE_SOON`` reads "DUE SOON: 5 h left".
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString

from complaints.clocks import LOCAL_TZ, ClockName

DUE_SOON = timedelta(hours=48)


def local_moment(moment: datetime | None) -> str:
    """A moment in California time as staff read it: "Tue Nov 24, 2026, 11:59 p.m. PST"."""
    if moment is None:
        return ""
    return dateformat.format(moment.astimezone(LOCAL_TZ), "D M j, Y, g:i a T")


def span(delta: timedelta) -> str:
    """A length of time in days, hours and minutes, shortest first: "2 d 5 h", "3 h 20 min"."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return "less than a minute"


@dataclass(frozen=True)
class DueState:
    """Where a running clock stands now."""

    text: str  # "OVERDUE by 3 h", "DUE SOON: 5 h left", "4 d 2 h left"
    overdue: bool
    soon: bool

    @property
    def css_class(self) -> str:
        return "clock-overdue" if self.overdue else "clock-soon" if self.soon else "clock-ok"


def due_state(due_at: datetime, now: datetime) -> DueState:
    left = due_at - now
    if left < timedelta(0):
        return DueState(f"OVERDUE by {span(left)}", overdue=True, soon=False)
    if left <= DUE_SOON:
        return DueState(f"DUE SOON: {span(left)} left", overdue=False, soon=True)
    return DueState(f"{span(left)} left", overdue=False, soon=False)


def next_clock_html(*, name: str | None, due_at: datetime | None, now: datetime) -> SafeString | str:
    """The queue's "next clock" cell: the state in words, which clock, and its local due time."""
    if due_at is None:
        return "No clock running"
    state = due_state(due_at, now)
    label = ClockName(name).label if name in ClockName.values else name
    return format_html(
        '<span class="{}"><strong>{}</strong></span><br><span class="clock-name">{}</span>, due {}',
        state.css_class,
        state.text,
        label,
        local_moment(due_at),
    )
