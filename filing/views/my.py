"""My cases: the enrollee's own cases (and unsent applications), each with its status in plain
words, what comes next, the letters, documents sent, and withdrawal when the workflow offers it.
Another person's case is "not found" (404), exactly like a case that does not exist."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.middleware import case_reached
from complaints.downloads import protected_file_response
from complaints.errors import CaseError
from complaints.models import Case, Document, Track
from complaints.selectors import (
    case_clocks,
    case_get_for_user,
    case_timeline,
    cases_visible_to,
    documents_openable_by,
    documents_visible_to,
    letters_visible_to,
)
from complaints.services.documents import document_add
from complaints.services.moves import case_move
from complaints.workflow import MoveInput, actor_roles, moves_available
from filing.case_text import LETTER_WORDS, STATUS_WORDS, TRACK_WORDS, enrollee_timeline, next_step_text
from filing.forms import WithdrawForm
from filing.selectors import drafts_unsent_for_user
from filing.views.access import enrollee_required
from filing.views.apply import upload_files, upload_form
from imr.similar import similar_cases


def _case(request, number: str) -> Case:
    try:
        case = case_get_for_user(user=request.user, number=number)
    except Case.DoesNotExist:
        raise Http404(_("There is no such case.")) from None
    case_reached(request, case)
    return case


def _can_withdraw(request, case: Case) -> bool:
    moves = moves_available(case, actor_roles(request.user, case), timezone.now())
    return any(move.name == "withdraw" for move in moves)


@require_GET
@enrollee_required
def my_cases(request):
    cases = [
        {"case": case, "status": STATUS_WORDS.get(case.status, "")}
        for case in cases_visible_to(request.user).order_by("-received_at", "id")
    ]
    return render(
        request, "filing/my/list.html", {"cases": cases, "drafts": list(drafts_unsent_for_user(request.user))}
    )


def _case_page(request, case: Case, *, form=None, status: int = 200):
    letters = list(letters_visible_to(user=request.user, case=case))
    documents = [
        document
        for document in documents_visible_to(user=request.user, case=case)
        if document.source == Document.Source.ENROLLEE
    ]
    context = {
        "case": case,
        "status_words": STATUS_WORDS.get(case.status, ""),
        "track_words": TRACK_WORDS.get(case.track, ""),
        "next_text": next_step_text(case, list(case_clocks(case=case))),
        "timeline": enrollee_timeline(events=case_timeline(case=case), letters=letters, documents=documents),
        "letters": [{"letter": letter, "title": LETTER_WORDS.get(letter.kind, letter.kind)} for letter in letters],
        "documents": documents,
        "can_withdraw": _can_withdraw(request, case),
        "can_add_documents": case.is_open,
        "upload_form": form or upload_form(),
        # How past IMRs like this one ended: for the enrollee's own IMR only (never on plan pages).
        "similar": similar_cases(
            denial_reason=case.denial_reason,
            treatment_text=case.treatment_in_dispute,
            diagnosis_text=case.what_happened,
        )
        if case.track == Track.IMR
        else None,
    }
    return render(request, "filing/my/detail.html", context, status=status)


@require_GET
@enrollee_required
def my_case(request, number):
    return _case_page(request, _case(request, number))


@require_GET
@enrollee_required
def my_case_letter(request, number, letter_id):
    case = _case(request, number)
    letter = letters_visible_to(user=request.user, case=case).filter(pk=letter_id).first()
    if letter is None:
        raise Http404(_("There is no such letter."))
    return protected_file_response(
        file_field=letter.pdf,
        download_name=f"{case.number}-{letter.kind.lower()}.pdf",
        content_type="application/pdf",
    )


@require_GET
@enrollee_required
def my_case_document(request, number, document_id):
    case = _case(request, number)
    document = (
        documents_openable_by(user=request.user, case=case)
        .filter(pk=document_id, source=Document.Source.ENROLLEE)
        .first()
    )
    if document is None:
        raise Http404(_("There is no such document."))
    return protected_file_response(
        file_field=document.file, download_name=document.original_name, content_type=document.content_type
    )


@require_POST
@enrollee_required
def my_case_add_documents(request, number):
    case = _case(request, number)
    if not case.is_open:
        raise Http404(_("This case is closed."))
    form = upload_form(request.POST, request.FILES)
    if form.is_valid():
        kind, files = form.cleaned_data["kind"], form.cleaned_data["files"]
        if not files:
            form.add_error("files", _("Choose at least one file."))
        stored = upload_files(
            form=form,
            files=files,
            add=lambda name, data: document_add(
                case=case,
                name=name,
                data=data,
                kind=kind,
                source=Document.Source.ENROLLEE,
                actor=request.user,
                actor_role="ENROLLEE",
            ),
        )
        if stored:
            messages.success(
                request,
                ngettext("%(count)d document added to your case.", "%(count)d documents added to your case.", stored)
                % {"count": stored},
            )
        if not form.errors:
            return redirect("my-case", number=case.number)
    return _case_page(request, case, form=form)


@require_http_methods(["GET", "POST"])
@enrollee_required
def my_case_withdraw(request, number):
    case = _case(request, number)
    if not _can_withdraw(request, case):
        messages.info(request, _("This case can no longer be withdrawn."))
        return redirect("my-case", number=case.number)
    form = WithdrawForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            case_move(
                case=case, move="withdraw", actor=request.user, data=MoveInput(reason=form.cleaned_data["reason"])
            )
        except CaseError:
            error = _("We could not withdraw the case just now. Please try again, or call us.")
        else:
            messages.success(request, _("Your case was withdrawn. We will send you a letter."))
            return redirect("my-case", number=case.number)
    return render(request, "filing/my/withdraw.html", {"case": case, "form": form, "error": error})
