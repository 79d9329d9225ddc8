"""Writes of the IMR app.

Public decisions:
- ``decisions_import_file`` (importing.py): load DMHC's published file (either shape),
  idempotently by reference ID, in batches of one transaction each; bad rows are skipped with a
  reason.
- ``decision_publish`` (publishing.py): publish one decision issued through the portal,
  de-identified.
- ``decision_tallies_rebuild`` (tallies.py): recount the statistics tallies and rewrite the search
  entries from the decisions (the repair path, and the step after loading decisions in bulk).

Every write of PublishedDecision goes through these functions, because they keep the counts of
tallies.py (DecisionTally, the counts behind /decisions/stats/ and the result counts;
DecisionDaysTally; DecisionSearchEntry, the narrow rows that the statistics of a text search
read; CommonTerm and DecisionTermTally; DecisionFilterOptions) in step with the decisions.
"""

from imr.services.importing import SHIPPED_DECISIONS_FILE, ImportProgress, ImportSummary, decisions_import_file
from imr.services.publishing import DecisionNotPublishable, age_range_for, decision_publish
from imr.services.tallies import decision_tallies_rebuild

__all__ = [
    "SHIPPED_DECISIONS_FILE",
    "DecisionNotPublishable",
    "ImportProgress",
    "ImportSummary",
    "age_range_for",
    "decision_publish",
    "decision_tallies_rebuild",
    "decisions_import_file",
]
