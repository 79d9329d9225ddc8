from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helpcenter.demo import demo_codes


class Command(BaseCommand):
    help = "Print the second-factor code each demo staff and plan user's authenticator shows now (demo only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo codes are for the local demo only (DEBUG is off).")
        codes = demo_codes()
        if not codes:
            raise CommandError("No demo authenticators: load the demo data with `manage.py seed_demo` first.")
        self.stdout.write("Codes change every 30 seconds; run this again for fresh ones.")
        for login, code in codes:
            self.stdout.write(f"  {code}  {login.role:<45} {login.email}")
