"""The counts kept beside the published decisions, so that no page reads a million rows:
DecisionTally (the statistics and the result counts), DecisionDaysTally (the median days),
DecisionSearchEntry (the narrow rows a text search's statistics read), CommonTerm and
DecisionTermTally (a common word's statistics) and DecisionFilterOptions (the search form's
options, and the time the data last changed).

Recounted whole after an import (``counts_recount``) or on the repair path
(``decision_tallies_rebuild``); one publication counts its decision out and in again
(``decision_count``). Only imr.services calls these: every write of PublishedDecision is there.
"""

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.utils import timezone

from imr.models import (
    TALLY_FIELDS,
    CommonTerm,
    DaysMeasure,
    DecisionDaysTally,
    DecisionFilterOptions,
    DecisionSearchEntry,
    DecisionTally,
    DecisionTermTally,
    PublishedDecision,
    tally_key,
)
from imr.selectors import TEXT_SEARCH_CONFIG, decision_facets_compute, facets_as_json

IMPORT_BATCH_SIZE = 1000


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
    filter_options_refresh()
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
        _count_add(DecisionDaysTally, {"tally_key": key, "measure": measure, "days": days}, delta)


def _count_add(model, lookup: dict, delta: int, *, made_with: dict | None = None, **also) -> None:
    """Add ``delta`` to the ``decisions`` of the count row ``lookup`` (and each field in ``also`` by
    its own amount): made when the first decision comes in, removed when the last goes out. Two
    publications making the same new row at once both count: the second waits on the unique index,
    then adds to the first's row instead of failing."""
    row = model.objects.select_for_update().filter(**lookup).first()
    if row is None:
        if delta <= 0:
            return
        try:
            with transaction.atomic():
                model.objects.create(**lookup, **(made_with or {}), decisions=delta, **also)
            return
        except IntegrityError:
            row = model.objects.select_for_update().get(**lookup)
    if row.decisions + delta <= 0:
        row.delete()
        return
    model.objects.filter(pk=row.pk).update(
        decisions=F("decisions") + delta, **{name: F(name) + amount for name, amount in also.items()}
    )


def _vector(findings: str):
    """The stored form of the findings for full-text search: the expression of imr.selectors' search."""
    if connection.vendor != "postgresql":
        return None  # SQLite's text search reads the decisions' findings themselves
    return SearchVector(Value(findings), config=TEXT_SEARCH_CONFIG)


def search_entries_write(decisions: list[PublishedDecision]) -> None:
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


def filter_options_refresh() -> None:
    DecisionFilterOptions.objects.update_or_create(
        pk=1, defaults={"options": facets_as_json(decision_facets_compute()), "changed_at": timezone.now()}
    )


def _tally_add(decision: PublishedDecision, delta: int) -> None:
    facts = {name: getattr(decision, name) for name in TALLY_FIELDS}
    findings = delta if decision.findings else 0
    _count_add(DecisionTally, {"key": tally_key(facts)}, delta, made_with=facts, with_findings=findings)


@transaction.atomic
def counts_recount() -> int:
    """Recount every kept count from the decisions and their search entries, already written
    (the step after an import's batches). Returns the number of tally rows."""
    count = _tallies_recount()
    _terms_recount()
    return count


def decision_count(decision: PublishedDecision, delta: int) -> None:
    """Count one decision out of (delta -1) or into (+1) its tally, its days and its common
    lexemes. The lexemes are read from its search entry: count out before the entry is
    rewritten, and in after."""
    _tally_add(decision, delta)
    _days_add(decision, delta)
    _terms_add(decision.pk, delta)
