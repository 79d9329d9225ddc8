"""Loading DMHC's published file of IMR decisions (either shape), idempotently by reference ID,
in batches of one transaction each; bad rows are skipped with a reason."""

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from imr.importer import ParsedDecision, RowProblem, decisions_file_open, decisions_file_row_count, decisions_file_rows
from imr.models import DECISION_FIELDS, DecisionSource, PublishedDecision
from imr.services.tallies import IMPORT_BATCH_SIZE, counts_recount, search_entries_write

SHIPPED_DECISIONS_FILE = Path(settings.BASE_DIR) / "data" / "imr" / "imr_determinations.csv"


@dataclass
class ImportSummary:
    """What an import did. ``rows_read`` = created + updated + unchanged + skipped."""

    file_name: str
    file_shape: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def lines(self, *, most_reasons: int = 50) -> list[str]:
        """The closing summary, in plain sentences, for the command and the logs."""
        lines = [
            f"{self.file_name} ({self.file_shape}): {self.rows_read:,} rows read.",
            f"Created {self.created:,}, updated {self.updated:,}, unchanged {self.unchanged:,}, "
            f"skipped {len(self.skipped):,}.",
        ]
        if self.ignored_columns:
            lines.append(f"Columns not used: {', '.join(self.ignored_columns)}.")
        if self.skipped:
            lines.append("Skipped rows (the header is row 1):")
            lines += [f"  {problem}" for problem in self.skipped[:most_reasons]]
            if len(self.skipped) > most_reasons:
                lines.append(f"  ... and {len(self.skipped) - most_reasons:,} more.")
        return lines


@dataclass(frozen=True)
class ImportProgress:
    rows_done: int
    rows_total: int


def decisions_import_file(
    *, path: str | Path, progress: Callable[[ImportProgress], None] | None = None
) -> ImportSummary:
    """Import DMHC's IMR decisions file at ``path`` and return what was done.

    Rows are matched by reference ID: a new one is created, a known one is updated only if a
    value differs, so importing the same file again creates 0 and updates 0. Each batch of rows
    is one transaction; a row with any problem is skipped with its reason and nothing of it is
    stored. Decisions published through the portal are never replaced by a file. Raises
    imr.importer.NotADecisionsFile if the file cannot be read as such a file at all.
    """
    decisions_file = decisions_file_open(path)
    summary = ImportSummary(
        file_name=decisions_file.name,
        file_shape=decisions_file.describe(),
        ignored_columns=decisions_file.ignored_columns,
    )
    total = decisions_file_row_count(decisions_file) if progress else 0
    rows = decisions_file_rows(decisions_file)
    seen: dict[str, int] = {}
    while batch := list(islice(rows, IMPORT_BATCH_SIZE)):
        summary.rows_read += len(batch)
        decisions = []
        for row in batch:
            if isinstance(row, RowProblem):
                summary.skipped.append(row)
            elif row.reference_id in seen:
                summary.skipped.append(
                    RowProblem(
                        row.row_number,
                        f"Reference ID {row.reference_id} already appeared in row {seen[row.reference_id]}",
                    )
                )
            else:
                seen[row.reference_id] = row.row_number
                decisions.append(row)
        _import_batch(decisions, summary)
        if progress:
            progress(ImportProgress(rows_done=summary.rows_read, rows_total=max(total, summary.rows_read)))
    counts_recount()  # each batch wrote its own search entries
    return summary


def _import_batch(rows: list[ParsedDecision], summary: ImportSummary) -> None:
    try:
        with transaction.atomic():
            _write_rows(rows, summary)
    except (DataError, IntegrityError):
        # Something in the batch broke a database rule the checks did not foresee: write its rows
        # one by one, so that only the offending rows are skipped, each with the database's reason.
        for row in rows:
            try:
                with transaction.atomic():
                    _write_rows([row], summary)
            except (DataError, IntegrityError) as error:
                summary.skipped.append(RowProblem(row.row_number, f"refused by the database ({error})".strip()))


def _write_rows(rows: list[ParsedDecision], summary: ImportSummary) -> None:
    """Create or update the rows of one batch; counts go into ``summary`` only if all succeed."""
    now = timezone.now()
    existing = PublishedDecision.objects.select_for_update().in_bulk(
        [row.reference_id for row in rows], field_name="reference_id"
    )
    to_create, to_update, unchanged, skipped = [], [], 0, []
    for row in rows:
        decision = existing.get(row.reference_id)
        if decision is not None and decision.source == DecisionSource.PORTAL:
            skipped.append(
                RowProblem(
                    row.row_number, f"{row.reference_id} was published by this portal; a file does not replace it"
                )
            )
            continue
        if decision is None:
            decision = PublishedDecision(
                reference_id=row.reference_id, source=DecisionSource.IMPORTED, changed_at=now, **row.values
            )
            target = to_create
        elif any(getattr(decision, name) != row.values[name] for name in DECISION_FIELDS):
            for name in DECISION_FIELDS:
                setattr(decision, name, row.values[name])
            decision.changed_at = now
            target = to_update
        else:
            unchanged += 1
            continue
        try:
            decision.clean_fields()
        except ValidationError as error:
            reasons = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
            skipped.append(RowProblem(row.row_number, reasons))
            continue
        target.append(decision)
    PublishedDecision.objects.bulk_create(to_create, batch_size=IMPORT_BATCH_SIZE)
    PublishedDecision.objects.bulk_update(to_update, [*DECISION_FIELDS, "changed_at"], batch_size=IMPORT_BATCH_SIZE)
    search_entries_write(to_create + to_update)
    summary.created += len(to_create)
    summary.updated += len(to_update)
    summary.unchanged += unchanged
    summary.skipped += skipped
