"""The case in the staff admin: the work queue (the list) and the case page.

Staff never edit a case's fields here: a case changes only through the workflow moves and the
services, offered on the case page. Every page reaches the case through ``cases_visible_to``.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from accounts.permissions import DASHBOARD_PERMISSION
from audit.middleware import case_reached
from complaints.models import Case
from complaints.selectors import cases_visible_to

from . import dashboard, entry, files, letter_preview, moves, page
from .display import next_clock_html
from .queue import (
    QUEUE_ORDERING,
    AssigneeFilter,
    ClockNameFilter,
    DueFilter,
    QueueChangeList,
    QueuePaginator,
    QueueStatusFilter,
    page_number,
    search_q,
)


class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "patient_name", "plan", "track", "status", "next_clock", "urgency", "assigned"]
    list_display_links = ["number"]
    list_filter = [
        QueueStatusFilter,
        "track",
        "urgent",
        "health_plan",
        "review_unit",
        AssigneeFilter,
        ClockNameFilter,
        DueFilter,
    ]
    search_fields = ["=number", "=member_id", "=patient__email", "^patient__last_name", "^patient__first_name"]
    search_help_text = "Case number, member ID, the patient's e-mail, or the start of the patient's first or last name."
    list_per_page = 50
    list_max_show_all = 200
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = None
    fieldsets = [
        (
            "Case",
            {
                "fields": [
                    "number",
                    "status",
                    "track",
                    "urgent",
                    "urgent_reason",
                    "channel",
                    "received_at",
                    "filed_by",
                    "filer_relationship",
                ]
            },
        ),
        (
            "Health plan",
            {
                "fields": [
                    "health_plan",
                    "plan_name_not_listed",
                    "member_id",
                    "medical_group",
                    "employer",
                    "medi_cal_id",
                    "medicare_id",
                ]
            },
        ),
        (
            "Plan grievance and the filing window",
            {
                "fields": [
                    "grievance_filed",
                    "grievance_filed_date",
                    "plan_decided",
                    "plan_decision_date",
                    "late_filing_reason",
                    "late_filing_accepted",
                ]
            },
        ),
        (
            "The problem",
            {
                "fields": [
                    "category",
                    "denial_reason",
                    "treatment_in_dispute",
                    "what_happened",
                    "desired_outcome",
                    "treating_provider",
                    "state_fair_hearing",
                ]
            },
        ),
        ("Authorization and signature", {"fields": ["records_authorized", "signed_name", "signed_at"]}),
        (
            "Review and decision",
            {
                "fields": [
                    "review_unit",
                    "assigned_to",
                    "converted_from_imr",
                    "outcome",
                    "outcome_reasons",
                    "decided_at",
                    "carry_out_by_date",
                    "carried_out_date",
                    "closure_reason",
                    "referral_to",
                    "closed_at",
                ]
            },
        ),
    ]

    # ---- the queue ---------------------------------------------------------------------------
    def get_queryset(self, request):
        return cases_visible_to(request.user).select_related("assigned_to")

    def get_ordering(self, request):
        return QUEUE_ORDERING

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return QueuePaginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            page_number=page_number(request),
            rows=self.get_queryset(request),
        )

    def get_search_results(self, request, queryset, search_term):
        # Every word must match (a first and a last name narrow the list); see queue.search_q.
        for term in search_term.split():
            queryset = queryset.filter(search_q(term))
        return queryset, False

    @admin.display(description="Patient", ordering="patient__last_name")
    def patient_name(self, case):
        patient = getattr(case, "patient", None)
        return patient.full_name if patient is not None else "—"

    @admin.display(description="Plan", ordering="health_plan__name")
    def plan(self, case):
        return case.plan_display_name

    @admin.display(description="Next clock due", ordering=QUEUE_ORDERING[0].expression)
    def next_clock(self, case):
        return next_clock_html(name=case.next_clock_name, due_at=case.next_due_at, now=timezone.now())

    @admin.display(description="Urgency", ordering="-urgent")
    def urgency(self, case):
        return "URGENT" if case.urgent else "Standard"

    @admin.display(description="Assigned to", ordering="assigned_to__full_name")
    def assigned(self, case):
        if case.assigned_to is None:
            return case.get_review_unit_display() or "—"
        return f"{case.assigned_to.full_name or case.assigned_to.email} ({case.get_review_unit_display()})"

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_open_dashboard": request.user.has_perm(DASHBOARD_PERMISSION)}
        return super().changelist_view(request, extra_context)

    # ---- the case page -----------------------------------------------------------------------
    def get_readonly_fields(self, request, obj=None):
        return [name for _, options in self.fieldsets for name in options["fields"]]

    def has_change_permission(self, request, obj=None):
        return False  # a case changes only through moves and services

    def has_delete_permission(self, request, obj=None):
        return False  # cases are records: never deleted

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self._case_for_page(request, object_id)
        extra_context = {
            **(extra_context or {}),
            **page.case_page_context(case, request.user, timezone.now()),
            "title": f"Case {case.number}",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        return entry.entry_view(request, self)

    def _case_for_page(self, request, case_id) -> Case:
        if not self.has_view_permission(request):
            raise PermissionDenied("You may not open cases.")
        try:
            case = (
                cases_visible_to(request.user)
                .select_related("assigned_to", "filed_by", "representative")
                .get(pk=int(case_id))
            )
        except (Case.DoesNotExist, ValueError) as error:
            raise Http404("No such case.") from error
        case_reached(request, case)
        return case

    # ---- the case's own pages ----------------------------------------------------------------
    def get_urls(self):
        def case_page(view):
            def wrapped(request, case_id, **kwargs):
                return view(request, self._case_for_page(request, case_id), model_admin=self, **kwargs)

            return self.admin_site.admin_view(wrapped)

        urls = [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="complaints_case_dashboard"),
            path("<int:case_id>/move/<str:move_name>/", case_page(moves.move_view), name="complaints_case_move"),
            path(
                "<int:case_id>/preview/<str:move_name>/",
                case_page(letter_preview.preview_view),
                name="complaints_case_preview",
            ),
            path(
                "<int:case_id>/clocks/<int:clock_id>/extend/",
                case_page(moves.extend_view),
                name="complaints_case_extend",
            ),
            path(
                "<int:case_id>/documents/<int:document_id>/",
                case_page(files.document_view),
                name="complaints_case_document",
            ),
            path("<int:case_id>/letters/<int:letter_id>/", case_page(files.letter_view), name="complaints_case_letter"),
            path("<int:case_id>/late-filing/", case_page(moves.late_filing_view), name="complaints_case_late_filing"),
            path("<int:case_id>/documents/add/", case_page(files.document_upload_view), name="complaints_case_upload"),
        ]
        return urls + super().get_urls()

    def dashboard_view(self, request):
        if not request.user.has_perm(DASHBOARD_PERMISSION):
            raise PermissionDenied("The dashboard is for supervisors.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Supervisor dashboard",
            "queue_url": reverse("admin:complaints_case_changelist"),
            **dashboard.dashboard_context(timezone.now()),
        }
        return TemplateResponse(request, "admin/complaints/case/dashboard.html", context)
