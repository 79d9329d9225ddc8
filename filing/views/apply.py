"""The online IMR Application/Complaint Form, one step per page, saved on the server at each step."""

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints.errors import CaseError
from complaints.models import Document, FilerRelationship
from complaints.uploads import UploadRejected
from filing import selectors, services
from filing.answers import AnswersIncomplete, answer_problems, step_for_service_field
from filing.forms import SignForm, UploadForm
from filing.models import FilingDraft
from filing.review import review_sections
from filing.selectors import drafts_unsent_for_user
from filing.steps import STEPS_BY_SLUG, first_incomplete, next_step, position, steps_for
from filing.views.access import enrollee_required
from imr.similar import similar_cases

logger = logging.getLogger(__name__)
MB = 1024 * 1024


def _draft(request, draft_id) -> FilingDraft:
    try:
        return selectors.draft_get_for_user(user=request.user, public_id=draft_id)
    except FilingDraft.DoesNotExist:
        raise Http404(_("There is no such application.")) from None


def _step_url(draft: FilingDraft, slug: str) -> str:
    names = {"documents": "file-documents", "review": "file-review", "sign": "file-sign"}
    if slug in names:
        return reverse(names[slug], kwargs={"draft_id": draft.public_id})
    return reverse("file-step", kwargs={"draft_id": draft.public_id, "step": slug})


def _done(draft: FilingDraft):
    return redirect("file-done", draft_id=draft.public_id)


def _previous_url(draft: FilingDraft, slug: str) -> str:
    slugs = [step.slug for step in steps_for(draft.answers)]
    index = slugs.index(slug) if slug in slugs else 0
    return _step_url(draft, slugs[index - 1]) if index > 0 else reverse("file")


def _progress(draft: FilingDraft, slug: str) -> dict:
    number, total = position(draft.answers, slug)
    return {"step_number": number, "step_total": total, "back_url": _previous_url(draft, slug)}


def _after_save(draft: FilingDraft, slug: str, from_review: bool):
    pending = first_incomplete(draft.answers)
    if from_review and pending is None:
        return redirect(_step_url(draft, "review"))
    return redirect(_step_url(draft, next_step(draft.answers, slug).slug))


def _defaults(request, slug: str) -> dict:
    """Sensible first answers: the page's language for letters, the account's e-mail for a filer."""
    spanish = translation.get_language() == "es"
    if slug == "patient":
        return {"letter_language": "es" if spanish else "en", "primary_language": "Spanish" if spanish else "English"}
    if slug == "representative":
        return {"email": request.user.email}
    return {}


@require_GET
def file_start(request):
    drafts = []
    if request.user.is_authenticated and request.user.is_enrollee:
        drafts = list(drafts_unsent_for_user(request.user))
    return render(request, "filing/start.html", {"drafts": drafts})


@require_POST
@enrollee_required
def draft_new(request):
    draft = services.draft_start(owner=request.user)
    return redirect(_step_url(draft, "who"))


@require_GET
@enrollee_required
def draft_resume(request, draft_id):
    """Back to an application: the first step still to answer, else the review."""
    draft = _draft(request, draft_id)
    if draft.is_submitted:
        return _done(draft)
    pending = first_incomplete(draft.answers)
    return redirect(_step_url(draft, pending.slug if pending else "review"))


@require_http_methods(["GET", "POST"])
@enrollee_required
def draft_step(request, draft_id, step):
    draft = _draft(request, draft_id)
    if draft.is_submitted:
        return _done(draft)
    spec = STEPS_BY_SLUG.get(step)
    if spec is None or spec.form_class is None or step == "sign" or not spec.applies(draft.answers):
        raise Http404(_("There is no such step."))
    pending = first_incomplete(draft.answers, before=step)
    if pending is not None:
        return redirect(_step_url(draft, pending.slug))
    from_review = request.GET.get("from") == "review" or request.POST.get("from") == "review"
    if request.method == "POST":
        form = spec.form_class(request.POST, answers=draft.answers)
        if form.is_valid():
            try:
                draft = services.draft_step_save(draft=draft, step=step, answers=form.to_answers())
            except services.DraftAlreadySubmitted:
                return _done(draft)
            return _after_save(draft, step, from_review)
    else:
        stored = draft.answers.get(step)
        initial = spec.form_class.initial_from(stored) if stored else _defaults(request, step)
        form = spec.form_class(initial=initial, answers=draft.answers)
    context = {"draft": draft, "step": spec, "form": form, "from_review": from_review, **_progress(draft, step)}
    return render(request, f"filing/steps/{step}.html", context)


def upload_form(*args, answers: dict | None = None) -> UploadForm:
    return UploadForm(
        *args,
        answers=answers,
        file_mb=settings.UPLOAD_MAX_FILE_BYTES // MB,
        case_mb=settings.UPLOAD_MAX_CASE_BYTES // MB,
    )


def needs_power_of_attorney(draft: FilingDraft) -> bool:
    who = (draft.answers.get("who") or {}).get("relationship")
    representative = draft.answers.get("representative") or {}
    return who == FilerRelationship.AUTHORIZED_ASSISTANT and bool(representative.get("has_power_of_attorney"))


def upload_files(*, form, files, add) -> int:
    """Store each file through ``add(name, data)``; a refused file becomes an error on the form
    and does not stop the others. Returns how many were stored."""
    stored = 0
    for upload in files:
        if upload.size > settings.UPLOAD_MAX_FILE_BYTES:
            message = _("This file is larger than %(limit)s MB. Please send a smaller copy.") % {
                "limit": settings.UPLOAD_MAX_FILE_BYTES // MB
            }
        else:
            try:
                add(upload.name, upload.read())
            except UploadRejected as rejected:
                message = rejected.message
            else:
                stored += 1
                continue
        form.add_error(
            "files", _("%(name)s: %(message)s") % {"name": services.clean_file_name(upload.name), "message": message}
        )
    return stored


def _similar_cases(answers: dict):
    """How past IMRs like the one just described ended (the step after "The problem")."""
    problem = answers.get("problem") or {}
    return similar_cases(
        denial_reason=problem.get("denial_reason", ""),
        treatment_text=problem.get("treatment_in_dispute", ""),
        diagnosis_text=problem.get("what_happened", ""),
    )


@require_http_methods(["GET", "POST"])
@enrollee_required
def draft_documents(request, draft_id):
    draft = _draft(request, draft_id)
    if draft.is_submitted:
        return _done(draft)
    pending = first_incomplete(draft.answers, before="documents")
    if pending is not None:
        return redirect(_step_url(draft, pending.slug))
    from_review = request.GET.get("from") == "review" or request.POST.get("from") == "review"
    form = upload_form(answers=draft.answers)
    if request.method == "POST":
        form = upload_form(request.POST, request.FILES, answers=draft.answers)
        if form.is_valid():
            kind, files = form.cleaned_data["kind"], form.cleaned_data["files"]
            if not files and request.POST.get("action") == "upload":
                form.add_error("files", _("Choose at least one file."))
            try:
                stored = upload_files(
                    form=form,
                    files=files,
                    add=lambda name, data: services.draft_document_add(draft=draft, name=name, data=data, kind=kind),
                )
            except services.DraftAlreadySubmitted:
                return _done(draft)
            if stored:
                messages.success(
                    request, ngettext("%(count)d file added.", "%(count)d files added.", stored) % {"count": stored}
                )
            if not form.errors and request.POST.get("action") == "continue":
                kinds = set(draft.documents.values_list("kind", flat=True))
                if needs_power_of_attorney(draft) and Document.Kind.POWER_OF_ATTORNEY not in kinds:
                    form.add_error(
                        "kind",
                        _(
                            "You said you have a power of attorney: attach a copy. Choose “Power of attorney or "
                            "guardianship papers”, then the file."
                        ),
                    )
                else:
                    draft = services.draft_step_save(draft=draft, step="documents", answers={"done": True})
                    return _after_save(draft, "documents", from_review)
            if not form.errors:
                return redirect(_step_url(draft, "documents"))
    context = {
        "draft": draft,
        "step": STEPS_BY_SLUG["documents"],
        "form": form,
        "documents": list(draft.documents.order_by("uploaded_at", "id")),
        "needs_power_of_attorney": needs_power_of_attorney(draft),
        "from_review": from_review,
        "similar": _similar_cases(draft.answers),
        **_progress(draft, "documents"),
    }
    return render(request, "filing/steps/documents.html", context, status=200)


@require_POST
@enrollee_required
def draft_document_remove(request, draft_id, document_id):
    draft = _draft(request, draft_id)
    if draft.is_submitted:
        return _done(draft)
    try:
        services.draft_document_remove(draft=draft, document_public_id=document_id)
    except services.DraftAlreadySubmitted:
        return _done(draft)
    except draft.documents.model.DoesNotExist:
        raise Http404(_("There is no such file.")) from None
    messages.success(request, _("The file was removed."))
    return redirect(_step_url(draft, "documents"))


def _problems(draft: FilingDraft) -> list:
    kinds = list(draft.documents.values_list("kind", flat=True))
    return answer_problems(draft.answers, document_kinds=kinds, today=timezone.localdate())


def _problem_links(draft: FilingDraft, problems) -> list[tuple[str, str]]:
    return [
        (_step_url(draft, problem.step) + ("?from=review" if problem.step != "documents" else ""), problem.message)
        for problem in problems
    ]


@require_GET
@enrollee_required
def draft_review(request, draft_id):
    draft = _draft(request, draft_id)
    if draft.is_submitted:
        return _done(draft)
    problems = _problems(draft)
    context = {
        "draft": draft,
        "step": STEPS_BY_SLUG["review"],
        "sections": review_sections(draft),
        "documents": list(draft.documents.order_by("uploaded_at", "id")),
        "problem_links": _problem_links(draft, problems),
        "documents_url": _step_url(draft, "documents") + "?from=review",
        **_progress(draft, "review"),
    }
    return render(request, "filing/review.html", context)


@require_http_methods(["GET", "POST"])
@enrollee_required
def draft_sign(request, draft_id):
    draft = _draft(request, draft_id)
    if draft.is_submitted:
        return _done(draft)
    form = SignForm(request.POST if request.method == "POST" else None, answers=draft.answers)
    service_errors: list[tuple[str, str]] = []
    if form.is_bound and form.is_valid():
        # draft_submit checks the answers again under the draft's lock (AnswersIncomplete below),
        # so a signed form is not checked here first.
        try:
            services.draft_submit(
                draft=draft,
                actor=request.user,
                signed_name=form.cleaned_data["signed_name"],
                records_authorized=form.cleaned_data["records_authorized"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except AnswersIncomplete:
            return redirect(_step_url(draft, "review"))
        except CaseError as error:
            logger.warning("The filing service refused draft %s: %s %s", draft.pk, error.message, error.field_errors)
            service_errors = [
                (_step_url(draft, step_for_service_field(name)) + "?from=review", _("Please check this answer."))
                for name in error.field_errors
            ] or [("#main", _("We could not send the application. Please try again, or call us."))]
        except UploadRejected as rejected:
            service_errors = [(_step_url(draft, "documents"), rejected.message)]
        else:
            return _done(draft)
    elif _problems(draft):
        return redirect(_step_url(draft, "review"))
    context = {
        "draft": draft,
        "step": STEPS_BY_SLUG["sign"],
        "form": form,
        "service_errors": service_errors,
        "filer_is_patient": (draft.answers.get("who") or {}).get("relationship") == FilerRelationship.PATIENT,
        **_progress(draft, "sign"),
    }
    return render(request, "filing/sign.html", context)


@require_GET
@enrollee_required
def draft_done(request, draft_id):
    draft = _draft(request, draft_id)
    if not draft.is_submitted:
        return redirect(_step_url(draft, "who"))
    case = draft.submitted_case
    return render(request, "filing/done.html", {"draft": draft, "case": case, "email": request.user.email})


@require_http_methods(["GET", "POST"])
@enrollee_required
def draft_delete(request, draft_id):
    draft = _draft(request, draft_id)
    if draft.is_submitted:
        return _done(draft)
    if request.method == "POST":
        try:
            services.draft_delete(draft=draft)
        except services.DraftAlreadySubmitted:
            return _done(draft)
        messages.success(request, _("The application was deleted."))
        return redirect("my-cases")
    return render(request, "filing/delete.html", {"draft": draft})
