"""What "My cases" says about a case, in words written for the enrollee (English and Spanish).

Each status has a plain sentence, and a "what comes next" sentence that may name the due date of
the clock that matters to the enrollee at that point. Timeline entries are written from the
enrollee's side; staff reasons and internal clocks are never shown here.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _

from complaints.clocks import LOCAL_TZ, ClockName
from complaints.models import Case, CaseEvent, Document, Status, Track
from letters.kinds import LetterKind

STATUS_WORDS = {
    Status.FILED: _("We received your application."),
    Status.ACKNOWLEDGED: _("We are checking your application."),
    Status.RESPONSE_REQUESTED: _("We are waiting for your plan's answer."),
    Status.RESPONSE_RECEIVED: _("Your plan has answered. We are deciding which kind of review your case needs."),
    Status.TRIAGED_IMR: _("Your case qualifies for Independent Medical Review."),
    Status.TRIAGED_COMPLAINT: _("Your case is being reviewed as a Consumer Complaint."),
    Status.IN_IMR_REVIEW: _("Independent doctors are reviewing your case."),
    Status.DETERMINATION_RECEIVED: _("The independent doctors have decided. We are preparing the decision letter."),
    Status.IN_COMPLAINT_REVIEW: _("Our staff are reviewing your complaint."),
    Status.DECISION_ISSUED: _("We have sent you our decision."),
    Status.CARRIED_OUT: _("Your plan has done what the decision required."),
    Status.CLOSED: _("Your case is closed."),
    Status.REFERRED: _("Your case is closed: another agency oversees your plan."),
    Status.GRIEVANCE_FIRST: _("Your case is closed for now: your plan must first answer your grievance."),
    Status.WITHDRAWN: _("You withdrew this case. It is closed."),
    Status.PLAN_REVERSED: _("Your plan changed its decision in your favor. Your case is closed."),
}

# (sentence, the clock whose due date it names, or None)
_NEXT = {
    Status.FILED: (
        _("We will send you a letter confirming your case by %(date)s."),
        ClockName.ACKNOWLEDGEMENT,
    ),
    Status.ACKNOWLEDGED: (
        _("We will ask your plan for its answer and tell you by %(date)s how your case will be reviewed."),
        ClockName.ELIGIBILITY_NOTICE,
    ),
    Status.RESPONSE_REQUESTED: (
        _("Your plan must send us its answer and your records by %(date)s."),
        ClockName.PLAN_RESPONSE,
    ),
    Status.RESPONSE_RECEIVED: (
        _("We will tell you by %(date)s whether your case goes to Independent Medical Review."),
        ClockName.ELIGIBILITY_NOTICE,
    ),
    Status.TRIAGED_IMR: (
        _("We are sending your file to independent doctors. Their decision is due by %(date)s."),
        ClockName.IMR_DECISION,
    ),
    Status.IN_IMR_REVIEW: (_("The decision is due by %(date)s."), ClockName.IMR_DECISION),
    Status.DETERMINATION_RECEIVED: (_("We will send you the decision letter by %(date)s."), ClockName.IMR_DECISION),
    Status.TRIAGED_COMPLAINT: (_("Our decision is due by %(date)s."), ClockName.COMPLAINT_DECISION),
    Status.IN_COMPLAINT_REVIEW: (_("Our decision is due by %(date)s."), ClockName.COMPLAINT_DECISION),
}

_NEXT_WITHOUT_DATE = {
    Status.FILED: _("We will send you a letter confirming your case within 5 days."),
    Status.CARRIED_OUT: _("We will close the case. You do not need to do anything."),
    Status.GRIEVANCE_FIRST: _(
        "You can apply again when your plan answers your grievance, or after 30 days if it has not answered."
    ),
    Status.REFERRED: _("Our letter tells you which agency to contact."),
}

EVENT_WORDS = {
    Status.ACKNOWLEDGED: _("We confirmed that we received your application."),
    Status.RESPONSE_REQUESTED: _("We asked your plan for its answer and your records."),
    Status.RESPONSE_RECEIVED: _("Your plan sent its answer."),
    Status.TRIAGED_IMR: _("Your case qualified for Independent Medical Review."),
    Status.TRIAGED_COMPLAINT: _("We decided to review your case as a Consumer Complaint."),
    Status.IN_IMR_REVIEW: _("We sent your case to the independent doctors."),
    Status.DETERMINATION_RECEIVED: _("The independent doctors decided."),
    Status.IN_COMPLAINT_REVIEW: _("Our staff started reviewing your complaint."),
    Status.DECISION_ISSUED: _("We issued the decision."),
    Status.CARRIED_OUT: _("Your plan did what the decision required."),
    Status.CLOSED: _("We closed the case."),
    Status.REFERRED: _("We closed the case and referred you to another agency."),
    Status.GRIEVANCE_FIRST: _("We closed the case: your plan must first answer your grievance."),
    Status.WITHDRAWN: _("The case was withdrawn."),
    Status.PLAN_REVERSED: _("Your plan changed its decision in your favor."),
}

LETTER_WORDS = {
    LetterKind.ACKNOWLEDGEMENT: _("Letter confirming we received your application"),
    LetterKind.IMR_ELIGIBILITY: _("Letter: your case qualifies for Independent Medical Review"),
    LetterKind.COMPLAINT_CONVERSION: _("Letter: your case will be reviewed as a Consumer Complaint"),
    LetterKind.IMR_DECISION: _("Independent Medical Review decision"),
    LetterKind.COMPLAINT_DECISION: _("Consumer Complaint decision"),
    LetterKind.CLOSURE: _("Letter closing your case"),
    LetterKind.RESPONSE_REQUEST: _("Letter to your plan asking for its answer"),
}

TRACK_WORDS = {
    Track.UNDECIDED: _("Not decided yet"),
    Track.IMR: _("Independent Medical Review"),
    Track.COMPLAINT: _("Consumer Complaint"),
}


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime
    text: str


def next_step_text(case: Case, clocks: list) -> str:
    """What comes next for the enrollee, with the due date of the clock that governs it."""
    running = {clock.name: clock for clock in clocks if clock.is_running}
    if case.status == Status.DECISION_ISSUED:
        return _decision_next(case, running)
    sentence, clock_name = _NEXT.get(case.status, (None, None))
    clock = running.get(clock_name) if clock_name else None
    if sentence and clock is not None:
        return sentence % {"date": _day(clock.due_at.astimezone(LOCAL_TZ).date())}
    return str(_NEXT_WITHOUT_DATE.get(case.status, ""))


def _decision_next(case: Case, running: dict) -> str:
    if not case.enrollee_won:
        return str(
            _(
                "The decision is explained in the letter below. There is no appeal of this decision, "
                "but you may still take legal action."
            )
        )
    implementation = running.get(ClockName.IMR_IMPLEMENTATION)
    carry_out_by: date | None = case.carry_out_by_date or (
        implementation.due_at.astimezone(LOCAL_TZ).date() if implementation else None
    )
    if carry_out_by:
        return str(_("The decision is in your favor. Your plan must carry it out by %(date)s.")) % {
            "date": _day(carry_out_by)
        }
    return str(_("The decision is in your favor. Your plan must now carry it out."))


def _day(day: date) -> str:
    from django.utils.formats import date_format

    return date_format(day, "DATE_FORMAT")


def enrollee_timeline(*, events, letters, documents) -> list[TimelineEntry]:
    """The entries meant for the enrollee, oldest first."""
    entries = []
    for event in events:
        if event.kind == CaseEvent.Kind.FILED:
            entries.append(TimelineEntry(event.occurred_at, str(_("We received your application."))))
        elif event.kind == CaseEvent.Kind.MOVE and event.to_status in EVENT_WORDS:
            entries.append(TimelineEntry(event.occurred_at, str(EVENT_WORDS[event.to_status])))
    for letter in letters:
        entries.append(
            TimelineEntry(
                letter.issued_at,
                str(_("We sent you a letter: %(letter)s.")) % {"letter": LETTER_WORDS.get(letter.kind, letter.kind)},
            )
        )
    for document in documents:
        if document.source == Document.Source.ENROLLEE:
            entries.append(
                TimelineEntry(
                    document.uploaded_at, str(_("You sent a document: %(name)s.")) % {"name": document.original_name}
                )
            )
    return sorted(entries, key=lambda entry: entry.occurred_at)
