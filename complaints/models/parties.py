"""The people a case is about and filed by: the patient, and a parent, guardian or assistant."""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from complaints.indexes import PrefixSearchable
from complaints.models.case import Case
from complaints.models.choices import FilerRelationship


class Patient(models.Model):
    class Gender(models.TextChoices):
        MALE = "MALE", "Male"
        FEMALE = "FEMALE", "Female"
        OTHER = "OTHER", "Other"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="patient")
    first_name = models.CharField(max_length=100)
    middle_initial = models.CharField(max_length=1, blank=True)
    last_name = models.CharField(max_length=100)
    gender = models.CharField(max_length=10, choices=Gender.choices)
    birth_date = models.DateField()
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, default="CA")
    zip_code = models.CharField(max_length=10)
    phone = models.CharField(max_length=30)
    phone_secondary = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    contact_by_email = models.BooleanField(default=False)
    primary_language = models.CharField(max_length=50, blank=True)
    correspond_in_language = models.BooleanField(default=False)
    letter_language = models.CharField(max_length=5, default="en", help_text="en or es: the language of letters.")
    race_ethnicity = models.CharField(max_length=100, blank=True, help_text="Optional, for statistics only.")

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            # The queue's search: the start of a name, ignoring case (complaints/admin/queue.py).
            # The case and the name itself ride along, so PostgreSQL answers from the index alone
            # (it rechecks LIKE against the column, and a common surname is thousands of rows).
            models.Index(
                PrefixSearchable(Upper("last_name")), F("case"), F("last_name"), name="patient_last_name_upper"
            ),
            models.Index(
                PrefixSearchable(Upper("first_name")), F("case"), F("first_name"), name="patient_first_name_upper"
            ),
            models.Index(Upper("email"), name="patient_email_upper"),  # an e-mail address, any case
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.case.number})"

    @property
    def full_name(self) -> str:
        middle = f" {self.middle_initial}." if self.middle_initial else ""
        return f"{self.first_name}{middle} {self.last_name}"


class Representative(models.Model):
    """A parent or guardian of a minor, or an authorized assistant, filing for the patient.

    An authorized assistant needs the designation signed by both the patient and the assistant;
    a legal representative attaches a power of attorney instead of the patient's signature.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="representative")
    relationship = models.CharField(max_length=25, choices=FilerRelationship.choices)
    full_name = models.CharField(max_length=200)
    relationship_to_patient = models.CharField(max_length=100, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30)
    email = models.EmailField(blank=True)
    patient_signed_name = models.CharField(max_length=200, blank=True)
    patient_signed_date = models.DateField(null=True, blank=True)
    assistant_signed_name = models.CharField(max_length=200, blank=True)
    assistant_signed_date = models.DateField(null=True, blank=True)
    has_power_of_attorney = models.BooleanField(default=False)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(condition=~Q(relationship="PATIENT"), name="representative_is_not_the_patient"),
            # HSC designation: both parts signed, unless a power of attorney stands for the patient's.
            models.CheckConstraint(
                condition=~Q(relationship="AUTHORIZED_ASSISTANT")
                | (
                    ~Q(assistant_signed_name="")
                    & Q(assistant_signed_date__isnull=False)
                    & (
                        (~Q(patient_signed_name="") & Q(patient_signed_date__isnull=False))
                        | Q(has_power_of_attorney=True)
                    )
                ),
                name="representative_assistant_designation_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} for {self.case.number}"
