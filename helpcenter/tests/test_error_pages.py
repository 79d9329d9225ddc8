"""The pages people meet when something goes wrong: in their language, in plain words, with the
way to a person, and saying nothing about whether someone else's case or application exists."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import get_resolver

from accounts.models import StaffGroup
from accounts.tests.factories import EnrolleeFactory, StaffFactory
from filing.services import draft_start
from helpcenter import views
from helpcenter.browser import axe_violations, screenshot, violations_text
from twofactor.testing import sign_in_verified

PHONE, TDD = "1-888-466-2219", "1-877-688-9891"


def _main(html: str) -> str:
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def _language(html: str) -> str:
    return re.search(r'<html lang="([a-z]+)">', html).group(1)


def _break_home(*args, **kwargs):
    raise RuntimeError("the home page broke")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "heading"), [("", "We cannot find that page"), ("/es", "No encontramos esa página")]
)
def test_a_missing_page_says_so_in_the_visitors_language_with_the_phone(client, prefix, heading):
    response = client.get(f"{prefix}/no-such-page/")
    assert response.status_code == 404
    assert _language(response.text) == (prefix.strip("/") or "en")
    assert f"<h1>{heading}</h1>" in response.text
    assert PHONE in _main(response.text)
    assert TDD in _main(response.text)


@pytest.mark.django_db
def test_someone_elses_application_looks_the_same_as_one_that_does_not_exist(client):
    owner, stranger = EnrolleeFactory(), EnrolleeFactory()
    draft = draft_start(owner=owner)
    client.force_login(stranger)
    theirs = client.get(f"/file/{draft.public_id}/who/")
    nobodys = client.get(f"/file/{uuid.uuid4()}/who/")
    assert theirs.status_code == nobodys.status_code == 404
    assert _main(theirs.text) == _main(nobodys.text)


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "heading"), [("", "Your form was not sent"), ("/es", "Su formulario no se envió")])
def test_a_form_sent_without_its_check_is_refused_in_plain_words(prefix, heading):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{prefix}/contact/", {"name": "Rosa", "email": "rosa@example.test", "message": "Hola"})
    assert response.status_code == 403
    assert f"<h1>{heading}</h1>" in response.text
    assert "CSRF" not in response.text  # Django's own page speaks to developers


@pytest.mark.django_db
def test_staff_refused_a_supervisors_page_get_the_plain_refusal_without_its_reason(client):
    intake = StaffFactory(groups=[StaffGroup.INTAKE])
    sign_in_verified(client, intake)
    response = client.get("/admin/complaints/case/dashboard/")
    assert response.status_code == 403
    assert "<h1>You cannot open this page</h1>" in response.text
    assert "The dashboard is for supervisors." not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "heading"),
    [("", "Something is wrong with that address"), ("/es", "Hay un problema con esa dirección")],
)
def test_a_request_for_another_host_is_refused_in_the_visitors_language(client, prefix, heading):
    response = client.get(f"{prefix}/", HTTP_HOST="help-center.attacker.example")
    assert response.status_code == 400
    assert f"<h1>{heading}</h1>" in response.text
    assert PHONE in _main(response.text)


def test_the_site_answers_an_unexpected_error_with_its_own_page():
    assert get_resolver().resolve_error_handler(500) is views.server_error


@pytest.mark.django_db
def test_an_unexpected_error_gives_the_phone_numbers_in_the_visitors_language(client, monkeypatch):
    monkeypatch.setattr(views, "render", _break_home)
    client.raise_request_exception = False
    english, spanish = client.get("/"), client.get("/es/")
    for response, language in ((english, "en"), (spanish, "es")):
        assert response.status_code == 500
        assert _language(response.text) == language
        assert PHONE in response.text
        assert TDD in response.text
    assert "<h1>Something went wrong on our side</h1>" in english.text
    assert "<h1>Algo falló de nuestro lado</h1>" in spanish.text
    assert "the home page broke" not in english.text + spanish.text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_error_pages_pass_axe_in_both_languages(page, monkeypatch):
    """A missing page, a form whose check cookie was lost, and an unexpected error, as a person
    meets them in a browser, with a screenshot of each under test-artifacts/error-pages/."""
    found = {}

    def check(name: str, expected_status: int, status: int):
        assert status == expected_status, (name, status)
        screenshot(page, name, folder="error-pages")
        violations = axe_violations(page)
        if violations:
            found[name] = violations_text(violations)

    for prefix in ("", "/es"):
        language = prefix.strip("/") or "en"
        check(f"{language}-404", 404, page.goto(f"{prefix}/no-such-page/").status)

        page.goto(f"{prefix}/contact/")
        page.context.clear_cookies()  # the form's check cookie is gone, as after a long wait
        page.locator("#id_name").fill("Rosa")
        page.locator("#id_email").fill("rosa@example.test")
        page.locator("#id_message").fill("Una pregunta")
        with page.expect_navigation() as sent:
            page.locator("main form button[type=submit]").click()
        check(f"{language}-form-check", 403, sent.value.status)

        with monkeypatch.context() as patched:
            patched.setattr(views, "render", _break_home)
            check(f"{language}-500", 500, page.goto(f"{prefix}/").status)
    assert not found, "\n".join(f"{name}:\n{text}" for name, text in found.items())
