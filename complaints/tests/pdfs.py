"""Real PDFs for the upload tests, made in code: clean ones written by pikepdf, and hostile ones
that hide active content where a pattern search would not look (an object stream longer than a
search reads, an object stream behind a PNG predictor, an XFA form, an incremental update, names
written with #xx escapes). Where pikepdf will not write the evasion itself (it writes clean
files), the bytes are assembled here, with correct cross-reference tables, so that qpdf reads
them as any viewer would."""

import io
import re
import subprocess
import tempfile
import zlib
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from complaints.uploads import pdf as disarming


def page_pdf(*lines: str) -> bytes:
    """A PDF with one page per line of text (Helvetica), as pikepdf writes it."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for line in lines or ("Denial letter",):
        text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        content = pdf.make_stream(f"BT /F1 18 Tf 72 700 Td ({text}) Tj ET".encode("latin-1"))
        pdf.pages.append(
            pikepdf.Page(
                Dictionary(
                    Type=Name.Page,
                    MediaBox=Array([0, 0, 612, 792]),
                    Contents=content,
                    Resources=Dictionary(Font=Dictionary(F1=font)),
                )
            )
        )
    output = io.BytesIO()
    pdf.save(output, deterministic_id=True)
    return output.getvalue()


def edited(data: bytes, change) -> bytes:
    """``data`` with ``change(pdf)`` applied, written by pikepdf (no disarming; streams written
    uncompressed stay so)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        output = io.BytesIO()
        pdf.save(output, deterministic_id=True, compress_streams=False)
    return output.getvalue()


def with_open_action_javascript(data: bytes, script: str = "app.alert(1)") -> bytes:
    def change(pdf):
        pdf.Root.OpenAction = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String(script)))

    return edited(data, change)


def assemble(
    objects: dict[int, bytes],
    *,
    root: int = 1,
    packed=None,
    predictor_columns=None,
    packed_stream=None,
    stream_padding: int = 0,
    classic: bool = False,
) -> bytes:
    """A PDF with ``objects`` (number: body) written plainly, ``packed`` (number: body) inside one
    object stream (FlateDecode, behind a PNG "Up" predictor if ``predictor_columns``; its
    dictionary padded with ``stream_padding`` bytes), and a cross-reference stream, or a classic
    table if ``classic`` (no object stream then). ``packed_stream`` replaces the compressed
    object stream's bytes."""
    packed = packed or {}
    if classic:
        return _assemble_classic(objects, root)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets, in_stream = {}, {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    size = max([*objects, *packed]) + 1
    if packed:
        stream_number, size = size, size + 1
        header, bodies = [], b""
        for index, (number, body) in enumerate(packed.items()):
            header.append(b"%d %d" % (number, len(bodies)))
            bodies += body + b"\n"
            in_stream[number] = (stream_number, index)
        head = b" ".join(header) + b"\n"
        content, parms = head + bodies, b""
        if predictor_columns:
            content = _png_up(content, predictor_columns)
            parms = b" /DecodeParms << /Predictor 12 /Columns %d >>" % predictor_columns
        encoded = packed_stream if packed_stream is not None else zlib.compress(content)
        offsets[stream_number] = len(out)
        out += (
            b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode%s /Padding (%s) /Length %d >>\nstream\n"
            % (stream_number, len(packed), len(head), parms, b"x" * stream_padding, len(encoded))
            + encoded
            + b"\nendstream\nendobj\n"
        )
    xref, size = size, size + 1
    offsets[xref] = len(out)
    rows = b""
    for number in range(size):
        if number in offsets:
            rows += b"\x01" + offsets[number].to_bytes(4, "big") + b"\0\0"
        elif number in in_stream:
            rows += b"\x02" + in_stream[number][0].to_bytes(4, "big") + in_stream[number][1].to_bytes(2, "big")
        else:
            rows += b"\x00" + bytes(4) + b"\xff\xff"
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Length %d >>\nstream\n"
        % (xref, size, root, len(rows))
        + rows
        + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref]
    return bytes(out)


def _assemble_classic(objects: dict[int, bytes], root: int) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    size = max(objects) + 1
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref_at)
    return bytes(out)


def _png_up(data: bytes, columns: int) -> bytes:
    data += b"\0" * (-len(data) % columns)
    rows, previous = [], bytes(columns)
    for start in range(0, len(data), columns):
        row = data[start : start + columns]
        rows.append(b"\x02" + bytes((a - b) % 256 for a, b in zip(row, previous, strict=True)))
        previous = row
    return b"".join(rows)


# One page of text, as plain objects for ``assemble``.
PAGE_OBJECTS = {
    1: b"<< /Type /Catalog /Pages 2 0 R >>",
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >>",
    4: b"<< /Length 50 >>\nstream\nBT /F1 18 Tf 72 700 Td (Claim denied in full) Tj ET\nendstream",
    5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
}


def incremental_update(base: bytes, objects: dict[int, bytes]) -> bytes:
    """``base`` (with a classic cross-reference table) and an appended revision that replaces or
    adds ``objects``, as a PDF editor saves changes."""
    previous = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
    trailer = re.findall(rb"trailer\s*<<(.*?)>>\s*startxref", base, re.S)[-1]
    root = re.search(rb"/Root\s+(\d+ \d+ R)", trailer).group(1)
    size = int(re.search(rb"/Size\s+(\d+)", trailer).group(1))
    out = bytearray(base if base.endswith(b"\n") else base + b"\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n"
    for number, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    size = max(size, max(objects) + 1)
    out += b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, previous, xref_at)
    return bytes(out)


def plain_objects_pdf(data: bytes) -> bytes:
    """``data`` rewritten with a classic cross-reference table and no object streams."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        output = io.BytesIO()
        pdf.save(output, object_stream_mode=pikepdf.ObjectStreamMode.disable, qdf=True)
    return output.getvalue()


def active_codes(data: bytes) -> list[str]:
    """What qpdf finds active in ``data`` (``["UNREADABLE"]`` if it cannot be read)."""
    return disarming.active_content(data)


def pdftotext(data: bytes) -> list[str]:
    """The text of each page, by poppler's pdftotext (not the library that wrote the copy)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.pdf"
        path.write_bytes(data)
        result = subprocess.run(
            ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60
        )
    return result.stdout.decode().split("\f")[:-1]
