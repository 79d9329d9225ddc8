"""The plan's forms: the written response, the plan's own reversal, and the decision carried out.

Uploaded files are checked here with the same content checks as every upload
(``complaints.uploads.upload_check``), so a bad file is named next to its field before anything
is stored; the services store what was checked here, without checking it again. Browsers cannot
keep chosen files after a page with errors, so every error on a form with files also says exactly
which files to choose again.
"""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from complaints.clocks import LOCAL_TZ
from complaints.uploads import CheckedUpload, UploadRejected, upload_check

ACCEPT = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,.heic,.docx,application/pdf,image/*"
FILES_HELP = (
    "You can choose several files at once. PDF, JPEG, PNG, TIFF, HEIC or Word (.docx), "
    "up to {limit} MB each. Scripts, macros and embedded files are removed from the copy we keep."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input. Cleans to a list of (name, what ``upload_check`` made of the
    file): the copy to store, checked by content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not uploads:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        problems, files = [], []
        for upload in uploads:
            try:
                files.append((_name(upload), _read_checked(upload)))
            except UploadRejected as rejected:
                problems.append(f"“{_name(upload)}” was not accepted: {rejected.message}")
        if problems:
            raise forms.ValidationError(problems)
        return files


def _name(upload: UploadedFile) -> str:
    return (upload.name or "document")[:255]


def _read_checked(upload: UploadedFile) -> CheckedUpload:
    limit = settings.UPLOAD_MAX_FILE_BYTES
    if upload.size is not None and upload.size > limit:
        # Refused from its size alone: a file this big is never read into memory.
        raise UploadRejected(f"This file is larger than {limit // (1024 * 1024)} MB. Please send a smaller copy.")
    return upload_check(upload.read())


def _files_help() -> str:
    return FILES_HELP.format(limit=settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024))


class PlanForm(forms.Form):
    """A plan form that knows its file field, to tell people which files to choose again."""

    file_field = ""

    def files_to_choose_again(self) -> list[str]:
        if not self.file_field or not self.is_bound:
            return []
        return [_name(upload) for upload in self.files.getlist(self.file_field) if upload]


class ResponseForm(PlanForm):
    file_field = "files"
    statement = forms.CharField(
        label="The plan's written response",
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Explain the plan's decision and the reasons for it, and list the records you are sending.",
    )
    files = MultipleFileField(label="Records and documents", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _files_help()


class ReversedForm(PlanForm):
    reason = forms.CharField(
        label="What the plan decided",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: the plan approved the surgery on November 12 and told the member and the doctor.",
    )
    confirm = forms.BooleanField(
        label="I confirm that the plan has reversed its decision and will provide or pay for the care in dispute.",
        help_text="This closes the case in the member's favour. It cannot be undone from the portal.",
    )


class CarriedOutForm(PlanForm):
    file_field = "proofs"
    carried_out_date = forms.DateField(
        label="Date the plan carried out the decision",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The day the service was authorized, or the claim was paid or corrected.",
    )
    proofs = MultipleFileField(label="Proof")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proofs"].help_text = "For example the authorization notice, or the paid claim. " + _files_help()

    def clean_carried_out_date(self):
        day = self.cleaned_data["carried_out_date"]
        if day > timezone.now().astimezone(LOCAL_TZ).date():
            raise forms.ValidationError("This date is in the future. Confirm once the decision has been carried out.")
        return day
