"""Enrollee account pages under /account/ (and /es/account/): sign up with a confirmed e-mail,
sign in, sign out, and reset a forgotten password. Staff keep the admin's own sign-in."""

import logging

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from accounts import services
from accounts.forms import NewPasswordForm, ResetRequestForm, SignInForm, SignUpForm
from accounts.throttle import throttle_hit
from audit.signins import is_locked_out, is_slowed
from ops.network import client_ip

logger = logging.getLogger(__name__)

SIGN_UP_WINDOW = 60 * 60
SIGN_UP_LIMIT_PER_IP = 10
RESET_LIMIT_PER_IP = 10


def safe_next(request, value: str | None) -> str:
    """``value`` if it is an address on this site, else empty."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request, request.GET.get("next")) or "my-cases")
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = SignUpForm(request.POST or None)
    throttled = False
    if request.method == "POST":
        ip = client_ip(request)
        throttled = throttle_hit(scope="sign-up", key=ip, window_seconds=SIGN_UP_WINDOW) > SIGN_UP_LIMIT_PER_IP
        if throttled:
            form.is_valid()
            form.add_error(None, translation.gettext("Too many sign-ups from this connection. Try again in an hour."))
        elif form.is_valid():
            # The e-mail is written and sent by the worker: the answer costs the same whether or
            # not the address has an account.
            services.enrollee_sign_up(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
                next_url=next_url,
            )
            request.session["sign_up_email"] = form.cleaned_data["email"]
            return redirect("accounts:sign-up-sent")
    return render(request, "accounts/sign_up.html", {"form": form, "next": next_url})


@require_GET
def sign_up_sent(request):
    return render(request, "accounts/sign_up_sent.html", {"email": request.session.get("sign_up_email", "")})


@require_GET
def verify(request, uidb64, token):
    user, activated = services.enrollee_verify(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/verify_failed.html", status=400)
    if not activated:
        return render(request, "accounts/verify_already.html")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(safe_next(request, request.GET.get("next")) or "my-cases")


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("my-cases")

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            return self.form_valid(form)
        # Failed sign-ins are counted, and locked out, by django-axes as on every sign-in page.
        if is_locked_out(request):
            form.errors.clear()
            form.add_error(None, form.error_messages["slowed" if is_slowed(request) else "throttled"])
            return self.form_invalid(form)
        unconfirmed = form.unconfirmed_user()
        if unconfirmed is not None:
            form.errors.clear()
            form.add_error(None, form.error_messages["unconfirmed"])
            services.verification_email_queue(
                user=unconfirmed,
                language=translation.get_language() or settings.LANGUAGE_CODE,
                next_url=safe_next(request, request.POST.get("next")),
            )
        return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sign_up_url"] = reverse("accounts:sign-up") + (
            f"?next={context['next']}" if context.get("next") else ""
        )
        return context


class SignOutView(auth_views.LogoutView):
    next_page = reverse_lazy("home")


class ResetRequestView(auth_views.PasswordResetView):
    """The enrollees' "forgot your password" page. The link is e-mailed by the worker and starts
    with PORTAL_BASE_URL (Django's own view would build it from the request's Host). Staff and
    plan accounts are answered exactly as an unknown address: a supervisor resets them."""

    template_name = "accounts/password_reset.html"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_valid(self, form):
        count = throttle_hit(scope="password-reset", key=client_ip(self.request), window_seconds=SIGN_UP_WINDOW)
        if count <= RESET_LIMIT_PER_IP:
            services.password_reset_request(
                email=form.cleaned_data["email"], language=translation.get_language() or settings.LANGUAGE_CODE
            )
        # The same answer whatever happened: the page must not become a way to test addresses.
        return redirect(self.success_url)


class ResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm

    def get_success_url(self):
        return reverse("accounts:password-reset-complete")


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
