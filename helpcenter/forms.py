"""The contact form, protected against spam without a captcha service: a field people never see
(bots fill it), a signed start time (bots post at once; a form older than a day is stale), and a
per-address limit counted in the shared cache (``accounts.throttle``)."""

import time

from crispy_forms.helper import FormHelper
from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from accounts.throttle import throttle_hit
from ops.network import client_ip

MIN_FILL_SECONDS = 3
MAX_FORM_AGE_SECONDS = 24 * 60 * 60
LIMIT_PER_HOUR = 5
_SALT = "helpcenter.contact.started"


def started_token(now: float | None = None) -> str:
    return signing.dumps(int(now if now is not None else time.time()), salt=_SALT)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We answer to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label=_("Your question"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Please do not send medical details here. To ask for a review, use the application form."),
    )
    # People never see this box (it is off-screen and skipped by the keyboard); bots fill it in.
    website = forms.CharField(label=_("Leave this box empty"), required=False)
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.looks_like_spam = False
        super().__init__(*args, **kwargs)
        self.fields["message"].widget.attrs.pop("maxlength", None)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound:
            self.initial["started"] = started_token()
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            self.looks_like_spam = True
        try:
            started = signing.loads(self.data.get("started", ""), salt=_SALT, max_age=MAX_FORM_AGE_SECONDS)
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This form was open too long. Please copy your question and send it again."), code="stale"
            ) from None
        if time.time() - started < MIN_FILL_SECONDS:
            self.looks_like_spam = True
        if self.request is not None and not self.looks_like_spam:
            count = throttle_hit(scope="contact", key=client_ip(self.request), window_seconds=60 * 60)
            if count > LIMIT_PER_HOUR:
                raise forms.ValidationError(
                    _("You have sent several messages in the last hour. Please wait, or call us."), code="throttled"
                )
        # A fresh start time for the form shown again after an error.
        self.data = self.data.copy()
        self.data["started"] = started_token(started)
        return cleaned

    def error_links(self) -> list[tuple[str, str]]:
        links = [("#id_message", str(message)) for message in self.non_field_errors()]
        for bound_field in self:
            if bound_field.name in {"website", "started"}:
                continue
            links.extend((f"#{bound_field.auto_id}", str(message)) for message in bound_field.errors)
        return links
