"""The shape every step form shares: crispy rendering without its own <form> tag, answers kept as
JSON, and the links of the error summary (each goes to the first box of its question)."""

from datetime import date

from crispy_forms.helper import FormHelper
from django import forms

from filing.forms.fields import MemorableDateWidget


def field_anchor(bound_field) -> str:
    """The id the error summary links to: the first radio or date box of a group, else the box."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | MemorableDateWidget):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


class SummaryErrorsMixin:
    """Gives a form ``error_links``: (href, message) pairs for the error summary, in field order.

    A choice that is not on the list (a tampered or stale form) gets the same plain message as a
    missing one, instead of Django's, which repeats the value sent.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField) and "required" in field.error_messages:
                field.error_messages["invalid_choice"] = field.error_messages["required"]

    def error_links(self) -> list[tuple[str, str]]:
        links = [("#main", str(message)) for message in self.non_field_errors()]
        for bound_field in self:
            for message in bound_field.errors:
                links.append((f"#{field_anchor(bound_field)}", str(message)))
        return links


class StepForm(SummaryErrorsMixin, forms.Form):
    """One step of the online form. ``answers`` are the draft's answers so far (all steps)."""

    def __init__(self, *args, answers: dict | None = None, **kwargs):
        self.answers = answers or {}
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @property
    def relationship(self) -> str:
        return (self.answers.get("who") or {}).get("relationship", "")

    def to_answers(self) -> dict:
        """The cleaned answers as JSON: dates as ISO strings, everything else as it is."""
        return {
            name: value.isoformat() if isinstance(value, date) else value for name, value in self.cleaned_data.items()
        }

    @classmethod
    def initial_from(cls, stored: dict | None) -> dict:
        """Form initial values from stored answers (the reverse of ``to_answers``)."""
        stored = stored or {}
        initial = {}
        for name, field in cls.base_fields.items():
            if name not in stored:
                continue
            value = stored[name]
            initial[name] = field.to_initial(value) if hasattr(field, "to_initial") else value
        return initial
