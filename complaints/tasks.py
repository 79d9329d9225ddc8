"""Background work on cases. Each task takes ids, loads rows and calls one service; running it
twice changes nothing the second time."""

import logging

from celery import shared_task
from django.db import DatabaseError

from complaints.errors import CaseError
from complaints.models import Case, Status
from complaints.services.moves import case_move

logger = logging.getLogger(__name__)


@shared_task(
    name="complaints.case_acknowledge",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def case_acknowledge(case_id: int) -> None:
    """Acknowledge a newly filed case (the letter goes out with the move)."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or case.status != Status.FILED:
        return
    try:
        case_move(case=case, move="acknowledge", actor=None)
    except CaseError as refusal:
        # Someone (staff, or a second run of this task) moved the case first: nothing to do.
        logger.info("Acknowledgement of case %s not needed: %s", case_id, refusal.message)


@shared_task(
    name="complaints.letter_render",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def letter_render(letter_id: int) -> None:
    """Render and store a pending letter. An issued letter is never rendered again."""
    from complaints.services.letter_issue import letter_issue

    letter_issue(letter_id=letter_id)
