"""The review organization's pages under /review/: the queue, the attestation, the case file,
documents, the determination, and the coordinator's assignment.

Every view is wrapped in ``review_page`` (signed in, reviewer, second factor) and reaches cases
only through ``review.selectors``: a case of another organization, one assigned to someone else,
or one not yet attested answers 404 exactly like a case that does not exist.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.middleware import case_reached
from complaints.downloads import protected_file_response
from complaints.errors import CaseError, NotPermitted
from complaints.selectors import documents_openable_by
from packets.downloads import packet_file_response
from packets.models import Packet
from packets.services import packet_offer
from review import selectors, services
from review.access import review_page
from review.forms import AssignForm, AttestForm, DeclineForm, DeterminationForm
from review.models import Assignment, Referral

ENGLISH_ONLY = "language_alternates"


def _english_only(request) -> dict:
    return {ENGLISH_ONLY: [{"code": "en", "url": request.get_full_path()}]}


def _attested_or_404(request, number: str) -> Assignment:
    try:
        assignment = selectors.assignment_attested(user=request.user, number=number)
    except Assignment.DoesNotExist:
        raise Http404("No such case.") from None
    case_reached(request, assignment.referral.case)
    return assignment


def _errors_into(form, error: CaseError) -> None:
    placed = False
    for name, message in error.field_errors.items():
        form.add_error(name if name in form.fields else None, message)
        placed = placed or name in form.fields
    if not placed:
        form.add_error(None, error.message)


@review_page
@require_GET
def queue(request):
    now = timezone.now()
    profile = request.reviewer
    context = {
        "profile": profile,
        "rows": selectors.reviewer_queue(user=request.user, now=now) if profile.reviews_cases else [],
        "coordinator": selectors.coordinator_queue(user=request.user, now=now) if profile.is_coordinator else None,
        "coordinator_limit": selectors.COORDINATOR_LIMIT,
        **_english_only(request),
    }
    return render(request, "review/queue.html", context)


@review_page
@require_http_methods(["GET", "POST"])
def attest(request, number: str):
    try:
        assignment = selectors.assignment_to_attest(user=request.user, number=number)
    except Assignment.DoesNotExist:
        raise Http404("No such case.") from None
    case_reached(request, assignment.referral.case)
    form, decline_form, status = AttestForm(), DeclineForm(), 200
    if request.method == "POST":
        form = AttestForm(request.POST)
        if form.is_valid():
            try:
                services.attestation_sign(
                    assignment=assignment, actor=request.user, confirmed=form.cleaned_data["confirm"]
                )
            except NotPermitted:
                raise Http404("No such case.") from None
            except CaseError as error:
                _errors_into(form, error)
                status = 400
            else:
                messages.success(request, _("Attestation signed. The case file is open to you."))
                return redirect("review-case", number=number)
        else:
            status = 400
    return _attest_page(request, assignment, form, decline_form, status)


def _attest_page(request, assignment, form, decline_form, status):
    context = {
        "assignment": assignment,
        "case": assignment.referral.case,
        "statement": Assignment.ATTESTATION,
        "form": form,
        "decline_form": decline_form,
        **_english_only(request),
    }
    return render(request, "review/attest.html", context, status=status)


@review_page
@require_POST
def decline(request, number: str):
    try:
        assignment = selectors.assignment_to_attest(user=request.user, number=number)
    except Assignment.DoesNotExist:
        raise Http404("No such case.") from None
    case_reached(request, assignment.referral.case)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.attestation_decline(assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"])
        except NotPermitted:
            raise Http404("No such case.") from None
        except CaseError as error:
            _errors_into(form, error)
        else:
            messages.success(
                request, _("You declined case %(number)s. Your coordinator will reassign it.") % {"number": number}
            )
            return redirect("review-queue")
    return _attest_page(request, assignment, AttestForm(), form, 400)


@review_page
@require_GET
def case_detail(request, number: str):
    assignment = _attested_or_404(request, number)
    now = timezone.now()
    # Only after the attestation: the packet is health information. Asking is idempotent; a
    # worker builds it, and the page says "being prepared" until then.
    packet = packet_offer(case=assignment.referral.case, requested_by=request.user, now=now)
    context = {
        "file": selectors.case_file(assignment=assignment),
        "now": now,
        "packet": _packet_block(packet, number),
        **_english_only(request),
    }
    return render(request, "review/case.html", context)


def _packet_block(packet: Packet, number: str) -> dict:
    block = {"state": packet.state, "url": "", "error": "", "page_count": packet.page_count}
    if packet.state == Packet.State.READY:
        block["url"] = reverse("review-packet", kwargs={"number": number, "packet_id": packet.pk})
    elif packet.state == Packet.State.FAILED:
        block["error"] = packet.error
    return block


@review_page
@require_GET
def packet_download(request, number: str, packet_id: int):
    assignment = _attested_or_404(request, number)
    return packet_file_response(case=assignment.referral.case, packet_id=packet_id)


@review_page
@require_GET
def document_download(request, number: str, document_id: int):
    assignment = _attested_or_404(request, number)
    case = assignment.referral.case
    document = get_object_or_404(documents_openable_by(user=request.user, case=case), pk=document_id)
    return protected_file_response(
        file_field=document.file, download_name=document.original_name, content_type=document.content_type
    )


@review_page
@require_http_methods(["GET", "POST"])
def determination(request, number: str):
    assignment = _attested_or_404(request, number)
    file = selectors.case_file(assignment=assignment)
    saved = file.determination
    if saved is not None and saved.submitted_at is not None:
        if request.method == "POST":
            messages.error(request, _("Your determination was already submitted; nothing was changed."))
        return redirect("review-case", number=number)
    status = 200
    if request.method == "POST":
        form = DeterminationForm(request.POST)
        if form.is_valid():
            submitting = request.POST.get("action") == "submit"
            try:
                if submitting:
                    services.determination_submit(assignment=assignment, actor=request.user, values=form.cleaned_data)
                else:
                    services.determination_save_draft(
                        assignment=assignment, actor=request.user, values=form.cleaned_data
                    )
            except NotPermitted:
                raise Http404("No such case.") from None
            except CaseError as error:
                if not error.field_errors:
                    messages.error(request, _("Nothing was saved: %(reason)s") % {"reason": error.message})
                    return redirect("review-case", number=number)
                _errors_into(form, error)
            else:
                if submitting:
                    messages.success(request, _("Determination submitted. The Help Center has it now."))
                    return redirect("review-case", number=number)
                messages.success(request, _("Draft saved. You can come back to it."))
                return redirect("review-determination", number=number)
        status = 400
    else:
        initial = {}
        if saved is not None:
            initial = {name: getattr(saved, name) for name in services.DETERMINATION_FIELDS}
        else:
            initial = {"reviewer_specialty": assignment.reviewer.specialty}
        form = DeterminationForm(initial=initial)
    context = {"file": file, "form": form, "min_chars": services.MIN_FINDING_CHARS, **_english_only(request)}
    return render(request, "review/determination.html", context, status=status)


@review_page
@require_http_methods(["GET", "POST"])
def assign(request, number: str):
    try:
        referral = selectors.referral_for_coordinator(user=request.user, number=number)
    except Referral.DoesNotExist:
        raise Http404("No such case.") from None
    case_reached(request, referral.case)
    reviewers = selectors.assignable_reviewers(referral=referral)
    form, status = AssignForm(reviewers=reviewers), 200
    if request.method == "POST":
        form = AssignForm(request.POST, reviewers=reviewers)
        if form.is_valid():
            try:
                services.assignment_make(referral=referral, reviewer=form.cleaned_data["reviewer"], actor=request.user)
            except NotPermitted:
                raise Http404("No such case.") from None
            except CaseError as error:
                _errors_into(form, error)
            else:
                messages.success(request, _("Case %(number)s assigned.") % {"number": number})
                return redirect("review-queue")
        status = 400
    context = {
        "referral": referral,
        "case": referral.case,
        "assignments": list(referral.assignments.all()),
        "form": form,
        **_english_only(request),
    }
    return render(request, "review/assign.html", context, status=status)
