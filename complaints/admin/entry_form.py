"""The form staff fill in for a case that came by phone, mail or fax: the fields of the IMR
Application/Complaint Form (DMHC 20-224) as ``FilingData`` holds them, plus the channel and the
real time of receipt. Rules are the filing service's; this form only collects and converts.
"""

from django import forms
from django.utils import timezone

from accounts.models import HealthPlan
from complaints.clocks import LOCAL_TZ
from complaints.errors import CaseError
from complaints.models import Channel, DenialReason, FilerRelationship, Patient, ProblemCategory
from complaints.services.filing import FilingData, PatientData, RepresentativeData

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TEXT = forms.Textarea(attrs={"rows": 3, "cols": 70})
STAFF_CHANNELS = [(channel.value, channel.label) for channel in (Channel.PHONE, Channel.MAIL, Channel.FAX)]

ENTRY_SECTIONS = [
    ("How it came", ["channel", "received_at"]),
    ("Who is filing", ["filer_relationship"]),
    (
        "Patient",
        [
            "patient_first_name",
            "patient_middle_initial",
            "patient_last_name",
            "patient_gender",
            "patient_birth_date",
            "patient_street",
            "patient_city",
            "patient_state",
            "patient_zip_code",
            "patient_phone",
            "patient_phone_secondary",
            "patient_email",
            "patient_contact_by_email",
            "patient_primary_language",
            "patient_correspond_in_language",
            "patient_letter_language",
            "patient_race_ethnicity",
        ],
    ),
    (
        "Parent, guardian or authorized assistant (only if someone files for the patient)",
        [
            "representative_full_name",
            "representative_relationship_to_patient",
            "representative_phone",
            "representative_email",
            "representative_street",
            "representative_city",
            "representative_state",
            "representative_zip_code",
            "representative_patient_signed_name",
            "representative_patient_signed_date",
            "representative_assistant_signed_name",
            "representative_assistant_signed_date",
            "representative_has_power_of_attorney",
        ],
    ),
    (
        "Health plan",
        ["health_plan", "plan_name_not_listed", "member_id", "medical_group", "employer", "medi_cal_id", "medicare_id"],
    ),
    ("Plan grievance", ["grievance_filed", "grievance_filed_date", "plan_decided", "plan_decision_date"]),
    (
        "The problem",
        [
            "category",
            "denial_reason",
            "treatment_in_dispute",
            "what_happened",
            "desired_outcome",
            "treating_provider",
            "urgent",
            "urgent_reason",
            "state_fair_hearing",
            "late_filing_reason",
        ],
    ),
    ("Authorization and signature", ["records_authorized", "signed_name"]),
]


class EntryForm(forms.Form):
    channel = forms.ChoiceField(label="The case came by", choices=STAFF_CHANNELS, widget=forms.RadioSelect)
    received_at = forms.DateTimeField(
        label="When it reached the Help Center (California time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text="For mail and fax, the day and time it arrived, not now. Clocks count from this moment.",
    )
    filer_relationship = forms.ChoiceField(label="Who is filing", choices=FilerRelationship.choices)

    patient_first_name = forms.CharField(label="First name", max_length=100)
    patient_middle_initial = forms.CharField(label="Middle initial", max_length=1, required=False)
    patient_last_name = forms.CharField(label="Last name", max_length=100)
    patient_gender = forms.ChoiceField(label="Gender", choices=[("", "Choose…"), *Patient.Gender.choices])
    patient_birth_date = forms.DateField(label="Date of birth", widget=_DATE)
    patient_street = forms.CharField(label="Street", max_length=200)
    patient_city = forms.CharField(label="City", max_length=100)
    patient_state = forms.CharField(label="State", max_length=2, initial="CA")
    patient_zip_code = forms.CharField(label="ZIP code", max_length=10)
    patient_phone = forms.CharField(label="Primary phone", max_length=30)
    patient_phone_secondary = forms.CharField(label="Secondary phone", max_length=30, required=False)
    patient_email = forms.EmailField(label="E-mail", required=False)
    patient_contact_by_email = forms.BooleanField(label="May be contacted by e-mail", required=False)
    patient_primary_language = forms.CharField(label="Primary language", max_length=50, required=False)
    patient_correspond_in_language = forms.BooleanField(label="Wants letters in that language", required=False)
    patient_letter_language = forms.ChoiceField(
        label="Language of our letters", choices=[("en", "English"), ("es", "Spanish")], initial="en"
    )
    patient_race_ethnicity = forms.CharField(
        label="Race/ethnicity (optional, for statistics)", max_length=100, required=False
    )

    representative_full_name = forms.CharField(label="Full name", max_length=200, required=False)
    representative_relationship_to_patient = forms.CharField(
        label="Relationship to the patient", max_length=100, required=False
    )
    representative_phone = forms.CharField(label="Phone", max_length=30, required=False)
    representative_email = forms.EmailField(label="E-mail", required=False)
    representative_street = forms.CharField(label="Street", max_length=200, required=False)
    representative_city = forms.CharField(label="City", max_length=100, required=False)
    representative_state = forms.CharField(label="State", max_length=2, required=False)
    representative_zip_code = forms.CharField(label="ZIP code", max_length=10, required=False)
    representative_patient_signed_name = forms.CharField(
        label="Patient's signature on the designation (name)", max_length=200, required=False
    )
    representative_patient_signed_date = forms.DateField(label="Date the patient signed", widget=_DATE, required=False)
    representative_assistant_signed_name = forms.CharField(
        label="Assistant's signature on the designation (name)", max_length=200, required=False
    )
    representative_assistant_signed_date = forms.DateField(
        label="Date the assistant signed", widget=_DATE, required=False
    )
    representative_has_power_of_attorney = forms.BooleanField(
        label="A power of attorney stands for the patient's signature", required=False
    )

    health_plan = forms.ModelChoiceField(
        label="Health plan", queryset=HealthPlan.objects.filter(is_active=True).order_by("name"), required=False
    )
    plan_name_not_listed = forms.CharField(label="Plan name, if not listed", max_length=200, required=False)
    member_id = forms.CharField(label="Member ID", max_length=50, required=False)
    medical_group = forms.CharField(label="Medical group or IPA", max_length=200, required=False)
    employer = forms.CharField(label="Employer", max_length=200, required=False)
    medi_cal_id = forms.CharField(label="Medi-Cal ID", max_length=50, required=False)
    medicare_id = forms.CharField(label="Medicare ID", max_length=50, required=False)

    grievance_filed = forms.BooleanField(label="Filed a grievance with the plan", required=False)
    grievance_filed_date = forms.DateField(label="Date the grievance was filed", widget=_DATE, required=False)
    plan_decided = forms.BooleanField(label="The plan decided the grievance", required=False)
    plan_decision_date = forms.DateField(label="Date of the plan's written decision", widget=_DATE, required=False)

    category = forms.ChoiceField(label="Kind of problem", choices=[("", "Choose…"), *ProblemCategory.choices])
    denial_reason = forms.ChoiceField(label="Reason the plan gave", choices=[("", "Choose…"), *DenialReason.choices])
    treatment_in_dispute = forms.CharField(
        label="What the plan denied, changed or delayed, or the bill", max_length=500
    )
    what_happened = forms.CharField(label="What happened", widget=_TEXT)
    desired_outcome = forms.CharField(label="What the enrollee wants", widget=_TEXT)
    treating_provider = forms.CharField(label="Treating doctor or provider", max_length=200, required=False)
    urgent = forms.BooleanField(label="Urgent", required=False)
    urgent_reason = forms.CharField(label="Why it is urgent", widget=_TEXT, required=False)
    state_fair_hearing = forms.BooleanField(
        label="A Medi-Cal State Fair Hearing was held on this issue", required=False
    )
    late_filing_reason = forms.CharField(
        label="Reason for filing more than 6 months after the plan's decision (if late)", widget=_TEXT, required=False
    )

    records_authorized = forms.BooleanField(
        label="The enrollee authorized the Help Center to get medical records",
        required=False,
        help_text="By phone: the caller said yes. By mail or fax: the authorization on the form is signed.",
    )
    signed_name = forms.CharField(
        label="Name as signed on the paper form (mail or fax)",
        max_length=200,
        required=False,
        help_text='By phone, the signature is recorded as "Taken by phone by" and your name.',
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["received_at"].initial = timezone.now().astimezone(LOCAL_TZ).replace(second=0, microsecond=0)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("channel") in (Channel.MAIL, Channel.FAX) and not cleaned.get("signed_name", "").strip():
            self.add_error("signed_name", "Type the name as it is signed on the paper form.")
        return cleaned

    def signature(self) -> str:
        if self.cleaned_data["channel"] == Channel.PHONE:
            return f"Taken by phone by {self.user.full_name or self.user.email}"
        return self.cleaned_data["signed_name"].strip()

    def _group(self, prefix: str) -> dict:
        return {
            name.removeprefix(prefix): value for name, value in self.cleaned_data.items() if name.startswith(prefix)
        }

    def filing_data(self) -> FilingData:
        data = self.cleaned_data
        representative = None
        if data["filer_relationship"] != FilerRelationship.PATIENT:
            representative = RepresentativeData(
                relationship=data["filer_relationship"], **self._group("representative_")
            )
        plan = data.get("health_plan")
        case_fields = {
            name: data[name]
            for name in (
                "plan_name_not_listed",
                "member_id",
                "medical_group",
                "employer",
                "medi_cal_id",
                "medicare_id",
                "grievance_filed",
                "grievance_filed_date",
                "plan_decided",
                "plan_decision_date",
                "category",
                "denial_reason",
                "treatment_in_dispute",
                "what_happened",
                "desired_outcome",
                "treating_provider",
                "urgent",
                "urgent_reason",
                "state_fair_hearing",
                "late_filing_reason",
                "records_authorized",
                "filer_relationship",
            )
        }
        return FilingData(
            patient=PatientData(**self._group("patient_")),
            representative=representative,
            health_plan_id=plan.pk if plan is not None else None,
            signed_name=self.signature(),
            **case_fields,
        )

    def add_domain_errors(self, error: CaseError) -> None:
        """Put the filing service's errors next to their fields ("patient.zip_code" -> patient_zip_code)."""
        placed = False
        for key, message in error.field_errors.items():
            name = key.replace(".", "_")
            if name in self.fields:
                self.add_error(name, message)
                placed = True
            else:
                self.add_error(None, message)
        if not placed:
            self.add_error(None, error.message)
