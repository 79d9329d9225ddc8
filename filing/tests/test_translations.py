"""Spanish everywhere an enrollee looks: complete catalogs, and no English left on any page."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, HealthPlanFactory
from complaints.models import Status
from complaints.tests.drive import case_at
from complaints.tests.samples import PDF, WINDOWS_PROGRAM, docx
from complaints.uploads import UploadRejected, upload_check
from filing.labels import US_STATES
from filing.tests import answers
from filing.tests.answers import fill_draft, step_url
from filing.tests.catalogs import catalog_problems, has_nested_forms, po_entries, visible_texts

CATALOGS = [
    Path(settings.BASE_DIR) / "locale/es/LC_MESSAGES/django.po",
    Path(settings.BASE_DIR) / "filing/locale/es/LC_MESSAGES/django.po",
    Path(settings.BASE_DIR) / "accounts/locale/es/LC_MESSAGES/django.po",
]


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_every_message_of_the_spanish_catalogs_is_translated_and_none_is_fuzzy(path):
    assert catalog_problems(path.read_text()) == []


@pytest.mark.parametrize("path", CATALOGS[1:], ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_no_other_catalog_replaces_our_spanish(path):
    """Catalogs of apps listed earlier (and Django's admin) win for a message they share; then
    "Change" would show as their "Modificar" beside our text that says "Cambiar"."""
    replaced = []
    for entry in po_entries(path.read_text()):
        if entry["obsolete"] or not entry["msgid"] or entry["plural"]:
            continue
        with translation.override("es"):
            shown = (
                translation.pgettext(entry["context"], entry["msgid"])
                if entry["context"]
                else translation.gettext(entry["msgid"])
            )
        if shown != entry["msgstr"][0]:
            replaced.append(f"{entry['msgid']!r} shows as {shown!r}, not {entry['msgstr'][0]!r}")
    assert replaced == []


def test_the_nesting_check_finds_a_form_inside_a_form():
    assert has_nested_forms("<form><div><form></form></div></form>")
    assert not has_nested_forms("<form></form><form><button></button></form>")


def test_the_catalog_check_finds_fuzzy_and_empty_entries():
    planted = (
        '#, fuzzy\nmsgid "Hello"\nmsgstr "Hola"\n\n'
        'msgid "Bye"\nmsgstr ""\n\n'
        'msgid "One"\nmsgid_plural "Two"\nmsgstr[0] "Uno"\nmsgstr[1] ""\n'
    )
    assert catalog_problems(planted) == ["fuzzy: 'Hello'", "untranslated: 'Bye'", "untranslated: 'One'"]


@pytest.mark.parametrize(
    "data",
    [b"", WINDOWS_PROGRAM, b"%PDF-1.7\nnot readable", docx()[:-30], PDF * 10],
    ids=["empty", "program", "pdf-unreadable", "docx-unreadable", "too-large"],
)
def test_every_refusal_of_a_file_is_said_in_spanish(data, settings):
    settings.UPLOAD_MAX_FILE_BYTES = len(PDF) * 5
    messages = {}
    for language in ("en", "es"):
        with translation.override(language), pytest.raises(UploadRejected) as refused:
            upload_check(data)
        messages[language] = refused.value.message
    assert messages["es"] != messages["en"]


# Pieces that are the same in both languages: names of places and things, and the data of the test.
SAME_IN_BOTH = {
    "TDD",
    "TDD:",
    "Fax",
    "Error",
    "No",
    "PDF",
    "IMR",
    "English",
    "Español",
    "Medi-Cal",
    "Farsi",
    "bytes",
    "KB",
    "MB",
    "Sacramento, CA 95814-2725",
    "980 Ninth Street, Suite 500",
    *(str(name) for _, name in US_STATES),
}


def _english_left(
    client: Client, path: str, data_pieces: set[str], *, post: dict | None = None, status: int = 200
) -> set[str]:
    english = client.post(path, post) if post is not None else client.get(path)
    spanish = client.post(f"/es{path}", post) if post is not None else client.get(f"/es{path}")
    assert english.status_code == spanish.status_code == status, (path, english.status_code, spanish.status_code)
    assert '<html lang="es">' in spanish.text
    assert not has_nested_forms(english.text), path
    same = visible_texts(english.text) & visible_texts(spanish.text)
    return {
        piece
        for piece in same
        if piece not in SAME_IN_BOTH
        and not set(re.findall(r"[A-Za-z][A-Za-z-]+", piece)) <= SAME_IN_BOTH
        and not any(data in piece for data in data_pieces)
    }


PUBLIC_PAGES = [
    "/",
    "/guide/",
    "/contact/",
    "/guide/check/",
    "/guide/check/?urgent=no&grievance_filed=yes&grievance_filed_date_0=1&grievance_filed_date_1=2&"
    "grievance_filed_date_2=2020&plan_decided=yes&plan_decision_date_0=3&plan_decision_date_1=2&"
    "plan_decision_date_2=2020&denial_reason=MEDICAL_NECESSITY",
    "/guide/check/?urgent=yes&grievance_filed=no&denial_reason=COVERAGE_BILLING",
    "/guide/check/?urgent=no&grievance_filed=no&denial_reason=OTHER",
    "/guide/check/?urgent=maybe",
    "/file/",
    "/account/signup/",
    "/account/signin/",
    "/account/password/reset/",
    "/account/password/reset/sent/",
    "/account/signup/check-your-email/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_english_left_in_spanish(client, path):
    assert _english_left(client, path, set()) == set()


@pytest.mark.django_db
def test_error_pages_have_no_english_left_in_spanish(client):
    assert _english_left(client, "/no-such-page/", set(), status=404) == set()
    checking = Client(enforce_csrf_checks=True)  # a form sent without its check: refused
    assert _english_left(checking, "/contact/", set(), post={"name": "Rosa"}, status=403) == set()


@pytest.mark.django_db
def test_the_application_and_my_cases_have_no_english_left_in_spanish(client):
    plan = HealthPlanFactory(name="Golden State Health")
    enrollee = EnrolleeFactory(email="marta@example.test")
    client.login(username=enrollee.email, password=TEST_PASSWORD)
    draft = fill_draft(client, plan, relationship="AUTHORIZED_ASSISTANT")
    client.post(step_url(draft, "documents"), {"action": "upload", "kind": "BILL", "files": [_pdf("bill.pdf")]})
    data = {
        plan.name,
        enrollee.email,
        "bill.pdf",
        *answers.patient().values(),
        *answers.representative().values(),
        *answers.plan(plan).values(),
        *answers.problem().values(),
    }
    data = {piece for piece in data if isinstance(piece, str) and len(piece) > 2}
    pages = [step_url(draft, step) for step in ("who", "patient", "representative", "plan", "grievance", "problem")]
    pages += [step_url(draft, "documents"), step_url(draft, "review"), step_url(draft, "sign"), "/my/"]
    for path in pages:
        assert _english_left(client, path, data) == set(), path
    # An error page: every message of the summary and beside the fields.
    assert _english_left(client, step_url(draft, "patient"), data, post={"first_name": "\x00"}) == set()

    case = case_at(Status.RESPONSE_REQUESTED, enrollee=enrollee)
    data |= {case.number, case.plan_display_name, case.patient.full_name}
    for path in (f"/my/{case.number}/", f"/my/{case.number}/withdraw/"):
        assert _english_left(client, path, data) == set(), path


def _pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF)
