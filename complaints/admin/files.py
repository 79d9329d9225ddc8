"""Opening a case's documents and issued letters from the admin.

The case comes from ``cases_visible_to``, the file from ``documents_visible_to`` or
``letters_visible_to``, and the bytes go out through ``protected_file_response`` (an attachment,
never cached, never sniffed). Anything the staff member may not open is a 404.
"""

from django.http import Http404

from complaints.downloads import protected_file_response
from complaints.models import Case
from complaints.selectors import documents_visible_to, letters_visible_to


def document_view(request, case: Case, document_id: int, model_admin):
    document = documents_visible_to(user=request.user, case=case).filter(pk=document_id).first()
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
