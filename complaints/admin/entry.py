"""Staff enter a case that came by phone, mail or fax: the same form and the same filing service
as online filing (``case_file``), with the channel and the real time of receipt.

A second POST of the same form never makes a second case: each form carries a one-time token,
signed for the staff member who opened it. The first POST takes a lease on the token (an atomic
database lock, so two simultaneous clicks cannot both pass); a case made with it is remembered in
the session, and a repeat is sent to that case with a message.
"""

import secrets
import uuid

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from audit.middleware import case_reached
from complaints.clocks import LOCAL_TZ
from complaints.errors import CaseError
from complaints.services.filing import case_file
from ops.leases import lease_acquire, lease_release

from .entry_form import ENTRY_SECTIONS, EntryForm

TOKEN_SALT = "complaints.admin.entry"  # noqa: S105 (a signing namespace, not a secret)
TOKEN_MAX_AGE_SECONDS = 12 * 60 * 60
SESSION_KEY = "complaints_case_entries"
SESSION_KEEP = 50


def entry_token_new(user) -> str:
    return signing.dumps({"user": user.pk, "nonce": secrets.token_urlsafe(18)}, salt=TOKEN_SALT)


def entry_token_nonce(token: str, user) -> str | None:
    """The token's one-time value, or None if it is forged, expired, or made for someone else."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    return data.get("nonce") if data.get("user") == user.pk else None


def _remember(request, nonce: str, number: str) -> None:
    done = dict(request.session.get(SESSION_KEY, {}))
    done[nonce] = number
    request.session[SESSION_KEY] = dict(list(done.items())[-SESSION_KEEP:])


def entry_view(request, model_admin):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied("Only intake staff and supervisors enter cases.")
    changelist = reverse("admin:complaints_case_changelist")
    if request.method != "POST":
        return _render(request, model_admin, EntryForm(user=request.user), entry_token_new(request.user))

    token = request.POST.get("entry_token", "")
    nonce = entry_token_nonce(token, request.user)
    form = EntryForm(request.POST, user=request.user)
    if nonce is None:
        messages.error(request, "This form had expired. Nothing was saved: check the answers and send it again.")
        form.is_valid()
        return _render(request, model_admin, form, entry_token_new(request.user), status=400)
    number = request.session.get(SESSION_KEY, {}).get(nonce)
    if number:
        messages.warning(request, f"This form was already sent and made case {number}. No second case was made.")
        return redirect(_case_url(number, model_admin) or changelist)
    holder = uuid.uuid4().hex
    lease = f"case-entry:{nonce}"
    if not lease_acquire(name=lease, holder=holder, seconds=TOKEN_MAX_AGE_SECONDS):
        messages.warning(
            request,
            "This form is already being sent, or was sent before. No second case was made: find it in the queue.",
        )
        return redirect(changelist)

    case = None
    if form.is_valid():
        try:
            with timezone.override(LOCAL_TZ):
                case = case_file(
                    data=form.filing_data(),
                    channel=form.cleaned_data["channel"],
                    actor=request.user,
                    received_at=form.cleaned_data["received_at"],
                )
        except CaseError as error:
            form.add_domain_errors(error)
    if case is None:
        # Nothing was made with this token: free it so the corrected form can be sent.
        lease_release(name=lease, holder=holder)
        return _render(request, model_admin, form, token, status=400)
    _remember(request, nonce, case.number)
    case_reached(request, case)
    messages.success(request, f"Case {case.number} entered ({case.get_channel_display().lower()}).")
    return redirect(reverse("admin:complaints_case_change", args=[case.pk]))


def _case_url(number: str, model_admin) -> str | None:
    case = model_admin.model.objects.filter(number=number).only("pk").first()
    return reverse("admin:complaints_case_change", args=[case.pk]) if case else None


def _render(request, model_admin, form: EntryForm, token: str, *, status: int = 200) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Enter a case from a phone call, letter or fax",
        "form": form,
        "sections": [(title, [form[name] for name in names]) for title, names in ENTRY_SECTIONS],
        "entry_token": token,
    }
    return TemplateResponse(request, "admin/complaints/case/entry_form.html", context, status=status)
