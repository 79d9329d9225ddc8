"""Fields and checks shared by every step of the online form.

Text is stored exactly as typed (templates escape it); what is refused is what no honest answer
contains: control characters, text-direction overrides, answers longer than the case record
keeps, impossible or future dates, ZIP codes that cannot exist.
"""

import re
import unicodedata
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from complaints.models import Case, Patient

EARLIEST_DATE = date(1900, 1, 1)
# Long answers (what happened, what you want, reasons): generous, but a bound a person never meets.
LONG_TEXT_MAX = 5000
# Text-direction controls can make a name display differently from what is stored.
_BIDI_CONTROLS = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_PHONE_CHARACTERS = re.compile(r"^[0-9+()\-.\s]+$")
CALIFORNIA_ZIPS = range(90000, 96200)


def model_max_length(model, field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


def case_max(field_name: str) -> int:
    return model_max_length(Case, field_name)


def patient_max(field_name: str) -> int:
    return model_max_length(Patient, field_name)


def _check_characters(value: str, *, multiline: bool) -> None:
    allowed = {"\n", "\r", "\t"} if multiline else set()
    for character in value:
        if character in allowed:
            continue
        if unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS:
            raise ValidationError(
                _("This answer contains a hidden control character. Please type it again."), code="control"
            )


def no_control_characters(value: str) -> None:
    _check_characters(value, multiline=False)


def no_control_characters_multiline(value: str) -> None:
    _check_characters(value, multiline=True)


def has_a_letter(value: str) -> None:
    if value and not any(character.isalpha() for character in value):
        raise ValidationError(_("Enter a name with letters."), code="no_letters")


def zip_code_valid(value: str) -> None:
    if value and not _ZIP.match(value):
        raise ValidationError(_("Enter a ZIP code of 5 digits, like 95814, or 9 digits, like 95814-2725."), code="zip")


def california_zip_check(*, state: str, zip_code: str) -> str | None:
    """A message if ``zip_code`` cannot be a California ZIP while the state is CA, else None."""
    if state == "CA" and _ZIP.match(zip_code or "") and int(zip_code[:5]) not in CALIFORNIA_ZIPS:
        return _("California ZIP codes run from 90000 to 96199. Check the ZIP code, or choose the right state.")
    return None


def phone_valid(value: str) -> None:
    if not value:
        return
    digits = sum(character.isdigit() for character in value)
    if not _PHONE_CHARACTERS.match(value) or not 10 <= digits <= 15:
        raise ValidationError(_("Enter a phone number with its area code, like 916-555-0100."), code="phone")


def today_local() -> date:
    return timezone.localdate()


class TextField(forms.CharField):
    """One line of text, no control characters, at most ``max_length`` characters."""

    def __init__(self, *, max_length: int, name: bool = False, required_message=None, **kwargs):
        validators = [no_control_characters, *([has_a_letter] if name else [])]
        super().__init__(max_length=max_length, validators=validators, **kwargs)
        if required_message:
            self.error_messages["required"] = required_message
        self.error_messages["max_length"] = ngettext_lazy(
            "Use %(limit_value)d character or fewer.", "Use %(limit_value)d characters or fewer.", "limit_value"
        )
        self.widget.attrs.setdefault("autocomplete", "off")


class LongTextField(forms.CharField):
    """Several lines of text, up to LONG_TEXT_MAX characters."""

    def __init__(self, *, max_length: int = LONG_TEXT_MAX, rows: int = 6, required_message=None, **kwargs):
        super().__init__(
            max_length=max_length,
            validators=[no_control_characters_multiline],
            widget=forms.Textarea(attrs={"rows": rows}),
            **kwargs,
        )
        if required_message:
            self.error_messages["required"] = required_message
        self.error_messages["max_length"] = _(
            "Please shorten this answer to %(limit_value)s characters or fewer (it has %(show_value)s)."
        )
        # A browser would otherwise cut a long paste silently; the server says so instead.
        self.widget.attrs.pop("maxlength", None)


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(validators=[no_control_characters, phone_valid], **kwargs)
        self.error_messages["required"] = _("Enter a phone number.")
        self.widget.input_type = "tel"
        self.widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})


class ZipField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=10, validators=[zip_code_valid], **kwargs)
        self.error_messages["required"] = _("Enter the ZIP code.")
        self.widget.attrs.update({"autocomplete": "postal-code", "inputmode": "numeric", "class": "input-zip"})


class YesNoField(forms.TypedChoiceField):
    """A yes/no question as two radio buttons (a lone checkbox cannot say "no" on purpose)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        super().__init__(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda value: value == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            **kwargs,
        )
        self.error_messages["required"] = _("Choose yes or no.")
        self.error_messages["invalid_choice"] = _("Choose yes or no.")

    @staticmethod
    def to_initial(value):
        return {True: "yes", False: "no"}.get(value)


class MemorableDateWidget(forms.MultiWidget):
    """Month, day and year as three boxes with their own labels (the USWDS "memorable date")."""

    template_name = "filing/widgets/memorable_date.html"

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "autocomplete": "off"}
        widgets = {
            "0": forms.TextInput(attrs={**box, "class": "input-2", "maxlength": "2"}),
            "1": forms.TextInput(attrs={**box, "class": "input-2", "maxlength": "2"}),
            "2": forms.TextInput(attrs={**box, "class": "input-4", "maxlength": "4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [str(value.month), str(value.day), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        labels = (_("Month"), _("Day"), _("Year"))
        for subwidget, widget, label in zip(context["widget"]["subwidgets"], self.widgets, labels, strict=True):
            subwidget["label"] = label
            # Each box keeps its own size class: crispy's "form-control" must not replace it.
            classes = {*subwidget["attrs"].get("class", "").split(), widget.attrs["class"], "form-control"}
            subwidget["attrs"]["class"] = " ".join(sorted(classes))
        return context


class MemorableDateField(forms.MultiValueField):
    """A date typed as month, day and year; never in the future, never before 1900."""

    widget = MemorableDateWidget

    def __init__(self, *, allow_future: bool = False, **kwargs):
        self.allow_future = allow_future
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields=fields, require_all_fields=False, **kwargs)
        self.error_messages["required"] = _("Enter the date: month, day and year.")

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        month, day, year = ((part or "").strip() for part in data_list)
        if not (month and day and year):
            raise ValidationError(_("Enter the month, the day and the year."), code="incomplete")
        if not (month.isdigit() and day.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(
                _("Enter the date in numbers: month 1 to 12, day 1 to 31, and a 4-digit year."), code="invalid"
            )
        try:
            value = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # a day or month of many digits overflows
            raise ValidationError(_("This date does not exist. Check the month and the day."), code="invalid") from None
        if value < EARLIEST_DATE:
            raise ValidationError(_("Enter a date after 1900."), code="too_early")
        if not self.allow_future and value > today_local():
            raise ValidationError(_("This date cannot be in the future."), code="future")
        return value

    def clean(self, value):
        # Every box empty means "no answer"; then only a required field complains.
        if isinstance(value, list | tuple) and not any((part or "").strip() for part in value):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        return self.compress(value)

    @staticmethod
    def to_initial(value):
        return date.fromisoformat(value) if isinstance(value, str) and value else None
