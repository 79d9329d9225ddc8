"""Reads of the public IMR decisions: search, counts, filter options and statistics.

Everything here is public and de-identified, so there is no per-user check. Counts and
statistics read DecisionTally (a few thousand rows however many decisions there are), except
when a text search over the findings is part of the filter: then the page count reads the
matching decisions and stops at TEXT_COUNT_LIMIT, and the statistics read the kept counts of a
common word (DecisionTermTally) or count the matching DecisionSearchEntry rows per tally key on
PostgreSQL (the matching decisions themselves on SQLite). Every statistic is cached until the
data changes (an import or a publication).
"""

import hashlib
from collections.abc import Iterator
from dataclasses import astuple, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.utils.translation import gettext as _

from imr.models import (
    CLASSIFICATION_FIELDS,
    AgeRange,
    CommonTerm,
    DaysMeasure,
    DecisionDaysTally,
    DecisionFilterOptions,
    DecisionSearchEntry,
    DecisionTally,
    DecisionTermTally,
    DecisionType,
    Determination,
    Gender,
    ImrType,
    PublishedDecision,
)

TEXT_SEARCH_CONFIG = "english"  # DMHC's findings are written in English
MAX_SEARCH_WORDS = 12
TEXT_COUNT_LIMIT = 1000
STATS_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class DecisionFilters:
    """What the public asked for; empty values mean "any"."""

    year_from: int | None = None
    year_to: int | None = None
    diagnosis_category: str = ""
    diagnosis_subcategory: str = ""
    treatment_category: str = ""
    treatment_subcategory: str = ""
    determination: str = ""
    decision_type: str = ""
    age_range: str = ""
    gender: str = ""
    imr_type: str = ""
    text: str = ""

    def classification_q(self) -> Q:
        """The filter on the facts that both PublishedDecision and DecisionTally have."""
        q = Q()
        if self.year_from is not None:
            q &= Q(report_year__gte=self.year_from)
        if self.year_to is not None:
            q &= Q(report_year__lte=self.year_to)
        for name in CLASSIFICATION_FIELDS:
            value = getattr(self, name)
            if value:
                q &= Q(**{name: value})
        return q


def _text_search(queryset: QuerySet, text: str) -> QuerySet:
    if connection.vendor == "postgresql":
        # The same expression as the GIN index of migration 0002, so that the index is used.
        vector = SearchVector("findings", config=TEXT_SEARCH_CONFIG)
        return queryset.annotate(findings_vector=vector).filter(
            findings_vector=SearchQuery(text, config=TEXT_SEARCH_CONFIG, search_type="websearch")
        )
    words = [word.strip("\"'") for word in text.split()][:MAX_SEARCH_WORDS]
    for word in words:
        if word:
            queryset = queryset.filter(findings__icontains=word)
    return queryset


def decisions_matching(filters: DecisionFilters) -> QuerySet[PublishedDecision]:
    """The decisions that match, newest report year first (the order of the list and the CSV)."""
    queryset = PublishedDecision.objects.filter(filters.classification_q())
    if filters.text:
        queryset = _text_search(queryset, filters.text)
    return queryset.order_by("-report_year", "reference_id")


@dataclass(frozen=True)
class ResultCount:
    number: int
    more: bool = False  # True: at least ``number`` match; a text search stops counting there


def decisions_count(filters: DecisionFilters) -> ResultCount:
    """How many decisions match: exact from the tallies, or up to TEXT_COUNT_LIMIT for a text search."""
    if filters.text:
        # Counting every match of a common word among a million findings takes longer than
        # anyone waits for a page; past the limit the page says "more than".
        number = decisions_matching(filters).order_by()[: TEXT_COUNT_LIMIT + 1].count()
        return ResultCount(min(number, TEXT_COUNT_LIMIT), more=number > TEXT_COUNT_LIMIT)
    total = DecisionTally.objects.filter(filters.classification_q()).aggregate(total=Sum("decisions"))["total"]
    return ResultCount(total or 0)


def decision_get(*, reference_id: str) -> PublishedDecision:
    """One decision by its reference ID; raises PublishedDecision.DoesNotExist."""
    return PublishedDecision.objects.get(reference_id=reference_id)


def decisions_for_export(filters: DecisionFilters) -> Iterator[PublishedDecision]:
    return decisions_matching(filters).iterator(chunk_size=2000)


# The orders a reader of the API may ask for. Each is a key that names every row once (the
# reference ID is unique), so a position in it survives inserts; both walk the index
# imr_decision_sort (the second backwards).
NEWEST_FIRST = "-report_year"
OLDEST_FIRST = "report_year"
DECISION_ORDERS = {
    NEWEST_FIRST: ("-report_year", "reference_id"),
    OLDEST_FIRST: ("report_year", "-reference_id"),
}


def decisions_after(
    filters: DecisionFilters, *, order: str = NEWEST_FIRST, after: tuple[int, str] | None = None, limit: int
) -> list[PublishedDecision]:
    """Up to ``limit`` matching decisions that follow the position ``after`` (report year,
    reference ID) in ``order``: a page that stays correct however many decisions are published
    before it is read (keyset paging, never an offset)."""
    queryset = decisions_matching(filters).order_by(*DECISION_ORDERS[order])
    if after is not None:
        year, reference_id = after
        if order == NEWEST_FIRST:
            queryset = queryset.filter(Q(report_year__lt=year) | Q(report_year=year, reference_id__gt=reference_id))
        else:
            queryset = queryset.filter(Q(report_year__gt=year) | Q(report_year=year, reference_id__lt=reference_id))
    return list(queryset[:limit])


@dataclass(frozen=True)
class MedianDays:
    median: Decimal | None  # None: no matching decision records these days
    decisions: int  # how many matching decisions record them


def decision_median_days(filters: DecisionFilters) -> dict[str, MedianDays] | None:
    """The median days to review and to adopt of the matching decisions ({"REVIEW": ..., "ADOPT":
    ...}), exact, from DecisionDaysTally; None for a text search (the days are kept counted per
    tally, not per word)."""
    if filters.text:
        return None
    keys = DecisionTally.objects.filter(filters.classification_q()).values("key")
    rows = (
        DecisionDaysTally.objects.filter(tally_key__in=keys)
        .values("measure", "days")
        .annotate(n=Sum("decisions"))
        .order_by("measure", "days")
    )
    counts: dict[str, list[tuple[int, int]]] = {measure: [] for measure in DaysMeasure.values}
    for row in rows:
        counts[row["measure"]].append((row["days"], row["n"]))
    return {measure: _median(pairs) for measure, pairs in counts.items()}


def _median(pairs: list[tuple[int, int]]) -> MedianDays:
    """The median of a sorted histogram [(value, how many), ...]."""
    total = sum(n for _, n in pairs)
    if not total:
        return MedianDays(None, 0)
    wanted = {(total + 1) // 2, total // 2 + 1}  # one position if odd, the middle two if even
    found, seen = [], 0
    for value, n in pairs:
        before, seen = seen, seen + n
        found += [value for position in sorted(wanted) if before < position <= seen]
    return MedianDays((Decimal(sum(found)) / len(found)).quantize(Decimal("0.1"), ROUND_HALF_UP), total)


def decisions_version():
    """When the published decisions last changed (None before any import): the statistics'
    cache key, and the API's ETag and Last-Modified."""
    return DecisionFilterOptions.objects.filter(pk=1).values_list("changed_at", flat=True).first()


# ------------------------------------------------------------------------------------------------
# Filter options: the values the data really has
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionFacets:
    years: list[int]
    diagnoses: dict[str, list[str]]  # category -> its subcategories
    treatments: dict[str, list[str]]
    age_ranges: list[str]
    genders: list[str]
    imr_types: list[str]
    has_findings: bool


def _grouped(pairs) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for category, subcategory in pairs:
        if category:
            grouped.setdefault(category, [])
            if subcategory:
                grouped[category].append(subcategory)
    return grouped


def _present(values, choices) -> list[str]:
    values = set(values)
    return [value for value in choices.values if value in values]


def decision_facets_compute() -> DecisionFacets:
    """The filter options, counted from the tallies (imr.services stores them; see decision_facets)."""
    tallies = DecisionTally.objects.order_by()
    findings = tallies.aggregate(findings=Sum("with_findings"))["findings"]
    # Only the years that have decisions (a gap year would offer a choice that finds nothing).
    years = list(tallies.values_list("report_year", flat=True).distinct().order_by("report_year"))
    return DecisionFacets(
        years=years,
        diagnoses=_grouped(
            tallies.values_list("diagnosis_category", "diagnosis_subcategory")
            .distinct()
            .order_by("diagnosis_category", "diagnosis_subcategory")
        ),
        treatments=_grouped(
            tallies.values_list("treatment_category", "treatment_subcategory")
            .distinct()
            .order_by("treatment_category", "treatment_subcategory")
        ),
        age_ranges=_present(tallies.values_list("age_range", flat=True).distinct(), AgeRange),
        genders=_present(tallies.values_list("gender", flat=True).distinct(), Gender),
        imr_types=_present(tallies.values_list("imr_type", flat=True).distinct(), ImrType),
        has_findings=bool(findings),
    )


def facets_as_json(facets: DecisionFacets) -> dict:
    # Lists of pairs, not objects: PostgreSQL's jsonb does not keep the order of an object's keys.
    return {
        "years": facets.years,
        "diagnoses": list(facets.diagnoses.items()),
        "treatments": list(facets.treatments.items()),
        "age_ranges": facets.age_ranges,
        "genders": facets.genders,
        "imr_types": facets.imr_types,
        "has_findings": facets.has_findings,
    }


def decision_facets() -> DecisionFacets:
    """The filter options: the values the published decisions really have, from one stored row."""
    stored = DecisionFilterOptions.objects.filter(pk=1).values_list("options", flat=True).first()
    if stored is None:
        return decision_facets_compute()
    return DecisionFacets(
        years=stored["years"],
        diagnoses=dict(stored["diagnoses"]),
        treatments=dict(stored["treatments"]),
        age_ranges=stored["age_ranges"],
        genders=stored["genders"],
        imr_types=stored["imr_types"],
        has_findings=stored["has_findings"],
    )


# ------------------------------------------------------------------------------------------------
# Statistics: how often the plan's decision was overturned
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatRow:
    label: str
    decisions: int
    overturned: int
    value: str | int | None = None  # the stored value the row groups by (None: the total)

    @property
    def share(self) -> Decimal:
        """Overturned decisions as a percentage of all, to two decimals (half up)."""
        if not self.decisions:
            return Decimal("0.00")
        return (Decimal(self.overturned) * 100 / Decimal(self.decisions)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def upheld(self) -> int:
        return self.decisions - self.overturned


@dataclass(frozen=True)
class DecisionStats:
    overall: StatRow
    by_year: list[StatRow] = field(default_factory=list)
    by_type: list[StatRow] = field(default_factory=list)
    by_imr_type: list[StatRow] = field(default_factory=list)
    by_diagnosis: list[StatRow] = field(default_factory=list)
    by_treatment: list[StatRow] = field(default_factory=list)


# The groups of the statistics page, besides the total.
STAT_GROUPS = ("report_year", "decision_type", "imr_type", "diagnosis_category", "treatment_category")


def _groups(source: QuerySet, weight, group_by: str | None) -> list[tuple]:
    overturned = {"filter": Q(determination=Determination.OVERTURNED)}
    if group_by is None:
        totals = source.aggregate(n_all=Sum(weight), n_overturned=Sum(weight, **overturned))
        return [(None, totals["n_all"] or 0, totals["n_overturned"] or 0)]
    rows = source.values(group_by).annotate(n_all=Sum(weight), n_overturned=Sum(weight, **overturned))
    return [(row[group_by], row["n_all"] or 0, row["n_overturned"] or 0) for row in rows.order_by(group_by)]


def _grouping_sets(source: QuerySet, weight) -> dict[str | None, list[tuple]]:
    """Every group of the page in one pass over the matching rows (PostgreSQL's GROUPING SETS)."""
    inner = source.values(*STAT_GROUPS, "determination").annotate(stat_weight=weight).order_by()
    return _grouping_sets_of(*inner.query.sql_with_params())


def _grouping_sets_of(inner_sql: str, params) -> dict[str | None, list[tuple]]:
    """GROUPING SETS over a query with the STAT_GROUPS columns, determination and stat_weight."""
    columns = ", ".join(connection.ops.quote_name(name) for name in STAT_GROUPS)
    sets = ", ".join(["()", *(f"({connection.ops.quote_name(name)})" for name in STAT_GROUPS)])
    sql = (
        f"SELECT GROUPING({columns}), {columns}, SUM(stat_weight), "  # noqa: S608 (names are ours; values are parameters)
        f"SUM(stat_weight) FILTER (WHERE determination = %s) "
        f"FROM ({inner_sql}) AS matching GROUP BY GROUPING SETS ({sets})"
    )
    every = (1 << len(STAT_GROUPS)) - 1
    group_of_mask = {every: None} | {
        every ^ (1 << (len(STAT_GROUPS) - 1 - index)): name for index, name in enumerate(STAT_GROUPS)
    }
    groups: dict[str | None, list[tuple]] = {group: [] for group in (None, *STAT_GROUPS)}
    with connection.cursor() as cursor:
        cursor.execute(sql, [Determination.OVERTURNED.value, *params])
        for mask, *values, total, overturned in cursor.fetchall():
            group = group_of_mask[mask]
            value = None if group is None else values[STAT_GROUPS.index(group)]
            groups[group].append((value, int(total or 0), int(overturned or 0)))
    for group, rows in groups.items():
        if group is not None:
            rows.sort(key=lambda row: row[0])
    return groups


def _stat_counts(source: QuerySet, weight) -> dict[str | None, list[tuple]]:
    """{group field, or None for all: [(value, decisions, overturned), ...]}."""
    if connection.vendor == "postgresql":
        return _grouping_sets(source, weight)
    return {group: _groups(source, weight, group) for group in (None, *STAT_GROUPS)}


def _stat_counts_cached(filters: DecisionFilters) -> dict[str | None, list[tuple]]:
    """The counts for the statistics, kept in the cache until the published decisions change.

    The data changes only on import and publication, so a figure computed once is served again
    from the shared cache until then (a word in a tenth of a million findings, not kept counted
    as a common term, means reading a hundred thousand rows; the tallies' grouping a few
    milliseconds). The key holds the time of the last change to the tallies, so a new import or
    publication is never answered with old figures.
    """
    version = decisions_version()
    key = None
    if version is not None:
        identity = repr((connection.settings_dict["NAME"], version.isoformat(), astuple(filters)))
        key = "imr:decision-stats:" + hashlib.sha256(identity.encode()).hexdigest()
        cached = cache.get(key)
        if cached is not None:
            return cached
    if not filters.text:
        counts = _stat_counts(DecisionTally.objects.filter(filters.classification_q()).order_by(), F("decisions"))
    elif connection.vendor == "postgresql":
        counts = _common_term_counts(filters)
        if counts is None:
            counts = _text_stat_counts_from_entries(filters)
    else:
        counts = _stat_counts(decisions_matching(filters).order_by(), Value(1, output_field=IntegerField()))
    if key is not None:
        cache.set(key, counts, STATS_CACHE_SECONDS)
    return counts


def _single_lexeme(text: str) -> str | None:
    """The one lexeme a web search for ``text`` looks for, or None if it is more than one word,
    a phrase, a negation, or only stop words."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numnode(query), querytree(query) FROM websearch_to_tsquery(%s::regconfig, %s) AS query",
            [TEXT_SEARCH_CONFIG, text],
        )
        nodes, tree = cursor.fetchone()
    if nodes != 1 or len(tree) < 3 or tree[0] != "'" or tree[-1] != "'":
        return None
    return tree[1:-1].replace("''", "'")


def _common_term_counts(filters: DecisionFilters) -> dict[str | None, list[tuple]] | None:
    """The counts of a search for one common lexeme, from DecisionTermTally (kept counted on
    import and publication: exact, and a few thousand rows however many decisions match), or
    None if the search is not for one common lexeme."""
    lexeme = _single_lexeme(filters.text)
    term_id = CommonTerm.objects.filter(lexeme=lexeme).values_list("id", flat=True).first() if lexeme else None
    if term_id is None:
        return None
    counted = DecisionTermTally.objects.filter(term_id=term_id).values("tally_key", "decisions").order_by()
    tallies = DecisionTally.objects.filter(filters.classification_q()).values(*STAT_GROUPS, "determination", "key")
    counted_sql, counted_params = counted.query.sql_with_params()
    tallies_sql, tallies_params = tallies.order_by().query.sql_with_params()
    columns = ", ".join(f"tally.{connection.ops.quote_name(name)}" for name in (*STAT_GROUPS, "determination"))
    inner_sql = (
        f"SELECT {columns}, counted.decisions AS stat_weight "  # noqa: S608 (names are ours; values are parameters)
        f"FROM ({tallies_sql}) AS tally JOIN ({counted_sql}) AS counted ON counted.tally_key = tally.key"
    )
    return _grouping_sets_of(inner_sql, (*tallies_params, *counted_params))


def _text_stat_counts_from_entries(filters: DecisionFilters) -> dict[str | None, list[tuple]]:
    """The counts of a text search on PostgreSQL, without reading the wide decisions.

    The GIN index on DecisionSearchEntry.vector finds the matching entries; they are counted per
    tally key (a few thousand keys at most), joined to the tallies that hold the year, type and
    categories of each key and that the other filters narrow, and grouped as for the tallies.
    The match is the same as _text_search's: the entry's vector is to_tsvector of the findings.
    """
    query = SearchQuery(filters.text, config=TEXT_SEARCH_CONFIG, search_type="websearch")
    matches = (
        DecisionSearchEntry.objects.filter(vector=query).values("tally_key").annotate(matching=Count("*")).order_by()
    )
    tallies = DecisionTally.objects.filter(filters.classification_q()).values(*STAT_GROUPS, "determination", "key")
    matches_sql, matches_params = matches.query.sql_with_params()
    tallies_sql, tallies_params = tallies.order_by().query.sql_with_params()
    columns = ", ".join(f"tally.{connection.ops.quote_name(name)}" for name in (*STAT_GROUPS, "determination"))
    inner_sql = (
        f"SELECT {columns}, matches.matching AS stat_weight "  # noqa: S608 (names are ours; values are parameters)
        f"FROM ({tallies_sql}) AS tally JOIN ({matches_sql}) AS matches ON matches.tally_key = tally.key"
    )
    return _grouping_sets_of(inner_sql, (*tallies_params, *matches_params))


def decision_stats(filters: DecisionFilters) -> DecisionStats:
    """Overturned share overall and by year, type, IMR type, diagnosis and treatment category."""
    counts = _stat_counts_cached(filters)

    not_recorded = _("Not recorded")
    type_labels = dict(DecisionType.choices)
    imr_type_labels = dict(ImrType.choices)
    type_order = list(DecisionType.values)

    def rows(group: str, label) -> list[StatRow]:
        return [StatRow(label(value), total, overturned, value) for value, total, overturned in counts[group]]

    def largest_first(stat_rows: list[StatRow]) -> list[StatRow]:
        return sorted(stat_rows, key=lambda row: (-row.decisions, row.label))

    by_type = sorted(counts["decision_type"], key=lambda row: type_order.index(row[0]) if row[0] in type_order else 99)
    total, overturned = counts[None][0][1:] if counts[None] else (0, 0)
    return DecisionStats(
        overall=StatRow(_("All decisions"), total, overturned),
        by_year=rows("report_year", str),
        by_type=[StatRow(str(type_labels.get(value, value)), total, over, value) for value, total, over in by_type],
        by_imr_type=[
            StatRow(str(imr_type_labels.get(value, value)), total, over, value)
            for value, total, over in counts["imr_type"]
            if value
        ],
        by_diagnosis=largest_first(rows("diagnosis_category", lambda value: value or not_recorded)),
        by_treatment=largest_first(rows("treatment_category", lambda value: value or not_recorded)),
    )
