"""Review organizations and their people, in the staff admin (staff create them here).

A reviewer's account is made first in "Users" with the kind "Independent review organization";
its reviewer row here ties it to one organization, with a specialty and the coordinator role.
Assignments and determinations are shown read-only: they are written through the review pages.
"""

from django.contrib import admin

from review.models import Assignment, Determination, Referral, Reviewer, ReviewOrganization


class ReviewerInline(admin.TabularInline):
    model = Reviewer
    extra = 0
    fields = ("user", "specialty", "reviews_cases", "is_coordinator")
    raw_id_fields = ("user",)


@admin.register(ReviewOrganization)
class ReviewOrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_name", "contact_email", "contact_phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    inlines = [ReviewerInline]


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organization", "specialty", "reviews_cases", "is_coordinator")
    list_filter = ("organization", "is_coordinator", "reviews_cases")
    search_fields = ("user__email", "user__full_name", "specialty")
    list_select_related = ("user", "organization")
    raw_id_fields = ("user",)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(_ReadOnly):
    list_display = ("case", "organization", "specialty_needed", "reviewers_needed", "sent_at")
    list_select_related = ("case", "organization")
    search_fields = ("case__number",)


@admin.register(Assignment)
class AssignmentAdmin(_ReadOnly):
    list_display = ("referral", "reviewer", "assigned_at", "attested_at", "declined_at")
    list_select_related = ("referral__case", "referral__organization", "reviewer__user", "reviewer__organization")
    search_fields = ("referral__case__number",)


@admin.register(Determination)
class DeterminationAdmin(_ReadOnly):
    list_display = ("assignment", "outcome", "submitted_at")
    list_select_related = (
        "assignment__referral__case",
        "assignment__referral__organization",
        "assignment__reviewer__user",
        "assignment__reviewer__organization",
    )
