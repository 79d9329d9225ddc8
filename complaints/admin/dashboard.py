"""The supervisors' dashboard: open cases by status and track, clocks overdue and due soon,
clock compliance over 30 and 90 days, cases received per week, cases by plan, and whether the
clock sweep is running. Reads only; each figure is one aggregate query.

Clock compliance counts each clock once, when it is settled in the window: met in the window, or
due in the window (a clock still running after its due time has been missed). Clocks stopped
before they were due (the case ended first) do not count; the filing window and the plan
grievance ran before the Help Center had the case and are left out.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import TruncWeek

from complaints.clocks import HISTORICAL_CLOCKS, LOCAL_TZ, ClockName
from complaints.models import TERMINAL_STATUSES, Case, Clock, Status, Track
from ops.backup.schedule import backup_state
from ops.selectors import heartbeat_last_seen

from .display import DUE_SOON, local_moment, span
from .queue import QUEUE_CLOCKS, end_of_local_day, running_clocks

WEEKS_SHOWN = 12


@dataclass(frozen=True)
class StatusRow:
    status: Status
    by_track: list[int]
    total: int


def open_by_status_and_track() -> tuple[list[StatusRow], list[int], int]:
    counts = {
        (row["status"], row["track"]): row["n"]
        for row in Case.objects.exclude(status__in=TERMINAL_STATUSES)
        .values("status", "track")
        .annotate(n=Count("id"))
        .order_by()
    }
    rows = []
    for status in Status:
        if status in TERMINAL_STATUSES:
            continue
        by_track = [counts.get((status.value, track.value), 0) for track in Track]
        if sum(by_track):
            rows.append(StatusRow(status, by_track, sum(by_track)))
    totals = [sum(row.by_track[i] for row in rows) for i in range(len(Track))]
    return rows, totals, sum(totals)


@dataclass(frozen=True)
class ClockLoad:
    name: ClockName
    running: int
    overdue: int
    due_today: int
    due_soon: int


def clock_load(now: datetime) -> list[ClockLoad]:
    counts = {
        row["name"]: row
        for row in running_clocks()
        .values("name")
        .annotate(
            running=Count("id"),
            overdue=Count("id", filter=Q(due_at__lt=now)),
            due_today=Count("id", filter=Q(due_at__gte=now, due_at__lte=end_of_local_day(now))),
            due_soon=Count("id", filter=Q(due_at__gte=now, due_at__lte=now + DUE_SOON)),
        )
        .order_by()
    }
    empty = {"running": 0, "overdue": 0, "due_today": 0, "due_soon": 0}
    return [ClockLoad(name=name, **{k: counts.get(name.value, empty)[k] for k in empty}) for name in QUEUE_CLOCKS]


@dataclass(frozen=True)
class Compliance:
    label: str
    settled: int
    on_time: int

    @property
    def share(self) -> str:
        return f"{100 * self.on_time / self.settled:.1f}%" if self.settled else "no clocks settled"


def clock_compliance(now: datetime, days: int) -> list[Compliance]:
    since = now - timedelta(days=days)
    settled = (
        Clock.objects.exclude(name__in=HISTORICAL_CLOCKS)
        .filter(Q(met_at__gt=since, met_at__lte=now) | Q(due_at__gt=since, due_at__lte=now))
        .exclude(stopped_at__isnull=False, stopped_at__lte=F("due_at"))
    )
    counts = {
        row["name"]: row
        for row in settled.values("name")
        .annotate(settled=Count("id"), on_time=Count("id", filter=Q(met_at__isnull=False, met_at__lte=F("due_at"))))
        .order_by()
    }
    rows = [
        Compliance(name.label, counts[name.value]["settled"], counts[name.value]["on_time"])
        for name in QUEUE_CLOCKS
        if name.value in counts
    ]
    total = Compliance("All clocks", sum(row.settled for row in rows), sum(row.on_time for row in rows))
    return [*rows, total]


@dataclass(frozen=True)
class Week:
    starts: datetime
    received: int

    @property
    def label(self) -> str:
        return f"{self.starts:%b} {self.starts.day}"


def received_per_week(now: datetime) -> list[Week]:
    today = now.astimezone(LOCAL_TZ).date()
    first_monday = today - timedelta(days=today.weekday(), weeks=WEEKS_SHOWN - 1)
    start = datetime.combine(first_monday, datetime.min.time(), tzinfo=LOCAL_TZ)
    counts = {
        row["week"].astimezone(LOCAL_TZ).date(): row["n"]
        for row in Case.objects.filter(received_at__gte=start)
        .annotate(week=TruncWeek("received_at", tzinfo=LOCAL_TZ))
        .values("week")
        .annotate(n=Count("id"))
        .order_by()
    }
    weeks = [first_monday + timedelta(weeks=i) for i in range(WEEKS_SHOWN)]
    return [Week(datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ), counts.get(day, 0)) for day in weeks]


def week_chart(weeks: list[Week]) -> dict:
    """Bar geometry for the server-drawn SVG chart (the table beside it has the same figures)."""
    highest = max((week.received for week in weeks), default=0) or 1
    bar_area, bar_width, gap = 160, 36, 12
    bars = []
    for i, week in enumerate(weeks):
        height = round(bar_area * week.received / highest)
        x = 40 + i * (bar_width + gap)
        bars.append({"x": x, "y": 10 + bar_area - height, "height": height, "width": bar_width, "week": week})
    return {
        "bars": bars,
        "width": 40 + len(weeks) * (bar_width + gap),
        "height": bar_area + 50,
        "axis_y": 10 + bar_area,
        "highest": highest,
    }


@dataclass(frozen=True)
class PlanRow:
    name: str
    plan_id: int | None
    open: int
    overdue: int
    received_30: int
    received_90: int


def cases_by_plan(now: datetime) -> list[PlanRow]:
    is_open = ~Q(status__in=TERMINAL_STATUSES)
    rows = (
        Case.objects.filter(is_open | Q(received_at__gte=now - timedelta(days=90)))
        .values("health_plan", "health_plan__name")
        .annotate(
            open=Count("id", filter=is_open),
            received_30=Count("id", filter=Q(received_at__gte=now - timedelta(days=30))),
            received_90=Count("id", filter=Q(received_at__gte=now - timedelta(days=90))),
        )
        .order_by("-open", "health_plan__name")
    )
    # Read from the running clocks (their own index): only open cases have them.
    overdue = {
        row["case__health_plan"]: row["n"]
        for row in running_clocks()
        .filter(due_at__lt=now)
        .values("case__health_plan")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    }
    return [
        PlanRow(
            name=row["health_plan__name"] or "Plan not on our list",
            plan_id=row["health_plan"],
            open=row["open"],
            overdue=overdue.get(row["health_plan"], 0),
            received_30=row["received_30"],
            received_90=row["received_90"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class SweepState:
    last_seen: datetime | None
    fault: bool
    text: str


def sweep_state(now: datetime) -> SweepState:
    last = heartbeat_last_seen(service="SWEEP")
    if last is None:
        return SweepState(
            None, True, "FAULT: the clock sweep has never run. Reminders and overdue notices are not sent."
        )
    age = now - last
    if age > timedelta(seconds=settings.SWEEP_STALE_SECONDS):
        return SweepState(
            last,
            True,
            f"FAULT: the clock sweep last ran {span(age)} ago ({local_moment(last)}). Reminders, overdue notices "
            "and letter retries are not going out: check the worker and beat processes.",
        )
    return SweepState(last, False, f"The clock sweep last ran {span(age)} ago ({local_moment(last)}).")


def dashboard_context(now: datetime) -> dict:
    status_rows, track_totals, open_total = open_by_status_and_track()
    weeks = received_per_week(now)
    return {
        "now": now,
        "now_local": local_moment(now),
        "tracks": list(Track),
        "status_rows": status_rows,
        "track_totals": track_totals,
        "open_total": open_total,
        "clock_load": clock_load(now),
        "compliance": [(30, clock_compliance(now, 30)), (90, clock_compliance(now, 90))],
        "weeks": weeks,
        "week_chart": week_chart(weeks),
        "plans": cases_by_plan(now),
        "sweep": sweep_state(now),
        "backup": backup_state(now),
        "due_soon_hours": int(DUE_SOON.total_seconds() // 3600),
    }
