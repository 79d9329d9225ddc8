"""Account e-mails tell a stranger nothing and point only at the portal (issue 26):

- sign-up does the same work whether or not the address has an account: one password hashing,
  one outbox row and one delivery queued to the worker (the owner of an existing address is told, in their language);
- every link in an e-mail starts with PORTAL_BASE_URL, whatever Host the request named;
- staff and plan accounts cannot reset their password on the enrollees' public page, which
  answers for them exactly as for an unknown address.
"""

import re
from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase

from accounts.models import AccountEmail, StaffGroup, User
from accounts.tests.factories import EnrolleeFactory, PlanUserFactory, ReviewerUserFactory, StaffFactory
from ops import queue

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "river candle maple orbit"
FORGED_HOST = "evil.example:8443"
after_commit = TestCase.captureOnCommitCallbacks


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting how many passwords it hashes."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def _private_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "emails"}}
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    cache.clear()


@pytest.fixture
def counted(settings):
    settings.PASSWORD_HASHERS = ["accounts.tests.test_account_emails.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


@pytest.fixture
def queued():
    """Every task handed to the broker (after commit), by name and arguments."""
    with mock.patch.object(queue, "enqueue_now", wraps=queue.enqueue_now) as spy:
        yield lambda: [(call.args[0], call.kwargs) for call in spy.call_args_list]


def sign_up(prefix="", email="ana@example.test", **extra):
    data = {"full_name": "Ana Reyes", "email": email, "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    # Queued after the commit, sent by the (here eager) worker.
    with after_commit(execute=True):
        return Client().post(f"{prefix}/account/signup/", data, **extra)


def reset(email: str, prefix: str = "", **extra):
    with after_commit(execute=True):
        return Client().post(f"{prefix}/account/password/reset/", {"email": email}, **extra)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_a_new_address_costs_one_hashing_and_one_queued_email(counted, queued):
    assert sign_up()["Location"] == "/account/signup/check-your-email/"
    assert counted.calls == 1
    [row] = AccountEmail.objects.all()
    assert (row.user, row.kind, row.language) == (User.objects.get(), "verify", "en")
    assert queued() == [("accounts.account_emails_send", {"deliveries": [[row.pk, 0]]})]
    assert len(mail.outbox) == 1
    assert AccountEmail.objects.get().state == AccountEmail.State.SENT


@pytest.mark.parametrize(
    ("factory", "sign_in_page"),
    [
        (EnrolleeFactory, "/account/signin/"),
        (PlanUserFactory, "/plan/login/"),
        (lambda **kw: StaffFactory(groups=[StaffGroup.SUPERVISOR], **kw), "/admin/login/"),
        (ReviewerUserFactory, "/review/login/"),
    ],
    ids=["enrollee", "plan", "staff", "reviewer"],
)
def test_an_address_with_an_account_costs_the_same_work(settings, counted, queued, factory, sign_in_page):
    owner = factory(email="ana@example.test")
    counted.calls = 0
    assert sign_up(email="Ana@Example.test")["Location"] == "/account/signup/check-your-email/"
    assert counted.calls == 1
    [row] = AccountEmail.objects.all()
    assert (row.user, row.kind, row.language) == (owner, "already_registered", "en")
    assert queued() == [("accounts.account_emails_send", {"deliveries": [[row.pk, 0]]})]
    [note] = mail.outbox
    assert note.to == ["ana@example.test"]
    assert "Someone tried to create a Help Center account with this e-mail address." in note.body
    # The owner is sent to the sign-in page of their kind of account, not told it is another kind.
    assert f"To sign in: {settings.PORTAL_BASE_URL}{sign_in_page}\n" in note.body
    assert "staff or health plan account" not in note.body
    if owner.is_enrollee:
        assert "/account/password/reset/" in note.body
    else:
        # Staff, plan and reviewer accounts do not reset on the public page; the note says who can.
        assert "/account/password/reset/" not in note.body
        assert "ask a Help Center supervisor" in note.body


def test_the_owner_is_told_in_their_own_language():
    EnrolleeFactory(email="ana@example.test", preferred_language="es")
    sign_up()  # on the English page
    [note] = mail.outbox
    assert "Alguien intentó crear una cuenta" in note.body
    assert "/es/account/password/reset/" in note.body


def test_an_owner_who_cannot_reset_on_the_public_page_is_told_who_can_in_their_own_language():
    ReviewerUserFactory(email="ana@example.test", preferred_language="es")
    sign_up()
    [note] = mail.outbox
    assert "pida a un supervisor del Help Center que le asigne una nueva" in note.body
    assert "/review/login/" in note.body


def test_the_sign_up_page_itself_sends_nothing_it_queues_for_the_worker(django_capture_on_commit_callbacks):
    EnrolleeFactory(email="ana@example.test")
    data = {"full_name": "Ana Reyes", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Client().post("/account/signup/", {**data, "email": "ana@example.test"})
        Client().post("/account/signup/", {**data, "email": "new@example.test"})
    assert mail.outbox == []
    assert len(callbacks) == 2
    # One outbox row each, made in the request's transaction; none sent yet.
    assert AccountEmail.objects.filter(state=AccountEmail.State.PENDING).count() == 2


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_links_in_sign_up_and_reset_emails_ignore_a_forged_host(settings, prefix):
    sign_up(prefix=prefix, HTTP_HOST=FORGED_HOST)
    EnrolleeFactory(email="bea@example.test")
    reset("bea@example.test", prefix, HTTP_HOST=FORGED_HOST)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        link = link_in(message)
        assert link.startswith(f"{settings.PORTAL_BASE_URL}{prefix}/account/"), link
        assert "evil.example" not in message.body


def test_a_reset_link_from_the_worker_lets_the_enrollee_choose_a_new_password(settings):
    EnrolleeFactory(email="bea@example.test")
    reset("bea@example.test")
    client = Client()
    form_page = client.get(link_in(mail.outbox[0]).removeprefix(settings.PORTAL_BASE_URL), follow=True)
    assert "Choose a new password" in form_page.text
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    )
    assert done["Location"] == "/account/password/reset/done/"
    assert Client().login(username="bea@example.test", password=GOOD_PASSWORD)


@pytest.mark.parametrize(
    "factory", [PlanUserFactory, lambda **kw: StaffFactory(groups=[StaffGroup.SUPERVISOR], **kw)], ids=["plan", "staff"]
)
def test_staff_and_plan_accounts_get_the_unknown_address_answer_on_the_public_reset_page(queued, factory):
    factory(email="worker@example.test")
    staff_answer = reset("worker@example.test")
    unknown_answer = reset("nobody@example.test")
    assert staff_answer.status_code == unknown_answer.status_code == 302
    assert staff_answer["Location"] == unknown_answer["Location"] == "/account/password/reset/sent/"
    assert mail.outbox == []
    assert queued() == []
    assert not AccountEmail.objects.exists()
