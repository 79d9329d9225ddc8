"""Findings reach the public database only de-identified and approved by a supervisor."""

import re

import pytest

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.clocks import LOCAL_TZ
from complaints.errors import CaseError, NotPermitted
from complaints.models import Outcome, Status
from complaints.services.moves import case_move
from complaints.tests.drive import IMR_PATH, drive
from complaints.tests.factories import file_case, patient_data
from complaints.workflow import MoveInput
from imr.deidentify import case_identifiers, deidentify, identifying_problems
from imr.models import DecisionSource, FindingsReview, PortalPublication, PublishedDecision
from imr.publication import findings_approve, portal_reference_id
from imr.services import DecisionNotPublishable
from imr.tasks import publish_portal_decisions
from twofactor.testing import verified_client

pytestmark = pytest.mark.django_db

FINDINGS = (
    "Rosa M. Delgado (born 04/02/1968, member ID M123456, Medi-Cal 91234567A) of 1200 K Street, "
    "Sacramento, CA 95814, phone 916-555-0100, rosa@example.test, case {number}, was seen by Dr. Ahmed "
    "of Sacramento Orthopedics on March 3, 2026 and by John Smith, M.D. in 2025. Ms. DELGADO's knee "
    "osteoarthritis is severe (Kellgren-Lawrence grade 4) and six months of physical therapy failed. "
    "Total knee arthroplasty is medically necessary (AAOS guideline 2022)."
)
CLINICAL_WORDS = ["osteoarthritis", "Kellgren-Lawrence grade 4", "six months of physical therapy", "2025", "(AAOS"]


def decided_case():
    case = drive(file_case(), IMR_PATH[:5])
    supervisor = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    case_move(
        case=case,
        move="record_determination",
        actor=supervisor,
        data=MoveInput(outcome=Outcome.OVERTURNED, reason=FINDINGS.format(number=case.number)),
    )
    case = case_move(case=case, move="issue_imr_decision", actor=supervisor)
    assert case.status == Status.DECISION_ISSUED
    return case


def test_the_code_takes_every_kind_of_identifier_out_and_leaves_the_medicine():
    case = decided_case()
    identifiers = case_identifiers(case)
    text = deidentify(case.outcome_reasons, identifiers)
    for gone in ("Rosa", "Delgado", "DELGADO", "1968", "04/02", "M123456", "91234567A", "1200 K Street",
                 "Sacramento", "95814", "916-555-0100", "rosa@example.test", case.number, "Ahmed", "John Smith",
                 "March 3"):  # fmt: skip
        assert gone not in text, gone
    for kept in CLINICAL_WORDS:
        assert kept in text, kept
    for placeholder in ("[patient]", "[date]", "[ID number]", "[address]", "[phone number]", "[e-mail address]",
                        "[case number]", "[provider]", "[place]"):  # fmt: skip
        assert placeholder in text, placeholder
    assert identifying_problems(text, identifiers.must_not_appear()) == []


def test_names_match_whatever_their_accents():
    case = file_case(patient=patient_data(last_name="López"))
    text = deidentify("Mrs. Lopez and LÓPEZ and lópez's doctor", case_identifiers(case))
    assert "pez" not in text.lower()
    assert text.count("[patient]") == 3


def _public_search(client, **query):
    page = client.get("/decisions/", query)
    assert page.status_code == 200
    return page.text


def test_nothing_is_public_until_a_supervisor_approves_then_the_approved_findings_are(client):
    case = decided_case()
    assert publish_portal_decisions.apply().get() == 1
    assert publish_portal_decisions.apply().get() == 0  # one review per case
    review = FindingsReview.objects.get(case=case)
    assert review.state == FindingsReview.State.PENDING
    assert review.original == case.outcome_reasons
    assert "[patient]" in review.proposed

    # Unapproved: not in the public database, the search or any decision page.
    assert not PublishedDecision.objects.filter(source=DecisionSource.PORTAL).exists()
    assert not PortalPublication.objects.filter(case=case).exists()
    reference_id = portal_reference_id(case, "MN", case.decided_at.astimezone(LOCAL_TZ).year)
    for page in (_public_search(client, q="Kellgren"), _public_search(client), _public_search(client, q="knee")):
        assert reference_id not in page
        assert "osteoarthritis is severe" not in page
    assert client.get(f"/decisions/{reference_id}/").status_code == 404

    # Intake and clinical staff may not open or approve it; a supervisor sees both texts side by side.
    for group in (StaffGroup.INTAKE, StaffGroup.CLINICAL):
        other = verified_client(StaffFactory(groups=[group]))
        url = f"/admin/imr/findingsreview/{review.pk}/change/"
        assert other.get(url).status_code == 403
        assert other.post(url, {"findings": review.proposed}).status_code == 403
    supervisor = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    staff = verified_client(supervisor)
    url = f"/admin/imr/findingsreview/{review.pk}/change/"
    page = staff.get(url)
    assert page.status_code == 200
    assert "Rosa M. Delgado (born 04/02/1968" in page.text  # the original, for comparison
    assert "[patient] (born [date]" in page.text  # the proposal, in the form

    # An edit that brings a name back is refused at the field; nothing is published.
    refused = staff.post(url, {"findings": review.proposed + " Ms. Delgado agreed."})
    assert refused.status_code == 200
    assert "Nothing was published." in refused.text
    assert re.search(r"Not published: the text contains a name or identifier of the patient", refused.text)
    assert not PublishedDecision.objects.filter(source=DecisionSource.PORTAL).exists()
    empty = staff.post(url, {"findings": "   "})
    assert "may not be empty" in empty.text
    assert FindingsReview.objects.get(pk=review.pk).state == FindingsReview.State.PENDING

    approved_text = review.proposed.replace("[provider] of [provider]", "the treating surgeon")
    done = staff.post(url, {"findings": approved_text})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.state == FindingsReview.State.APPROVED
    assert review.approved_by == supervisor
    assert review.approved_text == approved_text.strip()
    publication = PortalPublication.objects.get(case=case)
    assert publication.reference_id == reference_id
    decision = PublishedDecision.objects.get(reference_id=publication.reference_id)
    assert decision.findings == approved_text.strip()

    detail = client.get(f"/decisions/{decision.reference_id}/").text
    assert "Kellgren-Lawrence grade 4" in detail
    assert "the treating surgeon" in detail
    for identifying in ("Delgado", "M123456", case.number, "916-555-0100", "Ahmed", "1968"):
        assert identifying not in detail
    assert reference_id in _public_search(client, q="Kellgren")
    # Approved once: a second approval is refused.
    with pytest.raises(CaseError, match="approved already"):
        findings_approve(review_id=review.pk, text=approved_text, approved_by=supervisor)


def test_only_a_supervisor_may_approve():
    case = decided_case()
    publish_portal_decisions.apply().get()
    review = FindingsReview.objects.get(case=case)
    with pytest.raises(NotPermitted):
        findings_approve(
            review_id=review.pk, text=review.proposed, approved_by=StaffFactory(groups=[StaffGroup.CLINICAL])
        )
    with pytest.raises(DecisionNotPublishable):
        findings_approve(
            review_id=review.pk, text="Seen on 3/4/2026.", approved_by=StaffFactory(groups=[StaffGroup.SUPERVISOR])
        )
    assert not PortalPublication.objects.filter(case=case).exists()


def test_ids_after_their_labels_go_and_ordinary_numbers_stay():
    text = deidentify(
        "Member ID: AB12345; claim number 55-11-22; SSN 123-45-6789. The plan's 2022 guideline, "
        "studies of 2020-2021, a 67-year-old patient, 10000 units daily.",
        case_identifiers(file_case()),
    )
    for gone in ("AB12345", "55-11-22", "123-45-6789"):
        assert gone not in text
    for kept in ("2022 guideline", "2020-2021", "67-year-old patient", "10000 units"):
        assert kept in text


def test_a_second_click_on_approve_shows_the_approved_findings_and_publishes_nothing_again():
    case = decided_case()
    publish_portal_decisions.apply().get()
    review = FindingsReview.objects.get(case=case)
    staff = verified_client(StaffFactory(groups=[StaffGroup.SUPERVISOR]))
    url = f"/admin/imr/findingsreview/{review.pk}/change/"
    assert staff.post(url, {"findings": review.proposed}).status_code == 302
    again = staff.post(url, {"findings": review.proposed + " Edited later."}, follow=True)
    assert again.status_code == 200
    assert "approved already; nothing was published again" in again.text
    assert "As approved and published" in again.text
    assert PortalPublication.objects.filter(case=case).count() == 1
    assert PublishedDecision.objects.filter(source=DecisionSource.PORTAL).get().findings == review.proposed.strip()
