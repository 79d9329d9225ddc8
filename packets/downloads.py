"""Serving a built packet through the same protected file response as documents and letters.

A page that offers the packet reaches the case through its access-checked selector (and calls
``audit.middleware.case_reached``), then answers with ``packet_file_response``; a packet that is
not of that case, or not built, is a 404 like any file the person may not open.
"""

from django.http import FileResponse, Http404

from complaints.downloads import protected_file_response
from complaints.models import Case
from packets.selectors import packet_ready_for_case


def packet_file_response(*, case: Case, packet_id: int) -> FileResponse:
    packet = packet_ready_for_case(case=case, packet_id=packet_id)
    if packet is None:
        raise Http404("No such packet on this case.")
    return protected_file_response(
        file_field=packet.file, download_name=f"{case.number}-packet.pdf", content_type="application/pdf"
    )
