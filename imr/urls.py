"""Public addresses of the published IMR decisions (under i18n_patterns: /decisions/ and /es/decisions/).

No namespace: the site navigation links to ``{% url 'decisions' %}``.
"""

from django.urls import path

from imr import views

urlpatterns = [
    path("", views.decision_list, name="decisions"),
    path("stats/", views.decision_stats, name="decisions-stats"),
    path("download/", views.decisions_download, name="decisions-download"),
    path("<str:reference_id>/", views.decision_detail, name="decision-detail"),
]
