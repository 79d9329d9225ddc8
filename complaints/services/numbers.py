"""Case numbers: HC-<year>-<six digits>, one sequence per year, never reused."""

from django.db import transaction

from complaints.models import CaseNumberSequence


def case_number_next(*, year: int) -> str:
    """Take the next number of ``year``. Runs inside the caller's transaction and locks the year's
    row, so two filings at the same moment get two different numbers."""
    with transaction.atomic():
        sequence, _ = CaseNumberSequence.objects.select_for_update().get_or_create(year=year)
        sequence.last_value += 1
        sequence.save(update_fields=["last_value"])
    return f"HC-{year}-{sequence.last_value:06d}"
