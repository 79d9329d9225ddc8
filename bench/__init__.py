"""Benchmarks: `make bench` runs every module in this package and prints one table.

A benchmark module defines functions decorated with ``@benchmark``; each returns a list of
``Result`` rows. Benchmarks run against a scratch database made for the run and dropped after
it (PostgreSQL when reachable, as in the tests), and must remove any files they create.
"""

from bench.core import Result, benchmark

__all__ = ["Result", "benchmark"]
