"""The steps of the online application, in order, and which of them apply to a draft.

A step is complete when its answers are stored (and, for the representative, stored for the
same kind of filer that is chosen now). The review shows every applicable step; signing needs
them all.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from complaints.models import FilerRelationship
from filing import forms


def _always(answers: dict) -> bool:
    return True


def _someone_else_files(answers: dict) -> bool:
    return (answers.get("who") or {}).get("relationship", FilerRelationship.PATIENT) != FilerRelationship.PATIENT


def _stored(slug: str) -> Callable[[dict], bool]:
    return lambda answers: bool(answers.get(slug))


def _representative_stored(answers: dict) -> bool:
    stored = answers.get("representative") or {}
    return bool(stored) and stored.get("relationship") == (answers.get("who") or {}).get("relationship")


@dataclass(frozen=True)
class Step:
    slug: str
    title: Promise
    form_class: type | None
    applies: Callable[[dict], bool] = _always
    complete: Callable[[dict], bool] | None = None

    def is_complete(self, answers: dict) -> bool:
        return (self.complete or _stored(self.slug))(answers)


STEPS: list[Step] = [
    Step("who", _("Who is filing"), forms.WhoForm),
    Step("patient", _("About the patient"), forms.PatientForm),
    Step(
        "representative",
        _("About you, the person filing for the patient"),
        forms.RepresentativeForm,
        applies=_someone_else_files,
        complete=_representative_stored,
    ),
    Step("plan", _("The health plan"), forms.PlanForm),
    Step("grievance", _("Your grievance with the plan"), forms.GrievanceForm),
    Step("problem", _("The problem"), forms.ProblemForm),
    Step("documents", _("Documents"), None),
    Step("review", _("Check your answers"), None, complete=lambda answers: False),
    Step("sign", _("Sign and send"), forms.SignForm, complete=lambda answers: False),
]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
QUESTION_STEPS = [step for step in STEPS if step.slug not in {"review", "sign"}]


def steps_for(answers: dict) -> list[Step]:
    return [step for step in STEPS if step.applies(answers)]


def first_incomplete(answers: dict, *, before: str | None = None) -> Step | None:
    """The first applicable question step without answers (only those before ``before``)."""
    for step in steps_for(answers):
        if step.slug == before or step.slug in {"review", "sign"}:
            return None
        if not step.is_complete(answers):
            return step
    return None


def next_step(answers: dict, current: str) -> Step:
    """Where Continue goes: the next incomplete question, else the review."""
    pending = first_incomplete(answers)
    if pending is not None:
        return pending
    applicable = steps_for(answers)
    slugs = [step.slug for step in applicable]
    index = slugs.index(current) if current in slugs else -1
    for step in applicable[index + 1 :]:
        return step
    return STEPS_BY_SLUG["review"]


def position(answers: dict, slug: str) -> tuple[int, int]:
    """(number of this step, number of steps) as the person sees them."""
    slugs = [step.slug for step in steps_for(answers)]
    return (slugs.index(slug) + 1 if slug in slugs else 0), len(slugs)
