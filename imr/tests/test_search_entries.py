"""The statistics of a text search, and the search entries they read on PostgreSQL."""

import importlib
from collections import Counter

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from imr.models import (
    AgeRange,
    DecisionSearchEntry,
    DecisionTally,
    DecisionType,
    Determination,
    Gender,
    ImrType,
    PublishedDecision,
    tally_key,
)
from imr.selectors import STAT_GROUPS, DecisionFilters, decision_stats, decisions_matching
from imr.services import decision_publish, decisions_import_file
from imr.tests.factories import NEW_HEADER, PublishedDecisionFactory, tallies_rebuild, write_csv

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"
FINDINGS = [
    "Physical therapy is medically necessary after knee surgery.",
    "The requested surgery is not medically necessary for this patient.",
    "Hyperbaric oxygen therapy is not supported for this condition.",
    "Inpatient admission was appropriate given severe depression.",
    "",
]
# (text, other filters): every search below matches some but not all of the decisions.
SEARCHES = [
    ("surgery", {}),
    ("therapy", {"determination": Determination.OVERTURNED}),
    ("medically necessary", {"year_from": 2012}),
    # SQLite's fallback knows no operators: every word is a substring to find.
    ("hyperbaric OR depression" if POSTGRESQL else "oxygen therapy", {}),
    ("therapy -hyperbaric" if POSTGRESQL else "therapy", {"age_range": AgeRange.AGE_41_50}),
    ("patient", {"diagnosis_subcategory": "Knee", "gender": Gender.FEMALE}),
]
TYPES = list(DecisionType.values)
AGES = [AgeRange.AGE_41_50, AgeRange.AGE_65_PLUS, ""]


def _row(number: int) -> list[str]:
    return [
        f"MN{10 + number % 7}-{5000 + number}",
        str(2010 + number % 7),
        ["Orthopedic", "Cancer", "Mental"][number % 3],
        ["Knee", "Back"][number % 2],
        ["Rehabilitation", "Pharmacy", ""][number % 3],
        "",
        ["Overturned Decision of Health Plan", "Upheld Decision of Health Plan"][number % 2],
        ["Medical Necessity", "Experimental/Investigational", "Urgent Care"][number % 3],
        ["41-50", "65+", ""][number % 3],
        ["Female", "Male", ""][number % 3],
        ["Standard", "Expedited"][number % 2],
        "",
        "",
        FINDINGS[number % len(FINDINGS)],
    ]


@pytest.fixture
def decisions(tmp_path):
    """Forty decisions through the importer and two through the portal, in varied groups."""
    decisions_import_file(path=write_csv(tmp_path / "imr.csv", NEW_HEADER, [_row(n) for n in range(40)]))
    for number, findings in enumerate(FINDINGS[:2]):
        decision_publish(
            reference_id=f"MN26-P000{number}",
            report_year=2026,
            determination=Determination.OVERTURNED,
            decision_type=DecisionType.MEDICAL_NECESSITY,
            diagnosis_category="Orthopedic",
            diagnosis_subcategory="Knee",
            age_range=AgeRange.AGE_41_50,
            gender=Gender.FEMALE,
            imr_type=ImrType.STANDARD,
            findings=findings,
            findings_reviewed=True,
        )
    assert PublishedDecision.objects.count() == 42


def _counted_directly(filters: DecisionFilters) -> dict:
    """The figures of the statistics page, counted one decision at a time in Python."""
    matching = list(decisions_matching(filters).values(*STAT_GROUPS, "determination"))
    counts: dict = {}
    for group in (None, *STAT_GROUPS):
        every = Counter(None if group is None else row[group] for row in matching)
        overturned = Counter(
            None if group is None else row[group]
            for row in matching
            if row["determination"] == Determination.OVERTURNED
        )
        counts[group] = {value: (every[value], overturned[value]) for value in every}
    return counts


def _shown(stats) -> dict:
    def of(rows):
        return {row.label: (row.decisions, row.overturned) for row in rows}

    return {
        "overall": (stats.overall.decisions, stats.overall.overturned),
        "by_year": of(stats.by_year),
        "by_type": of(stats.by_type),
        "by_imr_type": of(stats.by_imr_type),
        "by_diagnosis": of(stats.by_diagnosis),
        "by_treatment": of(stats.by_treatment),
    }


def _expected(counts: dict) -> dict:
    types = dict(DecisionType.choices)
    imr_types = dict(ImrType.choices)
    overall = counts[None].get(None, (0, 0))
    return {
        "overall": overall,
        "by_year": {str(year): figures for year, figures in counts["report_year"].items()},
        "by_type": {str(types[value]): figures for value, figures in counts["decision_type"].items()},
        "by_imr_type": {str(imr_types[value]): figures for value, figures in counts["imr_type"].items() if value},
        "by_diagnosis": {value or "Not recorded": figures for value, figures in counts["diagnosis_category"].items()},
        "by_treatment": {value or "Not recorded": figures for value, figures in counts["treatment_category"].items()},
    }


def _assert_in_step() -> None:
    """One entry per decision, keyed by its tally, whose vector is its findings' (PostgreSQL)."""
    decisions = {decision.pk: tally_key(decision) for decision in PublishedDecision.objects.all()}
    entries = dict(DecisionSearchEntry.objects.values_list("decision_id", "tally_key"))
    assert entries == decisions
    assert set(entries.values()) == set(DecisionTally.objects.values_list("key", flat=True))
    if POSTGRESQL:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM imr_decisionsearchentry e JOIN imr_publisheddecision d ON d.id = e.decision_id "
                "WHERE e.vector IS DISTINCT FROM to_tsvector('english'::regconfig, COALESCE(d.findings, ''))"
            )
            assert cursor.fetchone()[0] == 0
    else:
        assert not DecisionSearchEntry.objects.filter(vector__isnull=False).exists()


@pytest.mark.usefixtures("decisions")
@pytest.mark.parametrize(("text", "other"), SEARCHES)
def test_the_statistics_of_a_text_search_equal_the_counts_made_directly(text, other):
    filters = DecisionFilters(text=text, **other)
    expected = _expected(_counted_directly(filters))
    assert 0 < expected["overall"][0] < PublishedDecision.objects.count()
    assert _shown(decision_stats(filters)) == expected


@pytest.mark.usefixtures("decisions")
def test_a_text_search_that_matches_nothing_has_empty_statistics():
    stats = decision_stats(DecisionFilters(text="zzzyzx"))
    assert (stats.overall.decisions, stats.by_year, stats.by_diagnosis) == (0, [], [])


@pytest.mark.usefixtures("decisions")
def test_the_search_entries_stay_in_step_through_imports_publications_and_removals(tmp_path):
    _assert_in_step()
    # Importing a changed file: three decisions change group, one changes its findings only.
    rows = [_row(n) for n in range(40)]
    for number in (1, 2, 3):
        rows[number][6] = "Upheld Decision of Health Plan" if number % 2 == 0 else "Overturned Decision of Health Plan"
        rows[number][1] = "2016"
    rows[4][13] = "Proton beam radiation offers no proven advantage here."
    summary = decisions_import_file(path=write_csv(tmp_path / "changed.csv", NEW_HEADER, rows))
    assert summary.updated == 4
    _assert_in_step()
    assert decisions_matching(DecisionFilters(text="proton")).count() == 1
    assert decision_stats(DecisionFilters(text="proton")).overall.decisions == 1
    # Correcting a portal decision: a new group and new findings.
    decision_publish(
        reference_id="MN26-P0000",
        report_year=2025,
        determination=Determination.UPHELD,
        decision_type=DecisionType.URGENT_CARE,
        findings="Residential treatment is needed to prevent relapse.",
        findings_reviewed=True,
    )
    _assert_in_step()
    assert decision_stats(DecisionFilters(text="relapse")).by_type[0].label == "Urgent care"
    # Removing decisions removes their entries with them.
    PublishedDecision.objects.filter(reference_id__in=["MN26-P0001", "MN11-5001"]).delete()
    tallies_rebuild()
    _assert_in_step()
    filters = DecisionFilters(text="surgery")
    assert _shown(decision_stats(filters)) == _expected(_counted_directly(filters))


def test_the_rebuild_writes_entries_for_decisions_loaded_around_the_services():
    for number, findings in enumerate(FINDINGS):
        PublishedDecisionFactory(findings=findings, report_year=2010 + number)
    assert not DecisionSearchEntry.objects.exists()
    tallies_rebuild()
    _assert_in_step()
    tallies_rebuild()  # and again: the old entries are replaced, not doubled
    _assert_in_step()


def test_the_migration_gives_existing_decisions_their_entries_and_tallies_their_keys():
    for number, findings in enumerate(FINDINGS):
        PublishedDecisionFactory(findings=findings, report_year=2010 + number)
    tallies_rebuild()
    keys = sorted(DecisionTally.objects.values_list("key", flat=True))
    DecisionSearchEntry.objects.all().delete()
    DecisionTally.objects.update(key=F("id"))  # not yet the right keys (the column is empty at that step)
    migration = importlib.import_module("imr.migrations.0004_text_search_entries")

    class SchemaEditor:  # the part of one that _fill uses (SQLite's refuses to open inside a test's transaction)
        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    SchemaEditor.connection = connection
    migration._fill(apps, SchemaEditor())
    assert sorted(DecisionTally.objects.values_list("key", flat=True)) == keys
    _assert_in_step()


@pytest.mark.skipif(not POSTGRESQL, reason="the GIN index on the search entries exists on PostgreSQL only")
@pytest.mark.usefixtures("decisions")
def test_on_postgresql_the_statistics_read_the_search_entries_through_their_index():
    with CaptureQueriesContext(connection) as queries:
        decision_stats(DecisionFilters(text="medically necessary", year_from=2012))
    (statistics,) = [query["sql"] for query in queries.captured_queries if "GROUPING SETS" in query["sql"]]
    assert "imr_publisheddecision" not in statistics  # never the wide decisions
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {statistics}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on imr_search_entry_vector" in plan
    assert "imr_decisionsearchentry" in plan
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'imr_decisionsearchentry'::regclass "
            "AND attname = 'vector'"
        )
        assert cursor.fetchone()[0] == "e"  # long vectors go out of line, keeping the rows narrow
