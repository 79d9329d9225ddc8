"""Reads of the public IMR decisions: search (search.py), filter options (facets.py) and
statistics (stats.py).

Everything here is public and de-identified, so there is no per-user check. The pages, the API
and "cases like yours" all read through these functions, so they never count differently.
"""

from imr.selectors.facets import (
    DecisionFacets,
    decision_facets,
    decision_facets_compute,
    decisions_version,
    facets_as_json,
)
from imr.selectors.search import (
    DECISION_ORDERS,
    NEWEST_FIRST,
    OLDEST_FIRST,
    TEXT_SEARCH_CONFIG,
    DecisionFilters,
    ResultCount,
    decision_get,
    decisions_after,
    decisions_count,
    decisions_for_export,
    decisions_matching,
)
from imr.selectors.stats import (
    STAT_GROUPS,
    DecisionStats,
    MedianDays,
    StatRow,
    decision_median_days,
    decision_stats,
)

__all__ = [
    "DECISION_ORDERS",
    "NEWEST_FIRST",
    "OLDEST_FIRST",
    "STAT_GROUPS",
    "TEXT_SEARCH_CONFIG",
    "DecisionFacets",
    "DecisionFilters",
    "DecisionStats",
    "MedianDays",
    "ResultCount",
    "StatRow",
    "decision_facets",
    "decision_facets_compute",
    "decision_get",
    "decision_median_days",
    "decision_stats",
    "decisions_after",
    "decisions_count",
    "decisions_for_export",
    "decisions_matching",
    "decisions_version",
    "facets_as_json",
]
