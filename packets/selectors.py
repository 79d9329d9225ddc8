"""Reads of the packets app. The case must come from a selector that already checked who is
asking (``complaints.selectors.cases_visible_to``, or the reviewer's own)."""

from complaints.models import Case
from packets.models import Packet


def packet_latest_for_case(case: Case) -> Packet | None:
    """The newest packet asked for on ``case`` (in any state), or None."""
    return Packet.objects.filter(case=case).order_by("-requested_at", "-id").first()


def packet_ready_for_case(*, case: Case, packet_id: int) -> Packet | None:
    """Packet ``packet_id`` of ``case`` if it is built; None (a 404 for the caller) otherwise."""
    return Packet.objects.filter(case=case, pk=packet_id, state=Packet.State.READY).first()
