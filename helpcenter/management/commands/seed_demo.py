from django.core.management.base import BaseCommand

from helpcenter.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_data_load


class Command(BaseCommand):
    help = "Load the demo data once (plans, one login per role, cases) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="The port the web server listens on, for the URLs.")

    def handle(self, *args, port, **options):
        loaded = demo_data_load()
        self.stdout.write("Demo data loaded." if loaded else "Demo data was already loaded; left as it is.")
        base = f"http://127.0.0.1:{port}"
        self.stdout.write("")
        self.stdout.write(f"  Public site (English)  {base}/")
        self.stdout.write(f"  Public site (Spanish)  {base}/es/")
        self.stdout.write(f"  Staff admin            {base}/admin/")
        self.stdout.write(f"  Review organizations   {base}/review/")
        self.stdout.write(f"  Health check           {base}/healthz")
        self.stdout.write("")
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD})")
        for login in DEMO_LOGINS:
            self.stdout.write(f"    {login.role:<45} {login.email}")
        self.stdout.write("")
        self.stdout.write("  Staff, plan users and reviewers also give a code from their authenticator app. The")
        self.stdout.write("  demo users' apps are set up already; see their current codes with:")
        self.stdout.write("    .venv/bin/python manage.py demo_codes")
        self.stdout.write("")
