"""Run every benchmark against a scratch database and print one table (`make bench`)."""

import importlib
import os
import pkgutil
import sys
import time

from helpcenter.backend_choice import choose_backends


def main() -> int:
    print(choose_backends(os.environ).replace("Test backends", "Benchmark backends"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpcenter.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from bench.core import BENCHMARKS, Result

    only = set(sys.argv[1:])
    for module in pkgutil.iter_modules(["bench"]):
        if module.name not in {"core", "__main__"} and (not only or module.name in only):
            importlib.import_module(f"bench.{module.name}")

    # Never the test suite's database: the two may run side by side.
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(settings.VAR_DIR / "bench-helpcenter.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = "bench_helpcenter"
    scratch_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"Scratch database: {scratch_name}")
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
    print(format_table(rows))
    return 0


def format_table(rows) -> str:
    headers = ["benchmark", "measured", "baseline (same run)", "target", "met"]
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
