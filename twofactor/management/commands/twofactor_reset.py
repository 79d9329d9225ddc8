"""manage.py twofactor_reset EMAIL: for a person who lost their phone and their recovery codes.

Removes their authenticator app and recovery codes; at their next sign-in they set up a new app.
Check who is asking (call them back on a known number) before running it.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from twofactor.services import second_factor_reset


class Command(BaseCommand):
    help = "Remove a person's authenticator app and recovery codes, so they set up again at next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {email!r}.")
        removed = second_factor_reset(user=user)
        self.stdout.write(f"{user.email}: removed {removed} device(s); they set up a new app at next sign-in.")
