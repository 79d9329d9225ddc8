"""One rule for every sign-in page: enrollee (/account/signin/), plan portal (/plan/login/),
review organizations (/review/login/) and staff admin (/admin/login/). After 10 failures for an
account from one address, that pair is refused (status 429, even with the right password) for 15
minutes, and then works again; after 30 failures from one address, whatever the accounts, that
address is; an account is only slowed
(doubling waits of a minute at most), never locked, so an attacker without the password cannot
keep its owner out. Every sign-in, failure and refusal is in the audit log."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory, PlanUserFactory, StaffFactory
from audit.models import Action, AuditEvent, Outcome
from audit.services import audit_record

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


# Longer than the longest wait an account is slowed by, so that a test's failures all count.
PAST_THE_WAIT = timedelta(seconds=61)


def test_the_shipped_limits():
    assert settings.AXES_FAILURE_LIMIT == 10
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.SIGN_IN_ADDRESS_FAILURE_LIMIT == 30
    assert (settings.SIGN_IN_DELAY_AFTER, settings.SIGN_IN_DELAY_MAX_SECONDS) == (5, 60)


def test_ten_wrong_passwords_lock_the_account_at_that_address_then_the_cool_off_ends(page):
    user = page.make_user(email="locked@example.test")
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        form_again = 200 if page.name == "enrollee" else 400
        for n in range(1, settings.AXES_FAILURE_LIMIT + 1):
            clock.shift(PAST_THE_WAIT)
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
    limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    victims = [page.make_user(email=f"person{n}@example.test") for n in range(limit)]
    client = Client()
    for victim in victims[:-1]:
        attempt(client, page, victim.email, "guess-one-password-for-all", ip="192.0.2.50")
    # One short of the limit, the address may still sign in.
    assert accepted(page, attempt(Client(), page, victims[-1].email, TEST_PASSWORD, ip="192.0.2.50"))
    attempt(client, page, victims[-1].email, "guess-one-password-for-all", ip="192.0.2.50")
    somebody = page.make_user(email="innocent@example.test")
    refused = attempt(client, page, somebody.email, TEST_PASSWORD, ip="192.0.2.50")
    assert refused.status_code == 429
    assert "Wait 15 minutes" in refused.text
    # The same account from another address is not affected by that address's lockout.
    assert accepted(page, attempt(Client(), page, somebody.email, TEST_PASSWORD, ip="192.0.2.99"))


def test_an_attacker_without_the_password_cannot_keep_the_owner_out(page):
    owner = page.make_user(email="owner@example.test")
    attacker, cafe = Client(), Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # The owner signed in from home last week (plan and staff users after their second
        # factor): the audit log has the sign-in and its address.
        audit_record(
            action=Action.SIGN_IN,
            outcome=Outcome.SUCCESS,
            request=RequestFactory().post(page.url, REMOTE_ADDR="198.51.100.10"),
            actor=owner,
        )
        clock.shift(timedelta(days=7))
        for _ in range(settings.AXES_FAILURE_LIMIT):
            clock.shift(PAST_THE_WAIT)
            attempt(attacker, page, owner.email, "a guess", ip="203.0.113.66")
        # The attacker's address is locked out for this account, even with the right password...
        assert attempt(attacker, page, owner.email, TEST_PASSWORD, ip="203.0.113.66").status_code == 429
        # ...while the owner signs in at once from home, where they signed in before,
        assert accepted(page, attempt(Client(), page, owner.email, TEST_PASSWORD, ip="198.51.100.10"))
        # and from a new address after a short wait (the account is slowed, never locked).
        slowed = attempt(cafe, page, owner.email, TEST_PASSWORD, ip="192.0.2.77")
        assert slowed.status_code == 429
        assert "Wait a minute" in slowed.text
        clock.shift(PAST_THE_WAIT)
        assert accepted(page, attempt(cafe, page, owner.email, TEST_PASSWORD, ip="192.0.2.77"))
        # The attacker's pair is still locked.
        assert attempt(attacker, page, owner.email, TEST_PASSWORD, ip="203.0.113.66").status_code == 429


def test_many_addresses_guessing_one_account_are_slowed_by_doubling_waits():
    page = PAGES[0]
    owner = page.make_user(email="owner@example.test")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        # Four failures from four addresses: no wait yet. The fifth starts the waits.
        for n in range(settings.SIGN_IN_DELAY_AFTER):
            assert attempt(Client(), page, owner.email, "a guess", ip=f"203.0.113.{n}").status_code == 200
        waits = []
        for n in range(10, 20):
            refused_for = 0
            while attempt(Client(), page, owner.email, "a guess", ip=f"203.0.113.{n}").status_code == 429:
                refused_for += 1
                clock.shift(timedelta(seconds=1))
            waits.append(refused_for)
        # Refused tries are not counted: each wait is set only by the failures before it.
        assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    rows = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED, outcome=Outcome.DENIED)
    assert rows.filter(detail__startswith="refused: account slowed: wait").count() == sum(waits)


def test_a_success_clears_the_account_failures(page):
    user = page.make_user(email="forgetful@example.test")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            clock.shift(PAST_THE_WAIT)
            attempt(Client(), page, user.email, "wrong password")
        clock.shift(PAST_THE_WAIT)
        if page.name == "enrollee":
            assert accepted(page, attempt(Client(), page, user.email, TEST_PASSWORD))
            for _ in range(settings.AXES_FAILURE_LIMIT - 1):
                clock.shift(PAST_THE_WAIT)
                attempt(Client(), page, user.email, "wrong password")
            clock.shift(PAST_THE_WAIT)
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
