"""Helpers for tests that need a person with a second factor: a confirmed authenticator app,
the code it would show, and a session that has passed the second factor, in the Django test
client or in a browser.

Staff (``/admin/``) and plan users (``/plan/``) see nothing until their session passed the second
factor. In a Django test client::

    sign_in_verified(client, supervisor)          # then client.get("/admin/...")

In a Playwright browser, either hand the browser such a session::

    browser_sign_in_verified(page, supervisor, base_url=live_server.url)

or sign in through the real pages, typing the code the app would show::

    device = totp_device_for(supervisor)
    page.goto("/admin/login/"); ...fill e-mail and password...
    page.fill("#id_code", totp_code(device))
"""

import time

from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from twofactor.services import TOTP_DEVICE_NAME


def totp_device_for(user) -> TOTPDevice:
    """A confirmed authenticator app for ``user`` (as if enrolment had finished)."""
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or ``steps_ahead`` 30-second steps later, which the
    device still accepts for one step: a way to use a fresh code twice within one step)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def confirmed_device(user) -> TOTPDevice:
    """The user's confirmed authenticator app, made if they have none yet."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first() or totp_device_for(user)


def staff_code(user) -> str:
    """Give ``user`` a confirmed authenticator app (if they have none) and return the code it
    shows now: what a browser test types at /admin/login/code/ after the password."""
    return totp_code(confirmed_device(user))


def sign_in_verified(client, user, device: TOTPDevice | None = None) -> TOTPDevice:
    """Sign ``user`` in on the test client with the second factor already passed."""
    device = device or confirmed_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def verified_client(user) -> Client:
    """A new test client in which ``user`` is signed in with the second factor passed."""
    client = Client()
    sign_in_verified(client, user)
    return client


def verified_session_cookie(user, *, base_url: str) -> dict:
    """A session cookie, for a browser (Playwright ``context.add_cookies``), of a session in which
    ``user`` is signed in and passed the second factor."""
    client = verified_client(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.session.session_key, "url": base_url}


def browser_sign_in_verified(page, user, *, base_url: str) -> None:
    """Put ``user``'s verified session into the browser tab's context (no sign-in pages shown)."""
    page.context.add_cookies([verified_session_cookie(user, base_url=base_url)])
