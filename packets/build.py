"""Making a case packet's PDF: an index rendered by WeasyPrint (the letters' HTML-to-PDF module),
then every PDF document's pages, with a bookmark for each part (pypdf).

Memory stays near the size of the documents themselves: each document is copied from storage to
a temporary file in chunks and read from there by pypdf, which parses objects only when they are
needed and copies page streams without decoding them; the result is written to a temporary file
and hashed from disk. Nothing holds all the documents as Python byte strings at once.

Images and Word files are listed in the index to be opened separately; a document the virus scan
has not cleared is listed as not included. A PDF that cannot be read stops the build with a
``PacketBuildError`` naming the document.
"""

import hashlib
import shutil
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

from django.template.loader import render_to_string
from pypdf import PasswordType, PdfReader, PdfWriter

from letters.rendering import LetterRenderError, render_html_pdf
from packets.contents import DocumentEntry, PacketContents

COPY_CHUNK_BYTES = 1024 * 1024
COVER_TITLE = "Index, question, application and plan response"


class PacketBuildError(Exception):
    """The packet cannot be made from what is on file; ``message`` says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class IndexItem:
    entry: DocumentEntry
    first_page: int | None = None
    last_page: int | None = None
    note: str = ""

    def as_record(self) -> dict:
        return {
            "document_id": self.entry.document_id,
            "name": self.entry.name,
            "source": self.entry.source,
            "date": self.entry.dated.isoformat(),
            "pages": [self.first_page, self.last_page] if self.first_page else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class BuiltPacket:
    path: Path
    sha256: str
    size_bytes: int
    page_count: int
    records: list[dict]


def _separate_note(entry: DocumentEntry) -> str:
    if not entry.openable:
        return "Not included: the virus scan has not cleared it"
    if entry.content_type.startswith("image/"):
        return "Not in this PDF: an image, opened separately"
    if "word" in entry.content_type:
        return "Not in this PDF: a Word file, opened separately"
    return "Not in this PDF: opened separately"


def _unreadable(entry: DocumentEntry, error: Exception | str) -> PacketBuildError:
    detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return PacketBuildError(
        f"The PDF “{entry.name}” (from: {entry.source}, added {entry.dated.isoformat()}) could not be read "
        f"({str(detail)[:300]}). Ask the sender for a new copy, add it to the case, and request the packet again."
    )


def _copy_to(file_field, target: Path) -> None:
    with file_field.open("rb") as source, target.open("wb") as out:
        shutil.copyfileobj(source, out, COPY_CHUNK_BYTES)


def _open_pdf(handle, entry: DocumentEntry) -> PdfReader:
    try:
        reader = PdfReader(handle)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise _unreadable(entry, "it is protected by a password")
        if len(reader.pages) == 0:
            raise _unreadable(entry, "it has no pages")
    except PacketBuildError:
        raise
    except Exception as error:  # pypdf raises many kinds for a damaged file; each means "unreadable"
        raise _unreadable(entry, error) from error
    return reader


def _index_items(contents: PacketContents, pages: dict[int, int], cover_pages: int) -> list[IndexItem]:
    items, next_page = [], cover_pages + 1
    for entry in contents.documents:
        count = pages.get(entry.document_id)
        if count:
            items.append(IndexItem(entry=entry, first_page=next_page, last_page=next_page + count - 1))
            next_page += count
        else:
            items.append(IndexItem(entry=entry, note=_separate_note(entry)))
    return items


def _cover(contents: PacketContents, items: list[IndexItem], prepared: date) -> bytes:
    html = render_to_string("packets/index.html", {"c": contents, "items": items, "prepared": prepared.isoformat()})
    try:
        return render_html_pdf(html)
    except LetterRenderError as error:
        raise PacketBuildError(f"The index page could not be made: {error}") from error


def packet_pdf_build(
    *, contents: PacketContents, files: dict[int, object], workdir: Path, prepared: date
) -> BuiltPacket:
    """Write the packet of ``contents`` to ``workdir``/packet.pdf. ``files`` maps each document
    id to its stored file. Raises PacketBuildError when a PDF cannot be read."""
    with ExitStack() as stack:
        readers: list[tuple[DocumentEntry, PdfReader]] = []
        for entry in contents.documents:
            if not (entry.is_pdf and entry.openable):
                continue
            path = workdir / f"document-{entry.document_id}.pdf"
            _copy_to(files[entry.document_id], path)
            # An open file, not the path: given a path, pypdf would read the whole file into memory.
            handle = stack.enter_context(path.open("rb"))
            readers.append((entry, _open_pdf(handle, entry)))
        pages = {entry.document_id: len(reader.pages) for entry, reader in readers}

        # The index gives each document's page numbers, which depend on the index's own length.
        cover_pages = 1
        for _attempt in range(4):
            items = _index_items(contents, pages, cover_pages)
            cover = PdfReader(BytesIO(_cover(contents, items, prepared)))
            if len(cover.pages) == cover_pages:
                break
            cover_pages = len(cover.pages)
        else:  # pragma: no cover - the index's length settles after one extra pass
            raise PacketBuildError("The index page numbers did not settle.")

        writer = PdfWriter()
        writer.append(cover, outline_item=COVER_TITLE, import_outline=True)
        by_id = {item.entry.document_id: item for item in items}
        for entry, reader in readers:
            item = by_id[entry.document_id]
            title = f"{entry.name} ({entry.source}, {entry.dated.isoformat()})"
            try:
                writer.append(reader, outline_item=title, import_outline=False)
            except Exception as error:  # a damaged object found only while copying the pages
                raise _unreadable(entry, error) from error
            if len(writer.pages) != item.last_page:
                raise _unreadable(entry, "its pages could not all be copied")
        writer.add_metadata({"/Title": f"Case packet {contents.case_number}", "/Producer": "DMHC Help Center portal"})
        out = workdir / "packet.pdf"
        with out.open("wb") as target:
            writer.write(target)
        page_count = len(writer.pages)
        writer.close()

    digest = hashlib.sha256()
    with out.open("rb") as built:
        for chunk in iter(lambda: built.read(COPY_CHUNK_BYTES), b""):
            digest.update(chunk)
    return BuiltPacket(
        path=out,
        sha256=digest.hexdigest(),
        size_bytes=out.stat().st_size,
        page_count=page_count,
        records=[item.as_record() for item in items],
    )
