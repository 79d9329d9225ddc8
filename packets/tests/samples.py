"""Real, small PDFs made in code for packet tests: each page carries a line of text that
pdftotext can read back, so a test can tell every page of every document apart."""

import os


def text_pdf(pages: list[str], *, image_bytes: int = 0) -> bytes:
    """A valid PDF with one page per string, each page showing its string in Helvetica. With
    ``image_bytes``, each page also shows a grey image of about that size, as a scanned page has."""
    objects: list[bytes] = []
    count = len(pages)
    per_page = 3 if image_bytes else 2
    kids = " ".join(f"{4 + per_page * i} 0 R" for i in range(count))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, text in enumerate(pages):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 18 Tf 72 700 Td ({escaped}) Tj ET".encode()
        first = 4 + per_page * i
        image = ""
        if image_bytes:
            stream += b" q 432 0 0 432 90 200 cm /Im1 Do Q"
            image = f"/XObject << /Im1 {first + 2} 0 R >>"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> {image} >> "
            f"/Contents {first + 1} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        if image_bytes:
            side = int(image_bytes**0.5)
            pixels = os.urandom(side * side)
            objects.append(
                b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (side, side, len(pixels)) + pixels + b"\nendstream"
            )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def document_pdf(label: str, pages: int, *, image_bytes: int = 0) -> bytes:
    return text_pdf([f"{label} page {n} of {pages}" for n in range(1, pages + 1)], image_bytes=image_bytes)


# Starts like a PDF, so it passes for one by its first bytes, but nothing after that is a PDF.
DAMAGED_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\nthis file was cut off here"
