"""Filing a case: online by the enrollee (or someone for them), or entered by staff from a phone
call, a letter or a fax. Both use ``case_file``.

Filing creates the case with its number and ``received_at``, the patient and any representative,
the clocks that count from receipt (and the historical filing-window and grievance clocks), and the
"filed" timeline event. After commit, the acknowledgement is queued for a worker.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import HealthPlan
from complaints.clocks import LOCAL_TZ, ClockName
from complaints.errors import CaseError
from complaints.models import Case, CaseEvent, Channel, FilerRelationship, Patient, Representative
from complaints.row_checks import row_clean
from complaints.services.case_clocks import clocks_start
from complaints.services.numbers import case_number_next
from complaints.services.timeline import event_new
from ops.queue import enqueue_on_commit


@dataclass(frozen=True)
class PatientData:
    first_name: str
    last_name: str
    gender: str
    birth_date: date
    street: str
    city: str
    zip_code: str
    phone: str
    middle_initial: str = ""
    state: str = "CA"
    phone_secondary: str = ""
    email: str = ""
    contact_by_email: bool = False
    primary_language: str = ""
    correspond_in_language: bool = False
    letter_language: str = "en"
    race_ethnicity: str = ""


@dataclass(frozen=True)
class RepresentativeData:
    relationship: str
    full_name: str
    phone: str
    relationship_to_patient: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    email: str = ""
    patient_signed_name: str = ""
    patient_signed_date: date | None = None
    assistant_signed_name: str = ""
    assistant_signed_date: date | None = None
    has_power_of_attorney: bool = False


@dataclass(frozen=True)
class FilingData:
    """Everything the IMR Application/Complaint Form collects (DMHC 20-224; 28 CCR 1300.65.4(d))."""

    patient: PatientData
    category: str
    denial_reason: str
    treatment_in_dispute: str
    what_happened: str
    desired_outcome: str
    signed_name: str
    records_authorized: bool
    filer_relationship: str = FilerRelationship.PATIENT
    representative: RepresentativeData | None = None
    health_plan_id: int | None = None
    plan_name_not_listed: str = ""
    member_id: str = ""
    medical_group: str = ""
    employer: str = ""
    medi_cal_id: str = ""
    medicare_id: str = ""
    grievance_filed: bool = False
    grievance_filed_date: date | None = None
    plan_decided: bool = False
    plan_decision_date: date | None = None
    treating_provider: str = ""
    urgent: bool = False
    urgent_reason: str = ""
    state_fair_hearing: bool = False
    late_filing_reason: str = ""


_CHANNEL_SUMMARY = {
    Channel.ONLINE: "Filed online",
    Channel.PHONE: "Entered by staff from a phone call",
    Channel.MAIL: "Entered by staff from a letter",
    Channel.FAX: "Entered by staff from a fax",
}


def case_file(
    *,
    data: FilingData,
    channel: Channel,
    actor,
    filed_by=None,
    received_at: datetime | None = None,
    savepoint: bool = True,
) -> Case:
    """Create a case from a completed form and return it.

    ``actor`` is who submits: the filer online, or the staff member entering a paper or phone
    case (then ``filed_by`` is empty unless the enrollee has an account). ``received_at`` defaults
    to now; staff may give the real receipt time of mail or fax. Raises CaseError with field
    errors if the data breaks a rule; nothing is written then. ``savepoint=False`` is for a
    caller inside its own transaction that lets every error roll all of it back (``draft_submit``):
    then no savepoint is needed to undo this part alone.
    """
    now = timezone.now()
    received_at = received_at or now
    _check_filing(data, channel=channel, actor=actor, received_at=received_at, now=now)
    with transaction.atomic(savepoint=savepoint):
        case = Case(
            number=case_number_next(year=received_at.astimezone(LOCAL_TZ).year),
            channel=channel,
            received_at=received_at,
            filed_by=filed_by,
            signed_at=now,
            **_case_fields(data),
        )
        # The number is unique by its locked sequence; the filer and the plan were read just now.
        _clean(case, saved=["filed_by", "health_plan"], validate_unique=False)
        case.save()
        patient = Patient(case=case, **asdict(data.patient))
        _clean(patient, prefix="patient.", exclude=["case"])
        patient.save()
        if data.representative is not None:
            representative = Representative(case=case, **asdict(data.representative))
            _clean(representative, prefix="representative.", exclude=["case"])
            representative.save()
        filed = event_new(
            case=case,
            kind=CaseEvent.Kind.FILED,
            summary=f"{_CHANNEL_SUMMARY[channel]}; case number {case.number}",
            occurred_at=now,
            actor=actor,
            actor_role="ENROLLEE" if channel == Channel.ONLINE else "STAFF",
            to_status=case.status,
            data={"channel": channel, "received_at": received_at.isoformat()},
        )
        _start_filing_clocks(case, now=now, actor=actor, events_before=[filed])
        from complaints.tasks import case_acknowledge

        enqueue_on_commit(case_acknowledge, case.id)
    return case


def _clean(
    instance, *, prefix: str = "", exclude: list[str] | None = None, saved=(), validate_unique: bool = True
) -> None:
    """Validate a row (``row_clean``), turning Django's errors into the domain's, keyed by form field."""
    try:
        row_clean(instance, exclude=exclude, saved=saved, validate_unique=validate_unique)
    except ValidationError as error:
        messages = {f"{prefix}{name}": " ".join(texts) for name, texts in error.message_dict.items()}
        raise CaseError("Some answers need another look.", field_errors=messages) from error


def _case_fields(data: FilingData) -> dict:
    fields = asdict(data)
    fields.pop("patient")
    fields.pop("representative")
    fields["health_plan"] = HealthPlan.objects.get(pk=fields.pop("health_plan_id")) if data.health_plan_id else None
    return fields


def _check_filing(data: FilingData, *, channel: Channel, actor, received_at: datetime, now: datetime) -> None:
    errors = {}
    if channel == Channel.ONLINE and (actor is None or not actor.is_enrollee):
        raise CaseError("Online filing needs a signed-in enrollee account.")
    if channel != Channel.ONLINE and (actor is None or not actor.is_help_center_staff):
        raise CaseError("Only Help Center staff can enter a case that came by phone, mail or fax.")
    if received_at > now:
        errors["received_at"] = "The receipt time cannot be in the future."
    if not data.records_authorized:
        errors["records_authorized"] = "The Help Center needs permission to get medical records."
    if (data.filer_relationship == FilerRelationship.PATIENT) != (data.representative is None):
        errors["representative"] = "Give the representative's details exactly when someone files for the patient."
    if data.health_plan_id is None and not data.plan_name_not_listed.strip():
        errors["health_plan"] = "Choose the health plan, or type its name if it is not listed."
    if data.plan_decided and data.plan_decision_date is None:
        errors["plan_decision_date"] = "Give the date of the plan's written decision."
    if data.urgent and not data.urgent_reason.strip():
        errors["urgent_reason"] = "Say why the problem is urgent."
    for field_name in ("grievance_filed_date", "plan_decision_date"):
        value = getattr(data, field_name)
        if value is not None and value > received_at.astimezone(LOCAL_TZ).date():
            errors[field_name] = "This date cannot be in the future."
    if errors:
        raise CaseError("Some answers need another look.", field_errors=errors)


def _start_filing_clocks(case: Case, *, now: datetime, actor, events_before: list[CaseEvent]) -> None:
    role = "ENROLLEE" if case.channel == Channel.ONLINE else "STAFF"
    starts = [(ClockName.ACKNOWLEDGEMENT, None), (ClockName.ELIGIBILITY_NOTICE, None)]
    # The filing window and the plan grievance ran before the Help Center heard of the case; they
    # are recorded so that staff see how each stood at receipt.
    starts.append((ClockName.FILING_WINDOW, case.received_at))
    if case.grievance_filed_date:
        decided_at = (
            datetime.combine(case.plan_decision_date, datetime.min.time(), tzinfo=LOCAL_TZ)
            if case.plan_decided and case.plan_decision_date
            else None
        )
        starts.append((ClockName.PLAN_GRIEVANCE, decided_at))
    # The "filed" event goes first, in the same insert as the clocks' events; the case is new, so
    # it has no clocks yet.
    clocks_start(
        case=case, starts=starts, now=now, actor=actor, actor_role=role, events_before=events_before, clocks=[]
    )
