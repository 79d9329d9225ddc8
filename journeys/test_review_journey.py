"""An IMR at an independent review organization, lived in Chromium with a real worker.

The case (filed online, the plan's response in, triaged as an IMR: journeys/test_imr_journey.py
lives those steps in the browser) is sent by Ivy (intake) to Pacific Review, asking for an
oncologist. Grace, the coordinator, assigns Dr. Ruiz, who declines (she consults for the
drug's maker); Grace assigns Dr. Lin, who signs the conflict-of-interest attestation, waits for
the worker to build the case packet and reads it back (the index, then every page of every PDF),
opens the enrollee's and the plan's documents, is told her first findings are too short, keeps a
draft, and submits the determination. Dr. Chen (clinical) issues the decision; the worker renders
the letters; the enrollee reads the findings in her decision letter; the plan's user signs in
with a second factor, opens the decided case and confirms with proof that the plan carried the
decision out. Beat's publication task opens the findings for review; Sam (a supervisor) approves
the de-identified text, and the decision is found in the public search without anything that
names the enrollee.

Every page is photographed under test-artifacts/journey-review/ and checked with axe-core.
"""

import re
import time
from io import BytesIO

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.clocks import LOCAL_TZ
from complaints.models import Document, Outcome, Status
from complaints.services.documents import document_add
from complaints.services.plan_responses import plan_response_submit
from complaints.tests.drive import case_at
from complaints.tests.samples import PDF
from imr.models import FindingsReview, PortalPublication
from journeys.support import (
    Journey,
    assert_is_stored_letter,
    download_pdf,
    enrollee_sign_in,
    follow,
    isolate,
    pdf_text,
    plan_sign_in,
    press,
    real_worker,
    reviewer_sign_in,
    staff_move,
    staff_open_case,
    staff_sign_in,
    wait_for_letters,
)
from packets.models import Packet
from packets.tests.samples import document_pdf
from review.models import Assignment, Determination
from review.tests.factories import OrganizationFactory, coordinator, reviewer

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

QUESTION = "Is pembrolizumab likely to be more beneficial for this enrollee than the standard chemotherapy?"
REASONS = (
    "The tumour expresses PD-L1 and two lines of standard chemotherapy failed; the phase 3 evidence "
    "shows longer survival with pembrolizumab than with further chemotherapy for such patients."
)
EVIDENCE = "KEYNOTE-024 (Reck et al., NEJM 2016); NCCN Guidelines, Non-Small Cell Lung Cancer, version 3.2026."
# A scanned report of several pages: every one of them must be in the packet, in order.
PATHOLOGY = document_pdf("Pathology report", 4)
# The packet is built by the worker; the reviewer reloads the page until the link is there.
PACKET_TIMEOUT = 120


def _page_texts(body: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(BytesIO(body)).pages]


def _wait_for_packet_link(page, worker) -> None:
    """Reload the case page, as a reviewer would, until the worker has built the packet."""
    deadline = time.monotonic() + PACKET_TIMEOUT
    link = page.get_by_role("link", name="Download the case file (PDF)")
    while link.count() == 0:
        expect(page.locator("#packet")).to_contain_text("being prepared")
        assert time.monotonic() < deadline, f"no packet after {PACKET_TIMEOUT} s:\n{worker.log()[-3000:]}"
        time.sleep(1)
        page.reload()


def test_a_case_through_the_review_organization_to_the_enrollees_letter(new_page, live_server, settings, tmp_path):
    isolate(settings, tmp_path)
    intake = StaffFactory(groups=[StaffGroup.INTAKE], email="ivy@dmhc.example.test", full_name="Ivy Intake")
    clinical = StaffFactory(groups=[StaffGroup.CLINICAL], email="chen@dmhc.example.test", full_name="Dr. Chen")
    org = OrganizationFactory(name="Pacific Review", contact_email="cases@pacific.example.test")
    grace = coordinator(org, email="grace@pacific.example.test", full_name="Grace Park")
    ruiz = reviewer(org, specialty="Medical oncology", email="ruiz@pacific.example.test", full_name="Dr. Ana Ruiz")
    lin = reviewer(org, specialty="Medical oncology", email="lin@pacific.example.test", full_name="Dr. Mei Lin")
    case = case_at(
        Status.TRIAGED_IMR,
        treatment_in_dispute="Pembrolizumab for lung cancer",
        denial_reason="MEDICAL_NECESSITY",
    )
    document_add(
        case=case, name="oncologist-letter.pdf", data=PDF, kind=Document.Kind.MEDICAL_RECORDS,
        source=Document.Source.ENROLLEE, actor=case.filed_by, actor_role="ENROLLEE",
    )  # fmt: skip
    document_add(
        case=case, name="pathology-report.pdf", data=PATHOLOGY, kind=Document.Kind.MEDICAL_RECORDS,
        source=Document.Source.ENROLLEE, actor=case.filed_by, actor_role="ENROLLEE",
    )  # fmt: skip
    plan_user = case.health_plan.users.first()
    if plan_user is None:
        from accounts.tests.factories import PlanUserFactory

        plan_user = PlanUserFactory(health_plan=case.health_plan)
    plan_response_submit(
        case=case,
        statement="The plan's criteria call for a third line of chemotherapy first.",
        files=[("plan-criteria.pdf", PDF)],
        actor=plan_user,
    )
    journey = Journey("journey-review")
    ivy, grace_page, ruiz_page, lin_page, chen, rosa, plan_page, sam, public = (new_page() for _ in range(9))
    supervisor = StaffFactory(groups=[StaffGroup.SUPERVISOR], email="sam@dmhc.example.test", full_name="Sam Super")

    with real_worker(tmp_path) as worker:
        # ---- intake sends the file to the organization ------------------------------------------
        staff_sign_in(journey, ivy, intake, who="intake")
        staff_open_case(journey, ivy, case, who="intake")

        def to_pacific(form):
            form.get_by_label("Independent review organization").select_option(label="Pacific Review")
            form.get_by_label("Reviewer's specialty needed (optional)").fill("Medical oncology")

        staff_move(journey, ivy, "send_to_imr", who="intake", fill=to_pacific)

        # ---- the coordinator assigns Dr. Ruiz ---------------------------------------------------
        reviewer_sign_in(journey, grace_page, grace.user, who="coordinator")
        follow(grace_page, grace_page.get_by_role("link", name=f"Assign a reviewer to {case.number}"))
        journey.check(grace_page, "coordinator-assign")
        grace_page.get_by_label("Reviewer", exact=True).select_option(label="Dr. Ana Ruiz: Medical oncology")
        press(grace_page, "Assign")
        expect(grace_page.locator(".plan-messages, .notices").first).to_contain_text(f"Case {case.number} assigned.")
        journey.check(grace_page, "coordinator-assigned")

        # ---- Dr. Ruiz declines: a conflict -------------------------------------------------------
        reviewer_sign_in(journey, ruiz_page, ruiz.user, who="reviewer-1")
        follow(ruiz_page, ruiz_page.get_by_role("link", name=f"Conflict-of-interest check for {case.number}"))
        journey.check(ruiz_page, "reviewer-1-attestation")
        expect(ruiz_page.get_by_text("Pembrolizumab")).to_have_count(0)  # nothing medical before attesting
        ruiz_page.get_by_label("Why you decline (for your coordinator)").fill("I consult for the drug's maker.")
        press(ruiz_page, "Decline this case")
        expect(ruiz_page.locator(".plan-messages, .notices").first).to_contain_text(
            "Your coordinator will reassign it."
        )
        journey.check(ruiz_page, "reviewer-1-declined")
        assert ruiz_page.request.get(f"/review/cases/{case.number}/").status == 404

        # ---- the coordinator sees it back and assigns Dr. Lin -----------------------------------
        grace_page.goto("/review/")
        journey.check(grace_page, "coordinator-queue-after-decline")
        follow(grace_page, grace_page.get_by_role("link", name=f"Assign a reviewer to {case.number}"))
        expect(grace_page.locator("main")).to_contain_text("I consult for the drug's maker.")
        journey.check(grace_page, "coordinator-reassign")
        grace_page.get_by_label("Reviewer", exact=True).select_option(label="Dr. Mei Lin: Medical oncology")
        press(grace_page, "Assign")

        # ---- Dr. Lin attests, reads the file, writes the determination --------------------------
        reviewer_sign_in(journey, lin_page, lin.user, who="reviewer-2")
        follow(lin_page, lin_page.get_by_role("link", name=f"Conflict-of-interest check for {case.number}"))
        journey.check(lin_page, "reviewer-2-attestation")
        lin_page.get_by_label("I confirm the statement above is true for this case.").check()
        press(lin_page, "Sign the attestation and open the case")
        expect(lin_page.locator("h1")).to_contain_text(f"Case {case.number}")
        journey.check(lin_page, "reviewer-2-case-file")
        expect(lin_page.locator("main")).to_contain_text("third line of chemotherapy")
        # What was stored (uploads are checked and may be rewritten, e.g. a PDF's active content taken out).
        uploads = {
            name: case.documents.get(original_name=name).file.open("rb").read()
            for name in ("oncologist-letter.pdf", "pathology-report.pdf", "plan-criteria.pdf")
        }
        for name, data in uploads.items():
            assert download_pdf(lin_page, lin_page.get_by_role("link", name=name)) == data

        # The whole file as one PDF, built by the worker after the attestation opened the file.
        _wait_for_packet_link(lin_page, worker)
        journey.check(lin_page, "reviewer-2-packet-ready")
        packet_body = download_pdf(lin_page, lin_page.get_by_role("link", name="Download the case file (PDF)"))
        packet_pages = _page_texts(packet_body)
        # Every page of every uploaded PDF, in the order they arrived, after the index.
        document_pages = [text for data in uploads.values() for text in _page_texts(data)]
        assert len(document_pages) == 1 + 4 + 1
        cover = len(packet_pages) - len(document_pages)
        assert cover >= 1
        assert packet_pages[cover:] == document_pages
        index = " ".join(packet_pages[:cover])
        for text in (case.number, "Pembrolizumab for lung cancer", *uploads, "Enrollee", "Health plan"):
            assert text in index, text
        assert Packet.objects.get(case=case).page_count == len(packet_pages)
        follow(lin_page, lin_page.get_by_role("link", name="Write your determination"))
        journey.check(lin_page, "reviewer-2-determination")
        lin_page.get_by_label("Overturned: the plan must provide the service").check()
        lin_page.get_by_label("Your board certification").fill("American Board of Internal Medicine, Medical Oncology")
        lin_page.get_by_label("The question reviewed").fill(QUESTION)
        lin_page.get_by_label("Reasons for the determination").fill("It works.")
        lin_page.get_by_label("Medical evidence and literature cited").fill(EVIDENCE)
        press(lin_page, "Submit the determination")
        expect(lin_page.locator("#id_reasons_error")).to_contain_text("Write at least 60 characters")
        journey.check(lin_page, "reviewer-2-finding-too-short")
        lin_page.get_by_label("Reasons for the determination").fill(REASONS)
        press(lin_page, "Save the draft")
        expect(lin_page.locator(".plan-messages, .notices").first).to_contain_text("Draft saved")
        assert Determination.objects.get().submitted_at is None
        press(lin_page, "Submit the determination")
        expect(lin_page.locator(".plan-messages, .notices").first).to_contain_text("Determination submitted")
        journey.check(lin_page, "reviewer-2-submitted")

        # ---- clinical staff issue the decision ---------------------------------------------------
        staff_sign_in(journey, chen, clinical, who="clinical")
        staff_open_case(journey, chen, case, who="clinical")
        staff_move(journey, chen, "issue_imr_decision", who="clinical")
        letters = wait_for_letters(worker, case, "IMR_DECISION", "ENROLLEE", "PLAN")

        # ---- the enrollee reads the findings in her letter ---------------------------------------
        enrollee_sign_in(journey, rosa, case.filed_by.email)
        rosa.goto(f"/my/{case.number}/")
        journey.check(rosa, "enrollee-case-decided")
        body = download_pdf(rosa, rosa.get_by_role("link", name="Independent Medical Review decision"))
        assert body == letters["ENROLLEE"].pdf.open("rb").read()
        text = " ".join(pdf_text(body).split())
        for phrase in ("longer survival with pembrolizumab", "KEYNOTE-024", "Medical Oncology"):
            assert phrase in text, phrase
        # The letter lists the documents of the packet Dr. Lin received, in the packet's order.
        positions = [text.index(name) for name in uploads]
        assert positions == sorted(positions)

        # ---- the plan confirms it carried the decision out ---------------------------------------
        plan_sign_in(journey, plan_page, plan_user)
        journey.check(plan_page, "plan-queue-carry-out")
        expect(plan_page.locator("table.plan-queue")).to_contain_text("Carry out the decision and confirm it")
        follow(plan_page, plan_page.get_by_role("link", name=case.number).first)
        journey.check(plan_page, "plan-case-decided")
        plan_letter = download_pdf(plan_page, plan_page.get_by_role("link", name="IMR decision"))
        assert_is_stored_letter(plan_letter, letters["PLAN"])
        carried_out = plan_page.get_by_label("Date the plan carried out the decision", exact=True)
        carried_out.fill(timezone.localdate().isoformat())
        plan_page.get_by_label("Proof", exact=True).set_input_files(
            {"name": "authorization.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        press(plan_page, "Confirm it was carried out")
        expect(plan_page.locator(".plan-messages, .notices").first).to_contain_text("recorded as carried out")
        journey.check(plan_page, "plan-carried-out")

        # ---- beat's publication task opens the findings for review; a supervisor approves -------
        worker.send("imr.publish_portal_decisions")
        worker.wait(lambda: FindingsReview.objects.filter(case=case).exists(), "the worker to open the findings review")
        assert not PortalPublication.objects.filter(case=case).exists()  # nothing public before the approval
        staff_sign_in(journey, sam, supervisor, who="supervisor")
        sam.goto("/admin/imr/findingsreview/")
        journey.check(sam, "supervisor-findings-list")
        follow(sam, sam.get_by_role("link", name=case.number, exact=True))
        journey.check(sam, "supervisor-findings-side-by-side")
        expect(sam.locator(".findings-original").first).to_contain_text("longer survival with pembrolizumab")
        press(sam, "Approve and publish")
        expect(sam.locator(".messagelist")).to_contain_text("Approved and published")
        journey.check(sam, "supervisor-findings-approved")
        reference_id = PortalPublication.objects.get(case=case).reference_id
        case.refresh_from_db()

    # ---- a member of the public finds the decision on /decisions/ --------------------------------
    public.goto("/decisions/")
    journey.check(public, "public-decisions")
    public.get_by_label("From", exact=True).select_option(str(case.decided_at.astimezone(LOCAL_TZ).year))
    public.get_by_role("group", name="Decision").get_by_label("Overturned", exact=True).check()
    public.get_by_role("group", name="Type of review").get_by_label("Medical necessity", exact=True).check()
    follow(public, public.locator("form.decision-filters button[type=submit]"))
    journey.check(public, "public-decisions-found")
    follow(public, public.get_by_role("link", name=reference_id, exact=True))
    journey.check(public, "public-decision")
    expect(public.locator(".decision-outcome")).to_contain_text("Overturned")
    expect(public.locator(".decision-findings")).to_contain_text("longer survival with pembrolizumab")
    for identifying in (case.number, case.patient.last_name, case.patient.first_name, "Pembrolizumab for lung"):
        assert identifying not in public.content(), identifying

    case.refresh_from_db()
    assert case.status == Status.CARRIED_OUT
    assert case.carried_out_date == timezone.localdate()
    assert case.events.get(move="confirm_carried_out").actor == plan_user
    assert case.documents.get(original_name="authorization.pdf").source == Document.Source.PLAN
    assert case.clocks.get(name="IMR_IMPLEMENTATION").met_at is not None
    assert case.outcome == Outcome.OVERTURNED
    assert re.search(r"Reasons: .*longer survival", case.outcome_reasons)
    assignments = Assignment.objects.order_by("id").select_related("reviewer__user")
    assert [(a.reviewer.user.email, a.declined_at is None, a.attested_at is None) for a in assignments] == [
        ("ruiz@pacific.example.test", False, True),
        ("lin@pacific.example.test", True, False),
    ]
    assert case.events.get(move="record_determination").actor == lin.user
    assert case.clocks.get(name="IMRO_DETERMINATION").met_on_time
    assert timezone.now() > case.decided_at
    assert len(journey.screenshots) == journey.count
