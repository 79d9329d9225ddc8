"""The staff admin's site: Help Center staff enter only after the second factor.

Signing in at /admin/login/ is the same two steps as the plan portal's: e-mail and password, then
a code from an authenticator app (set up at the first sign-in, with recovery codes shown once).
Every admin page checks ``has_permission``, which also asks that this session passed the second
factor, so a session that only gave a password (or a ``force_login``) sees no admin page.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path, reverse

from twofactor.services import is_enrolled
from twofactor.views import EnrolView, Flow, PasswordView, RecoveryCodesView, VerifyView


def is_staff_member(user) -> bool:
    """Help Center staff who may enter the admin (plan users and enrollees never can)."""
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.is_help_center_staff)


def _site_context(request) -> dict:
    return admin.site.each_context(request)


STAFF_FLOW = Flow(
    title="Help Center staff admin",
    base_template="twofactor/admin_base.html",
    home_url="admin:index",
    login_url="admin:login",
    enrol_url="admin:staff-enrol",
    verify_url="admin:staff-verify",
    codes_url="admin:staff-recovery-codes",
    allows=is_staff_member,
    extra_context=_site_context,
)


class StaffAdminSite(admin.AdminSite):
    site_header = "DMHC Help Center: staff"
    site_title = "Help Center staff"
    index_title = "Cases and work queues"

    def has_permission(self, request) -> bool:
        user = request.user
        verified = getattr(user, "is_verified", None)
        return is_staff_member(user) and bool(verified and verified())

    def login(self, request, extra_context=None):
        user = request.user
        if is_staff_member(user) and not user.is_verified():
            # Signed in with a password only (an older session): straight on to the code.
            step = STAFF_FLOW.verify_url if is_enrolled(user) else STAFF_FLOW.enrol_url
            query = urlencode({"next": request.GET.get("next") or reverse(STAFF_FLOW.home_url)})
            return redirect(f"{reverse(step)}?{query}")
        return PasswordView.as_view(flow=STAFF_FLOW)(request)

    def get_urls(self):
        return [
            path("login/setup/", EnrolView.as_view(flow=STAFF_FLOW), name="staff-enrol"),
            path("login/code/", VerifyView.as_view(flow=STAFF_FLOW), name="staff-verify"),
            path("login/recovery-codes/", RecoveryCodesView.as_view(flow=STAFF_FLOW), name="staff-recovery-codes"),
            *super().get_urls(),
        ]
