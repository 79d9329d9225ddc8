"""The published decisions as CSV, in the columns and wordings of DMHC's newer file.

One generator for the page's download (/decisions/download/) and the API's (/api/v1/decisions.csv):
it reads the matching decisions in chunks from a server-side cursor and yields one line at a
time, so a million rows stream in constant memory. The file imports again unchanged.
"""

import csv
from collections.abc import Iterator

from imr import selectors
from imr.importer import DMHC_AGE_RANGE, DMHC_DETERMINATION, DMHC_GENDER, DMHC_IMR_TYPE, DMHC_TYPE, NEWER_HEADER
from imr.importer import FORMULA_START as _FORMULA_START
from imr.models import PublishedDecision


class _Echo:
    def write(self, value):
        return value


def _safe_cell(value) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting with these as a formula (CSV injection); the
    # importer takes the apostrophe off again.
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_row(decision: PublishedDecision) -> list[str]:
    return [
        decision.reference_id,
        str(decision.report_year),
        _safe_cell(decision.diagnosis_category),
        _safe_cell(decision.diagnosis_subcategory),
        _safe_cell(decision.treatment_category),
        _safe_cell(decision.treatment_subcategory),
        DMHC_DETERMINATION[decision.determination],
        DMHC_TYPE[decision.decision_type],
        DMHC_AGE_RANGE.get(decision.age_range, ""),
        DMHC_GENDER.get(decision.gender, ""),
        DMHC_IMR_TYPE.get(decision.imr_type, ""),
        "" if decision.days_to_review is None else str(decision.days_to_review),
        "" if decision.days_to_adopt is None else str(decision.days_to_adopt),
        _safe_cell(decision.findings),
    ]


def decisions_csv_lines(filters: selectors.DecisionFilters) -> Iterator[str]:
    """The CSV text of every decision that matches, line by line (a byte-order mark first, so
    that spreadsheet programs read it as UTF-8)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(NEWER_HEADER)
    for decision in selectors.decisions_for_export(filters):
        yield writer.writerow(csv_row(decision))
