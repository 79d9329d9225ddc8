"""The public API, version 1, under /api/v1/ (language-neutral: outside i18n_patterns).

These addresses and the fields they answer with are kept for the life of version 1
(docs/api.md says what may change within a version).
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import errors, views

urlpatterns = [
    path("v1/decisions/", views.DecisionList.as_view(), name="api-decisions"),
    path("v1/decisions.csv", views.DecisionsCsv.as_view(), name="api-decisions-csv"),
    path("v1/decisions/<str:reference_id>/", views.DecisionDetail.as_view(), name="api-decision"),
    path("v1/statistics/", views.Statistics.as_view(), name="api-statistics"),
    path("v1/filters/", views.FilterOptions.as_view(), name="api-filters"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("v1/docs/", views.ApiDocs.as_view(), name="api-docs"),
    re_path(r"^.*$", errors.not_found),
]
