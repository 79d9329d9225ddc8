from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.errors import CaseError, NotPermitted
from complaints.models import CaseEvent, Status
from complaints.services.late_filing import late_filing_decide
from complaints.services.moves import case_move
from complaints.tests.drive import MOVE_INPUTS, case_at
from twofactor.testing import sign_in_verified

pytestmark = pytest.mark.django_db


def _late_case(status=Status.RESPONSE_RECEIVED):
    decided = (timezone.now() - timedelta(days=250)).date()
    return case_at(
        status,
        plan_decision_date=decided,
        grievance_filed_date=decided - timedelta(days=20),
        late_filing_reason="I was in hospital for two months.",
    )


def test_an_accepted_late_filing_opens_the_way_to_imr_and_is_in_the_timeline():
    case = _late_case()
    intake = StaffFactory(groups=[StaffGroup.INTAKE])
    case = late_filing_decide(case=case, accepted=True, reason="A hospital stay is a good reason.", actor=intake)
    assert case.late_filing_accepted is True
    event = case.events.get(kind=CaseEvent.Kind.LATE_FILING)
    assert event.reason == "A hospital stay is a good reason."
    assert case_move(case=case, move="triage_imr", actor=intake, data=MOVE_INPUTS["triage_imr"]).status == (
        Status.TRIAGED_IMR
    )


def test_only_intake_or_a_supervisor_decides():
    with pytest.raises(NotPermitted):
        late_filing_decide(case=_late_case(), accepted=True, reason="x", actor=StaffFactory(groups=[StaffGroup.LEGAL]))


def test_a_reason_is_needed_and_a_triaged_case_cannot_be_decided_again():
    intake = StaffFactory(groups=[StaffGroup.INTAKE])
    with pytest.raises(CaseError) as refused:
        late_filing_decide(case=_late_case(), accepted=False, reason=" ", actor=intake)
    assert "reason" in refused.value.field_errors
    triaged = _late_case(Status.TRIAGED_COMPLAINT)
    with pytest.raises(CaseError, match="triaged"):
        late_filing_decide(case=triaged, accepted=True, reason="x", actor=intake)


def test_staff_decide_it_from_the_case_page(client):
    case = _late_case()
    intake = StaffFactory(groups=[StaffGroup.INTAKE])
    sign_in_verified(client, intake)
    url = f"/admin/complaints/case/{case.pk}/late-filing/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"accepted": "yes", "reason": ""}).status_code == 400
    response = client.post(url, {"accepted": "no", "reason": "No reason given for the delay."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.late_filing_accepted is False
