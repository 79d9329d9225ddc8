"""Writes of the IMR app.

Public decisions:
- ``decisions_import_file``: load DMHC's published file (either shape), idempotently by reference
  ID, in batches of one transaction each; bad rows are skipped with a reason.
- ``decision_publish``: publish one decision issued through the portal, de-identified.
- ``decision_tallies_rebuild``: recount the statistics tallies and rewrite the search entries
  from the decisions (the repair path, and the step after loading decisions in bulk).

Every write of PublishedDecision goes through these functions, because they keep DecisionTally
(the counts behind /decisions/stats/ and the result counts), DecisionSearchEntry (the narrow
rows that the statistics of a text search read; written only by ``_search_entries_write`` and
``_search_entries_rebuild``) and DecisionFilterOptions in step with the decisions.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.utils import timezone

from imr.importer import (
    REFERENCE_ID,
    ParsedDecision,
    RowProblem,
    decisions_file_open,
    decisions_file_row_count,
    decisions_file_rows,
)
from imr.models import (
    DECISION_FIELDS,
    FIRST_REPORT_YEAR,
    MAX_CATEGORY_LENGTH,
    TALLY_FIELDS,
    AgeRange,
    CommonTerm,
    DaysMeasure,
    DecisionDaysTally,
    DecisionFilterOptions,
    DecisionSearchEntry,
    DecisionSource,
    DecisionTally,
    DecisionTermTally,
    DecisionType,
    Determination,
    Gender,
    ImrType,
    PublishedDecision,
    tally_key,
)
from imr.selectors import TEXT_SEARCH_CONFIG, decision_facets_compute, facets_as_json

SHIPPED_DECISIONS_FILE = Path(settings.BASE_DIR) / "data" / "imr" / "imr_determinations.csv"
IMPORT_BATCH_SIZE = 1000


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
    with transaction.atomic():
        _tallies_recount()  # each batch wrote its own search entries
        _terms_recount()
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
    _search_entries_write(to_create + to_update)
    summary.created += len(to_create)
    summary.updated += len(to_update)
    summary.unchanged += unchanged
    summary.skipped += skipped


@transaction.atomic
def decision_tallies_rebuild() -> int:
    """Recount DecisionTally and rewrite every DecisionSearchEntry from the published decisions.

    For decisions written around the services (a bulk load, an interrupted import). Returns the
    number of tally rows.
    """
    count = _tallies_recount()
    _search_entries_rebuild()
    _terms_recount()
    return count


def _tallies_recount() -> int:
    DecisionTally.objects.all().delete()
    groups = (
        PublishedDecision.objects.order_by()
        .values(*TALLY_FIELDS)
        .annotate(decisions=Count("id"), with_findings=Count("id", filter=~Q(findings="")))
    )
    tallies = DecisionTally.objects.bulk_create(
        (DecisionTally(**group, key=tally_key(group)) for group in groups.iterator(chunk_size=5000)), batch_size=2000
    )
    _days_recount()
    _filter_options_refresh()
    return len(tallies)


_DAYS_FIELDS = {DaysMeasure.REVIEW: "days_to_review", DaysMeasure.ADOPT: "days_to_adopt"}


def _days_recount() -> None:
    """Count, per tally and number of days, the decisions that record days to review or adopt."""
    DecisionDaysTally.objects.all().delete()
    for measure, name in _DAYS_FIELDS.items():
        groups = (
            PublishedDecision.objects.order_by()
            .filter(**{f"{name}__isnull": False})
            .values(*TALLY_FIELDS, name)
            .annotate(decisions=Count("id"))
        )
        DecisionDaysTally.objects.bulk_create(
            (
                DecisionDaysTally(
                    tally_key=tally_key(group), measure=measure, days=group[name], decisions=group["decisions"]
                )
                for group in groups.iterator(chunk_size=5000)
            ),
            batch_size=2000,
        )


def _days_add(decision: PublishedDecision, delta: int) -> None:
    key = tally_key(decision)
    for measure, name in _DAYS_FIELDS.items():
        days = getattr(decision, name)
        if days is None:
            continue
        row = DecisionDaysTally.objects.select_for_update().filter(tally_key=key, measure=measure, days=days).first()
        if row is None:
            if delta > 0:
                DecisionDaysTally.objects.create(tally_key=key, measure=measure, days=days, decisions=delta)
        elif row.decisions + delta <= 0:
            row.delete()
        else:
            DecisionDaysTally.objects.filter(pk=row.pk).update(decisions=F("decisions") + delta)


def _vector(findings: str):
    """The stored form of the findings for full-text search: the expression of imr.selectors' search."""
    if connection.vendor != "postgresql":
        return None  # SQLite's text search reads the decisions' findings themselves
    return SearchVector(Value(findings), config=TEXT_SEARCH_CONFIG)


def _search_entries_write(decisions: list[PublishedDecision]) -> None:
    """Replace the search entries of these decisions, just saved, with their current facts."""
    if not decisions:
        return
    DecisionSearchEntry.objects.filter(decision_id__in=[decision.pk for decision in decisions]).delete()
    DecisionSearchEntry.objects.bulk_create(
        [
            DecisionSearchEntry(
                decision_id=decision.pk, tally_key=tally_key(decision), vector=_vector(decision.findings)
            )
            for decision in decisions
        ],
        batch_size=IMPORT_BATCH_SIZE,
    )


def _search_entries_rebuild() -> None:
    """Rewrite every search entry in one statement; the keys are copied from the tallies just counted."""
    DecisionSearchEntry.objects.all().delete()
    key = DecisionTally.objects.filter(**{name: OuterRef(name) for name in TALLY_FIELDS}).values("key")[:1]
    if connection.vendor == "postgresql":
        vector = SearchVector("findings", config=TEXT_SEARCH_CONFIG)
    else:
        vector = Value(None, output_field=SearchVectorField())
    select = (
        PublishedDecision.objects.order_by()
        .annotate(entry_key=Subquery(key), entry_vector=vector)
        .values_list("id", "entry_key", "entry_vector")
    )
    select_sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(DecisionSearchEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (decision_id, tally_key, vector) {select_sql}", params)


# A lexeme in at least this many findings is "common": the statistics of a search for it are kept
# counted (CommonTerm, DecisionTermTally). Fewer matches are counted quickly enough when asked.
COMMON_TERM_DECISIONS = 2000


def _terms_recount() -> None:
    """Choose the common lexemes afresh and count, per tally key, the decisions that contain each."""
    if connection.vendor != "postgresql":
        return  # SQLite's text search reads the decisions' findings themselves
    entries = connection.ops.quote_name(DecisionSearchEntry._meta.db_table)
    terms = connection.ops.quote_name(CommonTerm._meta.db_table)
    term_tallies = connection.ops.quote_name(DecisionTermTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {term_tallies}")  # noqa: S608 (our table names; values are parameters)
        cursor.execute(f"DELETE FROM {terms}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {terms} (lexeme) SELECT word FROM ts_stat(%s) WHERE ndoc >= %s",  # noqa: S608
            [f"SELECT vector FROM {entries} WHERE vector IS NOT NULL", COMMON_TERM_DECISIONS],  # noqa: S608
        )
        cursor.execute(
            f"INSERT INTO {term_tallies} (term_id, tally_key, decisions) "  # noqa: S608
            f"SELECT term.id, entry.tally_key, count(*) FROM {entries} entry "
            f"CROSS JOIN LATERAL unnest(entry.vector) AS word JOIN {terms} term ON term.lexeme = word.lexeme "
            "GROUP BY term.id, entry.tally_key"
        )


def _terms_add(decision_id: int, delta: int) -> None:
    """Count one decision's search entry in (delta +1) or out of (-1) its common lexemes' tallies."""
    if connection.vendor != "postgresql":
        return
    entries = connection.ops.quote_name(DecisionSearchEntry._meta.db_table)
    terms = connection.ops.quote_name(CommonTerm._meta.db_table)
    term_tallies = connection.ops.quote_name(DecisionTermTally._meta.db_table)
    words = (
        f"SELECT DISTINCT term.id AS term_id, entry.tally_key FROM {entries} entry "  # noqa: S608
        f"CROSS JOIN LATERAL unnest(entry.vector) AS word JOIN {terms} term ON term.lexeme = word.lexeme "
        "WHERE entry.decision_id = %s"
    )
    with connection.cursor() as cursor:
        if delta > 0:
            cursor.execute(
                f"INSERT INTO {term_tallies} (term_id, tally_key, decisions) "  # noqa: S608
                f"SELECT term_id, tally_key, 1 FROM ({words}) AS mine "
                f"ON CONFLICT (term_id, tally_key) DO UPDATE SET decisions = {term_tallies}.decisions + 1",
                [decision_id],
            )
            return
        same = f"{term_tallies}.term_id = mine.term_id AND {term_tallies}.tally_key = mine.tally_key"
        cursor.execute(
            f"DELETE FROM {term_tallies} USING ({words}) AS mine WHERE {same} AND {term_tallies}.decisions = 1",  # noqa: S608
            [decision_id],
        )
        cursor.execute(
            f"UPDATE {term_tallies} SET decisions = {term_tallies}.decisions - 1 FROM ({words}) AS mine WHERE {same}",  # noqa: S608
            [decision_id],
        )


def _filter_options_refresh() -> None:
    DecisionFilterOptions.objects.update_or_create(
        pk=1, defaults={"options": facets_as_json(decision_facets_compute()), "changed_at": timezone.now()}
    )


def _tally_add(decision: PublishedDecision, delta: int) -> None:
    facts = {name: getattr(decision, name) for name in TALLY_FIELDS}
    findings = delta if decision.findings else 0
    tally = DecisionTally.objects.select_for_update().filter(key=tally_key(facts)).first()
    if tally is None:
        if delta > 0:
            DecisionTally.objects.create(**facts, key=tally_key(facts), decisions=delta, with_findings=findings)
        return
    if tally.decisions + delta <= 0:
        tally.delete()
        return
    DecisionTally.objects.filter(pk=tally.pk).update(
        decisions=F("decisions") + delta, with_findings=F("with_findings") + findings
    )


# ------------------------------------------------------------------------------------------------
# Publishing a decision issued through the portal
# ------------------------------------------------------------------------------------------------


class DecisionNotPublishable(ValidationError):
    """The decision carries something that could identify the patient, or is incomplete."""


# Anything that looks like a calendar date (finer than a year) in free text.
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
)
TEXT_FIELDS = ("diagnosis_category", "diagnosis_subcategory", "treatment_category", "treatment_subcategory", "findings")
IDENTIFYING_PATTERNS = {
    "a date": re.compile(
        r"\b\d{1,2}([/-])\d{1,2}\1\d{2,4}\b|\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{4}\b"
        rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
        rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:de\s+)?(?:{_MONTHS})\b"
        rf"|\b(?:{_MONTHS})\.?\s+(?:de\s+)?\d{{4}}\b",
        re.IGNORECASE,
    ),
    "an e-mail address": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    "a phone number": re.compile(r"(?:\(\d{3}\)\s*|\b\d{3}[-. ])\d{3}[-. ]\d{4}\b"),
    "a long number (an ID?)": re.compile(r"\d{7,}"),
}


def _fold(text: str) -> str:
    """Lower case without accents, so that "Lopez" matches "López"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def _identifying_problems(text: str, identifiers: Sequence[str]) -> list[str]:
    problems = [f"contains {what}" for what, pattern in IDENTIFYING_PATTERNS.items() if pattern.search(text)]
    folded = _fold(text)
    for identifier in identifiers:
        words = _fold(identifier).split()
        pattern = r"\s+".join(re.escape(word) for word in words)
        if len("".join(words)) >= 2 and re.search(rf"(?<!\w){pattern}(?!\w)", folded):
            problems.append("contains a name or identifier of the patient")
            break
    return problems


def age_range_for(age_in_years: int) -> AgeRange:
    """The published age range for a patient's age in whole years."""
    for upper, age_range in (
        (10, AgeRange.AGE_0_10),
        (20, AgeRange.AGE_11_20),
        (30, AgeRange.AGE_21_30),
        (40, AgeRange.AGE_31_40),
        (50, AgeRange.AGE_41_50),
        (64, AgeRange.AGE_51_64),
    ):
        if age_in_years <= upper:
            return age_range
    return AgeRange.AGE_65_PLUS


def _publish_errors(values: dict, *, findings_reviewed: bool, identifiers: Sequence[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    year = values["report_year"]
    if isinstance(year, datetime.date) or type(year) is not int:
        errors["report_year"] = ["give the year only (a whole number), never a date"]
    elif not FIRST_REPORT_YEAR <= year <= timezone.localdate().year:
        errors["report_year"] = [f"must be a year from {FIRST_REPORT_YEAR} to this year"]
    for name, choices, blank in (
        ("determination", Determination, False),
        ("decision_type", DecisionType, False),
        ("age_range", AgeRange, True),
        ("gender", Gender, True),
        ("imr_type", ImrType, True),
    ):
        if values[name] not in choices.values and not (blank and values[name] == ""):
            errors[name] = [f"must be one of {', '.join(choices.values)}{' or empty' if blank else ''}"]
    for name in ("days_to_review", "days_to_adopt"):
        if values[name] is not None and (type(values[name]) is not int or values[name] < 0):
            errors[name] = ["must be a whole number of days, or None"]
    if not isinstance(values["reference_id"], str) or not REFERENCE_ID.fullmatch(values["reference_id"]):
        errors["reference_id"] = ["must be letters, digits and hyphens (at most 32)"]
    for name in ("reference_id", *TEXT_FIELDS):
        text = values[name]
        if not isinstance(text, str):
            errors[name] = ["must be text"]
            continue
        if name != "findings" and len(text) > MAX_CATEGORY_LENGTH:
            errors.setdefault(name, []).append(f"must be at most {MAX_CATEGORY_LENGTH} characters")
        problems = _identifying_problems(text, identifiers)
        if problems:
            errors.setdefault(name, []).extend(problems)
    if values["findings"] and not findings_reviewed:
        errors.setdefault("findings", []).append("only findings that staff reviewed for publication may be published")
    return errors


def _squash(text):
    return " ".join(text.split()) if isinstance(text, str) else text


@transaction.atomic
def decision_publish(
    *,
    reference_id: str,
    report_year: int,
    determination: str,
    decision_type: str,
    diagnosis_category: str = "",
    diagnosis_subcategory: str = "",
    treatment_category: str = "",
    treatment_subcategory: str = "",
    age_range: str = "",
    gender: str = "",
    imr_type: str = "",
    days_to_review: int | None = None,
    days_to_adopt: int | None = None,
    findings: str = "",
    findings_reviewed: bool = False,
    identifiers: Iterable[str] = (),
) -> PublishedDecision:
    """Publish (or correct) one IMR decision issued through the portal, de-identified.

    Takes only de-identified facts: the year (never a date), the age range (see age_range_for),
    the categories, and findings that staff reviewed for publication (``findings_reviewed``).
    ``identifiers`` are the patient's names, member IDs and the like, known to the caller: no text
    that contains one is stored. Raises DecisionNotPublishable (a ValidationError, with a message
    per field) if anything could identify the patient or a value is not allowed; nothing is
    stored then. A second call with the same reference ID updates the decision. Refuses a
    reference ID that belongs to a decision imported from DMHC's file.
    """
    values = {
        "reference_id": reference_id,
        "report_year": report_year,
        "diagnosis_category": _squash(diagnosis_category),
        "diagnosis_subcategory": _squash(diagnosis_subcategory),
        "treatment_category": _squash(treatment_category),
        "treatment_subcategory": _squash(treatment_subcategory),
        "determination": determination,
        "decision_type": decision_type,
        "age_range": age_range,
        "gender": gender,
        "imr_type": imr_type,
        "days_to_review": days_to_review,
        "days_to_adopt": days_to_adopt,
        "findings": findings.strip() if isinstance(findings, str) else findings,
    }
    errors = _publish_errors(values, findings_reviewed=findings_reviewed, identifiers=list(identifiers))
    if errors:
        raise DecisionNotPublishable(errors)
    decision = PublishedDecision.objects.select_for_update().filter(reference_id=reference_id).first()
    if decision is not None and decision.source != DecisionSource.PORTAL:
        raise DecisionNotPublishable({"reference_id": ["belongs to a decision from DMHC's published file"]})
    if decision is not None:
        if all(getattr(decision, name) == values[name] for name in DECISION_FIELDS):
            return decision
        _tally_add(decision, -1)
        _days_add(decision, -1)
        _terms_add(decision.pk, -1)
    else:
        decision = PublishedDecision(reference_id=reference_id, source=DecisionSource.PORTAL)
    for name in DECISION_FIELDS:
        setattr(decision, name, values[name])
    decision.changed_at = timezone.now()
    decision.full_clean()
    decision.save()
    _search_entries_write([decision])
    _tally_add(decision, +1)
    _days_add(decision, +1)
    _terms_add(decision.pk, +1)
    _filter_options_refresh()
    return decision
