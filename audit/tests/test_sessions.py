"""Sessions: a new session id at every sign-in, the end of a session after 30 idle minutes, and
the end of any session 12 hours after sign-in, with the settings as shipped."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

import helpcenter.settings as shipped
from accounts.models import StaffGroup
from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, PlanUserFactory, StaffFactory
from audit.models import Action, AuditEvent
from twofactor.testing import staff_code, totp_code, totp_device_for

pytestmark = pytest.mark.django_db

QUEUE = "/admin/complaints/case/"


@pytest.fixture(autouse=True)
def _shipped_session_limits(settings):
    # The root conftest lengthens sessions for tests that travel in time; these test the real ones.
    settings.SESSION_IDLE_TIMEOUT_SECONDS = shipped.SESSION_IDLE_TIMEOUT_SECONDS
    settings.SESSION_MAX_AGE_SECONDS = shipped.SESSION_MAX_AGE_SECONDS
    settings.SESSION_COOKIE_AGE = shipped.SESSION_COOKIE_AGE


def test_the_shipped_limits():
    assert shipped.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    assert shipped.SESSION_MAX_AGE_SECONDS == 12 * 60 * 60
    # An idle browser drops the cookie at the same time as the server ends the session.
    assert shipped.SESSION_COOKIE_AGE == shipped.SESSION_IDLE_TIMEOUT_SECONDS
    assert shipped.SESSION_COOKIE_HTTPONLY


def _staff_signed_in(client) -> StaffFactory:
    staff = StaffFactory(groups=[StaffGroup.SUPERVISOR])
    code = staff_code(staff)
    client.post("/admin/login/", {"email": staff.email, "password": TEST_PASSWORD})
    client.post("/admin/login/code/", {"code": code})
    assert client.get(QUEUE).status_code == 200
    return staff


def test_every_sign_in_gives_a_new_session_id():
    enrollee = EnrolleeFactory(email="ana@example.test")
    client = Client()
    client.get("/account/signin/")
    client.cookies["sessionid"] = "planted0000000000000000000000000"
    client.post("/account/signin/", {"username": enrollee.email, "password": TEST_PASSWORD})
    assert client.cookies["sessionid"].value not in ("", "planted0000000000000000000000000")
    assert "_auth_user_id" in client.session

    for url, user, code_url in [
        ("/plan/login/", PlanUserFactory(), "/plan/login/code/"),
        ("/admin/login/", StaffFactory(groups=[StaffGroup.INTAKE]), "/admin/login/code/"),
    ]:
        device = totp_device_for(user)
        client = Client()
        client.post(url, {"email": user.email, "password": TEST_PASSWORD})
        after_password = client.cookies["sessionid"].value
        client.post(code_url, {"code": totp_code(device)})
        # Once after the password, and again when the code makes the session a signed-in one.
        assert client.cookies["sessionid"].value != after_password
        assert client.session["_auth_user_id"] == str(user.pk)


def test_thirty_idle_minutes_end_the_session():
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        staff = _staff_signed_in(client)
        for _ in range(4):  # active every 25 minutes: still signed in after 100 minutes
            clock.shift(timedelta(minutes=25))
            assert client.get(QUEUE).status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not AuditEvent.objects.filter(action=Action.SIGN_IN, actor=staff).order_by("id")[1:].exists()


def test_twelve_hours_after_sign_in_the_session_ends_however_busy():
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        staff = _staff_signed_in(client)
        minutes = 0
        while client.get(QUEUE).status_code == 200:  # a request every 20 minutes
            assert minutes <= 12 * 60, "the session outlived 12 hours"
            clock.shift(timedelta(minutes=20))
            minutes += 20
    assert minutes == 12 * 60 + 20
    ended = AuditEvent.objects.filter(action=Action.SESSION_ENDED, actor=staff).get()
    assert ended.detail == "signed in too long ago"


def test_the_server_ends_an_idle_session_even_if_the_browser_keeps_the_cookie(settings):
    settings.SESSION_COOKIE_AGE = 14 * 24 * 60 * 60  # a cookie (and session row) that would live on
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        staff = _staff_signed_in(client)
        clock.shift(timedelta(minutes=31))
        assert client.get(QUEUE).status_code == 302
    assert AuditEvent.objects.get(action=Action.SESSION_ENDED, actor=staff).detail == "inactive too long"
