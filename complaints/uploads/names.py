"""File names as people gave them, made safe to show and to send back.

A name is only a label: files are stored under random names. But a name is shown on pages and
sent back in ``Content-Disposition``, so control and formatting characters (among them the
bidirectional overrides that make ``invoice\u202efdp.exe`` read as ``invoiceexe.pdf``) are removed,
and a downloaded file's extension is always the one of the type its content was found to be
(``poly.html`` that is a PDF goes out as ``poly.pdf``).
"""

import unicodedata

from complaints.uploads import EXTENSIONS


def clean_file_name(name: str) -> str:
    """The name as the person knows it, without folders, control or formatting characters
    (Unicode categories C*: controls, bidirectional marks, zero-width characters) or excess length."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip() or "document"
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 250 - len(extension)]}.{extension}" if dot and len(extension) <= 10 else name[:255]
    return name


def download_name(name: str, content_type: str) -> str:
    """``name`` cleaned, ending in an extension of ``content_type`` (the detected type)."""
    name = clean_file_name(name)
    allowed = EXTENSIONS.get(content_type)
    if not allowed:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem = name
    stem = stem.strip(" .")[:240] or "document"
    if dot and extension.lower() in allowed:
        return f"{stem}.{extension}"
    return f"{stem}.{allowed[0]}"
