"""Account addresses, under i18n_patterns at /account/ (Spanish: /es/account/)."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.sign_up, name="sign-up"),
    path("signup/check-your-email/", views.sign_up_sent, name="sign-up-sent"),
    path("verify/<uidb64>/<token>/", views.verify, name="verify"),
    path("signin/", views.SignInView.as_view(), name="sign-in"),
    path("signout/", views.SignOutView.as_view(), name="sign-out"),
    path("password/reset/", views.ResetRequestView.as_view(), name="password-reset"),
    path("password/reset/sent/", views.ResetSentView.as_view(), name="password-reset-sent"),
    path("password/reset/done/", views.ResetCompleteView.as_view(), name="password-reset-complete"),
    path("password/reset/<uidb64>/<token>/", views.ResetConfirmView.as_view(), name="password-reset-confirm"),
]
