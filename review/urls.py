"""The review organization's addresses, under /review/ (English, staff-like)."""

from django.urls import path

from review import views
from review.access import FLOW
from twofactor.views import EnrolView, PasswordView, RecoveryCodesView, SignOutView, VerifyView

urlpatterns = [
    path("", views.queue, name="review-queue"),
    path("login/", PasswordView.as_view(flow=FLOW), name="review-login"),
    path("login/setup/", EnrolView.as_view(flow=FLOW), name="review-enrol"),
    path("login/code/", VerifyView.as_view(flow=FLOW), name="review-verify"),
    path("login/recovery-codes/", RecoveryCodesView.as_view(flow=FLOW), name="review-recovery-codes"),
    path("logout/", SignOutView.as_view(flow=FLOW), name="review-logout"),
    path("cases/<str:number>/", views.case_detail, name="review-case"),
    path("cases/<str:number>/attest/", views.attest, name="review-attest"),
    path("cases/<str:number>/decline/", views.decline, name="review-decline"),
    path("cases/<str:number>/documents/<int:document_id>/", views.document_download, name="review-document"),
    path("cases/<str:number>/packet/<int:packet_id>/", views.packet_download, name="review-packet"),
    path("cases/<str:number>/determination/", views.determination, name="review-determination"),
    path("cases/<str:number>/assign/", views.assign, name="review-assign"),
]
