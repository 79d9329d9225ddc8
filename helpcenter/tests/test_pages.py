import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import StaffGroup
from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, PlanUserFactory, StaffFactory
from twofactor.testing import staff_code

pytestmark = pytest.mark.django_db

# /plan/ and /my/ ask for a sign-in first (tested by their own apps and below).
PUBLIC_PATHS = ["/", "/guide/", "/guide/check/", "/contact/", "/file/"]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_pages_answer_in_english_and_spanish(client, path):
    english = client.get(path)
    spanish = client.get(f"/es{path}")
    assert english.status_code == 200
    assert spanish.status_code == 200
    assert '<html lang="en">' in english.text
    assert '<html lang="es">' in spanish.text


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_my_cases_asks_a_stranger_to_sign_in_in_their_language(client, prefix):
    response = client.get(f"{prefix}/my/")
    assert response.status_code == 302
    assert response["Location"] == f"{prefix}/account/signin/?next={prefix}/my/"


def test_the_home_page_gives_the_phone_and_tdd_in_both_languages(client):
    english = client.get("/").text
    spanish = client.get("/es/").text
    for page in (english, spanish):
        assert "1-888-466-2219" in page
        assert "1-877-688-9891" in page
    assert "Get help with your health plan" in english
    assert "Obtenga ayuda con su plan de salud" in spanish


def test_every_page_links_to_itself_in_the_other_language(client):
    english = client.get("/guide/").text
    spanish = client.get("/es/guide/").text
    assert 'href="/es/guide/"' in english
    assert 'href="/guide/"' in spanish


@translation.override("en")
def test_the_url_map_is_kept():
    assert reverse("home") == "/"
    assert reverse("guide") == "/guide/"
    assert reverse("file") == "/file/"
    assert reverse("my-cases") == "/my/"
    assert reverse("plan-portal") == "/plan/"
    assert reverse("contact") == "/contact/"
    assert reverse("healthz") == "/healthz"


def test_a_supervisor_signs_in_to_the_admin(client):
    boss = StaffFactory(email="boss@example.test", groups=[StaffGroup.SUPERVISOR])
    code = staff_code(boss)
    password = client.post("/admin/login/?next=/admin/", {"email": "boss@example.test", "password": TEST_PASSWORD})
    assert password["Location"] == "/admin/login/code/"
    response = client.post(password["Location"], {"code": code}, follow=True)
    assert response.status_code == 200
    assert response.context["user"].email == "boss@example.test"
    assert "Health plans" in response.text or "Health Plans" in response.text


@pytest.mark.parametrize("factory", [EnrolleeFactory, PlanUserFactory])
def test_enrollees_and_plan_users_cannot_enter_the_admin(client, factory):
    user = factory()
    client.post("/admin/login/", {"username": user.email, "password": TEST_PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
