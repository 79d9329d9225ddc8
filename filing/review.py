"""The "check your answers" page: every stored answer with its question and a link to change it."""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from filing.forms.base import field_anchor
from filing.forms.fields import MemorableDateField, YesNoField
from filing.steps import steps_for


@dataclass(frozen=True)
class Row:
    question: str
    answer: str
    change_url: str


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    rows: list[Row]
    change_url: str


def display_value(field: forms.Field, value) -> str:
    if value in (None, "", []):
        return _("Not given")
    if isinstance(field, YesNoField):
        return _("Yes") if value else _("No")
    if isinstance(field, MemorableDateField):
        return date_format(date.fromisoformat(value), "DATE_FORMAT")
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(str(value), value))
    return str(value)


def review_sections(draft) -> list[Section]:
    sections = []
    for step in steps_for(draft.answers):
        if step.form_class is None or step.slug == "sign":
            continue
        stored = draft.answers.get(step.slug) or {}
        form = step.form_class(answers=draft.answers)
        url = reverse("file-step", kwargs={"draft_id": draft.public_id, "step": step.slug})
        rows = [
            Row(
                question=str(bound.label),
                answer=display_value(bound.field, stored.get(name)),
                change_url=f"{url}?from=review#{field_anchor(bound)}",
            )
            for name, bound in ((name, form[name]) for name in form.fields)
            if not (step.slug == "plan" and name == "plan_name_not_listed" and not stored.get(name))
        ]
        sections.append(Section(slug=step.slug, title=str(step.title), rows=rows, change_url=f"{url}?from=review"))
    return sections
