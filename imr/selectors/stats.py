"""Statistics: how often the plan's decision was overturned, and the median days, for any
filters. One reader for /decisions/stats/, /api/v1/statistics/ and "cases like yours".

Counts read DecisionTally (a few thousand rows however many decisions there are), except when a
text search over the findings is part of the filter: then they read the kept counts of a common
word (DecisionTermTally) or count the matching DecisionSearchEntry rows per tally key on
PostgreSQL (the matching decisions themselves on SQLite). Every statistic is cached until the
data changes (an import or a publication).
"""

import hashlib
from dataclasses import astuple, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.utils.translation import gettext as _

from imr.models import (
    CommonTerm,
    DaysMeasure,
    DecisionDaysTally,
    DecisionSearchEntry,
    DecisionTally,
    DecisionTermTally,
    DecisionType,
    Determination,
    ImrType,
)
from imr.selectors.facets import decisions_version
from imr.selectors.search import TEXT_SEARCH_CONFIG, DecisionFilters, decisions_matching

STATS_CACHE_SECONDS = 3600


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
