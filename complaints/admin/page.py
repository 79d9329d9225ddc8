"""What the case page shows besides the case's own fields: the people, the clocks, the moves open
to this staff member now, documents, plan responses, letters and the timeline. Reads only.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.admin.utils import display_for_field
from django.db.models import Prefetch

from complaints.clocks import HISTORICAL_CLOCKS
from complaints.models import Case, Clock, Document, Letter
from complaints.selectors import case_clocks, case_timeline, documents_visible_to, letters_visible_to
from complaints.workflow import MOVES_IN_ORDER, Move, actor_roles, moves_available

from .display import due_state, local_moment, span
from .files import DocumentForm
from .letter_preview import previewable_letters
from .moves import ExtendForm, MoveForm


def field_rows(instance, *, exclude: tuple[str, ...] = ("id", "case")) -> list[tuple[str, str]]:
    """(label, value) for each field of a row, as the admin displays read-only values."""
    rows = []
    for model_field in instance._meta.fields:
        if model_field.name in exclude:
            continue
        value = display_for_field(getattr(instance, model_field.name), model_field, "—")
        rows.append((model_field.verbose_name[:1].upper() + model_field.verbose_name[1:], value))
    return rows


@dataclass
class ClockRow:
    clock: Clock
    state: str
    css_class: str
    historical: bool
    extend_form: ExtendForm | None = None
    extensions: list = field(default_factory=list)


def clock_rows(case: Case, now: datetime) -> list[ClockRow]:
    rows = []
    # The clocks still to meet come first, by due time; the settled and historical ones after.
    clocks = sorted(case_clocks(case=case), key=lambda c: (not c.is_running or c.name in HISTORICAL_CLOCKS, c.due_at))
    for clock in clocks:
        historical = clock.name in HISTORICAL_CLOCKS
        if historical:
            # Ran before the Help Center had the case: shown as history, not as a deadline to act on.
            if clock.met_at is None:
                state = "History: not met (no date recorded)"
            elif clock.met_on_time:
                state = "History: met in time"
            else:
                state = f"History: met {span(clock.met_at - clock.due_at)} after it was due"
            css = "clock-history"
        elif clock.met_at is not None:
            if clock.met_on_time:
                state, css = f"Met on time, {local_moment(clock.met_at)}", "clock-ok"
            else:
                state, css = f"Met LATE, {span(clock.met_at - clock.due_at)} after it was due", "clock-overdue"
        elif clock.stopped_at is not None:
            state, css = f"Stopped {local_moment(clock.stopped_at)}: the case ended first", "clock-ok"
        else:
            due = due_state(clock.due_at, now)
            state, css = due.text, due.css_class
        rows.append(
            ClockRow(
                clock=clock,
                state=state,
                css_class=css,
                historical=historical,
                extend_form=ExtendForm(clock=clock) if clock.is_running and not historical else None,
                extensions=list(clock.extensions.all()),
            )
        )
    return rows


@dataclass
class MoveOffer:
    move: Move
    form: MoveForm
    previews: list


def move_offers(case: Case, user, now: datetime) -> tuple[list[MoveOffer], list[tuple[Move, str]]]:
    """The moves this person may make now, each with its form; and, for the moves their role and
    the status allow but a rule holds back, the rule's sentence."""
    roles = actor_roles(user, case)
    offers = [
        MoveOffer(move=move, form=MoveForm(move=move, case=case), previews=previewable_letters(move))
        for move in moves_available(case, roles, now)
    ]
    held_back = []
    for move in MOVES_IN_ORDER:
        if case.status in move.sources and move.allows_role(roles, case):
            refusal = move.guard(case, now)
            if refusal:
                held_back.append((move, refusal))
    return offers, held_back


def case_page_context(case: Case, user, now: datetime) -> dict:
    offers, held_back = move_offers(case, user, now)
    issued = set(letters_visible_to(user=user, case=case).values_list("pk", flat=True))
    representative = getattr(case, "representative", None)
    patient = getattr(case, "patient", None)
    return {
        "case": case,
        "now": now,
        "patient_rows": field_rows(patient) if patient is not None else [],
        "representative_rows": field_rows(representative) if representative is not None else [],
        "clock_rows": clock_rows(case, now),
        "offers": offers,
        "held_back": held_back,
        "documents": documents_visible_to(user=user, case=case)
        .filter(plan_response__isnull=True)
        .select_related("uploaded_by"),
        "plan_responses": case.plan_responses.select_related("submitted_by")
        .prefetch_related(Prefetch("documents", queryset=Document.objects.order_by("uploaded_at", "id")))
        .order_by("submitted_at", "id"),
        "letters": [(letter, letter.pk in issued) for letter in case.letters.order_by("requested_at", "id").all()],
        "letter_states": Letter.State,
        "timeline": case_timeline(case=case),
        "document_form": DocumentForm(),
    }
