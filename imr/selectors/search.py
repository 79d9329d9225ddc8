"""Finding published decisions: the filters, the matching decisions, their count, one decision,
the CSV's rows and the API's keyset pages."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet, Sum

from imr.models import CLASSIFICATION_FIELDS, DecisionTally, PublishedDecision

TEXT_SEARCH_CONFIG = "english"  # DMHC's findings are written in English
MAX_SEARCH_WORDS = 12
TEXT_COUNT_LIMIT = 1000


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
