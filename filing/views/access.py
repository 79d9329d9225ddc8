"""Who may use the enrollee pages: a signed-in enrollee account (staff and plan staff have theirs)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def enrollee_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_enrollee:
            return render(request, "filing/not_for_this_account.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
