"""One rule for the client's address (ops.network.client_ip), used by every throttle, the sign-in
lockout and the audit log: the socket's address, unless the connection comes from a proxy listed
in TRUSTED_PROXIES; then the entry that proxy added to X-Forwarded-For, never one the client wrote.
"""

import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory, TestCase
from django.utils import timezone

from accounts.tests.factories import TEST_PASSWORD, EnrolleeFactory
from accounts.views import RESET_LIMIT_PER_IP, SIGN_UP_LIMIT_PER_IP
from helpcenter.forms import LIMIT_PER_HOUR, started_token
from ops.network import client_ip

LOAD_BALANCER = "10.0.0.2"


def ip_of(**meta) -> str:
    return client_ip(RequestFactory().get("/", **meta))


@pytest.fixture(autouse=True)
def _private_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "network"}}
    cache.clear()


def test_none_is_trusted_by_default():
    assert django_settings.TRUSTED_PROXIES == []


def test_with_no_trusted_proxy_every_forwarding_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert ip_of(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9") == "198.51.100.7"
    assert ip_of(REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP="203.0.113.9", HTTP_FORWARDED="for=203.0.113.9") == (
        "198.51.100.7"
    )


def test_behind_a_trusted_proxy_the_entry_it_added_is_the_client(settings):
    settings.TRUSTED_PROXIES = [LOAD_BALANCER]
    assert ip_of(REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.9") == "203.0.113.9"
    # Entries left of it were written by the client: never used.
    assert ip_of(REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="6.6.6.6, 7.7.7.7, 203.0.113.9") == "203.0.113.9"
    assert ip_of(REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="junk, 203.0.113.9:4431") == "203.0.113.9"


def test_a_header_from_an_address_that_is_not_a_trusted_proxy_is_ignored(settings):
    settings.TRUSTED_PROXIES = [LOAD_BALANCER]
    # A client reaching the web server directly, past the load balancer.
    assert ip_of(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9") == "198.51.100.7"
    # The load balancer's own requests (no header) are its own address.
    assert ip_of(REMOTE_ADDR=LOAD_BALANCER) == LOAD_BALANCER


def test_two_trusted_hops_outermost_first_networks_allowed(settings):
    settings.TRUSTED_PROXIES = ["192.0.2.0/24", "10.0.0.0/8"]
    chain = "6.6.6.6, 203.0.113.9, 192.0.2.40"
    assert ip_of(REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR=chain) == "203.0.113.9"
    # The outer hop is not the trusted one: the chain is not believed.
    assert ip_of(REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.9, 6.6.6.6") == "10.1.2.3"


def test_a_setting_that_is_not_an_address_stops_the_start(tmp_path):
    environment = {"PATH": "/usr/bin:/bin", "HELPCENTER_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env={**environment, "TRUSTED_PROXIES": "10.0.0.2,the-load-balancer"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'the-load-balancer' is not an IP address or network" in result.stderr


def forged(n: int) -> dict:
    return {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_sign_up_limit():
    client = Client()
    answers = []
    for n in range(SIGN_UP_LIMIT_PER_IP + 1):
        data = {
            "full_name": "Ana Reyes",
            "email": f"ana{n}@example.test",
            "password1": "a long enough password 2026",
            "password2": "a long enough password 2026",
        }
        answers.append(client.post("/account/signup/", data, **forged(n)))
    assert all(answer.status_code == 302 for answer in answers[:-1])
    assert "Too many sign-ups from this connection" in answers[-1].text


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_password_reset_limit():
    EnrolleeFactory(email="ana@example.test")
    for n in range(RESET_LIMIT_PER_IP + 5):
        # The link is e-mailed by the (here eager) worker once the request commits.
        with TestCase.captureOnCommitCallbacks(execute=True):
            Client().post("/account/password/reset/", {"email": "ana@example.test"}, **forged(n))
    assert len(mail.outbox) == RESET_LIMIT_PER_IP


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_contact_form_limit():
    question = {"name": "Ana", "email": "ana@example.test", "message": "A question.", "website": ""}
    for n in range(LIMIT_PER_HOUR + 3):
        Client().post("/contact/", {**question, "started": started_token(time.time() - 30)}, **forged(n))
    assert len(mail.outbox) == LIMIT_PER_HOUR


@pytest.mark.django_db
def test_a_forged_header_cannot_lock_out_an_address_of_the_attackers_choosing():
    victim_address = "203.0.113.50"
    victim = EnrolleeFactory(email="ana@example.test")
    target = EnrolleeFactory(email="bea@example.test")
    for _ in range(django_settings.AXES_FAILURE_LIMIT + 2):
        Client().post(
            "/account/signin/",
            {"username": target.email, "password": "wrong"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=victim_address,
        )
    signed_in = Client().post(
        "/account/signin/", {"username": victim.email, "password": TEST_PASSWORD}, REMOTE_ADDR=victim_address
    )
    assert signed_in.status_code == 302


@pytest.mark.django_db
def test_behind_the_load_balancer_the_lockout_counts_the_real_client_not_its_forged_entries(settings):
    settings.TRUSTED_PROXIES = [LOAD_BALANCER]
    target = EnrolleeFactory(email="bea@example.test")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for n in range(django_settings.AXES_FAILURE_LIMIT):
            clock.shift(timedelta(minutes=1, seconds=1))  # past the account's short waits
            Client().post(
                "/account/signin/",
                {"username": target.email, "password": "wrong"},
                REMOTE_ADDR=LOAD_BALANCER,
                HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
            )
        clock.shift(timedelta(minutes=1, seconds=1))
        locked = Client().post(
            "/account/signin/",
            {"username": target.email, "password": TEST_PASSWORD},
            REMOTE_ADDR=LOAD_BALANCER,
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
        assert locked.status_code == 429
        assert "Wait 15 minutes" in locked.text
        # Another client behind the same load balancer is not that pair.
        elsewhere = Client().post(
            "/account/signin/",
            {"username": target.email, "password": TEST_PASSWORD},
            REMOTE_ADDR=LOAD_BALANCER,
            HTTP_X_FORWARDED_FOR="198.51.100.8",
        )
        assert elsewhere.status_code == 302
