"""What the Help Center accepts as an uploaded document, judged by the file's content.

The allow-list is PDF, JPEG, PNG, TIFF, HEIC and Word (.docx). A file's name and the type its
browser claims are ignored: the bytes decide. Empty and oversized files are refused, and so are
documents that carry active content (a PDF with JavaScript or a launch action; a Word file with
macros), because staff open these files.

A PDF's active content is looked for where it can hide: in names written with #xx escapes
(``/J#53`` is ``/JS``) and inside compressed object streams, which are opened (up to a limit) and
searched too. An encrypted PDF cannot be searched, so it is refused. Such PDFs are refused, not
merely flagged: nobody at the Help Center needs a PDF's scripts, and a refusal tells the person at
once to send a plain copy.

A Word file is a zip archive. It is refused if it expands too far: more entries, more bytes in
total, or more bytes per byte sent than a real letter or record has. The expanded bytes are
counted as they come out, so an archive whose directory under-states its sizes gains nothing.
"""

import io
import re
import zipfile
import zlib
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
# A PDF name: a slash and regular characters (PDF 32000-1, 7.3.5); #xx stands for the byte xx.
_PDF_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]+")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# An object's dictionary and the stream that follows it (the dictionary is searched for /ObjStm).
_PDF_STREAM = re.compile(rb"obj\s*(<<.{0,4096}?>>)\s*stream\r?\n", re.S)
# Object streams of a real document decompress to well under this; more is refused unread.
PDF_OBJECT_STREAMS_MAX_BYTES = 20 * 1024 * 1024


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
    if kind.extension == "pdf":
        _pdf_check(data)
    if kind.extension == "docx":
        _docx_check(data)
    return CheckedUpload(content_type=ALLOWED_TYPES[kind.extension], extension=kind.extension, size_bytes=size)


def _pdf_check(data: bytes) -> None:
    searchable = _pdf_names_unescaped(data)
    active = _PDF_ACTIVE.search(searchable)
    if not active:
        if re.search(rb"/Encrypt\b", searchable):
            raise UploadRejected(_pdf_uncheckable_message())
        try:
            active = any(_PDF_ACTIVE.search(_pdf_names_unescaped(inner)) for inner in _pdf_object_streams(searchable))
        except _Uncheckable:
            raise UploadRejected(_pdf_uncheckable_message()) from None
    if active:
        raise UploadRejected(
            _("This PDF contains active content (such as JavaScript). Please save it as a new PDF or send a scan.")
        )


def _pdf_uncheckable_message() -> str:
    return _(
        "We could not check this PDF (it may be locked with a password). Please save it as a new PDF "
        "without a password, or send a scan."
    )


class _Uncheckable(Exception):
    pass


def _pdf_names_unescaped(data: bytes) -> bytes:
    if b"#" not in data:
        return data

    def unescape(name: re.Match) -> bytes:
        return _PDF_NAME_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), name.group(0))

    return _PDF_NAME.sub(unescape, data)


def _pdf_object_streams(data: bytes):
    """The decompressed contents of the PDF's object streams (/Type /ObjStm), where objects, and
    so actions, can be kept compressed. Raises _Uncheckable if one cannot be read."""
    budget = PDF_OBJECT_STREAMS_MAX_BYTES
    for match in _PDF_STREAM.finditer(data):
        dictionary = match.group(1)
        if not re.search(rb"/ObjStm\b", dictionary):
            continue
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            raise _Uncheckable
        raw = data[start:end]
        filters = re.findall(rb"/(\w+Decode)\b", dictionary)
        if not filters:
            inner = raw
        elif filters == [b"FlateDecode"]:
            try:
                decompressor = zlib.decompressobj()
                inner = decompressor.decompress(raw, budget + 1)
            except zlib.error:
                raise _Uncheckable from None
        else:
            raise _Uncheckable
        budget -= len(inner)
        if budget < 0:
            raise _Uncheckable
        yield inner


def _docx_check(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if any(entry.filename.lower().endswith("vbaproject.bin") for entry in entries):
                raise UploadRejected(
                    _("This Word file contains macros. Please save it as a PDF or a .docx without macros.")
                )
            if not _docx_expands_reasonably(archive, entries, len(data)):
                raise UploadRejected(
                    _(
                        "This Word file expands to far more than its size, so we cannot open it safely. "
                        "Please save it as a PDF."
                    )
                )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError):
        # Claims to be a Word file but is not a readable one (or is encrypted): treat as unsafe.
        raise UploadRejected(
            _("This Word file contains macros. Please save it as a PDF or a .docx without macros.")
        ) from None


def _docx_expands_reasonably(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], size: int) -> bool:
    if len(entries) > settings.UPLOAD_ARCHIVE_MAX_ENTRIES:
        return False
    budget = min(settings.UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES, settings.UPLOAD_ARCHIVE_MAX_RATIO * size)
    if sum(entry.file_size for entry in entries) > budget:
        return False
    # The directory's sizes are the archive's own claim: count what really comes out.
    for entry in entries:
        with archive.open(entry) as member:
            while chunk := member.read(64 * 1024):
                budget -= len(chunk)
                if budget < 0:
                    return False
    return True
