"""Staff view of the published IMR decisions (read-only: writes go through imr.services)."""

from django.contrib import admin

from imr.models import PublishedDecision


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
