"""Case numbers: HC-<year>-<six digits>, one sequence per year, never reused."""

from django.db import connection

from complaints.models import CaseNumberSequence

_TABLE = connection.ops.quote_name(CaseNumberSequence._meta.db_table)

# One statement takes the number: it makes the year's row on its first filing or adds one to it,
# and returns the new value. PostgreSQL and SQLite (3.35 and later) both read it.
_TAKE_NEXT = (
    f"INSERT INTO {_TABLE} (year, last_value) VALUES (%s, 1) "  # noqa: S608 (our table name; the year is a parameter)
    f"ON CONFLICT (year) DO UPDATE SET last_value = {_TABLE}.last_value + 1 "
    "RETURNING last_value"
)


def case_number_next(*, year: int) -> str:
    """Take the next number of ``year``. Runs inside the caller's transaction: the statement locks
    the year's row until that transaction ends, so two filings at the same moment get two
    different numbers, and a filing that is rolled back takes its number back with it (no case
    ever had it)."""
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_NEXT, [year])
        (value,) = cursor.fetchone()
    return f"HC-{year}-{value:06d}"
