"""Adding a document to a case: checked by content (``complaints.uploads``), stored under a random
name, recorded with its size, checksum and type, and written to the timeline. What is stored is
the copy ``upload_check`` returns: a PDF or Word file without its active content, what was removed
recorded on the row and in the timeline. With a virus scanner configured, the document waits for
its scan (``complaints.scanning``) before anyone can open it."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Case, CaseEvent, Document
from complaints.row_checks import row_clean
from complaints.scanning import initial_scan_state
from complaints.services.timeline import event_record
from complaints.tasks import document_scan_task
from complaints.uploads import CheckedUpload, UploadRejected, active_content_words, upload_check
from complaints.uploads.names import clean_file_name
from ops.queue import enqueue_on_commit


def document_add(
    *,
    case: Case,
    name: str,
    data: bytes | CheckedUpload,
    kind: str,
    source: str,
    actor,
    actor_role: str,
    plan_response=None,
    shared_with_plan: bool = True,
    now: datetime | None = None,
    savepoint: bool = True,
) -> Document:
    """Store one uploaded file on the case: the copy ``upload_check(data)`` returns, with what was
    removed from it. Raises UploadRejected (nothing stored) if the file is not acceptable or the
    case's document limits would be passed. The caller checks who may.

    ``data`` is the file as received, or what ``upload_check`` already made of it (a batch checked
    before any is stored, a draft's kept copy), which is not checked again. ``savepoint=False`` is
    for a caller inside its own transaction that lets every error roll all of it back
    (``draft_submit``): then no savepoint is needed to undo this part alone."""
    checked = upload_check(data)
    removed = checked.active_content_removed
    now = now or timezone.now()
    with transaction.atomic(savepoint=savepoint):
        # Locking the case serializes uploads to it, so two at once cannot pass the limits.
        list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True))
        totals = case.documents.aggregate(count=Count("id"), size=Sum("size_bytes"))
        if totals["count"] >= settings.UPLOAD_MAX_FILES_PER_CASE:
            raise UploadRejected(
                _("This case already has the most documents we can take online. Please mail the rest.")
            )
        if (totals["size"] or 0) + checked.size_bytes > settings.UPLOAD_MAX_CASE_BYTES:
            raise UploadRejected(_("This case's documents would pass the size limit. Please mail the rest."))
        document = Document(
            case=case,
            plan_response=plan_response,
            kind=kind,
            source=source,
            uploaded_by=actor,
            uploaded_at=now,
            original_name=clean_file_name(name),
            size_bytes=checked.size_bytes,
            sha256=hashlib.sha256(checked.data).hexdigest(),
            content_type=checked.content_type,
            shared_with_plan=shared_with_plan,
            scan_state=initial_scan_state(),
            active_content_removed=removed,
        )
        document.file.save(f"{checked.extension}", ContentFile(checked.data), save=False)
        # The case is locked above and the uploader is the acting user: neither is read again.
        row_clean(document, saved=["case", "uploaded_by", "plan_response"])
        document.save()
        summary = f"Document added: {document.get_kind_display()}"
        event_data = {"document_id": document.id, "sha256": document.sha256, "size_bytes": document.size_bytes}
        if removed:
            summary += f" (disarmed; removed: {active_content_words(removed)})"
            event_data["active_content_removed"] = removed
        if checked.received_sha256 and checked.received_sha256 != document.sha256:
            event_data["received_sha256"] = checked.received_sha256
        event_record(
            case=case,
            kind=CaseEvent.Kind.DOCUMENT_ADDED,
            summary=summary if len(summary) <= 300 else summary[:299] + "…",
            occurred_at=now,
            actor=actor,
            actor_role=actor_role,
            data=event_data,
        )
        if document.scan_state == Document.ScanState.PENDING:
            enqueue_on_commit(document_scan_task, document.id)
    return document
