"""Small real files for upload tests, made in code."""

import io
import zipfile

from complaints.tests import pdfs
from complaints.uploads import pdf as disarming

# A one-page PDF as the Help Center stores it: written by qpdf the way the upload check rewrites
# every PDF, so storing it again gives the same bytes.
PDF = disarming.disarm(pdfs.page_pdf("Denial letter"))[0]
PDF_WITH_JAVASCRIPT = pdfs.with_open_action_javascript(PDF)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x1f\x15\xc4\x89" + b"\x00" * 20
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


def docx(*, with_macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if with_macros:
            archive.writestr("word/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()
