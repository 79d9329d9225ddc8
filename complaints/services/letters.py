"""Letters a move needs: one row per kind and recipient, rendered by a worker after commit."""

from datetime import datetime

from complaints.models import Case, Letter
from letters.kinds import LetterKind, Recipient
from ops.queue import enqueue_on_commit


def _language_for(case: Case, recipient: Recipient) -> str:
    if recipient == Recipient.PLAN:
        return "en"
    patient = getattr(case, "patient", None)
    return patient.letter_language if patient is not None else "en"


def letters_request(
    *, case: Case, specs: tuple[tuple[LetterKind, Recipient], ...], move_name: str, now: datetime
) -> list[Letter]:
    """Create the pending letters the move needs; a letter already requested is not made again.

    Rendering is scheduled for after the transaction commits; the clock sweep picks up any
    letter whose rendering was lost.
    """
    created = []
    for kind, recipient in specs:
        letter, was_created = Letter.objects.get_or_create(
            case=case,
            kind=kind,
            recipient=recipient,
            defaults={"language": _language_for(case, recipient), "requested_at": now, "requested_by_move": move_name},
        )
        if was_created:
            created.append(letter)
    if created:
        from complaints.tasks import letter_render

        for letter in created:
            enqueue_on_commit(letter_render, letter.id)
    return created
