"""The import of DMHC's decisions file: both shapes, bad rows, idempotency, the command."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from imr.importer import NotADecisionsFile
from imr.models import (
    AgeRange,
    DecisionSource,
    DecisionTally,
    DecisionType,
    Determination,
    Gender,
    ImrType,
    PublishedDecision,
)
from imr.services import decision_publish, decisions_import_file
from imr.tests.factories import NEW_HEADER, OLD_HEADER, write_csv

pytestmark = pytest.mark.django_db

OLD_ROWS = [
    ["MN16-22639", "2016", "Infectious", "Hepatitis", "Pharmacy/Prescription Drugs", "Anti-virals",
     "Overturned Decision of Health Plan", "Medical Necessity", "41-50", "Male"],
    ["EI16-22636", "2016", "Prevention/Good Health", "", "Diagnostic Imaging, Screening and Testing",
     "Mammography", "Overturned Decision of Health Plan", "Experimental/Investigational", "65+", "Female"],
    ["MN15-20001", "2015", "Autism Spectrum", "Autism-PDD-NOS", "Autism Related Treatment", "Speech Therapy",
     "Upheld Decision of Health Plan", "Medical Necessity", "11_20", ""],
]  # fmt: skip

NEW_ROWS = [
    ["MN26-46990", "2026", "Cancer", "Breast", "Pharmacy/Prescription Drugs", "Cancer Medications",
     "Overturned Decision of Health Plan", "Medical Necessity", "51-64", "Female", "Expedited", "4", "2",
     "Findings: The physician reviewer found that the requested medication is likely to be more beneficial.\n"
     "Final Result: The reviewer determined that the requested medication is medically necessary."],
    ["UR25-40001", "2025", "Mental", "Depression", "Mental Health Treatment", "Inpatient",
     "Upheld Decision of Health Plan", "Urgent Care", "21-30", "Other", "Standard", "25", "", "Short, with a comma"],
]  # fmt: skip


def test_the_2016_era_file_with_spaced_headers_and_semicolons_imports(tmp_path):
    path = write_csv(tmp_path / "old.csv", OLD_HEADER, OLD_ROWS, delimiter=";")

    summary = decisions_import_file(path=path)

    assert (summary.rows_read, summary.created, summary.updated, summary.skipped) == (3, 3, 0, [])
    assert "2016-era shape, semicolon-separated" in summary.file_shape
    decision = PublishedDecision.objects.get(reference_id="MN15-20001")
    assert decision.report_year == 2015
    assert decision.determination == Determination.UPHELD
    assert decision.decision_type == DecisionType.MEDICAL_NECESSITY
    assert decision.age_range == AgeRange.AGE_11_20  # DMHC writes "11_20"
    assert decision.gender == ""
    assert decision.imr_type == ""
    assert decision.findings == ""
    assert decision.source == DecisionSource.IMPORTED
    assert PublishedDecision.objects.get(reference_id="EI16-22636").treatment_category == (
        "Diagnostic Imaging, Screening and Testing"
    )


def test_the_newer_file_with_its_four_extra_columns_and_multiline_findings_imports(tmp_path):
    path = write_csv(tmp_path / "new.csv", NEW_HEADER, NEW_ROWS)

    summary = decisions_import_file(path=path)

    assert (summary.created, summary.skipped) == (2, [])
    assert "newer shape, comma-separated" in summary.file_shape
    expedited = PublishedDecision.objects.get(reference_id="MN26-46990")
    assert expedited.imr_type == ImrType.EXPEDITED
    assert (expedited.days_to_review, expedited.days_to_adopt) == (4, 2)
    assert expedited.findings.startswith("Findings: The physician reviewer")
    assert "\nFinal Result:" in expedited.findings
    urgent = PublishedDecision.objects.get(reference_id="UR25-40001")
    assert urgent.decision_type == DecisionType.URGENT_CARE
    assert urgent.gender == Gender.OTHER
    assert urgent.days_to_adopt is None


@pytest.mark.parametrize(
    "header",
    [
        [name.upper() for name in NEW_HEADER],
        ["Reference ID", "Report Year", "Diagnosis Category", "Diagnosis Sub Category", "Treatment Category",
         "Treatment Sub Category", "Determination", "Type", "Age Range", "Patient Gender", "IMR Type",
         "Days To Review", "Days To Adopt", "Findings"],
        ["reference_id", "report_year", "diagnosis_category", "diagnosis_sub_category", "treatment_category",
         "treatment_sub_category", "determination", "type", "age_range", "patient_gender", "imr_type",
         "days_to_review", "days_to_adopt", "findings"],
    ],
    ids=["upper case", "spaced", "snake case"],
)  # fmt: skip
def test_header_names_match_whatever_their_case_and_spacing(tmp_path, header):
    summary = decisions_import_file(path=write_csv(tmp_path / "any.csv", header, NEW_ROWS, delimiter=";"))
    assert (summary.created, summary.skipped) == (2, [])
    assert PublishedDecision.objects.get(reference_id="MN26-46990").days_to_review == 4


def test_importing_the_same_file_again_creates_and_updates_nothing(tmp_path):
    path = write_csv(tmp_path / "new.csv", NEW_HEADER, NEW_ROWS)
    decisions_import_file(path=path)
    first_state = list(PublishedDecision.objects.order_by("reference_id").values())

    again = decisions_import_file(path=path)

    assert (again.rows_read, again.created, again.updated, again.unchanged) == (2, 0, 0, 2)
    assert list(PublishedDecision.objects.order_by("reference_id").values()) == first_state


def test_a_changed_row_is_updated_and_counted_as_updated(tmp_path):
    decisions_import_file(path=write_csv(tmp_path / "a.csv", OLD_HEADER, OLD_ROWS, delimiter=";"))
    changed = [row.copy() for row in OLD_ROWS]
    changed[0][6] = "Upheld Decision of Health Plan"

    summary = decisions_import_file(path=write_csv(tmp_path / "b.csv", OLD_HEADER, changed, delimiter=";"))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 2)
    assert PublishedDecision.objects.get(reference_id="MN16-22639").determination == Determination.UPHELD
    overturned = DecisionTally.objects.filter(determination=Determination.OVERTURNED)
    assert sum(overturned.values_list("decisions", flat=True)) == 1


def test_bad_rows_are_skipped_with_their_reason_and_nothing_of_them_is_stored(tmp_path):
    good = OLD_ROWS[0]
    rows = [
        good,
        ["", *good[1:]],
        ["MN16-1", "2016", "Infectious", "Hepatitis", "Drugs", "Anti-virals", "Partly overturned",
         "Medical Necessity", "41-50", "Male"],
        ["MN16-2", "16", *good[2:]],
        ["MN16-3", "2016", "Infectious", "Hepatitis", "Drugs", "Anti-virals",
         "Upheld Decision of Health Plan", "Dental", "41-50", "Male"],
        ["MN16-4", "2016", "Infectious", "Hepatitis", "Drugs", "Anti-virals",
         "Upheld Decision of Health Plan", "Medical Necessity", "forty", "Male"],
        ["MN16-5", "2016", "Too", "few", "fields"],
        ["MN16 6 with spaces", *good[1:]],
        [good[0], *good[1:]],
        ["MN16-7", "2016", "x" * 201, "", "", "", "Upheld Decision of Health Plan", "Medical Necessity", "", ""],
        ["MN16-8", "2016", "Mental", "", "", "", "Upheld Decision of Health Plan", "Medical Necessity", "", "Male"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "bad.csv", OLD_HEADER, rows, delimiter=";")

    summary = decisions_import_file(path=path)

    reasons = [str(problem) for problem in summary.skipped]
    assert reasons == [
        "row 3: missing Reference ID",
        "row 4: unknown Determination 'Partly overturned'",
        f"row 5: Report Year '16' is not a year from 2001 to {timezone.localdate().year}",
        "row 6: unknown Type 'Dental'",
        "row 7: unknown Age Range 'forty'",
        "row 8: has 5 fields, the header has 10",
        "row 9: Reference ID 'MN16 6 with spaces' is not letters, digits and hyphens (at most 32)",
        "row 10: Reference ID MN16-22639 already appeared in row 2",
        "row 11: Diagnosis Category is longer than 200 characters",
    ]
    assert (summary.rows_read, summary.created, summary.updated) == (11, 2, 0)
    assert sorted(PublishedDecision.objects.values_list("reference_id", flat=True)) == ["MN16-22639", "MN16-8"]


def test_a_row_with_a_problem_the_database_finds_is_skipped_alone(tmp_path, monkeypatch):
    # A rule only the database knows (or a row changed by someone else meanwhile): pretend the
    # database refuses one row, and see that only that row is lost, with the database's reason.
    from imr.services import importing

    original = importing._write_rows

    def refusing(rows, summary):
        if any(row.values["diagnosis_category"] == "Refused" for row in rows):
            from django.db import IntegrityError

            raise IntegrityError("refused for the test")
        return original(rows, summary)

    monkeypatch.setattr(importing, "_write_rows", refusing)
    rows = [OLD_ROWS[0], ["MN16-9", "2016", "Refused", *OLD_ROWS[0][3:]], OLD_ROWS[1]]

    summary = decisions_import_file(path=write_csv(tmp_path / "db.csv", OLD_HEADER, rows, delimiter=";"))

    assert summary.created == 2
    assert [str(problem) for problem in summary.skipped] == ["row 3: refused by the database (refused for the test)"]
    assert not PublishedDecision.objects.filter(reference_id="MN16-9").exists()


def test_a_file_without_the_required_columns_is_refused_whole(tmp_path):
    path = write_csv(tmp_path / "other.csv", ["Name", "Year"], [["x", "2016"]])
    with pytest.raises(NotADecisionsFile, match="no column for Reference ID, Report Year, Determination, Type"):
        decisions_import_file(path=path)
    assert not PublishedDecision.objects.exists()


def test_a_file_does_not_replace_a_decision_the_portal_published(tmp_path):
    decision_publish(
        reference_id="MN16-22639",
        report_year=2016,
        determination=Determination.UPHELD,
        decision_type=DecisionType.MEDICAL_NECESSITY,
    )
    summary = decisions_import_file(path=write_csv(tmp_path / "old.csv", OLD_HEADER, OLD_ROWS, delimiter=";"))
    assert [str(problem) for problem in summary.skipped] == [
        "row 2: MN16-22639 was published by this portal; a file does not replace it"
    ]
    assert PublishedDecision.objects.get(reference_id="MN16-22639").determination == Determination.UPHELD


def test_the_tallies_match_the_decisions_after_an_import(tmp_path):
    decisions_import_file(path=write_csv(tmp_path / "old.csv", OLD_HEADER, OLD_ROWS, delimiter=";"))
    decisions_import_file(path=write_csv(tmp_path / "new.csv", NEW_HEADER, NEW_ROWS))
    assert sum(DecisionTally.objects.values_list("decisions", flat=True)) == PublishedDecision.objects.count() == 5
    assert sum(DecisionTally.objects.values_list("with_findings", flat=True)) == 2


def test_the_command_prints_the_summary_with_the_reasons(tmp_path):
    rows = [*OLD_ROWS, ["", *OLD_ROWS[0][1:]]]
    path = write_csv(tmp_path / "cmd.csv", OLD_HEADER, rows, delimiter=";")
    out, err = io.StringIO(), io.StringIO()

    call_command("import_imr_decisions", str(path), stdout=out, stderr=err)

    assert out.getvalue().splitlines() == [
        "cmd.csv (2016-era shape, semicolon-separated, utf-8): 4 rows read.",
        "Created 3, updated 0, unchanged 0, skipped 1.",
        "Skipped rows (the header is row 1):",
        "  row 5: missing Reference ID",
    ]
    assert "4/4" in err.getvalue()  # the progress bar, on standard error


def test_the_command_stops_with_an_error_for_a_file_that_is_not_one(tmp_path):
    path = write_csv(tmp_path / "other.csv", ["Name"], [["x"]])
    with pytest.raises(CommandError, match="not a DMHC IMR decisions file"):
        call_command("import_imr_decisions", str(path), stdout=io.StringIO(), stderr=io.StringIO())
