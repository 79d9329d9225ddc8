"""The plan portal's addresses, under /plan/ (English only).

Names are not namespaced: ``plan-portal`` is the portal's front door (the work queue).
"""

from django.urls import path

from planportal import views
from planportal.access import FLOW
from twofactor.views import EnrolView, PasswordView, RecoveryCodesView, SignOutView, VerifyView

urlpatterns = [
    path("", views.queue, name="plan-portal"),
    path("login/", PasswordView.as_view(flow=FLOW), name="plan-login"),
    path("login/setup/", EnrolView.as_view(flow=FLOW), name="plan-enrol"),
    path("login/code/", VerifyView.as_view(flow=FLOW), name="plan-verify"),
    path("login/recovery-codes/", RecoveryCodesView.as_view(flow=FLOW), name="plan-recovery-codes"),
    path("logout/", SignOutView.as_view(flow=FLOW), name="plan-logout"),
    path("cases/<str:number>/", views.case_detail, name="plan-case"),
    path("cases/<str:number>/respond/", views.respond, name="plan-respond"),
    path("cases/<str:number>/reversed/", views.reversed_decision, name="plan-reversed"),
    path("cases/<str:number>/carried-out/", views.carried_out, name="plan-carried-out"),
    path("cases/<str:number>/documents/<int:document_id>/", views.document_download, name="plan-document"),
    path("cases/<str:number>/letters/<int:letter_id>/", views.letter_download, name="plan-letter"),
]
