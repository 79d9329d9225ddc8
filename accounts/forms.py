"""Forms of the enrollee account pages: sign up, sign in, and the password reset pair."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class ErrorLinksMixin:
    """Renders inside the page's own <form> (crispy without a form tag) and gives the error
    summary its (href, message) pairs, each going to its field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def error_links(self) -> list[tuple[str, str]]:
        first = next(iter(self.fields), "")
        links = [(f"#id_{first}", str(message)) for message in self.non_field_errors()]
        for bound_field in self:
            for message in bound_field.errors:
                links.append((f"#{bound_field.auto_id}", str(message)))
        return links


def _no_control_characters(value: str) -> None:
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        raise forms.ValidationError(_("This answer contains a hidden control character. Please type it again."))


class SignUpForm(ErrorLinksMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=User._meta.get_field("full_name").max_length,
        validators=[_no_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=User._meta.get_field("email").max_length,
        help_text=_("We send a link to this address to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Create a password"),
        strip=False,
        help_text=_("At least 12 characters. Three or four words together are easy to remember and hard to guess."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"]).strip()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignInForm(ErrorLinksMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("The e-mail address or the password is not right. Check them and try again."),
        "inactive": _("This account is not active."),
        "unconfirmed": _("Confirm your e-mail address first. We have sent you a new link."),
        "throttled": _("Too many tries. Wait 15 minutes and try again, or reset your password."),
        "slowed": _("Too many tries for this account. Wait a minute and try again, or reset your password."),
        "not_enrollee": _("This sign-in is for enrollees. Staff and health plans have their own sign-in page."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # Staff and plan accounts sign in where their second factor is asked for, never here.
        if not user.is_enrollee:
            raise forms.ValidationError(self.error_messages["not_enrollee"], code="not_enrollee")

    def unconfirmed_user(self) -> User | None:
        """The never-confirmed enrollee account these details belong to, if the password is right."""
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not email or not password:
            return None
        user = User.objects.filter(email__iexact=email, is_active=False, kind=User.Kind.ENROLLEE).first()
        if user is not None and user.last_login is None and user.check_password(password):
            return user
        return None


class ResetRequestForm(ErrorLinksMixin, PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class NewPasswordForm(ErrorLinksMixin, SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].help_text = _("At least 12 characters.")
        self.fields["new_password2"].label = _("Type the new password again")
