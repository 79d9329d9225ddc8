"""Run every benchmark against a scratch database and print one table (`make bench`).

`python -m bench queue sweep` (or `BENCH="queue sweep" make bench`) runs only those modules.
"""

import importlib
import os
import pkgutil
import platform
import sys
import time
from datetime import datetime

from helpcenter.backend_choice import choose_backends

# The table's sections, in the order of the issue; other modules follow in name order.
ORDER = ["filing", "queue", "sweep", "letters", "decisions", "pages", "signup"]
HELPERS = {"core", "__main__", "casedata", "offline"}


def main() -> int:
    print(choose_backends(os.environ).replace("Test backends", "Benchmark backends"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from bench.core import BENCHMARKS, Result

    only = sys.argv[1:]
    available = [module.name for module in pkgutil.iter_modules(["bench"]) if module.name not in HELPERS]
    unknown = [name for name in only if name not in available]
    if unknown:
        print(f"No benchmark module named {', '.join(unknown)}; there are: {', '.join(sorted(available))}")
        return 2
    ordered = [name for name in ORDER if name in available] + sorted(set(available) - set(ORDER))
    for name in ordered:
        if not only or name in only:
            importlib.import_module(f"bench.{name}")

    # Never the test suite's database, nor another benchmark run's: they may run side by side.
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(settings.VAR_DIR / f"bench-helpcenter-{os.getpid()}.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = f"bench_helpcenter_{os.getpid()}"
    run_started = time.perf_counter()
    scratch_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"Scratch database: {scratch_name}")
    machine = _machine(connection)
    rows: list[Result] = []
    try:
        for function in BENCHMARKS:
            started = time.perf_counter()
            print(f"Running {function.__module__}.{function.__name__} ...", flush=True)
            rows.extend(function())
            print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        connection.creation.destroy_test_db(scratch_name, verbosity=0)
    print()
    print(f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {machine}")
    print(format_table(rows))
    print(f"\nTotal run time (building the data included): {(time.perf_counter() - run_started) / 60:.1f} min")
    return 0


def _machine(connection) -> str:
    """What the figures were measured on, for the table's first line."""
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            kilobytes = int(info.readline().split()[1])
        memory = f", {kilobytes / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW shared_buffers")
            buffers = cursor.fetchone()[0]
        # How much the server caches itself decides whether a scan of a large table is served
        # from its buffers or from the operating system's (see docs/benchmarks.md).
        database = f"PostgreSQL {connection.pg_version // 10000} (shared_buffers {buffers})"
    else:
        database = f"SQLite {connection.Database.sqlite_version}"
    load = f", load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{os.cpu_count()} CPUs{memory}{load}, Python {platform.python_version()}, {database}"


def format_table(rows) -> str:
    headers = ["benchmark", "measured", "baseline or detail (same run)", "target", "met"]
    table = [
        [row.name, row.value, row.baseline, row.target, {True: "yes", False: "NO", None: "-"}[row.met]] for row in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *table, strict=False)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    notes = [f"  {row.name}: {row.note}" for row in rows if row.note]
    return "\n".join(lines + (["", "Notes:", *notes] if notes else []))


if __name__ == "__main__":
    sys.exit(main())
