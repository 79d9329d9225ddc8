"""Preview a decision letter before the move that issues it.

The preview renders the letter the move would produce from the proposed outcome and reasons,
built with ``letter_context`` on an unsaved copy of the case and rendered by
``letters.rendering.render_letter_pdf``. Nothing is saved: no letter row, no file, no event. The
PDF is sent inline with headers that keep browsers and proxies from storing it.
"""

import copy
from dataclasses import replace

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.utils import timezone

from complaints.clocks import LOCAL_TZ, ClockName, due_at
from complaints.models import ENROLLEE_WINS, Case, Letter
from complaints.services.letter_issue import letter_context
from complaints.workflow import MOVES, Move, MoveInput, actor_roles, moves_available
from letters.kinds import LetterKind, Recipient
from letters.rendering import LetterRenderError, render_letter_pdf

from .moves import MoveForm

DECISION_KINDS = frozenset({LetterKind.IMR_DECISION, LetterKind.COMPLAINT_DECISION})


def previewable_letters(move: Move) -> list[tuple[LetterKind, Recipient]]:
    """The decision letters a move issues, which staff may preview before making it."""
    return [(kind, recipient) for kind, recipient in move.letters if kind in DECISION_KINDS]


def proposed_case(case: Case, move: Move, data: MoveInput) -> Case:
    """An unsaved copy of the case as the move would leave it (outcome, reasons, carry-out date)."""
    proposed = copy.copy(case)
    if "outcome" in move.needs:
        proposed.outcome = data.outcome
        proposed.outcome_reasons = data.reason.strip()
    if "carry_out_by" in move.needs_if_enrollee_wins:
        proposed.carry_out_by_date = data.carry_out_by if data.outcome in ENROLLEE_WINS else None
    return proposed


def _language(case: Case, recipient: Recipient) -> str:
    # The same rule as the letters the move requests: plans read English, the enrollee their choice.
    return "en" if recipient == Recipient.PLAN else case.patient.letter_language


def preview_view(request, case: Case, move_name: str, model_admin):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    move = MOVES.get(move_name)
    letters = previewable_letters(move) if move is not None else []
    if not letters:
        raise Http404("This step issues no decision letter to preview.")
    now = timezone.now()
    problems = []
    if move not in moves_available(case, actor_roles(request.user, case), now):
        problems.append(f"“{move.label}” is not open to you on this case now, so there is nothing to preview.")
    form = MoveForm(request.POST, move=move, case=case)
    if not problems and not form.is_valid():
        problems += [f"{_field_label(form, name)}: {' '.join(errors)}" for name, errors in form.errors.items()]
    if not problems:
        data = form.move_input()
        if data.outcome in ENROLLEE_WINS and any(getattr(data, need) is None for need in move.needs_if_enrollee_wins):
            problems.append("A decision in the enrollee's favour needs the date the plan must carry it out by.")
    if problems:
        return _problem(request, model_admin, case, move, problems)

    recipients = {recipient.value: (kind, recipient) for kind, recipient in letters}
    kind, recipient = recipients.get(request.POST.get("recipient", ""), letters[0])
    proposed = proposed_case(case, move, data)
    letter = Letter(case=proposed, kind=kind, recipient=recipient, language=_language(case, recipient))
    context = letter_context(letter=letter, case=proposed, today=now.astimezone(LOCAL_TZ).date())
    if kind == LetterKind.IMR_DECISION and proposed.enrollee_won and context.implementation_due_date is None:
        # The move starts this clock; the letter issued after it names its due day.
        context = replace(context, implementation_due_date=due_at(ClockName.IMR_IMPLEMENTATION, now).date())
    try:
        pdf = render_letter_pdf(kind, context)
    except LetterRenderError as error:
        return _problem(request, model_admin, case, move, [f"The letter cannot be made yet: {error}"])
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"PREVIEW-{case.number}-{kind.value.lower()}-{recipient.value.lower()}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    # Shown inline: the browser's own PDF viewer may load (object-src), nothing else may.
    response["Content-Security-Policy"] = "default-src 'none'; object-src 'self'; frame-ancestors 'none'"
    return response


def _field_label(form: MoveForm, name: str) -> str:
    return form.fields[name].label if name in form.fields else "The form"


def _problem(request, model_admin, case: Case, move: Move, problems: list[str]) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "case": case,
        "move": move,
        "problems": problems,
        "title": f"{case.number}: no preview of the letter",
    }
    response = TemplateResponse(request, "admin/complaints/case/preview_problem.html", context, status=400)
    response["Cache-Control"] = "no-store, private"
    return response
