"""Reads of the packets app. The case must come from a selector that already checked who is
asking (``complaints.selectors.cases_visible_to``, or the reviewer's own)."""

from complaints.models import Case
from packets.models import Packet


def packet_ready_for_case(*, case: Case, packet_id: int) -> Packet | None:
    """Packet ``packet_id`` of ``case`` if it is built; None (a 404 for the caller) otherwise."""
    return Packet.objects.filter(case=case, pk=packet_id, state=Packet.State.READY).first()
