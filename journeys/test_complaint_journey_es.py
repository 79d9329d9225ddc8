"""A Consumer Complaint lived whole, with the enrollee in Spanish, in Chromium.

Rosa signs in on the Spanish pages and files about a bill her plan will not pay, with the bill
attached; the worker acknowledges the case and renders her letter in Spanish, which she opens in
"Mis casos". Ivy (intake) asks the plan for its response and Lee, at the plan, sends it. Ivy
triages the case as a Consumer Complaint (a billing dispute never goes to IMR) and assigns it to
the legal unit, to Leo; Rosa gets the letter saying so, in Spanish. Leo finds the case under
"assigned to me", decides it in Rosa's favour with a date the plan must act by, and the decision
letters appear for Rosa (Spanish) and the plan (English). Lee confirms the plan paid; Ivy closes
the case. Beat's publication task runs on the worker and publishes nothing: only IMR decisions
go to /decisions/, and the Spanish search page shows none.

Staff and plan pages are English only (docs/staff-admin.md, docs/plan-portal.md). Every letter
is rendered by a real Celery worker; every page is photographed under
test-artifacts/journey-complaint-es/ and checked with axe-core.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import StaffGroup
from accounts.tests.factories import EnrolleeFactory, HealthPlanFactory, PlanUserFactory, StaffFactory
from complaints.clocks import ClockName
from complaints.models import Case, Notice, Outcome, ReviewUnit, Status, Track
from complaints.tests.samples import PDF
from imr.models import PortalPublication, PublishedDecision
from journeys.support import (
    Journey,
    assert_is_stored_letter,
    download_pdf,
    enrollee_sign_in,
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

REASONS = "El plan debe pagar la factura de la consulta: el servicio está cubierto por su contrato."


def test_a_consumer_complaint_in_spanish_from_filing_to_closing(new_page, live_server, settings, tmp_path):
    isolate(settings, tmp_path)
    plan = HealthPlanFactory(name="Plan Valle Central")
    plan_user = PlanUserFactory(health_plan=plan, email="quejas@vallecentral.example.test", full_name="Lee Quejas")
    rosa_account = EnrolleeFactory(email="rosa@example.test", full_name="Rosa Delgado")
    intake = StaffFactory(groups=[StaffGroup.INTAKE], email="ivy@dmhc.example.test", full_name="Ivy Intake")
    legal = StaffFactory(groups=[StaffGroup.LEGAL], email="leo@dmhc.example.test", full_name="Leo Legal")
    journey = Journey("journey-complaint-es")
    rosa, ivy, leo, lee, public = new_page(locale="es-US"), new_page(), new_page(), new_page(), new_page(locale="es-US")
    today = timezone.localdate()
    carry_out_by = today + timedelta(days=14)

    with real_worker(tmp_path) as worker:
        # ---- Rosa signs in and files, in Spanish, with the bill --------------------------------
        rosa.goto("/es/")
        journey.check(rosa, "afiliada-inicio")
        enrollee_sign_in(journey, rosa, rosa_account.email, prefix="/es", button="Iniciar sesión", who="afiliada")
        rosa.goto("/es/file/")
        journey.check(rosa, "afiliada-presentar")
        press(rosa, "Empezar una solicitud nueva")
        journey.check(rosa, "afiliada-paso-quien")
        rosa.get_by_label(exactly("Soy el paciente")).check()
        press(rosa, "Guardar y continuar")
        journey.check(rosa, "afiliada-paso-paciente")
        rosa.get_by_label(exactly("Nombre")).fill("Rosa")
        rosa.get_by_label(exactly("Apellido")).fill("Delgado")
        rosa.get_by_label(exactly("Mujer")).check()
        fill_date(rosa, "birth_date", today.replace(year=today.year - 40) - timedelta(days=100))
        rosa.get_by_label(exactly("Dirección (calle y número)")).fill("1200 K Street")
        rosa.get_by_label(exactly("Ciudad")).fill("Sacramento")
        rosa.get_by_label(exactly("Código postal")).fill("95814")
        rosa.get_by_label(exactly("Número de teléfono")).fill("916-555-0100")
        rosa.get_by_role("group", name=re.compile("por correo electrónico")).get_by_label(exactly("No")).check()
        rosa.get_by_role("group", name=re.compile("que le hablemos en ese idioma")).get_by_label(exactly("Sí")).check()
        expect(rosa.get_by_label(exactly("Español"))).to_be_checked()
        press(rosa, "Guardar y continuar")
        journey.check(rosa, "afiliada-paso-plan")
        rosa.get_by_label(exactly("Plan de salud")).select_option(label="Plan Valle Central")
        rosa.get_by_label(exactly("Número de miembro (opcional)")).fill("VC-7781")
        press(rosa, "Guardar y continuar")
        journey.check(rosa, "afiliada-paso-queja-formal")
        rosa.get_by_role("group", name=re.compile("^¿Presentó una queja formal")).get_by_label(exactly("Sí")).check()
        fill_date(rosa, "grievance_filed_date", today - timedelta(days=60))
        rosa.get_by_role("group", name=re.compile("^¿El plan envió su decisión")).get_by_label(exactly("Sí")).check()
        fill_date(rosa, "plan_decision_date", today - timedelta(days=25))
        press(rosa, "Guardar y continuar")
        journey.check(rosa, "afiliada-paso-problema")
        rosa.get_by_label(exactly("Una factura, un reclamo de pago o un copago")).check()
        rosa.get_by_label(exactly("Mi plan no lo cubre, o es un problema de facturación")).check()
        rosa.get_by_label(re.compile(r"^\s*¿Qué negó, cambió o retrasó el plan")).fill(
            "Factura de una consulta con el especialista"
        )
        rosa.get_by_label(exactly("¿Qué pasó?")).fill("El plan dice que la consulta no está cubierta y no la paga.")
        rosa.get_by_label(exactly("¿Qué le gustaría que pasara?")).fill("Que el plan pague la factura.")
        rosa.get_by_role("group", name=re.compile("^¿Es urgente")).get_by_label(exactly("No")).check()
        rosa.get_by_role("group", name=re.compile("Audiencia Imparcial")).get_by_label(exactly("No")).check()
        press(rosa, "Guardar y continuar")
        journey.check(rosa, "afiliada-paso-documentos")
        rosa.get_by_label(exactly("¿Qué documentos son?")).select_option(label="Una factura")
        rosa.get_by_label(exactly("Elija los archivos")).set_input_files(
            {"name": "factura.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        press(rosa, "Agregar estos archivos")
        journey.check(rosa, "afiliada-documentos-agregados")
        expect(rosa.get_by_role("cell", name="factura.pdf", exact=True)).to_be_visible()
        press(rosa, "Guardar y continuar")
        journey.check(rosa, "afiliada-revision")
        follow(rosa, rosa.get_by_role("link", name="Continuar para firmar"))
        journey.check(rosa, "afiliada-firma")
        rosa.get_by_label(re.compile(r"^\s*Autorizo al plan de salud")).check()
        rosa.get_by_label(re.compile(r"^\s*La información de esta solicitud es verdadera")).check()
        rosa.get_by_label(exactly("Escriba su nombre completo para firmar")).fill("Rosa Delgado")
        press(rosa, "Firmar y enviar la solicitud")
        journey.check(rosa, "afiliada-enviada")
        expect(rosa.get_by_role("heading", name="Solicitud enviada")).to_be_visible()
        case = Case.objects.get()
        assert case.patient.letter_language == "es"
        assert list(case.documents.values_list("original_name", "kind")) == [("factura.pdf", "BILL")]

        # ---- the worker acknowledges; the Spanish letter appears in "Mis casos" ----------------
        acknowledgement = wait_for_letters(worker, case, "ACKNOWLEDGEMENT", "ENROLLEE")["ENROLLEE"]
        assert acknowledgement.language == "es"
        follow(rosa, rosa.get_by_role("link", name="Ver su caso"))
        journey.check(rosa, "afiliada-caso-recibido")
        body = download_pdf(rosa, rosa.get_by_role("link", name="Carta que confirma que recibimos su solicitud"))
        assert_is_stored_letter(body, acknowledgement)
        text = pdf_text(body)
        assert case.number in text
        assert "Página 1 de" in text

        # ---- intake asks the plan; the plan answers ---------------------------------------------
        staff_sign_in(journey, ivy, intake, who="intake")
        staff_open_case(journey, ivy, case, who="intake")
        staff_move(journey, ivy, "request_plan_response", who="intake")
        wait_for_letters(worker, case, "RESPONSE_REQUEST", "PLAN")

        plan_sign_in(journey, lee, plan_user)
        journey.check(lee, "plan-queue")
        follow(lee, lee.get_by_role("link", name=case.number).first)
        journey.check(lee, "plan-case")
        lee.get_by_label("The plan's written response", exact=True).fill(
            "Specialist visits need a referral under the member's contract; none was on file."
        )
        lee.get_by_label("Records and documents", exact=True).set_input_files(
            {"name": "claim-record.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        press(lee, "Send the response")
        expect(lee.locator(".plan-messages, .notices").first).to_contain_text("with 1 document")
        journey.check(lee, "plan-response-sent")

        # ---- intake: a Consumer Complaint, assigned to the legal unit ---------------------------
        ivy.reload()
        expect(ivy.locator(".case-summary")).to_contain_text("Plan response received")
        journey.check(ivy, "intake-case-with-response")
        staff_move(
            journey,
            ivy,
            "triage_complaint",
            who="intake",
            fill=lambda form: form.get_by_label(re.compile("^Reason for the triage decision")).fill(
                "A billing dispute over a specialist visit: reviewed as a Consumer Complaint."
            ),
        )
        conversion = wait_for_letters(worker, case, "COMPLAINT_CONVERSION", "ENROLLEE", "PLAN")
        assert conversion["ENROLLEE"].language == "es"

        def to_leo(form):
            form.get_by_label("Legal", exact=True).check()
            form.get_by_label("Assign to (optional)").select_option(label="Leo Legal (Legal)")

        staff_move(journey, ivy, "assign_review", who="intake", fill=to_leo)

        rosa.reload()
        journey.check(rosa, "afiliada-caso-queja")
        expect(rosa.get_by_text("Nuestro personal está revisando su queja.").first).to_be_visible()
        conversion_link = rosa.get_by_role("link", name="Carta: su caso se revisará como una Queja del Consumidor")
        assert_is_stored_letter(download_pdf(rosa, conversion_link), conversion["ENROLLEE"])

        # ---- legal decides in Rosa's favour -----------------------------------------------------
        staff_sign_in(journey, leo, legal, who="legal")
        leo.goto("/admin/complaints/case/")
        follow(leo, leo.locator("#changelist-filter").get_by_role("link", name="Me", exact=True))
        journey.check(leo, "legal-queue-assigned-to-me")
        follow(leo, leo.locator("#result_list").get_by_role("link", name=case.number, exact=True))
        journey.check(leo, "legal-case")

        def in_favour(form):
            form.get_by_label("Complaint: resolved in the enrollee's favour").check()
            form.get_by_label(re.compile("^Reasons for the decision")).fill(REASONS)
            form.get_by_label(re.compile("^The plan must carry it out by")).fill(carry_out_by.isoformat())

        staff_move(journey, leo, "decide_complaint", who="legal", fill=in_favour)
        decision = wait_for_letters(worker, case, "COMPLAINT_DECISION", "ENROLLEE", "PLAN")

        # ---- the decision letters appear for Rosa (Spanish) and the plan (English) -------------
        rosa.reload()
        journey.check(rosa, "afiliada-caso-decidido")
        expect(rosa.get_by_text("Le enviamos nuestra decisión.").first).to_be_visible()
        body = download_pdf(rosa, rosa.get_by_role("link", name="Decisión de la Queja del Consumidor"))
        assert_is_stored_letter(body, decision["ENROLLEE"])
        text = " ".join(pdf_text(body).split())
        assert "el servicio está cubierto por su contrato" in text
        assert "Página 1 de" in text
        assert decision["PLAN"].language == "en"

        lee.goto("/plan/")
        journey.check(lee, "plan-queue-carry-out")
        expect(lee.locator("table.plan-queue")).to_contain_text("Carry out the decision and confirm it")
        follow(lee, lee.get_by_role("link", name=case.number).first)
        journey.check(lee, "plan-case-decided")
        plan_letter = download_pdf(lee, lee.get_by_role("link", name="Consumer Complaint decision"))
        assert_is_stored_letter(plan_letter, decision["PLAN"])
        assert "Page 1 of" in pdf_text(plan_letter)

        # ---- the plan pays and says so; intake closes the case -----------------------------------
        lee.get_by_label("Date the plan carried out the decision", exact=True).fill(today.isoformat())
        lee.get_by_label("Proof", exact=True).set_input_files(
            {"name": "payment.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        press(lee, "Confirm it was carried out")
        expect(lee.locator(".plan-messages, .notices").first).to_contain_text("recorded as carried out")
        journey.check(lee, "plan-carried-out")

        ivy.reload()
        expect(ivy.locator(".case-summary")).to_contain_text("Carried out by the plan")
        journey.check(ivy, "intake-case-carried-out")
        staff_move(journey, ivy, "close", who="intake")
        rosa.reload()
        expect(rosa.get_by_text("Su caso está cerrado.").first).to_be_visible()
        journey.check(rosa, "afiliada-caso-cerrado")

        # ---- publication: only IMR decisions are published --------------------------------------
        before = worker.handled("imr.publish_portal_decisions")
        worker.send("imr.publish_portal_decisions")
        worker.wait(
            lambda: worker.handled("imr.publish_portal_decisions") > before, "the worker to run the publication task"
        )
        worker.wait(
            lambda: not Notice.objects.filter(case=case, sent_at__isnull=True).exists(), "every notice to be sent"
        )

    public.goto("/es/decisions/")
    journey.check(public, "publico-decisiones")
    assert not PortalPublication.objects.filter(case=case).exists()
    assert not PublishedDecision.objects.exists()

    # ---- what the people saw is what the records say ------------------------------------------
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.track == Track.COMPLAINT
    assert (case.review_unit, case.assigned_to) == (ReviewUnit.LEGAL, legal)
    assert case.outcome == Outcome.IN_FAVOUR
    assert case.carry_out_by_date == carry_out_by
    assert case.carried_out_date == today
    assert case.clocks.get(name=ClockName.COMPLAINT_DECISION).met_on_time
    assert list(case.events.filter(kind="MOVE").values_list("move", "actor__email")) == [
        ("acknowledge", None),
        ("request_plan_response", intake.email),
        ("receive_plan_response", plan_user.email),
        ("triage_complaint", intake.email),
        ("assign_review", intake.email),
        ("decide_complaint", legal.email),
        ("confirm_carried_out", plan_user.email),
        ("close", intake.email),
    ]
    assert sorted(case.letters.values_list("kind", "recipient", "language", "state")) == [
        ("ACKNOWLEDGEMENT", "ENROLLEE", "es", "ISSUED"),
        ("COMPLAINT_CONVERSION", "ENROLLEE", "es", "ISSUED"),
        ("COMPLAINT_CONVERSION", "PLAN", "en", "ISSUED"),
        ("COMPLAINT_DECISION", "ENROLLEE", "es", "ISSUED"),
        ("COMPLAINT_DECISION", "PLAN", "en", "ISSUED"),
        ("RESPONSE_REQUEST", "PLAN", "en", "ISSUED"),
    ]
    # Rosa was told of each of her letters by e-mail, in Spanish, by the worker.
    waiting = case.notices.filter(kind=Notice.Kind.LETTER_WAITING, recipients=[rosa_account.email])
    assert waiting.count() == 3
    assert all("tiene una carta esperándole" in notice.subject and notice.sent_at for notice in waiting)
    assert len(journey.screenshots) == journey.count
