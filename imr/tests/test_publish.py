"""Publishing a decision issued through the portal: de-identified, or not at all."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr.models import AgeRange, DecisionSource, DecisionTally, DecisionType, Determination, Gender, PublishedDecision
from imr.services import (
    DecisionNotPublishable,
    age_range_for,
    decision_publish,
    decision_tallies_rebuild,
)
from imr.tests.factories import PublishedDecisionFactory, tallies_rebuild

pytestmark = pytest.mark.django_db

PATIENT = ["María", "López", "María López", "MBR-443211"]


def publish(**overrides):
    values = {
        "reference_id": "MN26-P0001",
        "report_year": 2026,
        "determination": Determination.OVERTURNED,
        "decision_type": DecisionType.MEDICAL_NECESSITY,
        "diagnosis_category": "Orthopedic",
        "diagnosis_subcategory": "Knee",
        "treatment_category": "Rehabilitation",
        "treatment_subcategory": "Physical Therapy",
        "age_range": AgeRange.AGE_41_50,
        "gender": Gender.FEMALE,
        "findings": "Physical therapy is medically necessary to restore function after surgery.",
        "findings_reviewed": True,
        "identifiers": PATIENT,
    }
    values.update(overrides)
    return decision_publish(**values)


def tallies_as_rebuilt() -> bool:
    def snapshot():
        return sorted(DecisionTally.objects.values_list("report_year", "determination", "decisions", "with_findings"))

    before = snapshot()
    decision_tallies_rebuild()
    return before == snapshot()


def test_a_published_decision_is_searchable_and_counted(client):
    decision = publish()
    assert decision.source == DecisionSource.PORTAL
    assert "MN26-P0001" in client.get("/decisions/", {"diagnosis_category": "Orthopedic"}).text
    assert "1 of 1 decisions." in client.get("/decisions/stats/").text
    assert tallies_as_rebuilt()


def test_publishing_again_corrects_the_decision_and_keeps_the_counts_right():
    PublishedDecisionFactory(reference_id="MN16-0001")
    tallies_rebuild()
    publish()
    publish(determination=Determination.UPHELD, report_year=2025, findings="")
    decision = PublishedDecision.objects.get(reference_id="MN26-P0001")
    assert (decision.determination, decision.report_year, decision.findings) == ("UPHELD", 2025, "")
    assert PublishedDecision.objects.count() == 2
    assert tallies_as_rebuilt()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"report_year": datetime.date(2026, 3, 14)}, "report_year", "never a date"),
        ({"report_year": "2026"}, "report_year", "never a date"),
        ({"findings": "Seen on 03/14/2026, therapy helps."}, "findings", "contains a date"),
        ({"findings": "The denial of March 14 was wrong."}, "findings", "contains a date"),
        ({"findings": "La negación del 14 de marzo fue un error."}, "findings", "contains a date"),
        ({"findings": "Reviewed 2026-03-14."}, "findings", "contains a date"),
        ({"findings": "Ms. López needs therapy."}, "findings", "contains a name or identifier of the patient"),
        ({"findings": "Member MBR-443211 needs therapy."}, "findings", "contains a name or identifier"),
        ({"treatment_subcategory": "Therapy for maria lopez"}, "treatment_subcategory", "contains a name"),
        ({"findings": "Call 916-555-0100."}, "findings", "contains a phone number"),
        ({"findings": "Write to maria@example.test."}, "findings", "contains an e-mail address"),
        ({"findings": "Claim 123456789."}, "findings", "contains a long number"),
        ({"findings": "Therapy helps.", "findings_reviewed": False}, "findings", "reviewed for publication"),
        ({"age_range": "47"}, "age_range", "must be one of"),
        ({"gender": "F"}, "gender", "must be one of"),
        ({"determination": "OVERTURNED_IN_PART"}, "determination", "must be one of"),
        ({"reference_id": "case 1 of Maria"}, "reference_id", "letters, digits and hyphens"),
        ({"days_to_review": -3}, "days_to_review", "whole number of days"),
    ],
)
def test_anything_that_could_identify_the_patient_is_refused_and_nothing_is_stored(overrides, field, message):
    with pytest.raises(DecisionNotPublishable) as refused:
        publish(**overrides)
    assert any(message in text for text in refused.value.message_dict[field])
    assert not PublishedDecision.objects.exists()
    assert not DecisionTally.objects.exists()


def test_fields_that_are_not_published_cannot_even_be_passed():
    with pytest.raises(TypeError):
        publish(patient_name="María López")
    with pytest.raises(TypeError):
        publish(decision_date=datetime.date(2026, 3, 14))


def test_a_decision_from_dmhcs_file_is_not_replaced():
    PublishedDecisionFactory(reference_id="MN16-0001")
    with pytest.raises(DecisionNotPublishable, match="DMHC's published file"):
        publish(reference_id="MN16-0001")


def test_ordinary_medical_text_with_numbers_is_accepted():
    decision = publish(findings="A dose of 2.5-3.0 mg for 6 weeks, 3 times a week; 1,200 units; age 45.")
    assert decision.findings.startswith("A dose of 2.5-3.0 mg")


@pytest.mark.parametrize(
    ("age", "expected"),
    [(0, "AGE_0_10"), (10, "AGE_0_10"), (11, "AGE_11_20"), (50, "AGE_41_50"), (64, "AGE_51_64"), (65, "AGE_65_PLUS")],
)
def test_an_age_becomes_its_published_range(age, expected):
    assert age_range_for(age) == expected


DATE_STYLES = [
    lambda day: day.strftime("%m/%d/%Y"),
    lambda day: day.strftime("%-m/%-d/%y"),
    lambda day: day.isoformat(),
    lambda day: day.strftime("%B %-d, %Y"),
    lambda day: day.strftime("%b. %-d"),
    lambda day: day.strftime("%-d %B %Y"),
    lambda day: day.strftime("%m/%Y"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    day=st.dates(min_value=datetime.date(2001, 1, 1), max_value=datetime.date(2026, 12, 31)),
    style=st.sampled_from(DATE_STYLES),
    before=st.sampled_from(["The plan denied care on", "Reviewed", "Seen"]),
)
def test_a_date_in_any_common_style_never_reaches_the_published_findings(day, style, before):
    text = f"{before} {style(day)}; physical therapy is medically necessary."
    with pytest.raises(DecisionNotPublishable):
        publish(findings=text)
    assert not PublishedDecision.objects.filter(findings__contains=style(day)).exists()


def test_cached_statistics_of_a_text_search_follow_a_new_publication(client):
    publish(reference_id="MN26-P0001", findings="Physical therapy is needed.")
    assert "1 of 1 decisions." in client.get("/decisions/stats/", {"q": "therapy"}).text
    publish(reference_id="MN26-P0002", determination=Determination.UPHELD, findings="More therapy is not needed.")
    assert "1 of 2 decisions." in client.get("/decisions/stats/", {"q": "therapy"}).text


@pytest.mark.django_db(transaction=True)
def test_two_decisions_of_the_same_facts_published_at_once_are_both_counted():
    """Two supervisors approve findings with the same facts at the same moment, and no count row
    exists yet: the second waits on the first's new row, then adds to it (no server error)."""
    import threading

    from django.db import connection, transaction

    from ops.testing import lock_waiters, wait_until

    published, failure = threading.Event(), []

    def first_approval():
        try:
            with transaction.atomic():
                publish(reference_id="MN26-P0001")
                published.set()
                # Commit only once the second publication is waiting on this one's rows.
                wait_until(lambda: lock_waiters() > 0, timeout=30, what="the second publication to wait")
        except Exception as error:  # reported by the test thread
            failure.append(error)
            published.set()
        finally:
            connection.close()

    thread = threading.Thread(target=first_approval)
    thread.start()
    assert published.wait(timeout=30)
    publish(reference_id="MN26-P0002")
    thread.join(timeout=30)
    assert failure == []
    [tally] = DecisionTally.objects.all()
    assert (tally.decisions, tally.with_findings) == (2, 2)
    assert tallies_as_rebuilt()
