"""Signing in to the plan portal: password, then the authenticator app (set up on first sign-in,
with recovery codes shown once), or a recovery code that works once."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import StaffGroup
from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, PlanUserFactory, StaffFactory
from twofactor import services
from twofactor.testing import totp_code, totp_device_for

pytestmark = pytest.mark.django_db

LOGIN = "/plan/login/"


def password_step(client, email, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra})


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def test_first_sign_in_sets_up_the_app_then_shows_recovery_codes_once(client, plan_user, waiting_case):
    response = password_step(client, plan_user.email)
    assert response.status_code == 302
    assert response["Location"] == "/plan/login/setup/"
    # The password alone signs nobody in.
    assert client.get("/plan/")["Location"].startswith(LOGIN)

    setup = client.get("/plan/login/setup/")
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=plan_user, confirmed=False)
    assert services.totp_secret_text(device) in setup.text  # the secret as text
    assert '<svg role="img"' in setup.text
    assert "<title>QR code" in setup.text
    assert "no-store" in setup["Cache-Control"]

    wrong_code = client.post("/plan/login/setup/", {"device": device.id, "code": wrong(totp_code(device))})
    assert wrong_code.status_code == 400
    assert "That code did not match" in wrong_code.text
    assert services.totp_secret_text(device) in wrong_code.text  # same secret, try again

    # django-otp waits a second after a wrong code before it checks another.
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        done = client.post("/plan/login/setup/", {"device": device.id, "code": totp_code(device)})
    assert done.status_code == 302
    assert done["Location"] == "/plan/login/recovery-codes/"
    codes_page = client.get("/plan/login/recovery-codes/")
    stored = list(StaticToken.objects.filter(device__user=plan_user).values_list("token", flat=True))
    assert len(stored) == services.RECOVERY_CODE_COUNT
    for token in stored:
        assert f"{token[:4]}-{token[4:]}" in codes_page.text
    # Shown once: a reload goes on to the portal and shows no code.
    reload = client.get("/plan/login/recovery-codes/")
    assert reload.status_code == 302
    assert reload["Location"] == "/plan/"
    queue = client.get("/plan/")
    assert queue.status_code == 200
    assert waiting_case.number in queue.text


def test_every_later_sign_in_asks_for_a_code(client, plan_user, waiting_case):
    device = totp_device_for(plan_user)
    response = password_step(client, plan_user.email.upper(), next=f"/plan/cases/{waiting_case.number}/")
    assert response["Location"] == f"/plan/login/code/?next=%2Fplan%2Fcases%2F{waiting_case.number}%2F"
    bad = client.post(response["Location"], {"code": wrong(totp_code(device))})
    assert bad.status_code == 400
    assert "That code did not match" in bad.text
    assert 'id="id_code_error"' in bad.text
    client.get("/plan/")  # still not in
    assert client.get("/plan/").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        good = client.post(response["Location"], {"code": totp_code(device)})
    assert good.status_code == 302
    assert good["Location"] == f"/plan/cases/{waiting_case.number}/"
    assert client.get(good["Location"]).status_code == 200


def test_a_recovery_code_signs_in_once(client, plan_user):
    totp_device_for(plan_user)
    codes = services.recovery_codes_replace(user=plan_user)
    password_step(client, plan_user.email)
    response = client.post("/plan/login/code/", {"code": codes[0][:4] + "-" + codes[0][4:]}, follow=True)
    assert response.status_code == 200
    assert "You signed in with a recovery code" in response.text
    assert f"you have {services.RECOVERY_CODE_COUNT - 1} left" in response.text
    client.post("/plan/logout/")
    assert client.get("/plan/").status_code == 302
    password_step(client, plan_user.email)
    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        reused = client.post("/plan/login/code/", {"code": codes[0]})
    assert reused.status_code == 400
    assert "already used" in reused.text


@pytest.mark.parametrize(
    "account",
    [
        pytest.param(lambda: EnrolleeFactory(), id="enrollee"),
        pytest.param(lambda: StaffFactory(groups=[StaffGroup.SUPERVISOR]), id="staff"),
        pytest.param(lambda: PlanUserFactory(is_active=False), id="deactivated-plan-user"),
    ],
)
def test_only_active_plan_users_get_past_the_password(client, account):
    user = account()
    response = password_step(client, user.email)
    assert response.status_code == 400
    assert "The e-mail address or password is not right" in response.text
    assert client.get("/plan/login/setup/")["Location"].startswith(LOGIN)
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_wrong_password_gets_the_same_message_as_an_unknown_address(client, plan_user):
    wrong_password = password_step(client, plan_user.email, password="not-the-password-at-all")
    unknown = password_step(client, "nobody@plan.example.test")
    for response in (wrong_password, unknown):
        assert response.status_code == 400
        assert "The e-mail address or password is not right" in response.text
    assert "/plan/login/code/" not in wrong_password.text


def test_the_next_address_never_leads_off_the_site(client, plan_user):
    device = totp_device_for(plan_user)
    password_step(client, plan_user.email, next="https://evil.example/steal")
    response = client.post("/plan/login/code/?next=https://evil.example/steal", {"code": totp_code(device)})
    assert response["Location"] == "/plan/"


def test_sign_out_is_a_post_and_ends_the_session(plan_client):
    assert plan_client.get("/plan/logout/").status_code == 405
    assert plan_client.get("/plan/").status_code == 200
    response = plan_client.post("/plan/logout/", follow=True)
    assert "You are signed out" in response.text
    assert plan_client.get("/plan/").status_code == 302


def test_the_password_step_leaves_the_session_id_behind(client, plan_user):
    client.get(LOGIN)
    client.cookies["sessionid"] = "planted-session-id-0123456789abcdef"
    password_step(client, plan_user.email)
    assert client.cookies["sessionid"].value != "planted-session-id-0123456789abcdef"


def test_new_recovery_codes_from_the_queue_page(plan_client, plan_user):
    old = services.recovery_codes_replace(user=plan_user)
    response = plan_client.post("/plan/login/recovery-codes/", follow=True)
    new = list(StaticToken.objects.filter(device__user=plan_user).values_list("token", flat=True))
    assert set(new).isdisjoint(old)
    shown = re.findall(r"<code>([a-z2-7]{4})-([a-z2-7]{4})</code>", response.text)
    assert sorted(a + b for a, b in shown) == sorted(new)


def test_a_password_step_left_too_long_must_be_done_again(client, plan_user):
    totp_device_for(plan_user)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        password_step(client, plan_user.email)
        assert client.get("/plan/login/code/").status_code == 200
        traveller.shift(timedelta(minutes=11))
        response = client.get("/plan/login/code/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_a_setup_form_from_an_old_page_is_refused_and_the_current_key_shown(client, plan_user):
    password_step(client, plan_user.email)
    client.get("/plan/login/setup/")
    current = TOTPDevice.objects.get(user=plan_user, confirmed=False)
    response = client.post("/plan/login/setup/", {"device": current.id + 1000, "code": totp_code(current)})
    assert response.status_code == 400
    assert "This setup has expired" in response.text
    assert services.totp_secret_text(current) in response.text
    assert f'name="device" value="{current.id}"' in response.text
    assert not TOTPDevice.objects.filter(user=plan_user, confirmed=True).exists()
