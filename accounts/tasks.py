"""The worker's side of the account e-mails: each is written and sent here, never in the request,
so that a page costs the same whatever the e-mail says (the sign-up page must not tell, by its
speed, whether an address has an account). A task takes the account's id; links are made from
PORTAL_BASE_URL when the message is written."""

import smtplib

from celery import shared_task

from accounts.services import account_email_send


@shared_task(
    name="accounts.account_email_send",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def account_email_send_task(*, kind: str, user_id: int, language: str, next_url: str = "") -> None:
    account_email_send(kind=kind, user_id=user_id, language=language, next_url=next_url)
