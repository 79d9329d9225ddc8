"""Public information pages: home, before you file, contact (with its e-mail form), and the page
shown when the server fails."""

import logging
import smtplib

from django.conf import settings
from django.contrib import messages
from django.core.mail import EmailMessage
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helpcenter.forms import ContactForm

logger = logging.getLogger(__name__)


@require_GET
def home(request):
    return render(request, "public/home.html")


@require_GET
def guide(request):
    return render(request, "public/guide.html")


@require_http_methods(["GET", "POST"])
def contact(request):
    form = ContactForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        if form.looks_like_spam:
            # Answered like a success, so that a bot learns nothing.
            logger.info("Contact form: dropped a message that looked automated.")
        else:
            try:
                _send_question(form.cleaned_data)
            except (smtplib.SMTPException, OSError):
                logger.exception("Contact form: could not send a question.")
                form.add_error(None, _("We could not send your question just now. Please try again later, or call us."))
                return render(request, "public/contact.html", {"form": form})
        messages.success(request, _("Thank you. Your question was sent. We will answer by e-mail."))
        return redirect("contact")
    return render(request, "public/contact.html", {"form": form})


def _send_question(data: dict) -> None:
    body = f"From: {data['name'] or '-'} <{data['email']}>\n\n{data['message']}\n"
    EmailMessage(
        subject="Question from the website contact form",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=settings.CONTACT_FORM_TO,
        reply_to=[data["email"]],
    ).send()


def server_error(request):
    """The page of an unexpected error (status 500), in the language of the request.

    Rendered without the request's context: whatever failed (the database, a middleware) is not
    asked again. The Help Center's phone numbers come from the settings, not a context processor.
    """
    body = loader.get_template("500.html").render({"help_center": settings.HELP_CENTER_CONTACT})
    return HttpResponseServerError(body)
