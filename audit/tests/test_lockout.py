"""One lockout for every sign-in page: enrollee (/account/signin/), plan portal (/plan/login/),
review organizations (/review/login/) and staff admin (/admin/login/). After 10 failures for an
account, or from one address, sign-ins are refused (status 429, even with the right password) for
15 minutes, and then work again. Every sign-in, failure and lockout is in the audit log."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, PlanUserFactory, StaffFactory
from audit.models import Action, AuditEvent, Outcome

pytestmark = pytest.mark.django_db


def _reviewer(**user):
    from review.tests.factories import OrganizationFactory, reviewer

    return reviewer(OrganizationFactory(), **user).user


@dataclass(frozen=True)
class SignInPage:
    name: str
    url: str
    email_field: str
    make_user: object
    # Where the right password leads: signed in (enrollee), or on to the second factor.
    success_prefix: str


PAGES = [
    SignInPage("enrollee", "/account/signin/", "username", lambda **kw: EnrolleeFactory(**kw), "/my/"),
    SignInPage("plan", "/plan/login/", "email", lambda **kw: PlanUserFactory(**kw), "/plan/login/"),
    SignInPage("reviewer", "/review/login/", "email", lambda **kw: _reviewer(**kw), "/review/login/"),
    SignInPage(
        "staff",
        "/admin/login/",
        "email",
        lambda **kw: StaffFactory(groups=[StaffGroup.SUPERVISOR], **kw),
        "/admin/login/",
    ),
]


def attempt(client, page: SignInPage, email: str, password: str, ip: str = "198.51.100.7"):
    return client.post(page.url, {page.email_field: email, "password": password}, REMOTE_ADDR=ip)


def accepted(page: SignInPage, response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(page.success_prefix)


@pytest.fixture(params=PAGES, ids=[page.name for page in PAGES])
def page(request):
    return request.param


def test_the_shipped_limits_are_ten_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 10
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def test_ten_wrong_passwords_lock_the_account_then_the_cool_off_ends(page):
    user = page.make_user(email="locked@example.test")
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        form_again = 200 if page.name == "enrollee" else 400
        for n in range(1, settings.AXES_FAILURE_LIMIT + 1):
            # Changing the case of the address does not start a new count.
            response = attempt(client, page, "Locked@Example.test" if n % 2 else user.email, "wrong password")
            assert response.status_code == (429 if n == settings.AXES_FAILURE_LIMIT else form_again), n
        refused = attempt(client, page, user.email, TEST_PASSWORD)
        assert refused.status_code == 429
        assert "Too many tries" in refused.text
        assert not accepted(page, refused)
        clock.shift(timedelta(minutes=14))
        assert attempt(client, page, user.email, TEST_PASSWORD).status_code == 429
        # A refused attempt during the lockout does not extend it: 15 minutes after the last
        # counted failure, the right password works again.
        clock.shift(timedelta(minutes=1, seconds=1))
        assert accepted(page, attempt(client, page, user.email, TEST_PASSWORD))
    locked = [event.detail for event in AuditEvent.objects.filter(action=Action.LOCKED_OUT).order_by("id")]
    assert locked == ["locked out after 10 failures", "attempt while locked out", "attempt while locked out"]
    failures = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED, actor=user)
    assert failures.filter(outcome=Outcome.FAILED).count() == settings.AXES_FAILURE_LIMIT
    assert failures.filter(outcome=Outcome.DENIED).count() == 2
    assert all(event.ip_address == "198.51.100.7" for event in failures)


def test_one_address_trying_many_accounts_is_locked_out_too(page):
    victims = [page.make_user(email=f"person{n}@example.test") for n in range(settings.AXES_FAILURE_LIMIT)]
    client = Client()
    for victim in victims:
        attempt(client, page, victim.email, "guess-one-password-for-all", ip="192.0.2.50")
    somebody = page.make_user(email="innocent@example.test")
    assert attempt(client, page, somebody.email, TEST_PASSWORD, ip="192.0.2.50").status_code == 429
    # The same account from another address is not affected by that address's lockout.
    assert accepted(page, attempt(Client(), page, somebody.email, TEST_PASSWORD, ip="192.0.2.99"))


def test_a_success_clears_the_account_failures(page):
    user = page.make_user(email="forgetful@example.test")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(Client(), page, user.email, "wrong password")
    if page.name == "enrollee":
        assert accepted(page, attempt(Client(), page, user.email, TEST_PASSWORD))
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            attempt(Client(), page, user.email, "wrong password")
        assert accepted(page, attempt(Client(), page, user.email, TEST_PASSWORD))
    else:
        # Plan and staff are signed in (and the count cleared) only after the second factor.
        assert accepted(page, attempt(Client(), page, user.email, TEST_PASSWORD))


def test_sign_ins_failures_and_sign_outs_are_in_the_audit_log():
    enrollee = EnrolleeFactory(email="ana@example.test")
    client = Client()
    attempt(client, PAGES[0], "ana@example.test", "wrong password")
    attempt(client, PAGES[0], "nobody@example.test", "wrong password")
    attempt(client, PAGES[0], "ana@example.test", TEST_PASSWORD)
    client.post("/account/signout/")
    rows = [(e.action, e.outcome, e.actor_id, e.actor_label) for e in AuditEvent.objects.order_by("id")]
    assert rows == [
        (Action.SIGN_IN_FAILED, Outcome.FAILED, enrollee.id, "ana@example.test"),
        (Action.SIGN_IN_FAILED, Outcome.FAILED, None, "nobody@example.test"),
        (Action.SIGN_IN, Outcome.SUCCESS, enrollee.id, "ana@example.test"),
        (Action.SIGN_OUT, Outcome.SUCCESS, enrollee.id, "ana@example.test"),
    ]
    # The password typed is never stored anywhere in the log.
    assert not AuditEvent.objects.filter(detail__icontains="wrong password").exists()
