"""Common words' statistics, kept counted on import and publication (PostgreSQL).

A search for one common lexeme reads DecisionTermTally instead of counting the matching entries;
the figures must be exactly those of counting every matching decision, after an import, after
each publication and after a correction.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imr import services
from imr.models import CommonTerm, DecisionTermTally, DecisionType, Determination
from imr.selectors import DecisionFilters, decision_stats, stats
from imr.services import decision_publish, tallies
from imr.tests.test_search_entries import _counted_directly, _expected, _shown, decisions  # noqa: F401

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="common terms are a PostgreSQL structure"),
]

WORDS = ["surgery", "therapy", "necessary", "Hyperbaric", "depression"]
FILTERS = [{}, {"determination": Determination.OVERTURNED}, {"year_from": 2012}, {"diagnosis_subcategory": "Knee"}]


@pytest.fixture(autouse=True)
def _low_threshold(monkeypatch):
    # The real threshold is 2,000 decisions; these tests have forty-two.
    monkeypatch.setattr(tallies, "COMMON_TERM_DECISIONS", 3)


def _from_terms(filters: DecisionFilters):
    counts = stats._common_term_counts(filters)
    assert counts is not None, filters.text
    return counts


def _check_every_word():
    for word in WORDS:
        for extra in FILTERS:
            filters = DecisionFilters(text=word, **extra)
            assert _from_terms(filters) == stats._text_stat_counts_from_entries(filters), (word, extra)
            assert _shown(decision_stats(filters)) == _expected(_counted_directly(filters)), (word, extra)


@pytest.mark.usefixtures("decisions")
def test_an_import_counts_each_common_lexeme_per_tally(tmp_path):
    services.decision_tallies_rebuild()
    assert set(CommonTerm.objects.values_list("lexeme", flat=True)) >= {"surgeri", "therapi", "necessari", "hyperbar"}
    assert DecisionTermTally.objects.exists()
    _check_every_word()


@pytest.mark.usefixtures("decisions")
def test_publications_and_corrections_keep_the_counts_exact():
    services.decision_tallies_rebuild()
    facts = {
        "report_year": 2026,
        "determination": Determination.UPHELD,
        "decision_type": DecisionType.EXPERIMENTAL_INVESTIGATIONAL,
        "diagnosis_category": "Cancer",
        "findings_reviewed": True,
    }
    decision_publish(reference_id="EI26-P0100", findings="Hyperbaric therapy after surgery.", **facts)
    _check_every_word()
    # Corrected: another year and other words; the old words are counted out, the new in.
    decision_publish(
        reference_id="EI26-P0100", findings="Depression treatment is necessary.", **{**facts, "report_year": 2025}
    )
    _check_every_word()
    decision_publish(reference_id="EI26-P0100", findings="", **facts)
    _check_every_word()


@pytest.mark.usefixtures("decisions")
def test_only_a_search_for_one_common_lexeme_uses_them():
    services.decision_tallies_rebuild()
    for text in ("medically necessary", '"knee surgery"', "-surgery", "the", "arthrodesis", "surgery OR therapy"):
        assert stats._common_term_counts(DecisionFilters(text=text)) is None, text
    assert stats._common_term_counts(DecisionFilters(text="Surgeries")) is not None  # the same lexeme


@pytest.mark.usefixtures("decisions")
def test_a_common_word_is_counted_without_reading_the_search_entries():
    services.decision_tallies_rebuild()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        stats._stat_counts_cached(DecisionFilters(text="therapy"))
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "imr_decisiontermtally" in sql
    assert "imr_decisionsearchentry" not in sql
