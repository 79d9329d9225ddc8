"""The staff admin asks every staff member for the second factor: set up at the first sign-in,
a code at every later one, and a password alone (or an old session) opens no admin page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import StaffGroup
from accounts.tests.factories import TEST_PASSWORD, StaffFactory
from twofactor import services
from twofactor.testing import (
    browser_sign_in_verified,
    staff_code,
    totp_code,
    totp_device_for,
    verified_client,
)

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
QUEUE = "/admin/complaints/case/"


@pytest.fixture
def supervisor():
    return StaffFactory(groups=[StaffGroup.SUPERVISOR], email="sam@dmhc.example.test", full_name="Sam Supervisor")


def password_step(client, email, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra})


def test_first_sign_in_sets_up_the_app_then_shows_recovery_codes_then_the_admin(client, supervisor):
    response = password_step(client, supervisor.email)
    assert response["Location"] == "/admin/login/setup/"
    # The password alone opens nothing.
    assert client.get(QUEUE)["Location"].startswith(LOGIN)

    setup = client.get("/admin/login/setup/")
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    assert setup.status_code == 200
    assert services.totp_secret_text(device) in setup.text
    assert "Help Center staff admin" in setup.text
    assert "no-store" in setup["Cache-Control"]

    done = client.post("/admin/login/setup/", {"device": device.id, "code": totp_code(device)})
    assert done["Location"] == "/admin/login/recovery-codes/"
    codes_page = client.get(done["Location"])
    stored = StaticToken.objects.filter(device__user=supervisor).values_list("token", flat=True)
    assert len(stored) == services.RECOVERY_CODE_COUNT
    assert all(f"{token[:4]}-{token[4:]}" in codes_page.text for token in stored)
    assert client.get("/admin/login/recovery-codes/")["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "Work queue" in index.text


def test_every_later_sign_in_asks_for_a_code_and_returns_to_the_page_asked_for(client, supervisor):
    device = totp_device_for(supervisor)
    response = password_step(client, supervisor.email.upper(), next=QUEUE)
    assert response["Location"] == "/admin/login/code/?next=%2Fadmin%2Fcomplaints%2Fcase%2F"
    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"
    refused = client.post(response["Location"], {"code": wrong})
    assert refused.status_code == 400
    assert "That code did not match" in refused.text
    assert client.get(QUEUE).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        good = client.post(response["Location"], {"code": totp_code(device)})
    assert good["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200


def test_a_password_only_session_sees_no_admin_page_and_is_sent_to_the_code(client, supervisor):
    totp_device_for(supervisor)
    client.force_login(supervisor)  # e.g. a session from before the second factor was required
    for url in ["/admin/", QUEUE, "/admin/complaints/case/dashboard/", "/admin/accounts/user/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN), url
    login = client.get(f"{LOGIN}?next={QUEUE}")
    assert login["Location"] == "/admin/login/code/?next=%2Fadmin%2Fcomplaints%2Fcase%2F"
    unenrolled = StaffFactory(groups=[StaffGroup.INTAKE])
    client.force_login(unenrolled)
    assert client.get(LOGIN)["Location"].startswith("/admin/login/setup/")


def test_a_recovery_code_opens_the_admin_once(client, supervisor):
    totp_device_for(supervisor)
    codes = services.recovery_codes_replace(user=supervisor)
    password_step(client, supervisor.email)
    response = client.post("/admin/login/code/", {"code": codes[0]}, follow=True)
    assert response.status_code == 200
    assert "You signed in with a recovery code" in response.text
    client.post("/admin/logout/")
    assert client.get(QUEUE).status_code == 302


def test_the_admin_shows_who_is_signed_in_once_verified(supervisor):
    page = verified_client(supervisor).get("/admin/")
    assert page.status_code == 200
    assert re.search(r"Welcome,\s*<strong>", page.text)


def test_staff_code_gives_a_code_the_sign_in_accepts(client, supervisor):
    code = staff_code(supervisor)
    assert re.fullmatch(r"\d{6}", code)
    password_step(client, supervisor.email)
    assert client.post("/admin/login/code/", {"code": code})["Location"] == "/admin/"


@pytest.mark.browser
def test_a_browser_gets_a_verified_staff_session_from_the_helper(page, live_server, supervisor):
    browser_sign_in_verified(page, supervisor, base_url=live_server.url)
    page.goto(QUEUE)
    assert page.url.endswith(QUEUE)
    assert page.get_by_role("heading", name=re.compile("case", re.I)).first.is_visible()


@pytest.mark.browser
def test_a_browser_signs_in_through_the_pages_with_the_code(page, live_server, supervisor):
    code = staff_code(supervisor)  # the app is set up before the sign-in, as for any later sign-in
    page.goto(LOGIN)
    page.fill("#id_email", supervisor.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.fill("#id_code", code)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.get_by_text("Work queue").first.is_visible()


@pytest.mark.browser
def test_the_staff_sign_in_pages_pass_axe(page, live_server, supervisor):
    from helpcenter.browser import assert_accessible

    page.goto(LOGIN)
    assert_accessible(page, "staff-password", folder="staff-sign-in")
    page.fill("#id_email", supervisor.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/login/setup/")
    assert_accessible(page, "staff-set-up", folder="staff-sign-in")
    page.fill("#id_code", "000000")
    page.click("button[type=submit]")
    assert_accessible(page, "staff-set-up-error", folder="staff-sign-in")
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        page.fill("#id_code", totp_code(device))
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/login/recovery-codes/")
    assert_accessible(page, "staff-recovery-codes", folder="staff-sign-in")
    page.context.clear_cookies()
    page.goto(LOGIN)
    page.fill("#id_email", supervisor.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/login/code/")
    assert_accessible(page, "staff-code", folder="staff-sign-in")
