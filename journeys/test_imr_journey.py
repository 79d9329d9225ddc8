"""An Independent Medical Review lived whole, by the people in it, in Chromium.

Ana signs up and files online with two documents; the worker acknowledges the case and renders the
letter, which she opens in My cases. Ivy (intake) asks the plan for its response; Lee, at the plan,
signs in with a code from the authenticator app, reads the request letter and sends the response
with records. Ivy triages the case as an IMR and sends it to the IMR organization; Dr. Chen
(clinical) records the determination, overturned, and issues the decision letters, which Ana and
the plan each open. Lee confirms the plan carried the decision out; Ivy closes the case. Beat's
publication task, sent to the worker, opens the findings for review; Sam (supervisor) compares them
with the de-identified text and approves them, and a member of the public finds the decision, with
its findings, on /decisions/.

Every letter is rendered by a real Celery worker, and each PDF downloaded through the portal is
checked against the checksum the worker stored. Every page is photographed under
test-artifacts/journey-imr/ and checked with axe-core.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import StaffGroup
from accounts.tests.factories import HealthPlanFactory, PlanUserFactory, StaffFactory
from complaints.clocks import LOCAL_TZ, ClockName
from complaints.models import Case, Document, Notice, Outcome, Status, Track
from complaints.tests.samples import PDF, PNG
from imr.models import FindingsReview, PortalPublication, PublishedDecision
from journeys.support import (
    Journey,
    assert_is_stored_letter,
    download_pdf,
    exactly,
    fill_date,
    follow,
    isolate,
    pdf_text,
    plan_sign_in,
    press,
    real_worker,
    staff_move,
    staff_open_case,
    staff_sign_in,
    wait_for_letters,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FINDINGS = "The reviewers found the insulin pump medically necessary for this patient."


def test_an_imr_case_from_filing_to_a_published_decision(new_page, live_server, settings, tmp_path):
    isolate(settings, tmp_path)
    plan_user = PlanUserFactory(
        health_plan=HealthPlanFactory(name="Golden State Health"),
        email="appeals@goldenstate.example.test",
        full_name="Lee Appeals",
    )
    intake = StaffFactory(groups=[StaffGroup.INTAKE], email="ivy@dmhc.example.test", full_name="Ivy Intake")
    clinical = StaffFactory(groups=[StaffGroup.CLINICAL], email="chen@dmhc.example.test", full_name="Dr. Chen")
    supervisor = StaffFactory(groups=[StaffGroup.SUPERVISOR], email="sam@dmhc.example.test", full_name="Sam Super")
    journey = Journey("journey-imr")
    ana, ivy, chen, lee, sam, public = new_page(), new_page(), new_page(), new_page(), new_page(), new_page()
    today = timezone.localdate()

    with real_worker(tmp_path) as worker:
        # ---- Ana signs up and files, with two documents ---------------------------------------
        ana.goto("/")
        journey.check(ana, "enrollee-home")
        ana.goto("/file/")
        journey.check(ana, "enrollee-file-start")
        follow(ana, ana.get_by_role("link", name="Create an account").first)
        journey.check(ana, "enrollee-sign-up")
        ana.get_by_label(exactly("Your full name")).fill("Ana Reyes")
        ana.get_by_label(exactly("E-mail address")).fill("ana@example.test")
        ana.get_by_label(exactly("Create a password")).fill("river candle maple orbit")
        ana.get_by_label(exactly("Type the password again")).fill("river candle maple orbit")
        press(ana, "Create the account")
        journey.check(ana, "enrollee-check-your-email")
        link = worker.email_link("ana@example.test", "/account/verify/")
        ana.goto(link.removeprefix(settings.PORTAL_BASE_URL))
        expect(ana).to_have_url(re.compile(r"/file/$"))
        journey.check(ana, "enrollee-signed-in")
        press(ana, "Start a new application")

        journey.check(ana, "enrollee-step-who")
        ana.get_by_label(exactly("I am the patient")).check()
        press(ana, "Save and continue")
        journey.check(ana, "enrollee-step-patient")
        ana.get_by_label(exactly("First name")).fill("Ana")
        ana.get_by_label(exactly("Last name")).fill("Reyes")
        ana.get_by_label(exactly("Female")).check()
        fill_date(ana, "birth_date", today.replace(year=today.year - 51) - timedelta(days=40))
        ana.get_by_label(exactly("Street address")).fill("12 Palm Avenue")
        ana.get_by_label(exactly("City")).fill("Fresno")
        ana.get_by_label(exactly("ZIP code")).fill("93721")
        ana.get_by_label(exactly("Phone number")).fill("559-555-0142")
        ana.get_by_role("group", name="May we contact the patient by e-mail?").get_by_label(exactly("No")).check()
        ana.get_by_role("group", name=re.compile("speak with them in that language")).get_by_label(
            "No", exact=True
        ).check()
        press(ana, "Save and continue")
        journey.check(ana, "enrollee-step-plan")
        ana.get_by_label(exactly("Health plan")).select_option(label="Golden State Health")
        ana.get_by_label(exactly("Member ID (optional)")).fill("GS-5521")
        press(ana, "Save and continue")
        journey.check(ana, "enrollee-step-grievance")
        ana.get_by_role("group", name=re.compile("^Have you filed a grievance")).get_by_label(exactly("Yes")).check()
        fill_date(ana, "grievance_filed_date", today - timedelta(days=50))
        ana.get_by_role("group", name=re.compile("^Has the plan sent")).get_by_label(exactly("Yes")).check()
        fill_date(ana, "plan_decision_date", today - timedelta(days=20))
        press(ana, "Save and continue")
        journey.check(ana, "enrollee-step-problem")
        ana.get_by_label(exactly("I cannot get a medicine or a treatment")).check()
        ana.get_by_label(exactly("It is not medically necessary")).check()
        ana.get_by_label(re.compile("What did the plan deny")).fill("Insulin pump")
        ana.get_by_label(exactly("What happened?")).fill("My doctor prescribed an insulin pump. The plan said no.")
        ana.get_by_label(exactly("What would you like to happen?")).fill("Approve the pump.")
        ana.get_by_role("group", name=re.compile("^Is it urgent")).get_by_label(exactly("No")).check()
        ana.get_by_role("group", name=re.compile("State Fair Hearing")).get_by_label(exactly("No")).check()
        press(ana, "Save and continue")
        journey.check(ana, "enrollee-step-documents")
        ana.get_by_label(exactly("What are these documents?")).select_option(label="The plan's denial letter")
        ana.get_by_label(exactly("Choose files")).set_input_files(
            [
                {"name": "denial.pdf", "mimeType": "application/pdf", "buffer": PDF},
                {"name": "prescription.png", "mimeType": "image/png", "buffer": PNG},
            ]
        )
        press(ana, "Add these files")
        journey.check(ana, "enrollee-documents-added")
        press(ana, "Save and continue")
        journey.check(ana, "enrollee-review")
        follow(ana, ana.get_by_role("link", name="Continue to sign"))
        journey.check(ana, "enrollee-sign")
        ana.get_by_label(re.compile(r"^\s*I allow the patient's health plan")).check()
        ana.get_by_label(re.compile(r"^\s*The information in this application is true")).check()
        ana.get_by_label(exactly("Type your full name to sign")).fill("Ana Reyes")
        press(ana, "Sign and send the application")
        journey.check(ana, "enrollee-sent")
        case = Case.objects.get()
        expect(ana.locator(".case-number")).to_have_text(case.number)
        assert sorted(case.documents.values_list("original_name", flat=True)) == ["denial.pdf", "prescription.png"]

        # ---- the worker acknowledges; the letter appears in My cases ---------------------------
        acknowledgement = wait_for_letters(worker, case, "ACKNOWLEDGEMENT", "ENROLLEE")["ENROLLEE"]
        follow(ana, ana.get_by_role("link", name="See your case"))
        journey.check(ana, "enrollee-case-acknowledged")
        letter_link = ana.get_by_role("link", name="Letter confirming we received your application")
        expect(letter_link).to_be_visible()
        body = download_pdf(ana, letter_link)
        assert_is_stored_letter(body, acknowledgement)
        assert case.number in pdf_text(body)
        assert worker.handled("complaints.case_acknowledge") >= 1
        assert worker.handled("complaints.letter_render") >= 1

        # ---- intake asks the plan for its response --------------------------------------------
        staff_sign_in(journey, ivy, intake, who="intake")
        staff_open_case(journey, ivy, case, who="intake")
        staff_move(journey, ivy, "request_plan_response", who="intake")
        request_letter = wait_for_letters(worker, case, "RESPONSE_REQUEST", "PLAN")["PLAN"]

        # ---- the plan reads the request and sends its response with records -------------------
        plan_sign_in(journey, lee, plan_user)
        journey.check(lee, "plan-queue")
        expect(lee.locator("table.plan-queue")).to_contain_text(case.number)
        follow(lee, lee.get_by_role("link", name=case.number).first)
        journey.check(lee, "plan-case")
        request_link = lee.get_by_role("link", name="Request for written response")
        assert_is_stored_letter(download_pdf(lee, request_link), request_letter)
        lee.get_by_label("The plan's written response", exact=True).fill(
            "The pump was denied under our durable equipment criteria."
        )
        lee.get_by_label("Records and documents", exact=True).set_input_files(
            [
                {"name": "response.pdf", "mimeType": "application/pdf", "buffer": PDF},
                {"name": "criteria.pdf", "mimeType": "application/pdf", "buffer": PDF},
            ]
        )
        press(lee, "Send the response")
        expect(lee.locator(".plan-messages, .notices").first).to_contain_text("with 2 documents")
        journey.check(lee, "plan-response-sent")

        # ---- intake triages it as an IMR and sends it to the IMR organization ------------------
        ivy.reload()
        expect(ivy.locator(".case-summary")).to_contain_text("Plan response received")
        journey.check(ivy, "intake-case-with-response")
        staff_move(
            journey,
            ivy,
            "triage_imr",
            who="intake",
            fill=lambda form: form.get_by_label(re.compile("^Reason for the triage decision")).fill(
                "Medical necessity denial after a decided grievance."
            ),
        )
        wait_for_letters(worker, case, "IMR_ELIGIBILITY", "ENROLLEE", "PLAN")
        # The file goes to an organization outside the portal, on paper (journeys/test_review_journey.py
        # follows one sent to an organization in the portal).
        staff_move(
            journey,
            ivy,
            "send_to_imr",
            who="intake",
            fill=lambda form: form.get_by_label("Independent review organization").select_option("paper"),
        )

        # ---- clinical staff record the determination and issue the decision letters -----------
        staff_sign_in(journey, chen, clinical, who="clinical")
        staff_open_case(journey, chen, case, who="clinical")

        def overturned(form):
            form.get_by_label("IMR: plan's decision overturned").check()
            form.get_by_label(re.compile("^Findings of the IMR organization")).fill(FINDINGS)

        staff_move(journey, chen, "record_determination", who="clinical", fill=overturned)
        staff_move(journey, chen, "issue_imr_decision", who="clinical")
        decision_letters = wait_for_letters(worker, case, "IMR_DECISION", "ENROLLEE", "PLAN")

        # ---- the decision letters appear for Ana and for the plan ------------------------------
        ana.reload()
        journey.check(ana, "enrollee-case-decided")
        expect(ana.get_by_text("We have sent you our decision.").first).to_be_visible()
        body = download_pdf(ana, ana.get_by_role("link", name="Independent Medical Review decision"))
        assert_is_stored_letter(body, decision_letters["ENROLLEE"])
        assert "insulin pump medically necessary" in " ".join(pdf_text(body).split())

        lee.goto("/plan/")
        journey.check(lee, "plan-queue-carry-out")
        expect(lee.locator("table.plan-queue")).to_contain_text("Carry out the decision and confirm it")
        follow(lee, lee.get_by_role("link", name=case.number).first)
        journey.check(lee, "plan-case-decided")
        plan_letter_link = lee.get_by_role("link", name="IMR decision")
        assert_is_stored_letter(download_pdf(lee, plan_letter_link), decision_letters["PLAN"])

        # ---- the plan confirms it carried the decision out ------------------------------------
        lee.get_by_label("Date the plan carried out the decision", exact=True).fill(today.isoformat())
        lee.get_by_label("Proof", exact=True).set_input_files(
            {"name": "authorization.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        press(lee, "Confirm it was carried out")
        expect(lee.locator(".plan-messages, .notices").first).to_contain_text("recorded as carried out")
        journey.check(lee, "plan-carried-out")

        # ---- intake closes the case -------------------------------------------------------------
        ivy.reload()
        expect(ivy.locator(".case-summary")).to_contain_text("Carried out by the plan")
        journey.check(ivy, "intake-case-carried-out")
        staff_move(
            journey, ivy, "close", who="intake", fill=lambda form: form.get_by_label("Closure note").fill("Done.")
        )
        ana.reload()
        expect(ana.get_by_text("Your case is closed.").first).to_be_visible()
        journey.check(ana, "enrollee-case-closed")

        # ---- beat's publication task opens the findings for review; a supervisor approves -------
        worker.send("imr.publish_portal_decisions")
        worker.wait(lambda: FindingsReview.objects.filter(case=case).exists(), "the worker to open the findings review")
        assert not PortalPublication.objects.filter(case=case).exists()  # nothing public before the approval
        staff_sign_in(journey, sam, supervisor, who="supervisor")
        sam.goto("/admin/imr/findingsreview/")
        journey.check(sam, "supervisor-findings-list")
        follow(sam, sam.get_by_role("link", name=case.number, exact=True))
        journey.check(sam, "supervisor-findings-side-by-side")
        expect(sam.locator(".findings-original").first).to_contain_text(FINDINGS)
        expect(sam.get_by_label("Findings to publish")).to_have_value(FINDINGS)
        press(sam, "Approve and publish")
        expect(sam.locator(".messagelist")).to_contain_text("Approved and published")
        journey.check(sam, "supervisor-findings-approved")
        reference_id = PortalPublication.objects.get(case=case).reference_id
        case.refresh_from_db()

        # The letters told Ana each time (the worker sends the e-mails).
        worker.wait(
            lambda: not Notice.objects.filter(case=case, sent_at__isnull=True).exists(), "every notice to be sent"
        )

    # ---- a member of the public finds the decision on /decisions/ ----------------------------
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
    expect(public.locator(".decision-findings")).to_contain_text(FINDINGS)
    for identifying in (case.number, "Reyes", "GS-5521", "Insulin pump"):
        assert identifying not in public.content()

    # ---- what the people saw is what the records say ------------------------------------------
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.track == Track.IMR
    assert case.outcome == Outcome.OVERTURNED
    assert case.carried_out_date == today
    assert case.clocks.get(name=ClockName.PLAN_RESPONSE).met_on_time
    assert case.clocks.get(name=ClockName.IMR_IMPLEMENTATION).met_at is not None
    assert case.documents.filter(source=Document.Source.PLAN).count() == 3
    assert list(case.events.filter(kind="MOVE").values_list("move", "actor__email")) == [
        ("acknowledge", None),
        ("request_plan_response", intake.email),
        ("receive_plan_response", plan_user.email),
        ("triage_imr", intake.email),
        ("send_to_imr", intake.email),
        ("record_determination", clinical.email),
        ("issue_imr_decision", clinical.email),
        ("confirm_carried_out", plan_user.email),
        ("close", intake.email),
    ]
    assert sorted(case.letters.values_list("kind", "recipient", "state")) == [
        ("ACKNOWLEDGEMENT", "ENROLLEE", "ISSUED"),
        ("IMR_DECISION", "ENROLLEE", "ISSUED"),
        ("IMR_DECISION", "PLAN", "ISSUED"),
        ("IMR_ELIGIBILITY", "ENROLLEE", "ISSUED"),
        ("IMR_ELIGIBILITY", "PLAN", "ISSUED"),
        ("RESPONSE_REQUEST", "PLAN", "ISSUED"),
    ]
    decision = PublishedDecision.objects.get(reference_id=reference_id)
    assert (decision.determination, decision.decision_type, decision.gender) == (
        "OVERTURNED",
        "MEDICAL_NECESSITY",
        "FEMALE",
    )
    assert len(journey.screenshots) == journey.count
