"""Attaching files: several at once, each judged by its content when it is stored."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import Document
from filing import labels
from filing.forms.base import StepForm, SummaryErrorsMixin
from filing.forms.fields import LongTextField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Takes the list of files a multiple file input sends; each file is checked by the service."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [file for file in files if file]


class UploadForm(StepForm):
    kind = forms.ChoiceField(
        label=_("What are these documents?"),
        choices=labels.DOCUMENT_KIND_CHOICES,
        initial=Document.Kind.DENIAL_LETTER,
        help_text=_("If you have different kinds of documents, add each kind separately."),
        error_messages={"required": _("Choose what kind of documents these are.")},
    )
    files = MultipleFileField(
        label=_("Choose files"),
        required=False,
        help_text=_(
            "PDF, JPEG, PNG, TIFF, HEIC or Word (.docx). Up to %(file_mb)s MB each and %(case_mb)s MB in all. "
            "Send copies, not originals: we do not return documents."
        ),
    )

    def __init__(self, *args, file_mb: int, case_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = self.fields["files"].help_text % {"file_mb": file_mb, "case_mb": case_mb}


class WithdrawForm(SummaryErrorsMixin, forms.Form):
    reason = LongTextField(
        label=_("Why do you want to withdraw the case?"),
        rows=3,
        help_text=_("For example: the plan approved the care, or I no longer need help."),
        error_messages={"required": _("Tell us briefly why you want to withdraw the case.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that the Help Center will stop working on this case."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from crispy_forms.helper import FormHelper

        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
