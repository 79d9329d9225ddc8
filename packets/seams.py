"""What this app hands to complaints at start-up (see ``complaints.seams``)."""

from datetime import date, datetime

from complaints.seams import PacketDocument, packet_documents_register


def packet_documents_for_letters(case, up_to: datetime | None) -> list[PacketDocument] | None:
    """The documents of the last packet of ``case`` built by ``up_to`` (the determination), in
    the packet's order, as its index listed them; None if there was none.

    Whoever first asked for it: a packet is the whole file as it stood, the same for everyone,
    and a request for the same contents is served the packet already built (``packet_request``);
    the reviewer's case page offers the packet of the file as it stands."""
    from packets.contents import SOURCE_LABELS
    from packets.models import Packet

    packets = Packet.objects.filter(case=case, state=Packet.State.READY)
    if up_to is not None:
        packets = packets.filter(built_at__lte=up_to)
    packet = packets.order_by("-built_at", "-id").only("contents").first()
    if packet is None:
        return None
    sources = {label: source for source, label in SOURCE_LABELS.items()}
    return [
        PacketDocument(
            document_id=record["document_id"],
            name=record["name"],
            source=sources[record["source"]],
            dated=date.fromisoformat(record["date"]),
        )
        for record in packet.contents
    ]


def register() -> None:
    packet_documents_register(packet_documents_for_letters)
