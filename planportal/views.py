"""The plan portal's pages: the work queue, one case, the plan's three actions, and downloads.

Every view is wrapped in ``plan_page`` (signed in, plan user, second factor) and reaches cases only
through ``planportal.selectors``, which start from ``cases_visible_to``: another plan's case, or
a case not sent to the plan, is a 404 just like a case that does not exist.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from audit.middleware import case_reached
from complaints.downloads import protected_file_response
from complaints.errors import CaseError, MoveRefused, NotPermitted
from complaints.models import Case
from complaints.selectors import documents_openable_by, letters_visible_to
from complaints.uploads import UploadRejected
from planportal import selectors, services
from planportal.access import plan_page
from planportal.forms import CarriedOutForm, PlanForm, ResponseForm, ReversedForm

OPEN_CASES_PER_PAGE = 50
ENGLISH_ONLY = "language_alternates"


def _english_only(request) -> dict:
    # Plan pages are English only: the language switch offers no Spanish copy of them.
    return {ENGLISH_ONLY: [{"code": "en", "url": request.get_full_path()}]}


def _case_or_404(request, number: str) -> Case:
    try:
        case = selectors.plan_case_get(user=request.user, number=number)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None
    case_reached(request, case)
    return case


@plan_page
@require_GET
def queue(request):
    now = timezone.now()
    items = selectors.plan_queue(user=request.user, now=now)
    page = Paginator(selectors.plan_open_cases(user=request.user), OPEN_CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "items": items,
        "late_count": sum(1 for item in items if item.late),
        "open_page": page,
        "now": now,
        **_english_only(request),
    }
    return render(request, "planportal/queue.html", context)


@plan_page
@require_GET
def case_detail(request, number: str):
    return _case_page(request, _case_or_404(request, number))


def _case_page(request, case: Case, *, bound: PlanForm | None = None, status: int = 200):
    now = timezone.now()
    offered = services.plan_moves(case=case, user=request.user, now=now)
    forms = {
        services.RESPOND: ResponseForm(),
        services.REVERSED: ReversedForm(),
        services.CARRIED_OUT: CarriedOutForm(),
    }
    if bound is not None:
        forms[_MOVE_OF_FORM[type(bound)]] = bound
    context = {
        "info": selectors.plan_case_view(user=request.user, case=case, now=now),
        "case": case,
        "respond_form": forms[services.RESPOND] if services.RESPOND in offered else None,
        "reversed_form": forms[services.REVERSED] if services.REVERSED in offered else None,
        "carried_out_form": forms[services.CARRIED_OUT] if services.CARRIED_OUT in offered else None,
        "bound": bound,
        "now": now,
        **_english_only(request),
    }
    return render(request, "planportal/case.html", context, status=status)


_MOVE_OF_FORM = {
    ResponseForm: services.RESPOND,
    ReversedForm: services.REVERSED,
    CarriedOutForm: services.CARRIED_OUT,
}


def _refused(request, case: Case, refusal: MoveRefused):
    """A step that is no longer open (a second click, or someone else was quicker): say so."""
    messages.warning(request, refusal.message)
    return redirect("plan-case", number=case.number)


def _add_domain_errors(form: PlanForm, error: CaseError, fallback_field: str | None = None) -> None:
    for field, message in error.field_errors.items():
        form.add_error(field if field in form.fields else None, message)
    if not error.field_errors:
        form.add_error(fallback_field, error.message)


def _invalid(request, case: Case, form: PlanForm):
    return _case_page(request, case, bound=form, status=400)


@plan_page
@require_POST
def respond(request, number: str):
    case = _case_or_404(request, number)
    form = ResponseForm(request.POST, request.FILES)
    if form.is_valid():
        files = form.cleaned_data["files"]
        try:
            response = services.plan_response_send(
                case=case, statement=form.cleaned_data["statement"], files=files, actor=request.user
            )
        except MoveRefused as refusal:
            return _refused(request, case, refusal)
        except UploadRejected as rejected:
            form.add_error("files", rejected.message)
        except NotPermitted:
            raise Http404("No such case.") from None
        except CaseError as error:
            _add_domain_errors(form, error)
        else:
            messages.success(
                request,
                f"The plan's response to case {case.number} was received on "
                f"{timezone.localtime(response.submitted_at):%B %-d, %Y at %-I:%M %p %Z}, "
                f"with {_count(len(files), 'document')}.",
            )
            return redirect("plan-case", number=case.number)
    return _invalid(request, case, form)


@plan_page
@require_POST
def reversed_decision(request, number: str):
    case = _case_or_404(request, number)
    form = ReversedForm(request.POST)
    if form.is_valid():
        try:
            services.plan_reversal_record(case=case, reason=form.cleaned_data["reason"], actor=request.user)
        except MoveRefused as refusal:
            if not refusal.field_errors:
                return _refused(request, case, refusal)
            _add_domain_errors(form, refusal)
        except NotPermitted:
            raise Http404("No such case.") from None
        else:
            messages.success(
                request, f"Case {case.number} is closed: the plan reversed its decision, in the member's favour."
            )
            return redirect("plan-case", number=case.number)
    return _invalid(request, case, form)


@plan_page
@require_POST
def carried_out(request, number: str):
    case = _case_or_404(request, number)
    form = CarriedOutForm(request.POST, request.FILES)
    if form.is_valid():
        proofs = form.cleaned_data["proofs"]
        try:
            services.plan_carried_out_confirm(
                case=case,
                carried_out_date=form.cleaned_data["carried_out_date"],
                proofs=proofs,
                actor=request.user,
            )
        except MoveRefused as refusal:
            if not refusal.field_errors:
                return _refused(request, case, refusal)
            _add_domain_errors(form, refusal)
        except UploadRejected as rejected:
            form.add_error("proofs", rejected.message)
        except NotPermitted:
            raise Http404("No such case.") from None
        except CaseError as error:
            _add_domain_errors(form, error)
        else:
            messages.success(
                request,
                f"Thank you. Case {case.number}: the decision is recorded as carried out on "
                f"{form.cleaned_data['carried_out_date']:%B %-d, %Y}, with {_count(len(proofs), 'document')} of proof.",
            )
            return redirect("plan-case", number=case.number)
    return _invalid(request, case, form)


@plan_page
@require_GET
def document_download(request, number: str, document_id: int):
    case = _case_or_404(request, number)
    document = get_object_or_404(documents_openable_by(user=request.user, case=case), pk=document_id)
    return protected_file_response(
        file_field=document.file, download_name=document.original_name, content_type=document.content_type
    )


@plan_page
@require_GET
def letter_download(request, number: str, letter_id: int):
    case = _case_or_404(request, number)
    letter = get_object_or_404(letters_visible_to(user=request.user, case=case), pk=letter_id)
    return protected_file_response(
        file_field=letter.pdf,
        download_name=f"{case.number}-{letter.kind.lower().replace('_', '-')}.pdf",
        content_type="application/pdf",
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
