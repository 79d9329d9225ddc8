"""A case's documents and issued letters in the admin: opening them, and adding a document that
came by mail or fax.

The case comes from ``cases_visible_to``, the file from ``documents_openable_by`` or
``letters_visible_to``, and the bytes go out through ``protected_file_response`` (an attachment,
never cached, never sniffed). Anything the staff member may not open is a 404. A document staff
add goes through ``document_add``, which judges the file by its content.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect

from complaints.downloads import protected_file_response
from complaints.models import Case, Document
from complaints.selectors import documents_openable_by, letters_visible_to
from complaints.services.documents import document_add
from complaints.uploads import UploadRejected

from .moves import case_url


def document_view(request, case: Case, document_id: int, model_admin):
    document = documents_openable_by(user=request.user, case=case).filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document on this case.")
    return protected_file_response(
        file_field=document.file, download_name=document.original_name, content_type=document.content_type
    )


def letter_view(request, case: Case, letter_id: int, model_admin):
    letter = letters_visible_to(user=request.user, case=case).filter(pk=letter_id).first()
    if letter is None:
        raise Http404("No such issued letter on this case.")
    name = f"{case.number}-{letter.kind.lower()}-{letter.recipient.lower()}.pdf"
    return protected_file_response(file_field=letter.pdf, download_name=name, content_type="application/pdf")


class DocumentForm(forms.Form):
    file = forms.FileField(label="File (PDF, JPEG, PNG, TIFF, HEIC or Word .docx; a copy of the paper)")
    kind = forms.ChoiceField(label="Kind of document", choices=Document.Kind.choices, initial=Document.Kind.OTHER)
    shared_with_plan = forms.BooleanField(
        label="The plan may see it",
        required=False,
        initial=True,
        help_text="Untick for anything the plan must not see.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "document")
        super().__init__(*args, **kwargs)


def document_upload_view(request, case: Case, model_admin):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = "; ".join(" ".join(errors) for errors in form.errors.values())
        messages.error(request, f"The document was not added: {problems}")
        return redirect(case_url(case))
    upload = form.cleaned_data["file"]
    # One byte past the limit is enough for the check to refuse it; a bigger file is not read in.
    data = upload.read(settings.UPLOAD_MAX_FILE_BYTES + 1)
    try:
        document = document_add(
            case=case,
            name=upload.name,
            data=data,
            kind=form.cleaned_data["kind"],
            source=Document.Source.STAFF,
            actor=request.user,
            actor_role="STAFF",
            shared_with_plan=form.cleaned_data["shared_with_plan"],
        )
    except UploadRejected as error:
        messages.error(request, f"The document was not added: {error.message}")
    else:
        note = f" Disarmed: removed {document.active_content_words}." if document.active_content_removed else ""
        messages.success(request, f"Document added: {document.original_name}.{note}")
    return redirect(case_url(case))
