"""Disarming a PDF: a copy written by qpdf (through pikepdf) with every active part removed.

This module imports nothing from Django: it runs in a child process with limits on memory and
time (``complaints.uploads.isolation``), because a small PDF can expand to gigabytes when its
object streams are decompressed.

qpdf parses the whole file: the cross-reference tables and streams of every revision (an
incremental update replaces objects, and only the latest version of each is seen), object streams
with any filter and predictor, and names with ``#xx`` escapes (``/J#53`` is ``/JS``). Every object
it finds is walked, not only the places where a viewer usually looks, and in each dictionary and
array:

- an action that runs code or reaches outside the document is cut from whatever holds it (an
  ``/OpenAction``, an ``/AA`` trigger, a link's ``/A``, a ``/Next`` chain, any other key or array):
  JavaScript, Launch, SubmitForm, ImportData, GoToR, GoToE, Thread, media (Rendition, Movie,
  Sound, RichMediaExecute) and links whose address is not a web or e-mail address;
- annotations that play media or carry a file (RichMedia, Screen, Movie, Sound, 3D,
  FileAttachment) are cut the same way;
- keys that hold code or files wherever they stand: ``/JS``, the ``/JavaScript`` and
  ``/EmbeddedFiles`` name trees, ``/EF`` of file specifications, ``/XFA``, ``/AlternatePresentations``,
  ``/Renditions``, ``/Collection`` and ``/NeedsRendering``.

pikepdf's own sanitizer then runs over the result as a second pass, and the copy is written
afresh (only the objects still reachable, one revision, nothing after the end), opened again and
checked: if anything active were still found, the file is refused rather than stored. Page
content streams, fonts and images are copied as they are (not decoded), so pages, text and
images are unchanged.
"""

import io
from urllib.parse import urlsplit

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

# What was removed, as stable codes (their words for people are in complaints.uploads).
JAVASCRIPT = "JAVASCRIPT"
LAUNCH = "LAUNCH"
EMBEDDED_FILE = "EMBEDDED_FILE"
RICH_MEDIA = "RICH_MEDIA"
XFA = "XFA"
SUBMIT_FORM = "SUBMIT_FORM"
IMPORT_DATA = "IMPORT_DATA"
OTHER_FILE = "OTHER_FILE"
UNSAFE_LINK = "UNSAFE_LINK"

_ACTIONS = {
    "/JavaScript": JAVASCRIPT,
    "/Launch": LAUNCH,
    "/SubmitForm": SUBMIT_FORM,
    "/ImportData": IMPORT_DATA,
    "/GoToR": OTHER_FILE,
    "/GoToE": OTHER_FILE,
    "/Thread": OTHER_FILE,
    "/Rendition": RICH_MEDIA,
    "/Movie": RICH_MEDIA,
    "/Sound": RICH_MEDIA,
    "/RichMediaExecute": RICH_MEDIA,
}
_ANNOTATIONS = {
    "/RichMedia": RICH_MEDIA,
    "/Screen": RICH_MEDIA,
    "/Movie": RICH_MEDIA,
    "/Sound": RICH_MEDIA,
    "/3D": RICH_MEDIA,
    "/FileAttachment": EMBEDDED_FILE,
}
_KEYS = {
    "/JS": JAVASCRIPT,
    "/JavaScript": JAVASCRIPT,
    "/AlternatePresentations": JAVASCRIPT,
    "/EmbeddedFiles": EMBEDDED_FILE,
    "/EF": EMBEDDED_FILE,
    "/Collection": EMBEDDED_FILE,
    "/XFA": XFA,
    "/NeedsRendering": XFA,
    "/Renditions": RICH_MEDIA,
    "/RichMediaContent": RICH_MEDIA,
}
_WEB_SCHEMES = {"http", "https", "mailto"}

# Outcomes other than a disarmed copy.
ENCRYPTED = "ENCRYPTED"
UNREADABLE = "UNREADABLE"
STILL_ACTIVE = "STILL_ACTIVE"


class NotDisarmed(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def disarm(data: bytes) -> tuple[bytes, list[str]]:
    """The bytes of a rewritten copy of the PDF ``data`` without active content, and the sorted
    codes of what was removed (empty for a clean file). Raises NotDisarmed(ENCRYPTED) for a file
    that needs a password, NotDisarmed(UNREADABLE) for one qpdf cannot read or write, and
    NotDisarmed(STILL_ACTIVE) if the copy, read again, still had active content."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise NotDisarmed(ENCRYPTED) from None
    except (pikepdf.PdfError, ValueError, RuntimeError, OverflowError, RecursionError):
        raise NotDisarmed(UNREADABLE) from None
    try:
        with pdf:
            removed = _sweep(pdf, remove=True)
            _library_pass(pdf)
            output = io.BytesIO()
            # Streams are copied as they are, neither decoded (a compressed bomb stays
            # compressed) nor compressed; the existing encryption (one that opened without a
            # password) is dropped.
            pdf.save(
                output,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                compress_streams=False,
                encryption=None,
                deterministic_id=True,
                fix_metadata_version=False,
            )
    except NotDisarmed:
        raise
    except (pikepdf.PdfError, ValueError, RuntimeError, TypeError, KeyError, OverflowError, RecursionError):
        raise NotDisarmed(UNREADABLE) from None
    copy = output.getvalue()
    if active_content(copy):
        raise NotDisarmed(STILL_ACTIVE)
    return copy, sorted(removed)


def active_content(data: bytes) -> list[str]:
    """The sorted codes of the active content qpdf finds in ``data`` (read only). A file that
    cannot be opened counts as active (UNREADABLE), so a caller never takes it for clean."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return sorted(_sweep(pdf, remove=False))
    except (pikepdf.PdfError, ValueError, RuntimeError, OverflowError, RecursionError):
        return [UNREADABLE]


def _sweep(pdf: pikepdf.Pdf, *, remove: bool) -> set[str]:
    found: set[str] = set()
    containers = [pdf.trailer, *(obj for obj in pdf.objects if isinstance(obj, (Dictionary, Stream, Array)))]
    while containers:
        container = containers.pop()
        if isinstance(container, Array):
            for index in reversed(range(len(container))):
                item = container[index]
                code = _active(item)
                if code:
                    found.add(code)
                    if remove:
                        del container[index]
                elif _direct_container(item):
                    containers.append(item)
            continue
        for key in list(container.keys()):
            value = container.get(key)
            code = _KEYS.get(str(key)) or _active(value)
            if code:
                found.add(code)
                if remove:
                    del container[key]
            elif _direct_container(value):
                containers.append(value)
    return found


def _direct_container(value) -> bool:
    # Indirect objects are walked on their own (they are all in pdf.objects).
    return isinstance(value, (Dictionary, Array)) and not value.is_indirect


def _active(value) -> str | None:
    """The code of an action or annotation that must go, whatever holds it."""
    if not isinstance(value, (Dictionary, Stream)):
        return None
    kind = value.get("/S")
    if isinstance(kind, Name):
        code = _ACTIONS.get(str(kind))
        if code:
            return code
        if str(kind) == "/URI" and not _web_address(value.get("/URI")):
            return UNSAFE_LINK
    subtype = value.get("/Subtype")
    if isinstance(subtype, Name) and ("/Rect" in value or value.get("/Type") == Name.Annot):
        return _ANNOTATIONS.get(str(subtype))
    return None


def _web_address(uri) -> bool:
    if not isinstance(uri, pikepdf.String):
        return False
    try:
        scheme = urlsplit(bytes(uri).decode("ascii").strip()).scheme.lower()
    except (UnicodeDecodeError, ValueError):
        return False
    return scheme in _WEB_SCHEMES


def _library_pass(pdf: pikepdf.Pdf) -> None:
    """pikepdf's own sanitizer over the slots a viewer runs (a second opinion; the sweep above
    already walked every object)."""
    from pikepdf import sanitize

    sanitize.remove_javascript(pdf)
    sanitize.remove_attachments(pdf)
    sanitize.remove_multimedia(pdf)
    sanitize.remove_collection(pdf)
