"""A person files in Chromium, as they would: English with two attachments after checking they
can apply and creating an account; Spanish as an authorized assistant with both signatures;
leaving halfway and resuming on another device. axe-core checks every page; each page is
photographed under test-artifacts/."""

import re
import shutil
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, HealthPlanFactory
from complaints.models import Case, FilerRelationship
from complaints.tests.samples import PDF, PDF_WITH_JAVASCRIPT, PNG
from filing.models import FilingDraft
from helpcenter.browser import ARTIFACTS_DIR, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _parts(day) -> tuple[str, str, str]:
    return str(day.month), str(day.day), str(day.year)


# A grievance filed 50 days ago and decided 20 days ago: well inside the 6-month window.
FILED = _parts(timezone.localdate() - timedelta(days=50))
DECIDED = _parts(timezone.localdate() - timedelta(days=20))


class Visit:
    """Checks every page the person sees, and saves its picture in order."""

    def __init__(self, page, folder: str):
        shutil.rmtree(ARTIFACTS_DIR / folder, ignore_errors=True)
        self.page = page
        self.folder = folder
        self.count = 0

    def check(self, name: str):
        self.count += 1
        assert_accessible(self.page, f"{self.count:02d}-{name}", folder=self.folder)

    def press(self, button: str):
        self.follow(self.page.get_by_role("button", name=button, exact=True))

    def follow(self, locator):
        """Click something that loads a new page, and wait until it has."""
        with self.page.expect_navigation():
            locator.click()


def exactly(text: str) -> re.Pattern:
    """A label as written (crispy adds a hidden "*" to required ones, which no one sees or hears)."""
    return re.compile(r"^\s*" + re.escape(text) + r"\*?\s*$")


def _date(page, name: str, month: str, day: str, year: str):
    page.locator(f"#id_{name}_0").fill(month)
    page.locator(f"#id_{name}_1").fill(day)
    page.locator(f"#id_{name}_2").fill(year)


def _sign_in(page, email: str, *, prefix: str = "", button: str = "Sign in"):
    page.goto(f"{prefix}/account/signin/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name=button).click()


def test_a_new_person_checks_signs_up_and_files_a_case_with_two_attachments(page, live_server, settings):
    HealthPlanFactory(name="Golden State Health")
    visit = Visit(page, "english")

    page.goto("/")
    visit.check("home")
    # The keyboard reaches the skip link first, and it leads into the page.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    visit.follow(page.get_by_role("link", name="Check if you can apply now").first)
    visit.check("check")
    visit.press("See the answer")
    visit.check("check-errors")
    expect(page.locator(".error-summary")).to_be_focused()
    page.get_by_role("group", name=re.compile("^Is it urgent")).get_by_label(exactly("No")).check()
    page.get_by_role("group", name=re.compile("^Have you filed a grievance")).get_by_label(exactly("Yes")).check()
    _date(page, "grievance_filed_date", *FILED)
    page.get_by_role("group", name=re.compile("^If yes: has your plan sent")).get_by_label(exactly("Yes")).check()
    _date(page, "plan_decision_date", *DECIDED)
    page.get_by_label(exactly("It is not medically necessary")).check()
    visit.press("See the answer")
    visit.check("check-result")
    expect(page.get_by_role("heading", name="You can apply now")).to_be_visible()
    visit.follow(page.get_by_role("link", name="Start your application"))

    visit.check("start")
    visit.follow(page.get_by_role("link", name="Create an account").first)
    visit.check("sign-up")
    page.get_by_label(exactly("Your full name")).fill("Ana Reyes")
    page.get_by_label(exactly("E-mail address")).fill("ana@example.test")
    page.get_by_label(exactly("Create a password")).fill("river candle maple orbit")
    page.get_by_label(exactly("Type the password again")).fill("river candle maple orbit")
    visit.press("Create the account")
    visit.check("check-your-email")
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(link.removeprefix(settings.PORTAL_BASE_URL))
    expect(page).to_have_url(re.compile(r"/file/$"))
    visit.press("Start a new application")

    visit.check("who")
    page.get_by_label(exactly("I am the patient")).check()
    visit.press("Save and continue")

    visit.check("patient")
    visit.press("Save and continue")
    visit.check("patient-errors")
    expect(page.locator(".error-summary")).to_be_focused()
    page.locator(".error-summary").get_by_role("link", name="Enter the first name.").click()  # same page
    expect(page.locator("#id_first_name")).to_be_focused()
    page.keyboard.type("Ana")
    page.get_by_label(exactly("Last name")).fill("Reyes")
    page.get_by_label(exactly("Female")).check()
    _date(page, "birth_date", "7", "19", "1975")
    page.get_by_label(exactly("Street address")).fill("12 Palm Avenue")
    page.get_by_label(exactly("City")).fill("Fresno")
    page.get_by_label(exactly("ZIP code")).fill("93721")
    page.get_by_label(exactly("Phone number")).fill("559-555-0142")
    page.get_by_role("group", name="May we contact the patient by e-mail?").get_by_label(exactly("No")).check()
    page.get_by_role("group", name=re.compile("speak with them in that language")).get_by_label(
        "No", exact=True
    ).check()
    visit.press("Save and continue")

    visit.check("plan")
    page.get_by_label(exactly("Health plan")).select_option(label="Golden State Health")
    page.get_by_label(exactly("Member ID (optional)")).fill("GS-5521")
    visit.press("Save and continue")

    visit.check("grievance")
    page.get_by_role("group", name=re.compile("^Have you filed a grievance")).get_by_label(exactly("Yes")).check()
    _date(page, "grievance_filed_date", *FILED)
    page.get_by_role("group", name=re.compile("^Has the plan sent")).get_by_label(exactly("Yes")).check()
    _date(page, "plan_decision_date", *DECIDED)
    visit.press("Save and continue")

    visit.check("problem")
    page.get_by_label(exactly("I cannot get a medicine or a treatment")).check()
    page.get_by_label(exactly("It is not medically necessary")).check()
    page.get_by_label(re.compile("What did the plan deny")).fill("Insulin pump")
    page.get_by_label(exactly("What happened?")).fill("My doctor prescribed an insulin pump. The plan said no.")
    page.get_by_label(exactly("What would you like to happen?")).fill("Approve the pump.")
    page.get_by_role("group", name=re.compile("^Is it urgent")).get_by_label(exactly("No")).check()
    page.get_by_role("group", name=re.compile("State Fair Hearing")).get_by_label(exactly("No")).check()
    visit.press("Save and continue")

    visit.check("documents")
    page.get_by_label(exactly("What are these documents?")).select_option(label="The plan's denial letter")
    page.get_by_label(exactly("Choose files")).set_input_files(
        [
            {"name": "denial.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "pump-photo.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "plan-form.pdf", "mimeType": "application/pdf", "buffer": PDF_WITH_JAVASCRIPT},
        ]
    )
    visit.press("Add these files")
    # The page with the note beside the disarmed file is checked by axe like every other.
    visit.check("documents-added")
    expect(page.get_by_role("cell", name="denial.pdf", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="pump-photo.png", exact=True)).to_be_visible()
    expect(
        page.get_by_role("cell", name=re.compile(r"^plan-form\.pdf\s+We removed parts of this file"))
    ).to_be_visible()
    visit.press("Save and continue")

    visit.check("review")
    expect(page.get_by_text("Insulin pump", exact=True)).to_be_visible()
    visit.follow(page.get_by_role("link", name="Continue to sign"))
    visit.check("sign")
    page.get_by_label(re.compile(r"^\s*I allow the patient's health plan")).check()
    page.get_by_label(re.compile(r"^\s*The information in this application is true")).check()
    page.get_by_label(exactly("Type your full name to sign")).fill("Ana Reyes")
    visit.press("Sign and send the application")

    visit.check("done")
    case = Case.objects.get()
    expect(page.locator(".case-number")).to_have_text(case.number)
    assert case.documents.count() == 3
    assert case.member_id == "GS-5521"
    visit.follow(page.get_by_role("link", name="See your case"))
    visit.check("my-case")
    expect(page.get_by_text("We received your application.").first).to_be_visible()
    visit.follow(page.get_by_role("link", name="All my cases"))
    visit.check("my-cases")
    expect(page.get_by_role("link", name=f"Case {case.number}")).to_be_visible()


def test_an_authorized_assistant_files_in_spanish_with_both_signatures(page, live_server):
    HealthPlanFactory(name="Plan Valle Central")
    assistant = EnrolleeFactory(email="marta@example.test", full_name="Marta Delgado")
    visit = Visit(page, "spanish-assistant")
    _sign_in(page, assistant.email, prefix="/es", button="Iniciar sesión")
    page.goto("/es/file/")
    visit.check("inicio")
    visit.press("Empezar una solicitud nueva")

    visit.check("quien")
    page.get_by_label(re.compile(r"^\s*Ayudo al paciente como su asistente autorizado")).check()
    visit.press("Guardar y continuar")

    visit.check("paciente")
    page.get_by_label(exactly("Nombre")).fill("Rosa")
    page.get_by_label(exactly("Apellido")).fill("Delgado")
    page.get_by_label(exactly("Mujer")).check()
    _date(page, "birth_date", "4", "2", "1948")
    page.get_by_label(exactly("Dirección (calle y número)")).fill("1200 K Street")
    page.get_by_label(exactly("Ciudad")).fill("Sacramento")
    page.get_by_label(exactly("Código postal")).fill("95814")
    page.get_by_label(exactly("Número de teléfono")).fill("916-555-0100")
    page.get_by_role("group", name=re.compile("por correo electrónico")).get_by_label(exactly("No")).check()
    page.get_by_role("group", name=re.compile("que le hablemos en ese idioma")).get_by_label(exactly("Sí")).check()
    expect(page.get_by_label(exactly("Español"))).to_be_checked()
    visit.press("Guardar y continuar")

    visit.check("asistente")
    page.get_by_label(exactly("Su nombre completo")).fill("Marta Delgado")
    page.get_by_label(exactly("Su relación con el paciente")).fill("Hija")
    page.get_by_label(exactly("Dirección (calle y número)")).fill("55 Oak Avenue")
    page.get_by_label(exactly("Ciudad")).fill("Fresno")
    page.get_by_label(exactly("Código postal")).fill("93721")
    page.get_by_label(exactly("Número de teléfono")).fill("(559) 555-0199")
    page.get_by_role("group", name=re.compile("poder legal")).get_by_label(exactly("No")).check()
    visit.press("Guardar y continuar")
    visit.check("asistente-errores")
    page.get_by_label(exactly("Paciente: escriba su nombre completo para firmar")).fill("Rosa Delgado")
    page.get_by_label(exactly("Asistente autorizado: escriba su nombre completo para firmar")).fill("Marta Delgado")
    visit.press("Guardar y continuar")

    visit.check("plan")
    page.get_by_label(exactly("Plan de salud")).select_option(label="Plan Valle Central")
    visit.press("Guardar y continuar")

    visit.check("queja-formal")
    page.get_by_role("group", name=re.compile("^¿Presentó una queja formal")).get_by_label(exactly("No")).check()
    visit.press("Guardar y continuar")

    visit.check("problema")
    page.get_by_label(exactly("Una factura por atención de emergencia o urgente")).check()
    page.get_by_label(exactly("No quiere pagar la atención de emergencia o urgente que recibí")).check()
    page.get_by_label(re.compile(r"^\s*¿Qué negó, cambió o retrasó el plan")).fill("Factura de la sala de emergencias")
    page.get_by_label(exactly("¿Qué pasó?")).fill("Fui a emergencias con dolor de pecho y el plan no quiere pagar.")
    page.get_by_label(exactly("¿Qué le gustaría que pasara?")).fill("Que el plan pague la factura.")
    page.get_by_role("group", name=re.compile("^¿Es urgente")).get_by_label(exactly("No")).check()
    page.get_by_role("group", name=re.compile("Audiencia Imparcial")).get_by_label(exactly("No")).check()
    visit.press("Guardar y continuar")

    visit.check("documentos")
    visit.press("Guardar y continuar")
    visit.check("revision")
    visit.follow(page.get_by_role("link", name="Continuar para firmar"))
    visit.check("firma")
    page.get_by_label(re.compile(r"^\s*Autorizo al plan de salud")).check()
    page.get_by_label(re.compile(r"^\s*La información de esta solicitud es verdadera")).check()
    page.get_by_label(exactly("Escriba su nombre completo para firmar")).fill("Marta Delgado")
    visit.press("Firmar y enviar la solicitud")

    visit.check("enviada")
    expect(page.get_by_role("heading", name="Solicitud enviada")).to_be_visible()
    case = Case.objects.get()
    assert case.filer_relationship == FilerRelationship.AUTHORIZED_ASSISTANT
    assert case.filed_by == assistant
    assert case.representative.patient_signed_name == "Rosa Delgado"
    assert case.representative.assistant_signed_name == "Marta Delgado"
    assert case.patient.letter_language == "es"
    visit.follow(page.get_by_role("link", name="Ver su caso"))
    visit.check("mi-caso")
    expect(page.get_by_text("Recibimos su solicitud.").first).to_be_visible()


def test_a_person_leaves_halfway_and_resumes_on_another_device(page, new_page, live_server):
    HealthPlanFactory(name="Golden State Health")
    person = EnrolleeFactory(email="lee@example.test")
    visit = Visit(page, "resume")
    _sign_in(page, person.email)
    page.goto("/file/")
    visit.press("Start a new application")
    page.get_by_label(exactly("I am the patient")).check()
    visit.press("Save and continue")
    page.get_by_label(exactly("First name")).fill("Lee")
    page.get_by_label(exactly("Last name")).fill("Chen")
    page.get_by_label(exactly("Male")).check()
    _date(page, "birth_date", "12", "1", "1980")
    page.get_by_label(exactly("Street address")).fill("9 Pine Road")
    page.get_by_label(exactly("City")).fill("Oakland")
    page.get_by_label(exactly("ZIP code")).fill("94607")
    page.get_by_label(exactly("Phone number")).fill("510-555-0110")
    page.get_by_role("group", name="May we contact the patient by e-mail?").get_by_label(exactly("No")).check()
    page.get_by_role("group", name=re.compile("speak with them in that language")).get_by_label(
        "No", exact=True
    ).check()
    visit.press("Save and continue")
    visit.check("plan-before-leaving")
    page.context.close()

    other_device = new_page()
    visit = Visit(other_device, "resume-other-device")
    _sign_in(other_device, person.email)
    visit.check("my-cases-with-draft")
    visit.follow(other_device.get_by_role("link", name="Continue this application"))
    expect(other_device).to_have_url(re.compile(r"/plan/$"))
    visit.check("resumed-at-plan")
    visit.follow(other_device.get_by_role("link", name="Back"))
    expect(other_device.get_by_label(exactly("First name"))).to_have_value("Lee")
    expect(other_device.locator("#id_birth_date_2")).to_have_value("1980")
    visit.check("patient-answers-kept")
    assert FilingDraft.objects.get().answers["patient"]["city"] == "Oakland"
