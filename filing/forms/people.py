"""Steps about people: who is filing, the patient, and the person filing for the patient."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import FilerRelationship, Representative
from filing import labels
from filing.forms.base import StepForm
from filing.forms.fields import (
    MemorableDateField,
    PhoneField,
    TextField,
    YesNoField,
    ZipField,
    california_zip_check,
    model_max_length,
    patient_max,
    today_local,
)

ADULT_AGE = 18


def _rep_max(name: str) -> int:
    return model_max_length(Representative, name)


def age_on(birth_date, day) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class WhoForm(StepForm):
    relationship = forms.ChoiceField(
        label=_("Who is filling in this form?"),
        choices=labels.RELATIONSHIP_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("We can only talk about the case with the patient and the person filing for them."),
        error_messages={"required": _("Choose who is filling in this form.")},
    )


class AddressFieldsMixin:
    """Checks a California ZIP code when the state is California."""

    def clean(self):
        cleaned = super().clean()
        message = california_zip_check(state=cleaned.get("state", ""), zip_code=cleaned.get("zip_code", ""))
        if message:
            self.add_error("zip_code", message)
        return cleaned


class PatientForm(AddressFieldsMixin, StepForm):
    first_name = TextField(
        label=_("First name"),
        max_length=patient_max("first_name"),
        name=True,
        required_message=_("Enter the first name."),
    )
    middle_initial = TextField(
        label=_("Middle initial (optional)"), max_length=patient_max("middle_initial"), required=False
    )
    last_name = TextField(
        label=_("Last name"),
        max_length=patient_max("last_name"),
        name=True,
        required_message=_("Enter the last name."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=labels.GENDER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the patient's gender.")},
    )
    birth_date = MemorableDateField(label=_("Date of birth"), help_text=_("For example: 4 2 1968"))
    street = TextField(
        label=_("Street address"), max_length=patient_max("street"), required_message=_("Enter the street address.")
    )
    city = TextField(label=_("City"), max_length=patient_max("city"), required_message=_("Enter the city."))
    state = forms.ChoiceField(
        label=_("State"),
        choices=labels.US_STATES,
        initial="CA",
        error_messages={"required": _("Choose the state.")},
    )
    zip_code = ZipField(label=_("ZIP code"))
    phone = PhoneField(label=_("Phone number"), help_text=_("With the area code, like 916-555-0100."))
    phone_secondary = PhoneField(label=_("Another phone number (optional)"), required=False)
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        max_length=patient_max("email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    contact_by_email = YesNoField(label=_("May we contact the patient by e-mail?"))
    primary_language = forms.ChoiceField(
        label=_("The patient's main language"), choices=labels.PRIMARY_LANGUAGE_CHOICES
    )
    correspond_in_language = YesNoField(
        label=_("Would the patient like us to speak with them in that language?"),
        help_text=_("Help in your language is free."),
    )
    letter_language = forms.ChoiceField(
        label=_("In which language should we write our letters?"),
        choices=labels.LETTER_LANGUAGE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose English or Spanish for the letters.")},
    )
    race_ethnicity = forms.ChoiceField(
        label=_("Race or ethnicity (optional)"),
        choices=labels.RACE_ETHNICITY_CHOICES,
        required=False,
        help_text=_("Only for statistics. It does not change how we handle the case."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "off"

    def clean_middle_initial(self):
        value = self.cleaned_data["middle_initial"].rstrip(".")
        if value and not value.isalpha():
            raise forms.ValidationError(_("Enter one letter, or leave it empty."), code="initial")
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_by_email") and not cleaned.get("email"):
            self.add_error("email", _("Enter an e-mail address, or answer no to contact by e-mail."))
        birth_date = cleaned.get("birth_date")
        if (
            birth_date
            and self.relationship == FilerRelationship.PARENT_GUARDIAN
            and age_on(birth_date, today_local()) >= ADULT_AGE
        ):
            self.add_error(
                "birth_date",
                _(
                    "A parent or guardian can file for a patient under 18. For an adult, go back to the first "
                    "step and choose authorized assistant."
                ),
            )
        return cleaned


class RepresentativeForm(AddressFieldsMixin, StepForm):
    """The parent or guardian, or the authorized assistant with the designation signed by both."""

    full_name = TextField(
        label=_("Your full name"),
        max_length=_rep_max("full_name"),
        name=True,
        required_message=_("Enter your full name."),
    )
    relationship_to_patient = TextField(
        label=_("Your relationship to the patient"),
        max_length=_rep_max("relationship_to_patient"),
        help_text=_("For example: mother, son, friend, lawyer."),
        required_message=_("Say how you are related to the patient."),
    )
    street = TextField(
        label=_("Street address"), max_length=_rep_max("street"), required_message=_("Enter the street address.")
    )
    city = TextField(label=_("City"), max_length=_rep_max("city"), required_message=_("Enter the city."))
    state = forms.ChoiceField(
        label=_("State"),
        choices=labels.US_STATES,
        initial="CA",
        error_messages={"required": _("Choose the state.")},
    )
    zip_code = ZipField(label=_("ZIP code"))
    phone = PhoneField(label=_("Phone number"), help_text=_("With the area code, like 916-555-0100."))
    email = forms.EmailField(label=_("E-mail address (optional)"), max_length=_rep_max("email"), required=False)
    has_power_of_attorney = YesNoField(
        label=_("Do you have a power of attorney or other legal papers that let you act for the patient?"),
        help_text=_("If yes, attach a copy at the documents step. Then the patient does not need to sign below."),
    )
    patient_signed_name = TextField(
        label=_("Patient: type your full name to sign"),
        max_length=_rep_max("patient_signed_name"),
        required=False,
        name=True,
    )
    assistant_signed_name = TextField(
        label=_("Authorized assistant: type your full name to sign"),
        max_length=_rep_max("assistant_signed_name"),
        name=True,
        required_message=_("Type your full name to sign."),
    )

    designation_fields = ("has_power_of_attorney", "patient_signed_name", "assistant_signed_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_assistant:
            for name in self.designation_fields:
                del self.fields[name]

    @property
    def is_assistant(self) -> bool:
        return self.relationship == FilerRelationship.AUTHORIZED_ASSISTANT

    def clean(self):
        cleaned = super().clean()
        if (
            self.is_assistant
            and cleaned.get("has_power_of_attorney") is False
            and not cleaned.get("patient_signed_name")
        ):
            self.add_error(
                "patient_signed_name",
                _(
                    "The patient must type their name to name you as their assistant, "
                    "unless you have a power of attorney."
                ),
            )
        return cleaned

    def to_answers(self) -> dict:
        answers = super().to_answers()
        # Recorded so that a later change of "who is filing" sends the person back to this step.
        answers["relationship"] = self.relationship
        if self.is_assistant:
            # Typing the names here is the signing: the designation is dated the day it is signed.
            today = today_local().isoformat()
            answers["assistant_signed_date"] = today
            answers["patient_signed_date"] = today if answers.get("patient_signed_name") else None
        return answers
