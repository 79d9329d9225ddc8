"""Disarming a Word (.docx) file: a zip archive rewritten without macros, embedded objects and
outside links, after checking that it does not expand too far.

Imports nothing from Django (the limits are passed in), like ``complaints.uploads.pdf``.

- Expansion: more entries, more bytes in all, or more bytes per byte sent than a real letter has
  is refused. The bytes are counted as they come out, so an archive whose directory under-states
  its sizes gains nothing.
- Removed parts: macros (``vbaProject.bin``, ``vbaData.xml``), embedded objects and packages
  (``embeddings/``), ActiveX controls (``activeX/``) and any other binary part (``.bin``), with
  the relationships that point at them and their content-type entries; a macro-enabled document
  type becomes a plain one.
- Outside links: every relationship with ``TargetMode="External"`` is removed (a template fetched
  from a server, a linked object, a frame, a picture loaded from elsewhere), except hyperlinks to
  web or e-mail addresses, which only open when someone clicks them.

The archive is always written afresh from the entries Python read, in their order, so anything
outside them (bytes before or after the archive) is not kept. Word may say that a disarmed file
needs repairing where its text pointed at a removed object; the text, pictures and tables stay.
"""

import io
import posixpath
import zipfile
import zlib
from urllib.parse import urlsplit

from lxml import etree

WORD_MACROS = "WORD_MACROS"
WORD_EMBEDDED_OBJECT = "WORD_EMBEDDED_OBJECT"
WORD_EXTERNAL_LINK = "WORD_EXTERNAL_LINK"

TOO_BIG = "TOO_BIG"
UNREADABLE = "UNREADABLE"

# No entities, no network, no huge trees: the XML is the sender's.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)
_MACRO_TYPES = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    ),
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
    ),
}
_WEB_SCHEMES = {"http", "https", "mailto"}


class NotDisarmed(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def disarm(data: bytes, *, max_entries: int, max_expanded_bytes: int, max_ratio: int) -> tuple[bytes, list[str]]:
    """The rewritten archive and the sorted codes of what was removed. Raises NotDisarmed(TOO_BIG)
    for an archive that expands past the limits, NotDisarmed(UNREADABLE) for one that cannot be
    read (damaged, encrypted, a part that is not XML where XML belongs)."""
    try:
        entries = _read(data, max_entries=max_entries, budget=min(max_expanded_bytes, max_ratio * len(data)))
        removed: set[str] = set()
        dropped = {name for name in entries if _part_code(name)}
        removed.update(_part_code(name) for name in dropped)
        kept = {}
        for name, content in entries.items():
            if name in dropped:
                continue
            if name.lower().endswith(".rels"):
                content = _clean_relationships(name, content, dropped, removed)
            elif name == "[Content_Types].xml" and dropped:
                content = _clean_content_types(content, dropped)
            kept[name] = content
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, KeyError):
        raise NotDisarmed(UNREADABLE) from None
    except etree.XMLSyntaxError:
        raise NotDisarmed(UNREADABLE) from None
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in kept.items():
            archive.writestr(name, content)
    return output.getvalue(), sorted(removed)


class _TooBig(Exception):
    pass


def _read(data: bytes, *, max_entries: int, budget: int) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > max_entries or sum(info.file_size for info in infos) > budget:
            raise NotDisarmed(TOO_BIG)
        entries: dict[str, bytes] = {}
        # The directory's sizes are the archive's own claim: count what really comes out.
        for info in infos:
            if info.is_dir():
                continue
            chunks = []
            with archive.open(info) as member:
                while chunk := member.read(64 * 1024):
                    budget -= len(chunk)
                    if budget < 0:
                        raise NotDisarmed(TOO_BIG)
                    chunks.append(chunk)
            entries[info.filename] = b"".join(chunks)
    return entries


def _part_code(name: str) -> str | None:
    lower = name.lower()
    base = posixpath.basename(lower)
    if base in {"vbaproject.bin", "vbadata.xml"}:
        return WORD_MACROS
    if "/embeddings/" in f"/{lower}" or "/activex/" in f"/{lower}" or base.endswith(".bin"):
        return WORD_EMBEDDED_OBJECT
    return None


def _clean_relationships(rels_name: str, content: bytes, dropped: set[str], removed: set[str]) -> bytes:
    root = etree.fromstring(content, parser=_PARSER)
    # "word/_rels/document.xml.rels" describes "word/document.xml": targets are relative to "word/".
    source_dir = posixpath.dirname(posixpath.dirname(rels_name))
    changed = False
    for relationship in [child for child in root if isinstance(child.tag, str)]:
        target = relationship.get("Target", "")
        if relationship.get("TargetMode", "").lower() == "external":
            if relationship.get("Type", "").endswith("/hyperlink") and _web_address(target):
                continue
            removed.add(WORD_EXTERNAL_LINK)
        else:
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(source_dir, target)
            if posixpath.normpath(path) not in dropped:
                continue
        root.remove(relationship)
        changed = True
    if not changed:
        return content
    return _xml(root)


def _clean_content_types(content: bytes, dropped: set[str]) -> bytes:
    root = etree.fromstring(content, parser=_PARSER)
    dropped_names = {f"/{name}".lower() for name in dropped}
    for entry in [child for child in root if isinstance(child.tag, str)]:
        part = entry.get("PartName", "").lower()
        if part in dropped_names or (entry.get("Extension", "").lower() == "bin"):
            root.remove(entry)
            continue
        kind = entry.get("ContentType", "")
        if kind in _MACRO_TYPES:
            entry.set("ContentType", _MACRO_TYPES[kind])
    return _xml(root)


def _xml(root) -> bytes:
    # lxml keeps the namespace prefixes as they were (Word relies on them).
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)


def _web_address(target: str) -> bool:
    try:
        return urlsplit(target.strip()).scheme.lower() in _WEB_SCHEMES
    except ValueError:
        return False
