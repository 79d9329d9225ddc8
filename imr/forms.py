"""The public search form for IMR decisions (a GET form; it works without JavaScript).

The options of every select are the values the data really has (imr.selectors.decision_facets).
The category selects list hundreds of values, so they are validated against a set and written
out in one pass, instead of through Django's choice normalising and per-option templates, which
would cost more than the whole database work of the page.
"""

from html import escape

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from imr.models import CLASSIFICATION_FIELDS, AgeRange, DecisionType, Determination, Gender, ImrType
from imr.selectors import DecisionFacets, DecisionFilters

ANY = ("", _("Any"))


def _option(value, label, selected: str) -> str:
    mark = " selected" if str(value) == selected else ""
    return f'<option value="{escape(str(value))}"{mark}>{escape(str(label))}</option>'


class QuickSelect(forms.Select):
    """A <select>, with <optgroup>s for (label, [(value, label), ...]) entries, rendered in one pass."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = "" if value is None else str(value)
        parts = [f"<select{flatatt(final_attrs)}>"]
        for group_label, options in self.choices:
            if isinstance(options, list | tuple):
                parts.append(f'<optgroup label="{escape(str(group_label))}">')
                parts += [_option(option_value, label, selected) for option_value, label in options]
                parts.append("</optgroup>")
            else:
                parts.append(_option(group_label, options, selected))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value and label is escaped above)


class QuickRadios(forms.RadioSelect):
    """Radio buttons, each with its own label, rendered in one pass (the legend is the template's)."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        base_id = final_attrs.pop("id", name)
        final_attrs.pop("aria-describedby", None)
        selected = "" if value is None else str(value)
        parts = []
        for index, (option_value, label) in enumerate(self.choices):
            option_id = escape(f"{base_id}_{index}")
            mark = " checked" if str(option_value) == selected else ""
            parts.append(
                f'<div class="form-check"><input type="radio" name="{escape(name)}" '
                f'value="{escape(str(option_value))}" id="{option_id}"{flatatt(final_attrs)}{mark}>'
                f'<label class="form-check-label" for="{option_id}">{escape(str(label))}</label></div>'
            )
        return mark_safe("".join(parts))  # noqa: S308 (every value and label is escaped above)


class FacetField(forms.CharField):
    """A select over values found in the data: checked against a set, shown by QuickSelect."""

    def __init__(self, *, label, help_text=""):
        super().__init__(
            label=label,
            required=False,
            help_text=help_text,
            widget=QuickSelect(attrs={"class": "form-select"}),
        )
        self.allowed: set[str] = set()

    def offer(self, options: list, allowed: set[str]) -> None:
        self.widget.choices = [ANY, *options]
        self.allowed = allowed

    def validate(self, value):
        super().validate(value)
        if value and value not in self.allowed:
            raise ValidationError(_("Choose a value from the list."), code="invalid_choice")


def _radio(label, choices):
    return forms.ChoiceField(
        label=label, required=False, choices=[ANY, *choices], widget=QuickRadios(attrs={"class": "form-check-input"})
    )


def _year(label):
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None, widget=QuickSelect(attrs={"class": "form-select"})
    )


class DecisionSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words in the reviewers' findings"),
        required=False,
        max_length=200,
        help_text=_('For example: "physical therapy" or chemotherapy -breast'),
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    year_from = _year(_("From"))
    year_to = _year(_("To"))
    diagnosis_category = FacetField(label=_("Diagnosis category"))
    diagnosis_subcategory = FacetField(
        label=_("Diagnosis subcategory"), help_text=_("Subcategories are listed under their category.")
    )
    treatment_category = FacetField(label=_("Treatment category"))
    treatment_subcategory = FacetField(
        label=_("Treatment subcategory"), help_text=_("Subcategories are listed under their category.")
    )
    determination = _radio(_("Decision"), Determination.choices)
    decision_type = _radio(_("Type of review"), DecisionType.choices)
    imr_type = _radio(_("IMR type"), ImrType.choices)
    age_range = forms.ChoiceField(
        label=_("Age range"), required=False, widget=QuickSelect(attrs={"class": "form-select"})
    )
    gender = _radio(_("Gender"), Gender.choices)

    def __init__(self, *args, facets: DecisionFacets, **kwargs):
        super().__init__(*args, **kwargs)
        self.facets = facets
        years = [(year, str(year)) for year in facets.years]
        self.fields["year_from"].choices = self.fields["year_to"].choices = [ANY, *years]
        for prefix, groups in (("diagnosis", facets.diagnoses), ("treatment", facets.treatments)):
            self.fields[f"{prefix}_category"].offer([(name, name) for name in groups], set(groups))
            chosen = self.data.get(f"{prefix}_category", "")
            if chosen in groups:
                # With a category chosen, the list offers only its subcategories.
                options = [(name, name) for name in groups[chosen]]
            else:
                options = [(category, [(name, name) for name in subs]) for category, subs in groups.items() if subs]
            everything = {name for subs in groups.values() for name in subs}
            self.fields[f"{prefix}_subcategory"].offer(options, everything)
        self.fields["age_range"].choices = [ANY, *((value, AgeRange(value).label) for value in facets.age_ranges)]
        self.fields["gender"].choices = [ANY, *((value, Gender(value).label) for value in facets.genders)]
        if not facets.imr_types:
            del self.fields["imr_type"]
        if not facets.has_findings:
            del self.fields["q"]

    def clean(self):
        cleaned = super().clean()
        if "q" not in self.fields and self.data.get("q", "").strip():
            # The words box is hidden when no decision has findings; words typed into the address
            # must not be dropped silently (the page would show every decision as if they matched).
            self.add_error(
                None,
                _(
                    "Searching for words is not available: the published decisions have no findings "
                    "text to search. Remove the words from the address, or choose categories below."
                ),
            )
        year_from, year_to = cleaned.get("year_from"), cleaned.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            self.add_error("year_to", _("The end year must be the same as or after the start year."))
        for prefix, groups in (("diagnosis", self.facets.diagnoses), ("treatment", self.facets.treatments)):
            category, subcategory = cleaned.get(f"{prefix}_category"), cleaned.get(f"{prefix}_subcategory")
            if category and subcategory and subcategory not in groups.get(category, []):
                self.add_error(
                    f"{prefix}_subcategory",
                    _("“%(sub)s” is not listed under “%(category)s”. Choose one from the list, or Any.")
                    % {"sub": subcategory, "category": category},
                )
        return cleaned

    def filters(self) -> DecisionFilters:
        """The filters of a valid form (or of an empty one)."""
        data = self.cleaned_data if self.is_bound else {}
        return DecisionFilters(
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            **{name: data.get(name, "") for name in CLASSIFICATION_FIELDS},
            text=" ".join(data.get("q", "").split()),
        )

    def is_filtered(self) -> bool:
        return self.is_bound and self.is_valid() and self.filters() != DecisionFilters()
