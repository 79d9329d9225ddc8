from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import HealthPlan, User


@admin.register(HealthPlan)
class HealthPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "regulated_by_dmhc", "regulator_name", "is_active"]
    list_filter = ["regulated_by_dmhc", "is_active"]
    search_fields = ["name"]
    ordering = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "kind", "health_plan", "is_active"]
    list_filter = ["kind", "is_active", "groups", "health_plan"]
    list_select_related = ["health_plan"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "preferred_language"]}),
        ("Role", {"fields": ["kind", "health_plan", "is_staff", "groups"]}),
        ("Status", {"fields": ["is_active", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "full_name", "kind", "health_plan", "password1", "password2"]},
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]
