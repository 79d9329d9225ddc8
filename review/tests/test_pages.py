"""The review pages as a reviewer and a coordinator use them (Django test client; the browser
test and the journey drive the same pages in Chromium)."""

import html
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from complaints.models import Document, Status
from complaints.services.documents import document_add
from packets.models import Packet
from packets.tests.samples import DAMAGED_PDF, document_pdf
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
    # The whole file as one PDF is offered once the attestation is signed (built by a worker).
    assert "The file is being prepared." in file


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
    assert "Choose one of the reviewers listed: your organization" in html.unescape(bad.content.decode())
    assert not Assignment.objects.filter(referral__case=case).exists()
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


# ---- the whole file as one PDF (packets app) ---------------------------------------------------
def _pdf_pages(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(BytesIO(data)).pages]


def test_the_case_page_says_being_prepared_then_offers_the_packet_pdf(world, django_capture_on_commit_callbacks):
    case = world.case_a
    add = {"kind": Document.Kind.MEDICAL_RECORDS, "source": Document.Source.ENROLLEE, "actor": case.filed_by}
    document_add(
        case=case, name="oncology-notes.pdf", data=document_pdf("Oncology notes", 3), actor_role="ENROLLEE", **add
    )
    client = verified_client(world.people["reviewer"])

    with django_capture_on_commit_callbacks() as builds:
        first = client.get(_url("review-case", case))
        again = client.get(_url("review-case", case))
    for page in (first, again):
        text = html.unescape(page.content.decode())
        assert 'id="packet"' in text
        assert "The file is being prepared. Reload this page in a minute." in text
        assert "/packet/" not in text
    # Two views, one request: the second view found the first one's packet.
    assert Packet.objects.filter(case=case).count() == 1
    assert len(builds) == 1

    builds[0]()  # the worker's build (tasks run eagerly in unit tests)
    page = html.unescape(client.get(_url("review-case", case)).content.decode())
    assert "being prepared" not in page
    packet = Packet.objects.get(case=case)
    assert packet.state == Packet.State.READY, packet.error
    link = _url("review-packet", case, packet_id=packet.pk)
    assert f'<a href="{link}">Download the case file (PDF)</a>' in page
    assert Packet.objects.filter(case=case).count() == 1

    response = client.get(link)
    assert response["Content-Type"] == "application/pdf"
    assert f"{case.number}-packet.pdf" in response["Content-Disposition"]
    pages = _pdf_pages(b"".join(response.streaming_content))
    assert len(pages) == packet.page_count
    sources = [
        _pdf_pages(document.file.open("rb").read())
        for document in Document.objects.filter(case=case, content_type="application/pdf").order_by("uploaded_at", "id")
    ]
    document_pages = [text for source in sources for text in source]
    assert len(document_pages) == 1 + 1 + 3  # records-a, plan-criteria-a, oncology-notes
    index = " ".join(pages[: len(pages) - len(document_pages)])
    for text in (case.number, "records-a.pdf", "plan-criteria-a.pdf", "oncology-notes.pdf", "Enrollee", "Health plan"):
        assert text in index
    assert pages[len(pages) - len(document_pages) :] == document_pages


def test_a_packet_that_could_not_be_built_is_said_plainly_and_not_rebuilt_on_every_view(
    world, django_capture_on_commit_callbacks
):
    case = world.case_a
    broken = world.documents["enrollee a"]
    # Uploads refuse a damaged PDF; one is stored here around the checks, as a disk fault could.
    broken.file.save("broken", ContentFile(DAMAGED_PDF))
    client = verified_client(world.people["reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url("review-case", case))
    packet = Packet.objects.get(case=case)
    assert packet.state == Packet.State.FAILED

    with django_capture_on_commit_callbacks() as builds:
        page = html.unescape(client.get(_url("review-case", case)).content.decode())
    assert builds == []
    assert Packet.objects.filter(case=case).count() == 1
    assert "The whole file could not be made into one PDF." in page
    assert packet.error in page
    assert "records-a.pdf" in packet.error
    assert "You can still open every document on its own" in page
    assert "/packet/" not in page
    assert client.get(_url("review-packet", case, packet_id=packet.pk)).status_code == 404
    # The documents themselves still open one by one.
    plan_document = world.documents["plan a"]
    assert client.get(_url("review-document", case, document_id=plan_document.pk)).status_code == 200

    # An hour later a view tries again (a failure of the moment may have passed).
    later = timedelta(hours=1, minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks() as builds:
        page = html.unescape(client.get(_url("review-case", case)).content.decode())
    assert len(builds) == 1
    assert "The file is being prepared." in page
