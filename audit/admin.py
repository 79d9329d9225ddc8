"""The audit log in the staff admin: read-only, searchable, and exported as CSV by supervisors.

Nobody can add, change or delete a row here (nor anywhere: see ``audit.models``). Only those
with ``audit.view_auditevent`` (the supervisors' group) open it, and opening, searching and
exporting it are themselves written to the log.
"""

import csv

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from audit.models import AuditEvent

EXPORT_FIELDS = [
    "occurred_at",
    "actor_label",
    "actor_kind",
    "action",
    "outcome",
    "case_number",
    "object_kind",
    "object_id",
    "route",
    "method",
    "path",
    "status_code",
    "ip_address",
    "user_agent",
    "detail",
]
# A spreadsheet would run a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A value as a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    text = timezone.localtime(value).isoformat() if hasattr(value, "tzinfo") and hasattr(value, "hour") else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_at",
        "actor_label",
        "actor_kind",
        "action",
        "outcome",
        "case_number",
        "object_kind",
        "object_id",
        "ip_address",
        "path",
    ]
    list_filter = ["action", "outcome", "actor_kind", "object_kind", "occurred_at"]
    search_fields = ["=case_number", "^actor_label", "=ip_address", "=object_id"]
    search_help_text = "A case number, the start of an e-mail address, an IP address, or a document or letter id."
    date_hierarchy = "occurred_at"
    list_per_page = 100
    show_full_result_count = False
    actions = None
    fields = [*EXPORT_FIELDS, "actor"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        export = path("export/", self.admin_site.admin_view(self.export_view), name="audit_auditevent_export")
        return [export, *super().get_urls()]

    def export_view(self, request):
        """The rows the list shows now (same search and filters), every page of them, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied("The audit log is for supervisors.")
        rows = self.get_changelist_instance(request).queryset.order_by("occurred_at", "id")
        writer = csv.writer(_Echo())

        def lines():
            yield writer.writerow(EXPORT_FIELDS)
            for event in rows.iterator(chunk_size=2000):
                yield writer.writerow([csv_cell(getattr(event, name)) for name in EXPORT_FIELDS])

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
        response["Cache-Control"] = "no-store, private"
        response["X-Content-Type-Options"] = "nosniff"
        return response
