"""The account e-mails' outbox (``accounts.emails``): nothing is lost and nothing is sent twice.

- a sign-up while the broker is down (a real Redis address nobody listens on) still makes its
  outbox row; the sweep sends it after the grace period, exactly once;
- a delivery that runs twice, one after the other or at the same moment, sends one e-mail;
- a mail server that refuses the connection (a real SMTP backend, nothing listening) leaves the
  row unsent with the attempt counted and the error kept; the sweep tries again after the wait
  and sends it; after the last attempt it gives up;
- a queued delivery that never runs (a real folder broker, no worker) is queued again only after
  the sweep's claim runs out;
- finished rows are removed after 30 days, pending ones never.
"""

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.db import connection
from django.test import Client, TestCase
from django.utils import timezone

from accounts import emails
from accounts.emails import account_email_deliver, account_email_queue, account_emails_due_queue
from accounts.models import AccountEmail, User
from accounts.tasks import account_emails_send_task
from accounts.tests.factories import EnrolleeFactory
from complaints.sweep import sweep_run
from ops.testing import Broker, celery_sends_to, free_port

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "river candle maple orbit"
after_commit = TestCase.captureOnCommitCallbacks
LATER = timedelta(seconds=61)  # past SWEEP_GRACE_SECONDS


@pytest.fixture(autouse=True)
def _private_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "outbox"}}
    settings.SWEEP_GRACE_SECONDS = 60
    cache.clear()


@pytest.fixture
def mail_server_down(settings):
    """Django's real SMTP backend, pointed at a port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def sign_up(email="ana@example.test"):
    data = {"full_name": "Ana Reyes", "email": email, "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    with after_commit(execute=True):
        return Client().post("/account/signup/", data)


def queued_messages(broker: Broker) -> list[Path]:
    return list(Path(broker.transport_options["data_folder_in"]).glob("*.msg"))


def test_a_sign_up_while_the_broker_is_down_is_sent_by_the_sweep_exactly_once(tmp_path, caplog):
    nobody_listens = Broker.redis(f"redis://127.0.0.1:{free_port()}/0", tmp_path)
    with celery_sends_to(nobody_listens):
        response = sign_up()
    assert response.status_code == 302
    assert response["Location"] == "/account/signup/check-your-email/"
    assert "the sweep will do it later" in caplog.text
    user = User.objects.get(email="ana@example.test")
    row = AccountEmail.objects.get()
    assert (row.user, row.kind, row.state, row.attempts) == (user, "verify", AccountEmail.State.PENDING, 0)
    assert mail.outbox == []

    # Within the grace period the sweep leaves it to the task queued for it.
    now = timezone.now()
    assert sweep_run(now=now).account_emails_queued == []
    assert mail.outbox == []

    report = sweep_run(now=now + LATER)  # the worker is back (here: eager)
    assert report.account_emails_queued == [row.pk]
    [message] = mail.outbox
    assert message.to == ["ana@example.test"]
    assert "/account/verify/" in message.body
    row.refresh_from_db()
    assert (row.state, row.attempts) == (AccountEmail.State.SENT, 1)
    assert row.finished_at is not None

    for minutes in (2, 15, 120):
        assert sweep_run(now=now + timedelta(minutes=minutes)).account_emails_queued == []
    assert len(mail.outbox) == 1


def test_a_delivery_run_twice_sends_one_email():
    EnrolleeFactory(email="bea@example.test")
    with after_commit(execute=False) as callbacks:
        Client().post("/account/password/reset/", {"email": "bea@example.test"})
    row = AccountEmail.objects.get()
    assert mail.outbox == []
    callbacks[0]()
    callbacks[0]()  # the broker delivered the message twice
    account_emails_send_task.apply(kwargs={"deliveries": [[row.pk, 0]]})
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (AccountEmail.State.SENT, 1)


def test_a_delivery_queued_by_the_request_and_again_by_the_sweep_sends_once():
    user = EnrolleeFactory(email="bea@example.test")
    with after_commit(execute=False) as callbacks:
        row = account_email_queue(kind=AccountEmail.Kind.PASSWORD_RESET, user=user, language="es")
    # The request's task is slow to arrive: the sweep queues the same attempt after the grace.
    assert account_emails_due_queue(now=timezone.now() + LATER) == [row.pk]
    callbacks[0]()
    [message] = mail.outbox
    assert "/es/account/password/reset/" in message.body


class GatedBackend(MemoryBackend):
    """Sends as the test backend does, but first waits until the test opens the gate."""

    entered = threading.Event()
    gate = threading.Event()

    def send_messages(self, messages):
        GatedBackend.entered.set()
        assert GatedBackend.gate.wait(10), "the test never opened the gate"
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_a_second_delivery_while_the_first_is_sending_leaves_it_alone(settings):
    settings.EMAIL_BACKEND = "accounts.tests.test_account_email_outbox.GatedBackend"
    GatedBackend.entered.clear()
    GatedBackend.gate.clear()
    user = EnrolleeFactory(email="bea@example.test")
    row = AccountEmail.objects.create(
        user=user,
        kind=AccountEmail.Kind.PASSWORD_RESET,
        language="en",
        created_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    results = {}

    def first():
        try:
            results["first"] = account_email_deliver(email_id=row.pk, attempt=0)
        finally:
            connection.close()

    sender = threading.Thread(target=first)
    sender.start()
    try:
        assert GatedBackend.entered.wait(10), "the first delivery never reached the mail server"
        # The first holds the row while it talks to the mail server: the second does nothing.
        assert account_email_deliver(email_id=row.pk, attempt=0) is None
        assert account_emails_due_queue(now=timezone.now() + timedelta(hours=1)) == []
    finally:
        GatedBackend.gate.set()
        sender.join(10)
    assert results["first"] is not None
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (AccountEmail.State.SENT, 1)


def test_a_mail_server_failure_counts_the_attempt_and_the_sweep_sends_it_after_the_wait(settings, mail_server_down):
    EnrolleeFactory(email="bea@example.test")
    with after_commit(execute=True):
        response = Client().post("/account/password/reset/", {"email": "bea@example.test"})
    assert response["Location"] == "/account/password/reset/sent/"  # the person sees no error
    row = AccountEmail.objects.get()
    assert row.state == AccountEmail.State.PENDING
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    failed_at = row.next_attempt_at - emails.retry_wait(1)
    assert timedelta(seconds=55) < row.next_attempt_at - row.created_at < timedelta(seconds=65)

    # Not before the wait is over, even with the mail server back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sweep_run(now=failed_at + timedelta(seconds=30)).account_emails_queued == []
    assert mail.outbox == []
    assert sweep_run(now=failed_at + timedelta(seconds=61)).account_emails_queued == [row.pk]
    [message] = mail.outbox
    assert "/account/password/reset/" in message.body
    row.refresh_from_db()
    assert (row.state, row.attempts) == (AccountEmail.State.SENT, 2)
    assert sweep_run(now=failed_at + timedelta(hours=3)).account_emails_queued == []
    assert len(mail.outbox) == 1


def test_the_waits_double_up_to_an_hour_and_the_last_attempt_gives_up(mail_server_down):
    user = EnrolleeFactory(email="bea@example.test")
    before = timezone.now()
    with after_commit(execute=True):
        row = account_email_queue(kind=AccountEmail.Kind.PASSWORD_RESET, user=user, language="en")
    waits = []
    for _ in range(30):
        row.refresh_from_db()
        if row.state != AccountEmail.State.PENDING:
            break
        waits.append(round((row.next_attempt_at - before) / timedelta(minutes=1)))
        assert sweep_run(now=row.next_attempt_at - timedelta(seconds=1)).account_emails_queued == []
        before = timezone.now()
        assert sweep_run(now=row.next_attempt_at).account_emails_queued == [row.pk]
    assert waits == [1, 2, 4, 8, 16, 32, 60]
    assert row.state == AccountEmail.State.GAVE_UP
    assert row.attempts == emails.MAX_ATTEMPTS == 8
    assert "ConnectionRefusedError" in row.last_error
    assert mail.outbox == []
    assert sweep_run(now=timezone.now() + timedelta(days=1)).account_emails_queued == []


def test_a_delivery_the_broker_never_hands_to_a_worker_is_queued_again_after_the_claim(tmp_path):
    user = EnrolleeFactory(email="bea@example.test")
    broker = Broker.embedded(tmp_path)  # a real folder broker with no worker reading it
    with celery_sends_to(broker):
        with after_commit(execute=True):
            row = account_email_queue(kind=AccountEmail.Kind.PASSWORD_RESET, user=user, language="en")
        assert len(queued_messages(broker)) == 1
        now = timezone.now()
        assert account_emails_due_queue(now=now + LATER) == [row.pk]
        assert len(queued_messages(broker)) == 2
        # Claimed: not queued again every minute while it waits in the broker.
        for minutes in (2, 5, 9):
            assert account_emails_due_queue(now=now + LATER + timedelta(minutes=minutes)) == []
        assert len(queued_messages(broker)) == 2
        assert account_emails_due_queue(now=now + LATER + emails.CLAIM + timedelta(seconds=1)) == [row.pk]
        assert len(queued_messages(broker)) == 3
    assert mail.outbox == []
    # Whichever of the three arrives first sends it; the others find the attempt made.
    for _ in range(3):
        account_emails_send_task.apply(kwargs={"deliveries": [[row.pk, 0]]})
    assert len(mail.outbox) == 1


def test_a_confirmation_the_account_no_longer_needs_is_not_sent():
    data = {"full_name": "Ana Reyes", "email": "ana@example.test"}
    data |= {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    with after_commit(execute=False) as callbacks:
        Client().post("/account/signup/", data)
    user = User.objects.get()
    user.is_active = True
    user.save()
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    row = AccountEmail.objects.get()
    assert (row.state, row.attempts) == (AccountEmail.State.NOT_NEEDED, 0)


def test_a_next_page_too_long_to_keep_is_dropped_not_refused():
    user = EnrolleeFactory(is_active=False, last_login=None)
    row = account_email_queue(kind=AccountEmail.Kind.VERIFY, user=user, language="en", next_url="/my/" + "x" * 2000)
    assert row.next_url == ""


def test_finished_rows_are_removed_after_thirty_days_and_pending_ones_are_kept():
    user = EnrolleeFactory()
    now = timezone.now()

    def row(state, days_ago):
        finished = None if state == AccountEmail.State.PENDING else now - timedelta(days=days_ago)
        created = now - timedelta(days=days_ago)
        return AccountEmail.objects.create(
            user=user,
            kind=AccountEmail.Kind.ALREADY_REGISTERED,
            language="en",
            state=state,
            created_at=created,
            next_attempt_at=now + timedelta(days=1),
            finished_at=finished,
        )

    old_sent, old_gave_up = row(AccountEmail.State.SENT, 31), row(AccountEmail.State.GAVE_UP, 40)
    recent, old_pending = row(AccountEmail.State.SENT, 29), row(AccountEmail.State.PENDING, 90)
    assert sweep_run(now=now).account_emails_pruned == 2
    assert set(AccountEmail.objects.values_list("id", flat=True)) == {recent.pk, old_pending.pk}
    assert not AccountEmail.objects.filter(pk__in=[old_sent.pk, old_gave_up.pk]).exists()


def test_a_row_is_finished_exactly_when_it_is_not_pending():
    from django.db import IntegrityError, transaction

    user = EnrolleeFactory()
    now = timezone.now()
    fields = {"user": user, "kind": "verify", "language": "en", "created_at": now, "next_attempt_at": now}
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountEmail.objects.create(**fields, state=AccountEmail.State.SENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountEmail.objects.create(**fields, finished_at=now)


def test_a_message_that_cannot_be_written_counts_an_attempt_like_a_mail_server_failure():
    now = timezone.now()
    row = AccountEmail.objects.create(
        user=EnrolleeFactory(), kind="no_such_kind", language="en", created_at=now, next_attempt_at=now
    )
    assert account_email_deliver(email_id=row.pk, attempt=0) == row
    row.refresh_from_db()
    assert (row.state, row.attempts) == (AccountEmail.State.PENDING, 1)
    assert row.last_error.startswith("ValueError: Unknown account e-mail")
    assert row.next_attempt_at > now
    assert mail.outbox == []
