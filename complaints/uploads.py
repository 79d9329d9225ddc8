"""What the Help Center accepts as an uploaded document, judged by the file's content.

The allow-list is PDF, JPEG, PNG, TIFF, HEIC and Word (.docx). A file's name and the type its
browser claims are ignored: the bytes decide. Empty and oversized files are refused, and so are
documents that carry active content (a PDF with JavaScript or a launch action; a Word file with
macros), because staff open these files.
"""

import io
import re
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "tif": "image/tiff",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# PDF name tokens that start code or another program when the file is opened.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b")


class UploadRejected(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size_bytes: int


def upload_check(data: bytes) -> CheckedUpload:
    """Accept ``data`` as a document or raise UploadRejected with a sentence for the person."""
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
    if kind.extension == "pdf" and _PDF_ACTIVE.search(data):
        raise UploadRejected(
            _("This PDF contains active content (such as JavaScript). Please save it as a new PDF or send a scan.")
        )
    if kind.extension == "docx" and _docx_has_macros(data):
        raise UploadRejected(_("This Word file contains macros. Please save it as a PDF or a .docx without macros."))
    return CheckedUpload(content_type=ALLOWED_TYPES[kind.extension], extension=kind.extension, size_bytes=size)


def _docx_has_macros(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(name.lower().endswith("vbaproject.bin") for name in archive.namelist())
    except zipfile.BadZipFile:
        return True  # claims to be a Word file but is not a readable one: treat as unsafe
