"""The upload check: how long reading and rewriting a PDF without its active content takes.

Each PDF is read by qpdf in a child process forked for it (complaints.uploads.isolation), so
the figures include the fork and the copy of the bytes both ways. Rows: a one-page letter, a
50-page letter with its own 20 KB picture on every page (about 1 MB), and the one-page letter with
JavaScript (disarmed). The baseline is ``filetype.guess`` on the same bytes (what any upload
costs before this check). No target: the issue sets none; a person waits for this once per file.
"""

import io
import os

import filetype
import pikepdf
from pikepdf import Array, Dictionary, Name

from bench.core import Result, benchmark, median, percentile, timed
from complaints.tests import pdfs, samples
from complaints.uploads import upload_check

REPEAT = 30


def _pictures_pdf(pages: int) -> bytes:
    """``pages`` pages of text, each with its own incompressible 20 KB picture (random bytes)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for number in range(pages):
        image = pdf.make_stream(os.urandom(20_000))
        image.Type, image.Subtype, image.Width, image.Height = Name.XObject, Name.Image, 100, 200
        image.ColorSpace, image.BitsPerComponent = Name.DeviceGray, 8
        content = pdf.make_stream(b"q 100 0 0 200 72 400 cm /Im0 Do Q BT /F1 12 Tf 72 700 Td (Page %d) Tj ET" % number)
        pdf.pages.append(
            pikepdf.Page(
                Dictionary(
                    Type=Name.Page,
                    MediaBox=Array([0, 0, 612, 792]),
                    Contents=content,
                    Resources=Dictionary(Font=Dictionary(F1=font), XObject=Dictionary(Im0=image)),
                )
            )
        )
    output = io.BytesIO()
    pdf.save(output)
    return output.getvalue()


@benchmark
def upload_check_pdfs() -> list[Result]:
    upload_check(samples.PDF)  # warm-up, not counted
    files = {
        "one-page letter": samples.PDF,
        "50 pages with a picture each": _pictures_pdf(50),
        "one-page letter with JavaScript (disarmed)": pdfs.with_open_action_javascript(samples.PDF),
    }
    rows = []
    for label, data in files.items():
        checked = timed(lambda data=data: upload_check(data), repeat=REPEAT)
        guessed = timed(lambda data=data: filetype.guess(data), repeat=REPEAT)
        rows.append(
            Result(
                name=f"upload check: {label} ({len(data) / 1024:.1f} KB)",
                value=f"median {median(checked) * 1000:.0f} ms, p95 {percentile(checked, 0.95) * 1000:.0f} ms",
                baseline=f"type guess {median(guessed) * 1000:.2f} ms",
                note=f"{REPEAT} checks",
            )
        )
    return rows
