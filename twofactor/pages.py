"""The guard of a portal's own pages, built from the portal's ``Flow``.

Anyone not signed in is sent to the portal's sign-in; someone the portal allows but who has not
given the second factor this session is sent to it (set-up or code). Anyone else signed in gets
"not found", exactly like asking for a case that is not theirs, so an address gives no hint.
Every guarded page is never cached and in the flow's language.
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


def flow_page(flow):
    """A view decorator for the pages behind ``flow`` (a ``twofactor.views.Flow``)."""

    def decorate(view):
        @wraps(view)
        @never_cache
        def guarded(request, *args, **kwargs):
            with translation.override(flow.language):
                user = request.user
                if not user.is_authenticated:
                    return redirect_to_login(request.get_full_path(), reverse(flow.login_url))
                if not flow.allows(user):
                    raise Http404("No such page.")
                if not user.is_verified():
                    step = flow.verify_url if is_enrolled(user) else flow.enrol_url
                    return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
                return view(request, *args, **kwargs)

        return guarded

    return decorate
