"""'Cases like yours' where an enrollee meets it: the step after describing the problem, the
eligibility check's result and My cases for a filed IMR, in English and Spanish, without
JavaScript; never on a plan's page."""

import pytest

from complaints.models import Status
from complaints.tests.drive import PATHS, drive
from complaints.tests.factories import file_case
from filing.tests.answers import fill_draft, problem, step_url
from imr.models import Determination
from imr.tests.factories import PublishedDecisionFactory, tallies_rebuild

pytestmark = pytest.mark.django_db

THERAPY = {
    "treatment_in_dispute": "Physical therapy after knee surgery",
    "what_happened": "I had knee surgery and the plan stopped my therapy.",
}
CHECK = "/guide/check/?urgent=no&grievance_filed=no&denial_reason=EXPERIMENTAL&treatment="


@pytest.fixture(autouse=True)
def past_decisions():
    for number in range(4):
        PublishedDecisionFactory(
            treatment_category="Rehabilitation Services - Outpatient",
            treatment_subcategory="Physical Therapy",
            diagnosis_subcategory="Knee",
            determination=Determination.OVERTURNED if number else Determination.UPHELD,
        )
    tallies_rebuild()


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ["Cases like yours", "Of 4 past Independent Medical Reviews", "<strong>3</strong> overturned"]),
        ("/es", ["Casos como el suyo", "De 4 Revisiones Médicas Independientes", "Cada caso se decide"]),
    ],
)
def test_the_step_after_the_problem_shows_how_cases_like_it_ended(signed_in, plan, prefix, words):
    draft = fill_draft(signed_in, plan, upto="problem", problem=problem(**THERAPY))
    page = signed_in.get(prefix + step_url(draft, "documents")).text
    for expected in words:
        assert expected in page, expected
    assert "<strong>Physical Therapy</strong>" in page
    assert "<strong>Knee</strong>" in page


def test_nothing_is_shown_when_the_words_do_not_name_a_treatment_for_certain(signed_in, plan):
    draft = fill_draft(signed_in, plan, upto="problem", problem=problem(treatment_in_dispute="Knee replacement"))
    assert "Cases like yours" not in signed_in.get(step_url(draft, "documents")).text


@pytest.mark.parametrize(("prefix", "heading"), [("", "Cases like yours"), ("/es", "Casos como el suyo")])
def test_the_eligibility_result_shows_them_without_javascript(client, prefix, heading):
    page = client.get(prefix + CHECK + "physical+therapy").text
    assert heading in page
    assert "Experimental" in page  # the type of review comes from the reason given
    assert "<script" not in page.split(heading)[1].split("</section>")[0]
    assert heading not in client.get(prefix + CHECK + "a+new+medicine").text


def test_my_cases_shows_them_for_a_filed_imr_only(signed_in, enrollee):
    imr = drive(file_case(enrollee=enrollee, **THERAPY), PATHS[Status.TRIAGED_IMR])
    complaint = drive(file_case(enrollee=enrollee, **THERAPY), PATHS[Status.IN_COMPLAINT_REVIEW])
    assert "Cases like yours" in signed_in.get(f"/my/{imr.number}/").text
    assert "Casos como el suyo" in signed_in.get(f"/es/my/{imr.number}/").text
    assert "Cases like yours" not in signed_in.get(f"/my/{complaint.number}/").text


def test_a_plan_never_sees_them_on_its_case_page(client):
    from accounts.tests.factories import PlanUserFactory
    from twofactor.testing import sign_in_verified

    case = drive(file_case(**THERAPY), PATHS[Status.TRIAGED_IMR])
    plan_user = PlanUserFactory(health_plan=case.health_plan)
    sign_in_verified(client, plan_user)
    page = client.get(f"/plan/cases/{case.number}/")
    assert page.status_code == 200
    assert "Physical therapy after knee surgery" in page.text  # the plan's own case page
    assert "Cases like yours" not in page.text
    assert "past Independent Medical Reviews" not in page.text


@pytest.mark.parametrize(
    ("prefix", "note"),
    [("", "We could not tell from your words"), ("/es", "No pudimos saber por sus palabras")],
)
def test_words_that_name_no_published_treatment_are_answered_not_dropped(client, prefix, note):
    # Spanish words cannot match the English names of the published categories: the person is
    # told so, and where to look, rather than the question seeming to do nothing.
    page = client.get(prefix + CHECK + "terapia+f%C3%ADsica").text
    assert note in page
    assert 'href="' + prefix + '/decisions/"' in page
    assert "Cases like yours" not in page
    assert "Casos como el suyo" not in page
    # Nothing to answer: no words, or a reason that never goes to IMR.
    assert note not in client.get(prefix + CHECK).text
    assert note not in client.get(prefix + CHECK.replace("EXPERIMENTAL", "COVERAGE_BILLING") + "terapia").text


@pytest.mark.parametrize(
    ("prefix", "message"),
    [("", "Ensure this value has at most 200 characters"), ("/es", "tenga menos de 200 caracteres")],
)
def test_a_too_long_or_broken_answer_is_refused_at_the_field_with_the_other_answers_kept(client, prefix, message):
    for words in ("therapy+" * 40, "physical%00therapy"):
        response = client.get(prefix + CHECK + words)
        assert response.status_code == 200
        page = response.text
        field = page.split('id="div_id_treatment"')[1].split("</div>\n    \n")[0]
        assert 'aria-invalid="true"' in field
        assert 'id="id_treatment_error"' in field  # the message is next to the field
        assert 'href="#id_treatment"' in page  # and listed in the summary above the questions
        assert 'value="EXPERIMENTAL"  id="id_denial_reason_1" required checked' in page  # nothing else lost
        assert 'id="result-heading"' not in page
    assert message in client.get(prefix + CHECK + "therapy+" * 40).text
