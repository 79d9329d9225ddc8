"""People and health plans in the staff admin (supervisors; intake and reviewers only see plans).

A plan's page lists its plan users and links to "Add a plan user for this plan", which opens the
user form with the kind and the plan already chosen. The user forms check the rules of
``accounts.User`` before the database does, so each mistake is shown next to its field: a plan
user belongs to exactly one plan, nobody else belongs to a plan, and only Help Center staff sign
in to the admin or hold a staff group. Only a superuser may make or change a superuser.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import HealthPlan, User


def role_problems(cleaned: dict) -> dict[str, str]:
    """What is wrong with a user's kind, plan, admin access and groups, by field."""
    kind = cleaned.get("kind")
    if kind is None:
        return {}
    problems = {}
    if kind == User.Kind.PLAN and cleaned.get("health_plan") is None:
        problems["health_plan"] = "A plan user must belong to a health plan: choose it."
    if kind != User.Kind.PLAN and cleaned.get("health_plan") is not None:
        problems["health_plan"] = "Only plan users belong to a health plan: leave this empty."
    if kind != User.Kind.STAFF and cleaned.get("is_staff"):
        problems["is_staff"] = "Only Help Center staff may sign in to the staff admin."
    if kind != User.Kind.STAFF and cleaned.get("groups"):
        problems["groups"] = "Staff groups are for Help Center staff only."
    return problems


class UserAddForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)
        field_classes = {}

    def clean(self):
        cleaned = super().clean()
        for field, message in role_problems(cleaned).items():
            self.add_error(field, message)
        return cleaned

    def _post_clean(self):
        # Staff accounts sign in to the admin; nobody else does (a database constraint too).
        self.instance.is_staff = self.cleaned_data.get("kind") == User.Kind.STAFF
        super()._post_clean()


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {}

    def clean(self):
        cleaned = super().clean()
        for field, message in role_problems(cleaned).items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


class PlanUserInline(admin.TabularInline):
    model = User
    fk_name = "health_plan"
    fields = ["email", "full_name", "is_active", "last_login"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "plan user"
    verbose_name_plural = "Plan users (people at this plan who use the plan portal)"

    def has_add_permission(self, request, obj=None):
        return False  # added through "Add a plan user for this plan", with a password choice

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HealthPlan)
class HealthPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "regulated_by_dmhc", "regulator_name", "is_active", "plan_users", "add_plan_user"]
    list_filter = ["regulated_by_dmhc", "is_active"]
    search_fields = ["name"]
    ordering = ["name"]
    inlines = [PlanUserInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(active_users=Count("users", filter=Q(users__is_active=True)))

    @admin.display(description="Active plan users", ordering="active_users")
    def plan_users(self, plan):
        return plan.active_users

    @admin.display(description="")
    def add_plan_user(self, plan):
        return format_html('<a href="{}">Add a plan user</a>', add_plan_user_url(plan))

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if not request.user.has_perm("accounts.add_user"):
            shown = [name for name in shown if name != "add_plan_user"]
        return shown

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "may_add_plan_user": request.user.has_perm("accounts.add_user")}
        return super().change_view(request, object_id, form_url, extra_context)


def add_plan_user_url(plan: HealthPlan) -> str:
    return f"{reverse('admin:accounts_user_add')}?kind={User.Kind.PLAN}&health_plan={plan.pk}"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    ordering = ["email"]
    list_display = ["email", "full_name", "kind", "health_plan", "is_active"]
    list_filter = ["kind", "is_active", "groups", "health_plan"]
    list_select_related = ["health_plan"]
    search_fields = ["email", "full_name", "health_plan__name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "preferred_language"]}),
        ("Role", {"fields": ["kind", "health_plan", "is_staff", "groups"]}),
        ("Status", {"fields": ["is_active", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        ("Who", {"classes": ["wide"], "fields": ["email", "full_name", "preferred_language"]}),
        (
            "Role",
            {
                "classes": ["wide"],
                "description": "A plan user needs their health plan; Help Center staff need their group "
                "(intake, clinical, legal or supervisor) and sign in to this admin.",
                "fields": ["kind", "health_plan", "groups"],
            },
        ),
        ("Password", {"classes": ["wide"], "fields": ["usable_password", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # nobody takes over a superuser's account from below
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # people stay on the record (timelines name them): deactivate instead
