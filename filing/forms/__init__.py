"""The forms of the online application, the eligibility check and My cases."""

from filing.forms.case import GrievanceForm, PlanForm, ProblemForm, SignForm
from filing.forms.people import PatientForm, RepresentativeForm, WhoForm
from filing.forms.uploads import UploadForm, WithdrawForm

__all__ = [
    "GrievanceForm",
    "PatientForm",
    "PlanForm",
    "ProblemForm",
    "RepresentativeForm",
    "SignForm",
    "UploadForm",
    "WhoForm",
    "WithdrawForm",
]
