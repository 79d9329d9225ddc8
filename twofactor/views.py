"""A two-step sign-in (password, then an authenticator code) that any portal can mount.

A portal describes itself with a ``Flow`` (its URL names, its page frame, who may use it) and
mounts the views with ``as_view(flow=...)``. The plan portal does this under /plan/login/ and the
staff admin under /admin/login/ (``twofactor.staff_admin``). Every page here is English and
never cached.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, Outcome
from audit.services import audit_record
from audit.signins import is_locked_out, is_slowed
from twofactor import qr, services, session
from twofactor.forms import CodeForm, EnrolForm, PasswordForm

SIGN_IN_REFUSED = "The e-mail address or password is not right. Check both and try again."
SIGN_IN_LOCKED = (
    "Too many tries. Wait 15 minutes and try again. If you have forgotten your password, call the Help Center."
)
SIGN_IN_SLOWED = (
    "Too many tries for this account. Wait a minute and try again. If you have forgotten your password, "
    "call the Help Center."
)


@dataclass(frozen=True)
class Flow:
    """One portal's sign-in: its page frame, where each step lives, and who may use it."""

    title: str
    base_template: str
    home_url: str
    login_url: str
    enrol_url: str
    verify_url: str
    codes_url: str
    allows: Callable[[object], bool]
    language: str = "en"
    # More context for the page frame (the admin's site header and navigation), from the request.
    extra_context: Callable[[object], dict] | None = None


@method_decorator([never_cache, sensitive_post_parameters("password", "code")], name="dispatch")
class FlowView(View):
    flow: Flow | None = None
    template_name = ""

    def dispatch(self, request, *args, **kwargs):
        with translation.override(self.flow.language):
            return super().dispatch(request, *args, **kwargs)

    # The steps carry "where to go afterwards" along, but only to a page of this site.
    def next_url(self) -> str:
        candidate = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return candidate
        return reverse(self.flow.home_url)

    def step(self, url_name: str) -> HttpResponseRedirect:
        url = reverse(url_name)
        target = self.next_url()
        if target != reverse(self.flow.home_url):
            url = f"{url}?{urlencode({'next': target})}"
        return redirect(url)

    def page(self, context: dict, status: int = 200):
        context = {
            **(self.flow.extra_context(self.request) if self.flow.extra_context else {}),
            "flow": self.flow,
            "next": self.next_url(),
            "language_alternates": [{"code": self.flow.language, "url": self.request.get_full_path()}],
            **context,
        }
        return render(self.request, self.template_name, context, status=status)

    def signed_in(self) -> bool:
        user = self.request.user
        return user.is_authenticated and user.is_verified() and self.flow.allows(user)

    def person(self):
        """The person part-way through signing in to this portal, or None."""
        person = session.person_signing_in(self.request)
        return person if person is not None and self.flow.allows(person) else None


class PasswordView(FlowView):
    template_name = "twofactor/password.html"

    def get(self, request):
        if self.signed_in():
            return redirect(self.next_url())
        return self.page({"form": PasswordForm()})

    def post(self, request):
        form = PasswordForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            # E-mail addresses are unique ignoring case; sign in with however it was typed.
            account = get_user_model().objects.filter(email__iexact=email).only("email").first()
            user = authenticate(
                request, username=account.email if account else email, password=form.cleaned_data["password"]
            )
            if user is not None and self.flow.allows(user):
                session.pending_begin(request, user)
                return self.step(self.flow.verify_url if services.is_enrolled(user) else self.flow.enrol_url)
            # django-axes counts the failure; once locked out, even the right password is refused.
            if is_locked_out(request):
                form.add_error(None, SIGN_IN_SLOWED if is_slowed(request) else SIGN_IN_LOCKED)
            else:
                form.add_error(None, SIGN_IN_REFUSED)
        return self.page({"form": form}, status=400)


class EnrolView(FlowView):
    """First sign-in: show the secret (as text and as a QR code), then check one code from the app."""

    template_name = "twofactor/enrol.html"

    def dispatch(self, request, *args, **kwargs):
        self.user = None
        with translation.override(self.flow.language):
            if self.signed_in():
                return redirect(self.next_url())
            self.user = self.person()
            if self.user is None:
                return self.step(self.flow.login_url)
            if services.is_enrolled(self.user):
                return self.step(self.flow.verify_url)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        device = services.totp_enrolment_device(user=self.user)
        return self.page(self._context(device, EnrolForm(initial={"device": device.id}, help_text=_CODE_HELP)))

    def post(self, request):
        form = EnrolForm(request.POST, help_text=_CODE_HELP)
        if form.is_valid():
            try:
                device, codes = services.totp_enrolment_confirm(
                    user=self.user, device_id=form.cleaned_data["device"], code=form.cleaned_data["code"]
                )
            except services.CodeRejected as refusal:
                form.add_error("code", refusal.message)
                _second_factor_refused(request, self.user)
            else:
                session.sign_in_complete(request, self.user, device)
                request.session[session.CODES_KEY] = codes
                return self.step(self.flow.codes_url)
        device = services.totp_enrolment_device(user=self.user)
        form = _rebound_for(form, device) if form.data.get("device") != str(device.id) else form
        return self.page(self._context(device, form), status=400)

    def _context(self, device: TOTPDevice, form) -> dict:
        return {
            "form": form,
            "secret": services.totp_secret_text(device),
            "qr_svg": qr.qr_svg(device.config_url, title="QR code holding the secret for your authenticator app"),
            "account": self.user.email,
        }


class VerifyView(FlowView):
    """Every sign-in after the first: a code from the app, or one recovery code."""

    template_name = "twofactor/verify.html"

    def dispatch(self, request, *args, **kwargs):
        self.user = None
        with translation.override(self.flow.language):
            if self.signed_in():
                return redirect(self.next_url())
            self.user = self.person()
            if self.user is None:
                return self.step(self.flow.login_url)
            if not services.is_enrolled(self.user):
                return self.step(self.flow.enrol_url)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.page({"form": CodeForm(help_text=_VERIFY_HELP), "account": self.user.email})

    def post(self, request):
        form = CodeForm(request.POST, help_text=_VERIFY_HELP)
        if form.is_valid():
            try:
                verified = services.second_factor_check(user=self.user, code=form.cleaned_data["code"])
            except services.CodeRejected as refusal:
                form.add_error("code", refusal.message)
                _second_factor_refused(request, self.user)
            else:
                session.sign_in_complete(request, self.user, verified.device)
                if verified.used_recovery_code:
                    messages.warning(
                        request,
                        f"You signed in with a recovery code. It cannot be used again; you have "
                        f"{verified.recovery_codes_left} left. If you lost your phone, call the Help Center.",
                    )
                return redirect(self.next_url())
        return self.page({"form": form, "account": self.user.email}, status=400)


class RecoveryCodesView(FlowView):
    """Shows new recovery codes once (GET), or makes a new set (POST, signed-in users)."""

    template_name = "twofactor/recovery_codes.html"

    def dispatch(self, request, *args, **kwargs):
        with translation.override(self.flow.language):
            if not self.signed_in():
                return self.step(self.flow.login_url)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        codes = request.session.pop(session.CODES_KEY, None)
        if not codes:
            return redirect(self.next_url())
        return self.page({"codes": codes})

    def post(self, request):
        request.session[session.CODES_KEY] = services.recovery_codes_replace(user=request.user)
        return self.step(self.flow.codes_url)


class SignOutView(FlowView):
    http_method_names = ["post"]

    def post(self, request):
        session.sign_out(request)
        messages.success(request, "You are signed out.")
        return redirect(reverse(self.flow.login_url))


_CODE_HELP = "The 6-digit code your authenticator app shows for this account now."
_VERIFY_HELP = (
    "The 6-digit code your authenticator app shows now. Without your phone, type one of your recovery codes instead."
)


def _second_factor_refused(request, user) -> None:
    audit_record(
        action=Action.SECOND_FACTOR_FAILED,
        outcome=Outcome.FAILED,
        request=request,
        actor=user,
        detail="wrong, used or throttled code",
    )


def _rebound_for(form: EnrolForm, device: TOTPDevice) -> EnrolForm:
    """The secret shown changed (the old setup expired): keep the error, point at the new device."""
    data = form.data.copy()
    data["device"] = str(device.id)
    rebound = EnrolForm(data, help_text=_CODE_HELP)
    rebound.is_valid()
    for field, errors in form.errors.items():
        for error in errors:
            rebound.add_error(None if field == "__all__" else field, error)
    return rebound
