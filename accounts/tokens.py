"""The one-use link that confirms a new account's e-mail address.

It is Django's password-reset token with its own salt and the account's active flag in the
hash, so a link stops working once the address is confirmed (and after PASSWORD_RESET_TIMEOUT).
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.is_active}{user.password}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
