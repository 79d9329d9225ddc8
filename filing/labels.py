"""What enrollees read for each stored choice, in plain English and (through the catalog) Spanish.

The case models keep English labels for staff; these are the words for the public form and
"My cases". Keys are the stored values, so a new value in a model must get its words here (a test
checks that every value has them).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaints.models import DenialReason, Document, FilerRelationship, Patient, ProblemCategory

RELATIONSHIP_CHOICES = [
    (FilerRelationship.PATIENT, _("I am the patient")),
    (FilerRelationship.PARENT_GUARDIAN, _("I am the parent or legal guardian of a patient under 18")),
    (
        FilerRelationship.AUTHORIZED_ASSISTANT,
        _("I am helping the patient as their authorized assistant (for example a relative, a friend or a lawyer)"),
    ),
]

GENDER_CHOICES = [
    (Patient.Gender.FEMALE, _("Female")),
    (Patient.Gender.MALE, _("Male")),
    (Patient.Gender.OTHER, pgettext_lazy("gender", "Other")),
]

CATEGORY_CHOICES = [
    (ProblemCategory.WAITING, _("Waiting too long for a referral, an approval, a test or an appointment")),
    (ProblemCategory.TREATMENT_DENIED, _("I cannot get a medicine or a treatment")),
    (ProblemCategory.DISCHARGED_EARLY, _("I was sent home from the hospital too soon")),
    (ProblemCategory.COVERAGE_ENDED, _("My coverage ended or was cancelled")),
    (ProblemCategory.BILL, _("A bill, a claim or a copay")),
    (ProblemCategory.EMERGENCY_BILL, _("A bill for emergency or urgent care")),
    (ProblemCategory.LANGUAGE, _("I cannot get services in my language")),
    (ProblemCategory.PROVIDER_LEFT, _("My doctor or hospital left the plan")),
    (ProblemCategory.OTHER, _("Something else")),
]

DENIAL_REASON_CHOICES = [
    (DenialReason.MEDICAL_NECESSITY, _("It is not medically necessary")),
    (DenialReason.EXPERIMENTAL, _("It is experimental or investigational")),
    (DenialReason.EMERGENCY_PAYMENT, _("It will not pay for emergency or urgent care I received")),
    (DenialReason.COVERAGE_BILLING, _("It is not covered by my plan, or it is a billing problem")),
    (DenialReason.OTHER, _("Another reason, or no reason given")),
]

DOCUMENT_KIND_CHOICES = [
    (Document.Kind.DENIAL_LETTER, _("The plan's denial letter")),
    (Document.Kind.GRIEVANCE_DECISION, _("The plan's decision on my grievance")),
    (Document.Kind.MEDICAL_RECORDS, _("Medical records")),
    (Document.Kind.BILL, _("A bill")),
    (Document.Kind.POWER_OF_ATTORNEY, _("Power of attorney or guardianship papers")),
    (Document.Kind.OTHER, pgettext_lazy("document", "Something else")),
]

LETTER_LANGUAGE_CHOICES = [("en", "English"), ("es", "Español")]

# Stored in English (staff read it); shown translated.
PRIMARY_LANGUAGE_CHOICES = [
    ("English", _("English")),
    ("Spanish", _("Spanish")),
    ("Chinese", _("Chinese")),
    ("Vietnamese", _("Vietnamese")),
    ("Tagalog", _("Tagalog")),
    ("Korean", _("Korean")),
    ("Armenian", _("Armenian")),
    ("Russian", _("Russian")),
    ("Farsi", _("Farsi")),
    ("Arabic", _("Arabic")),
    ("Other", pgettext_lazy("language", "Another language")),
]

RACE_ETHNICITY_CHOICES = [
    ("", _("I prefer not to say")),
    ("American Indian or Alaska Native", _("American Indian or Alaska Native")),
    ("Asian", _("Asian")),
    ("Black or African American", _("Black or African American")),
    ("Hispanic or Latino", _("Hispanic or Latino")),
    ("Native Hawaiian or Pacific Islander", _("Native Hawaiian or Pacific Islander")),
    ("White", _("White")),
    ("More than one", _("More than one")),
    ("Other", pgettext_lazy("race", "Other")),
]

US_STATES = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", _("District of Columbia")),
    ("FL", _("Florida")),
    ("GA", "Georgia"),
    ("HI", _("Hawaii")),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", _("Louisiana")),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", _("Michigan")),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", _("New Hampshire")),
    ("NJ", _("New Jersey")),
    ("NM", _("New Mexico")),
    ("NY", _("New York")),
    ("NC", _("North Carolina")),
    ("ND", _("North Dakota")),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", _("Oregon")),
    ("PA", _("Pennsylvania")),
    ("RI", "Rhode Island"),
    ("SC", _("South Carolina")),
    ("SD", _("South Dakota")),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", _("West Virginia")),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
]


def label_for(choices, value) -> str:
    """The words for a stored value, or the value itself if it has none."""
    return str(dict(choices).get(value, value))
