"""'Cases like yours': the enrollee's words mapped to the published categories, or nothing."""

import pytest
from django.core.cache import cache

from imr.models import DecisionType, Determination
from imr.similar import similar_cases
from imr.tests.factories import PublishedDecisionFactory, tallies_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_decisions():
    for number in range(5):
        PublishedDecisionFactory(
            treatment_category="Rehabilitation Services - Outpatient",
            treatment_subcategory="Physical Therapy",
            diagnosis_category="Orthopedic/ Musculoskeletal",
            diagnosis_subcategory="Knee",
            determination=Determination.OVERTURNED if number < 3 else Determination.UPHELD,
            findings=f"Case {number}: therapy " + "after surgery restores function. " * 20,
        )
    PublishedDecisionFactory(
        treatment_category="Rehabilitation Services - Outpatient",
        treatment_subcategory="Physical Therapy",
        diagnosis_category="Central Nervous System/ Neuromuscular",
        diagnosis_subcategory="Stroke",
        determination=Determination.UPHELD,
    )
    PublishedDecisionFactory(
        treatment_category="Diagnostic Imaging, Screening and Testing", treatment_subcategory="MRI"
    )
    PublishedDecisionFactory(
        treatment_category="Cancer Treatment",
        treatment_subcategory="Chemotherapy",
        decision_type=DecisionType.EXPERIMENTAL_INVESTIGATIONAL,
    )
    PublishedDecisionFactory(treatment_category="Chiropractic", treatment_subcategory="")
    tallies_rebuild()


@pytest.mark.usefixtures("past_decisions")
def test_a_treatment_and_a_diagnosis_named_for_certain_give_their_figures(client):
    similar = similar_cases(
        denial_reason="MEDICAL_NECESSITY",
        treatment_text="Physical therapies after my surgery",
        diagnosis_text="I hurt my knee skiing.",
    )
    assert (similar.treatment, similar.diagnosis, similar.decisions, similar.overturned) == (
        "Physical Therapy",
        "Knee",
        5,
        3,
    )
    assert len(similar.findings) == 3
    assert all(len(text) <= 282 and text.endswith("…") for text in similar.findings)
    # The figures are the API's (and the statistics page's) for the same filters.
    cache.clear()
    api = client.get(f"/api/v1/statistics/?{similar.query}", REMOTE_ADDR="10.1.2.3").json()["overall"]
    assert (api["decisions"], api["overturned"]) == (similar.decisions, similar.overturned)


@pytest.mark.usefixtures("past_decisions")
def test_without_a_diagnosis_the_figures_are_for_the_treatment_alone():
    similar = similar_cases(denial_reason="MEDICAL_NECESSITY", treatment_text="physical therapy", diagnosis_text="")
    assert (similar.diagnosis, similar.decisions, similar.overturned) == ("", 6, 3)
    by_category = similar_cases(denial_reason="MEDICAL_NECESSITY", treatment_text="my chiropractic visits")
    assert (by_category.treatment, by_category.decisions) == ("Chiropractic", 1)


@pytest.mark.usefixtures("past_decisions")
@pytest.mark.parametrize(
    ("reason", "treatment"),
    [
        ("MEDICAL_NECESSITY", "therapy"),  # no published name, only part of one
        ("MEDICAL_NECESSITY", "physical therapy and an MRI"),  # two treatments: unsure
        ("MEDICAL_NECESSITY", "a knee brace"),  # a diagnosis is not a treatment
        ("MEDICAL_NECESSITY", ""),
        ("COVERAGE_BILLING", "physical therapy"),  # never an IMR
        ("OTHER", "physical therapy"),
    ],
)
def test_when_the_mapping_is_unsure_nothing_is_shown(reason, treatment):
    assert similar_cases(denial_reason=reason, treatment_text=treatment, diagnosis_text="knee") is None


@pytest.mark.usefixtures("past_decisions")
def test_a_treatment_with_no_past_case_of_this_type_says_so():
    similar = similar_cases(denial_reason="MEDICAL_NECESSITY", treatment_text="chemotherapy")
    assert (similar.treatment, similar.decisions, similar.overturned, similar.findings) == ("Chemotherapy", 0, 0, [])


def test_with_no_published_decisions_nothing_is_shown():
    assert similar_cases(denial_reason="MEDICAL_NECESSITY", treatment_text="physical therapy") is None


@pytest.mark.usefixtures("past_decisions")
def test_a_word_written_with_its_spanish_accent_still_names_the_category():
    PublishedDecisionFactory(
        treatment_category="Diagnostic Imaging, Screening and Testing",
        treatment_subcategory="MRI",
        diagnosis_category="Cancer",
        diagnosis_subcategory="Breast",
    )
    tallies_rebuild()
    similar = similar_cases(denial_reason="MEDICAL_NECESSITY", treatment_text="Una MRI", diagnosis_text="Tengo cáncer.")
    assert (similar.treatment, similar.diagnosis, similar.decisions) == ("MRI", "Cancer", 1)
