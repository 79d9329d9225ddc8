"""Who may open a plan page: a signed-in, active plan user whose session passed the second factor.

Anyone not signed in is sent to the plan sign-in; a plan user who has not given the second factor
in this session is sent to it. Anyone else signed in (an enrollee, Help Center staff) gets "not
found", exactly like a plan user asking for another plan's case, so a plan address gives no hint.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache

from twofactor.services import is_enrolled


def is_plan_member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_plan_user and user.health_plan_id)


def plan_page(view):
    """Decorate a plan portal view: checks who asks, never cached, always in English."""

    @wraps(view)
    @never_cache
    def guarded(request, *args, **kwargs):
        with translation.override("en"):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("plan-login"))
            if not is_plan_member(user):
                raise Http404("No such page.")
            if not user.is_verified():
                step = "plan-verify" if is_enrolled(user) else "plan-enrol"
                return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
            return view(request, *args, **kwargs)

    return guarded
