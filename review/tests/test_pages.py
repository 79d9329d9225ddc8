"""The review pages as a reviewer and a coordinator use them (Django test client; the browser
test and the journey drive the same pages in Chromium)."""

import html
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Status
from review.models import Assignment, Determination
from review.tests.conftest import profile
from review.tests.factories import FINDINGS, attested, sent_case
from twofactor.testing import verified_client

pytestmark = pytest.mark.django_db


def _url(name, case, **kwargs):
    return reverse(name, kwargs={"number": case.number, **kwargs})


def test_the_attestation_comes_first_and_names_the_parties_not_the_medical_question(world):
    client = verified_client(world.people["not attested"])
    case = world.case_a
    assert client.get(_url("review-case", case)).status_code == 404
    page = client.get(_url("review-attest", case))
    text = html.unescape(page.content.decode())
    assert Assignment.ATTESTATION in text
    assert "Rosa M. Delgado" in text
    assert case.treatment_in_dispute not in text
    assert case.what_happened not in text
    refused = client.post(_url("review-attest", case), {})
    assert refused.status_code == 400
    assert 'id="id_confirm_error"' in refused.content.decode()
    assert Assignment.objects.get(reviewer__user=world.people["not attested"]).attested_at is None
    done = client.post(_url("review-attest", case), {"confirm": "on"})
    assert done["Location"] == _url("review-case", case)
    file = html.unescape(client.get(done["Location"]).content.decode())
    for text in (case.treatment_in_dispute, "Plan statement a", "records-a.pdf", "plan-criteria-a.pdf"):
        assert text in file
    assert "records-a2.pdf" not in file
    # The page is ready for the whole-file PDF block once the packets app fills it in.
    assert 'id="packet"' not in file


def test_declining_goes_back_to_the_queue_and_the_case_is_gone(world):
    client = verified_client(world.people["not attested"])
    case = world.case_a
    empty = client.post(_url("review-decline", case), {"reason": " "})
    assert empty.status_code == 400
    assert 'id="id_reason_error"' in empty.content.decode()
    response = client.post(_url("review-decline", case), {"reason": "I consult for the drug's maker."}, follow=True)
    assert f"You declined case {case.number}" in response.content.decode()
    assert client.get(_url("review-attest", case)).status_code == 404
    # The coordinator sees the case short of a reviewer again, with the reason.
    coordinator = verified_client(world.people["coordinator A"])
    queue = coordinator.get(reverse("review-queue")).content.decode()
    assert _url("review-assign", case) in queue
    assign_page = coordinator.get(_url("review-assign", case)).content.decode()
    assert "I consult for the drug's maker." in html.unescape(assign_page)


def test_the_coordinator_assigns_from_the_page(world):
    case = sent_case(world.case_a.imr_referral.organization)
    coordinator = verified_client(world.people["coordinator A"])
    colleague = profile(world.people["same organization"])
    assert _url("review-assign", case) in coordinator.get(reverse("review-queue")).content.decode()
    bad = coordinator.post(
        _url("review-assign", case), {"reviewer": str(profile(world.people["other organization"]).pk)}
    )
    assert bad.status_code == 400
    assert 'id="id_reviewer_error"' in bad.content.decode()
    response = coordinator.post(_url("review-assign", case), {"reviewer": str(colleague.pk)})
    assert response.status_code == 302
    assert Assignment.objects.filter(referral__case=case, reviewer=colleague).exists()


def test_a_short_finding_is_refused_next_to_the_field_a_draft_is_kept_and_submission_is_once(world):
    client = verified_client(world.people["reviewer"])
    case = world.case_a
    url = _url("review-determination", case)
    short = client.post(url, {**FINDINGS, "reasons": "Because it is needed.", "action": "submit"})
    assert short.status_code == 400
    html = short.content.decode()
    assert 'id="id_reasons_error"' in html
    assert "Write at least 60 characters" in html
    assert not Determination.objects.exists()
    saved = client.post(url, {"question": "Is the drug likely to help more than standard care?", "action": "save"})
    assert saved["Location"] == url
    assert "Is the drug likely to help more than standard care?" in client.get(url).content.decode()
    assert Determination.objects.get().submitted_at is None
    submitted = client.post(url, {**FINDINGS, "action": "submit"}, follow=True)
    assert "Determination submitted" in submitted.content.decode()
    determination = Determination.objects.get()
    assert determination.submitted_at is not None
    case.refresh_from_db()
    assert case.status == Status.IN_IMR_REVIEW  # an experimental case waits for its second reviewer
    again = client.post(url, {**FINDINGS, "outcome": "UPHELD", "action": "submit"}, follow=True)
    assert "already submitted; nothing was changed" in again.content.decode()
    assert Determination.objects.get().outcome == "OVERTURNED"


def test_after_a_withdrawal_the_form_refuses_with_a_message_and_keeps_the_draft(world):
    from accounts.models import StaffGroup
    from accounts.tests.factories import StaffFactory
    from complaints.services.moves import case_move
    from complaints.tests.drive import MOVE_INPUTS

    client = verified_client(world.people["reviewer"])
    case = world.case_a
    url = _url("review-determination", case)
    client.post(url, {"question": "A draft question.", "action": "save"})
    case_move(case=case, move="withdraw", actor=StaffFactory(groups=[StaffGroup.INTAKE]), data=MOVE_INPUTS["withdraw"])
    response = client.post(url, {**FINDINGS, "action": "submit"}, follow=True)
    assert "Nothing was saved: The case is no longer in independent review." in response.content.decode()
    assert Determination.objects.get().question == "A draft question."
    assert Determination.objects.get().submitted_at is None


def test_the_queue_lists_due_first_with_the_clock_and_marks_late_cases(world):
    client = verified_client(world.people["reviewer"])
    org = world.case_a.imr_referral.organization
    doe = profile(world.people["reviewer"])
    urgent = sent_case(org, urgent=True, urgent_reason="Chemotherapy starts Monday.")
    attested(urgent, doe)
    text = client.get(reverse("review-queue")).content.decode()
    assert text.index(urgent.number) < text.index(world.case_a.number)
    clock = urgent.clocks.get(name="IMRO_DETERMINATION")
    with time_machine.travel(clock.due_at + timedelta(hours=1), tick=False):
        late = client.get(reverse("review-queue")).content.decode()
        assert "LATE" in late
        coordinator = verified_client(world.people["coordinator A"]).get(reverse("review-queue")).content.decode()
    assert coordinator.count(urgent.number) >= 1
    assert world.case_b.number not in coordinator


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("review-queue")).status_code == 200
    return len(queries)


def test_the_queue_costs_the_same_few_queries_for_one_case_or_many(world):
    doe = profile(world.people["reviewer"])
    boss = profile(world.people["coordinator A"])
    org = doe.organization
    reviewer_client = verified_client(doe.user)
    coordinator_client = verified_client(boss.user)
    sent_case(org)  # one case waiting for a reviewer, so each list has a row from the start
    reviewer_few, coordinator_few = _queue_queries(reviewer_client), _queue_queries(coordinator_client)
    for _ in range(6):
        attested(sent_case(org), doe, boss)
        sent_case(org)  # waiting for a reviewer
    assert _queue_queries(reviewer_client) == reviewer_few
    assert _queue_queries(coordinator_client) == coordinator_few
    assert reviewer_few <= 12
    assert coordinator_few <= 12
