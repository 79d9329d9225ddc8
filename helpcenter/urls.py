"""The portal's URL map. These addresses are kept for the life of the product.

English is unprefixed; Spanish lives under /es/. Staff admin and /healthz are language-neutral.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from filing import urls as filing_urls
from filing.views import check as filing_views
from helpcenter import views
from ops.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The public read-only API of published IMR decisions (docs/api.md).
    path("api/", include("api.urls")),
    # The independent review organizations' portal: staff-like, English, language-neutral address.
    path("review/", include("review.urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("guide/", views.guide, name="guide"),
    path("contact/", views.contact, name="contact"),
    path("guide/check/", filing_views.eligibility_check, name="eligibility-check"),
    path("file/", include(filing_urls.file_patterns)),
    path("my/", include(filing_urls.my_patterns)),
    path("account/", include("accounts.urls")),
    path("plan/", include("planportal.urls")),
    path("decisions/", include("imr.urls")),
    prefix_default_language=False,
)

# An unexpected error's page keeps the Help Center's phone numbers (400, 403, 404 and a failed form
# check use Django's own views with the templates 400.html, 403.html, 404.html and 403_csrf.html).
handler500 = "helpcenter.views.server_error"

admin.site.site_header = "DMHC Help Center: staff"
admin.site.site_title = "Help Center staff"
admin.site.index_title = "Cases and work queues"
