"""The e-mail that confirms an application arrived. It carries the case number and where to sign
in, and nothing about anyone's health (the brief: no health information in an e-mail)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

logger = logging.getLogger(__name__)


def submission_confirmation_send(*, case, user, language: str) -> bool:
    """Send the confirmation to the account that filed, in ``language``. Returns False (and logs)
    if the mail server refused: the case is filed either way and shows in My cases."""
    with translation.override(language):
        context = {
            "number": case.number,
            "my_cases_url": settings.PORTAL_BASE_URL + reverse("my-cases"),
            "help_center": settings.HELP_CENTER_CONTACT,
        }
        subject = render_to_string("filing/email/submitted_subject.txt", context).strip()
        body = render_to_string("filing/email/submitted_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # any mail-server failure: the case stands, the person sees it in My cases
        logger.exception("Could not send the confirmation for case %s.", case.number)
        return False
    return True
