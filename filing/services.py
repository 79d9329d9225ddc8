"""Writes of the online application: drafts, their files, and submitting a draft as a case.

Submitting is idempotent: the draft row is locked, and a draft that already made its case returns
that case, so a second click or a resent form never makes a second one.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Case, Channel, Document
from complaints.row_checks import row_clean
from complaints.services.documents import document_add
from complaints.services.filing import case_file
from complaints.uploads import CheckedUpload, UploadRejected, upload_check
from complaints.uploads.names import clean_file_name
from filing.answers import AnswersIncomplete, answer_problems, filing_data
from filing.emails import submission_confirmation_send
from filing.models import DraftDocument, FilingDraft

logger = logging.getLogger(__name__)


class DraftAlreadySubmitted(Exception):
    def __init__(self, case: Case):
        super().__init__(f"The draft was already submitted as {case.number}.")
        self.case = case


def _lock(draft: FilingDraft) -> FilingDraft:
    # No select_related here: after waiting for the lock, PostgreSQL re-reads the locked row but
    # not a joined one, so a case made by the submit we waited for would come back empty.
    return FilingDraft.objects.select_for_update().get(pk=draft.pk)


def _locked(draft: FilingDraft) -> FilingDraft:
    locked = _lock(draft)
    if locked.submitted_case_id:
        raise DraftAlreadySubmitted(Case.objects.get(pk=locked.submitted_case_id))
    return locked


def draft_start(*, owner, now: datetime | None = None) -> FilingDraft:
    """A new draft for ``owner``; an untouched one they already have is reused (a double click)."""
    now = now or timezone.now()
    with transaction.atomic():
        empty = (
            FilingDraft.objects.select_for_update()
            .filter(owner=owner, submitted_case__isnull=True, answers={})
            .order_by("-updated_at", "id")
            .first()
        )
        if empty is not None and not empty.documents.exists():
            return empty
        draft = FilingDraft(owner=owner, answers={}, created_at=now, updated_at=now)
        draft.full_clean()
        draft.save()
    return draft


def draft_step_save(*, draft: FilingDraft, step: str, answers: dict, now: datetime | None = None) -> FilingDraft:
    """Store one step's cleaned answers. Raises DraftAlreadySubmitted for a sent draft."""
    with transaction.atomic():
        locked = _locked(draft)
        locked.answers = {**locked.answers, step: answers}
        locked.updated_at = now or timezone.now()
        locked.full_clean()
        locked.save(update_fields=["answers", "updated_at"])
    return locked


def draft_document_add(
    *, draft: FilingDraft, name: str, data: bytes, kind: str, now: datetime | None = None
) -> DraftDocument:
    """Keep one file with the draft: the copy ``upload_check`` returns (without active content),
    with what was removed. Raises UploadRejected (nothing kept) if the file is not acceptable or
    the draft's files would pass the case limits; DraftAlreadySubmitted if sent."""
    checked = upload_check(data)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(draft)
        totals = locked.documents.aggregate(count=Count("id"), size=Sum("size_bytes"))
        if totals["count"] >= settings.UPLOAD_MAX_FILES_PER_CASE:
            raise UploadRejected(
                _("You have attached the most files we can take online (%(count)s). Please mail the rest.")
                % {"count": settings.UPLOAD_MAX_FILES_PER_CASE}
            )
        if (totals["size"] or 0) + checked.size_bytes > settings.UPLOAD_MAX_CASE_BYTES:
            raise UploadRejected(
                _("All your files together would pass %(limit)s MB. Please mail the rest, or send smaller copies.")
                % {"limit": settings.UPLOAD_MAX_CASE_BYTES // (1024 * 1024)}
            )
        document = DraftDocument(
            draft=locked,
            kind=kind,
            original_name=clean_file_name(name),
            size_bytes=checked.size_bytes,
            content_type=checked.content_type,
            uploaded_at=now,
            active_content_removed=checked.active_content_removed,
        )
        document.file.save(checked.extension, ContentFile(checked.data), save=False)
        stored_name = document.file.name
        try:
            document.full_clean()
            document.save()
        except Exception:
            default_storage.delete(stored_name)
            raise
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
    return document


def draft_document_remove(*, draft: FilingDraft, document_public_id) -> None:
    """Remove one of the draft's files (a file of another draft is not found: DoesNotExist)."""
    with transaction.atomic():
        locked = _locked(draft)
        document = locked.documents.get(public_id=document_public_id)
        stored_name = document.file.name
        document.delete()
        transaction.on_commit(lambda: default_storage.delete(stored_name))


def draft_delete(*, draft: FilingDraft) -> None:
    """Delete an unsent draft and its files."""
    with transaction.atomic():
        locked = _locked(draft)
        names = list(locked.documents.values_list("file", flat=True))
        locked.delete()
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def draft_submit(*, draft: FilingDraft, actor, signed_name: str, records_authorized: bool, language: str) -> Case:
    """File the draft as a case (through ``case_file``), move its files onto the case, and send
    the confirmation e-mail after commit. Returns the case; a draft already submitted returns
    the case it made. Raises AnswersIncomplete if a step needs another look, CaseError if the
    filing service refuses, UploadRejected if a file cannot move; nothing is written then."""
    with transaction.atomic():
        locked = _lock(draft)
        if locked.submitted_case_id:
            return Case.objects.get(pk=locked.submitted_case_id)
        documents = list(locked.documents.order_by("uploaded_at", "id"))
        problems = answer_problems(
            locked.answers, document_kinds=[document.kind for document in documents], today=timezone.localdate()
        )
        if problems:
            raise AnswersIncomplete(problems)
        data = filing_data(locked.answers, signed_name=signed_name, records_authorized=records_authorized)
        # Any error below rolls this whole transaction back, so the services need no savepoints.
        case = case_file(data=data, channel=Channel.ONLINE, actor=actor, filed_by=actor, savepoint=False)
        for document in documents:
            with document.file.open("rb") as stored:
                # The draft keeps only what upload_check made of the file when it was attached, so
                # it is not read and rewritten again here, while the year's case number is locked.
                kept = CheckedUpload.kept(
                    data=stored.read(),
                    content_type=document.content_type,
                    active_content_removed=document.active_content_removed,
                )
            document_add(
                case=case,
                name=document.original_name,
                data=kept,
                kind=document.kind,
                source=Document.Source.ENROLLEE,
                actor=actor,
                actor_role="ENROLLEE",
                savepoint=False,
            )
        stored_names = [document.file.name for document in documents]
        locked.documents.all().delete()
        now = timezone.now()
        locked.submitted_case = case
        locked.submitted_at = now
        locked.updated_at = now
        # The answers now live on the case; the draft keeps only the link that makes submit idempotent.
        locked.answers = {}
        # The case was made in this transaction, so no other draft can name it; the owner is unchanged.
        row_clean(locked, exclude=["owner"], saved=["submitted_case"], validate_unique=False)
        locked.save(update_fields=["submitted_case", "submitted_at", "updated_at", "answers"])
        transaction.on_commit(lambda: _after_submit(case=case, user=actor, language=language, names=stored_names))
    return case


def _after_submit(*, case: Case, user, language: str, names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete a submitted draft's file %s; it is no longer referenced.", name)
    submission_confirmation_send(case=case, user=user, language=language)
