"""The portal's URL map. These addresses are kept for the life of the product.

English is unprefixed; Spanish lives under /es/. Staff admin and /healthz are language-neutral.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from helpcenter import views
from ops.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("guide/", views.guide, name="guide"),
    path("contact/", views.contact, name="contact"),
    path("file/", views.not_yet_online, {"page": "file"}, name="file"),
    path("my/", views.not_yet_online, {"page": "my"}, name="my-cases"),
    path("plan/", include("planportal.urls")),
    path("decisions/", include("imr.urls")),
    prefix_default_language=False,
)

admin.site.site_header = "DMHC Help Center: staff"
admin.site.site_title = "Help Center staff"
admin.site.index_title = "Cases and work queues"
