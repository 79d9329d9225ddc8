"""Account e-mails through a real Celery worker: a sign-up made while the broker is unreachable is
sent once the worker is back (by the sweep it runs as it starts), and the same delivery handed to
the worker again sends nothing more. The worker writes the e-mails it sends to files."""

import re

import pytest
from django.test import Client

from accounts.models import AccountEmail
from ops.testing import Broker, celery_sends_to, free_port, start_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUCCEEDED = re.compile(r"Task accounts\.account_emails_send\[[0-9a-f-]+\] succeeded")


def test_a_sign_up_while_the_broker_is_down_reaches_the_person_once_through_a_real_worker(tmp_path, settings, broker):
    settings.SWEEP_GRACE_SECONDS = 0  # the row is due at once: the worker's first sweep takes it
    with celery_sends_to(Broker.redis(f"redis://127.0.0.1:{free_port()}/0", tmp_path / "down")):
        response = Client().post(
            "/account/signup/",
            {
                "full_name": "Ana Reyes",
                "email": "ana@example.test",
                "password1": "river candle maple orbit",
                "password2": "river candle maple orbit",
            },
        )
    assert response["Location"] == "/account/signup/check-your-email/"
    row = AccountEmail.objects.get()
    assert row.state == AccountEmail.State.PENDING

    mail_dir = tmp_path / "mail"
    worker = start_worker(broker, SWEEP_GRACE_SECONDS="0", EMAIL_URL=f"filemail:///{mail_dir}")
    try:
        wait_until(lambda: " ready." in worker.log(), timeout=90, what="the worker to start")
        wait_until(
            lambda: AccountEmail.objects.get(pk=row.pk).state == AccountEmail.State.SENT,
            timeout=120,
            what=f"the sweep in the worker to send the e-mail; log:\n{worker.log()}",
        )
        # The broker hands the same delivery over again: the worker runs it and sends nothing.
        broker.send("accounts.account_emails_send", queue="celery", kwargs={"deliveries": [[row.pk, 0]]})
        wait_until(
            lambda: len(SUCCEEDED.findall(worker.log())) >= 2,
            timeout=60,
            what=f"the repeated delivery to run; log:\n{worker.log()}",
        )
    finally:
        worker.stop()
    messages = [path.read_text() for path in mail_dir.iterdir()]
    assert len(messages) == 1, messages
    assert "To: ana@example.test" in messages[0]
    assert "/account/verify/" in messages[0]
    row.refresh_from_db()
    assert (row.state, row.attempts) == (AccountEmail.State.SENT, 1)
