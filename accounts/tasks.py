"""The worker's side of the account e-mails (``accounts.emails``): each is written and sent here,
never in the request, so that a page costs the same whatever the e-mail says (the sign-up page
must not tell, by its speed, whether an address has an account).

A delivery names an outbox row and the attempt it was queued for; running it twice sends nothing
the second time. A mail-server failure is recorded on the row and retried by the sweep after its
wait, so this task does not retry by itself."""

import logging

from celery import shared_task

from accounts.emails import account_email_deliver

logger = logging.getLogger(__name__)


class AccountEmailsUndelivered(Exception):
    """Some deliveries failed for a reason other than the mail server (the rows wait for the sweep)."""


@shared_task(name="accounts.account_emails_send")
def account_emails_send_task(*, deliveries: list[list[int]]) -> None:
    failed = []
    for email_id, attempt in deliveries:
        try:
            account_email_deliver(email_id=email_id, attempt=attempt)
        except Exception:  # a database error, say: the row is still pending and the sweep retries it
            logger.exception("Account e-mail %s not delivered; the sweep will try again.", email_id)
            failed.append(email_id)
    if failed:
        message = f"{len(failed)} of {len(deliveries)} account e-mails not delivered: {failed[:20]}"
        raise AccountEmailsUndelivered(message)
