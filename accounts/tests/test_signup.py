"""Enrollee accounts: quick sign-up with a confirmed e-mail, sign-in, sign-out and password reset,
in English and Spanish, without telling strangers which addresses have accounts."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase

from accounts.models import StaffGroup, User
from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, PlanUserFactory, StaffFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "river candle maple orbit"
after_commit = TestCase.captureOnCommitCallbacks


@pytest.fixture(autouse=True)
def _private_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "signup"}}
    # A memory cache lives as long as the process: start each test with no counts.
    cache.clear()


def sign_up(client, prefix="", **overrides):
    data = {
        "full_name": "Ana Reyes",
        "email": "ana@example.test",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    # The e-mail is queued after the commit and sent by the (here eager) worker.
    with after_commit(execute=True):
        return client.post(f"{prefix}/account/signup/?next=/file/", {**data, "next": "/file/"})


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_signing_up_sends_a_link_that_confirms_the_address_and_signs_in(client, settings):
    response = sign_up(client)
    assert response["Location"] == "/account/signup/check-your-email/"
    assert "ana@example.test" in client.get(response["Location"]).text
    user = User.objects.get(email="ana@example.test")
    assert not user.is_active
    assert user.kind == User.Kind.ENROLLEE
    assert user.preferred_language == "en"
    assert not Client().login(username="ana@example.test", password=GOOD_PASSWORD)

    link = link_in(mail.outbox[0])
    assert link.startswith(settings.PORTAL_BASE_URL + "/account/verify/")
    confirmed = client.get(link.removeprefix(settings.PORTAL_BASE_URL))
    assert confirmed["Location"] == "/file/"
    user.refresh_from_db()
    assert user.is_active
    assert client.get("/my/").status_code == 200
    again = Client().get(link.removeprefix(settings.PORTAL_BASE_URL))
    assert "already confirmed" in again.text


def test_a_broken_or_tampered_link_is_refused(client, settings):
    sign_up(client)
    path = link_in(mail.outbox[0]).removeprefix(settings.PORTAL_BASE_URL).split("?")[0]
    tampered = re.sub(r"/verify/([^/]+)/([^/]+)/", r"/verify/\1/\2x/", path)
    assert tampered != path
    assert client.get(tampered).status_code == 400
    assert client.get("/account/verify/bm90LWEtbnVtYmVy/abc-def/").status_code == 400
    assert not User.objects.get(email="ana@example.test").is_active


def test_signing_up_in_spanish_writes_in_spanish(client):
    sign_up(client, prefix="/es")
    user = User.objects.get(email="ana@example.test")
    assert user.preferred_language == "es"
    message = mail.outbox[0]
    assert "Confirme su correo electrónico" in message.subject
    assert "/es/account/verify/" in message.body


def test_an_address_with_an_account_learns_nothing_new_on_the_page(client):
    EnrolleeFactory(email="ana@example.test")
    response = sign_up(client)
    assert response["Location"] == "/account/signup/check-your-email/"
    assert User.objects.filter(email__iexact="ana@example.test").count() == 1
    assert "already" in mail.outbox[0].subject
    assert "/account/password/reset/" in mail.outbox[0].body


def test_an_unconfirmed_account_signing_up_again_gets_a_new_link(client):
    sign_up(client)
    sign_up(client, email="ANA@example.test")
    assert User.objects.filter(email__iexact="ana@example.test").count() == 1
    assert len(mail.outbox) == 2
    assert "/account/verify/" in mail.outbox[1].body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "something else entirely"}, "password2", "The two passwords are not the same."),
        ({"password1": "short", "password2": "short"}, "password1", "at least 12 characters"),
        ({"password1": "123456789012345", "password2": "123456789012345"}, "password1", "entirely numeric"),
        ({"email": "ana@"}, "email", "valid email"),
        ({"full_name": "Ana\x00Reyes"}, "full_name", "control character"),
        ({"full_name": ""}, "full_name", "required"),
    ],
)
def test_sign_up_mistakes_are_explained_beside_the_field(client, overrides, field, message):
    response = sign_up(client, **overrides)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'href="#id_{field}"' in response.text
    assert not User.objects.exists()


def test_sign_in_and_sign_out(client):
    EnrolleeFactory(email="ana@example.test")
    page = client.get("/account/signin/?next=/file/")
    assert "/account/signup/?next=/file/" in page.text
    response = client.post("/account/signin/?next=/file/", {"username": "ana@example.test", "password": TEST_PASSWORD})
    assert response["Location"] == "/file/"
    assert client.get("/my/").status_code == 200
    assert client.post("/account/signout/")["Location"] == "/"
    assert client.get("/my/").status_code == 302


def test_a_wrong_password_is_refused_in_plain_words(client):
    EnrolleeFactory(email="ana@example.test")
    response = client.post("/es/account/signin/", {"username": "ana@example.test", "password": "wrong"})
    assert response.status_code == 200
    assert "El correo electrónico o la contraseña no son correctos." in response.text


def test_an_unconfirmed_account_signing_in_is_sent_a_new_link(client):
    sign_up(client)
    mail.outbox.clear()
    with after_commit(execute=True):
        response = client.post("/account/signin/", {"username": "ana@example.test", "password": GOOD_PASSWORD})
    assert "Confirm your e-mail address first" in response.text
    assert "/account/verify/" in mail.outbox[0].body
    # A wrong password gets the ordinary answer and no e-mail.
    mail.outbox.clear()
    with after_commit(execute=True):
        client.post("/account/signin/", {"username": "ana@example.test", "password": "not the password"})
    assert mail.outbox == []


@pytest.mark.parametrize(
    "factory", [PlanUserFactory, lambda **kw: StaffFactory(groups=[StaffGroup.SUPERVISOR], **kw)], ids=["plan", "staff"]
)
def test_staff_and_plan_accounts_cannot_sign_in_here(client, factory):
    factory(email="worker@example.test")
    response = client.post("/account/signin/", {"username": "worker@example.test", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "Staff and health plans have their own sign-in page." in response.text
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_are_slowed_down(client):
    EnrolleeFactory(email="ana@example.test")
    for _ in range(10):
        client.post("/account/signin/", {"username": "ana@example.test", "password": "wrong"})
    response = client.post("/account/signin/", {"username": "ana@example.test", "password": TEST_PASSWORD})
    # The account is slowed (audit/tests/test_lockout.py has the whole rule).
    assert "Too many tries for this account. Wait a minute and try again" in response.text
    assert "_auth_user_id" not in client.session


def test_a_forgotten_password_is_reset_through_an_emailed_link(client, settings):
    EnrolleeFactory(email="ana@example.test")
    with after_commit(execute=True):
        response = client.post("/account/password/reset/", {"email": "ana@example.test"})
    assert response["Location"] == "/account/password/reset/sent/"
    link = link_in(mail.outbox[0])
    path = link.removeprefix(settings.PORTAL_BASE_URL)
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.text
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    )
    assert response["Location"] == "/account/password/reset/done/"
    assert Client().login(username="ana@example.test", password=GOOD_PASSWORD)


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client):
    with after_commit(execute=True):
        response = client.post("/account/password/reset/", {"email": "nobody@example.test"})
    assert response["Location"] == "/account/password/reset/sent/"
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_racing_on_one_new_address_make_one_account_and_both_get_the_usual_answer():
    """A double click: the second request's insert waits on the first one's uncommitted row, then
    finds the address taken. It is answered as a known address (the page and a new link), not a
    server error."""
    import threading

    from django.db import connection, transaction

    from accounts.models import AccountEmail
    from ops.testing import lock_waiters, wait_until

    inserted, failure = threading.Event(), []

    def first_request():
        try:
            with transaction.atomic():
                User.objects.create_user("ana@example.test", GOOD_PASSWORD, full_name="Ana Reyes", is_active=False)
                inserted.set()
                # Commit only once the second request is waiting on this row.
                wait_until(lambda: lock_waiters() > 0, timeout=30, what="the second sign-up to wait on the first")
        except Exception as error:  # reported by the test thread
            failure.append(error)
            inserted.set()
        finally:
            connection.close()

    thread = threading.Thread(target=first_request)
    thread.start()
    assert inserted.wait(timeout=30)
    response = Client().post(
        "/account/signup/",
        {"full_name": "Ana Reyes", "email": "ana@example.test", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )
    thread.join(timeout=30)
    assert failure == []
    assert response.status_code == 302
    assert response["Location"] == "/account/signup/check-your-email/"
    [user] = User.objects.filter(email__iexact="ana@example.test")
    # The account is still unconfirmed, so the second request queued it a new link.
    assert list(AccountEmail.objects.values_list("user", "kind")) == [(user.pk, AccountEmail.Kind.VERIFY)]


def test_a_sign_up_that_finds_the_address_taken_only_when_it_checks_the_new_row_is_answered_as_known(
    client, monkeypatch
):
    """The other race: the first request committed between this one's look-up and its uniqueness
    check, so the check (not the database) refuses the new row."""
    from accounts import services

    owner = EnrolleeFactory(email="ana@example.test")
    real_lookup, calls = services._account_with, []

    def lookup_before_the_other_commit(email):
        calls.append(email)
        return None if len(calls) == 1 else real_lookup(email)

    monkeypatch.setattr(services, "_account_with", lookup_before_the_other_commit)
    response = sign_up(client)
    assert response["Location"] == "/account/signup/check-your-email/"
    assert User.objects.filter(email__iexact="ana@example.test").count() == 1
    [note] = mail.outbox
    assert note.to == [owner.email]
    assert "already" in note.subject
    assert len(calls) == 2
