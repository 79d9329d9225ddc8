"""The admin app with the staff site that asks for the second factor (``twofactor.staff_admin``).

Named in INSTALLED_APPS instead of ``django.contrib.admin``: ``admin.site`` and every
``admin.site.register`` then use the staff site. Kept apart from the site itself, because
INSTALLED_APPS imports this module before any model is loaded.
"""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "twofactor.staff_admin.StaffAdminSite"
