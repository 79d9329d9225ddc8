"""An IMR at an independent review organization, lived in Chromium with a real worker.

The case (filed online, the plan's response in, triaged as an IMR: journeys/test_imr_journey.py
lives those steps in the browser) is sent by Ivy (intake) to Pacific Review, asking for an
oncologist. Grace, the coordinator, assigns Dr. Ruiz, who declines (she consults for the
drug's maker); Grace assigns Dr. Lin, who signs the conflict-of-interest attestation, opens the
enrollee's and the plan's documents, is told her first findings are too short, keeps a draft,
and submits the determination. Dr. Chen (clinical) issues the decision; the worker renders the
letters; the enrollee reads the findings in her decision letter.

Every page is photographed under test-artifacts/journey-review/ and checked with axe-core.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import StaffGroup
from accounts.tests.factories import StaffFactory
from complaints.models import Document, Outcome, Status
from complaints.services.documents import document_add
from complaints.services.plan_responses import plan_response_submit
from complaints.tests.drive import case_at
from complaints.tests.samples import PDF
from journeys.support import (
    Journey,
    download_pdf,
    enrollee_sign_in,
    follow,
    isolate,
    pdf_text,
    press,
    real_worker,
    reviewer_sign_in,
    staff_move,
    staff_open_case,
    staff_sign_in,
    wait_for_letters,
)
from review.models import Assignment, Determination
from review.tests.factories import OrganizationFactory, coordinator, reviewer

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

QUESTION = "Is pembrolizumab likely to be more beneficial for this enrollee than the standard chemotherapy?"
REASONS = (
    "The tumour expresses PD-L1 and two lines of standard chemotherapy failed; the phase 3 evidence "
    "shows longer survival with pembrolizumab than with further chemotherapy for such patients."
)
EVIDENCE = "KEYNOTE-024 (Reck et al., NEJM 2016); NCCN Guidelines, Non-Small Cell Lung Cancer, version 3.2026."


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
    ivy, grace_page, ruiz_page, lin_page, chen, rosa = (new_page() for _ in range(6))

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
        for name in ("oncologist-letter.pdf", "plan-criteria.pdf"):
            assert download_pdf(lin_page, lin_page.get_by_role("link", name=name)) == PDF
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

    case.refresh_from_db()
    assert case.status == Status.DECISION_ISSUED
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
