"""The clock sweep with a million open cases, a thousand of them due: time per sweep, rows read.

``complaints.sweep.sweep_run`` runs as beat's task runs it, with its tasks queued rather than run
on the spot (``bench.offline``). It is timed first with only the 1,000 due open cases in the
database (the baseline), then after 999,000 more open cases whose clocks are not due yet (all
later than the 24-hour look-ahead), in the same run. Each time: the first sweep (it makes the
notices for the overdue and soon-due clocks; timed REPEATS times, the notices emptied before
each, and the slowest counts) and then repeated sweeps (the notices exist: nothing new to do).
Rows read are the clocks the sweep loads, and what PostgreSQL's plan says it read from the clock
table (EXPLAIN ANALYZE of the sweep's own query), which must go through the
running-clock partial index ``clock_running_due``. Target: under one second, reading only the
due rows.
"""

import json
import time
from dataclasses import dataclass

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from bench import casedata
from bench.core import Result, benchmark, median, percentile
from bench.offline import tasks_queued_not_run
from complaints.models import Notice
from complaints.sweep import due_clocks, sweep_run

DUE = 1_000
TOTAL = 1_000_000
REPEATS = 5
TARGET_SECONDS = 1.0
INDEX = "clock_running_due"


@dataclass
class Sweeps:
    first: list[float]
    first_queries: int
    notices: int
    repeated: list[float]
    repeated_queries: int
    clocks_read: int


def _timed_sweep(now) -> tuple[float, int, object]:
    reset_queries()  # the query log keeps 9,000 at most: start it empty so every query counts
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = sweep_run(now=now)
        seconds = time.perf_counter() - started
    return seconds, len(queries), report


def _sweeps(now) -> Sweeps:
    first = []
    for _ in range(REPEATS):
        Notice.objects.all().delete()  # so each first sweep has its notices to make again
        seconds, first_queries, report = _timed_sweep(now)
        first.append(seconds)
    repeated = []
    for _ in range(REPEATS):
        seconds, repeated_queries, again = _timed_sweep(now)
        repeated.append(seconds)
    return Sweeps(first, first_queries, len(report.notices_created), repeated, repeated_queries, again.clocks_read)


def _plan(now) -> tuple[str, int | None, int]:
    """The index the sweep's clock query uses, how many clock rows PostgreSQL read for it, and
    over how many loops (a parallel scan reports each worker's average, rounded, so the total is
    exact only to within the number of loops)."""
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        due_clocks(now=now)
    sql = queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            text = " ".join(str(row[-1]) for row in cursor.fetchall())
            return (INDEX if INDEX in text else text), None, 1
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    scans = [node for node in _nodes(plan[0]["Plan"]) if node.get("Relation Name") == "complaints_clock"]
    # A bitmap heap scan names its index in the bitmap index scan below it.
    names = {inner.get("Index Name") for node in scans for inner in _nodes(node)} - {None}
    indexes = ", ".join(sorted(names)) or ", ".join(sorted({node["Node Type"] for node in scans}))
    removed = ("Rows Removed by Filter", "Rows Removed by Index Recheck")
    rows = sum((node["Actual Rows"] + sum(node.get(k, 0) for k in removed)) * node["Actual Loops"] for node in scans)
    return indexes, rows, max((node["Actual Loops"] for node in scans), default=1)


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


@benchmark
def clock_sweep() -> list[Result]:
    now = timezone.now()
    # Overdue clocks are reported to supervisors: there must be one, as in production.
    StaffFactory(groups=[StaffGroup.SUPERVISOR], email="bench-sweep-supervisor@dmhc.example.test")
    books = [casedata.build(total=DUE, open_share=1.0, due=DUE, now=now, seed=3)]
    try:
        with tasks_queued_not_run():
            small = _sweeps(now)
            books.append(casedata.build(total=TOTAL - DUE, open_share=1.0, due=0, now=now, seed=4))
            big = _sweeps(now)
            index, rows_read, loops = _plan(now)
        open_cases = sum(book.open_cases for book in books)
        through_index = index == INDEX
        rows = [
            Result(
                name="sweep: build",
                value=f"{open_cases:,} open cases, {DUE:,} due, in {sum(book.seconds for book in books):.0f} s",
                note=f"{sum(book.clocks for book in books):,} clocks; {connection.vendor}; "
                f"{REPEATS} repeated sweeps after the first",
            ),
            Result(
                name="sweep: first sweep (makes the notices)",
                value=f"slowest {_ms(max(big.first))} (median {_ms(median(big.first))}), "
                f"{big.first_queries:,} queries, {big.notices:,} notices",
                baseline=f"slowest {_ms(max(small.first))}, {small.first_queries:,} queries at {DUE:,} open cases",
                target=f"< {TARGET_SECONDS:.0f} s",
                met=max(big.first) < TARGET_SECONDS,
                note="" if max(big.first) < TARGET_SECONDS else _why_slow(big.first_queries, DUE),
            ),
            Result(
                name="sweep: repeated sweep",
                value=f"p95 {_ms(percentile(big.repeated, 0.95))} (median {_ms(median(big.repeated))}), "
                f"{big.repeated_queries:,} queries",
                baseline=f"p95 {_ms(percentile(small.repeated, 0.95))}, {small.repeated_queries:,} queries "
                f"at {DUE:,} open cases",
                target=f"< {TARGET_SECONDS:.0f} s",
                met=percentile(big.repeated, 0.95) < TARGET_SECONDS,
                note="" if percentile(big.repeated, 0.95) < TARGET_SECONDS else _why_slow(big.repeated_queries, DUE),
            ),
            Result(
                name="sweep: clock rows read",
                value=f"{big.clocks_read:,} loaded"
                + (
                    f", {'about ' if loops > 1 else ''}{rows_read:,} read from the table"
                    if rows_read is not None
                    else ""
                )
                + f", index {index}",
                baseline=f"{small.clocks_read:,} loaded at {DUE:,} open cases",
                target=f"only the {DUE:,} due, through {INDEX}",
                met=big.clocks_read == DUE and through_index and (rows_read is None or abs(rows_read - DUE) < loops),
                note="" if through_index else f"the plan does not use {INDEX}: {index}",
            ),
        ]
        return rows
    finally:
        casedata.remove(*books)
        # The supervisor's account stays (the audit log may name it); it goes with the scratch
        # database at the end of the run.


def _why_slow(queries: int, due: int) -> str:
    return f"{queries:,} queries for {due:,} due clocks: see where the time goes with a profiler (docs/benchmarks.md)"
