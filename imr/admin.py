"""Staff views of the IMR app: the published decisions (read-only: writes go through
imr.services) and the findings waiting for a supervisor's approval before publication."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from audit.middleware import case_reached
from complaints.errors import CaseError
from imr.models import FindingsReview, PublishedDecision
from imr.publication import findings_approve
from imr.services import DecisionNotPublishable


@admin.register(PublishedDecision)
class PublishedDecisionAdmin(admin.ModelAdmin):
    list_display = ["reference_id", "report_year", "decision_type", "determination", "diagnosis_category", "source"]
    list_filter = ["source", "determination", "decision_type", "imr_type", "report_year"]
    search_fields = ["reference_id"]
    ordering = ["-report_year", "reference_id"]
    show_full_result_count = False  # a million rows: do not count them twice per page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FindingsApprovalForm(forms.Form):
    findings = forms.CharField(
        label="Findings to publish",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 70}),
        help_text="Words in brackets, like [patient] or [date], mark what the code took out. Edit freely; "
        "nothing is public until you approve.",
    )


@admin.register(FindingsReview)
class FindingsReviewAdmin(admin.ModelAdmin):
    list_display = ["case", "state", "created_at", "approved_at", "approved_by"]
    list_filter = ["state"]
    list_select_related = ["case", "approved_by"]
    ordering = ["state", "created_at"]
    search_fields = ["=case__number"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The findings as written beside the de-identified text, and the supervisor's approval.
        Approving is one call to ``findings_approve``; its refusals are shown at the field."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        review = FindingsReview.objects.select_related("case", "approved_by").filter(pk=object_id).first()
        if review is None:
            raise Http404("No such findings review.")
        case_reached(request, review.case)
        may_approve = self.has_change_permission(request, review) and review.state == FindingsReview.State.PENDING
        if request.method == "POST":
            if not self.has_change_permission(request, review):
                raise PermissionDenied
            if review.state != FindingsReview.State.PENDING:
                # A second click on "Approve and publish", or another supervisor was quicker.
                messages.info(request, "These findings were approved already; nothing was published again.")
                return redirect(request.path)
            form = FindingsApprovalForm(request.POST)
            if form.is_valid():
                try:
                    publication = findings_approve(
                        review_id=review.pk, text=form.cleaned_data["findings"], approved_by=request.user
                    )
                except DecisionNotPublishable as refused:
                    for field, problems in refused.message_dict.items():
                        form.add_error(
                            "findings" if field == "findings" else None,
                            [f"Not published: the text {problem}." if field == "findings" else problem
                             for problem in problems],
                        )  # fmt: skip
                except CaseError as refused:
                    form.add_error(None, refused.message)
                else:
                    messages.success(request, f"Approved and published as decision {publication.reference_id}.")
                    return redirect(reverse("admin:imr_findingsreview_changelist"))
        else:
            form = FindingsApprovalForm(initial={"findings": review.approved_text or review.proposed})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Findings of {review.case.number} for publication",
            "review": review,
            "form": form,
            "may_approve": may_approve,
        }
        return TemplateResponse(request, "admin/imr/findingsreview/review.html", context)
