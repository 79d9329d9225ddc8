"""What the Help Center accepts as an uploaded document, judged by the file's content, and the
copy of it that is stored.

The allow-list is PDF, JPEG, PNG, TIFF, HEIC and Word (.docx). A file's name and the type its
browser claims are ignored: the bytes decide. Empty and oversized files are refused.

Active content is removed, not refused: the enrollee who uploads a plan's denial letter cannot
"send a plain copy". ``upload_check`` is the one place that decides what is stored: it returns the
bytes to store (for a PDF or a Word file, a rewritten copy without scripts, actions that reach
outside, embedded files, media, XFA forms, macros, embedded objects or outside links) and the
codes of what was removed. Every service that stores a document stores those bytes and records
the codes (``complaints.services.documents``, ``filing.services`` for drafts).

- PDF: ``complaints.uploads.pdf`` (qpdf through pikepdf), run in a child process with limits on
  memory and time (``complaints.uploads.isolation``). A PDF that needs a password, or that qpdf
  cannot read, is refused.
- Word: ``complaints.uploads.docx``. A Word file that expands too far, or cannot be read, is
  refused.
"""

import hashlib
from dataclasses import dataclass, field

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from complaints.uploads import docx, pdf
from complaints.uploads.isolation import LimitExceeded, run_limited

ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "tif": "image/tiff",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Names a person may give a file of each type; any other is replaced when the file is sent out.
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/tiff": ("tif", "tiff"),
    "image/heic": ("heic", "heif"),
    ALLOWED_TYPES["docx"]: ("docx",),
}

# What can be removed, in words for staff (the codes are stored on the document).
ACTIVE_CONTENT = {
    pdf.JAVASCRIPT: "JavaScript",
    pdf.LAUNCH: "launch actions (start a program or open a file)",
    pdf.EMBEDDED_FILE: "embedded files (attachments)",
    pdf.RICH_MEDIA: "media (rich media, video, sound, 3D)",
    pdf.XFA: "XFA form (with its scripts)",
    pdf.SUBMIT_FORM: "form submission to an outside address",
    pdf.IMPORT_DATA: "data import from another file",
    pdf.OTHER_FILE: "links that open other files",
    pdf.UNSAFE_LINK: "links to something other than a web or e-mail address",
    docx.WORD_MACROS: "macros",
    docx.WORD_EMBEDDED_OBJECT: "embedded objects (OLE, ActiveX)",
    docx.WORD_EXTERNAL_LINK: "outside links (templates, linked objects or pictures from elsewhere)",
}
# The person who sent the file and the plan see a note beside it instead (English and Spanish):
# templates/includes/document_disarmed_note.html.


class UploadRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedUpload:
    """An accepted file: its type, and the bytes to store (``data``), with what was removed and
    the checksum of the bytes as they were received ("" when not known)."""

    content_type: str
    extension: str
    data: bytes
    active_content_removed: list[str] = field(default_factory=list)
    received_sha256: str = ""

    @property
    def size_bytes(self) -> int:
        return len(self.data)

    @classmethod
    def kept(cls, *, data: bytes, content_type: str, active_content_removed: list[str]) -> "CheckedUpload":
        """A copy ``upload_check`` made earlier and that was kept as it was (a draft's file), with
        the type and codes recorded then. Checking it again would only repeat the same work."""
        return cls(
            content_type=content_type,
            extension=EXTENSIONS[content_type][0],
            data=data,
            active_content_removed=list(active_content_removed),
        )


def active_content_codes_valid(codes) -> None:
    """A model field validator: a list of known codes."""
    if not isinstance(codes, list) or any(code not in ACTIVE_CONTENT for code in codes):
        raise ValidationError("Not a list of known kinds of active content.")


def active_content_words(codes) -> str:
    """The codes of removed active content in words for staff, e.g. "JavaScript; macros"."""
    return "; ".join(ACTIVE_CONTENT.get(code, code) for code in codes)


def upload_check(data: bytes | CheckedUpload) -> CheckedUpload:
    """Accept ``data`` as a document and return what to store, or raise UploadRejected with a
    sentence for the person. Active content in a PDF or a Word file is removed, not refused.

    What this function returned already (a ``CheckedUpload``) is returned as it is: the plan's
    forms check each file to name a bad one beside its field, and the service then stores what
    they checked instead of reading and rewriting the file a second time."""
    if isinstance(data, CheckedUpload):
        return data
    size = len(data)
    if size == 0:
        raise UploadRejected(_("This file is empty. Please choose the file again."))
    limit_mb = settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)
    if size > settings.UPLOAD_MAX_FILE_BYTES:
        raise UploadRejected(
            _("This file is larger than %(limit)s MB. Please send a smaller copy.") % {"limit": limit_mb}
        )
    kind = filetype.guess(data)
    if kind is None or kind.extension not in ALLOWED_TYPES:
        raise UploadRejected(
            _("We accept PDF, JPEG, PNG, TIFF, HEIC and Word (.docx) files. This file is not one of them.")
        )
    stored, removed = data, []
    if kind.extension == "pdf":
        stored, removed = _pdf_disarm(data)
    elif kind.extension == "docx":
        stored, removed = _docx_disarm(data)
    return CheckedUpload(
        content_type=ALLOWED_TYPES[kind.extension],
        extension=kind.extension,
        data=stored,
        active_content_removed=removed,
        received_sha256=hashlib.sha256(data).hexdigest(),
    )


def _pdf_disarm(data: bytes) -> tuple[bytes, list[str]]:
    try:
        answer = run_limited(
            pdf.disarm,
            data,
            refusal=pdf.NotDisarmed,
            memory_bytes=settings.UPLOAD_PDF_MEMORY_LIMIT_BYTES,
            seconds=settings.UPLOAD_PDF_TIME_LIMIT_SECONDS,
        )
    except LimitExceeded:
        raise UploadRejected(_pdf_uncheckable_message()) from None
    if answer.refused == pdf.STILL_ACTIVE:
        raise UploadRejected(
            _("This PDF contains active content (such as JavaScript). Please save it as a new PDF or send a scan.")
        )
    if answer.refused or answer.failed:
        # Locked with a password, unreadable, or an error the parser did not expect: not stored.
        raise UploadRejected(_pdf_uncheckable_message())
    return answer.data, list(answer.codes)


def _pdf_uncheckable_message() -> str:
    return _(
        "We could not check this PDF (it may be locked with a password). Please save it as a new PDF "
        "without a password, or send a scan."
    )


def _docx_disarm(data: bytes) -> tuple[bytes, list[str]]:
    try:
        return docx.disarm(
            data,
            max_entries=settings.UPLOAD_ARCHIVE_MAX_ENTRIES,
            max_expanded_bytes=settings.UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES,
            max_ratio=settings.UPLOAD_ARCHIVE_MAX_RATIO,
        )
    except docx.NotDisarmed as refused:
        if refused.reason == docx.TOO_BIG:
            raise UploadRejected(
                _(
                    "This Word file expands to far more than its size, so we cannot open it safely. "
                    "Please save it as a PDF."
                )
            ) from None
        raise UploadRejected(
            _("We could not open this Word file. Please save it again as a PDF or a .docx, or send a scan.")
        ) from None
