import pytest

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.models import Status
from complaints.tests.drive import IMR_PATH, case_at, drive
from complaints.tests.factories import file_case
from imr.models import DecisionSource, FindingsReview, PortalPublication, PublishedDecision
from imr.publication import findings_approve, findings_reviews_open
from imr.tasks import publish_portal_decisions

pytestmark = pytest.mark.django_db


def test_an_issued_imr_decision_is_published_once_approved_and_de_identified(client):
    case = drive(file_case(), IMR_PATH[:7])
    assert case.status == Status.DECISION_ISSUED
    assert findings_reviews_open() == 1
    assert publish_portal_decisions.apply().get() == 0
    review = FindingsReview.objects.get(case=case)
    findings_approve(
        review_id=review.pk, text=review.proposed, approved_by=StaffFactory(groups=[StaffGroup.SUPERVISOR])
    )
    publication = PortalPublication.objects.get(case=case)
    decision = PublishedDecision.objects.get(reference_id=publication.reference_id)
    assert decision.source == DecisionSource.PORTAL
    assert decision.determination == "OVERTURNED"
    assert decision.decision_type == "MEDICAL_NECESSITY"
    assert decision.report_year == case.decided_at.year
    assert decision.findings == "The reviewers found the surgery necessary."
    assert decision.age_range
    assert decision.gender == "FEMALE"
    for identifying in (case.number, case.number[-6:], case.patient.last_name, case.member_id):
        assert identifying not in decision.reference_id
    page = client.get(f"/decisions/{decision.reference_id}/")
    assert page.status_code == 200
    assert case.patient.last_name not in page.text
    assert "Knee" not in page.text


def test_undecided_and_complaint_cases_are_not_published():
    case_at(Status.IN_IMR_REVIEW)
    case_at(Status.IN_COMPLAINT_REVIEW)
    assert findings_reviews_open() == 0
    assert not FindingsReview.objects.exists()
    assert not PublishedDecision.objects.filter(source=DecisionSource.PORTAL).exists()
